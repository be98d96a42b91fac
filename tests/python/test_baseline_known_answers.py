"""Known answers at the committed baseline (scenarios/sco2014.yaml, the calibrated values as
they stand): limits in which the model's equations fix the outcome, checked on the real
scenario rather than a synthetic one (tests/core/test_known_answers.cpp checks the same
mechanisms on small scenarios). Review, session 11 (docs/calibration.md): what a change
of the calibrated values, or of the engine, could break without moving any pattern.

- wait_value 0: the spread of what waiting may reveal is 0, so the option value of
  waiting is 0 (model.md III.4.3) and no veto asks for time: no summit is deferred and no
  member is flagged `waited`.
- rounds 1, or amendment `none`: the sponsor amends only between rounds (III.4.4), so no
  text is ever amended and no offer below 1 is carried: nothing is diluted.
- objection_cost 10 (more than any member can lose from a text): objecting is never worth
  it, so no member vetoes; a failure can only be an opt-out project with too few members.
- logit_precision at its upper bound (1000) against deterministic choice: the logit's
  probabilities tend to the best option's indicator, so the two tables of outcomes (same
  seed) nearly coincide, and far more closely than at the baseline's precision.
- A text every member but its sponsor loses from by more than twice the objection cost is
  never adopted as tabled (III.4.8: only what every veto holder accepts passes).
Each check runs 400 runs (seed 7); under a second each.
"""
import numpy as np
import pytest

import sco_results
from conftest import ROOT, sco

BASE = ROOT / "scenarios" / "sco2014.yaml"
RUNS = 400
PASSED = ("adopted", "adopted_with_reservations", "coalition", "diluted")


def run(tmp_path, *sets, scenario=BASE, tag="r"):
    out = tmp_path / f"{tag}.h5"
    args = ["run", scenario, "-n", RUNS, "--seed", 7, "-o", out, "--force", "-q"]
    for s in sets:
        args += ["--set", s]
    sco(*args)
    return sco_results.load(out)


def variant(tmp_path, old, new, name):
    text = BASE.read_text()
    assert old in text, f"the baseline no longer says {old!r}"
    path = tmp_path / name
    path.write_text(text.replace(old, new))
    return path


def outcomes(r):
    """{outcome: count} over every summit and text of run-set 0."""
    oc = r.raw["outcome_counts"][0].sum(axis=(0, 1))
    return {o: int(k) for o, k in zip(r.outcomes, oc)}


def flags(r):
    fc = r.raw["flag_counts"][0]
    return {f: int(fc[..., r.flag_index(f)].sum()) for f in r.flags}


def test_without_a_value_of_waiting_nothing_is_deferred(tmp_path):
    base = run(tmp_path, tag="base")
    # the baseline defers (the Afghan plan mostly stalls: fact 4): the check is not vacuous
    assert outcomes(base)["deferred"] > 0 and flags(base)["waited"] > 0
    r = run(tmp_path, "dynamics.wait_value=0")
    assert outcomes(r)["deferred"] == 0
    assert flags(r)["waited"] == 0
    # the vetoes are still there, on substance
    assert outcomes(r)["blocked"] > 0


@pytest.mark.parametrize("how", ["rounds 1", "amendment none"])
def test_without_amendment_nothing_is_diluted(tmp_path, how):
    base = run(tmp_path, tag="base")
    assert outcomes(base)["diluted"] > 0
    if how == "rounds 1":
        r = run(tmp_path, "dynamics.rounds=1")
    else:
        r = run(tmp_path, scenario=variant(tmp_path, "amendment: win_set", "amendment: none",
                                           "none.yaml"))
    assert outcomes(r)["diluted"] == 0
    assert float(r.raw["dilution_sum"].sum()) == 0.0
    # texts still pass and fail
    got = outcomes(r)
    assert sum(got[o] for o in PASSED) > 0 and got["blocked"] > 0


def test_when_objecting_costs_more_than_any_loss_nobody_vetoes(tmp_path):
    r = run(tmp_path, "dynamics.objection_cost=10")
    f = flags(r)
    assert f["veto"] == 0 and f["objected"] == 0 and f["waited"] == 0
    got = outcomes(r)
    assert got["deferred"] == 0 and got["diluted"] == 0
    # a failure is only an opt-out project short of members (no veto flag on it)
    blocked = r.raw["outcome_counts"][0][..., r.outcome_index("blocked")]
    for t, p in zip(*np.nonzero(blocked)):
        assert r.proposals[p] in ("peace_mission_tjk", "sino_russian_exercise"), r.proposals[p]


