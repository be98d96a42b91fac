"""Pattern-oriented tests: facts that can fail for the right reason (issue 11, item 10).

Each fact of the article is checked twice: it must hold in the baseline
(scenarios/sco2014.yaml), and it must go away, or clearly weaken, when the mechanism the
model offers for it is removed (a `--set` override, a derived scenario, or a full copy
of the baseline written to a temporary folder). A fact that holds for any parameters,
or that restates an input, is not tested here. Until session 6 the secondary patterns
(S1-S3) and the out-of-sample check S4 were not used to set any parameter; since then the
whole suite (S4 aside, which xfails) selected the calibrated weights of the baseline, and
since session 8 it is the calibration's last filter, run at every accepted point
(docs/patterns.md, "After the port of session 8" and "After the port of session 11"), so
every test but S4 is a calibration target. docs/patterns.md gives every
pattern with its counterfactual, the measured values and whether it was a calibration
target.

Statistics: fixed seeds, 95% Wilson intervals for proportions, Newcombe's hybrid score
interval (built from two Wilson intervals) for differences of proportions, normal
intervals for means. Nothing depends on wall-clock time. A pattern that does not hold in
the current model is marked xfail(strict=True) with the measured numbers: if a model
change makes it hold, the test fails as XPASS and the mark must go.

Environment: SCO_PATTERN_RUNS (runs per scenario, default 20000); SCO_PATTERN_REPORT=FILE
writes every measured number to FILE as JSON (docs/patterns.md is made from it).
"""
import json
import math
import os
import re
import subprocess

import numpy as np
import pytest

import sco_results
from conftest import ROOT, sco_bin

