"""Shared fixtures: results files made by the real sco-sim binary.

ctest sets SCO_SIM_BIN (the built binary), SCO_ROOT (repository root) and SCO_PYTHON (the
interpreter with numpy, h5py, matplotlib and pytest). Run by hand:

    SCO_SIM_BIN=build/bin/sco-sim /usr/bin/python3 -m pytest tests/python
"""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("SCO_ROOT") or pathlib.Path(__file__).resolve().parents[2])
SCRIPTS = ROOT / "scripts"
SMALL = ROOT / "tests" / "data" / "scenario" / "small.yaml"
PYTHON = os.environ.get("SCO_PYTHON") or sys.executable
RUNS = 400
SEED = 7


def sco_bin():
    b = os.environ.get("SCO_SIM_BIN")
    if b:
        return b
    found = sorted(ROOT.glob("build*/bin/sco-sim"))
    if not found:
        pytest.fail("sco-sim not found: set SCO_SIM_BIN to the built binary (ctest does)")
    return str(found[0])


def sco(*args, check=True):
    """Runs sco-sim; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([sco_bin(), *map(str, args)], capture_output=True, text=True,
                          timeout=600)
    if check and proc.returncode != 0:
        pytest.fail(f"sco-sim {' '.join(map(str, args))} exited {proc.returncode}:\n"
                    f"{proc.stdout}\n{proc.stderr}")
    return proc


def make_results(path, *extra, seed=SEED, runs=RUNS):
    sco("run", SMALL, "-n", runs, "--seed", seed, "-o", path, *extra)
    assert path.exists(), f"sco-sim did not write {path}"
    return path


@pytest.fixture(scope="session")
def outdir(tmp_path_factory):
    return tmp_path_factory.mktemp("results")


@pytest.fixture(scope="session")
def full_file(outdir):
    """Per-run datasets, no per-run tension."""
    return make_results(outdir / "full.h5")


@pytest.fixture(scope="session")
def summary_only_file(outdir):
    return make_results(outdir / "summary_only.h5", "--summary-only")


@pytest.fixture(scope="session")
def tension_file(outdir):
    return make_results(outdir / "tension.h5", "--tension-per-run")


@pytest.fixture(scope="session")
def sobol_file(outdir):
    """A small Sobol sweep (3 factors, 32 samples, 100 runs a point), summary only: the
    sensitivity datasets and the sweep figures."""
    out = outdir / "sobol.h5"
    sco("sweep", SMALL, "--design", "sobol", "--samples", "32", "-n", "100", "--seed", "3",
        "--vary", "agents.UZB.military_reluctance=0:1", "--vary", "agents.UZB.sovereignty=0:1",
        "--vary", "dynamics.logit_precision=1:10", "--summary-only", "-q", "-o", out)
    return out


def run_python(*args, env_extra=None, cwd=None):
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    env.update(env_extra or {})
    return subprocess.run([PYTHON, *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=env, cwd=cwd)


def fake_missing_module(tmp_path, name):
    """A directory to put first on PYTHONPATH in which importing `name` fails."""
    d = tmp_path / f"no_{name}"
    (d / name).mkdir(parents=True, exist_ok=True)
    (d / name / "__init__.py").write_text(f'raise ImportError("No module named {name}")\n')
    return str(d)


def write_pass_events(path, passed, name, source):
    """An events file (docs/history-format.md) of one `passed` observation per plan:
    `passed` is (k, bool) pairs for the proposals t00, t01, ... of the known-answer
    scenarios in tests/data/calibration/."""
    lines = ["format: sco-sim-events/1", f"name: {name}", f"record: {source}", "events:"]
    for k, v in passed:
        lines += [f"  - id: K{k:02d}", "    year: 2014", f"    proposal: t{k:02d}",
                  "    confidence: high", f"    source: {source}", "    observed:",
                  f"      passed: {'true' if v else 'false'}"]
    path.write_text("\n".join(lines) + "\n")
    return path
