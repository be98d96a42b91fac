"""`--resume` is safe to repeat (issue 13, item 5): a sweep killed with SIGKILL at several
moments and resumed each time ends with the same file as an uninterrupted sweep; resuming
it once more (what a Slurm requeue of a finished task does) prints that it is complete and
exits 0 without touching the file; the same for a shard and for `run --resume`. An output
of another sweep or run is still refused with exit 2.

What is compared (assert_same_results, shared with test_sweep_cli.py and test_slurm.py):
every group and dataset name, every dataset's dtype, shape and bytes (NaN included), every
attribute of every group and dataset, and every root attribute except `command_line`,
`created`, `merged_from` and `merged_by`: those record how and when the file was made (the
resumed command line carries `--resume`, the merge time differs, and the merged parts
live in another temporary folder), not what the sweep computed.

The kills are placed by watching the parts folder (OUTPUT.parts/), not by sleeping: before
any part is complete, after the first part, after half of them, and once all of them are
complete (in the final merge, or just after it if the merge was faster than the poll)."""
import os
import signal
import subprocess
import time

import pytest

from conftest import ROOT, sco_bin
from test_sweep_cli import assert_same_results

BASE = str(ROOT / "scenarios" / "sco2014.yaml")
SMALL = str(ROOT / "tests" / "data" / "scenario" / "small.yaml")
# The killed sweep: the small test scenario, whose runs cost a seventh of the baseline's
# (what is checked, the parts, the resume and the merge, does not depend on the scenario;
# docs/robustness.md, "CI time").
GRID = ["--vary", "agents.UZB.military_reluctance=0.2:0.8:3", "--vary", "relations.tension.KAZ-UZB=0.1:0.5:2"]
POINTS = 6
BASE_GRID = ["--vary", "agents.UZB.military_reluctance=0.2:0.8:3",
             "--vary", "relations.tension.TJK-UZB=0.1:0.5:2"]
# 50,000 runs a point: the local sweep then puts every point in its own part
# (sim/experiment/sweep.cpp, sweep_parts: at least 50,000 runs, at most 256 parts), 6 parts
# in all, each about 0.2 CPU s in a release build, 40 of the 5 ms polls of kill_when.
RUNS = 50000
SEED = 11
HANG = 600  # seconds: a guard against a hang that fails the test, not a timing assertion


def sweep_cmd(out, *extra, runs=RUNS, scenario=SMALL, grid=GRID):
    return [sco_bin(), "sweep", scenario, *grid, "-n", str(runs), "--seed", str(SEED), "--summary-only",
            "-j", "2", "-o", str(out), *extra]


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=HANG)


def ok(proc, what):
    assert proc.returncode == 0, f"{what} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def complete_parts(parts):
    """Part files that are complete: written under a hidden temporary name and renamed."""
    if not parts.exists():
        return []
    return sorted(p.name for p in parts.iterdir() if p.name.startswith("points-") and p.name.endswith(".h5"))


