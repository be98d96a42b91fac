#!/usr/bin/python3
"""Reproducers of session 12's review of the port at two suite seeds (docs/calibration.md,
"Review, session 12 (the port at two suite seeds)"). Each subcommand is one experiment; it
prints what the section quotes. The baseline is the one this review measured, the session-12
port (7b090c4: 0.708, 0.0959, 0.279, 0.523, 8.12, 0.17, 0.15): every experiment runs a copy of
scenarios/sco2014.yaml with those seven values written in (SESSION12_PORT, session12_port;
review_session8.pinned_port), so that a later port does not change what it measures.

    review_session12.py BIN [--keep DIR] seeds [--seeds 101,202,303,404,505] [--runs N]
        review_session11.py's `seeds` at the session-12 port (S4 left out)
    review_session12.py BIN spread REPORT.json ... [--against REPORT.json ...]
        each assertion's margin statistics over the reports (review_session11.py's `spread`),
        and with --against (another port's reports at the same seeds) the two side by side
        (no runs)
    review_session12.py BIN edge --sd REPORT.json ... [--within 3] [--seeds 202] [--runs N]
        the two-seed filter's edge (no runs without --seeds): each kept point's narrowest
        margin at suite seeds 20140615 and 101 in port seed-SDs; the points lost at 101; how
        far the margins fell from the first seed to the second among the points kept at the
        first (selection on the first seed's noise); the kept points' expected losses at a
        third seed; with --seeds, the suite at the kept points within WITHIN seed-SDs and at
        the points lost at 101, at those seeds
    review_session12.py BIN selects        # review_session11.py's `selects`, both seeds' verdicts
    review_session12.py BIN pool [--sims N]
        review_session11.py's `pool` over the eleven seeds with the two-seed kept set; the
        homogeneity tests by Monte Carlo where exact enumeration is too large (no runs)
    review_session12.py BIN shape          # review_session11.py's `shape` about this port
    review_session12.py BIN known [--runs 2000]
        review_session11.py's `known` (review 8's known answers, the limits, deferrals
        against wait_value) at the session-12 port, about 2 min
    review_session12.py BIN record [--runs 4000] [--kept] [--scan NAME=LO:HI:STEP] [--at V,...]
        the record 2001-2013 (scenarios/history/sco2001.yaml, seed 2013, scored against
        events_2001_2013.yaml) at the session-11 and session-12 ports and with each of the
        seven values moved alone from the one to the other (and at each --at's seven values):
        skill, the policy texts' skill (B) and P(the Dushanbe declaration diluted) (B07b);
        with --kept, the same at each of the
        32 kept points and B07b's rank correlation with each parameter (0.4 s a point); with
        --scan, the same along one parameter, the other six at the session-12 port

`--cal SEED=STAGE2_DIR:STAGE3_DIR` (repeatable) gives a seed's stage 2 and its stage 3 at the
suite's seed, `--second SEED=DIR` the filter at the second suite seed (`suite_filter.py
--suite-seed 101 --only-kept`); the defaults are the session's eleven seeds (/work/cal8,
/work/cal10, /work/cal11, not in the repository). A point is kept when it passes at both suite
seeds; its failed tests are those of both. Bad input: a message naming the file and the
problem, exit status 2.
"""
import json
import math
import pathlib
import subprocess
import sys

import numpy as np

import review_session8 as r8
import review_session11 as r11

NAMES = r8.NAMES
SHORT = r11.SHORT
SESSION12_PORT = {"dynamics.threat_weight": 0.708, "dynamics.objection_cost": 0.0959,
                  "dynamics.remote_stake": 0.279, "dynamics.tension_weight": 0.523,
                  "dynamics.wait_value": 8.12, "dynamics.sponsor_floor": 0.17,
                  "dynamics.amendment_step": 0.15}
SEEDS = range(2015, 2026)


def _stage(seed, what):
    if seed == 2015:
        return f"/work/cal8/{what}"
    return f"/work/cal{10 if seed <= 2020 else 11}/{what}-seed{seed}"


