#!/usr/bin/env python3
"""Which sampled inputs matter: P(passed) against each non-fixed parameter (per-run data).

    plot_sensitivity.py RESULTS.h5 [--proposal ID] [--period YEAR] [--top N] [-o DIR]

The runs are split into quintiles of each sampled parameter; the figure shows the pass
rate in each quintile (with 95% Wilson intervals) for the N parameters whose quintiles
differ most. Needs the per-run datasets (not available in --summary-only files).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

PASSING = ("adopted", "adopted_with_reservations", "coalition", "diluted")


def plot(r, outdir, proposal=None, period=None, top=4, point=0):
    sr.check_point(r, point)
    if r.runs is None:
        raise ValueError(f"{r.path} has no per-run data (written with --summary-only)")
    if not r.params:
        raise ValueError(f"{r.path}: no parameter is sampled, nothing to relate outcomes to")
    plt = sr.pyplot()
    np = sr.np
    items = r.tabled_items(point, period)
    if proposal is not None:
        items = [(t, p) for t, p in items if r.proposals[p] == proposal]
    if not items:
        raise ValueError("no tabled proposal matches")
    # Default: the item whose pass probability is closest to one half (most uncertain).
    t, p = min(items, key=lambda tp: abs(r.passed_p[point, tp[0], tp[1]] - 0.5))
    sel = r.runs.point == r.point_index[point]
    outcome = r.runs.outcome[sel, t, p]
    tabled = outcome != r.outcome_index("not_tabled")
    passed = np.isin(outcome, [r.outcome_index(o) for o in PASSING])
    params = r.runs.params[sel]
    curves = []
    for j, name in enumerate(r.params):
        v = params[tabled, j]
        if v.size < 10 or np.ptp(v) == 0:
            continue
        edges = np.quantile(v, np.linspace(0, 1, 6))
        b = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, 4)
        n = np.bincount(b, minlength=5).astype(float)
        k = np.bincount(b, weights=passed[tabled].astype(float), minlength=5)
        mids = np.array([v[b == i].mean() if (b == i).any() else np.nan for i in range(5)])
        pr, lo, hi = sr.wilson(k, n)
        curves.append((np.nanmax(pr) - np.nanmin(pr), name, mids, pr, lo, hi))
    if not curves:
        raise ValueError("too few runs to split into quintiles")
    curves.sort(key=lambda c: -c[0])
    curves = curves[:top]
    ncols = min(len(curves), 2)
    nrows = (len(curves) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharey=True,
                             figsize=(4.6 * ncols, 3.0 * nrows + 0.7))
    for ax in axes.flat[len(curves):]:
        ax.set_visible(False)
    for j, (ax, (spread, name, mids, pr, lo, hi)) in enumerate(zip(axes.flat, curves)):
        s = sr.style(j)
        ax.errorbar(mids, pr, yerr=[pr - lo, hi - pr], color="black", marker=s["marker"],
                    markerfacecolor=s["gray"], linestyle=s["linestyle"], capsize=3)
        ax.set_title(f"{name}\n(spread {spread:.2f})", fontsize=8)
        ax.set_xlabel("parameter value (quintile means, parameter units)")
        ax.set_ylabel("P(passed | tabled), 95% CI")
        ax.set_ylim(0, 1.05)
    fig.suptitle(f"Sensitivity of {r.proposals[p]} ({int(r.periods[t])}): {r.label()}, "
                 f"{int(tabled.sum())} tabled runs")
    fig.tight_layout()
    return sr.save_figure(fig, outdir, f"sensitivity_{r.proposals[p]}_{int(r.periods[t])}")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results file (.h5) with per-run data")
    ap.add_argument("--proposal", help="proposal id (default: the most uncertain one)")
    ap.add_argument("--period", type=int, help="summit (calendar year)")
    ap.add_argument("--top", type=int, default=4, help="parameters to show (default 4)")
    sr.add_common_args(ap)
    a = ap.parse_args(argv)
    r = sr.load(a.results)
    return plot(r, a.outdir or sr.default_outdir(a.results), a.proposal, a.period, a.top, a.point)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
