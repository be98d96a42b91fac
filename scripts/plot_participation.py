#!/usr/bin/env python3
"""Who takes part and who objects: one small panel per proposal, agents by summit.

    plot_participation.py RESULTS.h5 [--period YEAR] [--point K] [--min-tabled N] [-o DIR]

Two figures with the same layout: participation.png, P(agent took part in the adopted
decision | proposal tabled), and objection.png, P(agent objected in the last round |
tabled). Each panel is one proposal: a row per agent, a column per summit at which the
proposal was tabled in at least --min-tabled runs (default 200; the others are named
under the figure), the value printed in every cell. With --period (one summit) the
figure is a single panel instead: a row per proposal, a column per agent.
"""
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

WHAT = {
    "participation": ("P(took part in the adopted decision | tabled)", "Participation"),
    "objection": ("P(objected | tabled)", "Objection"),
}


def small_multiples(r, outdir, what, items, note, period, point):
    """One heatmap panel per proposal (rows: agents, columns: summits), laid out by hand
    so that every panel's cells have the same size and panels in a row are top-aligned."""
    plt = sr.pyplot()
    np = sr.np
    values = getattr(r, what)
    props = sorted({p for _, p in items})
    cols = {p: [t for t, q in items if q == p] for p in props}
    n_agents = len(r.agents)
    max_summits = max(len(c) for c in cols.values())
    label_w = 0.2 + 0.075 * max(len(a) for a in r.agents)  # the agent ids left of a panel
    # Two columns of panels while a cell keeps room for '0.97' at 8 points (0.4 in).
    two = len(props) > 1 and (sr.FIG_WIDTH / 2 - label_w - 0.25) / max_summits >= 0.4
    ncols = 2 if two else 1
    nrows = (len(props) + ncols - 1) // ncols
    slot_w = sr.FIG_WIDTH / ncols
    cell_w = min(0.58, (slot_w - label_w - 0.25) / max_summits)
    cell_h = 0.27
    numbers = cell_w >= 0.4  # room for '0.97' at 8 points; otherwise a colour bar
    # Titles (left-aligned over their panel) wrap to the panel's slot, about 14 characters
    # per inch at 9 points.
    titles = {p: sr.title(r, p, max(18, int(14 * (slot_w - label_w - 0.2)))) for p in props}
    row_title_h = [0.27 + 0.15 * max(titles[p].count("\n") + 1
                                    for p in props[i * ncols:(i + 1) * ncols])
                   for i in range(nrows)]
    top, gap, bottom = 0.5, 0.25, 0.1
    grid_h = n_agents * cell_h
    height = top + sum(h + grid_h + gap for h in row_title_h) + bottom
    fig = plt.figure(figsize=(sr.FIG_WIDTH, height))
    names = dict(zip(r.agents, r.agent_names))
    y = height - top
    im = None
    for k, p in enumerate(props):
        i, j = divmod(k, ncols)
        if j == 0:
            y -= row_title_h[i] + grid_h
        ts = cols[p]
        x = j * slot_w + label_w
        ax = fig.add_axes([x / sr.FIG_WIDTH, y / height, cell_w * len(ts) / sr.FIG_WIDTH,
                           grid_h / height])
        heat = np.array([[values[point, t, p, a] for t in ts] for a in range(n_agents)])
        im = ax.imshow(heat, cmap="Greys", vmin=0, vmax=1, aspect="auto")
        if numbers:
            for (a, c), v in np.ndenumerate(heat):
                ax.text(c, a, sr.fmt_p(v), ha="center", va="center", fontsize=8,
                        color=sr.text_color(0 if np.isnan(v) else v))
        ax.set_xticks(range(len(ts)), [str(int(r.periods[t])) for t in ts],
                      rotation=0 if numbers else 90)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.set_yticks(range(n_agents), r.agents)
        for side in ax.spines.values():
            side.set_linewidth(0.5)
        ax.set_title(titles[p], fontsize=9, pad=16, loc="left")
        if j == ncols - 1 or k == len(props) - 1:
            y -= gap
    if not numbers and im is not None:
        cax = fig.add_axes([0.3, (y - 0.15) / height, 0.4, 0.1 / height])
        fig.colorbar(im, cax=cax, orientation="horizontal", label="probability")
    label, name = WHAT[what]
    where = "all summits" if period is None else str(period)
    run_info = f"{r.replications:,} runs" + ("" if r.n_points == 1 else f", point {point}")
    fig.suptitle(f"{name}: {label}\n{r.label()}, {where} ({run_info})",
                 y=1 - 0.12 / height, va="top")
    key = "Agents: " + ", ".join(f"{a} {names.get(a, a)}" for a in r.agents) + "."
    fig.text(0.01, (y - (0.45 if not numbers else 0.05)) / height,
             sr.wrap(key + (" " + note if note else ""), sr.FIG_WIDTH * 72 / 4.4),
             ha="left", va="top", fontsize=8, style="italic")
    stem = what + ("" if period is None else f"_{int(period)}") + \
        ("" if r.n_points == 1 else f"_point{point}")
    return sr.save_figure(fig, outdir, stem)


