"""The order in which a scenario file lists things is not part of the model (session 6's
attack, docs/calibration.md, "Review, session 6").

The baseline with every drawn parameter fixed at a value, no incidents, the deterministic
choice rule and certain implementation after one period has no randomness left, so a run
is a function of the scenario alone. Listing the agents in the reverse order, or the
non-membership proposals in the reverse order, must then give the same run, agent by agent
and proposal by proposal (matched by id): the same outcome, the same flags, the same
dilution, in every run. Under the logit rule the per-run numbers at one seed do change with
the order (the disposition of agent i at proposal p is keyed by the file indices i and p,
docs/architecture.md), but not their distribution; this test checks the rules, where an
order dependence would be a defect (a veto counted, a pressure applied or a status quo moved
in file order).

What it would catch: a rule that iterates agents or proposals in file order and lets an
earlier one change what a later one sees within a round or a summit in a way that depends
on the order. About 2 s of CPU.
"""
import h5py
import numpy as np

from conftest import ROOT, sco

BASE = ROOT / "scenarios" / "sco2014.yaml"
RUNS = 60
# The baseline's eight drawn parameters at fixed values near their means, no incidents,
# certain implementation after one period: nothing random is left under the deterministic rule.
SETS = ["dynamics.dialogue_rate=0.14", "dynamics.incident_rate=0",
        "dynamics.implementation_rate=1", "dynamics.implementation_lag=1",
        "agents.KAZ.military_reluctance=0.2", "agents.KGZ.military_reluctance=0.2",
        "agents.TJK.military_reluctance=0.2", "agents.UZB.military_reluctance=0.8",
        "agents.UZB.sovereignty=0.9", "relations.tension.TJK-UZB=0.7",
        "agenda.afghan_buffer_plan.uncertainty=0.8"]


def blocks(lines, start, stop):
    """The `  - id:` items of the section from line `start` to line `stop` (exclusive)."""
    items, cur = [], None
    for ln in lines[start:stop]:
        if ln.startswith("  - id:"):
            cur = [ln]
            items.append(cur)
        else:
            assert cur is not None, f"unexpected line before the first item: {ln!r}"
            cur.append(ln)
    return items


def deterministic_text():
    text = BASE.read_text()
    assert "choice: logit" in text
    return text.replace("choice: logit", "choice: deterministic")


def reordered(text, what):
    lines = text.splitlines(keepends=True)
    head = {ln.rstrip(): i for i, ln in enumerate(lines) if ln[:1].isalpha()}
    if what == "agents":
        a, b = head["agents:"] + 1, head["relations:"]
        items = blocks(lines, a, b)
        new = [ln for it in reversed(items) for ln in it]
    else:  # the non-membership proposals reversed, the membership stages after them in order
        a = head["agenda:"] + 1
        b = min([i for i in head.values() if i > a] + [len(lines)])
        items = blocks(lines, a, b)
        member = [it for it in items if any("kind: membership" in ln for ln in it)]
        other = [it for it in items if it not in member]
        assert len(member) == 3 and len(other) == 6
        new = [ln for it in other[::-1] + member for ln in it]
    assert len(new) == b - a
    return "".join(lines[:a] + new + lines[b:])


def run(tmp_path, name, text):
    scen = tmp_path / f"{name}.yaml"
    scen.write_text(text)
    out = tmp_path / f"{name}.h5"
    sets = [x for s in SETS for x in ("--set", s)]
    sco("run", scen, "-n", RUNS, "--seed", 11, "-j", 1, "-q", "-o", out, *sets)
    with h5py.File(out, "r") as f:
        names = {k: [x.decode() for x in f["labels"][k][()]]
                 for k in ("agents", "proposals", "flags", "outcomes")}
        runs = {k: f["runs"][k][()] for k in ("outcome", "flags", "dilution")}
    return names, runs


def by_id(result):
    """Per-run outcome, flags and dilution indexed by (proposal id) and (proposal id, agent
    id), whatever the file order."""
    names, runs = result
    out = {}
    for p, pid in enumerate(names["proposals"]):
        out[("outcome", pid)] = runs["outcome"][:, :, p]
        out[("dilution", pid)] = np.nan_to_num(runs["dilution"][:, :, p], nan=-1.0)
        for i, aid in enumerate(names["agents"]):
            out[("flags", pid, aid)] = runs["flags"][:, :, p, i]
    return out


def assert_same(a, b, what):
    assert a.keys() == b.keys()
    differ = [k for k in a if not np.array_equal(a[k], b[k])]
    assert not differ, f"{what} reordered changes {len(differ)} series, first {differ[:5]}"


def test_the_rules_do_not_depend_on_the_order_of_the_agents(tmp_path):
    text = deterministic_text()
    base = by_id(run(tmp_path, "base", text))
    perm = by_id(run(tmp_path, "agents_reversed", reordered(text, "agents")))
    assert_same(base, perm, "agents")


def test_the_rules_do_not_depend_on_the_order_of_the_agenda(tmp_path):
    text = deterministic_text()
    base = by_id(run(tmp_path, "base", text))
    perm = by_id(run(tmp_path, "agenda_reversed", reordered(text, "agenda")))
    assert_same(base, perm, "agenda")


def test_the_fixed_scenario_is_not_trivial(tmp_path):
    """The comparison above has power only if the fixed baseline still decides something
    contested: a veto, a stay-out and a failure occur in it."""
    names, runs = run(tmp_path, "base", deterministic_text())
    fl = runs["flags"]
    veto, stayed = names["flags"].index("veto"), names["flags"].index("stayed_out")
    assert ((fl >> veto) & 1).any(), "no veto in the fixed baseline"
    assert ((fl >> stayed) & 1).any(), "no member stays out in the fixed baseline"
    codes = [names["outcomes"].index(o) for o in ("blocked", "deferred")]
    assert np.isin(runs["outcome"], codes).any(), "nothing fails in the fixed baseline"
