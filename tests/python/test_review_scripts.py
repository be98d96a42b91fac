"""The reproducers of sessions 6, 7, 8 and 11's reviews (scripts/review_session6.py,
review_session7.py, review_session8.py and review_session11.py) measure the baseline as those
reviews did, not scenarios/sco2014.yaml as it stands (the session-12 port since 7b090c4):
review 6 and 7's scripts the session-6 port, review 8's the session-8 port (9b1a73a), review
11's the session-11 port (b6d4109). Each writes a copy of the baseline with that port's values
and runs that. Also the pure parts of review_session11.py (its exact test, its handling of bad
input)."""
import os
import re
import stat
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

SESSION6 = {"threat_weight": 0.671, "objection_cost": 0.0549, "remote_stake": 0.403,
            "tension_weight": 0.437, "wait_value": 7.95, "sponsor_floor": 0.158,
            "amendment_step": 0.2}
SESSION8 = {"threat_weight": 0.714, "objection_cost": 0.0889, "remote_stake": 0.276,
            "tension_weight": 0.514, "wait_value": 8.31, "sponsor_floor": 0.213,
            "amendment_step": 0.141}
SESSION11 = {"threat_weight": 0.702, "objection_cost": 0.0946, "remote_stake": 0.288,
             "tension_weight": 0.522, "wait_value": 8.28, "sponsor_floor": 0.18,
             "amendment_step": 0.151}


@pytest.mark.parametrize("name, port, values", [
    ("review_session6", "session6_port", SESSION6),
    ("review_session7", "session6_port", SESSION6),
    ("review_session8", "session8_port", SESSION8),
    ("review_session11", "session11_port", SESSION11)])
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
    main = text.split("\ndef main():" if "\ndef main():" in text else 'if __name__ == "__main__":')[1]
    assert re.search(rf"(r8\.)?BASE = {port}\(pathlib\.Path\(\w+\)\)\n\s+cmds\[", main)


@pytest.mark.parametrize("name, values", [("review_session8", SESSION8),
                                          ("review_session11", SESSION11)])
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
