"""The reproducers of sessions 6, 7, 8 and 11's reviews (scripts/review_session6.py,
review_session7.py, review_session8.py and review_session11.py) measure the baseline as those
reviews did, not scenarios/sco2014.yaml as it stands (the session-12 port since 7b090c4):
review 6 and 7's scripts the session-6 port, review 8's the session-8 port (9b1a73a), review
11's the session-11 port (b6d4109). Each writes a copy of the baseline with that port's values
and runs that. Also the pure parts of review_session11.py (its exact test, its handling of bad
input), and review_session12.py's (its Monte Carlo homogeneity test against the exact one,
its join of the two suite seeds' filters, bad input)."""
import os
import re
import stat
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

# each port's seven calibrated values, stated here (not read from the scripts)
KEYS = ("threat_weight", "objection_cost", "remote_stake", "tension_weight", "wait_value",
        "sponsor_floor", "amendment_step")
SESSION6, SESSION8, SESSION11, SESSION12 = (dict(zip(KEYS, v)) for v in (
    (0.671, 0.0549, 0.403, 0.437, 7.95, 0.158, 0.2),      # 93b42cc
    (0.714, 0.0889, 0.276, 0.514, 8.31, 0.213, 0.141),    # 9b1a73a
    (0.702, 0.0946, 0.288, 0.522, 8.28, 0.18, 0.151),     # b6d4109
    (0.708, 0.0959, 0.279, 0.523, 8.12, 0.17, 0.15)))     # 7b090c4


@pytest.mark.parametrize("name, port, values", [
    ("review_session6", "session6_port", SESSION6),
    ("review_session7", "session6_port", SESSION6),
    ("review_session8", "session8_port", SESSION8),
    ("review_session11", "session11_port", SESSION11),
    ("review_session12", "session12_port", SESSION12)])
def test_the_reviews_run_the_port_they_reviewed(name, port, values, tmp_path):
    import importlib
    mod = importlib.import_module(name)
    path = getattr(mod, port)(tmp_path)
    assert path.name == "sco2014.yaml" and path.parent != ROOT / "scenarios"
    copy = yaml.safe_load(path.read_text())
    base = yaml.safe_load((ROOT / "scenarios" / "sco2014.yaml").read_text())
    assert {k: copy["dynamics"][k] for k in values} == values
    # nothing else differs from the baseline as it stands
    for k in values:
        copy["dynamics"].pop(k)
        base["dynamics"].pop(k)
    assert copy == base
    # the script's experiments run the copy: BASE is rebound to it before any runs
    text = (ROOT / "scripts" / f"{name}.py").read_text()
    # main() is above the guard in review_session8 and later
    guard = "\ndef main():" if "\ndef main():" in text else 'if __name__ == "__main__":'
    main = text.split(guard)[1]
    assert (re.search(rf"BASE = {port}\(pathlib\.Path\(\w+\)\)\n\s+cmds\[", main)
            or re.search(rf"run_review\(a, cmds, {port},", main))  # review_session11's runner


@pytest.mark.parametrize("name, values", [("review_session8", SESSION8),
                                          ("review_session11", SESSION11),
                                          ("review_session12", SESSION12)])
