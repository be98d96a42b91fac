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
    checked = shared = 0
    for i, line in enumerate(lines):
        m = re.match(r"^    ([A-Z]{3}) \((member|no veto)(, supports by position)?\): (.*)$", line)
        if not m:
            continue
        sup, obj = lines[i + 1], lines[i + 2]
        assert re.match(r"      support: (share [\d.]+ x \()?gain ", sup) and "= join " in sup, sup
        # join = share x (gain + threat benefit) - cost - relations, to the printed digits
        t = dict(re.findall(r"(share|gain|benefit|cost|relations) (-?[\d.]+)", sup))
        share = float(t.get("share", 1.0))
        join = share * (float(t["gain"]) + float(t["benefit"])) - float(t["cost"]) - float(
            t["relations"])
        if "share" in t:  # written first, as the factor of gain and benefit both
            assert sup.startswith("      support: share ") and ") - cost " in sup, sup
            shared += 1
        printed = float(sup.rsplit("= join ", 1)[1].split(";")[0])
        if np.isfinite(printed):  # -inf: outside a closed format, joining is not open
            assert abs(join - printed) < 0.004, sup
        assert obj.startswith("      object:  - norm cost ")
        v = {k: float(x) for k, x in re.findall(r"(join|reserve|stay out) (-?[\d.]+|-?inf)", sup)}
        v["object"] = float(obj.rsplit("= ", 1)[1])
        chosen = m.group(4).split(" (")[0].split(",")[0]
        assert chosen in v and np.isfinite(v[chosen])
        if m.group(3):  # sponsors, hosts and candidates support by position
            assert chosen in ("join", "reserve") and v["object"] == float("-inf")
        checked += 1
    assert checked > 50
    assert shared > 0  # an exercise in another region: the share multiplies gain and benefit


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


def _doc_blocks(after):
    """The code blocks of docs/cli.md's replay section that follow the text `after`."""
    doc = (ROOT / "docs" / "cli.md").read_text()
    start = doc.index("### run --replay R [--explain]")
    return re.findall(r"^```\n(.*?)^```", doc[doc.index(after, start):], re.M | re.S)


def test_an_objection_says_whether_it_blocks_also_when_it_asks_for_time():
    """docs/cli.md: `(veto)` for a member, `(no veto)` for an observer or candidate, whose
    objection blocks nothing, each followed by `; asks for time` when it is a wait. In
    run 42 Pakistan, an observer, asks for time on the Afghan plan in 2014: printed
    `(asks for time)` alone, it read as if Pakistan held a veto."""
    text = sco("run", BASE, "--replay", 42).stdout
    b = _blocks(text)[(2014, "afghan_buffer_plan")]
    assert "PAK:object (no veto; asks for time)" in b
    assert "UZB:object (veto; asks for time)" in b
    marks = set(re.findall(r"[A-Z]{3}:object( \([^)]*\))?", text))
    assert marks <= {" (veto)", " (no veto)", " (veto; asks for time)",
                     " (no veto; asks for time)"}, marks
    assert "(asks for time)" not in text


def test_the_doc_shows_what_replay_prints():
    """The samples in docs/cli.md are real output of the command the doc names, line for
    line: two whole proposal blocks, and three consecutive lines of its --explain."""
    sample, explain = _doc_blocks("sco-sim run scenarios/sco2014.yaml --replay 42")[:2]
    text = sco("run", BASE, "--replay", 42).stdout
    shown = _blocks(sample)
    assert len(shown) == 2
    for key, block in shown.items():
        assert _blocks(text)[key] == block, block
    full = sco("run", BASE, "--replay", 42, "--explain").stdout
    assert explain.strip("\n") in full, explain