def tv_per_cell(a, b):
    """Total variation between two runs' outcome distributions, per tabled (summit, text)."""
    x = a.raw["outcome_counts"][0].astype(float)
    y = b.raw["outcome_counts"][0].astype(float)
    return 0.5 * np.abs(x - y).sum(axis=-1) / RUNS


def test_logit_tends_to_deterministic_choice_as_precision_grows(tmp_path):
    det = run(tmp_path, scenario=variant(tmp_path, "choice: logit", "choice: deterministic",
                                         "det.yaml"), tag="det")
    at40 = run(tmp_path, "dynamics.logit_precision=40", tag="b40")
    at1000 = run(tmp_path, "dynamics.logit_precision=1000", tag="b1000")
    tv40, tv1000 = tv_per_cell(at40, det), tv_per_cell(at1000, det)
    # at the baseline's precision the noise matters (vetoes by noise, support by noise)
    assert tv40.sum() > 0.5
    # at 1000 only near-ties differ (a margin within a few thousandths of a utility unit).
    # The largest cell, measured at the session-22 port: the development bank in 2015 (9.25%
    # of runs), whose third-round text leaves Russia 0.003 short of its objection (join
    # -0.094 against object -0.097 in run 1's replay: p(object) 4.7% a run at precision
    # 1000); at the baseline's 40 the same cell differs by 52%.
    assert tv1000.sum() < tv40.sum() / 5
    assert tv1000.max() <= 0.1
    assert tv1000.max() < tv40.max() / 4


OPPOSED = """
  - id: opposed_text
    title: A text every member but its sponsor opposes (review 11)
    kind: plan
    sponsor: RUS
    position: {counter_terrorism_scope: 0.0, economic_integration: 0.0}
"""


def test_a_text_every_member_loses_from_is_never_adopted_as_tabled(tmp_path):
    # counter-terrorism scope 0.4 -> 0 alone costs every member but Russia 0.4 x a salience
    # of 0.5 or more (city-block loss, III.4): 0.2 or more, over twice the objection cost
    path = tmp_path / "opposed.yaml"
    path.write_text(BASE.read_text().rstrip("\n") + "\n" + OPPOSED)
    det = tmp_path / "opposed_det.yaml"
    det.write_text(path.read_text().replace("choice: logit", "choice: deterministic"))
    for tag, scen in (("logit", path), ("det", det)):
        r = run(tmp_path, scenario=scen, tag=tag)
        p = r.proposal_index("opposed_text")
        oc = r.raw["outcome_counts"][0, :, p, :].sum(axis=0)
        got = {o: int(k) for o, k in zip(r.outcomes, oc)}
        assert got["adopted"] == 0 and got["adopted_with_reservations"] == 0, (tag, got)
        assert got["blocked"] > 0.9 * RUNS * len(r.periods), (tag, got)
        passed = np.isin(r.runs.outcome[:, :, p], [r.outcome_index("diluted")])
        # what passes is a text cut to what every member accepts: far from the tabled text
        assert (r.runs.dilution[:, :, p][passed] >= 0.5).all(), tag


def test_the_sponsor_rule_acts_only_on_logit_choice_after_vetoes(tmp_path):
    """The `expected_value` sponsor (model.md III.4.5; the baseline's since session 22) reads
    refusals under logit choice only: under deterministic choice it is the `likely` rule (the
    code's default), dataset for dataset; under logit
    choice it changes the baseline's outcomes (the check is not vacuous). The file records
    the rule."""
    def rule_variant(choice, rule, name):
        old = "model: {choice: logit, amendment: win_set, pressure: enabled, sponsor: expected_value}"
        new = f"model: {{choice: {choice}, amendment: win_set, pressure: enabled, sponsor: {rule}}}"
        return variant(tmp_path, old, new, name)

    det = {rule: run(tmp_path, scenario=rule_variant("deterministic", rule, f"d-{rule}.yaml"),
                     tag=f"d-{rule}") for rule in ("likely", "expected_value")}
    for name in ("outcome_counts", "flag_counts"):
        assert np.array_equal(det["likely"].raw[name], det["expected_value"].raw[name]), name
    assert np.array_equal(det["likely"].runs.outcome, det["expected_value"].runs.outcome)
    logit = {rule: run(tmp_path, scenario=rule_variant("logit", rule, f"l-{rule}.yaml"),
                       tag=f"l-{rule}") for rule in ("likely", "expected_value")}
    assert not np.array_equal(logit["likely"].runs.outcome, logit["expected_value"].runs.outcome)
    assert logit["expected_value"].provenance["variant_sponsor"] == "expected_value"
    assert logit["likely"].provenance["variant_sponsor"] == "likely"
