# Shared by scripts/calibrate_record.sh, calibrate_joint.sh and calibrate_pom.sh (issue 12,
# item 6; docs/calibration.md); source it from the repository's root, do not run it.
#
# Sets PY, SCO and the data files; gives the six calibrated weights (CALIB_WEIGHTS, and
# calib_vary for their --vary list), events subsets (subset), the posterior as --set
# arguments (sets_of: distributions; medians_of: fixed posterior medians), one posterior-
# predictive step (predict) and the score table (score_rows).

. scripts/lib.sh
PY=$(sco_python)
SCO=${SCO_SIM_BIN:-build/bin/sco-sim}
BASE=scenarios/sco2014.yaml                     # the 2014 baseline
FACTS=scenarios/history/facts_2014.yaml         # its stylized facts as observations
SCEN=scenarios/history/sco2001.yaml             # the period 2001-2013
EVENTS=scenarios/history/events_2001_2013.yaml  # the record
[ -x "$SCO" ] || { echo "error: $SCO not found; run ./scripts/quickstart.sh or build first" >&2; exit 2; }

# The six behavioural weights set by hand before issue 12 (calibration.md, section 2, and
# "What is calibrated"). military_weight and logit_precision stay fixed: each scales the same
# utility comparison as threat_weight and objection_cost, so only one of each pair is
# identified (calibration.md, "What the recovery test shows").
CALIB_WEIGHTS=(threat_weight objection_cost remote_stake tension_weight wait_value sponsor_floor)

# calib_vary THREAT_HI: sets VARY to the six wide uniform priors; threat_weight's upper end is
# the argument (2 in the record-only calibration, 4 since its posterior sat at 2).
calib_vary() {
  VARY=(--vary "dynamics.threat_weight=0:$1" --vary dynamics.objection_cost=0:1
        --vary dynamics.remote_stake=0:1 --vary dynamics.tension_weight=0:3
        --vary dynamics.wait_value=0:10 --vary dynamics.sponsor_floor=0:1)
}

# Events of some categories only (the event's `category:`, else its id's first letter).
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
  "$PY" - "$1" "${CALIB_WEIGHTS[@]}" <<'EOF'
import json, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))["dynamics"]
for k in sys.argv[2:]:
    print(f"--set=dynamics.{k}={json.dumps(d[k], separators=(',', ':'))}")
EOF
}

# The posterior medians of a calibration file as --set arguments (fixed values).
medians_of() {  # medians_of CALIBRATION.h5
  "$PY" - "$1" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    c = f["/calibration"]
    for p, m in zip(c["parameters"][...], c["posterior_median"][...]):
        p = p.decode() if isinstance(p, bytes) else p
        print(f"--set={p}={m:.4g}")
EOF
}

# One posterior-predictive step: RUNS runs of SCENARIO (with any --set arguments after it),
# scored against EVENTS into OUT/NAME-score.json (the runs in OUT/NAME-run.h5).
predict() {  # predict NAME SCENARIO EVENTS RUNS [--set=... ...]
  local name=$1 scen=$2 events=$3 runs=$4
  shift 4
  "$SCO" run "$scen" "$@" -n "$runs" --seed 2013 --summary-only -q -o "$OUT/$name-run.h5" --force
  "$SCO" score "$OUT/$name-run.h5" "$events" --json > "$OUT/$name-score.json"
}

# The score table: one row per LABEL=NAME (OUT/NAME-score.json); a NAME ending in '+' also
# prints its categories, one ending in ':C' only category C.
score_rows() {  # score_rows LABEL=NAME ...
  "$PY" - "$OUT" "$@" <<'EOF'
import json, os, sys
out = sys.argv[1]
def row(label, sc):
    sk = sc["skill"]
    return (f"{label:<56} {sc['brier']:.4f} {sc['log_score']:.4f} {sc['brier_base']:.4f} "
            f"{'-' if sk is None else format(sk, '.3f'):>7}")
print(f"{'scored set':<56} brier    log      brier_b  skill")
for arg in sys.argv[2:]:
    label, name = arg.split("=", 1)
    cats, cat = name.endswith("+"), None
    name = name.rstrip("+")
    if ":" in name:
        name, cat = name.split(":")
    f = f"{out}/{name}-score.json"
    if not os.path.exists(f):
        continue
    s = json.load(open(f))
    print(row(label, s["categories"][cat] if cat else s["scores"]))
    if cats:
        for c, sc in sorted(s["categories"].items()):
            print(row(f"  category {c}", sc))
EOF
}
