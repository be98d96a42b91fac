#!/usr/bin/env python3
"""Response of a proposal's pass probability to the parameters of a sweep.

    plot_response.py RESULTS.h5 [--proposal ID] [--agent ID] [--period YEAR]
                     [--min-tabled N] [-o DIR]

With --agent, the output is that agent's participation (it took part in the adopted
decision) instead of the pass probability.

One varied parameter: a response curve (pass probability with its 95% Wilson interval
against the parameter's value). Two on a grid: a heatmap over the grid, the value
printed in each cell. Otherwise: a curve per parameter, the runs of all points at each
level of the parameter pooled (deciles of the parameter for LHS and Sobol designs).

Without --proposal, the figure shows the proposal (and, without --period, the summit)
whose pooled pass probability moves most between the levels of some parameter, counting
only levels at which it was tabled in at least --min-tabled runs (default 200;
docs/figures.md). With --proposal and no --period: the first summit at which it was
tabled in that many runs.
"""
import argparse
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)


def levels(x):
    """(masks over points, level values) of one factor: its distinct values, or deciles
    when there are more than 12 (LHS and Sobol designs)."""
    np = sr.np
    vals = np.unique(x)
    if len(vals) <= 12:
        return [x == v for v in vals], vals
    edges = np.quantile(x, np.linspace(0, 1, 11))
    b = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 9)
    masks = [b == i for i in range(10) if (b == i).any()]
    return masks, np.array([x[m].mean() for m in masks])


def counts(r, t, p, agent):
    """(successes, tabled) per point: passes, or the agent's participations."""
    n = r.tabled[:, t, p].astype(float)
    if agent is None:
        return r.passed[:, t, p].astype(float), n
    return r.raw["participated"][:, t, p, r.agent_index(agent)].astype(float), n


def spread(r, t, p, agent, min_tabled, groups):
    """Largest move of the pooled probability between usable levels of any factor."""
    k, n = counts(r, t, p, agent)
    best = -1.0
    for masks in groups:
        ps = [k[m].sum() / n[m].sum() for m in masks if n[m].sum() >= min_tabled]
        if len(ps) >= 2:
            best = max(best, max(ps) - min(ps))
    return best


def choose(r, proposal, period, agent, min_tabled):
    groups = [levels(r.factor_values[:, j])[0] for j in range(len(r.factors))]
    ts = range(len(r.periods)) if period is None else [r.period_index(period)]
    ps = range(len(r.proposals)) if proposal is None else [r.proposal_index(proposal)]
    total = r.tabled.sum(axis=0)  # [period, proposal], over the points
    if proposal is not None and period is None:
        p = ps[0]
        good = [t for t in ts if total[t, p] >= min_tabled]
        if not good:
            raise sr.Skip(f"'{proposal}' was tabled in fewer than {min_tabled} runs at every "
                          f"summit (at most {int(total[:, p].max())})")
        return good[0], p
    cand = [(spread(r, t, p, agent, min_tabled, groups), -t, -p) for t in ts for p in ps
            if total[t, p] >= min_tabled]
    cand = [c for c in cand if c[0] >= 0]
    if not cand:
        raise sr.Skip(f"no proposal was tabled in {min_tabled} runs or more at two levels of a "
                      "varied parameter" + ("" if period is None else f" in {period}"))
    _, t, p = max(cand)  # ties: the first summit, then the first proposal
    return -t, -p


def plot(r, outdir, proposal=None, period=None, agent=None, min_tabled=sr.MIN_TABLED):
    np = sr.np
    if not r.factors or r.factor_values is None or r.n_points < 2:
        raise sr.Skip(f"{r.path} is not a sweep: no varied parameters")
    if agent is not None:
        r.agent_index(agent)
    t, p = choose(r, proposal, period, agent, min_tabled)
    plt = sr.pyplot()
    x = r.factor_values
    k_pt, n_pt = counts(r, t, p, agent)
    y = np.where(n_pt > 0, k_pt / np.maximum(n_pt, 1), np.nan)
    name = sr.title(r, p, 60)
    what = "P(passed)" if agent is None else f"P({agent} takes part)"
    title = f"{name}: {what}, {int(r.periods[t])}"
    ylabel = f"{what.replace(')', ' | tabled)')}"
    nf = len(r.factors)
    if nf == 2 and r.design == "grid":
        xs, ys = np.unique(x[:, 0]), np.unique(x[:, 1])
        grid = np.full((len(ys), len(xs)), np.nan)
        for i in range(len(y)):
            grid[np.searchsorted(ys, x[i, 1]), np.searchsorted(xs, x[i, 0])] = y[i]
        fig, ax = plt.subplots(figsize=(min(sr.FIG_WIDTH, 2.2 + 0.75 * len(xs)),
                                        1.6 + 0.45 * len(ys)))
        im = ax.imshow(grid, origin="lower", cmap="Greys", vmin=0, vmax=1, aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v) and len(xs) <= 12:
                ax.text(j, i, sr.fmt_p(v), ha="center", va="center", fontsize=8,
                        color=sr.text_color(v))
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
        ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
        ax.set_xlabel(r.factors[0])
        ax.set_ylabel(r.factors[1])
        fig.colorbar(im, ax=ax, label=ylabel)
        ax.set_title(sr.wrap(title, 60))
        fig.tight_layout()
    else:
        ncols = min(nf, 2)
        nrows = (nf + ncols - 1) // ncols
        height = 2.8 * nrows + 0.8
        fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharey=True,
                                 figsize=(sr.FIG_WIDTH if ncols == 2 else 5.0, height))
        for ax in axes.flat[nf:]:
            ax.set_visible(False)
        for j, ax in enumerate(axes.flat[:nf]):
            masks, mids = levels(x[:, j])
            k = np.array([k_pt[m].sum() for m in masks])
            n = np.array([n_pt[m].sum() for m in masks])
            keep = n > 0
            pr, lo, hi = sr.wilson(k[keep], n[keep])
            s = sr.style(j)
            ax.errorbar(mids[keep], pr, yerr=[pr - lo, hi - pr], color="black",
                        marker=s["marker"], markerfacecolor=s["gray"], capsize=3)
            binned = len(np.unique(x[:, j])) > 12
            ax.set_xlabel(sr.wrap(r.factors[j] + (" (deciles)" if binned else ""), 50))
            ax.set_ylim(0, 1.02)
            ax.yaxis.set_tick_params(labelleft=True)
        for row in axes:
            row[0].set_ylabel(ylabel + ", 95% CI")
        pooled = "" if nf == 1 else "; the runs of all points at each level pooled"
        sr.title_and_layout(fig, sr.wrap(title + pooled, 100))
    stem = f"response_{r.proposals[p]}_{int(r.periods[t])}" + ("" if agent is None else f"_{agent}")
    return sr.save_figure(fig, outdir, stem)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="results file of a sweep (.h5)")
    ap.add_argument("--proposal", help="proposal id (default: the one that moves most)")
    ap.add_argument("--agent", help="plot this agent's participation instead of P(passed)")
    ap.add_argument("--period", type=int, help="summit (calendar year)")
    sr.add_common_args(ap, point=False)
    a = ap.parse_args(argv)
    return plot(sr.load(a.results), a.outdir or sr.default_outdir(a.results), a.proposal, a.period,
                a.agent, a.min_tabled)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
