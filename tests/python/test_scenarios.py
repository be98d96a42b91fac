"""Every scenario shipped in scenarios/ is valid and runs, and the calibrated variant
changes the baseline in exactly the seven calibrated parameters, each drawn from the
posterior whose medians the baseline holds (docs/calibration.md, "The run and the port
(session 8)")."""
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


def test_the_baseline_holds_the_medians_of_the_calibrated_variant():
    """The port (session 8, again in sessions 11 and 12): the baseline's fixed value of each
    calibrated parameter is the median of the variant's empirical posterior (the 32 points of
    eleven seeds kept at both suite seeds since session 12), at 3 significant digits."""
    import numpy as np
    import yaml
    var = yaml.safe_load((ROOT / "scenarios" / "sco2014_calibrated.yaml").read_text())
    dyn = yaml.safe_load((ROOT / "scenarios" / "sco2014.yaml").read_text())["dynamics"]
    for k in CALIBRATED:
        pts = var["set"][k]["empirical"]
        assert len(pts) == 32, k
        name = k.split(".", 1)[1]
        assert float(f"{np.median(pts):.3g}") == dyn[name], (k, np.median(pts), dyn[name])