DEFAULT_CAL = [f"{s}={_stage(s, 'stage2')}:{_stage(s, 'stage3')}" for s in SEEDS]
DEFAULT_SECOND = [f"{s}=/work/cal11/stage3-101-seed{s}" for s in SEEDS]
PERIOD = r8.ROOT / "scenarios" / "history" / "sco2001.yaml"
EVENTS = r8.ROOT / "scenarios" / "history" / "events_2001_2013.yaml"


def session12_port(tmp):
    """A copy of sco2014.yaml (under TMP/session12/, same file name) at SESSION12_PORT."""
    return r8.pinned_port(tmp, SESSION12_PORT, "session12")


bad = r11.bad


# ---------------------------------------------------------------------------------------
# the two filters
# ---------------------------------------------------------------------------------------
def load_two(specs, second):
    """review_session11.load_cal's list, each seed's state file joined with its filter at the
    second suite seed: `kept` becomes the points that pass at both, each point's `failed`
    the tests it fails at either (`failed_first`, `failed_second` each seed's); `kept_first`
    the first filter's kept points, `second` the second filter's folder."""
    cal = r11.load_cal(specs)
    try:
        dirs = {int(s): pathlib.Path(d) for s, d in (x.split("=", 1) for x in second)}
    except ValueError:
        bad(second, "expected SEED=DIR")
    for seed, _, st in cal:
        if seed not in dirs:
            bad(f"--second for seed {seed}", "missing")
        js = dirs[seed] / "suite.json"
        if not js.is_file():
            bad(js, "no such file")
        try:
            st2 = json.loads(js.read_text())
            pts2, kept2 = st2["points"], st2["kept"]
        except (ValueError, KeyError, TypeError) as e:
            bad(js, f"not a suite_filter.py state file ({e})")
        if st2.get("suite_seed", r8.SUITE_SEED) == st.get("suite_seed", r8.SUITE_SEED):
            bad(js, f"made at the same suite seed as seed {seed}'s first filter")
        if sorted(map(int, pts2)) != sorted(map(int, st["kept"])):
            bad(js, f"its points {sorted(map(int, pts2))} are not those seed {seed}'s first "
                f"filter kept {sorted(map(int, st['kept']))}")
        for i, r in st["points"].items():
            r["failed_first"] = list(r["failed"])
            r["failed_second"] = list(pts2[i]["failed"]) if i in pts2 else None
            r["failed"] = sorted(set(r["failed"]) | set(r["failed_second"] or []))
        st["kept_first"], st["kept"], st["second"] = st["kept"], kept2, dirs[seed]
        st["suite_seed_second"] = st2.get("suite_seed")
    return cal


def folders(a):
    return {int(s): pathlib.Path(d.split(":", 1)[1]) for s, d in
            (x.split("=", 1) for x in a.cal)}


# ---------------------------------------------------------------------------------------
# homogeneity over many seeds: Fisher-Freeman-Halton by Monte Carlo
# ---------------------------------------------------------------------------------------
def n_tables(k, n):
    """How many 2 x m tables have the margins of k[i] successes of n[i]."""
    K = int(sum(k))
    ways = [1] + [0] * K
    for ni in n:
        new = [0] * (K + 1)
        for s, w in enumerate(ways):
            if w:
                for x in range(0, min(ni, K - s) + 1):
                    new[s + x] += w
        ways = new
    return ways[K]


def ffh_mc(k, n, sims=20000, seed=12):
    """review_session11.ffh_exact's p by Monte Carlo: the share of tables drawn under
    homogeneity (multivariate hypergeometric given the margins) no more probable than the
    observed one. Its standard error is sqrt(p(1 - p) / sims)."""
    lc = [np.array([math.lgamma(ni + 1) - math.lgamma(x + 1) - math.lgamma(ni - x + 1)
                    for x in range(ni + 1)]) for ni in n]
    obs = sum(lc[i][k[i]] for i in range(len(n)))
    draws = np.random.default_rng(seed).multivariate_hypergeometric(
        np.asarray(n, dtype=np.int64), int(sum(k)), size=sims)
    lp = sum(lc[i][draws[:, i]] for i in range(len(n)))
    return float(np.mean(lp <= obs + 1e-9))


