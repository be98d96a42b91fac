#!/usr/bin/env python3
"""Writes the synthetic N-agent scenario of the memory benchmark (issue 13, item 1).

    scripts/make_synthetic.py N OUT.yaml [--proposals P] [--periods T] [--seed S]

What it is for: measuring how sco-sim's memory and time grow with the number of agents
(`scripts/bench.sh --sweep-memory` runs it at 100, 300 and 1,000 agents; the target is
1,000 agents in at most 2 GiB). It is not a model of anything: the agents, their numbers
and the agenda are made up. By default the scenario has 6 proposals and 6 annual
summits, sparse relations (about two tension pairs and one affinity pair per agent),
every kind of proposal and, from the second summit, shocks; `sco-sim check OUT.yaml`
accepts it.

The text comes from scripts/make_synthetic_scenario.py (the generator of the scaling
study, `bench.sh --scaling`), called with fixed defaults, so both benchmarks measure the
same kind of scenario. The same arguments always give the same file (byte for byte).
Python 3 standard library only.
"""
import argparse
import sys

import make_synthetic_scenario as gen

PROPOSALS = 6
PERIODS = 6
SEED = 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("agents", type=int, metavar="N", help="number of agents (2..4096)")
    ap.add_argument("output", metavar="OUT.yaml", help="scenario file to write ('-': stdout)")
    ap.add_argument("--proposals", "-P", type=int, default=PROPOSALS,
                    help=f"proposals (default {PROPOSALS})")
    ap.add_argument("--periods", "-T", type=int, default=PERIODS,
                    help=f"summits (default {PERIODS})")
    ap.add_argument("--seed", type=int, default=SEED, help=f"seed of the generator (default {SEED})")
    a = ap.parse_args(argv)
    try:
        text = gen.make(a.agents, a.proposals, a.periods, a.seed)
    except ValueError as e:
        ap.error(str(e).replace("--agents", "N"))
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
