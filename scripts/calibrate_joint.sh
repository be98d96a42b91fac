#!/usr/bin/env bash
# Calibrates the baseline's behavioural weights on the record 2001-2013 AND the 2014 stylized
# facts together (issue 12, item 6; docs/calibration.md, "Joint calibration: the record and the
# 2014 facts"). The sibling of scripts/calibrate_record.sh, which fits the record alone.
#
#   scripts/calibrate_joint.sh [OUTDIR]        default results/calibration-joint
#
# 1. ABC-SMC over the six weights below with two (scenario, events) pairs: the primary
#    scenarios/sco2014.yaml + scenarios/history/facts_2014.yaml, and (--also) the period
#    scenarios/history/sco2001.yaml + scenarios/history/events_2001_2013.yaml. The distance is
#    the mean of the two pairs' debiased Brier scores; --write-scenario edits the primary
#    (the baseline) and gives all-posterior.yaml;
# 2. the posterior predictive: the baseline with the posterior (all-posterior.yaml) scored
#    against the facts, and the 2001 scenario with the same posterior (--set of the same
#    distributions) scored against the record, 4,000 runs each;
# 3. leave one category out of the record (the facts always in): fit without B (policy),
#    score B; fit without A (exercises), score A; smaller runs (LOCO_* below);
# 4. the figure: posterior against prior.
# SIZE: sizes are cut for a loaded 2-core machine (docs/calibration.md says which were used);
# give POINTS, GENS, RUNS, LOCO_POINTS, LOCO_GENS, LOCO_RUNS in the environment to change them.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/calibration-joint}
. scripts/calibrate_lib.sh
POINTS=${POINTS:-400} GENS=${GENS:-4} RUNS=${RUNS:-100}
LOCO_POINTS=${LOCO_POINTS:-200} LOCO_GENS=${LOCO_GENS:-3} LOCO_RUNS=${LOCO_RUNS:-100}
PRED_RUNS=${PRED_RUNS:-4000}
mkdir -p "$OUT"

# The six weights of calibrate_record.sh. threat_weight's prior is widened from U(0, 2) to
# U(0, 4): the record-only posterior sat at 2, its edge. wait_value keeps U(0, 10), its whole
# plausible span, and the docs report whether the joint data identify it.
calib_vary 4

calibrate() {  # calibrate NAME RECORD_EVENTS POINTS GENS RUNS
  "$SCO" calibrate "$BASE" "$FACTS" --also "$SCEN:$2" "${VARY[@]}" --method smc --points "$3" \
    --generations "$4" -n "$5" --seed 2014 -q -o "$OUT/$1.h5" --force \
    --write-scenario "$OUT/$1-posterior.yaml"
  mapfile -t SETS < <(sets_of "$OUT/$1-posterior.yaml")
  predict "$1-facts" "$OUT/$1-posterior.yaml" "$FACTS" "$PRED_RUNS"
  predict "$1-record" "$SCEN" "$EVENTS" "$PRED_RUNS" "${SETS[@]}"
}

echo "== joint calibration ($POINTS points x $GENS generations x $RUNS runs x 2 pairs)"
calibrate all "$EVENTS" "$POINTS" "$GENS" "$RUNS"
"$SCO" summary "$OUT/all.h5" > "$OUT/all-posterior.txt"
predict hand-facts "$BASE" "$FACTS" "$PRED_RUNS"
"$PY" scripts/plot_posterior.py "$OUT/all.h5" -o "$OUT/posterior.png"
if [ "${SKIP_LOCO:-0}" != 1 ]; then
  for keep in "A C:B" "B C:A"; do
    cats=${keep%%:*}; left=${keep##*:}
    echo "== leaving out category $left of the record ($LOCO_POINTS x $LOCO_GENS x $LOCO_RUNS)"
    subset "$OUT/events-without-$left.yaml" $cats
    calibrate "without-$left" "$OUT/events-without-$left.yaml" "$LOCO_POINTS" "$LOCO_GENS" "$LOCO_RUNS"
  done
fi

score_rows "hand values (sco2014.yaml), facts=hand-facts" \
  "joint posterior, facts (in sample)=all-facts" \
  "joint posterior, record (in sample)=all-record+" \
  "fit without B, record category B (out of sample)=without-B-record:B" \
  "fit without A, record category A (out of sample)=without-A-record:A"
echo "wrote $OUT/"
