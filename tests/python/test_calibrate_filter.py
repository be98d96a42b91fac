"""The pattern filter of `sco-sim calibrate --require` against a known answer (the fixes of
session 5's calibration attack, findings 2, 3, 5 and 7; docs/calibration.md,
"Pattern-filtered calibration").

tests/data/calibration/filter_known_answer.yaml: member BBB blocks each of 40 plans with
probability 1 / (1 + exp(20 (objection_cost - 0.08))), so "t00 is blocked" has probability
at least 0.5 exactly where objection_cost <= 0.08, and the objection cost that best explains
k passes of 40 is 0.08 + ln(k / (40 - k)) / 20.

* Finding 5: when fewer points hold the required facts than the quantile asks for, the
  old rule accepted all of them, and the events decided nothing: the posterior was the
  same for the events and for every event flipped. Now the quantile is taken of the
  feasible points, so flipping the events moves the posterior; the file and `summary`
  say per generation how many points were feasible and accepted and whether the distance
  cut any; a posterior on fewer than 30 effective points, or one the distance did not
  cut, is warned about on stderr and in the file.
* Findings 2 and 3: the default rule is the share k/n >= level (a probability-0 fact never
  holds, at any n); the old Wilson rule (`--require-rule wilson`) is refused where it is
  vacuous.
* Finding 7: a pair's own level (`--require SCENARIO:EVENTS:LEVEL`).
Fixed seeds; a few seconds of CPU.
"""
import json
import math

import h5py
import numpy as np
import pytest

from conftest import ROOT, sco, write_pass_events

SCENARIO = ROOT / "tests" / "data" / "calibration" / "filter_known_answer.yaml"
PRIOR = "dynamics.objection_cost=0:0.2"
PASSED = 5  # of 40 plans in the "record": best explained at 0.08 + ln(5/35)/20 = -0.017


def write_events(path, passed, name):
    return write_pass_events(path, passed, name, "constructed")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("filter")
    # 5 of 40 passed (spread over the plans)
    outcome = [(k, k % 8 == 0) for k in range(40)]
    assert sum(v for _, v in outcome) == PASSED
    return {
        "dir": d,
        "events": write_events(d / "events.yaml", outcome, "5 of 40 passed"),
        "flipped": write_events(d / "flipped.yaml", [(k, not v) for k, v in outcome],
                                "every event flipped"),
        "required": write_events(d / "required.yaml", [(0, False)], "plan t00 blocked"),
    }


def read(path):
    with h5py.File(path, "r") as f:
        c = f["/calibration"]
        attrs = {k: (bytes(v).decode() if isinstance(v, bytes) else v)
                 for k, v in c.attrs.items()}
        return {k: c[k][...] for k in c.keys()}, attrs


def calibrate(files, name, events, *extra, check=True):
    out = files["dir"] / f"{name}.h5"
    p = sco("calibrate", SCENARIO, events, "--vary", PRIOR, "--seed", 11, "-j", 2,
            "--method", "rejection", "-o", out, "--force", *extra, check=check)
    return out, p


def median(d):
    acc = d["accepted"] == 1
    return float(np.median(d["theta"][acc, 0]))


