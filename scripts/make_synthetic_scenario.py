#!/usr/bin/env python3
"""Writes a valid synthetic sco-sim scenario (format sco-sim/1) of any size.

    scripts/make_synthetic_scenario.py --agents N --proposals P --periods T [--seed S] -o FILE

The scenario is for measuring speed and scale, not for substance: agents get ISO-like
three-letter ids (AAA, AAB, ...), a few of them are great powers, about a tenth are
observers and a tenth candidates; tensions and affinities are set for a sparse set of
pairs (about two and one per agent); the agenda cycles through every kind of proposal
(exercises with a host and transit, institutions, plans, declarations, membership
proposals that admit non-members); with two or more periods there are shocks (a
parameter change and an admission). Some numbers are distributions, so runs differ.

The same arguments always give the same file. Python 3 standard library only; the YAML
is written as text. Check the result with `sco-sim check FILE`.
"""
import argparse
import random
import string
import sys

KINDS = ["exercise", "institution", "plan", "declaration", "membership"]
FIRST_YEAR = 2000


def agent_ids(n):
    """AAA, AAB, ..., AAZ, ABA, ... (26^3 = 17576 ids at most)."""
    letters = string.ascii_uppercase
    if n > 26**3:
        raise ValueError("at most 17576 agents have three-letter ids")
    out = []
    for k in range(n):
        a, rest = divmod(k, 26 * 26)
        b, c = divmod(rest, 26)
        out.append(letters[a] + letters[b] + letters[c])
    return out


def num(x):
    return f"{x:.3f}"


class Writer:
    def __init__(self, rng):
        self.rng = rng
        self.lines = []

    def w(self, text=""):
        self.lines.append(text)

    def value(self, lo=0.0, hi=1.0, random_share=0.2):
        """A fixed number in [lo, hi], or (random_share of the time) a distribution."""
        r = self.rng
        if r.random() < random_share:
            pick = r.random()
            if pick < 0.5:
                a = r.uniform(lo, hi)
                b = min(hi, a + r.uniform(0.0, 0.3) * (hi - lo))
                return f"{{uniform: [{num(a)}, {num(max(a, b))}]}}"
            if pick < 0.8:
                return f"{{beta: [{num(r.uniform(1, 9))}, {num(r.uniform(1, 9))}]}}"
            mean = r.uniform(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo))
            return f"{{normal: [{num(mean)}, {num(0.05 + 0.1 * r.random())}]}}"
        return num(r.uniform(lo, hi))