def ffh_auto(k, n, sims=20000, seed=12, limit=200000):
    """Exact (review_session11.ffh_exact) when at most LIMIT tables share the margins, else
    ffh_mc."""
    if n_tables(k, n) <= limit:
        return r11.ffh_exact(k, n)
    return ffh_mc(k, n, sims, seed)


# ---------------------------------------------------------------------------------------
# spread against another port
# ---------------------------------------------------------------------------------------
def cmd_spread(_binary, _tmp, a):
    cols = [r11.read_margins(p) for p in a.reports]
    r11.spread(cols, [pathlib.Path(p).stem for p in a.reports])
    if not a.against:
        return
    other = {k: rest for k, *rest in r11.margin_stats([r11.read_margins(p) for p in a.against])}
    print(f"\nagainst the --against reports ({len(a.against)}), narrowest first:\n")
    print("| assertion | smallest | mean / SD | against: smallest | against: mean / SD |")
    print("|---|---|---|---|---|")
    for k, lo, _mu, _sd, z in sorted(r11.margin_stats(cols), key=lambda x: x[4]):
        o = other.get(k)
        print(f"| {k} | {lo:+.4f} | {z:.1f} | "
              + (f"{o[0]:+.4f} | {o[3]:.1f} |" if o else "- | - |"))


# ---------------------------------------------------------------------------------------
# the edge of the two-seed filter
# ---------------------------------------------------------------------------------------
def port_sd(reports, floor):
    cols = [r11.read_margins(f) for f in reports]
    if len(cols) < 2:
        bad("--sd", "give at least two reports of the port at different seeds")
    return {k: max(float(np.std([c[k] for c in cols if k in c], ddof=1)), floor)
            for k in cols[0]}


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def p_pass(margins, sd):
    """P(every assertion passes at a new suite seed) if each margin is normal about MARGINS
    with the port's seed SD (independent assertions)."""
    return math.prod(phi(m / sd.get(k, 1e-3)) for k, m in margins.items())


def weighted_median(x, w):
    """The smallest x whose cumulative weight (x sorted) reaches half the total; when it is
    exactly half, the mean of that x and the next one of positive weight (so equal weights
    give np.median)."""
    o = np.argsort(x)
    x, w = np.asarray(x, float)[o], np.asarray(w, float)[o]
    c = np.cumsum(w)
    half = c[-1] / 2
    i = int(np.searchsorted(c, half - 1e-12 * c[-1]))
    nxt = [j for j in range(i + 1, len(x)) if w[j] > 0]
    if abs(c[i] - half) <= 1e-12 * c[-1] and nxt:
        return float((x[i] + x[nxt[0]]) / 2)
    return float(x[i])