def test_flipping_the_events_moves_the_filtered_posterior(files):
    # 200 prior points, 60 runs; about 40% of the prior holds "t00 blocked" (<= 0.08), i.e.
    # about 80 points: the quantile 0.6 asks for 120 points, more than are feasible. Under
    # the old rule every feasible point was accepted for both data sets, and the two
    # posteriors were the same (median 0.0496 in the attack's 1,000-point run).
    req = f"{SCENARIO}:{files['required']}"
    args = ["--points", 200, "-n", 60, "--quantile", 0.6, "--require", req, "-q"]
    a, pa = calibrate(files, "data", files["events"], *args)
    b, pb = calibrate(files, "flip", files["flipped"], *args)
    da, aa = read(a)
    db, _ = read(b)
    feasible = da["required_held"].all(axis=1)
    nf = int(feasible.sum())
    assert 50 <= nf <= 110, nf  # the known answer: 40% of 200, within the sampling error
    acc_a, acc_b = da["accepted"] == 1, db["accepted"] == 1
    # the quantile is taken of the feasible points: ceil(0.6 x nf), every one feasible
    assert acc_a.sum() == acc_b.sum() == math.ceil(0.6 * nf)
    assert np.all(feasible[acc_a]) and np.all(db["required_held"].all(axis=1)[acc_b])
    # the file says so per generation
    assert list(da["n_feasible"]) == [nf] and list(da["n_feasible_accepted"]) == [acc_a.sum()]
    assert aa["require_rule"] == "share"
    # the distance decides: the events (best value -0.017, below the prior) pull the
    # posterior to the bottom of the feasible set [0, 0.08], the flipped events (35 of 40
    # passed, best value 0.177) to its top: the lower and upper 60% of [0, 0.08] have
    # medians 0.024 and 0.056
    assert not np.array_equal(da["theta"][acc_a], db["theta"][acc_b])
    assert median(db) > median(da) + 0.015, (median(da), median(db))
    assert median(da) < 0.035 and median(db) > 0.045, (median(da), median(db))
    # the summary reports feasible, accepted and the cut, and no warning (ESS >= 30)
    s = sco("summary", a).stdout
    assert f"{nf} feasible, {acc_a.sum()} accepted, the distance cut {nf - acc_a.sum()}" in s, s
    assert "WARNING" not in s and aa["warning"] == ""
    j = json.loads(sco("summary", a, "--json").stdout)
    assert j["generation"][0]["feasible"] == nf and j["generation"][0]["distance_cut"] is True
    assert j["warning"] is None and j["require_rule"] == "share"


def test_a_posterior_the_distance_did_not_cut_or_on_few_points_is_warned_about(files):
    req = f"{SCENARIO}:{files['required']}"
    # quantile 1: every feasible point accepted, the events decide nothing
    out, p = calibrate(files, "all", files["events"], "--points", 50, "-n", 40, "--quantile", 1,
                       "--require", req)
    d, a = read(out)
    assert list(d["n_feasible"]) == list(d["n_feasible_accepted"])
    assert "the distance to the events decided nothing" in p.stderr, p.stderr
    assert "ESS < 30" in p.stderr  # about 20 feasible points of 50
    assert a["warning"] in p.stderr
    s = sco("summary", out).stdout
    assert "the distance cut none" in s and "WARNING: " + a["warning"] in s
    # a quantile that cuts, but from few points: the ESS warning alone
    out, p = calibrate(files, "few", files["events"], "--points", 50, "-n", 40, "--quantile",
                       0.5, "--require", req)
    d, a = read(out)
    assert d["n_feasible_accepted"][0] < d["n_feasible"][0]
    assert "ESS < 30" in p.stderr and "decided nothing" not in p.stderr
    # without --require: 300 points at quantile 0.2 (ESS 60) warn of nothing
    out, p = calibrate(files, "free", files["events"], "--points", 300, "-n", 20, "--quantile",
                       0.2)
    d, a = read(out)
    assert p.stderr == "" and a["warning"] == ""
    # -q silences the warning on stderr; the file keeps it
    out, p = calibrate(files, "quiet", files["events"], "--points", 50, "-n", 40, "--quantile",
                       1, "--require", req, "-q")
    assert p.stderr == "" and "decided nothing" in read(out)[1]["warning"]
    assert list(d["n_feasible"]) == [300] and list(d["n_feasible_accepted"]) == [60]