def one_summit(r, outdir, what, items, note, period, point):
    """One summit: a single heatmap, a row per proposal (titles wrapped), a column per agent.
    Returns None when the agents do not fit across the page with their numbers."""
    plt = sr.pyplot()
    np = sr.np
    values = getattr(r, what)
    (t,) = {t for t, _ in items}
    props = [p for _, p in items]
    titles = [sr.title(r, p, 28) for p in props]
    label_w = 2.3
    cell_w = min(0.58, (sr.FIG_WIDTH - label_w - 0.3) / len(r.agents))
    if cell_w < 0.4:
        return None
    lines = max(tt.count("\n") + 1 for tt in titles)
    cell_h = max(0.3, 0.15 * lines + 0.08)
    width = label_w + cell_w * len(r.agents) + 0.3
    height = 1.0 + cell_h * len(props)
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes([label_w / width, 0.2 / height, cell_w * len(r.agents) / width,
                       cell_h * len(props) / height])
    heat = np.array([[values[point, t, p, a] for a in range(len(r.agents))] for p in props])
    ax.imshow(heat, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(heat):
        ax.text(j, i, sr.fmt_p(v), ha="center", va="center", fontsize=8,
                color=sr.text_color(0 if np.isnan(v) else v))
    ax.set_xticks(range(len(r.agents)), r.agents)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(props)), titles)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_linewidth(0.5)
    label, name = WHAT[what]
    run_info = f"{r.replications:,} runs" + ("" if r.n_points == 1 else f", point {point}")
    fig.suptitle(sr.wrap(f"{name} at the {period} summit: {label}; {r.label()} ({run_info})",
                         width * 72 / 5.8), y=1 - 0.08 / height, va="top")
    names = dict(zip(r.agents, r.agent_names))
    key = "Agents: " + ", ".join(f"{a} {names.get(a, a)}" for a in r.agents) + "."
    fig.text(0.01, 0.1 / height, sr.wrap(key + (" " + note if note else ""), width * 72 / 4.4),
             ha="left", va="top", fontsize=8, style="italic")
    stem = f"{what}_{int(period)}" + ("" if r.n_points == 1 else f"_point{point}")
    return sr.save_figure(fig, outdir, stem)


def plot(r, outdir, period=None, point=0, min_tabled=sr.MIN_TABLED):
    sr.check_point(r, point)
    if period is not None:
        r.period_index(period)
    items, note = sr.items_to_show(r, point, period, min_tabled)
    paths = []
    for what in WHAT:
        got = one_summit(r, outdir, what, items, note, period, point) if period is not None \
            else None
        paths += got if got is not None else \
            small_multiples(r, outdir, what, items, note, period, point)
    return paths


def main(argv):
    return sr.period_point_main(plot, __doc__, argv)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
