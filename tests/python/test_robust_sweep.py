"""Sweeps interrupted by signals, a full disk for run and merge, and absurd requests.

- SIGINT / SIGTERM of `sweep`: exit 130 / 143, the finished parts stay in OUTPUT.parts
  for --resume, nothing at the output path, no temporary file anywhere.
- A full disk (a 128 KiB tmpfs, mounted here; skipped where mounting is not allowed):
  `run` and `merge` fail with a clear message (exit 1 or 2) and leave nothing at the
  output path.
- Absurd requests are refused up front, with the numbers: more runs than the disk can
  hold, -n -5, -j 10000, a sweep of 10^9 points.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, SMALL, sco_bin

BASE = ROOT / "scenarios" / "sco2014.yaml"
CRASH = ("terminate called", "what():", "Assertion", "HDF5-DIAG", "Segmentation fault",
         "AddressSanitizer", "runtime error:")


def run(*args, cwd=None, timeout=600):
    return subprocess.run([sco_bin(), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, errors="replace")


def no_crash(proc, what):
    assert proc.returncode >= 0, f"{what}: killed by signal {-proc.returncode}:\n{proc.stderr}"
    for bad in CRASH:
        assert bad not in proc.stderr, f"{what}: {bad!r}:\n{proc.stderr}"


def finished_parts(parts):
    return sorted(p.name for p in parts.glob("points-*.h5")) if parts.exists() else []


# ------------------------------------------------------------------ signals

# 4 points of 50000 runs: one point per part (50,000 / 50,000 points a part,
# sim/experiment/sweep.cpp, sweep_parts). The small test scenario: a part takes about
# 0.2 s here (longer under ASan), so after the first part the signal, sent within one
# 5 ms poll, has 3 parts' time to land; the baseline took 7 times as long for the same
# check (docs/robustness.md, "CI time").
SWEEP = ["sweep", SMALL, "--vary", "agents.UZB.military_reluctance=0.2:0.8:4", "-n", 50000,
         "--seed", 3, "--summary-only", "-j", 1, "-q"]


@pytest.mark.parametrize("sig,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_a_sweep_and_keeps_the_finished_parts(tmp_path, sig, status):
    out = tmp_path / "sweep.h5"
    parts = tmp_path / "sweep.h5.parts"
    proc = subprocess.Popen([sco_bin(), *map(str, SWEEP), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait for the first finished part (the sweep ending first fails the test; a hang is
    # caught by ctest's timeout, not by a clock here).
    while not finished_parts(parts):
        assert proc.poll() is None, f"the sweep ended before a part was done: {proc.communicate()}"
        time.sleep(0.005)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before the signal arrived (machine too fast)")
    assert proc.returncode == status, err
    assert "interrupted" in err and "--resume" in err, err
    for bad in CRASH:
        assert bad not in err
    assert not out.exists(), "a partial file at the output path"
    kept = finished_parts(parts)
    assert 1 <= len(kept) < 4, kept
    # Nothing but the finished parts: no temporary files, in the parts or beside them.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.h5.parts"]
    assert sorted(p.name for p in parts.iterdir()) == kept
    # Without --resume (and without --force) the parts are not thrown away.
    p = run(*SWEEP, "-o", out)
    assert p.returncode == 2 and "--resume" in p.stderr, p.stderr
    assert finished_parts(parts) == kept
    # --resume keeps them and finishes.
    p = run(*SWEEP, "--resume", "-o", out)
    no_crash(p, "resume")
    assert p.returncode == 0, p.stderr
    assert out.exists() and not parts.exists()
    assert run("summary", out, "--point", 3).returncode == 0


# ------------------------------------------------------------------ full disk

@pytest.fixture
def tiny_disk(tmp_path):
    """A 128 KiB tmpfs (root only). Skips with the reason where mounting is not allowed."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {p.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def assert_disk_full_refusal(p, out, what):
    """A full disk met while writing is a run-time failure: exit 1 (docs/cli.md), not 2."""
    no_crash(p, what)
    assert p.returncode == 1, f"{what}: exit {p.returncode}, expected 1:\n{p.stderr}"
    assert str(out) in p.stderr, f"{what}: the output is not named:\n{p.stderr}"
    assert "the disk is full" in p.stderr, p.stderr
    assert not out.exists(), f"{what}: a partial file at the output path"
    assert list(out.parent.iterdir()) == [], f"{what}: left behind: {list(out.parent.iterdir())}"


def test_run_on_a_full_disk(tiny_disk):
    out = tiny_disk / "run.h5"
    # --summary-only skips the up-front estimate: the writer itself meets the full disk.
    p = run("run", SMALL, "-n", 100, "--summary-only", "-q", "-o", out)
    assert_disk_full_refusal(p, out, "run --summary-only")
    # Per-run datasets: small enough to pass the up-front estimate (which refuses 3000
    # runs here with exit 2, below), too big for the writer's reserve.
    p = run("run", SMALL, "-n", 1000, "-q", "-o", out)
    assert_disk_full_refusal(p, out, "run -n 1000")
    p = run("run", SMALL, "-n", 3000, "-q", "-o", out)
    assert p.returncode == 2 and "runs need at least" in p.stderr, p.stderr
    assert list(out.parent.iterdir()) == []


