#!/usr/bin/env python3
"""Who takes part and who objects: an agents x proposals heatmap and objection bars.

    plot_participation.py RESULTS.h5 [--period YEAR] [--point K] [-o DIR]

Left: P(agent took part in the adopted decision | proposal tabled) for every agent and every tabled (proposal,
summit), with the value printed in each cell. Right: how often each agent objects to each
proposal, over all summits at which the proposal was tabled (hatched bars per proposal).
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
    sr.check_point(r, point)
    plt = sr.pyplot()
    np = sr.np
    items = r.tabled_items(point, period)
    if not items:
        raise ValueError(f"{r.path}: nothing was tabled at point {point}")
    heat = np.array([[r.participation[point, t, p, i] for (t, p) in items]
                     for i in range(len(r.agents))])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(4.0 + 0.75 * len(items) + 4.5,
                                                2.6 + 0.45 * len(r.agents)),
                                 gridspec_kw={"width_ratios": [max(len(items), 2), 4]})
    im = ax.imshow(heat, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    for i in range(heat.shape[0]):
        for j in range(heat.shape[1]):
            v = heat[i, j]
            ax.text(j, i, "–" if np.isnan(v) else f"{v:.2f}", ha="center", va="center",
                    fontsize=7, color="white" if v > 0.55 else "black")
    ax.set_yticks(range(len(r.agents)), [f"{n} ({a})" for a, n in zip(r.agents, r.agent_names)])
    ax.set_xticks(range(len(items)), [f"{r.proposals[p]}\n{int(r.periods[t])}" for t, p in items],
                  rotation=60, ha="right", fontsize=7)
    ax.set_xlabel("proposal and summit")
    ax.set_title("P(took part | tabled)")
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="probability")

    # Objection per agent and proposal, pooled over the summits at which it was tabled.
    props = sorted({p for _, p in items})
    width = 0.8 / max(len(props), 1)
    y = np.arange(len(r.agents))
    for j, p in enumerate(props):
        ts = [t for t, q in items if q == p]
        n = sum(r.tabled[point, t, p] for t in ts)
        k = sum(r.objection[point, t, p] * r.tabled[point, t, p] for t in ts)
        s = sr.style(j)
        bx.barh(y + (len(props) - 1 - j - (len(props) - 1) / 2) * width, k / n, height=width,
                color=s["gray"], hatch=s["hatch"], edgecolor="black", linewidth=0.5,
                label=sr.short_title(r, p, 24))
    bx.set_yticks(y, r.agents)
    bx.invert_yaxis()
    bx.set_xlabel("objection probability (share of tabled runs)")
    bx.set_title("Objections by agent")
    bx.set_xlim(left=0)
    bx.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False,
              ncol=1)
    where = "all summits" if period is None else str(period)
    fig.suptitle(f"Participation and objection: {r.label()}, {where} ({r.replications} runs)")
    fig.tight_layout()
    stem = "participation" + ("" if period is None else f"_{int(period)}") + \
        ("" if r.n_points == 1 else f"_point{point}")
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    return sr.period_point_main(plot, __doc__, argv)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
