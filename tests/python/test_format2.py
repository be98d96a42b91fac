"""Results format 2 (docs/hdf5-format.md): no variable-length strings, and no file can
crash or hang a command (docs/robustness.md, section 2).

The crafted files of tests/fuzz/known/ (three format-1 files that crashed, hung or blew up
readers inside libhdf5, and a format-2 one on which libhdf5 frees an invalid pointer
while iterating a group, found by the 30-minute fuzz run of issue 13), and a generated set of truncated, bit-flipped and
shape-mismatched files, are each answered by `sco-sim summary`, `sco-sim merge`,
`sco-sim sweep --resume` (over a shard output), `sco-sim score` (which also reads the per-run
records of /runs, io::read_run_facts) and `scripts/sco_results.py` with exit
status 2 and a one-line error naming the file (a bit flip that misses everything a
command reads may also give exit 0; never anything else). Format-1 files (committed in
tests/io/data/, written by the binary of main before format 2) stay readable.

No assertion reads the clock: the `timeout=` of each subprocess only guards against a
hang (which fails the test). SCO_SIM_READ_TIMEOUT bounds sco-sim's own child-process
check so that the crafted hang file is refused within the guard: 3 s for sco-sim over the
bad files, 20 s elsewhere.
"""
import gzip
import hashlib
import os
import random
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import PYTHON, ROOT, SCRIPTS, SMALL, sco_bin

VARY = ["--vary", "dynamics.rounds=1:2:2"]  # 2 points
SEED = 5
KNOWN = ROOT / "tests" / "fuzz" / "known"
EVENTS = ROOT / "tests" / "data" / "events" / "small_events.yaml"
V1 = ROOT / "tests" / "io" / "data"
FLIP_SEED = 20010615
CRASH = ("terminate called", "what():", "Assertion", "HDF5-DIAG", "Segmentation fault",
         "AddressSanitizer", "runtime error:", "Traceback")
ENV = dict(os.environ, SCO_SIM_READ_TIMEOUT="20")
# sco-sim over the bad files: the crafted hang file keeps the guard's child busy until the
# limit (20 CPU s for each of summary, merge, sweep --resume and score: 80 of this file's
# 110 s; docs/robustness.md, "CI time"). Each bad file must be refused, exit 2 with a
# message naming it, and the other bad files are read in milliseconds (the 1.8 GB one in
# about 1 s), so the shorter limit changes only how long the hang file takes. The good
# files keep ENV.
BAD_ENV = dict(os.environ, SCO_SIM_READ_TIMEOUT="3")
HANG_GUARD = 300  # seconds; only a hang reaches it, and then the test fails


def run(*args, env=ENV):
    return subprocess.run([sco_bin(), *map(str, args)], capture_output=True, text=True,
                          timeout=HANG_GUARD, errors="replace", env=env)


