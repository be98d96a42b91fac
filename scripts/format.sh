#!/usr/bin/env bash
# Formats the C++ sources with the committed .clang-format, or with --check reports the
# files that are not formatted and exits 1 (ctest runs the check).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(-i)
[ "${1:-}" = "--check" ] && mode=(--dry-run -Werror)
command -v clang-format >/dev/null || { echo "format.sh: clang-format not found (apt-get install clang-format)" >&2; exit 2; }
git ls-files 'sim/*.cpp' 'sim/*.h' 'tests/*.cpp' 'tests/*.h' | xargs clang-format "${mode[@]}"