def test_a_fact_of_probability_zero_never_holds_and_the_vacuous_wilson_rule_is_refused(files):
    # Deterministic choice: "t00 blocked" has probability 1 below objection_cost 0.08 and 0
    # above. Under the old rule (Wilson upper end reaches 0.5) it held everywhere with 1-3
    # runs (the attack's finding 3: 244 of 244 points above 0.08 "held" it).
    det = files["dir"] / "det.yaml"
    det.write_text(SCENARIO.read_text().replace("choice: logit", "choice: deterministic"))
    req = f"{det}:{files['required']}"
    for n in (1, 2, 3):
        out, _ = calibrate(files, f"det{n}", files["events"], "--points", 80, "-n", n,
                           "--require", req, "-q")
        d, _ = read(out)
        c = d["theta"][:, 0]
        held = d["required_held"][:, 0] == 1
        away = np.abs(c - 0.08) > 1e-3
        assert np.array_equal(held[away], c[away] < 0.08), n
        assert (c > 0.081).sum() > 20  # there are such points to fail
    # the old rule is still there, and refused where it is vacuous (n <= 3 at level 0.5,
    # n <= 72 at 0.05: the Wilson interval of 0 of n reaches the level)
    for n, level in ((3, 0.5), (72, 0.05)):
        _, p = calibrate(files, "vac", files["events"], "--points", 10, "-n", n, "--require",
                         req, "--require-rule", "wilson", "--require-level", level, check=False)
        assert p.returncode == 2, p.stderr
        assert ("every required observation holds under --require-rule wilson" in p.stderr
                and f"give -n {4 if level == 0.5 else 73} or more" in p.stderr
                and "--require-rule share" in p.stderr), p.stderr
    out, _ = calibrate(files, "wil4", files["events"], "--points", 40, "-n", 4, "--require", req,
                       "--require-rule", "wilson", "-q")
    d, a = read(out)
    assert a["require_rule"] == "wilson"
    assert not d["required_held"][d["theta"][:, 0] > 0.081].any()
    _, p = calibrate(files, "badrule", files["events"], "--require", req, "--require-rule", "x",
                     check=False)
    assert p.returncode == 2 and "unknown --require-rule 'x'" in p.stderr


def test_a_required_pair_can_have_its_own_level(files):
    # fact 1's halves are claimed at 95% by the pattern test: --require SC:EV:0.95
    out, _ = calibrate(files, "lvl", files["events"], "--points", 60, "-n", 40, "--require",
                       f"{SCENARIO}:{files['required']}:0.95", "--require",
                       f"{SCENARIO}:{files['required']}", "--quantile", 0.5, "-q")
    d, a = read(out)
    assert a["require_level"] == 0.5
    assert list(d["required_level"]) == [0.95, 0.5]
    k = np.rint(d["required_p"] * 40)
    assert np.array_equal(d["required_held"][:, 0] == 1, k[:, 0] >= 38)
    assert np.array_equal(d["required_held"][:, 1] == 1, k[:, 1] >= 20)
    assert (d["required_held"][:, 1] > d["required_held"][:, 0]).any()  # the level matters
    assert "0.95 for the pair of" in sco("summary", out).stdout
    for bad in ("1.5", "0"):
        _, p = calibrate(files, "badlvl", files["events"], "--require",
                         f"{SCENARIO}:{files['required']}:{bad}", check=False)
        assert p.returncode == 2 and "must be in (0, 1)" in p.stderr, p.stderr


