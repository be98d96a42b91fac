"""Exit statuses as docs/cli.md gives them: a full disk is a run-time failure (1), not bad
input (2), for `merge` and for the merge that ends a local sweep.

The full disk is a small tmpfs mounted here (root only; skipped with the reason where
mounting is not allowed).
"""
import subprocess

import pytest

from conftest import SMALL, sco_bin

VARY = ["--vary", "dynamics.rounds=1:2:2"]  # a grid of 2 points


def run(*args):
    return subprocess.run([sco_bin(), *map(str, args)], capture_output=True, text=True,
                          timeout=600, errors="replace")


def mount_tmpfs(path, size):
    if subprocess.run(["which", "mount"], capture_output=True).returncode != 0:
        pytest.skip("no mount command")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {p.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MiB tmpfs: room for the parts of a small --summary-only sweep (the writer
    wants about 2 MiB free), not for their merge (which wants the inputs plus 16 MiB)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    mount_tmpfs(mnt, "8m")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def assert_disk_full(p, out):
    assert p.returncode == 1, f"exit {p.returncode}, expected 1:\n{p.stderr}"
    assert p.stderr.startswith("sco-sim: error: ")
    assert "disk is full" in p.stderr and str(out) in p.stderr, p.stderr
    assert "terminate called" not in p.stderr and "HDF5-DIAG" not in p.stderr, p.stderr
    assert not out.exists()


def test_merge_on_a_full_disk_exits_1(small_disk, tmp_path):
    shards = []
    for k in (1, 2):
        s = tmp_path / f"shard{k}.h5"
        p = run("sweep", SMALL, *VARY, "-n", 20, "--shard", f"{k}/2", "-q", "-o", s)
        assert p.returncode == 0, p.stderr
        shards.append(s)
    out = small_disk / "merged.h5"
    assert_disk_full(run("merge", *shards, "-o", out), out)
    assert list(small_disk.iterdir()) == [], "something was left on the disk"
    # The same merge with room exits 0: the status is the disk's doing, not the inputs'.
    assert run("merge", *shards, "-o", tmp_path / "merged.h5", "-q").returncode == 0


def test_a_local_sweep_whose_merge_meets_a_full_disk_exits_1_and_resumes(small_disk):
    out = small_disk / "sweep.h5"
    parts = small_disk / "sweep.h5.parts"
    p = run("sweep", SMALL, *VARY, "-n", 20, "--summary-only", "-q", "-o", out)
    assert_disk_full(p, out)
    assert "--resume" in p.stderr and str(parts) in p.stderr, p.stderr
    finished = sorted(q.name for q in parts.glob("points-*.h5"))
    assert finished, "the parts were not kept"
    # With room, --resume merges the kept parts without running them again.
    r = subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    p = run("sweep", SMALL, *VARY, "-n", 20, "--summary-only", "--resume", "-o", out)
    assert p.returncode == 0, p.stderr
    assert f"resumed: {len(finished)} of {len(finished)} parts were complete" in p.stdout
    assert out.exists() and not parts.exists()
