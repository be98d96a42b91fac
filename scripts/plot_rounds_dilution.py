#!/usr/bin/env python3
"""How hard agreement was: histograms of negotiation rounds and of dilution.

    plot_rounds_dilution.py RESULTS.h5 [--period YEAR] [--point K] [-o DIR]

Left: P(rounds used = r | tabled) per proposal. Right: the distribution of dilution (share
of the text's ambition given up) over the runs in which the proposal passed. Without
--period the summits are pooled (weighted by the number of runs).
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
    props = sorted({p for _, p in items})
    raw = r.raw
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4.2))
    # Pool the integer histograms over the chosen summits, then normalise.
    rounds, dil = {}, {}
    for p in props:
        ts = [t for t, q in items if q == p]
        rh = sum(raw["rounds_hist"][point, t, p] for t in ts)[1:]  # bin 0 = not tabled
        dh = sum(raw["dilution_hist"][point, t, p] for t in ts)
        rounds[p] = rh / max(rh.sum(), 1)
        dil[p] = dh / dh.sum() if dh.sum() > 0 else None
    last = max(int(np.max(np.nonzero(h)[0])) + 1 if h.any() else 1 for h in rounds.values())
    x = np.arange(1, last + 1)
    width = 0.8 / len(props)
    for j, p in enumerate(props):
        s = sr.style(j)
        ax.bar(x + (j - (len(props) - 1) / 2) * width, rounds[p][:last], width=width,
               color=s["gray"], hatch=s["hatch"], edgecolor="black", linewidth=0.5,
               label=sr.short_title(r, p))
    ax.set_xticks(x)
    ax.set_xlabel("negotiation rounds used at the summit")
    ax.set_ylabel("probability (share of tabled runs)")
    ax.set_ylim(0, 1)
    ax.set_title("Rounds to a decision")
    ax.legend(fontsize=7, frameon=False)

    edges = r.dilution_edges
    mids = (edges[:-1] + edges[1:]) / 2
    for j, p in enumerate(props):
        if dil[p] is None:
            continue
        s = sr.style(j)
        bx.step(edges, np.append(dil[p], dil[p][-1]), where="post", color="black",
                linestyle=s["linestyle"], linewidth=1.0)
        bx.plot(mids, dil[p], linestyle="none", marker=s["marker"], color="black",
                markerfacecolor=s["gray"], markersize=4, label=sr.short_title(r, p))
    bx.set_xlim(0, 1)
    bx.set_ylim(bottom=0)
    bx.set_xlabel("dilution (share of the text's ambition given up, 0-1)")
    bx.set_ylabel(f"probability per bin (width {edges[1] - edges[0]:.2f}), passed runs")
    bx.set_title("Dilution of adopted texts")
    bx.legend(fontsize=7, frameon=False)
    where = "all summits" if period is None else str(period)
    fig.suptitle(f"Rounds and dilution: {r.label()}, {where} ({r.replications} runs)")
    fig.tight_layout()
    stem = "rounds_dilution" + ("" if period is None else f"_{int(period)}") + \
        ("" if r.n_points == 1 else f"_point{point}")
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    return sr.period_point_main(plot, __doc__, argv)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
