"""Every scenario shipped in scenarios/ is valid and runs, and the calibrated variant
changes the baseline in exactly the seven calibrated parameters, each drawn from a
posterior (docs/calibration.md, "The run and the port (session 8)", "The port of session
22")."""
import re
import subprocess

import h5py
import pytest

from conftest import ROOT, sco_bin

SCENARIOS = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml")
                   if re.search(r"^format: sco-sim/1$", p.read_text(), re.M))
CALIBRATED = ["dynamics.threat_weight", "dynamics.objection_cost", "dynamics.remote_stake",
              "dynamics.tension_weight", "dynamics.wait_value", "dynamics.sponsor_floor",
              "dynamics.amendment_step"]


def params(path):
    out = subprocess.run([sco_bin(), "params", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [re.split(r"\s{2,}", line.strip()) for line in out.splitlines() if line.strip()]
    return {r[0]: r[1] for r in rows}


def test_the_scenarios_are_found():
    names = {p.relative_to(ROOT / "scenarios").as_posix() for p in SCENARIOS}
    assert {"sco2014.yaml", "sco2014_calibrated.yaml", "history/sco2001.yaml"} <= names, names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.relative_to(ROOT / "scenarios").as_posix())
def test_every_scenario_checks_and_runs(path, tmp_path):
    p = subprocess.run([sco_bin(), "check", str(path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "r.h5"
    p = subprocess.run([sco_bin(), "run", str(path), "-n", "50", "-q", "--summary-only", "-o", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with h5py.File(out, "r") as f:
        assert int(f.attrs["runs"]) == 50


def test_the_calibrated_variant_differs_in_the_seven_parameters_only():
    base = params(ROOT / "scenarios" / "sco2014.yaml")
    cal = params(ROOT / "scenarios" / "sco2014_calibrated.yaml")
    assert base.keys() == cal.keys()
    changed = sorted(k for k in base if base[k] != cal[k])
    assert changed == sorted(CALIBRATED), changed
    # Each is a distribution (the posterior), not a number.
    for k in CALIBRATED:
        assert re.match(r"(beta|empirical)\(", cal[k]), (k, cal[k])


# Session 12's port (docs/calibration.md, "The port of session 12"): the medians of its 32
# points, calibrated under the `likely` sponsor; and session 22's (candidate (a), "The port
# of session 22"): the medians of the 36 points kept under `expected_value`.
SESSION12 = {"threat_weight": 0.708, "objection_cost": 0.0959, "remote_stake": 0.279,
             "tension_weight": 0.523, "wait_value": 8.12, "sponsor_floor": 0.17,
             "amendment_step": 0.15}
SESSION22 = {"threat_weight": 0.734, "objection_cost": 0.0968, "remote_stake": 0.257,
             "tension_weight": 0.501, "wait_value": 8.41, "sponsor_floor": 0.187,
             "amendment_step": 0.13}


def test_the_baseline_holds_the_port_of_session_22_and_the_variant_session_12s_posterior():
    """The baseline holds session 22's port under the `expected_value` sponsor (sco2001.yaml,
    the record it was calibrated on, uses the same rule); the calibrated variant still holds
    session 12's posterior (32 points kept under `likely`, whose medians were that port, at 3
    significant digits): session 22's 36 points were not kept (docs/calibration.md)."""
    import numpy as np
    import yaml
    base = yaml.safe_load((ROOT / "scenarios" / "sco2014.yaml").read_text())
    assert base["model"]["sponsor"] == "expected_value"
    period = yaml.safe_load((ROOT / "scenarios" / "history" / "sco2001.yaml").read_text())
    assert period["model"] == base["model"]
    assert {k: base["dynamics"][k] for k in SESSION22} == SESSION22
    var = yaml.safe_load((ROOT / "scenarios" / "sco2014_calibrated.yaml").read_text())
    for k in CALIBRATED:
        pts = var["set"][k]["empirical"]
        assert len(pts) == 32, k
        name = k.split(".", 1)[1]
        assert float(f"{np.median(pts):.3g}") == SESSION12[name], (k, np.median(pts))
