#!/usr/bin/env python3
"""How hard agreement was: negotiation rounds and dilution, one row per proposal.

    plot_rounds_dilution.py RESULTS.h5 [--period YEAR] [--point K] [--min-tabled N] [-o DIR]

Left: how the runs in which the proposal was tabled split by the rounds the summit used
(stacked bar). Right: how the runs in which it passed split by dilution (share of the
text's ambition given up: under 0.05, to 0.25, to 0.5, 0.5 or more; from the file's
dilution histogram), with the mean dilution beside the bar. Without --period the summits are pooled
(weighted by the runs); only summits at which the proposal was tabled in at least
--min-tabled runs (default 200) count, the others are named under the figure.
"""
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

TITLE_WIDTH = 26


def ordinal(k, n):
    """Gray level of class k of n ordered classes: light to dark."""
    return str(round(0.92 - 0.8 * k / max(n - 1, 1), 2))


#: Dilution classes (upper ends); each is snapped to the nearest histogram edge.
CLASSES = (0.05, 0.25, 0.5)


def dilution_classes(edges):
    """Bin index ranges [(lo, hi), ...] and labels of the dilution classes."""
    np = sr.np
    cuts = [0] + [int(np.argmin(np.abs(edges - c))) for c in CLASSES] + [len(edges) - 1]
    cuts = sorted(set(cuts))
    ranges = list(zip(cuts[:-1], cuts[1:]))
    labels = []
    for k, (a, b) in enumerate(ranges):
        lo, hi = edges[a], edges[b]
        if k == 0:
            labels.append(f"under {hi:g}")
        elif k == len(ranges) - 1:
            labels.append(f"{lo:g} or more")
        else:
            labels.append(f"{lo:g} to {hi:g}")
    return ranges, labels


def plot(r, outdir, period=None, point=0, min_tabled=sr.MIN_TABLED):
    sr.check_point(r, point)
    if period is not None:
        r.period_index(period)
    items, note = sr.items_to_show(r, point, period, min_tabled)
    plt = sr.pyplot()
    np = sr.np
    props = sorted({p for _, p in items})
    raw = r.raw
    rounds, dil, n_tabled, n_passed, mean = {}, {}, {}, {}, {}
    for p in props:
        ts = [t for t, q in items if q == p]
        rh = sum(raw["rounds_hist"][point, t, p] for t in ts)[1:]  # bin 0 = not tabled
        dh = sum(raw["dilution_hist"][point, t, p] for t in ts)
        n_tabled[p] = int(sum(r.tabled[point, t, p] for t in ts))
        n_passed[p] = int(dh.sum())
        rounds[p] = rh / max(rh.sum(), 1)
        dil[p] = dh if dh.sum() > 0 else None
        if dh.sum() > 0:  # the exact mean, from the per-summit means and pass counts
            mean[p] = sum(r.dilution_mean[point, t, p] * r.passed[point, t, p] for t in ts
                          if r.passed[point, t, p] > 0) / sum(r.passed[point, t, p] for t in ts)
    last = max(int(np.max(np.nonzero(h)[0])) + 1 if h.any() else 1 for h in rounds.values())
    lines = max(sr.title(r, p, TITLE_WIDTH).count("\n") + 2 for p in props)
    unit = 0.15 * lines + 0.12
    fig, (ax, bx) = plt.subplots(1, 2, sharey=True, figsize=(sr.FIG_WIDTH, 1.5 + unit * len(props)),
                                 gridspec_kw={"width_ratios": [1, 1]})
    y = np.arange(len(props))[::-1]
    left = np.zeros(len(props))
    for k in range(last):
        w = np.array([rounds[p][k] for p in props])
        ax.barh(y, w, left=left, height=0.65, color=ordinal(k, last), hatch="///" if k % 2 else "",
                edgecolor="black", linewidth=0.5, label=f"{k + 1} round{'s' if k else ''}")
        left += w
    ax.set_yticks(y, [f"{sr.title(r, p, TITLE_WIDTH)}\nn={n_tabled[p]:,}" for p in props])
    ax.set_ylim(-0.6, len(props) - 0.4)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the runs in which it was tabled")
    ax.set_title("Rounds the summit used")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.06), ncol=min(last, 4), frameon=False)

    edges = r.dilution_edges
    ranges, labels = dilution_classes(edges)
    left = np.zeros(len(props))
    for k, ((a, b), label) in enumerate(zip(ranges, labels)):
        w = np.array([dil[p][a:b].sum() / dil[p].sum() if dil[p] is not None else 0.0
                      for p in props])
        bx.barh(y, w, left=left, height=0.65, color=ordinal(k, len(ranges)),
                hatch="..." if k % 2 else "", edgecolor="black", linewidth=0.5, label=label)
        left += w
    for yy, p in zip(y, props):
        if dil[p] is None:
            bx.text(0.02, yy, "never passed", va="center", fontsize=8, style="italic")
            continue
        bx.text(1.03, yy, f"mean {mean[p]:.2f}\n{n_passed[p]:,} passed", va="center",
                fontsize=8, transform=bx.get_yaxis_transform())
    bx.set_xlim(0, 1)
    bx.set_xlabel("share of the runs in which it passed")
    bx.set_title("Dilution of adopted texts")
    bx.legend(title="share of the ambition given up", loc="lower center",
              bbox_to_anchor=(0.5, 1.06), ncol=2, frameon=False,
              columnspacing=1.0, handlelength=1.5)
    where = "all summits" if period is None else str(period)
    run_info = f"{r.replications:,} runs" + ("" if r.n_points == 1 else f", point {point}")
    sr.title_and_layout(fig, f"Rounds and dilution: {r.label()}, {where} ({run_info})")
    sr.add_note(fig, note)
    stem = "rounds_dilution" + ("" if period is None else f"_{int(period)}") + \
        ("" if r.n_points == 1 else f"_point{point}")
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    return sr.period_point_main(plot, __doc__, argv)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
