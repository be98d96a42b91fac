"""Tension histograms only for the pairs whose tension can move (issue 13 item 1;
docs/hdf5-format.md, "Format versions").

A results file keeps /summary/raw/tension_hist for the pairs of /labels/tension_pairs:
by default the pairs with a relations.tension entry and, with pressure enabled, the
pairs of a great power; `--tension-histograms all` keeps every pair. Read back with h5py.
"""
import gzip
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import PYTHON, ROOT, SCRIPTS, sco, sco_bin

BASE = ROOT / "scenarios" / "sco2014.yaml"
RUNS = 300
SEED = 11
BINS = 200


def pair_names(f):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in f["labels/pairs"][()]]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("tension_pairs")
    tracked, every = d / "tracked.h5", d / "all.h5"
    sco("run", BASE, "-n", RUNS, "--seed", SEED, "-q", "--summary-only", "-o", tracked)
    sco("run", BASE, "-n", RUNS, "--seed", SEED, "-q", "--summary-only",
        "--tension-histograms", "all", "-o", every)
    return tracked, every


def test_the_file_lists_the_tracked_pairs(files):
    tracked, _ = files
    with h5py.File(tracked, "r") as f:
        names = pair_names(f)
        tp = list(f["labels/tension_pairs"][()])
        hist = f["summary/raw/tension_hist"]
        assert hist.attrs["axes"].decode() == "point,period,tension_pair,tension_bin"
        T = len(f["labels/periods"])
        assert hist.shape == (1, T, len(tp), BINS)
        assert 0 < len(tp) < len(names)
        assert tp == sorted(set(tp))
        got = {names[k] for k in tp}
    # Every relations.tension entry of the baseline is tracked, and so are the great
    # powers' pairs (pressure adds tension between a great power and its target).
    for pair in ("TJK-UZB", "KGZ-UZB", "KGZ-TJK", "IND-PAK", "CHN-IND", "CHN-KAZ", "KAZ-RUS"):
        assert pair in got, pair
    assert "KAZ-UZB" not in got  # no relation, no great power


def test_untracked_pairs_never_move_and_quantiles_follow(files):
    tracked, _ = files
    with h5py.File(tracked, "r") as f:
        tp = list(f["labels/tension_pairs"][()])
        K = len(f["labels/pairs"])
        raw_sum = f["summary/raw/tension_sum"][0]
        hist = f["summary/raw/tension_hist"][0]
        q = f["summary/tension_quantiles"][0]
        probs = f["labels/quantiles"][()]
    untracked = [k for k in range(K) if k not in tp]
    assert (raw_sum[:, untracked] == 0).all()
    assert np.allclose(q[:, untracked, :], 0.5 / BINS, rtol=0, atol=0)
    # Tracked pairs: the quantiles are the histogram's bin midpoints (recomputed here).
    assert (hist.sum(axis=2) == RUNS).all()
    for t in range(hist.shape[0]):
        for j, k in enumerate(tp):
            cum = np.cumsum(hist[t, j])
            for qi, p in enumerate(probs):
                b = int(np.argmax((cum >= p * RUNS) & (cum > 0)))
                assert q[t, k, qi] == pytest.approx((b + 0.5) / BINS, abs=0)
    assert (raw_sum[:, tp] > 0).any()  # some tracked pair has tension


def test_all_keeps_every_pair_and_changes_no_statistic(files):
    tracked, every = files
    with h5py.File(tracked, "r") as a, h5py.File(every, "r") as b:
        tp = list(a["labels/tension_pairs"][()])
        K = len(b["labels/pairs"])
        assert list(b["labels/tension_pairs"][()]) == list(range(K))
        ha, hb = a["summary/raw/tension_hist"][()], b["summary/raw/tension_hist"][()]
        assert hb.shape[2] == K
        assert (ha == hb[:, :, tp, :]).all()
        untracked = [k for k in range(K) if k not in tp]
        assert (hb[:, :, untracked, 0] == RUNS).all()
        for name in ("tension_mean", "tension_quantiles", "passed_p", "outcome_p"):
            assert np.array_equal(a["summary/" + name][()], b["summary/" + name][()],
                                  equal_nan=True), name


def test_sco_results_reads_tracked_and_earlier_files(files, tmp_path):
    tracked, _ = files
    v1 = tmp_path / "v1.h5"
    with gzip.open(ROOT / "tests" / "io" / "data" / "v1-sweep.h5.gz", "rb") as src, \
            open(v1, "wb") as dst:
        shutil.copyfileobj(src, dst)
    code = f"""
import sco_results as sr
r = sr.load({str(tracked)!r})
assert 0 < len(r.tension_pairs) < len(r.pairs)
h = r.tension_histogram("KAZ-UZB", period=0)
assert h[0] == {RUNS} and h.sum() == {RUNS}
k = r.tension_pairs[0]
assert (r.tension_histogram(k) == r.raw["tension_hist"][0, 0, 0]).all()
old = sr.load({str(v1)!r})
assert old.tension_pairs == list(range(len(old.pairs)))
assert old.raw["tension_hist"].shape[2] == len(old.pairs)
print("ok")
"""
    p = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=SCRIPTS,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"


def test_summary_command_reads_both(files):
    tracked, every = files
    a = sco("summary", tracked, "--json").stdout
    b = sco("summary", every, "--json").stdout
    assert a == b


def test_merge_refuses_shards_with_other_tracked_pairs(tmp_path):
    s1, s2 = tmp_path / "s1.h5", tmp_path / "s2.h5"
    common = ["sweep", BASE, "--vary", "dynamics.rounds=1:2:2", "-n", "20", "--seed", "3",
              "-q", "--summary-only"]
    sco(*common, "--shard", "1/2", "-o", s1)
    sco(*common, "--shard", "2/2", "--tension-histograms", "all", "-o", s2)
    out = tmp_path / "merged.h5"
    p = subprocess.run([sco_bin(), "merge", s1, s2, "-o", out], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 2, p.stderr
    assert "keeps tension histograms for" in p.stderr
    assert "all " in p.stderr and "pairs" in p.stderr
    assert not out.exists()


def test_a_bad_value_is_a_usage_error(tmp_path):
    p = subprocess.run([sco_bin(), "run", BASE, "-n", "5", "--tension-histograms", "some",
                        "-o", tmp_path / "x.h5"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2
    assert "--tension-histograms must be 'tracked' or 'all'" in p.stderr
    assert not (tmp_path / "x.h5").exists()
