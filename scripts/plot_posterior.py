#!/usr/bin/env python3
"""The posterior of a calibration (`sco-sim calibrate`) against its priors.

    plot_posterior.py CALIBRATION.h5 [CALIBRATION.h5 ...] [-o FIG.png] [--bins N]
                      [--keep SUITE.json [SUITE.json ...]] [--prior NAME=LO:HI ...]

On the diagonal, each parameter's marginal: the weighted posterior histogram (the last
generation's accepted points with their weights) over the prior's density, with the
posterior's 90% interval and median marked. Below the diagonal, the pairwise posterior:
its accepted points as open circles (a weighted 2-D histogram when there are more than 300)
over the prior points run in generation 0 as gray dots (a fixed subsample of 2,000 when
there are more), so that the posterior's place within the prior's box shows. Writes FIG.png and
FIG.pdf (default: CALIBRATION-posterior.png beside the (first) file). File layout:
docs/hdf5-format.md, "Calibration files".

Several files are pooled into one posterior: rejection calibrations of the same box at several
seeds (each seed's points are further draws from the same prior, accepted by the same fixed
rule) are together one rejection sample of their total size, every accepted point weighing
the same. Pooled are only `rejection` files with a distance posterior accepted by the same
--tolerance, with the same parameters and recorded priors (the box), scenario, runs per
point, events (by content) and required events and levels, and not the same calibration
twice (the scenarios of further pairs are not compared: see _attrs); anything else
(an `smc` file, whose weights are relative to its own proposal; a `--quantile` cut, which is
each file's own; a likelihood posterior, normalised per file) is refused, exit 2. The pooled
posterior's 90% interval and median are recomputed from the pooled points (the weighted
quantile of `sco-sim calibrate`), its ESS is the number of pooled accepted points. "The prior
points run in generation 0" are then every file's points together (all are draws from the
one prior), subsampled by the same fixed rule (a fixed subsample of 2,000 of them). With one
file, nothing is recomputed: the figure is the file's.

--keep SUITE.json marks the points `scripts/suite_filter.py` kept (its state file, the
field "kept": rows of the calibration's points that pass the whole pattern suite): black
dots in the pairwise panels, and on the diagonal their histogram drawn inside the accepted
points' (same scale, so the kept bars are the subset they are) with their median. With
several files, one SUITE.json per file, in the files' order (`--keep A.json B.json` or
`--keep A.json --keep B.json`): each one's "kept" are rows of ITS file; where a state file
records its points' values, each kept row must have them in its file (a state file given in
the wrong order is refused). State files that ran the suite at different numbers of runs are
refused.

--prior NAME=LO:HI (repeatable; NAME the parameter's path or its last component) draws the
prior as uniform on [LO, HI] instead of the prior the file records. A calibration run over
a box (`--vary NAME=LO:HI` narrower than the prior) records its box as the prior; the true
prior is then given here. The axes stay the box the points were drawn from, and each
diagonal panel names the prior drawn.
"""
import argparse
import json
import math
import os
import re
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

np = sr.np

#: At most this many prior points (generation 0) are drawn as dots in a pairwise panel.
MAX_PRIOR_DOTS = 2000
#: Up to this many accepted points are drawn as dots; more as a weighted 2-D histogram.
MAX_POSTERIOR_DOTS = 300


