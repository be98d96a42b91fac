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
. scripts/lib.sh
PY=$(sco_python)
SCO=${SCO_SIM_BIN:-build/bin/sco-sim}
OUT=${1:-results/calibration-joint}
BASE=scenarios/sco2014.yaml
FACTS=scenarios/history/facts_2014.yaml
SCEN=scenarios/history/sco2001.yaml
EVENTS=scenarios/history/events_2001_2013.yaml
POINTS=${POINTS:-400} GENS=${GENS:-4} RUNS=${RUNS:-100}
LOCO_POINTS=${LOCO_POINTS:-200} LOCO_GENS=${LOCO_GENS:-3} LOCO_RUNS=${LOCO_RUNS:-100}
PRED_RUNS=${PRED_RUNS:-4000}
[ -x "$SCO" ] || { echo "error: $SCO not found; run ./scripts/quickstart.sh or build first" >&2; exit 2; }
mkdir -p "$OUT"

# The six weights of calibrate_record.sh. threat_weight's prior is widened from U(0, 2) to
# U(0, 4): the record-only posterior sat at 2, its edge. wait_value keeps U(0, 10), its whole
# plausible span, and the docs report whether the joint data identify it.
VARY=(--vary dynamics.threat_weight=0:4 --vary dynamics.objection_cost=0:1
      --vary dynamics.remote_stake=0:1 --vary dynamics.tension_weight=0:3
      --vary dynamics.wait_value=0:10 --vary dynamics.sponsor_floor=0:1)

subset() {  # subset OUT.yaml KEEP_CATEGORIES...
  "$PY" - "$EVENTS" "$@" <<'EOF'
import sys, yaml
src, out, keep = sys.argv[1], sys.argv[2], set(sys.argv[3:])
d = yaml.safe_load(open(src))
d["events"] = [e for e in d["events"] if e.get("category", e["id"][0].upper()) in keep]
d["name"] = f"{d['name']} (categories {', '.join(sorted(keep))})"
yaml.safe_dump(d, open(out, "w"), sort_keys=False)
EOF
}

# The posterior of a --write-scenario output as --set arguments for another scenario.
sets_of() {  # sets_of POSTERIOR.yaml
  "$PY" - "$1" <<'EOF'
import json, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))["dynamics"]
for k in ("threat_weight", "objection_cost", "remote_stake", "tension_weight", "wait_value",
          "sponsor_floor"):
    print(f"--set=dynamics.{k}={json.dumps(d[k], separators=(',', ':'))}")
EOF
}

calibrate() {  # calibrate NAME RECORD_EVENTS POINTS GENS RUNS
  "$SCO" calibrate "$BASE" "$FACTS" --also "$SCEN:$2" "${VARY[@]}" --method smc --points "$3" \
    --generations "$4" -n "$5" --seed 2014 -q -o "$OUT/$1.h5" --force \
    --write-scenario "$OUT/$1-posterior.yaml"
  mapfile -t SETS < <(sets_of "$OUT/$1-posterior.yaml")
  "$SCO" run "$OUT/$1-posterior.yaml" -n "$PRED_RUNS" --seed 2013 --summary-only -q \
    -o "$OUT/$1-run2014.h5" --force
  "$SCO" score "$OUT/$1-run2014.h5" "$FACTS" --json > "$OUT/$1-score-facts.json"
  "$SCO" run "$SCEN" "${SETS[@]}" -n "$PRED_RUNS" --seed 2013 --summary-only -q \
    -o "$OUT/$1-run2001.h5" --force
  "$SCO" score "$OUT/$1-run2001.h5" "$EVENTS" --json > "$OUT/$1-score-record.json"
}

echo "== joint calibration ($POINTS points x $GENS generations x $RUNS runs x 2 pairs)"
calibrate all "$EVENTS" "$POINTS" "$GENS" "$RUNS"
"$SCO" summary "$OUT/all.h5" > "$OUT/all-posterior.txt"
"$SCO" run "$BASE" -n "$PRED_RUNS" --seed 2013 --summary-only -q -o "$OUT/hand-run2014.h5" --force
"$SCO" score "$OUT/hand-run2014.h5" "$FACTS" --json > "$OUT/hand-score-facts.json"
"$PY" scripts/plot_posterior.py "$OUT/all.h5" -o "$OUT/posterior.png"
if [ "${SKIP_LOCO:-0}" != 1 ]; then
  for keep in "A C:B" "B C:A"; do
    cats=${keep%%:*}; left=${keep##*:}
    echo "== leaving out category $left of the record ($LOCO_POINTS x $LOCO_GENS x $LOCO_RUNS)"
    subset "$OUT/events-without-$left.yaml" $cats
    calibrate "without-$left" "$OUT/events-without-$left.yaml" "$LOCO_POINTS" "$LOCO_GENS" "$LOCO_RUNS"
  done
fi

"$PY" - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]
def s(name):
    return json.load(open(f"{out}/{name}.json"))
def row(label, sc):
    sk = sc["skill"]
    return (f"{label:<52} {sc['brier']:.4f} {sc['log_score']:.4f} {sc['brier_base']:.4f} "
            f"{'-' if sk is None else format(sk, '.3f'):>7}")
print(f"{'scored set':<52} brier    log      brier_b  skill")
print(row("hand values (sco2014.yaml), facts", s("hand-score-facts")["scores"]))
print(row("joint posterior, facts (in sample)", s("all-score-facts")["scores"]))
r = s("all-score-record")
print(row("joint posterior, record (in sample)", r["scores"]))
for c, sc in sorted(r["categories"].items()):
    print(row(f"  category {c}", sc))
for left in ("B", "A"):
    f = f"{out}/without-{left}-score-record.json"
    if os.path.exists(f):
        print(row(f"fit without {left}, record category {left} (out of sample)",
                  s(f"without-{left}-score-record")["categories"][left]))
EOF
echo "wrote $OUT/"
