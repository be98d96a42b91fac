#!/usr/bin/env bash
# Pattern-filtered calibration of the baseline's behavioural weights (issue 12, item 6;
# docs/calibration.md, "Pattern-filtered calibration"): pattern-oriented modelling (Grimm et
# al. 2005, Science 310:987) as the acceptance rule of ABC-SMC. The distance is the record
# 2001-2013's Brier score alone; the 2014 stylized facts and the patterns the last
# calibrations broke are hard constraints (`calibrate --require`): a point whose runs give
# any of them in fewer than half its runs (k/n < 0.5, the share rule since session 5's
# attack; the Wilson rule before it) is never accepted, whatever its distance.
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
#    and three required comparisons (`--require-less LESS --than MORE`; docs/calibration.md,
#    "Required comparisons"), fact 7 of docs/patterns.md as tests/python/test_patterns.py
#    tests it, on the full copies scripts/pattern_variants.py writes into OUTDIR/variants:
#    - 7a: the contested 2014 texts (patterns_2014_fact7_contested.yaml) pass less often in
#      the SCO of eight (expansion_sco8.yaml) than with two neutral members (neutral.yaml),
#      and less often than in the baseline;
#    - 7b: with the deterministic choice rule they are adopted later in the SCO of eight
#      (sco8_det.yaml) than with the neutral pair (neutral_det.yaml)
#      (patterns_2014_fact7_adoption.yaml: P(adopted within k summits), k = 1..6).
#    S2 (vetoes persist because of incidents) is not required: it is a difference of
#    conditional frequencies within runs, which no comparison of two probabilities expresses.
# 2. the posterior predictive on the record, with the posterior as distributions and with the
#    posterior medians fixed (the port), and the facts on the baseline at the medians;
# 3. with LOCO=1, leave one category out of the record (the required pairs always in): about
#    as long again as step 1 at the default LOCO sizes, so off by default;
# 4. the figures: posterior against prior; reliability of the port on the record.
# SIZE: for a loaded 2-core machine: 600 points x 5 generations x 60 runs x 9 pairs, about
# 1.6 million runs (docs/calibration.md, "Required comparisons", gives the time measured);
# give POINTS, GENS, RUNS, PRED_RUNS, LOCO_POINTS, LOCO_GENS (and TOLERANCE, below) in the
# environment to change them. Each point costs RUNS runs of the 2001 scenario and 8 x RUNS
# runs of 2014 scenarios (the baseline twice, the two fact-1 variants, the SCO of eight, the
# neutral copy and the two deterministic copies).
# SESSION 7 (docs/calibration.md, "Two stages"): the mode rule and amendment_step are the
# defaults; at the defaults' sizes SMC rarely finds a feasible point. The posterior of session
# 7 was made in two stages:
#   POINTS=1800 GENS=12 QUANTILE=0.005 TOLERANCE=0.0705 scripts/calibrate_pom.sh OUT1
#   (locates the feasible region; ESS about 9) then rejection inside a box around it:
#   POINTS=36000 TOLERANCE=0.0705 BOX="threat_weight=0.15:1.25 objection_cost=0:0.35
#   remote_stake=0:0.72 tension_weight=0:1.6 wait_value=2.5:10 sponsor_floor=0:1
#   amendment_step=0.05:1" scripts/calibrate_pom.sh OUT2        (about 16 min on 2 cores)
# and scripts/loco_box.py OUT2/all.h5 ... checks it out of category.
# SESSION 8 (docs/calibration.md, "Stage 3"): the posterior of the baseline is stage 2's
# accepted points that pass the whole pattern suite, and the port follows a fixed rule:
#   scripts/suite_filter.py OUT2/all.h5 -o OUT3        (one suite per point, about 15 min)
#   scripts/port_candidates.py OUT3 -o OUT4            (the candidates, in the rule's order)
# SESSION 10-11: stage 2 at several seeds (SEED=2016 ... scripts/calibrate_pom.sh OUT2-S, the
# same BOX) is one rejection sample of their total size; stage 3 runs per seed and the port pools
# the kept points: scripts/port_candidates.py OUT3-2015 OUT3-2016 ... -o OUT4
# THE NEXT PORT (docs/calibration.md, "The next port"): the suite at two seeds. Each seed's
# kept points are run through the suite again at suite seed 101, and the candidates must
# pass at both suite seeds:
#   scripts/suite_filter.py OUT2-S/all.h5 -o OUT3-101-S --suite-seed 101 \
#       --only-kept OUT3-S/suite.json                   (the points kept at both seeds)
#   scripts/port_candidates.py OUT3-101-2015 ... -o OUT4 --suite-seeds 20140615,101
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/calibration-pom}
. scripts/calibrate_lib.sh
POINTS=${POINTS:-600} GENS=${GENS:-5} RUNS=${RUNS:-60}
LOCO_POINTS=${LOCO_POINTS:-300} LOCO_GENS=${LOCO_GENS:-4}
PRED_RUNS=${PRED_RUNS:-4000}
# SEED: the calibration's seed (2015 in every run so far). Rejection ABC with another seed
# draws other points from the same box, so runs at several seeds add up to one larger
# rejection sample (session 10: more points for stage 3).
SEED=${SEED:-2015}
# RULE: how a required event holds (calibrate --require-rule): mode (the default since session
# 7: the observed pattern of the event's observations is the most frequent one in the point's
# runs; docs/calibration.md, "The mode rule") or share (k/n >= LEVEL for the event's whole
# pattern, the rule of sessions 5-6).
RULE=${RULE:-mode} LEVEL=${LEVEL:-0.5}
# AMEND=1 (the default since session 7) also varies amendment_step, prior U(0.05, 1) (review
# session 6, finding 4: facts 4 and 5 rest on it); AMEND=0 keeps it at its hand value 0.2.
AMEND=${AMEND:-1}
# With TOLERANCE set, the last generation accepts every point that holds every requirement and
# whose record distance is at most TOLERANCE (the generations before it keep the quantile
# 0.1); without it, the best 10% of those points (docs/calibration.md, "More generations
# under the share rule": TOLERANCE=0.0705 is the issue's goal, record skill 0.6).
# QUANTILE: the share of points the generations before the last keep (with TOLERANCE; alone,
# every generation's), 0.1 unless given.
ACCEPT=()
[ -z "${TOLERANCE:-}" ] || ACCEPT=(--tolerance "$TOLERANCE")
[ -z "${QUANTILE:-}" ] || ACCEPT+=(--quantile "$QUANTILE")
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
         --require-rule "$RULE")
