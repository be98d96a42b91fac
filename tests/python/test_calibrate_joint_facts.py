"""A required fact is one event, not a list of independent statements (session 6's review,
docs/calibration.md, "Review, session 6", findings 2 and 7; "The acceptance rule").

`calibrate --require S:E` keeps a point when, for each event of E, the share of the point's
runs in which ALL the event's observations hold together reaches the level (0.5). Before,
each observation was judged alone, and a fact whose observations never hold together in any
run could be "held": on the known-answer scenario (tests/data/calibration/known_answer.yaml),
the plan t00 passing and its sponsor AAA staying out of it are each true in half the runs
where the plan passes in half, but never together (a principal never stays out of what
passes). The first test shows that each half alone is held by many points (so the last test
can fail: it did, as a strict xfail, until --require judged events); the last, that no point
holds the fact, and that calibrate then says the posterior is empty (finding 7).
About 2 s of CPU.
"""
import h5py
import pytest

from conftest import ROOT, sco, write_pass_events

SCENARIO = ROOT / "tests" / "data" / "calibration" / "known_answer.yaml"


def required(path, observed):
    path.write_text("\n".join([
        "format: sco-sim-events/1", "name: required", "events:",
        "  - id: R1", "    year: 2014", "    proposal: t00", "    confidence: high",
        "    source: test", "    observed:"] + [f"      {o}" for o in observed]) + "\n")
    return path


def n_feasible(tmp_path, name, observed, empty=False):
    """Feasible points of a rejection calibration of the objection cost (200 prior points,
    2 runs each: a point holds an event when one of its two runs gives all its observations);
    `empty`: calibrate must say that the posterior is empty."""
    record = write_pass_events(tmp_path / "record.yaml",
                               [(k, k % 5 < 3) for k in range(40)], "record", "test")
    req = required(tmp_path / f"req_{name}.yaml", observed)
    out = tmp_path / f"cal_{name}.h5"
    proc = sco("calibrate", SCENARIO, record, "--require", f"{SCENARIO}:{req}",
               "--vary", "dynamics.objection_cost=0:0.3", "--points", 200, "-n", 2, "--seed", 3,
               "-q", "-o", out, "--force", check=False)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f:
        warning = f["calibration"].attrs["warning"]
        warning = warning.decode() if isinstance(warning, bytes) else str(warning)
        assert ("the posterior is empty" in warning) == empty, warning
        return int(f["calibration/n_feasible"][()][-1])


def test_each_observation_alone_is_held_by_many_points(tmp_path):
    """The two halves of the impossible fact, each required alone: many points hold each
    (one of the two runs passes, or fails), which is why judging the halves one by one held
    the fact at many points (51 of 200 before the change)."""
    assert n_feasible(tmp_path, "passed", ["passed: true"]) > 50
    assert n_feasible(tmp_path, "out", ["stayed_out: [AAA]"]) > 50


def test_a_fact_no_run_holds_keeps_no_point(tmp_path):
    """The plan passing with its sponsor staying out: no run gives both (a principal never
    stays out of what passes), so no point holds the fact; the posterior is empty, which
    calibrate says after writing the file of the points."""
    assert n_feasible(tmp_path, "both", ["passed: true", "stayed_out: [AAA]"], empty=True) == 0


def test_a_fact_some_runs_hold_is_judged_on_its_joint_share(tmp_path):
    """The plan passing with its sponsor taking part: the same share of runs as the plan
    passing alone (a principal always takes part in what passes), so the same points hold
    the event as hold `passed: true` alone."""
    both = n_feasible(tmp_path, "joint", ["passed: true", "took_part: [AAA]"])
    assert both == n_feasible(tmp_path, "passed", ["passed: true"])
