"""scripts/make_synthetic.py N OUT.yaml: the synthetic scenario of the 1,000-agent memory
benchmark (issue 13 item 1) loads, runs and reads back, and is the same file every time.

ctest sets SCO_SIM_BIN (the built binary), SCO_ROOT and SCO_PYTHON (/usr/bin/python3).
"""
import re
import subprocess

import h5py
import numpy as np
import pytest

from conftest import PYTHON, ROOT, sco

GEN = ROOT / "scripts" / "make_synthetic.py"


def generate(out, n, *extra):
    return subprocess.run([PYTHON, str(GEN), str(n), str(out), *map(str, extra)],
                          capture_output=True, text=True, timeout=120)


def test_the_scenario_loads_runs_and_reads_back(tmp_path):
    scen = tmp_path / "n30.yaml"
    p = generate(scen, 30)
    assert p.returncode == 0, p.stderr
    out = sco("check", scen).stdout
    assert f"{scen}: OK" in out
    assert re.search(r"agents\s+30\b", out), out
    assert re.search(r"agenda\s+6 proposals", out), out
    assert re.search(r"summits\s+6\b", out), out
    res = tmp_path / "n30.h5"
    sco("run", scen, "-n", 40, "--seed", 3, "-j", 2, "-o", res)
    with h5py.File(res, "r") as f:
        agents = [a.decode() for a in f["labels/agents"][()]]
        assert len(agents) == 30 and agents[:2] == ["AAA", "AAB"]
        assert f.attrs["runs"] == 40
        outcome = f["runs/outcome"][()]
        assert outcome.shape == (40, 6, 6)
        # Proposals are tabled and decided: not every cell is "not tabled", and runs differ.
        counts = f["summary/raw/outcome_counts"][()]
        assert counts.sum() == 40 * 6 * 6
        assert len(np.unique(outcome.reshape(40, -1), axis=0)) > 1


def test_summary_only_runs_too(tmp_path):
    scen = tmp_path / "n12.yaml"
    assert generate(scen, 12, "--periods", 2, "--proposals", 3).returncode == 0
    res = tmp_path / "n12.h5"
    sco("run", scen, "-n", 20, "--summary-only", "-o", res)
    with h5py.File(res, "r") as f:
        assert "runs" not in f
        assert f["summary/raw/outcome_counts"][()].shape[1:3] == (2, 3)


def test_the_same_arguments_give_the_same_file_and_the_seed_changes_it(tmp_path):
    a, b, c = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    for path, extra in ((a, ()), (b, ()), (c, ("--seed", 2))):
        assert generate(path, 50, *extra).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    # The same text as the scaling study's generator with the defaults this one documents.
    d = tmp_path / "d.yaml"
    subprocess.run([PYTHON, str(ROOT / "scripts" / "make_synthetic_scenario.py"), "--agents", "50",
                    "--proposals", "6", "--periods", "6", "--seed", "1", "-o", str(d)],
                   check=True, timeout=120)
    assert a.read_bytes() == d.read_bytes()


@pytest.mark.parametrize("n", [1, 0, 5000])
def test_an_impossible_size_is_refused(tmp_path, n):
    out = tmp_path / "bad.yaml"
    p = generate(out, n)
    assert p.returncode == 2
    assert "error:" in p.stderr
    assert not out.exists()
