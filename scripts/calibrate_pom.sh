#!/usr/bin/env bash
# Pattern-filtered calibration of the baseline's behavioural weights (issue 12, item 6;
# docs/calibration.md, "Pattern-filtered calibration"): pattern-oriented modelling (Grimm et
# al. 2005, Science 310:987) as the acceptance rule of ABC-SMC. The distance is the record
# 2001-2013's Brier score alone; the 2014 stylized facts and the patterns the last
# calibrations broke are hard constraints (`calibrate --require`): a point whose runs make
# any of them less likely than not (its 95% Wilson interval wholly below 0.5) is never
# accepted, whatever its distance.
#
#   scripts/calibrate_pom.sh [OUTDIR]        default results/calibration-pom
#
# 1. ABC-SMC over the six weights of calibrate_joint.sh (same priors), primary the period
#    scenarios/history/sco2001.yaml + the record, with three required pairs:
#    - scenarios/sco2014.yaml + the 2014 facts (facts_2014.yaml: F1-F7, 22 observations)
#      and pattern S1b (patterns_2014_bank_later.yaml), joined into one events file here so
#      that the baseline is run once per point;
#    - scenarios/history/sco2014_uzb_no_reluctance.yaml and sco2014_no_tension_tjk_uzb.yaml
#      + facts_2014_fact1_counterfactual.yaml: fact 1's two counterfactual halves (each cause
#      alone keeps Uzbekistan out);
# 2. the posterior predictive on the record, with the posterior as distributions and with the
#    posterior medians fixed (the port), and the facts on the baseline at the medians;
# 3. with LOCO=1, leave one category out of the record (the required pairs always in): about
#    as long again as step 1 at the default LOCO sizes, so off by default;
# 4. the figures: posterior against prior; reliability of the port on the record.
# SIZE: for a loaded 2-core machine: 800 points x 5 generations x 60 runs x 4 pairs, about
# 1 million runs: 7 min 41 s wall for the whole script at a load of 12-13 (docs/calibration.md,
# "Pattern-filtered calibration"); give POINTS, GENS, RUNS, PRED_RUNS, LOCO_POINTS, LOCO_GENS in the environment to
# change them. Each point costs RUNS runs of the 2001 scenario and 3 x RUNS runs of the 2014
# baseline (the baseline and the two fact-1 variants).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/calibration-pom}
. scripts/calibrate_lib.sh
POINTS=${POINTS:-800} GENS=${GENS:-5} RUNS=${RUNS:-60}
LOCO_POINTS=${LOCO_POINTS:-300} LOCO_GENS=${LOCO_GENS:-4}
PRED_RUNS=${PRED_RUNS:-4000}
LEVEL=${LEVEL:-0.5}
H=scenarios/history
mkdir -p "$OUT"

# The 2014 facts and pattern S1b as one events file (both observe scenarios/sco2014.yaml).
"$PY" - "$FACTS" "$H/patterns_2014_bank_later.yaml" "$OUT/required_2014.yaml" <<'EOF'
import sys, yaml
facts, extra, out = sys.argv[1:]
d, e = yaml.safe_load(open(facts)), yaml.safe_load(open(extra))
d["name"] = f"{d['name']} and {e['name']}"
d["events"] += e["events"]
yaml.safe_dump(d, open(out, "w"), sort_keys=False)
EOF
REQUIRE=(--require "$BASE:$OUT/required_2014.yaml"
         --require "$H/sco2014_uzb_no_reluctance.yaml:$H/facts_2014_fact1_counterfactual.yaml"
         --require "$H/sco2014_no_tension_tjk_uzb.yaml:$H/facts_2014_fact1_counterfactual.yaml"
         --require-level "$LEVEL")
calib_vary 4

calibrate() {  # calibrate NAME RECORD_EVENTS POINTS GENS
  "$SCO" calibrate "$SCEN" "$2" "${REQUIRE[@]}" "${VARY[@]}" --method smc --points "$3" \
    --generations "$4" -n "$RUNS" --seed 2015 -q -o "$OUT/$1.h5" --force \
    --write-scenario "$OUT/$1-posterior.yaml"
  "$SCO" summary "$OUT/$1.h5" > "$OUT/$1-posterior.txt"
  "$SCO" summary "$OUT/$1.h5" --json > "$OUT/$1-posterior.json"
  mapfile -t MEDIANS < <(medians_of "$OUT/$1.h5")
  predict "$1-medians-record" "$SCEN" "$EVENTS" "$PRED_RUNS" "${MEDIANS[@]}"
}

echo "== pattern-filtered calibration ($POINTS points x $GENS generations x $RUNS runs; 1 + 3 required pairs)"
calibrate all "$EVENTS" "$POINTS" "$GENS"
predict all-record "$OUT/all-posterior.yaml" "$EVENTS" "$PRED_RUNS"
predict all-medians-facts "$BASE" "$FACTS" "$PRED_RUNS" "${MEDIANS[@]}"
predict hand-record "$SCEN" "$EVENTS" "$PRED_RUNS"
predict hand-facts "$BASE" "$FACTS" "$PRED_RUNS"
"$PY" scripts/plot_posterior.py "$OUT/all.h5" -o "$OUT/posterior.png"
"$PY" scripts/plot_reliability.py "$OUT/all-medians-record-score.json" -o "$OUT/reliability.png"
printf '%s\n' "${MEDIANS[@]}" > "$OUT/all-medians.txt"
if [ "${LOCO:-0}" = 1 ]; then
  for keep in "A C:B" "B C:A"; do
    cats=${keep%%:*}; left=${keep##*:}
    echo "== leaving out category $left of the record ($LOCO_POINTS x $LOCO_GENS x $RUNS)"
    subset "$OUT/events-without-$left.yaml" $cats
    calibrate "without-$left" "$OUT/events-without-$left.yaml" "$LOCO_POINTS" "$LOCO_GENS"
  done
fi

score_rows "hand values, record=hand-record+" \
  "hand values (sco2014.yaml), facts=hand-facts" \
  "POM posterior (distributions), record (in sample)=all-record+" \
  "POM posterior medians fixed, record (in sample)=all-medians-record+" \
  "POM posterior medians fixed, facts=all-medians-facts" \
  "fit without B, medians, category B (out of sample)=without-B-medians-record:B" \
  "fit without A, medians, category A (out of sample)=without-A-medians-record:A"
echo "wrote $OUT/"
