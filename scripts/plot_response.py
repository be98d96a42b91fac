#!/usr/bin/env python3
"""Response of a proposal's pass probability to the parameters of a grid sweep.

    plot_response.py RESULTS.h5 [--proposal ID] [--agent ID] [--period YEAR] [-o DIR]

With --agent, the output is that agent's participation (it took part in the adopted
decision) instead of the pass probability.

One varied parameter: a response curve (pass probability with its 95% Wilson interval
against the parameter's value). Two: a heatmap of the pass probability over the grid,
with the value printed in each cell. More: a curve per parameter, averaging over the
others. Default proposal: the one whose pass probability varies most across the points.
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


def plot(r, outdir, proposal=None, period=None, agent=None):
    import warnings
    warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message="Mean of empty slice", category=RuntimeWarning)
    np = sr.np
    plt = sr.pyplot()
    if not r.factors or r.factor_values is None:
        raise ValueError(f"{r.path} is not a sweep: no varied parameters")
    t = 0 if period is None else r.period_index(period)
    pp = r.passed_p[:, t, :]  # [point, proposal]
    if proposal is None:
        spread = np.nanmax(pp, axis=0) - np.nanmin(pp, axis=0)
        if not np.isfinite(spread).any():
            raise ValueError("no proposal was tabled at that summit")
        p = int(np.nanargmax(spread))
    else:
        p = r.proposal_index(proposal)
    x = r.factor_values
    y, lo, hi = pp[:, p], r.passed_lo[:, t, p], r.passed_hi[:, t, p]
    title = f"{r.proposal_titles[p]}: P(passed), {int(r.periods[t])}"
    ylabel = "P(passed | tabled)"
    if agent is not None:
        i = r.agent_index(agent)
        n = r.tabled[:, t, p].astype(float)
        y = r.participation[:, t, p, i]
        _, lo, hi = sr.wilson(y * n, n)
        title = f"{r.proposal_titles[p]}: {agent} takes part, {int(r.periods[t])}"
        ylabel = f"P({agent} takes part | tabled)"
    k = len(r.factors)
    if k == 2 and r.design == "grid":
        xs, ys = np.unique(x[:, 0]), np.unique(x[:, 1])
        grid = np.full((len(ys), len(xs)), np.nan)
        for i in range(len(y)):
            grid[np.searchsorted(ys, x[i, 1]), np.searchsorted(xs, x[i, 0])] = y[i]
        fig, ax = plt.subplots(figsize=(1.0 + 0.9 * len(xs), 1.2 + 0.6 * len(ys)))
        im = ax.imshow(grid, origin="lower", cmap="Greys", vmin=0, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if v > 0.55 else "black")
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels([f"{v:g}" for v in xs], fontsize=7)
        ax.set_yticks(range(len(ys)))
        ax.set_yticklabels([f"{v:g}" for v in ys], fontsize=7)
        ax.set_xlabel(r.factors[0])
        ax.set_ylabel(r.factors[1])
        fig.colorbar(im, ax=ax, label=ylabel)
        ax.set_title(title, fontsize=9)
    else:
        fig, axes = plt.subplots(1, k, squeeze=False, sharey=True, figsize=(4.2 * k, 3.4))
        for j, ax in enumerate(axes.flat):
            vals = np.unique(x[:, j])
            if len(vals) > 12:  # an LHS or Sobol design: bin into deciles
                edges = np.quantile(x[:, j], np.linspace(0, 1, 11))
                b = np.clip(np.searchsorted(edges, x[:, j], side="right") - 1, 0, 9)
                mids = np.array([x[b == i, j].mean() for i in range(10)])
                m = np.array([np.nanmean(y[b == i]) for i in range(10)])
                ax.plot(mids, m, marker=sr.style(j)["marker"], color="black")
                ax.set_xlabel(f"{r.factors[j]} (decile means)")
            else:
                m = np.array([np.nanmean(y[x[:, j] == v]) for v in vals])
                ml = np.array([np.nanmean(lo[x[:, j] == v]) for v in vals])
                mh = np.array([np.nanmean(hi[x[:, j] == v]) for v in vals])
                ax.errorbar(vals, m, yerr=[np.maximum(m - ml, 0), np.maximum(mh - m, 0)], color="black",
                            marker=sr.style(j)["marker"], capsize=3)
                ax.set_xlabel(r.factors[j] + ("" if k == 1 else " (mean over the others)"))
            ax.set_ylim(0, 1.02)
        axes.flat[0].set_ylabel(ylabel + ", 95% CI")
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    stem = f"response_{r.proposals[p]}_{int(r.periods[t])}" + ("" if agent is None else f"_{agent}")
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="results file of a sweep (.h5)")
    ap.add_argument("--proposal", help="proposal id (default: the one that varies most)")
    ap.add_argument("--agent", help="plot this agent's participation instead of P(passed)")
    ap.add_argument("--period", type=int, help="summit (calendar year; default: the first)")
    sr.add_common_args(ap, point=False)
    a = ap.parse_args(argv)
    return plot(sr.load(a.results), a.outdir or sr.default_outdir(a.results), a.proposal, a.period,
                a.agent)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