def test_merge_on_a_full_disk(tiny_disk, tmp_path):
    shards = []
    for k in (1, 2):
        s = tmp_path / f"shard{k}.h5"
        p = run("sweep", SMALL, "--vary", "dynamics.rounds=1:2:2", "-n", 50, "--shard", f"{k}/2",
                "-q", "-o", s)
        assert p.returncode == 0, p.stderr
        shards.append(s)
    out = tiny_disk / "merged.h5"
    p = run("merge", *shards, "-o", out)
    assert_disk_full_refusal(p, out, "merge")


def test_sweep_on_a_full_disk(tiny_disk):
    out = tiny_disk / "sweep.h5"
    p = run("sweep", SMALL, "--vary", "dynamics.rounds=1:2:2", "-n", 50, "--summary-only", "-q", "-o", out)
    no_crash(p, "sweep on a full disk")
    assert p.returncode == 1, p.stderr
    assert "the disk is full" in p.stderr and "tiny" in p.stderr, p.stderr
    assert not out.exists()


# ------------------------------------------------------------------ absurd requests

def test_more_runs_than_the_disk_holds_are_refused_up_front(tmp_path):
    st = os.statvfs(tmp_path)
    free = st.f_bavail * st.f_frsize
    # Up front means before simulating: 10^9 runs of the baseline take hours, so the
    # subprocess's hang guard (TimeoutExpired fails the test) is the check, not a clock.
    p = run("run", BASE, "-n", 1_000_000_000, "-q", "-o", tmp_path / "x.h5", timeout=300)
    if p.returncode == 0 or free > 400e9:
        pytest.skip(f"{free / 1e9:.0f} GB free: 10^9 runs fit")
    assert p.returncode == 2, p.stderr
    m = re.search(r"1000000000 runs need at least ([\d.]+) GB .* but only ([\d.e+-]+) GB are free", p.stderr)
    assert m, p.stderr
    assert float(m.group(1)) > float(m.group(2))
    assert list(tmp_path.iterdir()) == []


def test_more_runs_than_a_tiny_disk_holds(tiny_disk):
    p = run("run", SMALL, "-n", 100_000_000, "-q", "-o", tiny_disk / "x.h5", timeout=60)
    assert p.returncode == 2, p.stderr
    assert re.search(r"100000000 runs need at least [\d.]+ GB for .*tiny.*x\.h5.* but only [\d.e+-]+ GB are free in .*tiny", p.stderr), p.stderr
    assert "--summary-only" in p.stderr
    assert list(tiny_disk.iterdir()) == []


@pytest.mark.parametrize("args,needle", [
    (["run", SMALL, "-n", "-5"], "--runs must be a non-negative whole number, got '-5'"),
    (["run", SMALL, "-n", "0"], "--runs must be between 1 and 1000000000, got 0"),
    (["run", SMALL, "-n", "1000000001"], "--runs must be between 1 and 1000000000"),
    (["run", SMALL, "-n", "1e9"], "--runs must be a non-negative whole number, got '1e9'"),
    (["run", SMALL, "-j", "10000"], "--threads must be between 0 (all cores) and"),
    (["run", SMALL, "-j", "-1"], "--threads must be between 0"),
    (["sweep", SMALL, "--vary", "dynamics.rounds=1:2:2", "-n", "-5"], "runs per point must be between 1 and 1000000000, got -5"),
    (["sweep", SMALL, "--vary", "dynamics.rounds=1:2:2", "-j", "10000"], "--threads must be between 0"),
    (["sweep", SMALL, "--vary", "agents.UZB.sovereignty=0:1:100000", "--vary", "agents.KAZ.sovereignty=0:1:10000"],
     "the design has 1000000000 points; it must have 1 to 100000000"),
    (["sweep", SMALL, "--design", "lhs", "--samples", "1000000000", "--vary", "agents.UZB.sovereignty=0:1"],
     "--samples must be between 1 and 100000000"),
    (["sweep", SMALL, "--design", "sobol", "--samples", "50000000", "--vary", "agents.UZB.sovereignty=0:1",
      "--vary", "agents.KAZ.sovereignty=0:1"], "the design has 200000000 points; it must have 1 to 100000000"),
])
def test_absurd_requests_are_refused_up_front(tmp_path, args, needle):
    out = tmp_path / "x.h5"
    # Refused before working: each request would run for hours or days, so the hang guard
    # (TimeoutExpired fails the test) is the check, not a clock.
    p = run(*args, "-q", "-o", out, timeout=300)
    no_crash(p, " ".join(map(str, args)))
    assert p.returncode == 2, p.stderr
    assert needle in p.stderr, p.stderr
    if "-j" in args and "10000" in args:
        assert re.search(r"and \d+ \(4 x the \d+ cores here\)|and \d+, got 10000", p.stderr), p.stderr
    assert list(tmp_path.iterdir()) == [], "something was written"
