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
# The MPI build of sco-sim, for tests/python/test_mpi*.py, is build/mpi/bin/sco-sim: it
# reuses this tree's libraries and compiles only the two files that differ
# (-DSCO_BUILD_MPI_VARIANT=ON; a separate -DSCO_WITH_MPI=ON tree compiled everything again).
# A unity build (CMAKE_UNITY_BUILD: each target's files compiled in batches of 8, see
# sim/CMakeLists.txt) takes about 60% of the CPU time of one file at a time; every file is
# still compiled one at a time by scripts/fuzz.sh's clang tree (the libraries) and by a
# default configure (what developers build). The cache keeps it on in build/ afterwards.
cmake -S . -B build -DSCO_BUILD_BENCHMARKS=ON -DSCO_BUILD_MPI_VARIANT=ON -DCMAKE_UNITY_BUILD=ON >/dev/null
# Every public and interface header of sim/ compiles on its own, with only what its library
# links (CMake's VERIFY_INTERFACE_HEADER_SETS, set by sco_layer() in sim/CMakeLists.txt):
# all_verify_interface_header_sets, in the same call as the rest, so that with Ninja
# (sco_configure) its files fill the cores beside the build's last batches.
cmake --build build -j"$(nproc)" --target all all_verify_interface_header_sets
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
