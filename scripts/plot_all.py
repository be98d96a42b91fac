#!/usr/bin/env python3
"""Draws every figure a results file supports and prints the path of each.

    plot_all.py RESULTS.h5 [-o DIR] [--min-tabled N]

Summary figures (outcomes, participation, objection, rounds and dilution, tension) are
drawn for every file and every sweep point (for a sweep of more than 4 points: the first
point only, with a note); a sweep also gets its response figure and, for a complete
Sobol sweep, the Sobol indices; a file with per-run data and sampled parameters gets the
sensitivity figure. Automatic choices count only proposals tabled in at least
--min-tabled runs (default 200; docs/figures.md).

A figure that cannot be drawn from this file (a --summary-only file has no per-run data,
a file of 30 runs has too few to split into quintiles, ...) is skipped with a one-line
reason on stderr. The exit status is 0 when the outcome figure was drawn, 2 otherwise.
"""
import argparse
import os
import sys

try:
    import sco_results as sr
    import plot_outcomes
    import plot_participation
    import plot_rounds_dilution
    import plot_response
    import plot_sensitivity
    import plot_sobol
    import plot_tension
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

PROG = "plot_all.py"

#: What each figure shows, for captions (report.py) and messages; keyed by figure kind.
CAPTIONS = {
    "outcomes": "Outcome of every proposal at every summit: how the runs in which it was "
                "tabled split into outcomes, with the 95% interval of P(passed).",
    "participation": "Who took part in what was adopted: one panel per proposal, agents by "
                     "summit.",
    "objection": "Who objected (in the last round): one panel per proposal, agents by summit.",
    "rounds_dilution": "Negotiation rounds used, and how much of the text's ambition was given "
                       "up when it passed.",
    "tension": "Tension between the most tense pairs over the summits: median, mean and "
               "5-95% band over the runs.",
    "sensitivity": "The sampled parameters that move the most uncertain proposal's pass "
                   "probability most (runs split into fifths of each parameter).",
    "response": "How the sweep's parameters move a proposal's pass probability.",
    "sobol": "Sobol indices: the share of the variance of the pass probability due to each "
             "parameter, alone (S1) and with its interactions (ST).",
}


def kind_of(path):
    """The figure kind of an output path: outcomes, participation, ..."""
    stem = os.path.splitext(os.path.basename(path))[0]
    for kind in sorted(CAPTIONS, key=len, reverse=True):
        if stem == kind or stem.startswith(kind + "_"):
            return kind
    return stem


def draw_all(r, outdir, min_tabled=sr.MIN_TABLED, log=None, points=None, prog=PROG):
    """Draws every figure r supports (the per-point figures for `points`, default: all
    points, or point 0 of a sweep of more than 4). Returns (paths, skipped, outcome_drawn): the PNG and
    PDF paths, [(figure, reason)] for the figures that could not be drawn, and whether
    the outcome figure was drawn. Reasons are also printed on `log` (stderr)."""
    log = sys.stderr if log is None else log
    paths, skipped = [], []
    outcome_drawn = False

    def attempt(name, draw, *args, **kw):
        try:
            got = draw(*args, **kw)
        except sr.Skip as e:
            reason = str(e)
        except (ValueError, KeyError, IndexError, ZeroDivisionError, FloatingPointError) as e:
            reason = f"unexpected error ({type(e).__name__}: {e}); please report it"
        else:
            paths.extend(got)
            return True
        skipped.append((name, reason))
        print(f"{prog}: skipping the {name} figure: {reason}", file=log)
        return False

    if points is not None:
        pass
    elif r.factors and r.n_points > 4:
        print(f"{prog}: {r.n_points} sweep points: per-point figures for point 0 only "
              "(the plot_*.py scripts take --point K)", file=log)
        points = [0]
    else:
        points = range(r.n_points)
    for point in points:
        drawn = attempt("outcome", plot_outcomes.plot, r, outdir, point=point,
                        min_tabled=min_tabled)
        outcome_drawn = outcome_drawn or drawn
        attempt("participation", plot_participation.plot, r, outdir, point=point,
                min_tabled=min_tabled)
        attempt("rounds and dilution", plot_rounds_dilution.plot, r, outdir, point=point,
                min_tabled=min_tabled)
        attempt("tension", plot_tension.plot, r, outdir, point=point)
    if r.factors:
        attempt("response", plot_response.plot, r, outdir, min_tabled=min_tabled)
    if r.sensitivity is not None:
        attempt("Sobol", plot_sobol.plot, r, outdir, min_tabled=min_tabled)
    if r.runs is None:
        reason = "no per-run data (written with --summary-only)"
        skipped.append(("sensitivity", reason))
        print(f"{prog}: skipping the sensitivity figure: {reason}", file=log)
    elif not r.params:
        reason = "the scenario samples no parameter"
        skipped.append(("sensitivity", reason))
        print(f"{prog}: skipping the sensitivity figure: {reason}", file=log)
    else:
        attempt("sensitivity", plot_sensitivity.plot, r, outdir, min_tabled=min_tabled)
    return paths, skipped, outcome_drawn


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results file (.h5)")
    sr.add_common_args(ap, point=False)
    a = ap.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        r = sr.load(a.results)
        paths, _, outcome_drawn = draw_all(r, a.outdir or sr.default_outdir(a.results),
                                           a.min_tabled)
    except (sr.BadResults, ValueError, KeyError, OSError, ImportError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    if not outcome_drawn:
        print(f"{PROG}: error: the outcome figure could not be drawn from {a.results}",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
