"""scripts/make_synthetic_scenario.py writes valid scenarios of any size: the scaling study's
scenarios (`bench.sh --scaling`) and the 1,000-agent memory benchmark's (`bench.sh
--agents-memory`: 6 proposals, 6 summits, seed 1).

ctest sets SCO_SIM_BIN (the built binary) and SCO_ROOT (the repository root).
"""
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import ROOT, sco

GEN = ROOT / "scripts" / "make_synthetic_scenario.py"


def generate(tmp_path, agents, proposals, periods, seed=1, name=None):
    out = tmp_path / (name or f"syn_{agents}_{proposals}_{periods}_{seed}.yaml")
    subprocess.run([sys.executable, str(GEN), "--agents", str(agents), "--proposals",
                    str(proposals), "--periods", str(periods), "--seed", str(seed), "-o", str(out)],
                   check=True, capture_output=True, text=True, timeout=120)
    return out


@pytest.mark.parametrize("agents,proposals,periods", [
    (2, 1, 1),      # the smallest scenario: two members, one proposal, one summit
    (5, 5, 2),      # every kind of proposal once, shocks
    (12, 11, 4),    # small
    (60, 25, 6),    # medium
])
def test_check_accepts_and_describes_the_scenario(tmp_path, agents, proposals, periods):
    path = generate(tmp_path, agents, proposals, periods)
    out = sco("check", path).stdout
    assert f"{path}: OK" in out
    assert re.search(rf"agents\s+{agents}\b", out), out
    assert re.search(rf"agenda\s+{proposals} proposals", out), out
    assert re.search(rf"summits\s+{periods}\b", out), out


def test_every_kind_transit_hosts_admissions_and_shocks_appear(tmp_path):
    text = generate(tmp_path, 40, 10, 3).read_text()
    for kind in ("exercise", "institution", "plan", "declaration", "membership"):
        assert f"kind: {kind}" in text
    assert "transit: [{from: " in text
    assert "host: " in text
    assert "admit: [" in text
    assert "great_power: true" in text
    assert "role: observer" in text and "role: candidate" in text
    assert "shocks:" in text
    ids = re.findall(r"^  - id: ([A-Z]{3})$", text, flags=re.M)
    assert ids[:3] == ["AAA", "AAB", "AAC"] and len(ids) == 40 and len(set(ids)) == 40


def test_same_arguments_same_file_other_seed_other_file(tmp_path):
    a = generate(tmp_path, 20, 8, 3, seed=4, name="a.yaml").read_text()
    b = generate(tmp_path, 20, 8, 3, seed=4, name="b.yaml").read_text()
    c = generate(tmp_path, 20, 8, 3, seed=5, name="c.yaml").read_text()
    assert a == b
    assert a != c


@pytest.mark.parametrize("agents,proposals,periods,runs", [(8, 6, 3, 200), (150, 12, 4, 20)])
def test_a_short_run_works(tmp_path, agents, proposals, periods, runs):
    path = generate(tmp_path, agents, proposals, periods)
    out = tmp_path / "run.h5"
    proc = sco("run", path, "-n", runs, "--seed", 3, "-j", 2, "-o", out)
    assert out.exists()
    assert re.search(r"ns per agent decision \((\d+) decisions", proc.stdout), proc.stdout
    decisions = int(re.search(r"\((\d+) decisions", proc.stdout).group(1))
    assert decisions >= runs * agents  # at least one proposal with every agent deciding
    summary = sco("summary", "--json", out).stdout
    assert '"runs"' in summary


def test_the_memory_benchmarks_scenario_runs_and_reads_back(tmp_path):
    # The size bench.sh --agents-memory uses (6 proposals, 6 summits), at 30 agents.
    scen = generate(tmp_path, 30, 6, 6)
    res = tmp_path / "n30.h5"
    sco("run", scen, "-n", 40, "--seed", 3, "-j", 2, "-o", res)
    with h5py.File(res, "r") as f:
        agents = [a.decode() for a in f["labels/agents"][()]]
        assert len(agents) == 30 and agents[:2] == ["AAA", "AAB"]
        assert f.attrs["runs"] == 40
        outcome = f["runs/outcome"][()]
        assert outcome.shape == (40, 6, 6)
        # Proposals are tabled and decided: the counts cover every cell, and runs differ.
        counts = f["summary/raw/outcome_counts"][()]
        assert counts.sum() == 40 * 6 * 6
        assert len(np.unique(outcome.reshape(40, -1), axis=0)) > 1
    only = tmp_path / "n30-summary.h5"
    sco("run", scen, "-n", 20, "--seed", 3, "--summary-only", "-o", only)
    with h5py.File(only, "r") as f:
        assert "runs" not in f
        assert f["summary/raw/outcome_counts"][()].shape[1:3] == (6, 6)


def test_bad_sizes_are_refused(tmp_path):
    for bad in (["--agents", "1", "--proposals", "3", "--periods", "2"],
                ["--agents", "5", "--proposals", "0", "--periods", "2"],
                ["--agents", "5", "--proposals", "3", "--periods", "0"]):
        proc = subprocess.run([sys.executable, str(GEN), *bad, "-o", str(tmp_path / "x.yaml")],
                              capture_output=True, text=True)
        assert proc.returncode == 2, proc.stderr
        assert "error" in proc.stderr
