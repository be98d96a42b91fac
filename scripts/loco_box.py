#!/usr/bin/env python3
"""Leave one category of the record out of a rejection calibration (issue 12, item 6;
docs/calibration.md, "Two stages", "Leaving one category out").

In a rejection calibration with required pairs, which points are feasible does not depend on
the record: the filters decide it. Leaving a category of the record out therefore changes only
the distance that ranks the feasible points. This script takes the feasible points of a
`sco-sim calibrate --method rejection --tolerance T` file, runs the period scenario at each of
them, and for each category L of the record:

1. accepts the feasible points whose debiased Brier score on the OTHER categories is at most
   (1 - SKILL) times those categories' base-rate Brier score (the same skill criterion as the
   calibration's tolerance on the whole record: 0.0705 = 0.4 x 0.1763);
2. takes the accepted points' medians (equal weights: rejection) and runs the scenario there
   (PRED_RUNS runs);
3. scores category L alone, out of sample;
4. scores it too at the medians of ALL the feasible points (the control: the filters alone,
   none of the record; review session 7, finding 1). A fit that does not beat the control
   has learnt nothing about L from the other categories.

It also repeats step 1 on the whole record, to show how well these runs (another seed) agree
with the calibration's own acceptance.

    loco_box.py CALIBRATION.h5 SCENARIO EVENTS -o OUTDIR [--runs 60] [--pred-runs 4000]
                [--skill 0.6 | --quantile Q] [--seed 2013] [--sco build/bin/sco-sim]

With --quantile Q the best share Q of the feasible points by the fit set's distance is
accepted instead (a fit set without the exercises has a base rate so low that no point
reaches skill 0.6 on it).

Writes OUTDIR/loco.json and prints a markdown table. Cost: (feasible points x RUNS + 4 x
PRED_RUNS) runs of SCENARIO, and PRED_RUNS more per category for the control.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

import h5py
import numpy as np
import yaml


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def run_and_score(sco, scenario, events, sets, runs, seed, out):
    cmd = [sco, "run", scenario, *sets, "-n", str(runs), "--seed", str(seed), "--summary-only",
           "-q", "-o", str(out), "--force"]
    subprocess.run(cmd, check=True)
    p = subprocess.run([sco, "score", str(out), str(events), "--json"], check=True,
                       capture_output=True, text=True)
    return json.loads(p.stdout)


def debiased(obs, n):
    """The calibration's distance: sum w [(p - y)^2 - p (1 - p) / (n - 1)] / sum w."""
    w = np.array([o["weight"] for o in obs])
    p = np.array([o["p"] for o in obs])
    y = np.array([1.0 if o["observed"] else 0.0 for o in obs])
    return float(np.sum(w * ((p - y) ** 2 - p * (1 - p) / (n - 1))) / np.sum(w))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("calibration")
    ap.add_argument("scenario")
    ap.add_argument("events")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--pred-runs", type=int, default=4000)
    ap.add_argument("--skill", type=float, default=0.6)
    ap.add_argument("--quantile", type=float, default=None,
                    help="accept the best QUANTILE of the feasible points by the fit set's "
                    "distance instead of the skill criterion (for a fit set on which no point "
                    "reaches SKILL)")
    ap.add_argument("--seed", type=int, default=2013)
    ap.add_argument("--sco", default=os.environ.get("SCO_SIM_BIN", "build/bin/sco-sim"))
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    with h5py.File(a.calibration, "r") as f:
        c = f["/calibration"]
        method = text(c.attrs["method"])
        if method != "rejection":
            sys.exit(f"error: {a.calibration}: method {method}; this check needs a rejection "
                     "calibration (equal weights)")
        names = [text(x) for x in c["parameters"][...]]
        theta = c["theta"][...]
        held = c["required_held"][...] if "required_held" in c else None
        accepted = c["accepted"][...] == 1
    if held is None:
        sys.exit(f"error: {a.calibration} has no required pairs; every point is feasible")
    feasible = np.flatnonzero((held == 1).all(axis=1))
    print(f"{len(feasible)} feasible points of {len(theta)}; {int(accepted.sum())} accepted by "
          "the calibration", file=sys.stderr)

    # every event's category, and one events file per fit set (all but L) and per L
    ev = yaml.safe_load(open(a.events))
    cats = sorted({e.get("category", e["id"][0].upper()) for e in ev["events"]})

    def subset(keep, name):
        d = dict(ev)
        d["events"] = [e for e in ev["events"] if e.get("category", e["id"][0].upper()) in keep]
        d["name"] = f"{ev['name']} (categories {', '.join(sorted(keep))})"
        path = out / name
        yaml.safe_dump(d, open(path, "w"), sort_keys=False)
        return path

    def sets_of(values):
        return [f"--set={n}={v:.3g}" for n, v in zip(names, values)]

    # the runs at every feasible point, scored on the whole record
    per_point = []
    for k, i in enumerate(feasible):
        sc = run_and_score(a.sco, a.scenario, a.events,
                           [f"--set={n}={v!r}" for n, v in zip(names, theta[i])], a.runs,
                           a.seed, out / "point.h5")
        per_point.append(sc["observations"])
        if (k + 1) % 20 == 0:
            print(f"  {k + 1} of {len(feasible)} points run", file=sys.stderr)

    # the base-rate Brier score of each fit set (it does not depend on the point)
    base = {}
    for keep in [tuple(cats)] + [tuple(x for x in cats if x != L) for L in cats]:
        path = subset(set(keep), f"events-{''.join(keep)}.yaml")
        sc = run_and_score(a.sco, a.scenario, path, [], 10, a.seed, out / "base.h5")
        base[keep] = sc["scores"]["brier_base"]

    result = {"calibration": str(a.calibration), "feasible": int(len(feasible)),
              "quantile": a.quantile,
              "calibration_accepted": int(accepted.sum()), "runs": a.runs, "skill": a.skill,
              "seed": a.seed, "pred_runs": a.pred_runs, "parameters": names, "sets": []}
    rows = []
    # the control (review session 7, finding 1): the category scored at the medians of ALL
    # feasible points, chosen by the filters alone without any of the record; a fit that
    # does not beat it has learnt nothing from the other categories
    control_med = np.median(theta[feasible], axis=0)
    for L in [None] + cats:
        keep = tuple(x for x in cats if x != L)
        d = np.array([debiased([o for o in obs if o["category"] in keep], a.runs)
                      for obs in per_point])
        if a.quantile is None:
            tol = (1 - a.skill) * base[keep]
        else:  # the distance of the ceil(Q x feasible)-th best point
            tol = float(np.sort(d)[max(int(np.ceil(a.quantile * len(d))), 1) - 1])
        acc = feasible[d <= tol]
        entry = {"left_out": L, "fit_categories": list(keep), "tolerance": tol,
                 "accepted": int(len(acc))}
        if L is None:
            agree = int(np.sum(accepted[acc]))
            entry["also_accepted_by_calibration"] = agree
            rows.append(f"| none (whole record) | {tol:.4f} | {len(acc)} | - | - | - | - | "
                        f"{agree} of them accepted by the calibration too |")
        elif len(acc) == 0:
            rows.append(f"| {L} | {tol:.4f} | 0 | - | - | - | - | no point accepted |")
        else:
            med = np.median(theta[acc], axis=0)
            entry["medians"] = [float(x) for x in med]
            path = subset({L}, f"events-only-{L}.yaml")
            sc = run_and_score(a.sco, a.scenario, path, sets_of(med), a.pred_runs, a.seed,
                               out / f"pred-without-{L}.h5")
            s = sc["scores"]
            entry["out_of_sample"] = s
            ctl = run_and_score(a.sco, a.scenario, path, sets_of(control_med), a.pred_runs,
                                a.seed, out / f"control-{L}.h5")["scores"]
            entry["control"] = ctl
            entry["control_medians"] = [float(x) for x in control_med]

            def sk(x):
                return "undefined" if x is None else f"{x:.3f}"
            rows.append(f"| {L} | {tol:.4f} | {len(acc)} | {s['brier']:.4f} | "
                        f"{s['brier_base']:.4f} | {sk(s['skill'])} | {ctl['brier']:.4f} "
                        f"({sk(ctl['skill'])}) | medians " + ", ".join(f"{x:.3g}" for x in med)
                        + " |")
        result["sets"].append(entry)
    json.dump(result, open(out / "loco.json", "w"), indent=1)
    print("| left out | tolerance (fit set) | accepted | Brier on it (out of sample) | "
          "base-rate Brier | skill | control: Brier (skill) at the feasible medians | note |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