def _s(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(path):
    import h5py
    with h5py.File(path, "r") as f:
        if _s(f.attrs.get("format", "")) != "sco-sim-calibration/1":
            raise sr.Skip(f"{path} is not a calibration file (format sco-sim-calibration/1)")
        c = f["/calibration"]
        if _s(c.attrs["kind"]) != "final":
            raise sr.Skip(f"{path} is a calibration {_s(c.attrs['kind'])}: merge the shards first")
        d = {k: c[k][...] for k in c.keys()}
        d["parameters"] = [_s(v) for v in d["parameters"]]
        d["prior_kind"] = [_s(v) for v in d["prior_kind"]]
        d["prior"] = [_s(v) for v in d["prior"]]
        d["path"] = str(path)
        d["method"] = _s(c.attrs["method"])
        d["events_name"] = _s(c.attrs["events_name"])
        if "pair_events_name" in c:  # several (scenario, events) pairs: name them all
            d["events_name"] = _pairs_text(c)
    return d


def _pairs_text(c):
    """The pairs by role: the distance's events joined by '+'; the required pairs (--require)
    as 'filtered by EVENTS (SCENARIO)', so that one events file scored on two scenarios is
    named twice distinctly; the compared pairs (--require-less/--than) as the number of
    comparisons and the scenario files they compare."""
    names = [_s(v) for v in c["pair_events_name"][...]]
    scen = ([_s(v) for v in c["pair_scenario_name"][...]] if "pair_scenario_name" in c
            else [""] * len(names))
    role = list(c["pair_required"][...]) if "pair_required" in c else [0] * len(names)
    on = [n for n, r in zip(names, role) if r == 0]
    by = [f"{n} ({s})" if s else n for n, s, r in zip(names, scen, role) if r == 1]
    # compared pairs by file name: fact 7's copies of the baseline keep the baseline's name
    paths = ([_s(v) for v in c["pair_scenario_path"][...]] if "pair_scenario_path" in c
             else scen)
    cmp_scen = list(dict.fromkeys(os.path.splitext(os.path.basename(p))[0]
                                  for p, r in zip(paths, role) if r == 2))
    n_cmp = sum(1 for v in c["required"][...] if _s(v).startswith("comparison ")) \
        if "required" in c else 0
    text = " + ".join(on)
    if by:
        text += "; filtered by " + ", ".join(by)
    if n_cmp:
        text += f"; {n_cmp} required comparisons of " + ", ".join(cmp_scen)
    return text


def _attrs(path):
    """What a rejection sample depends on besides its seed and size, as comparable values:
    the acceptance rule, the scenario, the runs per point, the events and the required
    observations (attributes and datasets of the file; absent ones read as None). The
    scenarios of the further pairs (--require, --also) are not compared: their SHA-256 changes
    when a calibrated value is ported into them, which --vary overrides (session 10's seeds
    2016-2020 ran after session 8's port into scenarios/sco2014.yaml, seed 2015 before)."""
    import h5py
    with h5py.File(path, "r") as f:
        c = f["/calibration"]
        out = {k: (_s(f.attrs[k]) if k in f.attrs else None)
               for k in ("scenario_sha256", "replications")}
        for k in ("calibration_id", "posterior", "distance", "require_rule", "events_sha256"):
            out[k] = _s(c.attrs[k]) if k in c.attrs else None
        for k in ("tolerance", "quantile", "require_level"):
            out[k] = float(c.attrs[k]) if k in c.attrs else None
        out["require_floor"] = float(c.attrs["require_floor"]) if "require_floor" in c.attrs \
            else 0.0  # absent in files written before it: none given, 0
        for k in ("pair_events_sha256", "pair_required", "required_level"):
            out[k] = [_s(v) for v in c[k][...]] if k in c else None
        # the required events without the events file's path (each run may have its copy;
        # the files' contents are compared by pair_events_sha256)
        out["required"] = ([re.sub(r" \([^()]*\)$", "", _s(v)) if not _s(v).startswith(
            "comparison ") else "comparison" for v in c["required"][...]]
            if "required" in c else None)
        out["skipped"] = ([_s(v) for v in np.atleast_1d(c.attrs["skipped"])]
                          if "skipped" in c.attrs else None)
    return out


#: What two files must share to pool, as (name in the message, key of _attrs).
POOL_SAME = (("scenario", "scenario_sha256"), ("runs per point", "replications"),
             ("events", "events_sha256"), ("distance", "distance"),
             ("events of the pairs", "pair_events_sha256"), ("pair roles", "pair_required"),
             ("required observations", "required"), ("required levels", "required_level"),
             ("require level", "require_level"), ("require rule", "require_rule"),
             ("require floor", "require_floor"), ("skipped observations", "skipped"),
             ("tolerance", "tolerance"))


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def weighted_quantile(values, weights, q):
    """sco-sim's weighted quantile (abc::weighted_quantile): the points of positive weight
    sorted, point i at cumulative (W_<i + w_i/2)/W, linear in between, clamped at the ends."""
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    v, w = v[w > 0], w[w > 0]
    if not len(v):
        return float("nan")
    o = np.argsort(v, kind="stable")
    v, w = v[o], w[o]
    c = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, c, v))


