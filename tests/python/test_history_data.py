"""The record 2001-2013 as data (issue 12): scenarios/history/sco2001.yaml checks and runs,
and scenarios/history/events_2001_2013.yaml accounts for every row of the record (as an
event, or in its "Not represented" comment list and in docs/calibration.md), names only
proposals and agents of the scenario, and only summits inside 2001-2013."""
import re
import subprocess

import h5py
import pytest

from conftest import ROOT, sco, sco_bin

SCENARIO = ROOT / "scenarios" / "history" / "sco2001.yaml"
EVENTS = ROOT / "scenarios" / "history" / "events_2001_2013.yaml"
CALIBRATION = ROOT / "docs" / "calibration.md"
FIRST, LAST = 2001, 2013
# The record's 22 rows (shared/history/record-2001-2013.md, tables A, B and C).
RECORD_IDS = ([f"A{i:02d}" for i in range(1, 9)] + [f"B{i:02d}" for i in range(1, 9)]
              + [f"C{i:02d}" for i in range(1, 7)])
OBSERVED_KEYS = {"passed", "outcome", "took_part", "stayed_out", "objected", "passed_within"}
OUTCOMES = {"adopted", "adopted_with_reservations", "coalition", "diluted", "deferred",
            "blocked", "failed"}

try:
    import yaml
except ImportError:  # python3-yaml is a Debian package; without it the YAML tests cannot run
    yaml = None
needs_yaml = pytest.mark.skipif(yaml is None, reason="python3-yaml is not installed")


def not_represented(text):
    """Ids in the events file's '# Not represented' comment block: lines '#   - ID: reason'."""
    ids, inside = [], False
    for line in text.splitlines():
        if re.match(r"#\s*Not represented", line):
            inside = True
            continue
        if inside:
            if not line.startswith("#"):
                break
            m = re.match(r"#\s+- ([A-Z]\d\d[a-z]?)[ :]", line)
            if m:
                ids.append(m.group(1))
    return ids


@pytest.fixture(scope="module")
def scenario():
    return yaml.safe_load(SCENARIO.read_text())


@pytest.fixture(scope="module")
def events():
    return yaml.safe_load(EVENTS.read_text())


def test_scenario_checks():
    out = sco("check", SCENARIO).stdout
    assert "summits     13 (2001-2013)" in out, out


def test_scenario_runs(tmp_path):
    out = tmp_path / "hist.h5"
    sco("run", SCENARIO, "-n", 300, "--seed", 11, "-o", out)
    with h5py.File(out, "r") as f:
        periods = [int(p) for p in f["labels/periods"][:]]
        assert periods == list(range(FIRST, LAST + 1))
        assert f["runs/outcome"].shape[0] == 300
        proposals = [p.decode() if isinstance(p, bytes) else p for p in f["labels/proposals"][:]]
    assert "development_bank" in proposals and "admission_rules" in proposals


def test_not_represented_list_is_parsed():
    ids = not_represented(EVENTS.read_text())
    # The observer decisions and the unsourced row, at least (docs/calibration.md says why).
    for rid in ("B04", "C01", "C02", "C04", "C06a"):
        assert rid in ids, ids


@needs_yaml
def test_every_record_row_is_accounted_for(events):
    event_ids = [e["id"] for e in events["events"]]
    assert len(event_ids) == len(set(event_ids)), "duplicate event ids"
    listed = not_represented(EVENTS.read_text())
    missing = []
    for rid in RECORD_IDS:
        as_event = any(e == rid or re.fullmatch(rid + r"[a-z]", e) for e in event_ids)
        as_listed = any(x == rid or re.fullmatch(rid + r"[a-z]", x) for x in listed)
        if not (as_event or as_listed):
            missing.append(rid)
    assert not missing, f"record rows neither encoded nor listed as not represented: {missing}"


def test_not_represented_rows_are_in_the_docs():
    text = CALIBRATION.read_text()
    m = re.search(r"^## The period 2001-2013: scenario and events$(.*?)(?=^## |\Z)", text,
                  re.M | re.S)
    assert m, "docs/calibration.md lacks the section 'The period 2001-2013: scenario and events'"
    section = m.group(1)
    for rid in not_represented(EVENTS.read_text()):
        assert re.search(rf"\b{rid}\b", section), f"{rid} is not represented but not in the docs"


@needs_yaml
def test_events_name_the_scenarios_proposals_agents_and_years(events, scenario):
    agenda = {p["id"]: p for p in scenario["agenda"]}
    agents = {a["id"] for a in scenario["agents"]}
    assert events["format"] == "sco-sim-events/1"
    for e in events["events"]:
        where = f"event {e['id']}"
        assert e["proposal"] in agenda, f"{where}: no proposal {e['proposal']!r} in sco2001.yaml"
        assert FIRST <= e["year"] <= LAST, f"{where}: year {e['year']}"
        window = agenda[e["proposal"]].get("periods", [FIRST, LAST])
        obs = e["observed"]
        assert obs and set(obs) <= OBSERVED_KEYS, f"{where}: observed keys {sorted(obs)}"
        if "passed_within" in obs:
            last = e["year"] + obs["passed_within"]["summits"] - 1
            assert last <= LAST, f"{where}: passed_within runs past {LAST}"
        else:
            # Every event is observed at a summit where its proposal can be tabled.
            assert window[0] <= e["year"] <= window[1], f"{where}: {e['year']} outside {window}"
        for key in ("took_part", "stayed_out", "objected"):
            for agent in obs.get(key, []):
                assert agent in agents, f"{where}: {key} names {agent!r}, not an agent"
        if "outcome" in obs:
            forms = obs["outcome"] if isinstance(obs["outcome"], list) else [obs["outcome"]]
            assert set(forms) <= OUTCOMES, f"{where}: outcome {forms}"
        both = set(obs.get("took_part", [])) & set(obs.get("stayed_out", []))
        assert not both, f"{where}: {both} both took part and stayed out"


@needs_yaml
def test_every_event_has_a_source_and_one_confidence(events):
    for e in events["events"]:
        assert str(e.get("source", "")).strip(), f"event {e['id']}: no source"
        has_conf, has_weight = "confidence" in e, "weight" in e
        assert has_conf != has_weight, f"event {e['id']}: give confidence or weight, not both"
        if has_conf:
            assert e["confidence"] in ("high", "medium", "low"), e["id"]
        else:
            assert 0 < e["weight"] <= 1, e["id"]


def score_available():
    proc = subprocess.run([sco_bin(), "score", "--help"], capture_output=True, text=True,
                          timeout=60)
    return proc.returncode == 0


def test_score_on_a_small_run(tmp_path):
    if not score_available():
        pytest.skip("sco-sim score is not in this build")
    out = tmp_path / "hist.h5"
    sco("run", SCENARIO, "-n", 200, "--seed", 3, "-o", out)
    proc = sco("score", out, EVENTS, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"[Bb]rier", proc.stdout), proc.stdout
