#!/usr/bin/env python3
"""Stacked bars of outcome probabilities per proposal, one panel per period.

    plot_outcomes.py RESULTS.h5 [--period YEAR] [--point K] [-o DIR]

Each bar splits the runs in which the proposal was tabled into outcomes (gray level and
hatching per outcome); the error bar marks the 95% Wilson interval of P(passed), drawn at
the boundary between the passing outcomes and deferred/blocked.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)


def plot(r, outdir, period=None, point=0):
    """Draws the figure; returns the PNG and PDF paths."""
    sr.check_point(r, point)
    plt = sr.pyplot()
    np = sr.np
    periods = [r.period_index(period)] if period is not None else \
        [t for t in range(len(r.periods)) if r.tabled[point, t].sum() > 0]
    if not periods:
        raise ValueError(f"{r.path}: nothing was tabled at point {point}")
    shown = [o for o, name in enumerate(r.outcomes) if name != "not_tabled"]
    ncols = min(len(periods), 2)
    nrows = (len(periods) + ncols - 1) // ncols
    rows_per_panel = max(len(r.tabled_items(point, int(r.periods[t]))) for t in periods)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharex=True,
                             figsize=(4.2 * ncols, 0.8 + nrows * (0.9 + 0.42 * rows_per_panel)))
    for ax in axes.flat[len(periods):]:
        ax.set_visible(False)
    for ax, t in zip(axes.flat, periods):
        items = [p for (_, p) in r.tabled_items(point, int(r.periods[t]))]
        y = np.arange(len(items))[::-1]
        left = np.zeros(len(items))
        for j, o in enumerate(shown):
            width = np.array([r.outcome_p[point, t, p, o] for p in items])
            s = sr.style(j)
            ax.barh(y, width, left=left, color=s["gray"], hatch=s["hatch"], edgecolor="black",
                    linewidth=0.5, label=r.outcomes[o].replace("_", " "))
            left += width
        passed = np.array([r.passed_p[point, t, p] for p in items])
        err = np.array([[passed[i] - r.passed_lo[point, t, p], r.passed_hi[point, t, p] - passed[i]]
                        for i, p in enumerate(items)]).T
        ax.errorbar(passed, y, xerr=err, fmt="|", color="black", ecolor="black", capsize=3,
                    markersize=12, linewidth=1.2, label="P(passed), 95% CI")
        ax.set_yticks(y, [f"{sr.short_title(r, p)}\n(n={int(r.tabled[point, t, p])})" for p in items])
        ax.set_xlim(0, 1)
        ax.set_title(str(int(r.periods[t])))
        if ax in axes[-1] or ax is axes.flat[len(periods) - 1]:
            ax.set_xlabel("probability (share of runs where tabled)")
            ax.xaxis.set_tick_params(labelbottom=True)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), frameon=False,
               bbox_to_anchor=(0.5, -0.02 - 0.03 * nrows))
    fig.suptitle(f"Summit outcomes by proposal: {r.label()} ({r.replications} runs"
                 f"{'' if r.n_points == 1 else f', point {point}'})")
    fig.tight_layout()
    stem = "outcomes" if period is None else f"outcomes_{int(period)}"
    if r.n_points > 1:
        stem += f"_point{point}"
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    return sr.period_point_main(plot, __doc__, argv)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
