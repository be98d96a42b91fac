"""`sco-sim calibrate` end to end: the file's contents, independence of threads and shards,
merge, resume, summary, and the errors (exit 2 with the path named, no overwrite)."""
import math
import re

import h5py
import numpy as np
import pytest

from conftest import ROOT, sco

SCENARIO = ROOT / "tests" / "data" / "calibration" / "recovery.yaml"
VARY = ["--vary", "dynamics.objection_cost=0:0.6", "--vary", "dynamics.military_weight=0:1.5"]
COMMON = ["--points", 24, "-n", 12, "--seed", 3, "-q"]


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    from test_recovery import events_from_runs
    tmp = tmp_path_factory.mktemp("calib")
    res = tmp / "truth.h5"
    sco("run", SCENARIO, "-n", 2, "--seed", 5, "-o", res, "-q")
    return events_from_runs(res, tmp / "events.yaml")


def read(path):
    with h5py.File(path, "r") as f:
        c = f["/calibration"]
        # Fixed-length string attributes (since results format 2) read as bytes: decode.
        return ({k: c[k][...] for k in c.keys()}, {k: _s(v) for k, v in c.attrs.items()},
                {k: _s(v) for k, v in f.attrs.items()})


def _s(v):
    return bytes(v).decode() if isinstance(v, bytes) else v


