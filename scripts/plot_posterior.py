#!/usr/bin/env python3
"""The posterior of a calibration (`sco-sim calibrate`) against its priors.

    plot_posterior.py CALIBRATION.h5 [-o FIG.png] [--bins N]

On the diagonal, each parameter's marginal: the weighted posterior histogram (the last
generation's accepted points with their weights) over the prior's density, with the
posterior's 90% interval and median marked. Below the diagonal, the pairwise posterior
densities (weighted 2-D histograms) with every prior point run in generation 0 as gray
dots, so that the posterior's place within the prior's box shows. Writes FIG.png and
FIG.pdf (default: CALIBRATION-posterior.png beside the file). File layout:
docs/hdf5-format.md, "Calibration files".
"""
import argparse
import math
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

np = sr.np


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


def prior_pdf(d, j, x):
    """The prior density of parameter j at x (uniform, beta on the range, truncated normal)."""
    kind, a, b = d["prior_kind"][j], float(d["prior_a"][j]), float(d["prior_b"][j])
    lo, hi = float(d["support_lo"][j]), float(d["support_hi"][j])
    x = np.asarray(x, dtype=float)
    inside = (x >= lo) & (x <= hi)
    if kind == "uniform":
        return np.where(inside, 1.0 / (b - a), 0.0)
    if kind == "beta":
        u = np.clip((x - lo) / (hi - lo), 1e-12, 1 - 1e-12)
        logb = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        return np.where(inside, np.exp((a - 1) * np.log(u) + (b - 1) * np.log1p(-u) - logb)
                        / (hi - lo), 0.0)
    phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    z = phi((hi - a) / b) - phi((lo - a) / b)
    return np.where(inside, np.exp(-0.5 * ((x - a) / b) ** 2) / (b * math.sqrt(2 * math.pi) * z),
                    0.0)


def plot(d, out, bins=20):
    plt = sr.pyplot()
    k = len(d["parameters"])
    gen = d["point_generation"]
    last = gen.max()
    post = (gen == last) & (d["accepted"] == 1) & (d["weight"] > 0)
    th, w = d["theta"][post], d["weight"][post]
    prior_pts = d["theta"][gen == 0]
    size = 2.3 * k + 0.6
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
                ax.hist(th[:, i], bins=edges, weights=w, density=True, color="0.55",
                        edgecolor="black", linewidth=0.5, label="posterior")
                xs = np.linspace(lo, hi, 400)
                ax.plot(xs, prior_pdf(d, i, xs), color="black", linestyle="--", linewidth=1.2,
                        label="prior")
                q05, med, q95 = (float(d[f"posterior_{q}"][i]) for q in ("q05", "median", "q95"))
                ax.axvspan(q05, q95, color="0.85", zorder=0, label="90% interval")
                ax.axvline(med, color="black", linewidth=1.0)
                ax.set_xlim(lo, hi)
                ax.set_yticks([])
                if i == 0:
                    ax.legend(loc="upper right", frameon=False)
            else:
                lo_j, hi_j = float(d["support_lo"][j]), float(d["support_hi"][j])
                ax.scatter(prior_pts[:, j], prior_pts[:, i], s=3, color="0.8", linewidths=0)
                ax.hist2d(th[:, j], th[:, i], bins=[np.linspace(lo_j, hi_j, bins + 1),
                                                    np.linspace(lo, hi, bins + 1)],
                          weights=w, cmap="Greys", cmin=1e-12)
                ax.set_xlim(lo_j, hi_j)
                ax.set_ylim(lo, hi)
            if i == k - 1:
                ax.set_xlabel(sr.wrap(d["parameters"][j], 24))
            if j == 0 and i > 0:
                ax.set_ylabel(sr.wrap(d["parameters"][i], 24))
    ess = float(d["ess"][-1]) if len(d["ess"]) else float("nan")
    fig.suptitle(f"Posterior ({d['method']}, {int(post.sum())} accepted points, ESS {ess:.0f}) "
                 f"against the priors\n" + sr.wrap(f"events: {d['events_name']}", 110))
    fig.tight_layout()
    stem = os.path.splitext(os.path.basename(out))[0]
    return sr.save_figure(fig, os.path.dirname(os.path.abspath(out)), stem)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="a calibration file (sco-sim calibrate)")
    ap.add_argument("-o", "--output", help="the figure, .png (a .pdf is written beside it)")
    ap.add_argument("--bins", type=int, default=20, help="histogram bins per parameter")
    a = ap.parse_args(argv)
    out = a.output or os.path.splitext(a.file)[0] + "-posterior.png"
    try:
        paths = plot(load(a.file), out, a.bins)
    except (sr.Skip, OSError, KeyError) as e:
        print(f"plot_posterior.py: error: {e}", file=sys.stderr)
        return 2
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