def kill_when(cmd, ready, what):
    """Starts cmd, SIGKILLs it as soon as ready() holds; returns whether the kill landed
    while it ran (False if it finished first)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + HANG
    while proc.poll() is None and not ready():
        assert time.monotonic() < deadline, f"{what}: the sweep neither progressed nor ended"
        time.sleep(0.005)
    proc.kill()
    out, err = proc.communicate(timeout=60)
    # Whether the kill landed is read from the exit status, not from poll() before it: a
    # SIGKILL sent while the process is already exiting (ASan's exit path is long) is
    # ignored and the status is 0 (stop 34's CI, test_sweep_cli).
    assert proc.returncode in (0, -signal.SIGKILL), f"{what}: exit {proc.returncode}\n{out}\n{err}"
    return proc.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted") / "r.h5"
    ok(run(sweep_cmd(out, "-q")), "the uninterrupted sweep")
    return out


def test_killed_resumed_and_resumed_again(uninterrupted, tmp_path):
    out = tmp_path / "r.h5"
    parts = tmp_path / "r.h5.parts"
    cmd = sweep_cmd(out)
    log = []
    # 1. before any part is complete: the parts folder exists, no part in it yet.
    landed = kill_when(cmd, parts.exists, "kill 1")
    log.append(("parts folder made", landed, complete_parts(parts)))
    assert landed, "the first kill should land before the first part is complete"
    assert not out.exists()
    # 2. after the first part, 3. after half of the parts: each on a resumed sweep.
    for need in (1, POINTS // 2):
        before = len(complete_parts(parts))
        landed = kill_when(cmd + ["--resume"], lambda: len(complete_parts(parts)) >= max(need, before + 1),
                           f"kill at {need} parts")
        log.append((f">= {need} parts", landed, complete_parts(parts)))
        if not landed:
            break
        assert not out.exists(), "the output appears only once the sweep is merged"
    # 4. once every part is complete: the kill lands in the merge, or just after it.
    if not out.exists():
        landed = kill_when(cmd + ["--resume"], lambda: len(complete_parts(parts)) == POINTS or out.exists(),
                           "kill in the merge")
        log.append(("all parts", landed, complete_parts(parts)))
    print("kills (moment, landed while running, complete parts after):", *log, sep="\n  ")
    kept = len(complete_parts(parts))
    if not out.exists():
        res = ok(run(cmd + ["--resume"]), "--resume after the kills")
        assert f"resumed: {kept} of {POINTS} parts were complete" in res.stdout, res.stdout
    assert out.exists()
    assert not parts.exists(), "the parts folder is removed once the sweep is merged"
    assert_same_results(out, uninterrupted)

    # Resumed again after completion: exit 0, says so, the file is untouched.
    before = (out.stat().st_mtime_ns, out.read_bytes())
    again = ok(run(cmd + ["--resume"]), "--resume of a complete sweep")
    assert "already complete; nothing to do" in again.stdout, again.stdout
    assert (out.stat().st_mtime_ns, out.read_bytes()) == before
    assert not parts.exists()


def test_resume_of_a_complete_sweep_removes_parts_a_late_kill_left(uninterrupted, tmp_path):
    # A SIGKILL between the final rename and the removal of the parts folder leaves both.
    out = tmp_path / "r.h5"
    out.write_bytes(uninterrupted.read_bytes())
    parts = tmp_path / "r.h5.parts"
    parts.mkdir()
    (parts / "points-00000000-00000000.h5").write_bytes(b"left over")
    res = ok(run(sweep_cmd(out, "--resume")), "--resume over a complete sweep with leftover parts")
    assert "already complete" in res.stdout
    assert not parts.exists()
    assert out.read_bytes() == uninterrupted.read_bytes()


def test_resume_refuses_a_complete_output_of_another_sweep(uninterrupted, tmp_path):
    out = tmp_path / "r.h5"
    out.write_bytes(uninterrupted.read_bytes())
    res = run(sweep_cmd(out, "--resume", runs=RUNS + 1))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "another sweep" in res.stderr and str(out) in res.stderr, res.stderr
    assert "already complete" not in res.stdout
    assert out.read_bytes() == uninterrupted.read_bytes()


def test_a_killed_shard_resumed_then_resumed_again(tmp_path):
    # The baseline (a shard of 2 points x 4000 runs, about 0.3 s): long enough for the kill
    # to land while it runs.
    runs = 4000
    base = dict(scenario=BASE, grid=BASE_GRID)
    ref = tmp_path / "ref.h5"
    ok(run(sweep_cmd(ref, "--shard", "2/3", "-q", runs=runs, **base)), "the uninterrupted shard")
    out = tmp_path / "s.h5"
    cmd = sweep_cmd(out, "--shard", "2/3", runs=runs, **base)
    # The shard is written under a hidden temporary name: kill once it exists.
    landed = kill_when(cmd + ["--resume"],
                       lambda: any(p.name.startswith(".s.h5.tmp-") for p in tmp_path.iterdir()), "shard kill")
    assert landed, "the kill should land while the shard runs"
    assert not out.exists(), "a killed shard leaves no file at the output"
    ok(run(cmd + ["--resume"]), "--resume of the killed shard")
    assert_same_results(out, ref)
    before = (out.stat().st_mtime_ns, out.read_bytes())
    again = ok(run(cmd + ["--resume"]), "--resume of a complete shard")
    assert "already complete; nothing to do" in again.stdout, again.stdout
    assert (out.stat().st_mtime_ns, out.read_bytes()) == before
    other = run(sweep_cmd(out, "--shard", "2/3", "--resume", runs=runs + 1, **base))
    assert other.returncode == 2 and "another sweep" in other.stderr, other.stdout + other.stderr


# ---- run --resume: the run identity is the file's sweep_id --------------------------
SMALL = str(ROOT / "tests" / "data" / "scenario" / "small.yaml")


def run_cmd(out, *extra, runs=300, seed=5):
    return [sco_bin(), "run", SMALL, "-n", str(runs), "--seed", str(seed), "-o", str(out), *extra]


def test_run_resume(tmp_path):
    out = tmp_path / "r.h5"
    first = ok(run(run_cmd(out, "--resume")), "run --resume without an output")  # runs
    assert "wrote" in first.stdout
    plain = tmp_path / "plain.h5"
    ok(run(run_cmd(plain)), "run")
    assert_same_results(out, plain)
    before = out.read_bytes()
    again = ok(run(run_cmd(out, "--resume")), "run --resume of a complete run")
    assert "already complete; nothing to do" in again.stdout, again.stdout
    assert out.read_bytes() == before
    # The thread count is not part of the identity: the results do not depend on it.
    ok(run(run_cmd(out, "--resume", "-j", "1")), "run --resume with another thread count")
    # Each of these changes what the results are: another run, refused.
    for other in (run_cmd(out, "--resume", seed=6), run_cmd(out, "--resume", runs=301),
                  run_cmd(out, "--resume", "--summary-only"),
                  run_cmd(out, "--resume", "--set", "dynamics.rounds=2")):
        res = run(other)
        assert res.returncode == 2, f"{other}: exit {res.returncode}\n{res.stdout}\n{res.stderr}"
        assert "another run" in res.stderr and str(out) in res.stderr, res.stderr
        assert out.read_bytes() == before


def test_run_resume_refuses_a_sweep_output(uninterrupted, tmp_path):
    out = tmp_path / "r.h5"
    out.write_bytes(uninterrupted.read_bytes())
    res = run([sco_bin(), "run", BASE, "-n", "100", "-o", str(out), "--resume"])
    assert res.returncode == 2, res.stdout + res.stderr
    assert "not the output of this run" in res.stderr, res.stderr
    assert out.read_bytes() == uninterrupted.read_bytes()