def pool(ds):
    """One calibration from the loaded files DS (each with its "path"): one file as it is;
    several rejection files of the same box, filters and tolerance as one rejection sample
    (points concatenated in the files' order, equal weights on the accepted, the posterior's
    quantiles recomputed). ValueError naming the files when they cannot pool."""
    if len(ds) == 1:
        return ds[0]
    first = ds[0]
    fp = first["path"]
    attrs = [_attrs(d["path"]) for d in ds]
    for d, at in zip(ds, attrs):
        p = d["path"]
        if d["method"] != "rejection":
            raise ValueError(f"{p}: method {d['method']}: only rejection calibrations pool "
                             "(equal weights); an smc generation's weights are relative to its "
                             "own proposal")
        if (at["posterior"] or "distance") != "distance":
            raise ValueError(f"{p}: a {at['posterior']} posterior (weights normalised within "
                             "the file) does not pool; only the distance posterior does")
        if at["tolerance"] is None or not math.isfinite(at["tolerance"]):
            raise ValueError(f"{p}: accepted by a quantile of its own points (--quantile "
                             f"{at['quantile']}), a cut of its own: only calibrations accepted "
                             "by one --tolerance pool")
    for d, at in zip(ds[1:], attrs[1:]):
        p = d["path"]
        if d["parameters"] != first["parameters"]:
            raise ValueError(f"{p} and {fp} do not pool: different parameters ("
                             + ", ".join(d["parameters"]) + " against "
                             + ", ".join(first["parameters"]) + ")")
        if (d["prior"] != first["prior"] or d["prior_kind"] != first["prior_kind"]
                or not all(np.array_equal(d[k], first[k])
                           for k in ("prior_a", "prior_b", "support_lo", "support_hi"))):
            raise ValueError(f"{p} and {fp} do not pool: different priors (the box) as "
                             "recorded (" + ", ".join(d["prior"]) + " against "
                             + ", ".join(first["prior"]) + ")")
        for what, k in POOL_SAME:
            if not _same(at[k], attrs[0][k]):
                raise ValueError(f"{p} and {fp} do not pool: different {what} ({at[k]} "
                                 f"against {attrs[0][k]})")
    ids = [at["calibration_id"] for at in attrs]
    for i, cid in enumerate(ids):
        if cid is not None and cid in ids[:i]:
            raise ValueError(f"{ds[i]['path']} and {ds[ids.index(cid)]['path']} are the same "
                             "calibration (same seed): the same points twice do not pool")
    out = dict(first)
    out["prior_kind"], out["prior"] = list(first["prior_kind"]), list(first["prior"])
    out["prior_a"], out["prior_b"] = first["prior_a"].copy(), first["prior_b"].copy()
    for k in ("theta", "point_generation", "accepted", "distance", "point_index"):
        out[k] = np.concatenate([d[k] for d in ds])
    acc = (out["accepted"] == 1).astype(float)
    out["weight"] = acc / acc.sum() if acc.sum() else acc
    post = out["accepted"] == 1
    out["ess"] = np.array([float(post.sum())])
    out["n_accepted"] = np.array([int(post.sum())])
    th, w = out["theta"][post], out["weight"][post]
    for q, name in ((0.05, "q05"), (0.5, "median"), (0.95, "q95")):
        out[f"posterior_{name}"] = np.array([weighted_quantile(th[:, j], w, q)
                                             for j in range(th.shape[1])])
    out["posterior_mean"] = w @ th / w.sum() if len(w) else np.full(th.shape[1], np.nan)
    out["posterior_sd"] = (np.sqrt(w @ (th - out["posterior_mean"]) ** 2 / w.sum()) if len(w)
                           else np.full(th.shape[1], np.nan))
    out["pooled"] = [d["path"] for d in ds]
    out["offsets"] = list(np.cumsum([0] + [len(d["theta"]) for d in ds[:-1]]))
    return out


