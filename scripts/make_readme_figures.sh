#!/usr/bin/env bash
# Regenerates the figures shown in README.md (docs/figures/) from the committed
# baseline and expansion scenarios with a fixed seed. Run after the model changes.
# SCO_SIM_BIN=PATH uses that sco-sim binary instead of build/bin/sco-sim.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
py=$(sco_python)
sco=${SCO_SIM_BIN:-./build/bin/sco-sim}
[ -x "$sco" ] || { sco_configure; cmake --build build -j"$(nproc)" --target sco-sim; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$sco" run scenarios/sco2014.yaml -n 10000 --seed 20140615 -q -o "$tmp/sco2014.h5"
"$sco" run scenarios/expansion_sco8.yaml -n 10000 --seed 20140615 -q -o "$tmp/expansion_sco8.h5"
"$py" scripts/plot_outcomes.py "$tmp/sco2014.h5" --period 2014 -o "$tmp/fig" >/dev/null
"$py" scripts/plot_tension.py "$tmp/sco2014.h5" -o "$tmp/fig" >/dev/null
"$py" scripts/plot_participation.py "$tmp/sco2014.h5" -o "$tmp/fig" >/dev/null
rm "$tmp/fig/objection.png"  # the README shows participation only
"$py" scripts/plot_compare.py "$tmp/sco2014.h5" "$tmp/expansion_sco8.h5" --period 2014 -o "$tmp/fig" >/dev/null
"$sco" sweep scenarios/sco2014.yaml --vary agenda.afghan_buffer_plan.uncertainty=0.2:1:5 \
  --vary dynamics.wait_value=0:8:5 -n 1000 -q -o "$tmp/afghan_grid.h5"
# The README's command; the figure's name carries the summit the script picks.
response=$("$py" scripts/plot_response.py "$tmp/afghan_grid.h5" --proposal afghan_buffer_plan \
  -o "$tmp/response" | grep '\.png$')
cp "$response" "$tmp/fig/afghan_response.png"
mkdir -p docs/figures
for f in "$tmp"/fig/*.png; do cp "$f" docs/figures/; done
ls -l docs/figures
