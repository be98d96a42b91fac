#!/usr/bin/env bash
# From a fresh clone to a results file, an outcome table, figures and a report:
#   installs missing Debian packages, builds Release into build/, runs the baseline
#   scenario (scenarios/sco2014.yaml, 10,000 runs; RUNS=N to change), writes
#   results/sco2014.h5 (replacing the one a previous quickstart wrote), prints the
#   outcome table, draws every figure into results/figures/ (printing each path) and
#   writes results/report.html, one self-contained HTML file (printing its path).
# A figure the data cannot support is skipped with a one-line reason (docs/figures.md).
# SCO_SIM_BIN=PATH runs that sco-sim binary instead of installing and building.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ -n "${SCO_SIM_BIN:-}" ]; then
  sco=$SCO_SIM_BIN
else
  ./scripts/install-deps.sh
  echo "== building (Release) into build/"
  sco_configure
  cmake --build build -j"$(nproc)" --target sco-sim
  sco=./build/bin/sco-sim
fi
echo "== running scenarios/sco2014.yaml (${RUNS:-10000} runs)"
"$sco" run scenarios/sco2014.yaml -n "${RUNS:-10000}" -o results/sco2014.h5 --force
py=$(sco_python)
echo "== drawing figures into results/figures/"
"$py" scripts/plot_all.py results/sco2014.h5 -o results/figures
echo "== writing the report"
"$py" scripts/report.py results/sco2014.h5 -o results/report.html >/dev/null
echo "== done: results/sco2014.h5; figures in results/figures/"
echo "report: $PWD/results/report.html"
echo "next: ./build/bin/sco-sim summary results/sco2014.h5 --json"