def parse_prior(spec, names):
    """(index, lo, hi) of a --prior NAME=LO:HI; ValueError naming the problem."""
    m = re.fullmatch(r"\s*([^=\s]+)\s*=\s*([^:]+):(.+)", spec)
    if not m:
        raise ValueError(f"--prior {spec!r}: expected NAME=LO:HI")
    name = m.group(1)
    hits = [j for j, n in enumerate(names) if n == name or n.rsplit(".", 1)[-1] == name]
    if len(hits) != 1:
        raise ValueError(f"--prior {spec!r}: '{name}' is "
                         + ("ambiguous" if hits else "not a parameter")
                         + " of the calibration (" + ", ".join(names) + ")")
    try:
        lo, hi = float(m.group(2)), float(m.group(3))
    except ValueError:
        raise ValueError(f"--prior {spec!r}: LO and HI must be numbers") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"--prior {spec!r}: needs finite LO < HI")
    return hits[0], lo, hi


def set_priors(d, specs):
    """Replace the recorded prior of each --prior NAME=LO:HI by uniform(LO, HI)."""
    for spec in specs or []:
        j, lo, hi = parse_prior(spec, d["parameters"])
        d["prior_kind"][j] = "uniform"
        d["prior_a"][j], d["prior_b"][j] = lo, hi
        d["prior"][j] = f"uniform({lo:g}, {hi:g})"
        d["prior_overridden"] = True
    return d


def read_state(path):
    """SUITE.json (suite_filter.py's state) as a dict with a list 'kept'; ValueError if not."""
    try:
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON ({e})") from e
    if not isinstance(j, dict) or not isinstance(j.get("kept"), list):
        raise ValueError(f"{path}: no list 'kept' (write it with scripts/suite_filter.py)")
    return j


def load_keep(path, d, j=None):
    """The rows of the calibration's points that SUITE.json (suite_filter.py's state; J if
    read already) kept, checked against the calibration: same parameters, rows in range and
    accepted, and where the state records a kept point's values, the row's values."""
    if j is None:
        j = read_state(path)
    if "parameters" in j and list(j["parameters"]) != list(d["parameters"]):
        raise ValueError(f"{path}: its parameters ({', '.join(j['parameters'])}) are not the "
                         f"calibration's ({', '.join(d['parameters'])})")
    n = len(d["theta"])
    rows = []
    for i in j["kept"]:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n:
            raise ValueError(f"{path}: kept point {i!r} is not a row of the calibration "
                             f"(0 to {n - 1})")
        if d["accepted"][i] != 1:
            raise ValueError(f"{path}: kept point {i} was not accepted by the calibration "
                             "(a state file of another calibration?)")
        rec = (j.get("points") or {}).get(str(i)) if isinstance(j.get("points"), dict) else None
        if isinstance(rec, dict) and isinstance(rec.get("values"), dict):
            vals = [rec["values"].get(n) for n in d["parameters"]]
            if None in vals or not np.allclose(vals, d["theta"][i], rtol=1e-12, atol=0):
                raise ValueError(f"{path}: kept point {i} has other values than row {i} of "
                                 f"{d.get('path', 'the calibration')} (a state file of another "
                                 "calibration, or given in another order than the files?)")
        rows.append(i)
    return np.array(rows, dtype=int)


def load_keeps(paths, ds, pooled):
    """The kept rows of POOLED (pool(DS)) from one SUITE.json per file of DS, in order: each
    file's rows by load_keep, shifted by the rows of the files before it."""
    if len(paths) != len(ds):
        raise ValueError(f"--keep is given once per calibration file, in the same order: "
                         f"{len(ds)} files ({', '.join(d['path'] for d in ds)}) and "
                         f"{len(paths)} --keep ({', '.join(map(str, paths))})")
    states = [read_state(p) for p in paths]
    runs = {p: st["runs"] for p, st in zip(paths, states) if "runs" in st}
    if len(set(runs.values())) > 1:
        raise ValueError("the state files ran the suite at different numbers of runs ("
                         + ", ".join(f"{p}: {r}" for p, r in runs.items()) + ")")
    offsets = pooled.get("offsets", [0])
    return np.concatenate([load_keep(p, d, st) + off
                           for p, d, st, off in zip(paths, ds, states, offsets)]).astype(int)


