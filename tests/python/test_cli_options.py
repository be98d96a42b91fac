"""The command line's own rules: a parameter path given twice to --set (or to --set and
--vary) is refused (docs/cli.md, "run" and "sweep")."""
import re

import pytest

from conftest import ROOT, SMALL, sco

BAD = ROOT / "tests" / "data" / "bad"
EVENTS = ROOT / "tests" / "data" / "events" / "small_events.yaml"


# ---- a path given twice ----

def refused(*args):
    p = sco(*args, check=False)
    assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
    assert "Assertion" not in p.stderr and "what():" not in p.stderr
    return p.stderr


@pytest.mark.parametrize("command", ["check", "params", "run"])
def test_a_set_path_given_twice_is_refused(command, tmp_path):
    """A repeated key in a scenario file is an error; so is a repeated --set path, which
    used to keep the last value silently. Spaces around the path do not make another."""
    extra = ["-o", tmp_path / "r.h5", "-n", 2] if command == "run" else []
    err = refused(command, SMALL, "--set", "dynamics.wait_value=3", "--set",
                  "dynamics.rounds=2", "--set", " dynamics.wait_value =4", *extra)
    assert ("--set: dynamics.wait_value: is given twice (--set dynamics.wait_value=3, then "
            "--set  dynamics.wait_value =4); give each path once") in err, err
    assert not (tmp_path / "r.h5").exists()


def test_different_set_paths_are_fine():
    out = sco("params", SMALL, "--set", "dynamics.wait_value=3", "--set",
              "dynamics.rounds=2").stdout
    assert re.search(r"^dynamics\.wait_value\s+3\s", out, re.M)
    assert re.search(r"^dynamics\.rounds\s+2\s", out, re.M)


def test_sweep_refuses_a_path_both_set_and_varied(tmp_path):
    err = refused("sweep", SMALL, "--vary", "dynamics.wait_value=0:4:2", "--set",
                  "dynamics.wait_value=3", "-n", 2, "-q", "-o", tmp_path / "s.h5")
    assert ("--vary: dynamics.wait_value: is also fixed by --set dynamics.wait_value=3; a path "
            "is either fixed (--set) or varied, not both") in err, err
    # twice in --vary, and twice in --set, are refused too
    err = refused("sweep", SMALL, "--vary", "dynamics.wait_value=0:4:2", "--vary",
                  "dynamics.wait_value=1,2", "-n", 2, "-q", "-o", tmp_path / "s.h5")
    assert "--vary: dynamics.wait_value: is varied twice" in err, err
    err = refused("sweep", SMALL, "--vary", "dynamics.wait_value=0:4:2", "--set",
                  "dynamics.rounds=2", "--set", "dynamics.rounds=3", "-n", 2, "-q", "-o",
                  tmp_path / "s.h5")
    assert "--set: dynamics.rounds: is given twice" in err, err
    assert not list(tmp_path.iterdir())


def test_a_sweep_file_path_fixed_by_set_is_refused_naming_the_file(tmp_path):
    """sweep_valid.yaml varies agents.UZB.sovereignty (line 7)."""
    err = refused("sweep", "--file", BAD / "sweep_valid.yaml", "--set",
                  "agents.UZB.sovereignty=0.5", "-q", "-o", tmp_path / "s.h5")
    assert re.search(r"sweep_valid\.yaml:7:1: agents\.UZB\.sovereignty: is also fixed by "
                     r"--set agents\.UZB\.sovereignty=0\.5", err), err


def test_calibrate_refuses_a_path_both_set_and_varied(tmp_path):
    err = refused("calibrate", SMALL, EVENTS, "--vary", "dynamics.wait_value=0:4", "--set",
                  "dynamics.wait_value=3", "--points", 2, "-n", 2, "-q", "-o", tmp_path / "c.h5")
    assert "--vary: dynamics.wait_value: is also fixed by --set dynamics.wait_value=3" in err, err
    err = refused("calibrate", SMALL, EVENTS, "--vary", "dynamics.wait_value=0:4", "--set",
                  "dynamics.rounds=2", "--set", "dynamics.rounds=2", "--points", 2, "-n", 2,
                  "-q", "-o", tmp_path / "c.h5")
    assert "--set: dynamics.rounds: is given twice" in err, err
