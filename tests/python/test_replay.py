"""`sco-sim run --replay R [--explain]`: one run, round by round, and why it ended so.

The replayed run must be the run the results file holds under the same key, and the
explanation must agree with it: the outcome, the rounds, each agent's choice, and the
utilities whose comparison made the choice (docs/cli.md, "run --replay").
"""
import re

import h5py
import numpy as np

from conftest import ROOT, sco

BASE = ROOT / "scenarios" / "sco2014.yaml"


def _blocks(text):
    """Splits replay output into {(year, proposal): block text}."""
    out, key = {}, None
    for line in text.splitlines():
        m = re.match(r"^(\d{4})  (\w+) \(", line)
        if m:
            key = (int(m.group(1)), m.group(2))
            out[key] = []
        if key:
            out[key].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def test_replay_matches_the_results_file_and_prints_every_round(tmp_path):
    out = tmp_path / "r.h5"
    sco("run", BASE, "-n", 30, "--seed", 5, "-o", out)
    with h5py.File(out, "r") as f:
        outcome = f["runs/outcome"][:]
        rounds = f["runs/rounds"][:]
        names = [x.decode() for x in f["labels/outcomes"][:]]
        props = [x.decode() for x in f["labels/proposals"][:]]
        years = list(f["labels/periods"][:])
    rep = 7
    text = sco("run", BASE, "--seed", 5, "--replay", rep).stdout
    blocks = _blocks(text)
    tabled = [(t, p) for t in range(len(years)) for p in range(len(props))
              if names[outcome[rep, t, p]] != "not_tabled"]
    assert len(blocks) == len(tabled)
    for t, p in tabled:
        b = blocks[(int(years[t]), props[p])]
        assert f": {names[outcome[rep, t, p]]}, rounds {rounds[rep, t, p]}," in b
        assert len(re.findall(r"^  round \d+:", b, re.M)) == rounds[rep, t, p]
        assert "rule: " in b


def test_explain_gives_the_terms_that_decided_each_choice(tmp_path):
    text = sco("run", BASE, "--seed", 5, "--replay", 7, "--explain").stdout
    agents = re.findall(r"^    ([A-Z]{3}) \((member|no veto)[^)]*\): (\w[\w ]*)", text, re.M)
    assert agents, text[:2000]
    # Every agent line is followed by its two utility lines; the choice made is the best
    # option or (logit) one whose utility is finite.
    lines = text.splitlines()
    checked = 0
    for i, line in enumerate(lines):
        m = re.match(r"^    ([A-Z]{3}) \((member|no veto)(, supports by position)?\): (.*)$", line)
        if not m:
            continue
        sup, obj = lines[i + 1], lines[i + 2]
        assert sup.startswith("      support: gain ") and "= join " in sup
        assert obj.startswith("      object:  - norm cost ")
        v = {k: float(x) for k, x in re.findall(r"(join|reserve|stay out) (-?[\d.]+|-?inf)", sup)}
        v["object"] = float(obj.rsplit("= ", 1)[1])
        chosen = m.group(4).split(" (")[0].split(",")[0]
        assert chosen in v and np.isfinite(v[chosen])
        if m.group(3):  # sponsors, hosts and candidates support by position
            assert chosen in ("join", "reserve") and v["object"] == float("-inf")
        checked += 1
    assert checked > 50


def test_a_blocked_text_names_the_veto_and_its_rule():
    # The development bank meets Russia's veto at its first summit in this run.
    text = sco("run", BASE, "--seed", 5, "--replay", 7, "--explain").stdout
    b = _blocks(text)[(2014, "development_bank")]
    assert re.search(r"^    RUS \(member\): object \(veto\)", b, re.M)
    assert "rule: a veto on substance stands" in b or "diluted" in b.splitlines()[0]


def test_explain_needs_replay():
    p = sco("run", BASE, "--explain", check=False)
    assert p.returncode == 2
    assert "--explain needs --replay" in p.stderr
