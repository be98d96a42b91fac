"""scripts/loco_box.py: the leave-one-category-out check of a rejection calibration
(docs/calibration.md, "Two stages"). On the pattern-filter known-answer scenario
(tests/data/calibration/filter_known_answer.yaml: plan k passes with a probability set by
objection_cost), with a record of two categories and one required fact: the script takes
exactly the calibration's feasible points, accepts the best share of them by the distance on
the categories kept, and scores the category left out at the accepted points' medians."""
import json
import math
import subprocess

import h5py
import numpy as np

from conftest import PYTHON, ROOT, sco, sco_bin, write_pass_events

SCENARIO = ROOT / "tests" / "data" / "calibration" / "filter_known_answer.yaml"
SCRIPT = ROOT / "scripts" / "loco_box.py"


def two_categories(path):
    # plans t00-t39; ids A.. for the first 20, B.. for the others (a category is the id's
    # first letter); 5 of 40 passed as in test_calibrate_filter.py
    lines = ["format: sco-sim-events/1", "name: two categories", "record: constructed",
             "events:"]
    for k in range(40):
        lines += [f"  - id: {'A' if k < 20 else 'B'}{k:02d}", "    year: 2014",
                  f"    proposal: t{k:02d}", "    confidence: high", "    source: constructed",
                  "    observed:", f"      passed: {'true' if k % 8 == 0 else 'false'}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_loco_box_takes_the_feasible_points_and_scores_the_category_left_out(tmp_path):
    events = two_categories(tmp_path / "events.yaml")
    required = write_pass_events(tmp_path / "required.yaml", [(0, False)], "t00 blocked",
                                 "constructed")
    cal = tmp_path / "cal.h5"
    sco("calibrate", SCENARIO, events, "--vary", "dynamics.objection_cost=0:0.2", "--seed", 5,
        "--method", "rejection", "--points", 40, "-n", 30, "--require",
        f"{SCENARIO}:{required}", "--tolerance", 1.0, "-o", cal, "-q")
    with h5py.File(cal, "r") as f:
        c = f["/calibration"]
        feas = (c["required_held"][...] == 1).all(axis=1)
        feasible = int(feas.sum())
        theta = c["theta"][...][:, 0]
    assert 5 < feasible < 40  # the filter cuts some points, not all
    out = tmp_path / "loco"
    p = subprocess.run([PYTHON, str(SCRIPT), str(cal), str(SCENARIO), str(events), "-o", str(out), "--runs", "30",
                        "--pred-runs", "200", "--quantile", "0.5", "--sco", sco_bin()],
                       capture_output=True, text=True, check=True)
    assert "| A |" in p.stdout and "| B |" in p.stdout, p.stdout
    r = json.loads((out / "loco.json").read_text())
    assert r["feasible"] == feasible
    assert [s["left_out"] for s in r["sets"]] == [None, "A", "B"]
    for s in r["sets"]:
        assert s["accepted"] == math.ceil(0.5 * feasible), s  # no ties in a continuous distance
        if s["left_out"] is None:
            assert 0 <= s["also_accepted_by_calibration"] <= s["accepted"]
            continue
        assert s["fit_categories"] == [x for x in "AB" if x != s["left_out"]]
        assert theta.min() <= s["medians"][0] <= theta.max()
        o = s["out_of_sample"]
        assert o["count"] == 20 and 0 <= o["brier"] <= 1, o
        # the control: the same category at the medians of every feasible point
        assert s["control"]["count"] == 20 and 0 <= s["control"]["brier"] <= 1
        assert s["control_medians"][0] == float(np.median(theta[feas]))
    # a calibration that is not a rejection one is refused
    smc = tmp_path / "smc.h5"
    sco("calibrate", SCENARIO, events, "--vary", "dynamics.objection_cost=0:0.2", "--seed", 5,
        "--method", "smc", "--generations", 2, "--points", 20, "-n", 10, "--require",
        f"{SCENARIO}:{required}", "-o", smc, "-q")
    p = subprocess.run([PYTHON, str(SCRIPT), str(smc), str(SCENARIO), str(events), "-o", str(out), "--sco", sco_bin()],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "needs a rejection calibration" in p.stderr, p.stderr