[ "$RULE" = mode ] || REQUIRE+=(--require-level "$LEVEL")
# Fact 7's comparisons (the full copies of the baseline the pattern test makes).
V=$OUT/variants
"$PY" scripts/pattern_variants.py "$V" "$BASE" > /dev/null
C7=$H/patterns_2014_fact7_contested.yaml A7=$H/patterns_2014_fact7_adoption.yaml
REQUIRE+=(--require-less "scenarios/expansion_sco8.yaml:$C7" --than "$V/neutral.yaml:$C7"
          --require-less "scenarios/expansion_sco8.yaml:$C7" --than "$BASE:$C7"
          --require-less "$V/sco8_det.yaml:$A7" --than "$V/neutral_det.yaml:$A7")
calib_vary 4
[ "$AMEND" = 0 ] || VARY+=(--vary dynamics.amendment_step=0.05:1)
# BOX (session 7, docs/calibration.md, "Two stages"): instead of ABC-SMC, rejection ABC from
# the priors above restricted to a box (space-separated NAME=LO:HI, the dynamics names) that a
# first SMC stage showed to hold every feasible point, with the tolerance alone: equal weights,
# so the effective sample is the number accepted. GENS and QUANTILE are then not used.
METHOD=(--method smc)
if [ -n "${BOX:-}" ]; then
  read -ra box <<< "$BOX"
  VARY=()
  for b in "${box[@]}"; do VARY+=(--vary "dynamics.$b"); done
  METHOD=(--method rejection)
  ACCEPT=()
  [ -z "${TOLERANCE:-}" ] || ACCEPT=(--tolerance "$TOLERANCE")
fi

calibrate() {  # calibrate NAME RECORD_EVENTS POINTS GENS; fails when no point holds everything
  local ok=0
  "$SCO" calibrate "$SCEN" "$2" "${REQUIRE[@]}" "${VARY[@]}" "${ACCEPT[@]}" "${METHOD[@]}" \
    --points "$3" $([ -n "${BOX:-}" ] || echo --generations "$4") -n "$RUNS" --seed "$SEED" -q -o "$OUT/$1.h5" --force \
    --write-scenario "$OUT/$1-posterior.yaml" || ok=$?
  "$SCO" summary "$OUT/$1.h5" > "$OUT/$1-posterior.txt"
  "$SCO" summary "$OUT/$1.h5" --json > "$OUT/$1-posterior.json"
  if [ "$ok" != 0 ]; then
    echo "no point of the last generation holds every requirement: $OUT/$1-posterior.txt" \
         "counts which each generation's points failed" >&2
    return 1
  fi
  mapfile -t MEDIANS < <(medians_of "$OUT/$1.h5")
  predict "$1-medians-record" "$SCEN" "$EVENTS" "$PRED_RUNS" "${MEDIANS[@]}"
}

echo "== pattern-filtered calibration ($POINTS points x $GENS generations x $RUNS runs; 1 + 3 required pairs + 3 required comparisons on 5 pairs)"
calibrate all "$EVENTS" "$POINTS" "$GENS" || exit 1
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
    calibrate "without-$left" "$OUT/events-without-$left.yaml" "$LOCO_POINTS" "$LOCO_GENS" || true
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