def py(*args):
    return subprocess.run([PYTHON, str(SCRIPTS / "sco_results.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=HANG_GUARD, errors="replace",
                          env=ENV)


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def answered(proc, path, what, prefix, allow_ok=False):
    """Exit 2 with a clean message naming the file (or 0 where allowed)."""
    assert proc.returncode >= 0, f"{what}: killed by signal {-proc.returncode}:\n{proc.stderr}"
    for bad in CRASH:
        assert bad not in proc.stderr, f"{what}: {bad!r} in:\n{proc.stderr}"
    if allow_ok and proc.returncode == 0:
        return
    assert proc.returncode == 2, f"{what}: exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert str(path) in proc.stderr, f"{what}: the message does not name {path}:\n{proc.stderr}"
    assert proc.stderr.startswith(prefix), proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 3, proc.stderr


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A per-run shard (1/2) and its partner (2/2) of one sweep, format 2."""
    d = tmp_path_factory.mktemp("format2")
    files = {"shard1": d / "shard1.h5", "shard2": d / "shard2.h5"}
    for k, name in ((1, "shard1"), (2, "shard2")):
        p = run("sweep", SMALL, *VARY, "-n", 20, "--seed", SEED, "--shard", f"{k}/2", "-q",
                "-o", files[name])
        assert p.returncode == 0, p.stderr
    return files


# ------------------------------------------------------------------ format 2 itself

def test_format2_has_no_variable_length_strings(good):
    vlen = []

    def check(name, obj):
        for k in obj.attrs:
            dt = obj.attrs.get_id(k).dtype
            info = h5py.check_string_dtype(dt)
            if info is not None and info.length is None:
                vlen.append(f"{name} attribute {k}")
        if isinstance(obj, h5py.Dataset):
            info = h5py.check_string_dtype(obj.dtype)
            if info is not None and info.length is None:
                vlen.append(name)

    with h5py.File(good["shard1"], "r") as f:
        assert f.attrs["format"] == b"sco-sim-results/2"
        check("/", f)
        f.visititems(check)
        assert [s.decode() for s in f["labels/outcomes"][()]][:2] == ["adopted",
                                                                      "adopted_with_reservations"]
    assert vlen == [], f"variable-length strings in a format-2 file: {vlen}"


def test_format2_merges_and_reads(good, tmp_path):
    out = tmp_path / "merged.h5"
    p = run("merge", good["shard1"], good["shard2"], "-o", out)
    assert p.returncode == 0, p.stderr
    with h5py.File(out, "r") as f:
        assert f.attrs["format"] == b"sco-sim-results/2"
        assert [s.decode() for s in f.attrs["merged_from"]] == [str(good["shard1"]),
                                                                str(good["shard2"])]
    q = py(out)
    assert q.returncode == 0, q.stderr
    import sco_results
    r = sco_results.load(out)
    assert r.format == "sco-sim-results/2" and r.n_points == 2 and r.runs is not None
    assert r.agents[0] == "RUS" and len(r.runs.outcome) == 40


# ------------------------------------------------------------------ format 1 stays readable

def v1(name, tmp_path):
    dst = tmp_path / name
    dst.write_bytes(gzip.decompress((V1 / f"{name}.gz").read_bytes()))
    return dst


def test_format1_files_stay_readable(tmp_path):
    sweep = v1("v1-sweep.h5", tmp_path)
    with h5py.File(sweep, "r") as f:
        assert f.attrs["format"] == "sco-sim-results/1"  # a variable-length string
    p = run("summary", sweep, "--json", "--point", 1)
    assert p.returncode == 0, p.stderr
    q = py(sweep)
    assert q.returncode == 0, q.stderr
    import sco_results
    r = sco_results.load(sweep)
    assert r.format == "sco-sim-results/1" and r.n_points == 2
    assert "RUS" in r.agents and r.outcomes[0] == "adopted"
    assert r.runs.outcome.shape[0] == 6
    # Merging format-1 shards gives a format-1 file (their strings copied as they are).
    s1, s2 = v1("v1-shard1.h5", tmp_path), v1("v1-shard2.h5", tmp_path)
    out = tmp_path / "v1-merged.h5"
    p = run("merge", s1, s2, "-o", out)
    assert p.returncode == 0, p.stderr
    assert run("summary", out).returncode == 0
    assert sco_results.load(out).format == "sco-sim-results/1"


def test_format1_and_format2_shards_do_not_merge(good, tmp_path):
    s1 = v1("v1-shard1.h5", tmp_path)
    p = run("merge", s1, good["shard2"], "-o", tmp_path / "mixed.h5")
    assert p.returncode == 2
    assert "format" in p.stderr, p.stderr
    assert not (tmp_path / "mixed.h5").exists()


# ------------------------------------------------------------------ the bad files

def known_files(d):
    out = []
    for gz in sorted(KNOWN.glob("*.h5.gz")):
        dst = d / gz.name[:-3]
        dst.write_bytes(gzip.decompress(gz.read_bytes()))
        out.append(dst)
    assert len(out) == 4
    return out


def truncated_files(src, d):
    data = src.read_bytes()
    n = len(data)
    out = []
    for k in sorted({0, 100, 512, 4096, n // 3, n // 2, n - 4096, n - 1}):
        dst = d / f"trunc-{k}.h5"
        dst.write_bytes(data[:k])
        out.append(dst)
    return out


def flipped_files(src, d):
    data = bytearray(src.read_bytes())
    rng = random.Random(FLIP_SEED)
    out = []
    for pos in sorted({8, 9, 20, 44, 96} | {rng.randrange(len(data)) for _ in range(10)}):
        b = bytearray(data)
        b[pos] ^= 1 << rng.randrange(8)
        dst = d / f"flip-{pos}.h5"
        dst.write_bytes(bytes(b))
        out.append(dst)
    return out


def _replace(f, path, value, **kw):
    attrs = dict(f[path].attrs)
    del f[path]
    ds = f.create_dataset(path, data=value, **kw)
    for k, v in attrs.items():
        ds.attrs[k] = v


def _edited_copies(src, d, prefix, edits):
    """One copy of `src` in `d` per edit, named PREFIX-NAME.h5, with the edit applied."""
    out = []
    for name, edit in edits.items():
        dst = d / f"{prefix}-{name}.h5"
        shutil.copy(src, dst)
        with h5py.File(dst, "r+") as f:
            edit(f)
        out.append(dst)
    return out


def shape_files(src, d):
    """Valid HDF5 whose datasets disagree with the format in shape or type."""
    edits = {
        "raw-outcome-shape": lambda f: _replace(f, "summary/raw/outcome_counts",
                                                np.zeros((2, 3, 4, 5), np.int64)),
        "raw-runs-length": lambda f: _replace(f, "summary/raw/runs", np.zeros(7, np.int64)),
        "agents-extra": lambda f: _replace(f, "labels/agents",
                                           np.array([b"RUS", b"KAZ", b"UZB", b"IND", b"XXX"])),
        "labels-vlen": lambda f: _replace(f, "labels/agents",
                                          np.array(["RUS", "KAZ", "UZB", "IND"], dtype=object),
                                          dtype=h5py.string_dtype()),
        "format-vlen": lambda f: f.attrs.__setitem__("format", "sco-sim-results/2"),
        "raw-as-strings": lambda f: _replace(f, "summary/raw/lag_sum", np.array([b"x"] * 3)),
        "raw-as-float128": lambda f: _replace(f, "summary/raw/pressure_sum",
                                              np.zeros(f["summary/raw/pressure_sum"].shape,
                                                       np.complex128)),
        "runs-outcome-shape": lambda f: _replace(f, "runs/outcome", np.zeros((3, 2, 1), np.uint8)),
        "points-values-shape": lambda f: _replace(f, "points/values", np.zeros((5, 5))),
        "labels-2d": lambda f: _replace(f, "labels/proposals", np.array([[b"a", b"b"]] * 3)),
    }
    return _edited_copies(src, d, "shape", edits)


@pytest.fixture(scope="module")
def bad(good, tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    src = good["shard1"]
    return {
        "known": known_files(d),
        "truncated": truncated_files(src, d),
        "flipped": flipped_files(src, d),
        "shape": shape_files(src, d),
    }


#: Damage in datasets that summary and --resume do not read (they read the labels, the
#: attributes and /summary/raw); merge and sco_results.py read them and must refuse.
UNREAD_BY_SUMMARY = ("shape-runs-outcome-shape.h5", "shape-points-values-shape.h5")


def all_bad(bad):
    return [(kind, f) for kind, files in bad.items() for f in files]


def test_summary_answers_every_bad_file(bad):
    for kind, f in all_bad(bad):
        p = run("summary", f, env=BAD_ENV)
        # A flipped bit can miss everything summary reads (it does not read /runs).
        answered(p, f, f"summary {f.name}", "sco-sim:",
                 allow_ok=kind == "flipped" or f.name in UNREAD_BY_SUMMARY)


def test_merge_answers_every_bad_file(bad, good, tmp_path):
    for kind, f in all_bad(bad):
        out = tmp_path / f"merged-{f.name}"
        digest = sha(f)
        # The bad file as shard 1/2, next to the good shard 2/2.
        p = run("merge", f, good["shard2"], "-o", out, env=BAD_ENV)
        answered(p, f, f"merge {f.name}", "sco-sim:", allow_ok=kind == "flipped")
        if p.returncode != 0:
            assert not out.exists(), f"merge {f.name} left an output"
        assert sha(f) == digest, f"merge changed its input {f.name}"
        leftovers = [x.name for x in tmp_path.iterdir() if x.name.startswith(".")]
        assert leftovers == [], leftovers


def test_sweep_resume_answers_every_bad_file(bad, tmp_path):
    """A shard's output that is damaged: --resume refuses it and leaves it untouched."""
    for kind, f in all_bad(bad):
        if f.stat().st_size == 0:
            continue  # an empty output is a different case (nothing to resume from)
        out = tmp_path / f"resume-{f.name}"
        shutil.copy(f, out)
        digest = sha(out)
        p = run("sweep", SMALL, *VARY, "-n", 20, "--seed", SEED, "--shard", "1/2", "--resume",
                "-q", "-o", out, env=BAD_ENV)
        answered(p, out, f"sweep --resume over {f.name}", "sco-sim:",
                 allow_ok=kind == "flipped" or f.name in UNREAD_BY_SUMMARY)
        if p.returncode == 2:
            assert sha(out) == digest, f"--resume changed the damaged {f.name}"


def test_sco_results_answers_every_bad_file(bad):
    for kind, f in all_bad(bad):
        p = py(f)
        answered(p, f, f"sco_results.py {f.name}", "sco_results.py: error:",
                 allow_ok=kind == "flipped")


def test_sco_results_load_raises_bad_results(bad):
    import sco_results
    for f in bad["known"] + bad["shape"]:
        with pytest.raises(sco_results.BadResults) as e:
            sco_results.load(f)
        assert str(f) in str(e.value)


#: What score does not read: it reads what summary reads, and /runs/point, /runs/outcome and
#: /runs/flags (io::read_run_facts), so a wrong /runs/outcome shape is refused by score too.
UNREAD_BY_SCORE = ("shape-points-values-shape.h5",)


def per_run_files(src, d):
    """Files read_results accepts (/runs is not its concern) whose per-run records score's
    joint count reads are damaged."""
    def bad_code(f):
        v = f["runs/outcome"][()]
        v[0, 0, 0] = 9  # no outcome (codes 0 to 6)
        f["runs/outcome"][...] = v

    edits = {
        "runs-flags-rows": lambda f: _replace(f, "runs/flags", f["runs/flags"][:-1]),
        "runs-flags-int32": lambda f: _replace(f, "runs/flags",
                                               f["runs/flags"][()].astype(np.int32)),
        "runs-outcome-code": bad_code,
    }
    return _edited_copies(src, d, "perrun", edits)


def test_score_answers_every_bad_file(good, bad, tmp_path):
    """`sco-sim score` on the known crafted files, the truncated per-run shards and the
    rest: exit 2 naming the file, never a crash; and on damage only in /runs, which summary
    does not read, exit 2 too (the per-run records are read for the joint counts)."""
    ok = run("score", good["shard1"], EVENTS)
    assert ok.returncode == 0, ok.stderr
    assert "jointly" in ok.stdout  # the per-run shard is scored with its joint counts
    for kind, f in all_bad(bad):
        p = run("score", f, EVENTS, env=BAD_ENV)
        answered(p, f, f"score {f.name}", "sco-sim:",
                 allow_ok=kind == "flipped" or f.name in UNREAD_BY_SCORE)
    p = run("score", bad["shape"][[f.name for f in bad["shape"]].index(
        "shape-runs-outcome-shape.h5")], EVENTS)
    assert p.returncode == 2 and "/runs/outcome has shape [3, 2, 1], expected" in p.stderr, \
        p.stderr
    expect = {"perrun-runs-flags-rows.h5": "/runs/flags has shape [19, ",
              "perrun-runs-flags-int32.h5": "/runs/flags is not stored as an unsigned integer",
              "perrun-runs-outcome-code.h5": "/runs/outcome holds the code 9 in row 0"}
    for f in per_run_files(good["shard1"], tmp_path):
        assert run("summary", f).returncode == 0  # read_results accepts it
        p = run("score", f, EVENTS)
        answered(p, f, f"score {f.name}", "sco-sim:")
        assert expect[f.name] in p.stderr, p.stderr
