#!/usr/bin/env python3
"""Sobol sensitivity indices of a Sobol sweep as bars.

    plot_sobol.py RESULTS.h5 [--proposal ID] [--period YEAR] [--min-tabled N] [-o DIR]

For one proposal's pass probability at one summit, first-order (S1) and total-order (ST)
indices of every varied parameter, with their 95% bootstrap intervals, and the output's
noise floor: the share of its variance that is binomial noise of the runs per point, about
the ST a parameter that cannot act gets (more runs per point lower it). By default: one
panel per proposal at the first summit that has one whose indices can be read, counting
only proposals tabled in at least --min-tabled runs over the sweep (default 200) whose
pass probability varies across the points at least twice as much as sampling noise alone
would make it, and not only between the points that never table it (counted as 0) and
the others. Every other output is left out (docs/figures.md, "Sobol indices"). The file
must come from `sco-sim sweep --design sobol` over the whole sweep (or a merge of all its
shards).
"""
import argparse
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

XMIN, XMAX = -0.2, 1.2  # indices belong to [0, 1]; estimates and intervals are clipped here


def plot(r, outdir, proposal=None, period=None, min_tabled=sr.MIN_TABLED):
    np = sr.np
    if r.sensitivity is None:
        raise sr.Skip(f"{r.path} has no Sobol indices: it is not a complete "
                      f"'sco-sim sweep --design sobol' (design: {r.design or 'none'})")
    S = r.sensitivity
    outs = sr.sobol_outputs(r, min_tabled, period, proposal)
    readable = [o for o in outs if o.informative]  # summit-major: the first is the earliest
    chosen = [o for o in readable if o.t == readable[0].t] if readable else []
    if not chosen:
        where = "" if period is None else f" in {period}"
        if proposal is None:
            raise sr.Skip(f"no proposal{where} has a pass probability whose Sobol indices can be "
                          f"read (tabled in {min_tabled} runs or more, varying across the "
                          "points at least twice as much as sampling noise, and not only "
                          "with whether it is tabled)")
        raise sr.Skip(f"'{proposal}' has no summit{where} whose pass probability supports Sobol "
                      "indices: " + "; ".join(f"{int(r.periods[o.t])}: {o.why}" for o in outs))
    t, ps = chosen[0].t, [o.p for o in chosen]
    plt = sr.pyplot()
    k = len(r.factors)
    ncols = min(len(ps), 2)
    nrows = (len(ps) + ncols - 1) // ncols
    factor_labels = [sr.wrap(f, 22) for f in r.factors]
    lines = max(f.count("\n") + 1 for f in factor_labels)
    panel_h = 1.0 + k * max(0.42, 0.15 * lines + 0.15)
    height = panel_h * nrows + 1.1
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharex=True,
                             figsize=(sr.FIG_WIDTH if ncols == 2 else 5.5, height))
    for ax in axes.flat[len(ps):]:
        ax.set_visible(False)
    y = np.arange(k)
    h = 0.38
    clipped = False
    for ax, o in zip(axes.flat, chosen):
        p = o.p
        for j, (key, name) in enumerate((("first", "first order S1"), ("total", "total order ST"))):
            v = S[key][:, t, p]
            lo, hi = S[key + "_lo"][:, t, p], S[key + "_hi"][:, t, p]
            clipped |= bool(np.any((lo < XMIN) | (hi > XMAX) | (v < XMIN) | (v > XMAX)))
            vc, loc, hic = (np.clip(a, XMIN, XMAX) for a in (v, lo, hi))
            s = sr.style(j)
            ax.barh(y + (j - 0.5) * h, vc, height=h, color=s["gray"], hatch=s["hatch"],
                    edgecolor="black", linewidth=0.6, label=name)
            ax.errorbar(vc, y + (j - 0.5) * h,
                        xerr=[np.maximum(vc - loc, 0), np.maximum(hic - vc, 0)],
                        fmt="none", ecolor="black", capsize=2, linewidth=0.8)
        ax.axvline(o.eta, color="black", linewidth=1.0, linestyle=":",
                   label="noise floor")
        ax.set_yticks(y, factor_labels)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlim(XMIN, XMAX)
        ax.set_title(sr.title(r, p, 44) + f"\nnoise floor {o.eta:.2g}")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[-1]:
        ax.set_xlabel("share of the variance of P(passed)")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    width = sr.FIG_WIDTH if ncols == 2 else 5.5
    fig.suptitle(sr.wrap(f"Sobol indices of P(passed), {int(r.periods[t])}: {r.label()} "
                         f"({len(r.point_index):,} points x {r.replications:,} runs; 95% "
                         "bootstrap CI)", width * 72 / 5.8), y=1 - 0.08 / height, va="top")
    fig.legend(handles, labels, loc="upper center", ncol=3, frameon=False,
               bbox_to_anchor=(0.5, 1 - 0.42 / height))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.62 / height))
    notes = [f"Dotted line: the noise floor, the share of the variance of P(passed) that is "
             f"binomial noise of the {r.replications:,} runs per point; a parameter that cannot "
             "act gets ST about this (more runs per point lower it)."]
    notes += [f"{r.proposals[o.p]}: never tabled at {o.untabled:,} of {o.points:,} points, "
              f"where P(passed) counts as 0 ({o.tabling_share:.0%} of its variance is between "
              "those points and the others)." for o in chosen if o.untabled]
    if clipped:
        notes.append(f"Estimates and intervals outside [{XMIN:g}, {XMAX:g}] are drawn at the "
                     "edge.")
    sr.add_note(fig, " ".join(notes))
    stem = "sobol" + ("" if proposal is None else "_" + proposal) + f"_{int(r.periods[t])}"
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="results file of a Sobol sweep (.h5)")
    ap.add_argument("--proposal", help="only this proposal id")
    ap.add_argument("--period", type=int, help="summit (calendar year; default: the first summit with an output "
                    "whose indices can be read)")
    sr.add_common_args(ap, point=False)
    a = ap.parse_args(argv)
    return plot(sr.load(a.results), a.outdir or sr.default_outdir(a.results), a.proposal, a.period,
                a.min_tabled)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
