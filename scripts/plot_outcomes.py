#!/usr/bin/env python3
"""Stacked bars of outcome probabilities per proposal, one panel per summit.

    plot_outcomes.py RESULTS.h5 [--period YEAR] [--point K] [--min-tabled N] [-o DIR]

Each bar splits the runs in which the proposal was tabled into outcomes (gray level and
hatching per outcome); the error bar marks the 95% Wilson interval of P(passed), drawn at
the boundary between the passing outcomes and deferred/blocked. Proposals tabled in
fewer than --min-tabled runs (default 200) are named under the figure instead of drawn
(docs/figures.md).
"""
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

TITLE_WIDTH = 24  # characters per line of a proposal's title


def plot(r, outdir, period=None, point=0, min_tabled=sr.MIN_TABLED):
    """Draws the figure; returns the PNG and PDF paths."""
    sr.check_point(r, point)
    if period is not None:
        r.period_index(period)  # a KeyError naming the summits if there is no such summit
    items, note = sr.items_to_show(r, point, period, min_tabled)
    plt = sr.pyplot()
    np = sr.np
    periods = sorted({t for t, _ in items})
    by_period = {t: [p for (u, p) in items if u == t] for t in periods}
    shown = [o for o, name in enumerate(r.outcomes) if name != "not_tabled"]
    ncols = min(len(periods), 2)
    nrows = (len(periods) + ncols - 1) // ncols
    lines = max(sr.title(r, p, TITLE_WIDTH).count("\n") + 2 for _, p in items)
    unit = 0.15 * lines + 0.14  # inches per bar
    row_h = [0.75 + unit * max(len(by_period[t]) for t in periods[i * ncols:(i + 1) * ncols])
             for i in range(nrows)]
    legend_h = 0.55
    width = sr.FIG_WIDTH if ncols == 2 else 6.0
    fig = plt.figure(figsize=(width, sum(row_h) + legend_h + 0.5))
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=row_h + [legend_h])
    axes = [fig.add_subplot(gs[i // ncols, i % ncols]) for i in range(len(periods))]
    for ax, t in zip(axes, periods):
        ps = by_period[t]
        y = np.arange(len(ps))[::-1]
        left = np.zeros(len(ps))
        for j, o in enumerate(shown):
            w = np.array([r.outcome_p[point, t, p, o] for p in ps])
            s = sr.style(j)
            ax.barh(y, w, left=left, height=0.7, color=s["gray"], hatch=s["hatch"],
                    edgecolor="black", linewidth=0.5, label=r.outcomes[o].replace("_", " "))
            left += w
        passed = np.array([r.passed_p[point, t, p] for p in ps])
        sr.interval(ax, passed, y, [r.passed_lo[point, t, p] for p in ps],
                    [r.passed_hi[point, t, p] for p in ps], label="P(passed), 95% CI",
                    marker="|")
        ax.set_yticks(y, [f"{sr.title(r, p, TITLE_WIDTH)}\nn={int(r.tabled[point, t, p]):,}, "
                          f"passed {sr.fmt_pct(r.passed_p[point, t, p])}" for p in ps])
        ax.set_ylim(-0.6, len(ps) - 0.4)
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", ".25", ".5", ".75", "1"])
        ax.set_title(str(int(r.periods[t])), fontweight="bold")
    for i, ax in enumerate(axes):
        if i + ncols >= len(axes):  # nothing below it
            ax.set_xlabel("share of the runs in which it was tabled")
    lax = fig.add_subplot(gs[nrows, :])
    lax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    lax.legend(handles, labels, loc="center", ncol=4 if ncols == 2 else 3, frameon=False)
    what = f"{r.replications:,} runs" + ("" if r.n_points == 1 else f", point {point}")
    sr.title_and_layout(fig, f"Summit outcomes by proposal: {r.label()} ({what})")
    sr.add_note(fig, note)
    stem = "outcomes" if period is None else f"outcomes_{int(period)}"
    if r.n_points > 1:
        stem += f"_point{point}"
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    return sr.period_point_main(plot, __doc__, argv)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
