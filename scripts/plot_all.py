#!/usr/bin/env python3
"""Draws every figure a results file supports and prints the path of each.

    plot_all.py RESULTS.h5 [-o DIR]

Summary figures (outcomes, participation, rounds and dilution, tension) are drawn for
every file and every sweep point; figures that need per-run data (sensitivity) are
skipped, with a note on stderr, for files written with --summary-only.
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
    import plot_sensitivity
    import plot_tension
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)


def plot(r, outdir):
    paths = []
    for point in range(r.n_points):
        paths += plot_outcomes.plot(r, outdir, point=point)
        paths += plot_participation.plot(r, outdir, point=point)
        paths += plot_rounds_dilution.plot(r, outdir, point=point)
        paths += plot_tension.plot(r, outdir, point=point)
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
