#!/usr/bin/env python3
"""The same proposals across several results files, side by side.

    plot_compare.py A.h5 B.h5 [...] [--period YEAR] [--label NAME ...] [-o DIR]

For every (summit, proposal) tabled in all files: P(passed | tabled) with its 95% Wilson
interval, one hatched bar per file; below it, the participation of each agent (markers
per file) pooled over those items.
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


def plot(results, outdir, labels=None, period=None, point=0):
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
        raise ValueError("no (summit, proposal) is tabled in every file")
    agents = [a for a in results[0].agents if all(a in r.agents for r in results[1:])]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(max(6.0, 1.1 * len(common) + 2.5), 7.5),
                                 gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(len(common))
    width = 0.8 / len(results)
    for j, (r, m) in enumerate(zip(results, keyed)):
        s = sr.style(j)
        tp = [m[k] for k in common]
        p = np.array([r.passed_p[point, t, q] for t, q in tp])
        lo = np.array([r.passed_lo[point, t, q] for t, q in tp])
        hi = np.array([r.passed_hi[point, t, q] for t, q in tp])
        off = x + (j - (len(results) - 1) / 2) * width
        ax.bar(off, p, width=width, color=s["gray"], hatch=s["hatch"], edgecolor="black",
               linewidth=0.5, label=labels[j])
        ax.errorbar(off, p, yerr=[np.maximum(p - lo, 0), np.maximum(hi - p, 0)], fmt="none", ecolor="black", capsize=2,
                    linewidth=0.8)
        part = []
        for a in agents:
            i = r.agent_index(a)
            n = sum(r.tabled[point, t, q] for t, q in tp)
            part.append(sum(r.participation[point, t, q, i] * r.tabled[point, t, q]
                            for t, q in tp) / n)
        bx.plot(range(len(agents)), part, linestyle=s["linestyle"], marker=s["marker"],
                color="black", markerfacecolor=s["gray"], label=labels[j])
    ax.set_xticks(x, [f"{pid}\n{year}" for year, pid in common], rotation=30, ha="right",
                  fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("P(passed | tabled), 95% CI")
    ax.set_title("Pass probability")
    ax.legend(fontsize=7, frameon=False, ncol=min(len(results), 3))
    bx.set_xticks(range(len(agents)), agents)
    bx.set_ylim(0, 1.05)
    bx.set_xlabel("agent")
    bx.set_ylabel("P(took part | tabled), pooled")
    bx.set_title("Participation over the compared items")
    bx.legend(fontsize=7, frameon=False)
    fig.suptitle("Comparison: " + " vs ".join(labels))
    fig.tight_layout()
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
                a.period, a.point)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