def make(agents, proposals, periods, seed, dims=4, threats=3):
    if agents < 2:
        raise ValueError("--agents must be at least 2")
    if proposals < 1:
        raise ValueError("--proposals must be at least 1")
    if not 1 <= periods <= 200:
        raise ValueError("--periods must be between 1 and 200")
    if not 1 <= dims <= 64 or not 0 <= threats <= 64:
        raise ValueError("--dims must be 1..64 and --threats 0..64")
    if agents > 4096 or proposals > 4096:
        raise ValueError("at most 4096 agents and 4096 proposals")
    r = random.Random(seed)
    out = Writer(r)
    w = out.w
    ids = agent_ids(agents)
    dim_names = [f"dim_{d}" for d in range(dims)]
    threat_names = [f"threat_{k}" for k in range(threats)]

    # Roles: the first agents are members (two at least); the last fifth are observers
    # and candidates. Great powers are the first few members.
    n_nonmembers = agents // 5 if agents >= 5 else 0
    members = ids[: agents - n_nonmembers]
    nonmembers = ids[agents - n_nonmembers:]
    roles = {a: "member" for a in members}
    for k, a in enumerate(nonmembers):
        roles[a] = "observer" if k % 2 == 0 else "candidate"
    n_great = 1 if len(members) < 4 else min(5, 2 + agents // 100)
    great = members[:n_great]

    w("# Synthetic scenario written by scripts/make_synthetic_scenario.py")
    w(f"# --agents {agents} --proposals {proposals} --periods {periods} --seed {seed}"
      f" --dims {dims} --threats {threats}")
    w("format: sco-sim/1")
    w(f"name: synthetic N={agents} P={proposals} T={periods} seed={seed}")
    w("description: >")
    w("  Synthetic scenario for speed and scale measurements; not a model of anything.")
    w(f"periods: {{first: {FIRST_YEAR}, count: {periods}}}")
    w(f"dimensions: [{', '.join(dim_names)}]")
    w(f"threats: [{', '.join(threat_names)}]")
    w("status_quo:")
    for d in dim_names:
        w(f"  {d}: {num(r.uniform(0.0, 0.4))}")
    w("model: {choice: logit, amendment: win_set, pressure: enabled}")
    w("dynamics:")
    w("  logit_precision: 6")
    w("  rounds: 3")
    w("  wait_value: 2.0")
    w(f"  incident_rate: {out.value(0.1, 0.4, 0.5)}")

    w("agents:")
    for a in ids:
        w(f"  - id: {a}")
        w(f"    name: Agent {a}")
        if roles[a] != "member":
            w(f"    role: {roles[a]}")
        if a in great:
            w("    great_power: true")
            w(f"    capability: {num(r.uniform(0.3, 0.6))}")
        else:
            w(f"    capability: {num(r.uniform(0.01, 0.2))}")
        w(f"    military_reluctance: {out.value(0.0, 1.0, 0.3)}")
        w(f"    sovereignty: {out.value(0.0, 1.0, 0.3)}")
        w("    position: {" + ", ".join(f"{d}: {out.value(random_share=0.1)}"
                                       for d in dim_names) + "}")
        w("    salience: {" + ", ".join(f"{d}: {num(r.uniform(0.1, 0.9))}"
                                       for d in dim_names) + "}")
        if threat_names:
            w("    threat: {" + ", ".join(f"{k}: {num(r.uniform(0.2, 0.9))}"
                                         for k in threat_names) + "}")
        powers = [g for g in great if g != a]
        if powers and a not in great:
            w("    susceptibility: {" + ", ".join(f"{g}: {num(r.uniform(0.1, 0.8))}"
                                                for g in powers) + "}")

    # Sparse relations: about two tension pairs and one affinity pair per agent.
    def pairs(per_agent):
        seen = set()
        out_pairs = []
        for i, a in enumerate(ids):
            for _ in range(per_agent):
                j = r.randrange(agents - 1)
                b = ids[j if j < i else j + 1]
                key = (min(a, b), max(a, b))
                if key not in seen:
                    seen.add(key)
                    out_pairs.append(key)
        return out_pairs

    tension = pairs(2)
    affinity_set = set(tension)
    affinity = [p for p in pairs(1) if p not in affinity_set]
    w("relations:")
    w("  tension:" + ("" if tension else " []"))
    for a, b in tension:
        w(f"    - [{a}, {b}, {out.value(0.1, 0.8, 0.2)}]")
    w("  affinity:" + ("" if affinity else " []"))
    for a, b in affinity:
        w(f"    - [{a}, {b}, {num(r.uniform(0.1, 0.7))}]")

    w("agenda:")
    admitted_by_shock = nonmembers[-1:] if periods >= 2 and nonmembers else []
    admissible = [a for a in nonmembers if a not in admitted_by_shock] or nonmembers
    enlargement = None
    for p in range(proposals):
        kind = KINDS[p % len(KINDS)]
        if kind == "membership" and not admissible:
            kind = "declaration"
        sponsor = great[p % len(great)] if r.random() < 0.6 else r.choice(members)
        w(f"  - id: prop_{p}_{kind}")
        w(f"    title: Synthetic {kind} {p}")
        w(f"    kind: {kind}")
        w(f"    sponsor: {sponsor}")
        if kind in ("exercise", "institution") and (kind == "exercise" or r.random() < 0.5):
            host = r.choice(members)
            w(f"    host: {host}")
        else:
            host = None
        if kind == "exercise":
            routes = []
            for _ in range(r.randint(1, 3)):
                f = r.choice(members)
                t = r.choice(ids)
                if f != t and f != host and (f, t) not in routes:
                    routes.append((f, t))
            if routes:
                w("    transit: [" + ", ".join(f"{{from: {f}, through: {t}}}" for f, t in routes)
                  + "]")
            w(f"    min_participants: {r.randint(2, max(2, min(5, len(members))))}")
        if kind == "membership":
            k = min(len(admissible), r.randint(1, 3))
            drawn = r.sample(admissible, k)
            # One enlargement: every membership text admits the first one's candidates (two
            # enlargements may not move the same dimension; docs/model.md III.4.6). Drawn all
            # the same, so that the rest of the scenario is what it was before that rule.
            enlargement = enlargement or drawn
            w(f"    admit: [{', '.join(enlargement)}]")
        if kind == "plan" and r.random() < 0.5:
            w("    recurring: true")
        if periods >= 3 and r.random() < 0.3:
            first = r.randrange(periods - 1)
            last = r.randrange(first, periods)
            w(f"    periods: [{FIRST_YEAR + first}, {FIRST_YEAR + last}]")
        if r.random() < 0.5:
            w(f"    uncertainty: {out.value(0.0, 0.9, 0.5)}")
        chosen = r.sample(dim_names, r.randint(1, min(2, dims)))
        w("    position: {" + ", ".join(f"{d}: {out.value(0.3, 1.0, 0.1)}" for d in chosen) + "}")
        if threat_names:
            rel = r.sample(threat_names, r.randint(1, min(2, len(threat_names))))
            w("    relevance: {" + ", ".join(f"{k}: {num(r.uniform(0.2, 0.9))}" for k in rel)
              + "}")

    if periods >= 2:
        w("shocks:")
        w(f"  - period: {FIRST_YEAR + 1}")
        w("    set:")
        w(f"      agents.{ids[-1]}.sovereignty: {num(r.uniform(0.0, 1.0))}")
        w(f"      dynamics.incident_size: {out.value(0.0, 0.3, 1.0)}")
        if admitted_by_shock:
            w(f"  - period: {FIRST_YEAR + periods - 1}")
            w(f"    admit: [{', '.join(admitted_by_shock)}]")
    return "\n".join(out.lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", "-N", type=int, required=True, help="number of agents (2..4096)")
    ap.add_argument("--proposals", "-P", type=int, required=True, help="proposals (1..4096)")
    ap.add_argument("--periods", "-T", type=int, required=True, help="summits (1..200)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the generator (default 1)")
    ap.add_argument("--dims", type=int, default=4, help="policy dimensions (default 4)")
    ap.add_argument("--threats", type=int, default=3, help="threats (default 3)")
    ap.add_argument("-o", "--output", required=True, help="scenario file to write ('-': stdout)")
    a = ap.parse_args(argv)
    try:
        text = make(a.agents, a.proposals, a.periods, a.seed, a.dims, a.threats)
    except ValueError as e:
        ap.error(str(e))
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