@pytest.fixture(scope="module")
def whole(events, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "whole.h5"
    sco("calibrate", SCENARIO, events, *VARY, *COMMON, "-j", 1, "-o", out)
    return out


def test_file_holds_points_posterior_and_provenance(whole, events):
    d, a, root = read(whole)
    assert root["format"] == "sco-sim-calibration/1"
    assert "recovery" in root["scenario_path"] and root["scenario_text"].startswith("#")
    assert a["method"] == "rejection" and a["kind"] == "final"
    assert a["events_text"] == events.read_text()
    assert len(a["events_sha256"]) == 64
    assert d["theta"].shape == (24, 2)
    assert list(d["point_index"]) == list(range(24))
    # quantile 0.1 of 24 points: the 3 smallest distances, equal weights summing to 1
    acc = d["accepted"].astype(bool)
    assert acc.sum() == 3
    assert np.all(d["distance"][acc].max() <= d["distance"][~acc].min())
    assert np.isclose(d["weight"].sum(), 1.0) and np.all(d["weight"][~acc] == 0)
    for j in range(2):
        th = d["theta"][acc, j]
        assert th.min() <= d["posterior_median"][j] <= th.max()
        assert d["posterior_q05"][j] <= d["posterior_q95"][j]
    # the priors' own quantiles: uniform(0, 0.6) -> [0.03, 0.57]
    assert np.allclose([d["prior_q05"][0], d["prior_q95"][0]], [0.03, 0.57], atol=1e-6)


def test_threads_and_shards_give_the_same_points(whole, events, tmp_path):
    two = tmp_path / "two.h5"
    sco("calibrate", SCENARIO, events, *VARY, *COMMON, "-j", 2, "-o", two)
    shards = []
    for k in (2, 1, 3):  # any order
        s = tmp_path / f"s{k}.h5"
        sco("calibrate", SCENARIO, events, *VARY, *COMMON, "--shard", f"{k}/3", "-o", s)
        shards.append(s)
    merged = tmp_path / "merged.h5"
    sco("merge", *shards, "-o", merged, "-q")  # `sco-sim merge` hands calibration shards on
    ref, _, _ = read(whole)
    for other in (two, merged):
        d, _, _ = read(other)
        for key in ("theta", "distance", "brier", "log_score", "accepted", "weight",
                    "posterior_median"):
            assert np.array_equal(d[key], ref[key]), (other.name, key)
    # a missing shard is named
    p = sco("calibrate", "--merge", shards[0], shards[1], "-o", tmp_path / "x.h5", check=False)
    assert p.returncode == 2 and "missing" in p.stderr


def test_interrupted_calibration_resumes(events, tmp_path):
    """SIGINT after the first part: exit 130, no output, the parts kept; --resume runs only
    the missing part and gives the uninterrupted result."""
    import signal
    import subprocess
    import time
    from conftest import sco_bin
    args = [SCENARIO, events, *VARY, "--points", 8, "-n", 5000, "--seed", 3, "-j", 2]
    ref = tmp_path / "ref.h5"
    sco("calibrate", *args, "-q", "-o", ref)
    out = tmp_path / "r.h5"
    parts = tmp_path / "r.h5.parts"
    p = subprocess.Popen([sco_bin(), "calibrate", *map(str, args), "-q", "-o", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and p.poll() is None:
        if parts.exists() and any(f.name.startswith("gen-") for f in parts.iterdir()):
            break
        time.sleep(0.02)
    if p.poll() is not None:
        pytest.fail(f"the calibration ended before it could be interrupted: {p.stderr.read()}")
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert not out.exists() and parts.exists()
    assert "--resume" in err
    r = sco("calibrate", *args, "-o", out, "--resume")
    assert "resumed: 1 of 2 parts were complete" in r.stdout
    assert not parts.exists()
    a, _, _ = read(ref)
    b, _, _ = read(out)
    for key in ("theta", "distance", "accepted", "weight"):
        assert np.array_equal(a[key], b[key]), key
    # without --resume (or --force) a leftover parts folder is refused
    p2 = sco("calibrate", *args, "-o", tmp_path / "r.h5", check=False)
    assert p2.returncode == 2 and "already exists" in p2.stderr


def test_smc_generations(events, tmp_path):
    out = tmp_path / "smc.h5"
    sco("calibrate", SCENARIO, events, *VARY, "--method", "smc", "--generations", 2,
        "--points", 20, "-n", 10, "--quantile", 0.5, "--seed", 3, "-q", "-o", out)
    d, a, _ = read(out)
    assert a["method"] == "smc"
    assert list(d["n_accepted"]) == [10, 10]
    assert d["epsilon"][1] <= d["epsilon"][0] + 0.05
    assert list(d["point_index"]) == list(range(40))  # generation g, point i: g * 20 + i
    last = d["point_generation"] == 1
    assert np.isclose(d["weight"][last].sum(), 1.0)
    assert np.isclose(d["weight"][~last].sum(), 1.0)


def test_summary_prints_the_posterior_table(whole):
    p = sco("summary", whole)
    assert "dynamics.objection_cost" in p.stdout and "posterior 90%" in p.stdout
    import json
    j = json.loads(sco("summary", whole, "--json").stdout)
    d, _, _ = read(whole)
    assert j["method"] == "rejection" and j["tolerance"] is None
    assert [q["path"] for q in j["parameters"]] == ["dynamics.objection_cost",
                                                    "dynamics.military_weight"]
    assert j["parameters"][1]["median"] == d["posterior_median"][1]
    assert j["generation"][0]["accepted"] == 3


def test_errors(events, tmp_path, whole):
    # a fixed parameter without a range is not a prior
    p = sco("calibrate", SCENARIO, events, "--vary", "dynamics.rounds", "-o", tmp_path / "e.h5",
            check=False)
    assert p.returncode == 2 and "dynamics.rounds" in p.stderr and "fixed" in p.stderr
    p = sco("calibrate", SCENARIO, events, "--vary", "dynamics.objection_cots=0:1",
            "-o", tmp_path / "e.h5", check=False)
    assert p.returncode == 2 and "objection_cost" in p.stderr
    p = sco("calibrate", SCENARIO, events, "--vary", "dynamics.objection_cost=0:20",
            "-o", tmp_path / "e.h5", check=False)
    assert p.returncode == 2 and "range" in p.stderr
    p = sco("calibrate", SCENARIO, events, *VARY, *COMMON, "-o", whole, check=False)
    assert p.returncode == 2 and "already exists" in p.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(events.read_text().replace("proposal: exercise_a", "proposal: exercise_x", 1))
    p = sco("calibrate", SCENARIO, bad, *VARY, *COMMON, "-o", tmp_path / "e.h5", check=False)
    assert p.returncode == 2 and "exercise_x" in p.stderr
    p = sco("calibrate", SCENARIO, bad, *VARY, *COMMON, "--skip-missing",
            "-o", tmp_path / "e.h5")
    assert (tmp_path / "e.h5").exists()
    p = sco("calibrate", SCENARIO, events, *VARY, "--method", "smc", "--shard", "1/2",
            "-o", tmp_path / "f.h5", check=False)
    assert p.returncode == 2 and "rejection" in p.stderr


def test_write_scenario_replaces_values_in_place(events, tmp_path):
    out = tmp_path / "w.h5"
    ys = tmp_path / "calibrated.yaml"
    sco("calibrate", SCENARIO, events, *VARY, "--vary", "dynamics.threat_weight=0:1.5",
        "--vary", "agents.CCC.military_reluctance=0:1", *COMMON, "--quantile", 0.5, "-o", out,
        "--write-scenario", ys)
    text, orig = ys.read_text(), SCENARIO.read_text()
    # every comment of the original survives; each calibrated value carries the note
    for line in orig.splitlines():
        if line.lstrip().startswith("#"):
            assert line in text
    assert text.count("# calibrated on synthetic record; prior uniform(") == 4
    # a fitted beta, or the posterior's points where a beta would distort it
    fitted = r"\{(beta: \[|empirical: )"
    assert re.search("objection_cost: " + fitted, text) and "objection_cost: 0.15" not in text
    assert re.search("military_reluctance: " + fitted, text)  # inside CCC's flow map
    assert re.search("threat_weight: " + fitted, text)  # not in the file: added under dynamics
    sco("check", ys)
    p = sco("params", ys)
    assert re.search(r"dynamics.objection_cost +(beta|empirical)\(", p.stdout)
    # no overwrite without --force
    p = sco("calibrate", "--merge", tmp_path / "none.h5", "-o", tmp_path / "y.h5",
            "--write-scenario", ys, check=False)
    assert p.returncode == 2 and "already exists" in p.stderr


def test_plot_posterior(whole, tmp_path):
    import subprocess
    from conftest import PYTHON, SCRIPTS
    png = tmp_path / "post.png"
    p = subprocess.run([PYTHON, SCRIPTS / "plot_posterior.py", whole, "-o", png],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert png.exists() and png.stat().st_size > 10000
    assert (tmp_path / "post.pdf").exists()
    # a shard has no posterior: a one-line reason, exit 2
    p = subprocess.run([PYTHON, SCRIPTS / "plot_posterior.py", SCENARIO, "-o", png],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "error" in p.stderr


def test_plot_posterior_keep_and_prior(whole, tmp_path, monkeypatch):
    """--keep SUITE.json marks suite_filter.py's kept points (black dots in the pairs, a
    black histogram inside the accepted one); --prior NAME=LO:HI draws the true prior of a
    box calibration (review 7, finding 8); bad input is a one-line error, exit 2."""
    import json
    import subprocess
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    import plot_posterior
    import sco_results
    from conftest import PYTHON, SCRIPTS
    d, _, _ = read(whole)
    acc = [int(i) for i in np.flatnonzero(d["accepted"] == 1)]
    rejected = int(np.flatnonzero(d["accepted"] == 0)[0])
    names = [_s(v) for v in d["parameters"]]
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"parameters": names, "kept": acc[:2]}))
    png = tmp_path / "post.png"
    args = [PYTHON, SCRIPTS / "plot_posterior.py", whole, "-o", png, "--keep", suite,
            "--prior", "objection_cost=0:2", "--prior", "dynamics.military_weight=0:3"]
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert png.exists() and (tmp_path / "post.pdf").exists()

    # what is drawn: the priors as given, the kept points in black
    cal = plot_posterior.set_priors(plot_posterior.load(str(whole)),
                                    ["objection_cost=0:2", "dynamics.military_weight=0:3"])
    assert cal["prior_kind"] == ["uniform", "uniform"]
    assert np.allclose(plot_posterior.prior_pdf(cal, 0, [0.1, 1.5, 2.5]), [0.5, 0.5, 0.0])
    assert np.allclose(plot_posterior.prior_pdf(cal, 1, [0.1]), [1 / 3])
    keep = plot_posterior.load_keep(str(suite), cal)
    assert list(keep) == acc[:2]
    figs = []
    monkeypatch.setattr(sco_results, "save_figure", lambda fig, o, s: figs.append(fig) or [])
    plot_posterior.plot(cal, str(png), keep=keep)
    ax = figs[0].axes
    titles = [a.get_title() for a in ax]
    assert "prior U(0, 2)" in titles and "prior U(0, 3)" in titles
    pair = ax[2]  # row 1, column 0 (the 2 x 2 grid, row-major)
    black = [c for c in pair.collections
             if len(c.get_offsets()) == 2 and len(c.get_facecolors())
             and mcolors.to_hex(c.get_facecolors()[0]) == "#000000"]
    assert len(black) == 1
    assert np.allclose(black[0].get_offsets(), d["theta"][acc[:2]])
    diag = ax[0]
    dark = [r for r in diag.patches if mcolors.to_hex(r.get_facecolor()) == "#000000"
            and r.get_height() > 0]
    assert len(dark) >= 1  # the kept points' bars

    def fails(extra, text, suite_data=None):
        if suite_data is not None:
            suite.write_text(json.dumps(suite_data))
        p = subprocess.run([PYTHON, SCRIPTS / "plot_posterior.py", whole, "-o", png, *extra],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 2 and text in p.stderr and "Traceback" not in p.stderr, p.stderr

    fails(["--prior", "nosuch=0:1"], "not a parameter")
    fails(["--prior", "objection_cost=1:0"], "LO < HI")
    fails(["--prior", "objection_cost"], "NAME=LO:HI")
    fails(["--keep", suite], "was not accepted", {"parameters": names, "kept": [rejected]})
    fails(["--keep", suite], "not a row", {"parameters": names, "kept": [10 ** 6]})
    fails(["--keep", suite], "are not the calibration's", {"parameters": ["x"], "kept": []})
    fails(["--keep", suite], "no list 'kept'", {"parameters": names})


def test_plot_posterior_pools_rejection_files(whole, events, tmp_path, monkeypatch):
    """Several rejection files of one box and tolerance at other seeds are one rejection
    sample: plot_posterior.py draws their union (accepted, kept and prior points, the
    quantiles recomputed by sco-sim's rule), with --keep once per file in the files' order;
    files that do not pool and --keep counts that do not match are exit 2 naming them."""
    import json
    import subprocess
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    import plot_posterior as pp
    import sco_results
    from conftest import PYTHON, SCRIPTS
    ref, _, _ = read(whole)
    tol = float(np.median(ref["distance"]))  # about half of the points of each seed
    names = [_s(v) for v in ref["parameters"]]

    def calib(name, seed, *extra, vary=VARY):
        out = tmp_path / name
        sco("calibrate", SCENARIO, events, *vary, "--points", 24, "-n", 12, "--seed", seed,
            "-q", "-j", 1, "-o", out, *(extra or ("--tolerance", tol)))
        return out

    files = [calib("a.h5", 3), calib("b.h5", 4)]
    raw = [read(f)[0] for f in files]
    acc = [np.flatnonzero(r["accepted"] == 1) for r in raw]
    assert all(len(a) >= 2 for a in acc), [len(a) for a in acc]
    suites = []
    for k, (r, a) in enumerate(zip(raw, acc)):
        kept = [int(i) for i in a[:k + 1]]  # 1 point of a, 2 of b
        pts = {str(i): {"values": dict(zip(names, map(float, r["theta"][i])))} for i in kept}
        suites.append(tmp_path / f"suite{k}.json")
        suites[-1].write_text(json.dumps({"runs": 100, "parameters": names, "points": pts,
                                          "kept": kept}))

    # sco-sim's weighted quantile, as the files record it for their own points
    for r in raw:
        post = r["accepted"] == 1
        for q in ("q05", "median", "q95"):
            mine = [pp.weighted_quantile(r["theta"][post, j], r["weight"][post],
                                         {"q05": 0.05, "median": 0.5, "q95": 0.95}[q])
                    for j in range(2)]
            assert np.allclose(mine, r[f"posterior_{q}"], rtol=0, atol=1e-12), q

    # the pooled calibration: the union, equal weights, the quantiles of the union
    ds = [pp.load(str(f)) for f in files]
    cal = pp.pool(ds)
    both = np.concatenate([r["theta"] for r in raw])
    assert np.array_equal(cal["theta"], both)
    post = cal["accepted"] == 1
    assert post.sum() == len(acc[0]) + len(acc[1])
    assert np.allclose(cal["weight"][post], 1 / post.sum()) and cal["weight"][~post].sum() == 0
    assert cal["ess"][-1] == post.sum()
    union = np.concatenate([r["theta"][a] for r, a in zip(raw, acc)])
    for j in range(2):
        assert min(cal["posterior_q05"][j], cal["posterior_q95"][j]) >= union[:, j].min()
        assert np.isclose(cal["posterior_median"][j], np.median(union[:, j]))
    assert np.allclose(cal["posterior_mean"], union.mean(axis=0))
    keep = pp.load_keeps([str(s) for s in suites], ds, cal)
    assert list(keep) == [int(acc[0][0]), 24 + int(acc[1][0]), 24 + int(acc[1][1])]
    assert pp.pool(ds[:1]) is ds[0]  # one file: the file as it is

    # what is drawn: every accepted point of both, the kept of both in black, the prior
    # points of both
    figs = []
    monkeypatch.setattr(sco_results, "save_figure", lambda fig, o, s: figs.append(fig) or [])
    pp.plot(cal, str(tmp_path / "x.png"), keep=keep)
    pair = figs[0].axes[2]  # row 1, column 0
    offsets = [c.get_offsets() for c in pair.collections]
    assert any(len(o) == 48 and np.allclose(o, both) for o in offsets)  # prior points
    assert any(len(o) == len(union) and np.allclose(o, union) for o in offsets)
    black = [c for c in pair.collections if len(c.get_facecolors())
             and mcolors.to_hex(c.get_facecolors()[0]) == "#000000"]
    assert len(black) == 1 and np.allclose(black[0].get_offsets(), both[keep])
    title = figs[0]._suptitle.get_text().replace("\n", " ")
    assert f"2 files pooled: {len(union)} accepted of 48 points" in title
    assert "the 3 points kept" in title

    png = tmp_path / "pool.png"

    def run(*args):
        return subprocess.run([PYTHON, SCRIPTS / "plot_posterior.py", *args, "-o", png],
                              capture_output=True, text=True, timeout=300)

    p = run(*files, "--keep", *suites)
    assert p.returncode == 0, p.stderr
    assert png.exists() and (tmp_path / "pool.pdf").exists()
    p2 = run(*files, "--keep", suites[0], "--keep", suites[1])  # the repeated form
    assert p2.returncode == 0, p2.stderr

    def fails(args, *texts):
        p = run(*args)
        assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
        for t in texts:
            assert str(t) in p.stderr, (t, p.stderr)

    fails([*files, "--keep", suites[0]], "once per calibration file", files[0], files[1],
          suites[0])
    fails([*files, "--keep", suites[1], suites[0]], suites[1])  # in the wrong order
    moved = json.loads(suites[0].read_text())
    for rec in moved["points"].values():
        rec["values"] = {n: v + 0.01 for n, v in rec["values"].items()}
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    fails([*files, "--keep", tmp_path / "moved.json", suites[1]], "other values than row",
          tmp_path / "moved.json")
    other = calib("other.h5", 5, vary=["--vary", "dynamics.objection_cost=0:0.6",
                                       "--vary", "dynamics.threat_weight=0:1.5"])
    fails([files[0], other], "different parameters", files[0], other)
    box = calib("box.h5", 5, vary=["--vary", "dynamics.objection_cost=0:0.5",
                                   "--vary", "dynamics.military_weight=0:1.5"])
    fails([files[0], box], "different priors", files[0], box)
    fails([files[0], whole], "quantile", whole)  # `whole` cuts at its own quantile
    smc = calib("smc.h5", 5, "--method", "smc", "--generations", 2, "--tolerance", tol)
    fails([files[0], smc], "method smc", smc)
    fails([files[0], files[0]], "same calibration")
    runs = json.loads(suites[1].read_text())
    suites[1].write_text(json.dumps(dict(runs, runs=200)))
    fails([*files, "--keep", *suites], "different numbers of runs")


# ---- several (scenario, events) pairs: --also SCENARIO:EVENTS ----

def _calib_args(seed):
    return [*VARY, "--points", 24, "-n", 12, "--seed", seed, "-q", "-j", 1]


def test_also_pairs_known_answer(whole, events, tmp_path):
    """Pair 0 keeps the master seed, so its per-point scores are those of the one-pair
    calibration bit for bit; pair 1 (the same files) has its own runs; the distance is the
    mean of the two pairs' distances."""
    joint = tmp_path / "joint.h5"
    ys = tmp_path / "joint.yaml"
    sco("calibrate", SCENARIO, events, "--also", f"{SCENARIO}:{events}", *_calib_args(3),
        "-o", joint, "--write-scenario", ys)
    d, a, _ = read(joint)
    ref, _, _ = read(whole)
    assert d["pair_distance"].shape == (24, 2)
    assert [s.decode() for s in d["pair_events_sha256"]] == [a["events_sha256"]] * 2
    assert all(str(SCENARIO) in s.decode() for s in d["pair_scenario_path"])
    seeds = [int(s.decode()) for s in d["pair_seed"]]
    assert seeds[0] == 3 and seeds[1] != 3
    assert np.array_equal(d["pair_distance"][:, 0], ref["distance"])
    assert np.array_equal(d["pair_brier"][:, 0], ref["brier"])
    assert np.array_equal(d["theta"], ref["theta"])  # the ABC draws use the master seed
    # pair 1 is the same scenario and events with other runs: other scores
    assert not np.array_equal(d["pair_distance"][:, 1], d["pair_distance"][:, 0])
    assert np.allclose(d["distance"], d["pair_distance"].mean(axis=1), rtol=0, atol=1e-15)
    assert np.allclose(d["brier"], d["pair_brier"].mean(axis=1), rtol=0, atol=1e-15)
    # --write-scenario edits the primary and names both events files
    assert ys.read_text().count("# calibrated on synthetic record and synthetic record;") == 2
    p = sco("summary", joint)
    assert "also: scenario" in p.stdout and "pair 1" in p.stdout
    import json
    j = json.loads(sco("summary", joint, "--json").stdout)
    assert [q["seed"] for q in j["pairs"]] == seeds


def test_also_pair_one_is_its_own_calibration(events, tmp_path):
    """A pair's scores at a point are those of a one-pair calibration of that pair with the
    pair's seed at the same parameter values: fix the parameters with a one-point prior
    (a uniform of width ~0) so that both runs score the same theta."""
    narrow = ["--vary", "dynamics.objection_cost=0.3:0.3000001",
              "--vary", "dynamics.military_weight=0.7:0.7000001"]
    joint = tmp_path / "j.h5"
    sco("calibrate", SCENARIO, events, "--also", f"{SCENARIO}:{events}", *narrow,
        "--points", 4, "-n", 40, "--seed", 11, "-q", "-o", joint)
    d, _, _ = read(joint)
    s1 = int(d["pair_seed"][1].decode())
    one = tmp_path / "one.h5"
    sco("calibrate", SCENARIO, events, *narrow, "--points", 4, "-n", 40, "--seed", s1, "-q",
        "-o", one)
    o, _, _ = read(one)
    # theta differs in the 7th decimal at most; 40 runs of the same keys give the same counts
    assert np.allclose(d["theta"], o["theta"], atol=1e-6)
    assert np.array_equal(d["pair_brier"][:, 1], o["brier"])
    assert np.array_equal(d["pair_distance"][:, 1], o["distance"])


def test_also_shards_merge_like_the_whole(events, tmp_path):
    args = [SCENARIO, events, "--also", f"{SCENARIO}:{events}", *VARY, "--points", 12, "-n", 8,
            "--seed", 4, "-q"]
    whole = tmp_path / "w.h5"
    sco("calibrate", *args, "-o", whole)
    shards = []
    for k in (1, 2):
        s = tmp_path / f"s{k}.h5"
        sco("calibrate", *args, "--shard", f"{k}/2", "-o", s)
        shards.append(s)
    merged = tmp_path / "m.h5"
    sco("calibrate", "--merge", *shards, "-o", merged, "-q")
    a, _, _ = read(whole)
    b, _, _ = read(merged)
    for key in ("theta", "distance", "pair_distance", "pair_skill", "accepted", "weight"):
        assert np.array_equal(a[key], b[key]), key


def test_also_errors(events, tmp_path):
    out = tmp_path / "e.h5"
    for bad in ("nocolon", f"{SCENARIO}:", f":{events}"):
        p = sco("calibrate", SCENARIO, events, "--also", bad, *VARY, "-o", out, check=False)
        assert p.returncode == 2 and "--also takes SCENARIO:EVENTS" in p.stderr, p.stderr
        assert not out.exists()
    p = sco("calibrate", SCENARIO, events, "--also", f"{tmp_path / 'none.yaml'}:{events}",
            *VARY, "-o", out, check=False)
    assert p.returncode == 2 and "none.yaml" in p.stderr
    # a varied path that the --also scenario lacks
    other = ROOT / "tests" / "data" / "bad" / "base_valid.yaml"
    p = sco("calibrate", SCENARIO, events, "--also", f"{other}:{events}", *VARY,
            "--vary", "agents.CCC.military_reluctance=0:1", "-o", out, check=False)
    assert p.returncode == 2, p.stderr
    assert "agents.CCC.military_reluctance" in p.stderr and "base_valid.yaml" in p.stderr
    assert "must exist in every scenario" in p.stderr
    assert not out.exists()
    p = sco("calibrate", "--merge", tmp_path / "x.h5", "--also", f"{SCENARIO}:{events}", "-o",
            out, check=False)
    assert p.returncode == 2 and "--also" in p.stderr


def test_progress_counts_every_run_of_every_pair_and_quiet_silences_it(events, tmp_path):
    # The shared progress line (cli/progress.cpp): 24 points x 12 runs x 2 pairs, drawn on
    # stderr with --progress; -q wins over --progress.
    out = tmp_path / "p.h5"
    args = ["calibrate", SCENARIO, events, *VARY, "--points", 24, "-n", 12, "--seed", 3,
            "--also", f"{SCENARIO}:{events}", "-o", out]
    p = sco(*args, "--progress")
    # text mode reads the line's carriage returns as newlines (the posterior's warning, 24
    # points at quantile 0.1, follows the progress line)
    lines = [x for x in p.stderr.splitlines()
             if x.strip() and not x.startswith("sco-sim: warning: ")]
    assert lines and lines[-1].strip().startswith("576/576 runs,"), p.stderr[-300:]
    assert sco(*args, "--progress", "-q", "--force").stderr == ""


# ---- --require: pattern-oriented filtering (docs/calibration.md, "Pattern-filtered
# calibration") ----

def _wilson_hi(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    return (p + z * z / (2 * n)) / d + z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d


@pytest.fixture(scope="module")
def bbb_joins(tmp_path_factory):
    """A required fact of the recovery scenario with a known answer: member BBB (military
    reluctance 0.4) takes part in exercise_d in 2001, 2002 and 2003. Taking part costs more
    as military_weight rises: measured below, at military_weight 0.8 BBB takes part in fewer
    than a third of the runs even at the most favourable objection cost of the prior, so the
    fact can hold only in the low part of the prior."""
    out = tmp_path_factory.mktemp("req") / "bbb_joins.yaml"
    lines = ["format: sco-sim-events/1", "name: BBB joins exercise_d", "events:"]
    for y in (2001, 2002, 2003):
        lines += [f"  - id: Q{y}", f"    year: {y}", "    proposal: exercise_d",
                  "    confidence: high", "    source: test", "    observed:",
                  "      took_part: [BBB]"]
    out.write_text("\n".join(lines) + "\n")
    return out


def _p_direct(tmp_path, events, mw, oc):
    res = tmp_path / f"direct-{mw}-{oc}.h5"
    sco("run", SCENARIO, "--set", f"dynamics.military_weight={mw}", "--set",
        f"dynamics.objection_cost={oc}", "-n", 400, "--seed", 9, "-q", "--summary-only", "-o", res)
    import json
    j = json.loads(sco("score", res, events, "--json").stdout)
    return [o["p"] for o in j["observations"]]


def test_require_cuts_the_posterior_to_the_part_of_the_prior_that_holds(events, bbb_joins,
                                                                        tmp_path):
    # The known answer, measured directly (400 runs): the fact holds at a low military weight
    # and fails at 0.8 even with the prior's largest objection cost (fewest vetoes).
    assert min(_p_direct(tmp_path, bbb_joins, 0.05, 0.6)) > 0.55
    assert max(_p_direct(tmp_path, bbb_joins, 0.8, 0.6)) < 0.3
    args = [SCENARIO, events, *VARY, "--points", 80, "-n", 30, "--seed", 3, "--quantile", 0.5,
            "-q"]
    free, cut = tmp_path / "free.h5", tmp_path / "cut.h5"
    sco("calibrate", *args, "-o", free)
    sco("calibrate", *args, "--require", f"{SCENARIO}:{bbb_joins}", "-o", cut)
    f, _, _ = read(free)
    d, a, _ = read(cut)
    mw = d["theta"][:, 1]
    # the filter does not touch the distance: pair 0 is the plain calibration bit for bit
    assert np.array_equal(d["theta"], f["theta"])
    assert np.array_equal(d["distance"], f["distance"])
    assert np.array_equal(d["pair_distance"][:, 0], f["distance"])
    assert list(d["pair_required"]) == [0, 1]
    assert a["require_level"] == 0.5
    assert [s.decode() for s in d["required"]] == [
        f"Q{y} took_part:BBB ({bbb_joins})" for y in (2001, 2002, 2003)]
    assert list(d["required_pair"]) == [1, 1, 1]
    # the rule: an observation holds where its share of the 30 runs reaches 0.5
    k = np.rint(d["required_p"] * 30)
    assert np.array_equal(d["required_held"] == 1, k >= 15)
    assert a["require_rule"] == "share"
    feasible = d["required_held"].all(axis=1)
    acc = d["accepted"] == 1
    # only part of the prior holds the fact, and only that part is accepted
    assert 5 <= feasible.sum() <= 40, feasible.sum()
    assert np.all(feasible[acc])
    assert acc.sum() == math.ceil(0.5 * feasible.sum())  # the quantile of the feasible points
    # the known answer: no accepted point at military_weight >= 0.8, where the fact fails;
    # without the filter the posterior reaches there
    assert mw[acc].max() < 0.8
    assert (f["theta"][f["accepted"] == 1, 1] >= 0.8).sum() >= 5
    assert np.median(mw[acc]) < np.median(f["theta"][f["accepted"] == 1, 1])
    # the summary says which observations the points failed
    p = sco("summary", cut)
    assert "required: scenario" in p.stdout
    assert "points hold every required event" in p.stdout
    for y in (2001, 2002, 2003):
        assert re.search(rf"Q{y} took_part:BBB .*: \d+ of 80", p.stdout), p.stdout
    import json
    j = json.loads(sco("summary", cut, "--json").stdout)
    assert j["require_level"] == 0.5 and [q["required"] for q in j["pairs"]] == [False, True]
    fails = (d["required_held"] == 0).sum(axis=0)
    assert [r["points_failing"] for r in j["required"]] == list(fails)


def test_require_with_smc_accepts_only_feasible_points_in_every_generation(events, bbb_joins,
                                                                           tmp_path):
    out, ys = tmp_path / "smc.h5", tmp_path / "post.yaml"
    sco("calibrate", SCENARIO, events, *VARY, "--method", "smc", "--generations", 2, "--points",
        40, "-n", 30, "--seed", 5, "--quantile", 0.3, "--require", f"{SCENARIO}:{bbb_joins}",
        "--require-level", 0.4, "-q", "-o", out, "--write-scenario", ys)
    d, a, _ = read(out)
    assert a["require_level"] == 0.4
    acc = d["accepted"] == 1
    gen = d["point_generation"]
    fails = (d["required_held"] == 0).sum(axis=1)
    # the last generation (the posterior): only points that hold every observation
    assert (acc & (gen == 1)).sum() > 0
    assert np.all(fails[acc & (gen == 1)] == 0)
    assert np.isclose(d["weight"][gen == 1].sum(), 1.0)
    # generation 0 (a proposal only): feasibility first, ceil(0.3 x 40) = 12 accepted, none
    # failing more observations than a rejected point
    g0 = gen == 0
    assert (acc & g0).sum() == 12
    assert fails[acc & g0].max() <= fails[~acc & g0].min()
    # --write-scenario names the distance's events and the filter's
    assert ys.read_text().count(
        "# calibrated on synthetic record (pattern-filtered by BBB joins exercise_d, level 0.4)"
        ";") == 2


def test_require_errors(events, bbb_joins, tmp_path):
    out = tmp_path / "e.h5"
    for bad in ("nocolon", f"{SCENARIO}:"):
        p = sco("calibrate", SCENARIO, events, "--require", bad, *VARY, "-o", out, check=False)
        assert p.returncode == 2 and "--require takes SCENARIO:EVENTS" in p.stderr, p.stderr
    p = sco("calibrate", SCENARIO, events, "--require", f"{SCENARIO}:{tmp_path / 'none.yaml'}",
            *VARY, "-o", out, check=False)
    assert p.returncode == 2 and "none.yaml" in p.stderr, p.stderr
    # events naming a proposal the required scenario lacks: exit 2 naming it
    bad = tmp_path / "bad.yaml"
    bad.write_text(bbb_joins.read_text().replace("exercise_d", "exercise_z"))
    p = sco("calibrate", SCENARIO, events, "--require", f"{SCENARIO}:{bad}", *VARY, "-o", out,
            check=False)
    assert p.returncode == 2 and "exercise_z" in p.stderr, p.stderr
    for level in ("0", "1", "1.5", "x"):
        p = sco("calibrate", SCENARIO, events, "--require", f"{SCENARIO}:{bbb_joins}",
                "--require-level", level, *VARY, "-o", out, check=False)
        assert p.returncode == 2 and "--require-level" in p.stderr, p.stderr
    p = sco("calibrate", SCENARIO, events, "--require-level", "0.5", *VARY, "-o", out,
            check=False)
    assert p.returncode == 2 and "--require-level" in p.stderr
    assert not out.exists()


# ---- --require-less/--than: required comparisons between scenarios (docs/calibration.md,
# "Required comparisons") ----

@pytest.fixture(scope="module")
def bbb_keen(tmp_path_factory):
    """The recovery scenario with BBB's military reluctance removed: BBB's participation can
    only rise. Requiring it to be LOWER here than in the recovery scenario (the wrong way) is
    a comparison with a known answer: it holds where reluctance changes nothing (a low
    military weight, which scales it) and fails where it keeps BBB out."""
    out = tmp_path_factory.mktemp("cmp") / "keen.yaml"
    out.write_text(f"format: sco-sim/1\nextends: {SCENARIO}\nname: BBB keen\n"
                   "set:\n  agents.BBB.military_reluctance: 0.0\n")
    return out


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return p, c - h, c + h


def test_require_less_cuts_the_points_where_the_comparison_goes_the_wrong_way(
        events, bbb_joins, bbb_keen, tmp_path):
    # The known answer, measured directly (400 runs): at military weight 0.05 the reluctance
    # hardly matters; at 1.2 it keeps BBB out of exercise_d and removing it lets BBB in.
    lo_plain = _p_direct(tmp_path, bbb_joins, 0.05, 0.3)
    hi_plain = _p_direct(tmp_path, bbb_joins, 1.2, 0.3)
    res = tmp_path / "keen-hi.h5"
    sco("run", bbb_keen, "--set", "dynamics.military_weight=1.2", "--set",
        "dynamics.objection_cost=0.3", "-n", 400, "--seed", 9, "-q", "--summary-only", "-o", res)
    import json
    hi_keen = [o["p"] for o in json.loads(sco("score", res, bbb_joins, "--json").stdout)
               ["observations"]]
    assert np.mean(hi_keen) - np.mean(hi_plain) > 0.3, (hi_keen, hi_plain)
    assert np.mean(lo_plain) > 0.5
    n = 30
    args = [SCENARIO, events, *VARY, "--points", 60, "-n", n, "--seed", 3, "--quantile", 0.5,
            "-q"]
    free, cut = tmp_path / "free.h5", tmp_path / "cut.h5"
    sco("calibrate", *args, "-o", free)
    less, more = f"{bbb_keen}:{bbb_joins}", f"{SCENARIO}:{bbb_joins}:Q2001,Q2002,Q2003"
    sco("calibrate", *args, "--require-less", less, "--than", more, "-o", cut)
    f, _, _ = read(free)
    d, a, _ = read(cut)
    # the comparison does not touch the distance: the points and distances are the plain ones
    assert np.array_equal(d["theta"], f["theta"])
    assert np.array_equal(d["distance"], f["distance"])
    # two compared pairs (role 2), one required row: the comparison, with its label
    assert list(d["pair_required"]) == [0, 2, 2]
    assert [s.decode() for s in d["required"]] == [f"comparison {less} < {more}"]
    assert list(d["required_pair"]) == [1]
    diff = d["required_p"][:, 0]
    held = d["required_held"][:, 0] == 1
    # the rule: a point fails only when the difference (more minus less) is significantly
    # negative; the interval needs both sides' counts, so check its consequences: every cut
    # point has a clearly negative difference, and every clearly negative one is cut. The
    # shares are of 90 (three observations of 30 runs): no difference above -5/90 can be
    # significant (5 of 90 against 0 of 90 is the first whose interval's upper end is below
    # 0, by MOVER with Wilson intervals), while -0.1 can be (81 against 90: -0.038)
    assert np.all(diff[~held] <= -5 / 90 + 1e-12)
    assert np.all(held[diff > 0])
    assert np.all(~held[diff < -0.5])
    # the known answer: cut at high military weight, kept at low
    mw = d["theta"][:, 1]
    assert held[mw < 0.1].all()
    assert (~held).sum() >= 5 and mw[~held].min() > 0.1
    assert np.median(mw[~held]) > np.median(mw[held])
    # a point the plain calibration accepts is rejected for the comparison alone
    acc_free, acc_cut = f["accepted"] == 1, d["accepted"] == 1
    assert np.all(held[acc_cut])
    assert (acc_free & ~acc_cut & ~held).sum() >= 1
    # the pairs' own scores are kept: pair 1 is the keen scenario's, pair 2 the plain one's
    assert d["pair_distance"].shape == (60, 3)
    # the summary counts the points failing the comparison
    p = sco("summary", cut)
    assert "compared: scenario" in p.stdout and "comparison(s) must hold" in p.stdout
    assert re.search(r"comparison .*: \d+ of 60", p.stdout), p.stdout
    j = json.loads(sco("summary", cut, "--json").stdout)
    assert [q["compared"] for q in j["pairs"]] == [False, True, True]
    assert j["required"][0]["points_failing"] == int((~held).sum())


def test_require_less_known_answer_per_side(events, bbb_joins, bbb_keen, tmp_path):
    """One side is a subset of events by id; its probability is the mean of the named
    observations, the same numbers `score` gives for the pair at that point."""
    out = tmp_path / "one.h5"
    sco("calibrate", SCENARIO, events, "--vary", "dynamics.objection_cost=0.29:0.31", "--set",
        "dynamics.military_weight=1.2", "--points", 2, "-n", 200, "--seed", 4, "-q",
        "--require-less", f"{SCENARIO}:{bbb_joins}:Q2001", "--than", f"{bbb_keen}:{bbb_joins}",
        "-o", out)
    d, _, _ = read(out)
    # removing the reluctance raises BBB's participation at military weight 1.2: holds, and
    # clearly positive
    assert d["required_held"].all()
    assert np.all(d["required_p"][:, 0] > 0.2)


def test_require_less_errors(events, bbb_joins, bbb_keen, tmp_path):
    out = tmp_path / "e.h5"
    ok = f"{SCENARIO}:{bbb_joins}"

    def run(*extra):
        return sco("calibrate", SCENARIO, events, *VARY, "--points", 4, "-n", 2, "-o", out,
                   *extra, check=False)
    # an unknown event id: the events file and the option named, with a suggestion
    p = run("--require-less", f"{ok}:Q2010", "--than", f"{bbb_keen}:{bbb_joins}")
    assert p.returncode == 2 and str(bbb_joins) in p.stderr and "--require-less" in p.stderr \
        and "no event 'Q2010'" in p.stderr and "Q2001" in p.stderr, p.stderr
    p = run("--require-less", ok, "--than", f"{bbb_keen}:{bbb_joins}:Q200")
    assert p.returncode == 2 and "--than" in p.stderr and "no event 'Q200'" in p.stderr, p.stderr
    # a missing file
    p = run("--require-less", f"{SCENARIO}:{tmp_path / 'none.yaml'}", "--than", ok)
    assert p.returncode == 2 and "none.yaml" in p.stderr, p.stderr
    p = run("--require-less", f"{tmp_path / 'none.yaml'}:{bbb_joins}", "--than", ok)
    assert p.returncode == 2 and "none.yaml" in p.stderr, p.stderr
    # a pair compared with itself
    p = run("--require-less", ok, "--than", ok)
    assert p.returncode == 2 and "compares a pair with itself" in p.stderr, p.stderr
    p = run("--require-less", f"{ok}:Q2001,Q2002", "--than", f"{ok}:Q2002,Q2001")
    assert p.returncode == 2 and "compares a pair with itself" in p.stderr, p.stderr
    # unmatched sides, a malformed side
    p = run("--require-less", ok)
    assert p.returncode == 2 and "--than" in p.stderr, p.stderr
    p = run("--than", ok)
    assert p.returncode == 2 and "--require-less" in p.stderr, p.stderr
    p = run("--require-less", "nocolon", "--than", ok)
    assert p.returncode == 2 and "--require-less takes SCENARIO:EVENTS" in p.stderr, p.stderr
    assert not out.exists()
