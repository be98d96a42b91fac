#!/usr/bin/env python3
"""The same proposals across several results files, side by side.

    plot_compare.py A.h5 B.h5 [...] [--period YEAR] [--label NAME ...] [--min-tabled N] [-o DIR]

For every (summit, proposal) tabled in at least --min-tabled runs (default 200) in every
file: P(passed | tabled) with its 95% Wilson interval, one hatched bar per file; the
items tabled in every file but less often are named under the figure. Below: the
participation of each agent (markers per file) pooled over those items.
"""
import argparse
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

TITLE_WIDTH = 30


def plot(results, outdir, labels=None, period=None, point=0, min_tabled=sr.MIN_TABLED):
    plt = sr.pyplot()
    np = sr.np
    if len(results) < 2:
        raise ValueError("give at least two results files to compare")
    labels = labels or [r.label() for r in results]
    if len(set(labels)) < len(labels):  # same scenario twice: fall back to file names
        labels = [os.path.splitext(os.path.basename(r.path))[0] for r in results]
    for r in results:
        sr.check_point(r, point)
    keyed = [{(int(r.periods[t]), r.proposals[p]): (t, p) for t, p in r.tabled_items(point, period)}
             for r in results]
    common = [k for k in keyed[0] if all(k in m for m in keyed[1:])]
    if not common:
        raise sr.Skip("no (summit, proposal) is tabled in every file")

    def n_min(key):
        return min(r.tabled[point, m[key][0], m[key][1]] for r, m in zip(results, keyed))

    good = [k for k in common if n_min(k) >= min_tabled]
    note = ""
    if not good:
        good, note = common, (f"Every common proposal was tabled in fewer than {min_tabled} runs "
                              "in some file: rough estimates.")
    elif len(good) < len(common):
        thin = [k for k in common if k not in good]
        r0 = results[0]
        names = [f"{r0.proposal_titles[keyed[0][k][1]] or k[1]} {k[0]} ({int(n_min(k))} runs)"
                 for k in thin[:6]]
        note = (f"Not shown, tabled in fewer than {min_tabled} runs in some file: "
                + "; ".join(names) + (f" and {len(thin) - 6} more" if len(thin) > 6 else "") + ".")
    agents = [a for a in results[0].agents if all(a in r.agents for r in results[1:])]
    r0 = results[0]
    ylabels = [f"{sr.title(r0, keyed[0][k][1], TITLE_WIDTH)}\n{k[0]}" for k in good]
    lines = max(lab.count("\n") + 1 for lab in ylabels)
    unit = max(0.16 * lines + 0.1, 0.22 * len(results) + 0.15)
    top_h = 0.9 + unit * len(good)
    bottom_h = 2.6
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(sr.FIG_WIDTH * 0.85, top_h + bottom_h + 0.8),
                                 gridspec_kw={"height_ratios": [top_h, bottom_h]})
    y = np.arange(len(good))[::-1]
    height = 0.8 / len(results)
    for j, (r, m) in enumerate(zip(results, keyed)):
        s = sr.style(j)
        tp = [m[k] for k in good]
        p = np.array([r.passed_p[point, t, q] for t, q in tp])
        lo = np.array([r.passed_lo[point, t, q] for t, q in tp])
        hi = np.array([r.passed_hi[point, t, q] for t, q in tp])
        off = y + ((len(results) - 1) / 2 - j) * height
        ax.barh(off, p, height=height, color=s["gray"], hatch=s["hatch"], edgecolor="black",
                linewidth=0.5, label=labels[j])
        sr.interval(ax, p, off, lo, hi, capsize=2)
        part = []
        for a in agents:
            i = r.agent_index(a)
            n = sum(r.tabled[point, t, q] for t, q in tp)
            part.append(sum(r.participation[point, t, q, i] * r.tabled[point, t, q]
                            for t, q in tp) / n)
        bx.plot(range(len(agents)), part, linestyle=s["linestyle"], marker=s["marker"],
                color="black", markerfacecolor=s["gray"], label=labels[j])
    ax.set_yticks(y, ylabels)
    ax.set_ylim(-0.6, len(good) - 0.4)
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(passed | tabled), 95% CI")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.05), ncol=min(len(results), 3),
              frameon=False)
    bx.set_xticks(range(len(agents)), agents)
    bx.set_ylim(0, 1.05)
    bx.set_ylabel("P(took part | tabled)")
    bx.set_title("Participation, pooled over the proposals above")
    bx.legend(loc="lower left", ncol=min(len(results), 3), frameon=False)
    sr.title_and_layout(fig, sr.wrap("Comparison: " + " vs ".join(labels), 80))
    sr.add_note(fig, note)
    return sr.save_figure(fig, outdir, "compare" + ("" if period is None else f"_{int(period)}"))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="+", help="two or more results files (.h5)")
    ap.add_argument("--period", type=int, help="only this summit (calendar year)")
    ap.add_argument("--label", action="append", help="legend name per file, in order")
    sr.add_common_args(ap)
    a = ap.parse_args(argv)
    if a.label and len(a.label) != len(a.results):
        raise ValueError(f"{len(a.label)} --label for {len(a.results)} files")
    rs = [sr.load(p) for p in a.results]
    return plot(rs, a.outdir or sr.default_outdir(a.results[0]) + "-compare", a.label,
                a.period, a.point, a.min_tabled)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