def prior_pdf(d, j, x):
    """The prior density of parameter j at x (uniform, beta on the range, truncated normal)."""
    kind, a, b = d["prior_kind"][j], float(d["prior_a"][j]), float(d["prior_b"][j])
    lo, hi = float(d["support_lo"][j]), float(d["support_hi"][j])
    x = np.asarray(x, dtype=float)
    inside = (x >= lo) & (x <= hi)
    if kind == "uniform":  # on its own range, which --prior may set wider than the box
        return np.where((x >= a) & (x <= b), 1.0 / (b - a), 0.0)
    if kind == "beta":
        u = np.clip((x - lo) / (hi - lo), 1e-12, 1 - 1e-12)
        logb = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        return np.where(inside, np.exp((a - 1) * np.log(u) + (b - 1) * np.log1p(-u) - logb)
                        / (hi - lo), 0.0)
    phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    z = phi((hi - a) / b) - phi((lo - a) / b)
    return np.where(inside, np.exp(-0.5 * ((x - a) / b) ** 2) / (b * math.sqrt(2 * math.pi) * z),
                    0.0)


def plot(d, out, bins=20, keep=None, keep_name="the pattern suite"):
    overridden = d.get("prior_overridden", False)
    plt = sr.pyplot()
    k = len(d["parameters"])
    gen = d["point_generation"]
    last = gen.max()
    post = (gen == last) & (d["accepted"] == 1) & (d["weight"] > 0)
    th, w = d["theta"][post], d["weight"][post]
    prior_pts = d["theta"][gen == 0]
    if len(prior_pts) > MAX_PRIOR_DOTS:  # a fixed subsample: 36,000 dots fill the panel
        prior_pts = prior_pts[np.random.default_rng(0).choice(len(prior_pts), MAX_PRIOR_DOTS,
                                                              replace=False)]
    kept = d["theta"][keep] if keep is not None and len(keep) else None
    size = min(2.3 * k + 0.6, sr.MAX_WIDTH_PX / sr.DPI)  # within the width limit
    fig, axes = plt.subplots(k, k, figsize=(size, size), squeeze=False)
    for i in range(k):
        lo, hi = float(d["support_lo"][i]), float(d["support_hi"][i])
        for j in range(k):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                edges = np.linspace(lo, hi, bins + 1)
                # density of the accepted points; the kept ones at the same scale (a subset)
                scale = 1.0 / (w.sum() * (edges[1] - edges[0]))
                ax.hist(th[:, i], bins=edges, weights=w * scale,
                        color="0.75" if kept is not None else "0.55",
                        edgecolor="black", linewidth=0.5,
                        label="accepted" if kept is not None else "posterior")
                if kept is not None:
                    wk = np.full(len(kept), w.sum() / len(th) if len(th) else 0.0)
                    ax.hist(kept[:, i], bins=edges, weights=wk * scale, color="black",
                            edgecolor="black", linewidth=0.5, label=f"kept ({len(kept)})")
                xs = np.linspace(lo, hi, 400)
                ax.plot(xs, prior_pdf(d, i, xs), color="black", linestyle="--", linewidth=1.2,
                        label="prior")
                q05, med, q95 = (float(d[f"posterior_{q}"][i]) for q in ("q05", "median", "q95"))
                ax.axvspan(q05, q95, color="0.9", zorder=0,
                           label="90% interval" if kept is None else "90% interval, accepted")
                ax.axvline(med, color="black", linewidth=1.0,
                           label="median" if kept is None else "median, accepted")
                if kept is not None:
                    ax.axvline(float(np.median(kept[:, i])), color="black", linewidth=2.2,
                               linestyle=":", label="median, kept")
                ax.set_xlim(lo, hi)
                ax.set_yticks([])
                ax.set_title("prior " + _prior_text(d, i), fontsize=8)
                if i == 0:
                    h, lab = ax.get_legend_handles_labels()
                    from matplotlib.lines import Line2D
                    h.append(Line2D([], [], linestyle="none", marker="o", markersize=3,
                                    color="0.7", label="prior points (pairs)"))
                    lab.append("prior points (pairs)")
                    if len(th) <= MAX_POSTERIOR_DOTS:
                        h.append(Line2D([], [], linestyle="none", marker="o", markersize=5,
                                        markerfacecolor="none", markeredgecolor="0.35"))
                        lab.append("accepted points (pairs)")
                    if kept is not None:
                        h.append(Line2D([], [], linestyle="none", marker="o", markersize=6,
                                        color="black", markeredgecolor="white"))
                        lab.append("kept points (pairs)")
                    fig.legend(h, lab, loc="upper right", bbox_to_anchor=(0.98, 0.9),
                               frameon=False, fontsize=10)
            else:
                lo_j, hi_j = float(d["support_lo"][j]), float(d["support_hi"][j])
                ax.scatter(prior_pts[:, j], prior_pts[:, i], s=2, color="0.8", linewidths=0)
                if len(th) <= MAX_POSTERIOR_DOTS:
                    ax.scatter(th[:, j], th[:, i], s=14, facecolors="none", edgecolors="0.35",
                               linewidths=0.8, zorder=2)
                else:
                    ax.hist2d(th[:, j], th[:, i], bins=[np.linspace(lo_j, hi_j, bins + 1),
                                                        np.linspace(lo, hi, bins + 1)],
                              weights=w, cmap="Greys", cmin=1e-12)
                if kept is not None:
                    ax.scatter(kept[:, j], kept[:, i], s=22, color="black", edgecolors="white",
                               linewidths=0.6, zorder=3)
                ax.set_xlim(lo_j, hi_j)
                ax.set_ylim(lo, hi)
            if i == k - 1:
                ax.set_xlabel(_label(d["parameters"][j]))
            if j == 0 and i > 0:
                ax.set_ylabel(_label(d["parameters"][i]))
    ess = float(d["ess"][-1]) if len(d["ess"]) else float("nan")
    files = d.get("pooled", [])
    if len(files) > 1:
        title = (f"Posterior ({d['method']}, {len(files)} files pooled: {int(post.sum())} "
                 f"accepted of {len(gen):,} points, ESS {ess:.0f}) against the priors")
    else:
        title = (f"Posterior ({d['method']}, {int(post.sum())} accepted points, ESS {ess:.0f}) "
                 "against the priors")
    if kept is not None:
        title += f"; black: the {len(kept)} points kept by {keep_name}"
        if len(files) > 1:
            title += f" ({len(files)} state files)"
    if overridden:
        title += ("; the axes are the box the points were drawn from, the dashed line the "
                  "prior named above each marginal")
    fig.suptitle(sr.wrap(title, 130) + "\n" + sr.wrap(f"events: {d['events_name']}", 130))
    fig.tight_layout()
    stem = os.path.splitext(os.path.basename(out))[0]
    return sr.save_figure(fig, os.path.dirname(os.path.abspath(out)), stem)


