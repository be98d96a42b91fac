"""scripts/screen.py on a tiny scenario: one row per parameter, a parameter that is inert
by construction is flagged, one that decides the outcome is not."""
import json
import re

import pytest

from conftest import SCRIPTS, run_python, sco, sco_bin

# Three members, one dimension and threat, a declaration and an opt-out exercise that
# Russia sponsors and hosts, no transit: sovereignty enters only a host's or a transit
# state's utility, so Uzbekistan's sovereignty is inert by construction; Uzbekistan's
# position decides whether it blocks the declaration.
TINY = """\
format: sco-sim/1
name: Screen test scenario
periods: {first: 2014, count: 2}
dimensions: [military_integration]
threats: [terrorism]
status_quo: {military_integration: 0.3}
model: {choice: logit, amendment: win_set, pressure: enabled}
dynamics: {logit_precision: 10}
agents:
  - {id: RUS, name: Russia, great_power: true, capability: 0.5, military_reluctance: 0.1,
     sovereignty: 0.3, position: {military_integration: 0.8},
     salience: {military_integration: 0.8}, threat: {terrorism: 0.6}}
  - {id: KAZ, name: Kazakhstan, capability: 0.2, military_reluctance: 0.1, sovereignty: 0.4,
     position: {military_integration: 0.5}, salience: {military_integration: 0.5},
     threat: {terrorism: 0.5}}
  - {id: UZB, name: Uzbekistan, capability: 0.1, military_reluctance: {beta: [8, 2]},
     sovereignty: 0.9, position: {military_integration: 0.2},
     salience: {military_integration: 0.6}, threat: {terrorism: 0.6}}
agenda:
  - {id: declaration, kind: declaration, sponsor: RUS, position: {military_integration: 0.6},
     relevance: {terrorism: 0.5}}
  - {id: drill, kind: exercise, sponsor: RUS, host: RUS, min_participants: 2,
     position: {military_integration: 0.6}, relevance: {terrorism: 0.6}}
"""
INERT = "agents.UZB.sovereignty"
ACTIVE = "agents.UZB.position.military_integration"


@pytest.fixture(scope="module")
def screened(tmp_path_factory):
    d = tmp_path_factory.mktemp("screen")
    scenario = d / "tiny.yaml"
    scenario.write_text(TINY)
    table = d / "screen.md"
    proc = run_python(SCRIPTS / "screen.py", scenario, "-n", 200, "--seed", 5, "-q",
                      "--sim", sco_bin(), "-o", table, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listing = sco("params", scenario).stdout.splitlines()
    paths = [line.split()[0] for line in listing if line.strip()]
    return json.loads(proc.stdout), table.read_text(), paths


def test_one_row_per_parameter(screened):
    data, table, paths = screened
    assert [r["parameter"] for r in data["rows"]] == paths
    rows = re.findall(r"^\| `([^`]+)` \|", table, re.M)
    assert rows == paths
    assert not [r for r in data["rows"] if "error" in r or "skipped" in r]


def test_flags_the_parameter_that_is_inert_by_construction(screened):
    data, table, _ = screened
    row = next(r for r in data["rows"] if r["parameter"] == INERT)
    assert row["inert"] and row["largest_change_pp"] == 0 and row["runs_changed"] == 0
    assert f"`{INERT}`" in table.split("| parameter |")[0], "not in the inert list"


def test_does_not_flag_a_parameter_that_decides(screened):
    data, table, _ = screened
    row = next(r for r in data["rows"] if r["parameter"] == ACTIVE)
    assert not row["inert"] and row["resolved"], row
    assert row["largest_change_pp"] > 5
    assert f"`{ACTIVE}`" not in table.split("| parameter |")[0]


def test_ends_are_the_range_and_a_window_where_it_is_unbounded(screened):
    data, _, _ = screened
    rows = {r["parameter"]: r for r in data["rows"]}
    assert (rows[ACTIVE]["low"], rows[ACTIVE]["high"]) == (0, 1)
    lag = rows["dynamics.implementation_lag"]  # range [1, inf): baseline 1.5 x 4
    assert (lag["low"], lag["high"]) == (1, 6) and "window" in lag["note"]
