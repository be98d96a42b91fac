#!/usr/bin/env bash
# Installs what is missing, builds everything with tests into build/, runs every test
# (C++ through GoogleTest and Python through pytest, all under ctest).
# Exits non-zero on any failure. SCO_WERROR=ON turns warnings into errors (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

./scripts/install-deps.sh --slurm --mpi --browser
sco_configure
# The benchmarks are compiled (not run) here too, so that a change that breaks them fails
# the tests instead of surfacing the next time someone runs scripts/bench.sh.
cmake -S . -B build -DSCO_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build -j"$(nproc)"
# The optional MPI build, for tests/python/test_mpi.py (sco-sim only, in build-mpi/).
cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DSCO_BUILD_TESTS=OFF -DSCO_WITH_MPI=ON \
      -DSCO_WERROR="${SCO_WERROR:-OFF}" >/dev/null
cmake --build build-mpi -j"$(nproc)" --target sco-sim
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
