#!/usr/bin/env bash
# From a fresh clone to a results file, an outcome table and figures:
#   installs missing Debian packages, builds Release into build/, runs the baseline
#   scenario (scenarios/sco2014.yaml, 10,000 runs; RUNS=N to change), writes
#   results/sco2014.h5 (replacing the one a previous quickstart wrote), prints the
#   outcome table and draws every figure into results/figures/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

./scripts/install-deps.sh
echo "== building (Release) into build/"
sco_configure
cmake --build build -j"$(nproc)" --target sco-sim
echo "== running scenarios/sco2014.yaml (${RUNS:-10000} runs)"
./build/bin/sco-sim run scenarios/sco2014.yaml -n "${RUNS:-10000}" -o results/sco2014.h5 --force
py=$(sco_python)
if [ -f scripts/plot_all.py ]; then
  echo "== drawing figures"
  "$py" scripts/plot_all.py results/sco2014.h5 -o results/figures
fi
echo "== done: results/sco2014.h5; next: ./build/bin/sco-sim summary results/sco2014.h5 --json"