def test_the_mode_rule_is_the_share_rule_at_one_half_for_one_observation(files):
    # Session 7: `--require-rule mode` holds an event when its observed pattern is the most
    # frequent pattern of its observations in the point's runs. An event of one binary
    # observation has two patterns, so mode is k >= n - k: the share rule at 0.5, point by
    # point on the same runs (same seed). Multi-observation events: tests/experiment.
    req = f"{SCENARIO}:{files['required']}"
    share, _ = calibrate(files, "share", files["events"], "--points", 80, "-n", 30,
                         "--require", req, "-q")
    mode, _ = calibrate(files, "mode", files["events"], "--points", 80, "-n", 30,
                        "--require", req, "--require-rule", "mode", "-q")
    ds, _ = read(share)
    dm, am = read(mode)
    assert am["require_rule"] == "mode"
    assert np.array_equal(ds["required_held"], dm["required_held"])
    assert 0 < dm["required_held"].sum() < 80  # the rule cuts some points, not all
    assert "most frequent pattern" in sco("summary", mode).stdout
    # no global level under mode; a pair's own level is the share rule at it for that pair
    _, p = calibrate(files, "modelvl", files["events"], "--require", req, "--require-rule",
                     "mode", "--require-level", "0.6", check=False)
    assert p.returncode == 2 and "does not apply to --require-rule mode" in p.stderr, p.stderr
    own, _ = calibrate(files, "modeown", files["events"], "--points", 80, "-n", 30, "--require",
                       req + ":0.9", "--require", req, "--require-rule", "mode", "-q")
    do, ao = read(own)
    k = np.rint(do["required_p"] * 30)
    assert ao["require_rule"] == "mode" and list(do["required_level"]) == [0.9, 0.5]
    assert np.array_equal(do["required_held"][:, 0] == 1, k[:, 0] >= 27)
    assert np.array_equal(do["required_held"][:, 1] == 1, k[:, 1] >= 15)
    assert (do["required_held"][:, 1] > do["required_held"][:, 0]).any()
    assert "the share reaching 0.9 for the pair of" in sco("summary", own).stdout
    _, p = calibrate(files, "qt", files["events"], "--quantile", 0.2, "--tolerance", 0.1,
                     check=False)
    assert p.returncode == 2 and "both only with --method smc" in p.stderr, p.stderr
    out = files["dir"] / "qt-smc.h5"
    p = sco("calibrate", SCENARIO, files["events"], "--vary", PRIOR, "--seed", 11, "-j", 2,
            "--method", "smc", "--generations", 2, "--points", 40, "-n", 20, "--quantile", 0.2,
            "--tolerance", 1.0, "-o", out, "--force", "-q")
    d, a = read(out)
    assert a["quantile"] == 0.2 and a["tolerance"] == 1.0
    gen = d["point_generation"]
    # generation 0 kept its quantile (8 of 40); the last every point within the tolerance
    assert (d["accepted"][gen == 0] == 1).sum() == 8
    assert (d["accepted"][gen == 1] == 1).sum() == 40


def test_the_floor_asks_the_mode_for_a_share_too(files):
    # Review 7, finding 4: under the mode rule a required event also needs its observed
    # pattern's share to reach --require-floor (none by default: the verdicts above). One
    # observation (t00 blocked) in 30 runs: a mode from 15, and with the floor 0.7 from 21.
    req = f"{SCENARIO}:{files['required']}"
    floor, _ = calibrate(files, "floor", files["events"], "--points", 80, "-n", 30,
                         "--require", req, "--require-rule", "mode", "--require-floor", "0.7",
                         "-q")
    d, a = read(floor)
    k = np.rint(d["required_p"][:, 0] * 30)
    assert a["require_rule"] == "mode" and a["require_floor"] == 0.7
    assert np.array_equal(d["required_held"][:, 0] == 1, k >= 21)
    assert ((k >= 15) & (k < 21)).any()  # the floor cut modes
    assert "and its share at least 0.7" in sco("summary", floor).stdout
    mode, _ = calibrate(files, "mode", files["events"], "--points", 80, "-n", 30,
                        "--require", req, "--require-rule", "mode", "-q")
    dm, am = read(mode)
    assert am["require_floor"] == 0  # none
    assert np.array_equal(dm["required_held"][:, 0] == 1, k >= 15)  # the same runs (seed)
    for extra, msg in [(["--require-floor", "0.7"], "applies to --require-rule mode"),
                       (["--require-rule", "mode", "--require-floor", "0"], "in (0, 1]"),
                       (["--require-rule", "mode", "--require-floor", "1.5"], "in (0, 1]")]:
        _, p = calibrate(files, "bad", files["events"], "--require", req, *extra, check=False)
        assert p.returncode == 2 and msg in p.stderr, (extra, p.stderr)