def _label(name):
    """A parameter path for an axis: broken after its last dot when long, so that it stays
    within its panel (`dynamics.\namendment_step`)."""
    if len(name) > 16 and "." in name:
        head, tail = name.rsplit(".", 1)
        return f"{head}.\n{tail}"
    return name


def _prior_text(d, j):
    kind, a, b = d["prior_kind"][j], float(d["prior_a"][j]), float(d["prior_b"][j])
    if kind == "uniform":
        return f"U({a:g}, {b:g})"
    if kind == "beta":
        return f"beta({a:g}, {b:g})"
    return f"N({a:g}, {b:g}) truncated"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="+",
                    help="a calibration file (sco-sim calibrate); several rejection files of "
                         "the same box are pooled")
    ap.add_argument("-o", "--output", help="the figure, .png (a .pdf is written beside it)")
    ap.add_argument("--bins", type=int, default=20, help="histogram bins per parameter")
    ap.add_argument("--keep", metavar="SUITE.json", nargs="+", action="extend",
                    help="mark the points scripts/suite_filter.py kept (its state file; one "
                         "per calibration file, in the same order)")
    ap.add_argument("--prior", metavar="NAME=LO:HI", action="append", default=[],
                    help="draw NAME's prior as uniform(LO, HI) instead of the recorded one "
                         "(repeatable)")
    a = ap.parse_args(argv)
    out = a.output or os.path.splitext(a.file[0])[0] + "-posterior.png"
    try:
        ds = [load(f) for f in a.file]
        d = set_priors(pool(ds), a.prior)
        keep = load_keeps(a.keep, ds, d) if a.keep else None
        paths = plot(d, out, a.bins, keep)
    except (sr.Skip, ValueError, OSError, KeyError) as e:
        print(f"plot_posterior.py: error: {e}", file=sys.stderr)
        return 2
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
