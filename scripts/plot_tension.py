#!/usr/bin/env python3
"""Fan charts of bilateral tension over the summits.

    plot_tension.py RESULTS.h5 [--pair KAZ-UZB ...] [--top N] [--point K] [-o DIR]

For each pair: the median (line with markers), the 5-95% band (shaded and outlined) and
the mean (dashed) of the tension at the end of each period. Default: the --top N (4)
pairs with the highest tension at the end of the first period.
"""
import argparse
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)


def plot(r, outdir, pairs=None, top=4, point=0):
    sr.check_point(r, point)
    plt = sr.pyplot()
    np = sr.np
    if pairs:
        ks = [r.pair_index(p) for p in pairs]
    else:
        order = r.tension_pairs_by_initial(point)
        # Pairs whose tension can move (tracked) and did; an untracked pair is 0 throughout.
        tracked = set(r.tension_pairs)
        nonzero = [k for k in order if k in tracked and r.tension_mean[point, :, k].max() > 0]
        ks = (nonzero or order)[:top]
    if not ks:
        raise ValueError(f"{r.path}: no agent pairs")
    qi = {q: int(np.argmin(np.abs(r.quantiles - q))) for q in (0.05, 0.5, 0.95)}
    ncols = min(len(ks), 2)
    nrows = (len(ks) + ncols - 1) // ncols
    height = 2.7 * nrows + 0.9
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True,
                             figsize=(sr.FIG_WIDTH if ncols == 2 else 5.0, height))
    for ax in axes.flat[len(ks):]:
        ax.set_visible(False)
    years = r.periods
    for ax, k in zip(axes.flat, ks):
        q = r.tension_quantiles[point, :, k]
        lo, med, hi = q[:, qi[0.05]], q[:, qi[0.5]], q[:, qi[0.95]]
        ax.fill_between(years, lo, hi, color="0.8", hatch="///", edgecolor="0.5", linewidth=0,
                        label="5-95% of runs")
        ax.plot(years, lo, color="0.4", linewidth=0.8)
        ax.plot(years, hi, color="0.4", linewidth=0.8)
        ax.plot(years, med, color="black", marker="o", markersize=4, label="median")
        ax.plot(years, r.tension_mean[point, :, k], color="black", linestyle="--", marker="x",
                markersize=4, linewidth=0.9, label="mean")
        a, b = r.pairs[k].split("-")
        names = dict(zip(r.agents, r.agent_names))
        ax.set_title(f"{names.get(a, a)} – {names.get(b, b)}")
        ax.yaxis.set_tick_params(labelleft=True)
        ax.set_ylim(0, 1)
        ax.set_xticks(years)
        if len(years) > 8:
            ax.tick_params(axis="x", labelrotation=45)
        ax.set_ylabel("tension (0 to 1)")
    for ax in axes[-1]:
        ax.set_xlabel("end of the summit year")
    if len(ks) % ncols:  # the last row is short: the panel above the gap gets the label
        axes[-2, -1].set_xlabel("end of the summit year")
        axes[-2, -1].xaxis.set_tick_params(labelbottom=True)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    run_info = f"{r.replications:,} runs" + ("" if r.n_points == 1 else f", point {point}")
    fig.suptitle(f"Bilateral tension: {r.label()} ({run_info})", y=1 - 0.08 / height, va="top")
    fig.legend(handles, labels, loc="upper center", ncol=3, frameon=False,
               bbox_to_anchor=(0.5, 1 - 0.32 / height))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / height))
    stem = "tension" + ("" if r.n_points == 1 else f"_point{point}")
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results file (.h5)")
    ap.add_argument("--pair", action="append", help="agent pair such as KAZ-UZB (repeatable)")
    ap.add_argument("--top", type=int, default=4,
                    help="without --pair: how many of the highest-tension pairs (default 4)")
    sr.add_common_args(ap)
    a = ap.parse_args(argv)
    r = sr.load(a.results)
    return plot(r, a.outdir or sr.default_outdir(a.results), a.pair, a.top, a.point)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