def cmd_edge(binary, tmp, a):
    cal = load_two(a.cal, a.second)
    sd = port_sd(a.sd, a.floor)
    first = folders(a)
    near, lost, drops, narrow_drops, expect, rows, soft = [], [], [], [], [], [], []
    for seed, _, st in cal:
        kept = set(map(int, st["kept"]))
        for i in map(int, st["kept_first"]):
            m1 = r11.read_margins(first[seed] / f"report-{i}.json")
            m2 = r11.read_margins(st["second"] / f"report-{i}.json")
            z1 = {k: v / sd.get(k, a.floor) for k, v in m1.items()}
            z2 = {k: v / sd.get(k, a.floor) for k, v in m2.items()}
            k1 = min(z1, key=z1.get)
            narrow_drops.append(z2[k1] - z1[k1])
            drops += [z2[k] - z1[k] for k in z1 if k in z2 and sd.get(k, 0) > a.floor]
            mean = {k: (m1[k] + m2[k]) / 2 for k in m1 if k in m2}
            values = st["points"][str(i)]["values"]
            soft.append(([values[n] for n in NAMES], p_pass(mean, sd)))
            if i in kept:
                k = min((z1[x] if z1[x] < z2[x] else z2[x], x) for x in z1 if x in z2)[1]
                zz = min(z1[k], z2[k])
                expect.append(1 - p_pass(mean, sd))
                rows.append((seed, i, k, m1[k], m2[k], z1[k], z2[k], 1 - p_pass(mean, sd)))
                if zz < a.within:
                    near.append((seed, i, k, values))
            else:
                k = min(z2, key=z2.get)
                lost.append((seed, i, k, values))
                rows.append((seed, i, k, m1[k], m2[k], z1[k], z2[k], None))
    n_kept = len(expect)
    print(f"{sum(len(st['kept_first']) for _, _, st in cal)} points kept at the first suite seed, "
          f"{n_kept} at both; port seed-SDs from {len(a.sd)} reports (floor {a.floor:g})\n")
    print("| seed | point | kept at both | narrowest assertion | margin 20140615 | margin 101 "
          "| SDs 20140615 | SDs 101 | P(lost at a third seed) |\n" + "|---" * 9 + "|")
    for seed, i, k, m1, m2, z1, z2, q in sorted(rows, key=lambda r: min(r[5], r[6])):
        print(f"| {seed} | {i} | {'no' if q is None else 'yes'} | {k} | {m1:+.4f} | {m2:+.4f} | "
              f"{z1:+.1f} | {z2:+.1f} | {'-' if q is None else f'{q:.3f}'} |")
    print(f"\nkept at both seeds with the narrowest margin (either seed) within {a.within:g} "
          f"port seed-SDs of 0: {len(near)} of {n_kept}")
    print(f"from the first suite seed to the second, among the points kept at the first: the "
          f"narrowest assertion's margin moved by {np.mean(narrow_drops):+.2f} port seed-SDs on "
          f"average (median {np.median(narrow_drops):+.2f}, {len(narrow_drops)} points, "
          f"{sum(d < 0 for d in narrow_drops)} fell); every assertion with a seed SD: median "
          f"{np.median(drops):+.2f}, {sum(d < 0 for d in drops)} of {len(drops)} margins fell")
    print(f"expected losses at a third suite seed (each margin normal about the mean of its two "
          f"seeds' margins with the port's seed SD; assertions independent): "
          f"{sum(expect):.2f} of {n_kept}; points with P(lost) > 0.1: "
          f"{sum(q > 0.1 for q in expect)}")
    x = np.array([v for v, _ in soft])
    w = np.array([q for _, q in soft])
    print(f"\nweighted medians of the {len(x)} points kept at the first seed, each weighted by "
          f"its P(passing at a new seed) (sum of weights {w.sum():.1f}), against the port:")
    print("| | " + " | ".join(SHORT) + " |\n|---|" + "---|" * len(SHORT))
    print("| weighted | " + " | ".join(f"{r11.sig3(weighted_median(x[:, j], w)):g}"
                                     for j in range(len(NAMES))) + " |")
    print("| the port | " + " | ".join(f"{SESSION12_PORT[n]:g}" for n in NAMES) + " |")
    if not a.seeds:
        return
    seeds = [int(x) for x in a.seeds.split(",")]
    print(f"\nthe suite at the near-edge kept points and the points lost at 101, at seeds "
          f"{', '.join(map(str, seeds))} ({a.runs} runs):\n")
    print("| seed | point | kept at both | " + " | ".join(f"seed {x}" for x in seeds)
          + " |\n|---|---|---|" + "---|" * len(seeds))
    flips, back = 0, []
    for lab, pts in (("yes", near), ("no", lost)):
        for seed, i, k, values in pts:
            cells, passed = [], True
            for x in seeds:
                verdict, rep = r8.run_suite(binary, tmp, values, x, a.runs)
                failed = [t for t, v in verdict.items() if v != "passed"]
                passed &= not failed
                m = r8.margins(rep, a.runs)
                flips += (not failed) != (lab == "yes")
                cells.append(("pass" if not failed else "fails " + ", ".join(
                    t.split("_")[1].upper() for t in failed)) + f" ({k} {m.get(k, 0):+.4f})")
            if lab == "no" and passed:
                back.append(values)
            print(f"| {seed} | {i} | {lab} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nverdicts that differ from the two-seed filter's: {flips} of "
          f"{len(seeds) * (len(near) + len(lost))}")
    if back:
        th, kept, _, _, _ = r11.points(cal)
        x = np.vstack([th[kept], [[v[n] for n in NAMES] for v in back]])
        print(f"the medians if the {len(back)} points lost at the second seed that pass at "
              f"{', '.join(map(str, seeds))} were kept ({len(x)} points): "
              + ", ".join(f"{r11.sig3(v):g}" for v in np.median(x, axis=0)))