def test_the_reviews_known_answers_run_their_port(name, values, tmp_path):
    """`known`'s first run is on the pinned copy: a stand-in for sco-sim copies the scenario
    it is given and fails, and the copy holds the reviewed port's values, not the
    repository's."""
    fake = tmp_path / "fake-sco-sim"
    got = tmp_path / "scenario.yaml"
    fake.write_text(f'#!/bin/sh\ncp "$2" "{got}"\nexit 3\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / f"{name}.py"), str(fake), "known"],
                       capture_output=True, text=True, env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert p.returncode != 0 and "exited 3" in p.stderr
    run = yaml.safe_load(got.read_text())
    assert {k: run["dynamics"][k] for k in values} == values


def test_review8_runs_the_suite_on_its_base(tmp_path, monkeypatch):
    """review_session8's suite roots hold BASE's text as their sco2014.yaml (the pinned copy),
    not the repository's, when no values are given."""
    import review_session8 as r8
    pinned = r8.session8_port(tmp_path)
    monkeypatch.setattr(r8, "BASE", pinned)
    root = r8.make_root(tmp_path, None, 101)
    assert (root / "scenarios" / "sco2014.yaml").read_text() == pinned.read_text()
    assert "SEED = 101" in (root / "tests" / "python" / "test_patterns.py").read_text()


def test_review11_exact_homogeneity_test_is_fishers_on_a_2x2_and_sums_to_one():
    """review_session11.ffh_exact: on a 2 x 2 table the two-sided Fisher exact p; on the
    pooled calibration's 2 x 6 shape, the p of the most probable table is 1 and a table
    far from homogeneity is rare."""
    from scipy import stats

    import review_session11 as r11
    for k, n in (([6, 12], [43, 201]), ([0, 5], [10, 10]), ([3, 3], [7, 9])):
        p = stats.fisher_exact([[k[0], n[0] - k[0]], [k[1], n[1] - k[1]]])[1]
        assert abs(r11.ffh_exact(k, n) - p) < 1e-9
    n = [43, 47, 34, 47, 47, 26]
    assert r11.ffh_exact([3, 3, 3, 4, 3, 2], n) > 0.99
    assert r11.ffh_exact([18, 0, 0, 0, 0, 0], n) < 1e-6


def test_review11_bad_input_names_the_file_and_exits_2(tmp_path):
    import subprocess
    import sys

    f = tmp_path / "not_a_report.json"
    f.write_text("[1, 2]")
    script = ROOT / "scripts" / "review_session11.py"
    p = subprocess.run([sys.executable, str(script), "x", "spread", str(f)],
                       capture_output=True, text=True)
    assert p.returncode == 2 and str(f) in p.stderr
    p = subprocess.run([sys.executable, str(script), "x", "pool", "--cal",
                        f"2015={tmp_path}/none:{tmp_path}/none"], capture_output=True, text=True)
    assert p.returncode == 2 and "all.h5" in p.stderr and "no such file" in p.stderr


def test_review12_counts_tables_and_its_monte_carlo_test_agrees_with_the_exact_one():
    """review_session12.n_tables against brute force; ffh_mc within 4 binomial SEs of
    review_session11.ffh_exact on small tables (the draws are seeded, so it is repeatable);
    ffh_auto exact when few tables share the margins."""
    import itertools
    import math

    import review_session11 as r11
    import review_session12 as r12
    for k, n in (([1, 1], [1, 1]), ([2, 0], [2, 2]), ([3, 1, 2], [4, 5, 3]),
                 ([0, 0, 0], [5, 5, 5])):
        brute = sum(sum(x) == sum(k) for x in itertools.product(*(range(m + 1) for m in n)))
        assert r12.n_tables(k, n) == brute
    sims = 20000
    for k, n in (([6, 12], [43, 201]), ([3, 3, 3, 4, 3, 2], [43, 47, 34, 47, 47, 26]),
                 ([6, 0, 1, 1, 0, 4], [43, 47, 34, 47, 47, 26]), ([5, 1, 0], [12, 15, 14])):
        exact = r11.ffh_exact(k, n)
        mc = r12.ffh_mc(k, n, sims, seed=3)
        se = math.sqrt(max(exact * (1 - exact), 1e-4) / sims)
        assert abs(mc - exact) <= 4 * se, (k, mc, exact)
        assert r12.ffh_auto(k, n) == exact
    # a table far from homogeneity over eleven groups: rare, by Monte Carlo
    n = [43, 47, 34, 47, 47, 26, 38, 35, 36, 42, 43]
    assert r12.n_tables([20] + [0] * 10, n) > 200000
    assert r12.ffh_auto([20] + [0] * 10, n) < 1e-3
    assert r12.ffh_auto([2, 2, 1, 2, 2, 1, 2, 2, 2, 2, 2], n) > 0.9


def test_review12_p_pass_and_weighted_median():
    import numpy as np

    import review_session12 as r12
    rng = np.random.default_rng(1)
    for n in (1, 2, 5, 6, 31, 32):
        x = rng.normal(size=n)
        assert abs(r12.weighted_median(x, np.ones(n)) - np.median(x)) < 1e-12
    assert r12.weighted_median([1, 2, 3], [0, 0, 1]) == 3
    assert r12.weighted_median([1, 2, 3], [1, 0, 1]) == 2
    assert r12.weighted_median([3, 1, 2], [1, 1, 5]) == 2
    sd = {"a": 0.01, "b": 0.02}
    assert r12.p_pass({"a": 1.0, "b": 1.0}, sd) > 0.999999
    assert abs(r12.p_pass({"a": 0.0, "b": 1.0}, sd) - 0.5) < 1e-9
    assert abs(r12.p_pass({"a": 0.0, "b": 0.0}, sd) - 0.25) < 1e-9
    assert abs(r12.p_pass({"a": -0.0196, "b": 1.0}, sd) - 0.025) < 1e-3


def _calibration(tmp, seed, kept_first, kept_second, second_points=None):
    """A stage-2 file with 3 accepted points, a stage-3 state file at the suite's seed and one
    at seed 101 over the points the first kept."""
    import json

    import h5py
    import numpy as np

    import review_session8 as r8
    s2, s3, s101 = (tmp / f"{x}-{seed}" for x in ("stage2", "stage3", "stage3-101"))
    for d in (s2, s3, s101):
        d.mkdir()
    with h5py.File(s2 / "all.h5", "w") as f:
        c = f.create_group("calibration")
        c["parameters"] = np.array([n.encode() for n in r8.NAMES])
        c["accepted"] = np.array([1, 1, 1, 0], dtype=np.int8)
        c["n_feasible"] = np.array([4])
        c["prior_a"] = np.zeros(7)
        c["prior_b"] = np.ones(7)
    pts = {str(i): {"values": {n: 0.1 * (i + 1) for n in r8.NAMES}, "distance": 0.05,
                    "failed": [] if i in kept_first else ["test_s2_x"], "tests": 25}
           for i in range(3)}
    (s3 / "suite.json").write_text(json.dumps({"parameters": r8.NAMES, "points": pts,
                                               "kept": kept_first}))
    second = second_points if second_points is not None else kept_first
    p2 = {str(i): dict(pts[str(i)], failed=[] if i in kept_second else ["test_f3_y"])
          for i in second}
    (s101 / "suite.json").write_text(json.dumps({"parameters": r8.NAMES, "points": p2,
                                                 "kept": kept_second, "suite_seed": 101}))
    return f"{seed}={s2}:{s3}", f"{seed}={s101}"


def test_review12_joins_the_two_suite_seeds(tmp_path):
    import review_session12 as r12
    cal, second = _calibration(tmp_path, 2015, [0, 2], [2])
    (seed, n2, st), = r12.load_two([cal], [second])
    assert seed == 2015 and n2["accepted"] == 3
    assert st["kept"] == [2] and st["kept_first"] == [0, 2]
    assert st["points"]["0"]["failed"] == ["test_f3_y"]       # failed at 101 only
    assert st["points"]["1"]["failed"] == ["test_s2_x"]       # never run at 101
    assert st["points"]["2"]["failed"] == []


def test_review12_bad_input_names_the_file_and_exits_2(tmp_path):
    script = ROOT / "scripts" / "review_session12.py"

    def call(*args, binary="x"):
        return subprocess.run([sys.executable, str(script), binary, *args],
                              capture_output=True, text=True)
    # the second filter ran other points than the first kept
    cal, second = _calibration(tmp_path, 2016, [0, 2], [2], second_points=[1, 2])
    p = call("selects", "--cal", cal, "--second", second)
    d = second.split("=", 1)[1]
    assert p.returncode == 2 and f"{d}/suite.json" in p.stderr and "not those" in p.stderr
    # no second filter for a seed
    p = call("pool", "--cal", cal, "--second", f"2099={d}")
    assert p.returncode == 2 and "seed 2016" in p.stderr and "missing" in p.stderr
    p = call("pool", "--cal", cal, "--second", f"2016={tmp_path}/none")
    assert p.returncode == 2 and f"{tmp_path}/none/suite.json" in p.stderr
    # a report that is not one
    f = tmp_path / "not_a_report.json"
    f.write_text("{}")
    p = call("spread", str(f))
    assert p.returncode == 2 and str(f) in p.stderr
    p = call("record", "--scan", "dynamics.nothing=0:1:0.1", binary=str(f))
    assert p.returncode == 2 and "--scan" in p.stderr
    p = call("record", "--at", "1,2,3", binary=str(f))
    assert p.returncode == 2 and "--at" in p.stderr
    # no binary, for a command that runs it
    p = call("known", binary=str(tmp_path / "no-sco-sim"))
    assert p.returncode == 2 and str(tmp_path / "no-sco-sim") in p.stderr
