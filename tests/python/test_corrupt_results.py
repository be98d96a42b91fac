"""Corrupt results files: truncated, bit-flipped, not sco-sim's, another sweep's, an
unknown format version. `summary`, `merge` and `sweep --resume` refuse them with exit
status 2 and a message naming the file; they never crash, never print an HDF5 error
stack, and never change an input or an existing output."""
import hashlib
import os
import random
import shutil
import signal
import subprocess

import h5py
import pytest

from conftest import SMALL, sco_bin

VARY = ["--vary", "dynamics.rounds=1:3:3"]  # a grid of 3 points
CRASH = ("terminate called", "what():", "Assertion", "HDF5-DIAG", "Segmentation fault",
         "AddressSanitizer", "runtime error:")
FLIP_SEED = 20140615


def run(*args, cwd=None):
    return subprocess.run([sco_bin(), *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=cwd, errors="replace")


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def no_crash(proc, what):
    assert proc.returncode >= 0, f"{what}: killed by signal {-proc.returncode}:\n{proc.stderr}"
    for bad in CRASH:
        assert bad not in proc.stderr, f"{what}: {bad!r}:\n{proc.stderr}"


def refused(proc, path, what):
    """Exit 2, the file named, one clean line of error."""
    no_crash(proc, what)
    assert proc.returncode == 2, f"{what}: exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert str(path) in proc.stderr, f"{what}: the message does not name {path}:\n{proc.stderr}"
    assert proc.stderr.startswith("sco-sim:"), proc.stderr


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A plain run (per-run datasets), the two shards of one sweep and a shard of
    another sweep (another seed)."""
    d = tmp_path_factory.mktemp("good")
    files = {
        "run": d / "run.h5",
        "shard1": d / "shard1.h5",
        "shard2": d / "shard2.h5",
        "other2": d / "other2.h5",
    }
    for args in (["run", SMALL, "-n", 200, "--seed", 3, "-q", "-o", files["run"]],
                 ["sweep", SMALL, *VARY, "-n", 20, "--seed", 5, "--shard", "1/2", "-q", "-o", files["shard1"]],
                 ["sweep", SMALL, *VARY, "-n", 20, "--seed", 5, "--shard", "2/2", "-q", "-o", files["shard2"]],
                 ["sweep", SMALL, *VARY, "-n", 20, "--seed", 6, "--shard", "2/2", "-q", "-o", files["other2"]]):
        p = run(*args)
        assert p.returncode == 0, p.stderr
    return files


def truncations(size):
    return sorted({0, 1, 7, 64, 512, 2048, size // 3, size // 2, size - 4096, size - 1})


def flip_positions(size, n=12):
    rng = random.Random(FLIP_SEED)
    # The superblock and the first object headers, then anywhere in the file.
    return sorted({8, 9, 20, 44, 96} | {rng.randrange(size) for _ in range(n)})


def truncated(src, n, dst):
    dst.write_bytes(src.read_bytes()[:n])
    return dst


def flipped(src, pos, dst):
    data = bytearray(src.read_bytes())
    data[pos] ^= 1 << (pos % 8)
    dst.write_bytes(bytes(data))
    return dst


# ------------------------------------------------------------------ summary

@pytest.mark.parametrize("frac", range(10))
def test_summary_refuses_a_truncated_file(good, tmp_path, frac):
    src = good["run"]
    n = truncations(src.stat().st_size)[frac]
    bad = truncated(src, n, tmp_path / f"trunc-{n}.h5")
    digest = sha(bad)
    for args in (["summary", bad], ["summary", bad, "--json"]):
        p = run(*args)
        refused(p, bad, f"summary of {n} bytes")
        assert "not a usable sco-sim results file" in p.stderr or "not an HDF5 file" in p.stderr, p.stderr
        assert p.stdout == ""
    assert sha(bad) == digest


def test_summary_survives_bit_flips(good, tmp_path):
    """A flipped bit is either harmless to what summary reads (exit 0, a table) or is
    refused (exit 2, the file named). Never a crash."""
    src = good["run"]
    outcomes = {}
    for pos in flip_positions(src.stat().st_size):
        bad = flipped(src, pos, tmp_path / f"flip-{pos}.h5")
        digest = sha(bad)
        p = run("summary", bad, "--json")
        no_crash(p, f"summary with bit {pos % 8} of byte {pos} flipped")
        assert p.returncode in (0, 2), f"byte {pos}: exit {p.returncode}: {p.stderr}"
        if p.returncode == 2:
            refused(p, bad, f"byte {pos}")
        assert sha(bad) == digest
        outcomes[pos] = p.returncode
    # The superblock is checked: flipping its signature is always refused.
    assert outcomes[8] == 2 or outcomes[9] == 2 or 2 in outcomes.values()


def test_summary_refuses_a_foreign_hdf5_file(tmp_path):
    f = tmp_path / "foreign.h5"
    with h5py.File(f, "w") as h:
        h["x"] = [1, 2, 3]
        h.attrs["format"] = "something-else/1"
    p = run("summary", f)
    refused(p, f, "foreign HDF5")
    assert "format" in p.stderr
    g = tmp_path / "bare.h5"
    with h5py.File(g, "w") as h:
        h["x"] = [1.0]
    refused(run("summary", g), g, "HDF5 without attributes")


@pytest.mark.parametrize("version", ["sco-sim-results/0", "sco-sim-results/3", "sco-sim-results/99", ""])
def test_summary_refuses_another_format_version(good, tmp_path, version):
    f = tmp_path / "version.h5"
    shutil.copy(good["run"], f)
    with h5py.File(f, "r+") as h:
        h.attrs["format"] = version
    p = run("summary", f)
    refused(p, f, f"format {version!r}")
    assert "format" in p.stderr and "sco-sim-results/1" in p.stderr, p.stderr


def test_summary_refuses_a_file_with_a_dataset_missing(good, tmp_path):
    f = tmp_path / "missing.h5"
    shutil.copy(good["run"], f)
    with h5py.File(f, "r+") as h:
        del h["summary/raw/runs"]
    p = run("summary", f)
    refused(p, f, "missing dataset")
    assert "/summary/raw/runs" in p.stderr, p.stderr


def test_summary_refuses_non_files(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5\n")
    refused(run("summary", text), text, "text file")
    refused(run("summary", tmp_path), tmp_path, "directory")
    missing = tmp_path / "missing.h5"
    refused(run("summary", missing), missing, "missing file")


# ------------------------------------------------------------------ merge

def merge_case(good, tmp_path, bad):
    """Merges `bad` with the good second shard, into a new output and over an existing
    one with --force: refused, nothing changed."""
    inputs = [bad, good["shard2"]]
    before = {p: sha(p) for p in inputs}
    out = tmp_path / "merged.h5"
    p = run("merge", *inputs, "-o", out)
    refused(p, bad, f"merge {bad.name}")
    assert not out.exists()
    existing = tmp_path / "existing.h5"
    shutil.copy(good["run"], existing)
    digest = sha(existing)
    p = run("merge", *inputs, "-o", existing, "--force")
    refused(p, bad, f"merge --force {bad.name}")
    assert sha(existing) == digest, "an existing output was changed by a failed merge"
    assert {p: sha(p) for p in inputs} == before, "an input was changed"
    leftovers = [q.name for q in tmp_path.iterdir() if q.name.startswith(".")]
    assert leftovers == [], f"temporary files left: {leftovers}"


@pytest.mark.parametrize("frac", [0, 2, 4, 6, 7, 9])
def test_merge_refuses_a_truncated_shard(good, tmp_path, frac):
    src = good["shard1"]
    n = truncations(src.stat().st_size)[frac]
    merge_case(good, tmp_path, truncated(src, n, tmp_path / f"shard1-trunc-{n}.h5"))


def test_merge_survives_bit_flips(good, tmp_path):
    src = good["shard1"]
    for pos in flip_positions(src.stat().st_size, n=8):
        bad = flipped(src, pos, tmp_path / f"shard1-flip-{pos}.h5")
        out = tmp_path / f"merged-{pos}.h5"
        p = run("merge", bad, good["shard2"], "-o", out)
        no_crash(p, f"merge with byte {pos} flipped")
        assert p.returncode in (0, 2), f"byte {pos}: exit {p.returncode}: {p.stderr}"
        if p.returncode == 2:
            refused(p, bad, f"merge, byte {pos}")
            assert not out.exists()


def test_merge_refuses_a_foreign_file_and_another_version(good, tmp_path):
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as h:
        h["x"] = [1, 2, 3]
    merge_case(good, tmp_path, foreign)
    old = tmp_path / "old.h5"
    shutil.copy(good["shard1"], old)
    with h5py.File(old, "r+") as h:
        h.attrs["format"] = "sco-sim-results/0"
    merge_case(good, tmp_path, old)


def test_merge_refuses_a_shard_of_another_sweep(good, tmp_path):
    inputs = [good["shard1"], good["other2"]]
    before = {p: sha(p) for p in inputs}
    out = tmp_path / "merged.h5"
    p = run("merge", *inputs, "-o", out)
    no_crash(p, "merge of two sweeps")
    assert p.returncode == 2, p.stderr
    assert str(good["other2"]) in p.stderr or str(good["shard1"]) in p.stderr, p.stderr
    assert "seed" in p.stderr or "sweep" in p.stderr, p.stderr
    assert not out.exists()
    assert {p: sha(p) for p in inputs} == before


# ------------------------------------------------------------------ sweep --resume

def test_resume_refuses_a_corrupt_shard_output(good, tmp_path):
    out = truncated(good["shard1"], good["shard1"].stat().st_size // 2, tmp_path / "shard1.h5")
    digest = sha(out)
    p = run("sweep", SMALL, *VARY, "-n", 20, "--seed", 5, "--shard", "1/2", "--resume", "-q", "-o", out)
    refused(p, out, "resume over a corrupt shard")
    assert "already complete" not in p.stdout
    assert sha(out) == digest, "the corrupt shard was changed; it must be left for the user"


def test_resume_refuses_another_sweeps_shard(good, tmp_path):
    out = tmp_path / "shard2.h5"
    shutil.copy(good["other2"], out)  # seed 6; the command says seed 5
    digest = sha(out)
    p = run("sweep", SMALL, *VARY, "-n", 20, "--seed", 5, "--shard", "2/2", "--resume", "-q", "-o", out)
    refused(p, out, "resume over another sweep's shard")
    assert sha(out) == digest


def test_resume_reruns_a_corrupt_part(tmp_path):
    """A local sweep keeps its parts in OUTPUT.parts; --resume must re-run a part that
    is corrupt, not trust it, and the result must equal an uninterrupted sweep."""
    # 50000 runs per point: one point per part (kRunsPerChunk), so 3 parts.
    args = ["sweep", SMALL, *VARY, "-n", 50000, "--seed", 11, "--summary-only", "-q"]
    ref = tmp_path / "ref.h5"
    p = run(*args, "-o", ref)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "out.h5"
    parts = tmp_path / "out.h5.parts"
    parts.mkdir()
    # The parts of an interrupted sweep are the files `--shard K/3` writes.
    names = ["points-00000000-00000000.h5", "points-00000001-00000001.h5", "points-00000002-00000002.h5"]
    for k, name in enumerate(names[:2], start=1):
        p = run(*args, "--shard", f"{k}/3", "-o", parts / name)
        assert p.returncode == 0, p.stderr
    # The first part is truncated, the second is another sweep's (seed 12).
    truncated(parts / names[0], (parts / names[0]).stat().st_size // 2, parts / names[0])
    p = run(*[a if a != 11 else 12 for a in args], "--shard", "2/3", "-o", parts / "other.h5")
    assert p.returncode == 0, p.stderr
    os.replace(parts / "other.h5", parts / names[1])
    p = run(*args, "--resume", "-o", out)
    assert p.returncode == 0, p.stderr
    no_crash(p, "resume")
    assert not parts.exists(), "the parts folder is left after a finished sweep"
    a = run("summary", out, "--json", "--point", 1)
    b = run("summary", ref, "--json", "--point", 1)
    assert a.returncode == 0 and a.stdout == b.stdout, "the resumed sweep differs from a clean one"
    for k in (0, 2):
        assert run("summary", out, "--json", "--point", k).stdout == \
            run("summary", ref, "--json", "--point", k).stdout