RUNS = int(os.environ.get("SCO_PATTERN_RUNS", "20000"))
SWEEP_RUNS = max(RUNS // 5, 500)  # runs per point of the dilution sweep (S3)
SEED = 20140615
Z = 1.959963984540054
SCENARIOS = ROOT / "scenarios"
BASE = SCENARIOS / "sco2014.yaml"
PASSED = ("adopted", "adopted_with_reservations", "coalition", "diluted")
REPORT = {}  # pattern -> measured numbers (SCO_PATTERN_REPORT)


# ---------------------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------------------
def wilson(k, n):
    """(p, lo, hi): proportion k/n and its 95% Wilson interval."""
    p, lo, hi = sco_results.wilson(k, n)
    return float(p), float(lo), float(hi)


def newcombe(k1, n1, k2, n2):
    """(d, lo, hi): p1 - p2 and its 95% interval (Newcombe 1998, method 10). Treats the two
    samples as independent; runs of two scenarios at one seed share random numbers, which
    only makes the interval conservative."""
    p1, l1, u1 = wilson(k1, n1)
    p2, l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def mean_ci(x):
    """(mean, lo, hi) of a sample, normal 95% interval."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    h = Z * float(x.std(ddof=1)) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return m, m - h, m + h


def hist_mean_ci(counts, values):
    """(mean, lo, hi) of a discrete distribution given as counts over values."""
    counts = np.asarray(counts, dtype=float)
    values = np.asarray(values, dtype=float)
    n = counts.sum()
    m = float((counts * values).sum() / n)
    var = float((counts * (values - m) ** 2).sum() / max(n - 1, 1))
    h = Z * math.sqrt(var / n)
    return m, m - h, m + h


def fmt(p):
    """'16.4% [15.9, 16.9]' for a (p, lo, hi) triple."""
    return f"{100 * p[0]:.2f}% [{100 * p[1]:.2f}, {100 * p[2]:.2f}]"


def note(key, **values):
    REPORT.setdefault(key, {}).update(values)


# ---------------------------------------------------------------------------------------
# simulation
# ---------------------------------------------------------------------------------------
class Sim:
    """Runs sco-sim once per distinct request and keeps the results of the module."""

    def __init__(self, workdir):
        self.dir = workdir
        self.cache = {}

    def run(self, scenario=BASE, *sets, per_run=False, tension=False, runs=RUNS):
        key = (str(scenario), sets, per_run, tension, runs)
        if key not in self.cache:
            out = self.dir / f"run{len(self.cache)}.h5"
            cmd = [sco_bin(), "run", str(scenario), "-n", str(runs), "--seed", str(SEED),
                   "-o", str(out), "--force", "-q"]
            if not per_run:
                cmd.append("--summary-only")
            if tension:
                cmd.append("--tension-per-run")
            for s in sets:
                cmd += ["--set", s]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
            assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}"
            self.cache[key] = sco_results.load(out)
        return self.cache[key]

    def sweep(self, scenario, vary, runs):
        out = self.dir / f"sweep{len(self.cache)}.h5"
        cmd = [sco_bin(), "sweep", str(scenario), "--vary", vary, "-n", str(runs),
               "--seed", str(SEED), "-o", str(out), "--force", "-q"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}"
        self.cache[("sweep", vary)] = r = sco_results.load(out)
        return r

    def write(self, name, text):
        path = self.dir / name
        path.write_text(text)
        return path


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    s = Sim(tmp_path_factory.mktemp("patterns"))
    yield s
    target = os.environ.get("SCO_PATTERN_REPORT")
    if target:
        with open(target, "w") as f:
            json.dump({"runs": RUNS, "seed": SEED, "sweep_runs": SWEEP_RUNS, "patterns": REPORT},
                      f, indent=1, sort_keys=True)


@pytest.fixture(scope="module")
def base(sim):
    """The baseline with per-run data (flags, outcomes, tension)."""
    return sim.run(BASE, per_run=True, tension=True)


# ---- reading a results file (point 0) ----
def idx(r, proposal=None, agent=None, year=None):
    out = []
    if year is not None:
        out.append(r.period_index(year))
    if proposal is not None:
        out.append(r.proposal_index(proposal))
    if agent is not None:
        out.append(r.agent_index(agent))
    return tuple(out)


def first_year(r):
    return int(r.periods[0])


def tabled(r, proposal, year):
    t, p = idx(r, proposal, year=year)
    return int(r.tabled[0, t, p])


def passed_k(r, proposal, year):
    t, p = idx(r, proposal, year=year)
    return int(r.passed[0, t, p])


def outcome_k(r, proposal, year, outcome):
    t, p = idx(r, proposal, year=year)
    return int(r.raw["outcome_counts"][0, t, p, r.outcome_index(outcome)])


def flag_k(r, proposal, year, agent, flag):
    t, p, i = idx(r, proposal, agent, year)
    return int(r.raw["flag_counts"][0, t, p, i, r.flag_index(flag)])


def participated_k(r, proposal, year, agent):
    t, p, i = idx(r, proposal, agent, year)
    return int(r.raw["participated"][0, t, p, i])


def first_adoption(r, proposal):
    """Runs by summit of first adoption (index 0..T-1) and, last, never adopted."""
    return r.raw["first_adoption"][0, r.proposal_index(proposal)].astype(np.int64)


def passed_runs(r):
    """Per run, period and proposal: the proposal passed."""
    codes = [r.outcome_index(o) for o in PASSED]
    return np.isin(r.runs.outcome, codes)


def flag_bit(r, name):
    return 1 << r.flag_index(name)


def params_listing(scenario):
    """{path: (value text, lo, hi)} from `sco-sim params`."""
    proc = subprocess.run([sco_bin(), "params", str(scenario)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^(\S+)\s+(.*?)\s+\[([^,\]]+),\s*([^\]]+)\]", line)
        if m:
            out[m.group(1)] = (m.group(2), float(m.group(3)), float(m.group(4)))
    assert out, f"cannot read `sco-sim params` output:\n{proc.stdout}"
    return out


# ---------------------------------------------------------------------------------------
# Fact 1: Uzbekistan stays out of the Peace Mission hosted by Tajikistan
# (calibration target: logit_precision, tension_weight, ... were set watching it)
# ---------------------------------------------------------------------------------------
PM = "peace_mission_tjk"


def uzb_participation(sim, *sets):
    r = sim.run(BASE, *sets)
    y = first_year(r)
    return participated_k(r, PM, y, "UZB"), tabled(r, PM, y)


def test_f1_peace_mission_goes_ahead_without_uzbekistan(base):
    y = first_year(base)
    n = tabled(base, PM, y)
    without = passed_k(base, PM, y) - participated_k(base, PM, y, "UZB")
    w = wilson(without, n)
    u = wilson(participated_k(base, PM, y, "UZB"), n)
    note("f1", baseline_goes_ahead_without_uzb=w, baseline_uzb_participation=u, n=n)
    assert w[1] >= 0.8, f"the exercise goes ahead without UZB in only {fmt(w)} of runs"
    assert u[2] <= 0.1, f"UZB takes part in {fmt(u)} of runs"


# Fact 1 is over-determined, in the model as in the record: Uzbekistan sent no troops to any
# exercise 2002-2013 whoever hosted it (record A01-A08: also those hosted by Kazakhstan,
# China and Russia, with which it has no tension), so its reluctance alone keeps it out;
# the host's tension (Tajikistan, [forum]) is a second cause that suffices on its own at
# this exercise. Removing one sufficient cause cannot raise participation; what shows the
# mechanism is that each alone keeps Uzbekistan out and that removing both brings it in
# (docs/patterns.md, fact 1). These tests fail if either cause stops being sufficient or
# if the absence rests on something else (as it did before the non-participant's share of
# the policy change, when removing both still left it out in 99.3% of runs).
def test_f1_host_tension_alone_keeps_uzbekistan_out(sim):
    k1, n1 = uzb_participation(sim, "agents.UZB.military_reluctance=0")
    w = wilson(k1, n1)
    note("f1", reluctance0=w)
    assert w[2] <= 0.05, f"with reluctance 0 UZB takes part in {fmt(w)} of runs"


def test_f1_reluctance_alone_keeps_uzbekistan_out(sim):
    k1, n1 = uzb_participation(sim, "relations.tension.TJK-UZB=0")
    w = wilson(k1, n1)
    note("f1", tension0=w)
    assert w[2] <= 0.05, f"with tension TJK-UZB 0 UZB takes part in {fmt(w)} of runs"


def test_f1_removing_both_raises_uzbek_participation_a_lot(sim):
    """'A lot': by at least 20 points, and more than the two removals one at a time."""
    k0, n0 = uzb_participation(sim)
    kr, nr = uzb_participation(sim, "agents.UZB.military_reluctance=0")
    kt, nt = uzb_participation(sim, "relations.tension.TJK-UZB=0")
    k2, n2 = uzb_participation(sim, "agents.UZB.military_reluctance=0",
                               "relations.tension.TJK-UZB=0")
    d = newcombe(k2, n2, k0, n0)
    note("f1", both0=wilson(k2, n2), both0_rise=d)
    assert d[1] >= 0.2, f"removing both: {k0}/{n0} -> {k2}/{n2}, rise {d}"
    assert k2 / n2 > kr / nr + kt / nt


# ---------------------------------------------------------------------------------------
# Fact 2: Uzbekistan denies transit to Kazakh troops
# ---------------------------------------------------------------------------------------
def uzb_denial(r):
    y = first_year(r)
    return flag_k(r, PM, y, "UZB", "transit_denied"), tabled(r, PM, y)


def test_f2_uzbekistan_usually_denies_transit(base):
    k, n = uzb_denial(base)
    w = wilson(k, n)
    note("f2", baseline_denial=w)
    assert w[1] >= 0.5, f"UZB denies transit in {fmt(w)} of runs"


# Fact 2, like fact 1, has two causes that each suffice: Uzbekistan's sovereignty (its visa
# regime and mined border, [forum]) and its tension with the exercise's host, Tajikistan.
# Each alone keeps the denial; removing both removes it (the test after these two).
def test_f2_host_tension_alone_keeps_the_denial(sim, base):
    k0, n0 = uzb_denial(base)
    k1, n1 = uzb_denial(sim.run(BASE, "agents.UZB.sovereignty=0"))
    w0, w1 = wilson(k0, n0), wilson(k1, n1)
    note("f2", sovereignty0_denial=w1)
    assert w1[1] >= 0.5, f"denial {fmt(w0)} -> {fmt(w1)} with sovereignty 0"


def test_f2_sovereignty_alone_keeps_the_denial(sim, base):
    k0, n0 = uzb_denial(base)
    k1, n1 = uzb_denial(sim.run(BASE, "relations.tension.TJK-UZB=0"))
    w0, w1 = wilson(k0, n0), wilson(k1, n1)
    note("f2", tension0_denial=w1)
    assert w1[1] >= 0.5, f"denial {fmt(w0)} -> {fmt(w1)} with tension TJK-UZB 0"


def test_f2_denial_needs_sovereignty_or_host_tension(sim, base):
    """What the model does offer: sovereignty and tension with the host are each enough
    for the denial; with neither, it (nearly) disappears."""
    k0, n0 = uzb_denial(base)
    k1, n1 = uzb_denial(sim.run(BASE, "agents.UZB.sovereignty=0", "relations.tension.TJK-UZB=0"))
    w0, w1 = wilson(k0, n0), wilson(k1, n1)
    note("f2", sovereignty0_tension0_denial=w1)
    assert w1[2] <= 0.5 * w0[1], f"denial {fmt(w0)} -> {fmt(w1)} without both"


# ---------------------------------------------------------------------------------------
# Fact 3: "only Russia and China" take part in the Sino-Russian exercise
# (calibration target)
# ---------------------------------------------------------------------------------------
SRE = "sino_russian_exercise"


def participant_sets(r, proposal, year):
    """Counter of the sets of members taking part (passed runs), 'not held' otherwise."""
    t, p = idx(r, proposal, year=year)
    ok = passed_runs(r)[:, t, p]
    tab = r.runs.outcome[:, t, p] != r.outcome_index("not_tabled")
    joined = (r.runs.flags[:, t, p, :] & flag_bit(r, "joined")) > 0
    names = np.array(r.agents)
    counts = {}
    for row, held, on in zip(joined, ok, tab):
        if not on:
            continue
        key = "+".join(sorted(names[row])) if held else "(not held)"
        counts[key] = counts.get(key, 0) + 1
    return counts, int(tab.sum())


def test_f3_only_russia_and_china_is_the_most_likely_set(base):
    counts, n = participant_sets(base, SRE, first_year(base))
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    note("f3", baseline_top=[(k, wilson(v, n)) for k, v in ranked[:4]])
    assert ranked[0][0] == "CHN+RUS", f"most likely sets: {ranked[:4]} of {n}"
    w1, w2 = wilson(ranked[0][1], n), wilson(ranked[1][1], n)
    assert w1[1] > w2[2], f"CHN+RUS {fmt(w1)} vs {ranked[1][0]} {fmt(w2)}"


def test_f3_follows_from_remote_stakes(sim, base):
    y = first_year(base)
    c0, n0 = participant_sets(base, SRE, y)
    c1, n1 = participant_sets(sim.run(BASE, "dynamics.remote_stake=1", per_run=True), SRE, y)
    ranked = sorted(c1.items(), key=lambda kv: -kv[1])
    k0, k1 = c0.get("CHN+RUS", 0), c1.get("CHN+RUS", 0)
    note("f3", remote_stake1_top=[(k, wilson(v, n1)) for k, v in ranked[:3]],
         remote_stake1_chn_rus=wilson(k1, n1), chn_rus_change=newcombe(k1, n1, k0, n0))
    assert ranked[0][0] != "CHN+RUS"
    assert wilson(k1, n1)[2] < wilson(ranked[0][1], n1)[1], \
        f"CHN+RUS {k1}/{n1} is not clearly below the mode {ranked[0]}"
    assert newcombe(k1, n1, k0, n0)[2] < 0


# ---------------------------------------------------------------------------------------
# Fact 4: the Afghan buffer plan stalls while uncertainty is high
# (calibration target: wait_value 2.5 was set so that it holds)
# ---------------------------------------------------------------------------------------
AFG = "afghan_buffer_plan"


def test_f4_afghan_plan_mostly_stalls(base):
    y = first_year(base)
    n = tabled(base, AFG, y)
    deferred = wilson(outcome_k(base, AFG, y, "deferred"), n)
    others = {o: wilson(outcome_k(base, AFG, y, o), n) for o in base.outcomes
              if o not in ("deferred", "not_tabled")}
    waited = {a: wilson(flag_k(base, AFG, y, a, "waited"), n) for a in base.agents}
    note("f4", baseline_deferred=deferred, baseline_passed=wilson(passed_k(base, AFG, y), n),
         baseline_waited={a: w for a, w in waited.items() if w[0] > 0})
    assert deferred[1] > 0.5, f"deferred in {fmt(deferred)}"
    for o, w in others.items():
        assert deferred[1] > w[2], f"deferred {fmt(deferred)} is not above {o} {fmt(w)}"


def test_f4_stall_follows_from_the_value_of_waiting(sim, base):
    y = first_year(base)
    cf = sim.run(BASE, "dynamics.wait_value=0")
    k0, n0 = passed_k(base, AFG, y), tabled(base, AFG, y)
    k1, n1 = passed_k(cf, AFG, y), tabled(cf, AFG, y)
    d = newcombe(k1, n1, k0, n0)
    note("f4", wait_value0_passed=wilson(k1, n1), wait_value0_rise=d)
    assert d[1] >= 0.3, f"passes {k0}/{n0} -> {k1}/{n1} with wait_value 0: rise {d}"


def test_f4_drawdown_passes_more_often_in_later_summits(sim, base):
    dd = sim.run(SCENARIOS / "afghanistan_drawdown.yaml")
    rows = {}
    for year in base.periods[2:]:  # from the third summit: the drawdown's shocks have begun
        k0, n0 = passed_k(base, AFG, year), tabled(base, AFG, year)
        k1, n1 = passed_k(dd, AFG, year), tabled(dd, AFG, year)
        rows[int(year)] = (wilson(k0, n0), wilson(k1, n1), newcombe(k1, n1, k0, n0))
    fa0, fa1 = first_adoption(base, AFG), first_adoption(dd, AFG)
    ever = newcombe(fa1[:-1].sum(), fa1.sum(), fa0[:-1].sum(), fa0.sum())
    note("f4", drawdown_by_summit=rows, adopted_by_last_summit_rise=ever,
         drawdown_adopted_by_last_summit=wilson(fa1[:-1].sum(), fa1.sum()),
         baseline_adopted_by_last_summit=wilson(fa0[:-1].sum(), fa0.sum()))
    for year, (w0, w1, d) in rows.items():
        assert d[1] > 0, f"{year}: baseline {fmt(w0)}, drawdown {fmt(w1)}"


# ---------------------------------------------------------------------------------------
# Fact 5: the development bank is blocked by Russia's veto (calibration target)
# ---------------------------------------------------------------------------------------
BANK = "development_bank"


def test_f5_development_bank_blocked_by_russia(base):
    y = first_year(base)
    t, p = idx(base, BANK, year=y)
    n = tabled(base, BANK, y)
    blocked = base.runs.outcome[:, t, p] == base.outcome_index("blocked")
    veto = (base.runs.flags[:, t, p, :] & flag_bit(base, "veto")) > 0
    rus = veto[:, base.agent_index("RUS")]
    wb = wilson(int(blocked.sum()), n)
    wr = wilson(int((blocked & rus).sum()), int(blocked.sum()))
    others = {a: int((blocked & veto[:, i]).sum()) for i, a in enumerate(base.agents) if a != "RUS"}
    note("f5", baseline_blocked=wb, rus_veto_given_blocked=wr, other_vetoes_when_blocked=others)
    assert wb[1] > 0.5, f"blocked in {fmt(wb)}"
    assert wr[1] >= 0.9, f"Russia vetoes in {fmt(wr)} of the blocked runs"


def test_f5_bank_passes_when_russia_cares_less(sim, base):
    y = first_year(base)
    cf = sim.run(BASE, "agents.RUS.salience.economic_integration=0.1")
    k0, n0 = passed_k(base, BANK, y), tabled(base, BANK, y)
    k1, n1 = passed_k(cf, BANK, y), tabled(cf, BANK, y)
    w1, d = wilson(k1, n1), newcombe(k1, n1, k0, n0)
    note("f5", salience01_passed=w1, salience01_rise=d,
         baseline_passed=wilson(k0, n0))
    assert w1[1] > 0.5, f"passes in {fmt(w1)} with RUS salience 0.1"
    assert d[1] > 0.3, f"rise {d}"


# ---------------------------------------------------------------------------------------
# Fact 6: dialogue and Uzbek-Tajik tension
# ---------------------------------------------------------------------------------------
def tension_effect(sim, base):
    """Per run (same seed, so the same draws): final TJK-UZB tension without dialogue
    minus with dialogue."""
    nd = sim.run(SCENARIOS / "no_dialogue.yaml", per_run=True, tension=True)
    k = base.pair_index("TJK-UZB")
    return nd.runs.tension[:, -1, k].astype(float) - base.runs.tension[:, -1, k].astype(float)


def test_f6_dialogue_lowers_mean_tension(sim, base):
    d = tension_effect(sim, base)
    m = mean_ci(d)
    note("f6", mean_effect=m, effect_quantiles=dict(zip(
        ("q00", "q05", "q50", "q95", "q100"),
        np.quantile(d, [0, 0.05, 0.5, 0.95, 1]).round(4).tolist())))
    assert m[1] > 0, f"mean (no dialogue - dialogue) final tension {m}"


def test_f6_effect_distribution_includes_zero(sim, base):
    """The article doubts that dialogue de-escalated anything, so the baseline's
    dialogue_rate is uncertain with mass at no effect (beta(0.5, 3)): in at least 5% of
    the runs the forum changes the final tension by less than 0.01 (two bins of the
    summary's tension histogram). With a fixed rate the effect never came near zero
    (5% quantile 0.393 at dialogue_rate 0.15), so this fails if the doubt is dropped."""
    d = tension_effect(sim, base)
    q05, q95 = np.quantile(d, [0.05, 0.95])
    note("f6", effect_q05=float(q05), effect_q95=float(q95))
    assert q05 <= 0.01 < q95, f"90% of the per-run effects lie in [{q05:.4f}, {q95:.4f}]"


def test_f6_dialogue_does_not_move_every_contested_decision(sim, base):
    """The test does not assume that dialogue helps decisions: it fails only if every
    contested decision moves."""
    nd = sim.run(SCENARIOS / "no_dialogue.yaml", per_run=True, tension=True)
    moved, items = [], []
    for t, year in enumerate(base.periods):
        for p, pid in enumerate(base.proposals):
            n0, n1 = int(base.tabled[0, t, p]), int(nd.tabled[0, t, p])
            if min(n0, n1) < 200:
                continue
            k0, k1 = int(base.passed[0, t, p]), int(nd.passed[0, t, p])
            if not 0.02 < k0 / n0 < 0.98:
                continue
            d = newcombe(k1, n1, k0, n0)
            items.append((pid, int(year), round(d[0], 4)))
            if d[1] > 0 or d[2] < 0:
                moved.append((pid, int(year), d))
    note("f6", contested_items=len(items), moved=moved,
         largest_change=max(items, key=lambda x: abs(x[2])) if items else None)
    assert items, "no contested decision to compare"
    assert len(moved) < len(items), f"every contested decision moved: {moved}"


# ---------------------------------------------------------------------------------------
# Fact 7: admitting India and Pakistan vs admitting two neutral members
# ---------------------------------------------------------------------------------------
def _section(lines, key):
    """[start, end) of the top-level key's block."""
    start = next((i for i, l in enumerate(lines) if re.match(rf"^{key}:", l)), None)
    assert start is not None, f"the baseline has no top-level '{key}:'"
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^[A-Za-z_]", lines[i])),
               len(lines))
    return start, end


def _agent_blocks(lines, start, end):
    """{id: (first line, end)} of the agent entries between start and end."""
    heads = [(i, m.group(1)) for i in range(start, end)
             if (m := re.match(r"^\s*- id:\s*(\w+)", lines[i]))]
    return {a: (i, heads[k + 1][0] if k + 1 < len(heads) else end)
            for k, (i, a) in enumerate(heads)}


def derived_copy(text, neutral=False, deterministic=False, admit=True):
    """A full copy of the baseline text. neutral: IND and PAK are replaced by KZA and KZB,
    copies of Kazakhstan (preferences, threats, region, relations, susceptibility) with the
    capability of India and Pakistan. admit: the two join before the first summit, as in
    expansion_sco8. deterministic: the deterministic choice rule."""
    lines = text.splitlines()
    if neutral:
        a0, a1 = _section(lines, "agents")
        blocks = _agent_blocks(lines, a0, a1)
        kaz = lines[slice(*blocks["KAZ"])]

        def clone(new_id, old_id):
            old = lines[slice(*blocks[old_id])]
            cap = next(m.group(1) for l in old
                       if (m := re.match(r"^\s*capability:\s*([^#\s]+)", l)))
            out = []
            for l in kaz:
                if re.match(r"^\s*- id:\s*KAZ", l):
                    l = l.replace("KAZ", new_id)
                elif re.match(r"^\s*name:", l):
                    ind = l[: len(l) - len(l.lstrip())]
                    out.append(f"{ind}name: Kazakhstan-like member {new_id}")
                    l = f"{ind}role: observer"
                elif re.match(r"^\s*capability:", l):
                    l = re.sub(r"capability:\s*[^#\s]+", f"capability: {cap}", l)
                out.append(l)
            return out

        new = []
        order = sorted(blocks.items(), key=lambda kv: kv[1][0])
        new += lines[:order[0][1][0]]
        for a, (i, j) in order:
            if a == "IND":
                new += clone("KZA", "IND")
            elif a == "PAK":
                new += clone("KZB", "PAK")
            else:
                new += lines[i:j]
        new += lines[a1:]
        lines = new
        r0, r1 = _section(lines, "relations")
        rel = []
        for l in lines[r0:r1]:
            m = re.match(r"^(\s*- \[)(\w+),\s*(\w+),(.*)$", l)
            if m and ({m.group(2), m.group(3)} & {"IND", "PAK"}):
                continue
            rel.append(l)
            if m and "KAZ" in (m.group(2), m.group(3)):
                other = m.group(3) if m.group(2) == "KAZ" else m.group(2)
                for cid in ("KZA", "KZB"):
                    rel.append(f"{m.group(1)}{cid}, {other},{m.group(4)}")
        lines = lines[:r0] + rel + lines[r1:]
        lines = [re.sub(r"admit:\s*\[IND,\s*PAK\]", "admit: [KZA, KZB]", l) for l in lines]
        code = "\n".join(l.split("#", 1)[0] for l in lines)
        left = re.findall(r"\b(IND|PAK)\b", code)
        assert not left, f"the neutral copy still names {set(left)}"
    if deterministic:
        m0, _ = _section(lines, "model")
        assert "choice: logit" in lines[m0], f"cannot set the choice rule in: {lines[m0]}"
        lines[m0] = lines[m0].replace("choice: logit", "choice: deterministic")
    if admit:
        assert not any(re.match(r"^shocks:", l) for l in lines), "the baseline has shocks"
        pair = "KZA, KZB" if neutral else "IND, PAK"
        lines += ["shocks:", f"  - {{period: {first_year_of(text)}, admit: [{pair}]}}"]
    return "\n".join(lines) + "\n"


def first_year_of(text):
    m = re.search(r"^periods:\s*\{first:\s*(\d+)", text, re.M)
    assert m, "cannot read periods.first from the baseline"
    return int(m.group(1))


@pytest.fixture(scope="module")
def expansion(sim):
    text = BASE.read_text()
    files = {"sco8_copy": derived_copy(text),
             "neutral": derived_copy(text, neutral=True),
             "sco8_det": derived_copy(text, deterministic=True),
             "neutral_det": derived_copy(text, neutral=True, deterministic=True)}
    runs = {k: sim.run(sim.write(f"{k}.yaml", v)) for k, v in files.items()}
    runs["sco8"] = sim.run(SCENARIOS / "expansion_sco8.yaml")
    return runs


def contested(base):
    """Non-membership proposals tabled in every run at the first summit whose baseline
    pass probability there is below 0.99."""
    out = []
    for p, pid in enumerate(base.proposals):
        if base.kinds[p] == "membership":
            continue
        n = int(base.tabled[0, 0, p])
        if n == base.n_runs and base.passed[0, 0, p] / n < 0.99:
            out.append(pid)
    return out


def test_f7_full_copy_reproduces_expansion_sco8(expansion):
    """The copies below are made the way expansion_sco8 is: same runs, same numbers."""
    a, b = expansion["sco8_copy"], expansion["sco8"]
    assert np.array_equal(a.raw["outcome_counts"], b.raw["outcome_counts"])


def mean_pass(r, props, year):
    """Mean pass probability over props at a summit, with its 95% interval."""
    ps = [passed_k(r, p, year) / tabled(r, p, year) for p in props]
    var = sum(p * (1 - p) / tabled(r, q, year) for p, q in zip(ps, props)) / len(ps) ** 2
    return float(np.mean(ps)), var


def test_f7_india_and_pakistan_lower_contested_pass_rates_more_than_neutral_members(base,
                                                                                     expansion):
    props = contested(base)
    assert props, "no contested proposal at the first summit"
    y = first_year(base)
    m0, v0 = mean_pass(base, props, y)
    m8, v8 = mean_pass(expansion["sco8"], props, y)
    mn, vn = mean_pass(expansion["neutral"], props, y)
    d = mn - m8
    h = Z * math.sqrt(v8 + vn)
    runs = {"base": base, "sco8": expansion["sco8"], "neutral": expansion["neutral"]}
    per = {p: {k: wilson(passed_k(r, p, y), tabled(r, p, y)) for k, r in runs.items()}
           for p in props}
    note("f7", contested=props, mean_pass={"base": m0, "sco8": m8, "neutral": mn},
         neutral_minus_sco8=(d, d - h, d + h), per_proposal=per)
    assert d - h > 0, (f"mean pass over {props}: base {m0:.4f}, IND+PAK {m8:.4f}, "
                       f"neutral {mn:.4f}; neutral - IND+PAK = {d:.4f} +- {h:.4f}")
    assert m8 + Z * math.sqrt(v8 + v0) < m0, "admitting India and Pakistan does not lower it"


def summits_to_adoption(r, props):
    """Sum over props of the mean number of summits before adoption (never = all of them)."""
    total, var = 0.0, 0.0
    for p in props:
        fa = first_adoption(r, p)
        m, lo, hi = hist_mean_ci(fa, np.arange(len(fa)))
        total += m
        var += ((hi - m) / Z) ** 2
    return total, var


def test_f7_deterministic_choice_india_and_pakistan_delay_adoption(base, expansion):
    props = contested(base)
    s8, v8 = summits_to_adoption(expansion["sco8_det"], props)
    sn, vn = summits_to_adoption(expansion["neutral_det"], props)
    l8, lv8 = summits_to_adoption(expansion["sco8"], props)
    ln, lvn = summits_to_adoption(expansion["neutral"], props)
    h = Z * math.sqrt(v8 + vn)
    note("f7", deterministic_summits_to_adoption={"sco8": s8, "neutral": sn, "ci_half": h},
         logit_summits_to_adoption={"sco8": l8, "neutral": ln,
                                    "ci_half": Z * math.sqrt(lv8 + lvn)},
         deterministic_per_proposal={p: {k: first_adoption(expansion[k], p).tolist()
                                         for k in ("sco8_det", "neutral_det")} for p in props})
    assert s8 - sn - h > 0, f"summits to adoption of {props}: IND+PAK {s8:.3f}, neutral {sn:.3f}"


# ---------------------------------------------------------------------------------------
# S1: contested texts take more summits to adoption, and are adopted late rather than
# never because the sponsor's last offer carries over (a calibration target since session 6)
# ---------------------------------------------------------------------------------------
def first_summit_split(base):
    """(contested, consensual) among the proposals tabled in every run at the first summit."""
    c, s = [], []
    for p, pid in enumerate(base.proposals):
        n = int(base.tabled[0, 0, p])
        if n != base.n_runs:
            continue
        (c if base.passed[0, 0, p] / n < 0.9 else s).append(pid)
    return c, s


def delay_given_adopted(r, pid):
    fa = first_adoption(r, pid)
    return hist_mean_ci(fa[:-1], np.arange(len(fa) - 1))


def test_s1_contested_texts_take_more_summits_to_adoption(base):
    cont, cons = first_summit_split(base)
    assert cont and cons
    dc = {p: delay_given_adopted(base, p) for p in cont}
    ds = {p: delay_given_adopted(base, p) for p in cons}
    note("s1", contested=dc, consensual=ds)
    slowest_consensual = max(v[2] for v in ds.values())
    for p, v in dc.items():
        assert v[1] > slowest_consensual, f"{p}: {v} vs consensual {ds}"


def test_s1_late_adoption_follows_from_the_carried_offer(sim, base):
    """Contested texts blocked on substance at their first summit are adopted later because
    the sponsor's amended offer carries over; without amendment they stay blocked."""
    text = BASE.read_text()
    m0, _ = _section(text.splitlines(), "model")
    line = text.splitlines()[m0]
    assert "amendment: win_set" in line, line
    copy = text.replace(line, line.replace("amendment: win_set", "amendment: none"))
    noam = sim.run(sim.write("no_amendment.yaml", copy))
    y = first_year(base)
    rows = {}
    for p, pid in enumerate(base.proposals):
        n = tabled(base, pid, y)
        if base.kinds[p] == "membership" or n != base.n_runs:
            continue
        if outcome_k(base, pid, y, "blocked") / n <= 0.5:
            continue
        fa0, fa1 = first_adoption(base, pid), first_adoption(noam, pid)
        later0, later1 = fa0[1:-1].sum(), fa1[1:-1].sum()
        d = newcombe(later1, fa1[1:].sum(), later0, fa0[1:].sum())
        rows[pid] = (wilson(later0, fa0[1:].sum()), wilson(later1, fa1[1:].sum()), d)
    note("s1", later_adoption_if_not_first={k: {"base": v[0], "no_amendment": v[1], "change": v[2]}
                                            for k, v in rows.items()})
    assert rows, "no contested proposal blocked at its first summit"
    for pid, (w0, w1, d) in rows.items():
        assert w0[1] > 0.5, f"{pid}: adopted later in only {fmt(w0)} of the runs it failed first"
        assert d[2] < -0.5 * w0[0], \
            f"{pid}: later adoption {fmt(w0)} -> {fmt(w1)} without amendment"


# ---------------------------------------------------------------------------------------
# S2: a member that objects once is more likely to object again (a calibration target
# since session 6: the suite selected the port of the calibrated weights)
# ---------------------------------------------------------------------------------------
def excess_persistence(r, min_n=30):
    """Within each (proposal, member, summit t) among the runs in which the proposal failed
    at t and is tabled again at t+1: P(veto at t+1 | veto at t) - P(veto at t+1 | no veto
    at t), averaged with inverse-variance weights, and its standard error (strata treated
    as independent). Runs in which the text passed at t are left out: a text tabled again
    after an adoption is another text (the status quo has moved)."""
    veto = (r.runs.flags & flag_bit(r, "veto")) > 0
    tab = r.runs.outcome != r.outcome_index("not_tabled")
    ok = passed_runs(r)
    num = den = var = 0.0
    strata = 0
    for p in range(len(r.proposals)):
        for t in range(len(r.periods) - 1):
            sel = tab[:, t, p] & ~ok[:, t, p] & tab[:, t + 1, p]
            for i in range(len(r.agents)):
                x, y = veto[sel, t, p, i], veto[sel, t + 1, p, i]
                n1, n0 = int(x.sum()), int((~x).sum())
                if n1 < min_n or n0 < min_n:
                    continue
                a, b = y[x].mean(), y[~x].mean()
                w = 1.0 / (1.0 / n1 + 1.0 / n0)
                num += w * (a - b)
                den += w
                var += w * w * (a * (1 - a) / n1 + b * (1 - b) / n0)
                strata += 1
    assert strata, "no member vetoed a proposal that failed and was tabled again"
    return num / den, math.sqrt(var) / den, strata


def test_s2_objectors_object_again_because_incidents_persist(sim, base):
    """Persistence comes from the tension a run's incidents add, which stays in the run
    (China's tension with India, hence its vetoes of India's accession): without
    incidents it goes away. (With logit_precision 0, choices at random, it is 0 too: the
    measure itself makes no persistence.)"""
    e0, s0, n0 = excess_persistence(base)
    e1, s1, n1 = excess_persistence(sim.run(BASE, "dynamics.incident_rate=0", per_run=True))
    note("s2", baseline=(e0, e0 - Z * s0, e0 + Z * s0, n0),
         incident_rate0=(e1, e1 - Z * s1, e1 + Z * s1, n1))
    assert e0 - Z * s0 > 0.02, f"excess persistence {e0:.4f} +- {Z * s0:.4f}"
    assert abs(e1) + Z * s1 < 0.5 * (e0 - Z * s0), \
        f"without incidents: {e1:.4f} +- {Z * s1:.4f} vs baseline {e0:.4f}"


# ---------------------------------------------------------------------------------------
# S3: dilution rises with the spread of the veto holders' positions (a calibration target
# since session 6)
# ---------------------------------------------------------------------------------------
def test_s3_dilution_rises_with_the_spread_of_veto_holders(sim):
    """Russia's position on the bank's dimension moves from its baseline towards the text
    in two steps of a fifth of the way; the members' spread shrinks and so must the
    dilution of the bank at its first adoption."""
    params = params_listing(BASE)
    dim = "economic_integration"
    rus = float(params[f"agents.RUS.position.{dim}"][0])
    text = float(params[f"agenda.{BANK}.position.{dim}"][0])
    levels = [round(rus + k * (text - rus) / 5, 6) for k in range(3)]
    r = sim.sweep(BASE, f"agents.RUS.position.{dim}=" + ",".join(map(str, levels)), SWEEP_RUNS)
    p = r.proposal_index(BANK)
    ok = passed_runs(r)[:, :, p]
    first = np.where(ok.any(axis=1), ok.argmax(axis=1), -1)
    dil = r.runs.dilution[:, :, p]
    rows = []
    for k, lv in enumerate(levels):
        m = (r.runs.point == k) & (first >= 0)
        d = dil[m, first[m]]
        rows.append((lv, mean_ci(d), int(m.sum())))
    note("s3", levels=levels, dilution_at_first_adoption=rows)
    for (lv0, d0, _), (lv1, d1, _) in zip(rows, rows[1:]):
        assert d0[1] > d1[2], f"RUS at {lv0}: dilution {d0}; at {lv1}: {d1}"


# ---------------------------------------------------------------------------------------
# S4: the staged accession of India and Pakistan against the public record (out of
# sample: the stages' years were not used to set anything)
# ---------------------------------------------------------------------------------------
RECORD_YEARS = {"accession_procedure": 2015,   # Ufa summit: the procedure starts
                "accession_memorandum": 2016,  # Tashkent summit: memoranda signed
                "accession": 2017}             # Astana summit: admitted


@pytest.mark.xfail(strict=True, reason=(
    "measured at the session-22 port (the expected_value sponsor): first adoption by the "
    "record's year: procedure by 2015 in 28.9% of runs (before 2015: 14.6%), memorandum by "
    "2016 in 3.55%, accession by 2017 in 0.50% (by 2019: 2.73%); at the session-12 port "
    "(7b090c4) 24.2%, 2.23%, 0.24%; at the session-11 port (b6d4109) 23.1%, "
    "1.99%, 0.19%; at the session-8 port (9b1a73a) 19.1%, "
    "1.25%, 0.08%; at the session-6 port (93b42cc) 6.6%, "
    "0.13%, 0.005%; with the hand values (797cdab) 31.9%, "
    "4.5%, 0.7%. China (tension with India) and Uzbekistan veto the later stages near "
    "indifference, so the record's dates are tail events of the model"))
def test_s4_staged_accession_dates_are_not_tail_events(base):
    """The record's year of each stage lies within the central 90% of the model's
    distribution of its first adoption (never adopted counts as after the last summit)."""
    rows = {}
    for pid, year in RECORD_YEARS.items():
        fa = first_adoption(base, pid)
        t = base.period_index(year)
        n = int(fa.sum())
        rows[pid] = {"by_record_year": wilson(int(fa[:t + 1].sum()), n),
                     "before_record_year": wilson(int(fa[:t].sum()), n),
                     "by_last_summit": wilson(int(fa[:-1].sum()), n)}
    note("s4", stages=rows)
    for pid, w in rows.items():
        year = RECORD_YEARS[pid]
        assert w["by_record_year"][2] >= 0.05, \
            f"{pid}: adopted by {year} in {fmt(w['by_record_year'])}"
        assert w["before_record_year"][1] <= 0.95, \
            f"{pid}: adopted before {year} in {fmt(w['before_record_year'])}"
