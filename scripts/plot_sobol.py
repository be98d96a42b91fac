#!/usr/bin/env python3
"""Sobol sensitivity indices of a Sobol sweep as bars.

    plot_sobol.py RESULTS.h5 [--proposal ID] [--period YEAR] [-o DIR]

For one proposal's pass probability at one summit (by default: every proposal at the
first summit, one panel each), first-order (S1) and total-order (ST) indices of every
varied parameter, with their 95% bootstrap intervals. The file must come from
`sco-sim sweep --design sobol` over the whole sweep (or a merge of all its shards).
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


def plot(r, outdir, proposal=None, period=None):
    np = sr.np
    plt = sr.pyplot()
    if r.sensitivity is None:
        raise ValueError(f"{r.path} has no Sobol indices: it is not a complete "
                         f"'sco-sim sweep --design sobol' (design: {r.design or 'none'})")
    S = r.sensitivity
    t = 0 if period is None else r.period_index(period)
    ps = range(len(r.proposals)) if proposal is None else [r.proposal_index(proposal)]
    ps = [p for p in ps if np.isfinite(S["total"][:, t, p]).any()]
    if not ps:
        raise ValueError("no proposal's pass probability varies across the sweep at that summit")
    k = len(r.factors)
    ncols = min(len(ps), 2)
    nrows = (len(ps) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharex=True,
                             figsize=(5.2 * ncols, 0.5 * k * nrows + 1.6 * nrows + 0.6))
    for ax in axes.flat[len(ps):]:
        ax.set_visible(False)
    y = np.arange(k)
    h = 0.38
    for ax, p in zip(axes.flat, ps):
        for j, (key, name) in enumerate((("first", "first order S1"), ("total", "total order ST"))):
            v = S[key][:, t, p]
            lo, hi = S[key + "_lo"][:, t, p], S[key + "_hi"][:, t, p]
            s = sr.style(j)
            ax.barh(y + (j - 0.5) * h, v, height=h, color=s["gray"], hatch=s["hatch"],
                    edgecolor="black", linewidth=0.6, label=name)
            ax.errorbar(v, y + (j - 0.5) * h, xerr=[np.maximum(v - lo, 0), np.maximum(hi - v, 0)],
                        fmt="none", ecolor="black", capsize=2, linewidth=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(r.factors, fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_title(f"{r.proposal_titles[p]}: P(passed), {int(r.periods[t])}", fontsize=9)
        ax.set_xlabel("share of the output's variance (Sobol index, 95% bootstrap CI)")
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Sobol sensitivity: {r.label()} ({len(r.point_index)} points x {r.replications} runs)")
    fig.tight_layout()
    stem = "sobol" + ("" if proposal is None else "_" + proposal) + f"_{int(r.periods[t])}"
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="results file of a Sobol sweep (.h5)")
    ap.add_argument("--proposal", help="only this proposal id")
    ap.add_argument("--period", type=int, help="summit (calendar year; default: the first)")
    sr.add_common_args(ap, point=False)
    a = ap.parse_args(argv)
    return plot(sr.load(a.results), a.outdir or sr.default_outdir(a.results), a.proposal, a.period)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
