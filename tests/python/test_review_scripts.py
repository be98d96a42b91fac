"""The reproducers of sessions 6 and 7's reviews (scripts/review_session6.py and
review_session7.py) measure the baseline as those reviews did, the session-6 port, not
scenarios/sco2014.yaml as it stands (the session-8 port since 9b1a73a): each writes a copy of
the baseline with the session-6 port's values and runs that."""
import re

import pytest
import yaml

from conftest import ROOT

SESSION6 = {"threat_weight": 0.671, "objection_cost": 0.0549, "remote_stake": 0.403,
            "tension_weight": 0.437, "wait_value": 7.95, "sponsor_floor": 0.158,
            "amendment_step": 0.2}


@pytest.mark.parametrize("name", ["review_session6", "review_session7"])
def test_the_reviews_run_the_session6_port(name, tmp_path):
    import importlib
    mod = importlib.import_module(name)
    path = mod.session6_port(tmp_path)
    assert path.name == "sco2014.yaml" and path.parent != ROOT / "scenarios"
    copy = yaml.safe_load(path.read_text())
    base = yaml.safe_load((ROOT / "scenarios" / "sco2014.yaml").read_text())
    assert {k: copy["dynamics"][k] for k in SESSION6} == SESSION6
    # nothing else differs from the baseline as it stands
    for k in SESSION6:
        copy["dynamics"].pop(k)
        base["dynamics"].pop(k)
    assert copy == base
    # the script's experiments run the copy: BASE is rebound to it before any runs
    main = (ROOT / "scripts" / f"{name}.py").read_text().split('if __name__ == "__main__":')[1]
    assert re.search(r"BASE = session6_port\(pathlib\.Path\(\w+\)\)\n\s+cmds\[", main)
