#!/usr/bin/env python3
"""Draws every figure a results file supports and prints the path of each.

    plot_all.py RESULTS.h5 [-o DIR]

Summary figures (outcomes, participation, rounds and dilution, tension) are drawn for
every file and every sweep point (for a sweep of more than 4 points: the first point
only, with a note); a sweep also gets its response figure and, for a complete Sobol
sweep, the Sobol indices. Figures that need per-run data (sensitivity to the sampled
parameters) are skipped, with a note on stderr, for files written with --summary-only.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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


def plot(r, outdir):
    paths = []
    points = range(r.n_points)
    if r.factors and r.n_points > 4:
        print(f"plot_all.py: {r.n_points} sweep points: per-point figures for point 0 only "
              "(the plot_*.py scripts take --point K)", file=sys.stderr)
        points = [0]
    for point in points:
        paths += plot_outcomes.plot(r, outdir, point=point)
        paths += plot_participation.plot(r, outdir, point=point)
        paths += plot_rounds_dilution.plot(r, outdir, point=point)
        paths += plot_tension.plot(r, outdir, point=point)
    if r.factors:
        paths += plot_response.plot(r, outdir)
    if r.sensitivity is not None:
        paths += plot_sobol.plot(r, outdir)
    if r.runs is None:
        print(f"plot_all.py: {r.path} has no per-run data (--summary-only): "
              "skipping the sensitivity figure", file=sys.stderr)
    elif not r.params:
        print(f"plot_all.py: {r.path} samples no parameter: skipping the sensitivity figure",
              file=sys.stderr)
    else:
        paths += plot_sensitivity.plot(r, outdir)
    return paths


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results file (.h5)")
    sr.add_common_args(ap, point=False)
    a = ap.parse_args(argv)
    r = sr.load(a.results)
    return plot(r, a.outdir or sr.default_outdir(a.results))


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
