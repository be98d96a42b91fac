#!/usr/bin/env python3
"""Which sampled inputs matter: P(passed) against each non-fixed parameter (per-run data).

    plot_sensitivity.py RESULTS.h5 [--proposal ID] [--period YEAR] [--top N]
                        [--min-tabled N] [--point K] [-o DIR]

The runs in which the proposal was tabled are split into quintiles of each sampled
parameter; the figure shows the pass rate in each quintile (with 95% Wilson intervals)
for the N parameters (default 4) whose quintiles differ most. Without --proposal the
proposal (and summit) is the most uncertain one among those tabled in at least
--min-tabled runs (default 200, so that every quintile holds at least 40 runs): the one
with the largest n p (1 - p), n its tabled runs and p its pass probability, i.e. p near
one half and many runs (docs/figures.md). Needs the per-run datasets (not in
--summary-only files).
"""
import argparse
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

PASSING = ("adopted", "adopted_with_reservations", "coalition", "diluted")
BINS = 5


def choose_item(r, point, period, proposal, min_tabled):
    """The (t, p) to draw: the most uncertain well-estimated item, or raises Skip."""
    items = r.tabled_items(point, period)
    if proposal is not None:
        r.proposal_index(proposal)  # KeyError naming the proposals if it does not exist
        items = [(t, p) for t, p in items if r.proposals[p] == proposal]
    what = f"'{proposal}'" if proposal else "no proposal"
    if not items:
        raise sr.Skip(f"{what if proposal else 'nothing'} was tabled"
                      + ("" if period is None else f" in {period}"))
    good = [(t, p) for t, p in items if r.tabled[point, t, p] >= min_tabled]
    if not good:
        t, p = max(items, key=lambda tp: r.tabled[point, tp[0], tp[1]])
        raise sr.Skip(f"{'no summit of ' + what if proposal else 'no proposal'} was tabled in "
                      f"{min_tabled} runs or more (the most: {int(r.tabled[point, t, p])} runs, "
                      f"{r.proposals[p]} {int(r.periods[t])}); too few to split into {BINS} "
                      "groups of runs")
    # The most uncertain and best estimated: the largest n p (1 - p), n tabled runs, p the
    # pass probability (the first in summit, then agenda order, on ties).
    def score(tp):
        t, p = tp
        q = r.passed_p[point, t, p]
        return r.tabled[point, t, p] * q * (1 - q)
    return max(good, key=score)


def quantile_groups(v, min_bin):
    """Group index of each value (quintiles, or the distinct values if there are at most
    five), and the groups holding at least min_bin runs."""
    np = sr.np
    distinct = np.unique(v)
    if len(distinct) <= BINS:
        b = np.searchsorted(distinct, v)
    else:
        edges = np.quantile(v, np.linspace(0, 1, BINS + 1))
        b = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, BINS - 1)
    counts = np.bincount(b, minlength=BINS)
    return b, [i for i in range(len(counts)) if counts[i] >= min_bin]


def plot(r, outdir, proposal=None, period=None, top=4, point=0, min_tabled=sr.MIN_TABLED):
    sr.check_point(r, point)
    if period is not None:
        r.period_index(period)
    if r.runs is None:
        raise sr.Skip(f"{r.path} has no per-run data (written with --summary-only)")
    if not r.params:
        raise sr.Skip(f"{r.path}: no parameter is sampled, nothing to relate outcomes to")
    t, p = choose_item(r, point, period, proposal, min_tabled)
    plt = sr.pyplot()
    np = sr.np
    sel = r.runs.point == r.point_index[point]
    outcome = r.runs.outcome[sel, t, p]
    tabled = outcome != r.outcome_index("not_tabled")
    passed = np.isin(outcome, [r.outcome_index(o) for o in PASSING])[tabled].astype(float)
    params = r.runs.params[sel][tabled]
    min_bin = max(1, min_tabled // BINS)
    curves = []
    for j, name in enumerate(r.params):
        v = params[:, j]
        if np.ptp(v) == 0:
            continue
        b, groups = quantile_groups(v, min_bin)
        if len(groups) < 2:
            continue
        n = np.array([(b == i).sum() for i in groups], dtype=float)
        k = np.array([passed[b == i].sum() for i in groups])
        mids = np.array([v[b == i].mean() for i in groups])
        pr, lo, hi = sr.wilson(k, n)
        curves.append((float(pr.max() - pr.min()), name, mids, pr, lo, hi))
    if not curves:
        raise sr.Skip(f"no sampled parameter varies across the {int(tabled.sum())} tabled runs "
                      f"of {r.proposals[p]} {int(r.periods[t])}")
    curves.sort(key=lambda c: -c[0])
    curves = curves[:top]
    ncols = min(len(curves), 2)
    nrows = (len(curves) + ncols - 1) // ncols
    height = 2.9 * nrows + 0.9
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharey=True,
                             figsize=(sr.FIG_WIDTH if ncols == 2 else 5.0, height))
    for ax in axes.flat[len(curves):]:
        ax.set_visible(False)
    for j, (ax, (spread, name, mids, pr, lo, hi)) in enumerate(zip(axes.flat, curves)):
        s = sr.style(j)
        ax.errorbar(mids, pr, yerr=[pr - lo, hi - pr], color="black", marker=s["marker"],
                    markerfacecolor=s["gray"], linestyle=s["linestyle"], capsize=3)
        ax.set_title(f"{sr.wrap(name, 48)}\n(spread {spread:.2f})")
        ax.set_xlabel("parameter value (mean of each fifth of the runs)")
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_tick_params(labelleft=True)
    for row in axes:
        row[0].set_ylabel("P(passed | tabled), 95% CI")
    sr.title_and_layout(fig, sr.wrap(f"What moves {r.proposal_titles[p] or r.proposals[p]} "
                                     f"({int(r.periods[t])}): {r.label()}, "
                                     f"{int(tabled.sum()):,} tabled runs", 110))
    stem = f"sensitivity_{r.proposals[p]}_{int(r.periods[t])}" + \
        ("" if r.n_points == 1 else f"_point{point}")
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results file (.h5) with per-run data")
    ap.add_argument("--proposal", help="proposal id (default: the most uncertain one)")
    ap.add_argument("--period", type=int, help="summit (calendar year)")
    ap.add_argument("--top", type=int, default=4, help="parameters to show (default 4)")
    sr.add_common_args(ap)
    a = ap.parse_args(argv)
    r = sr.load(a.results)
    return plot(r, a.outdir or sr.default_outdir(a.results), a.proposal, a.period, a.top, a.point,
                a.min_tabled)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
