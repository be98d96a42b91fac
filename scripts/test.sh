#!/usr/bin/env bash
# Installs what is missing, builds everything with tests into build/, runs every test
# (C++ through GoogleTest and Python through pytest, all under ctest).
# Exits non-zero on any failure. SCO_WERROR=ON turns warnings into errors (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

./scripts/install-deps.sh --slurm
sco_configure
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