# ---------------------------------------------------------------------------------------
# the record
# ---------------------------------------------------------------------------------------
def record(binary, tmp, values, runs, seed=2013):
    """(skill, B's skill, P(B07b: the Dushanbe declaration diluted)) of sco2001.yaml with the
    seven values set, as port_candidates.py scores a candidate."""
    out = tmp / "record.h5"
    r8.sco(binary, "run", PERIOD, *[f"--set={k}={v!r}" for k, v in values.items()], "-n", runs,
           "--seed", seed, "--summary-only", "-q", "-o", out, "--force")
    p = subprocess.run([binary, "score", str(out), str(EVENTS), "--json"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit(f"sco-sim score exited {p.returncode}:\n{p.stderr}")
    sc = json.loads(p.stdout)
    b07 = [o["p"] for o in sc["observations"] if o["event"] == "B07b"]
    return sc["scores"]["skill"], sc["categories"]["B"]["skill"], b07[0] if b07 else math.nan


def parse_scan(text):
    """NAME=LO:HI:STEP -> (NAME, LO, HI, STEP); anything else exits 2."""
    try:
        name, rng = text.split("=", 1)
        lo, hi, step = map(float, rng.split(":"))
        if name not in NAMES or not (step > 0 and hi >= lo):
            raise ValueError
    except ValueError:
        bad("--scan", f"{text!r} is not NAME=LO:HI:STEP with NAME one of the seven")
    return name, lo, hi, step


def cmd_record(binary, tmp, a):
    s11, s12 = r11.PORT, SESSION12_PORT
    scan = parse_scan(a.scan) if a.scan else None
    at = []
    for text in a.at:
        try:
            v = [float(x) for x in text.split(",")]
            if len(v) != len(NAMES):
                raise ValueError
        except ValueError:
            bad("--at", f"{text!r} is not seven numbers separated by commas")
        at.append(dict(zip(NAMES, v)))
    print(f"the record 2001-2013 ({a.runs} runs, seed 2013): skill, the policy texts' (B) skill, "
          "P(B07b, the Dushanbe declaration diluted; it was)\n")
    print("| values | skill | B | B07b |\n|---|---|---|---|")
    for label, v in [("the session-11 port", s11), ("the session-12 port", s12)] + [
            (f"session 11's with {n.split('.')[1]} {s12[n]:g} (was {s11[n]:g})",
             dict(s11, **{n: s12[n]})) for n in NAMES] + [
            (", ".join(f"{x:g}" for x in v.values()), v) for v in at]:
        sk, b, p = record(binary, tmp, v, a.runs)
        print(f"| {label} | {sk:.3f} | {b:.2f} | {p:.3f} |", flush=True)
    if a.scan:
        name, lo, hi, step = scan
        print(f"\n{name} from {lo:g} to {hi:g} by {step:g}, the other six at the session-12 "
              "port: where the record's observations jump\n")
        print("| value | skill | B | B07b |\n|---|---|---|---|")
        prev = None
        for x in np.arange(lo, hi + step / 2, step):
            sk, b, p = record(binary, tmp, dict(s12, **{name: round(float(x), 10)}), a.runs)
            jump = prev is not None and abs(p - prev) > 0.02
            print(f"| {x:.5g} | {sk:.3f} | {b:.2f} | {p:.3f}{' (jump)' if jump else ''} |",
                  flush=True)
            prev = p
    if not a.kept:
        return
    from scipy import stats
    cal = load_two(a.cal, a.second)
    th, kept, _, _, _ = r11.points(cal)
    pts = th[kept]
    res = np.array([record(binary, tmp, dict(zip(NAMES, x)), a.runs) for x in pts])
    port = record(binary, tmp, s12, a.runs)
    print(f"\nat the {len(pts)} kept points: ")
    for j, lab in enumerate(("skill", "B", "B07b")):
        col = res[:, j]
        print(f"  {lab}: median {np.median(col):.3f}, 5th-95th percentile "
              f"{np.percentile(col, 5):.3f}-{np.percentile(col, 95):.3f}, range "
              f"{col.min():.3f}-{col.max():.3f}; the port {port[j]:.3f} (below it: "
              f"{int((col < port[j]).sum())} of {len(col)})")
    print("  B07b's Spearman correlation with each parameter over the kept points: " + ", ".join(
        f"{SHORT[j]} {stats.spearmanr(pts[:, j], res[:, 2]).correlation:+.2f}"
        for j in range(len(NAMES))))


# ---------------------------------------------------------------------------------------
def cmd_selects(_binary, _tmp, a):
    r11.selects(load_two(a.cal, a.second))


def cmd_pool(_binary, _tmp, a):
    r11.pool(load_two(a.cal, a.second), a,
             ffh=lambda k, n: ffh_auto(k, n, a.sims, a.boot_seed),
             how=f"exact when at most 200,000 tables share the margins, else {a.sims:,} "
                 f"Monte Carlo tables, seed {a.boot_seed}")


def cmd_shape(_binary, _tmp, a):
    r11.shape(load_two(a.cal, a.second), a, SESSION12_PORT)


def main():
    ap, sub, s = r8.parser(__doc__)
    s.add_argument("--runs", type=int, default=20000)
    s = sub.add_parser("spread")
    s.add_argument("reports", nargs="+")
    s.add_argument("--against", nargs="+", default=None, metavar="REPORT.json")
    ps = r11.cal_parsers(sub, ("selects", "pool", "shape", "edge", "record"), "the eleven", 12)
    for s in ps.values():
        s.add_argument("--second", action="append", default=None, metavar="SEED=DIR",
                       help="its filter at the second suite seed (default: the eleven)")
    ps["pool"].add_argument("--sims", type=int, default=20000)
    ps["record"].add_argument("--runs", type=int, default=4000)
    ps["record"].add_argument("--kept", action="store_true")
    ps["record"].add_argument("--at", action="append", default=[], metavar="V1,...,V7",
                              help="also at these seven values (the table's order)")
    ps["record"].add_argument("--scan", default=None, metavar="NAME=LO:HI:STEP",
                              help="the record along one parameter, the others at the port")
    r11.known_parser(sub, SESSION12_PORT)
    a = ap.parse_args()
    if getattr(a, "second", "x") is None:
        a.second = DEFAULT_SECOND
    cmds = {"seeds": r11.cmd_seeds, "spread": cmd_spread, "selects": cmd_selects,
            "pool": cmd_pool, "shape": cmd_shape, "edge": cmd_edge, "known": r11.cmd_known,
            "record": cmd_record}
    return r11.run_review(a, cmds, session12_port, "the session-12 port (a)", DEFAULT_CAL,
                          ("seeds", "known", "record"))

if __name__ == "__main__":
    sys.exit(main())
