#!/usr/bin/python3
"""Reproducers of session 11's review of the pooled port (docs/calibration.md, "Review,
session 11 (the pooled port)"). Each subcommand is one experiment; it prints what the section
quotes. The baseline is the one session 11's review measured, the session-11 port (b6d4109:
0.702, 0.0946, 0.288, 0.522, 8.28, 0.18, 0.151), not scenarios/sco2014.yaml as it stands (the
session-12 port since 7b090c4): every experiment runs a copy of sco2014.yaml with those seven
values written in (PORT, session11_port; review_session8.pinned_port).

    review_session11.py BIN [--keep DIR] seeds [--seeds 101,202,303,404,505] [--runs N]
        the whole pattern suite at the baseline at other seeds (review_session8.py's `seeds`,
        S4 left out), then each assertion's margin over the seeds: smallest, mean, seed SD,
        mean / SD (20 s to 1 min a suite at 20,000 runs)
    review_session11.py BIN spread REPORT.json [REPORT.json ...]
        the same margin statistics from SCO_PATTERN_REPORT files (no runs)
    review_session11.py BIN selects STAGE3_DIR [STAGE3_DIR ...]
        from stage 3's suite.json files (no runs): per test, the points it fails and the
        points it alone rejects; the tests that fail nowhere; the smallest set of tests that
        keeps exactly the same points
    review_session11.py BIN pool [--cal SEED=STAGE2_DIR:STAGE3_DIR ...]
        is the six-seed rejection sample one sample? Per seed: points, feasible, accepted,
        kept; exact tests of homogeneity (Fisher-Freeman-Halton over the seeds, Fisher's
        2x2 for seed 2015 against the rest); leave-one-seed-out medians against a bootstrap
        of the 18 points' medians (no runs)
    review_session11.py BIN shape [--cal ...]
        the kept points' shape (no runs): whether the medians point lies in their convex
        hull (all seven parameters, and each pair), its distance to the nearest kept point
        against the kept points' own nearest-neighbour distances, correlations and the
        principal axes (a ridge), how far independent draws from the marginals (candidate
        (b)) fall from every kept point, and which parameters separate S2's failures
    review_session11.py BIN edge [--cal ...] [--sd REPORT.json ...] [--within 3]
                                 [--seeds 101,202,303] [--runs N]
        stage 3's per-point reports (report-I.json beside suite.json): margins() checked
        against every verdict; the kept points whose narrowest margin, and the points
        rejected on one assertion whose failing margin, lie within WITHIN seed-SDs of 0 (the
        SDs of the port's margins over the --sd reports); with --seeds, the suite at those
        points at those seeds: how much of the kept set is the suite's seed
    review_session11.py BIN known [--runs 2000]
        known answers at the baseline: review_session8.py's `known` (an opposed text, a
        clone, extremes, deterministic choice) at the session-11 port, then the limits that
        tests/python/test_baseline_known_answers.py checks, with more runs, and the deferrals
        against wait_value

BIN is the built sco-sim (only `seeds` and `known` run it). The default stage-2/stage-3
folders are the session's: /work/cal8 (seed 2015) and /work/cal10 (2016-2020), not in the
repository. Bad input: a message naming the file and the problem, exit status 2.
"""
import itertools
import json
import math
import pathlib
import sys
import tempfile

import numpy as np

import review_session8 as r8
import sco_results

NAMES = r8.NAMES
Z = r8.Z
SHORT = [n.split(".")[1] for n in NAMES]
DEFAULT_CAL = ["2015=/work/cal8/stage2:/work/cal8/stage3"] + [
    f"{s}=/work/cal10/stage2-seed{s}:/work/cal10/stage3-seed{s}" for s in range(2016, 2021)]
# the port (a) and the candidates' rounding (port_candidates.py: 3 significant digits)
PORT = {"dynamics.threat_weight": 0.702, "dynamics.objection_cost": 0.0946,
        "dynamics.remote_stake": 0.288, "dynamics.tension_weight": 0.522,
        "dynamics.wait_value": 8.28, "dynamics.sponsor_floor": 0.18,
        "dynamics.amendment_step": 0.151}


def session11_port(tmp):
    """A copy of sco2014.yaml (under TMP/session11/, same file name) at PORT."""
    return r8.pinned_port(tmp, PORT, "session11")


def bad(what, problem):
    """The message for bad input (naming the file and the problem), exit status 2."""
    print(f"{pathlib.Path(sys.argv[0]).name}: {what}: {problem}", file=sys.stderr)
    sys.exit(2)


def sig3(x):
    return float(f"{x:.3g}")


# ---------------------------------------------------------------------------------------
# the stage-2 and stage-3 files
# ---------------------------------------------------------------------------------------
def load_cal(specs):
    """[(seed, {n_points, n_feasible, n_accepted}, suite.json dict)] from SEED=S2:S3 specs."""
    import h5py

    out = []
    for spec in specs:
        try:
            seed, dirs = spec.split("=", 1)
            s2, s3 = dirs.split(":", 1)
            seed = int(seed)
        except ValueError:
            bad(spec, "expected SEED=STAGE2_DIR:STAGE3_DIR")
        h5, js = pathlib.Path(s2) / "all.h5", pathlib.Path(s3) / "suite.json"
        for f in (h5, js):
            if not f.is_file():
                bad(f, "no such file")
        try:
            with h5py.File(h5, "r") as f:
                c = f["calibration"]
                n2 = {"points": int(c["accepted"].shape[0]),
                      "feasible": int(c["n_feasible"][0]),
                      "accepted": int(np.asarray(c["accepted"]).sum()),
                      "box": (np.asarray(c["prior_a"], float), np.asarray(c["prior_b"], float))}
                pars = [p.decode() for p in c["parameters"][:]]
        except (OSError, KeyError) as e:
            bad(h5, f"not a calibration file ({e})")
        try:
            st = json.loads(js.read_text())
            st["points"], st["kept"]
        except (ValueError, KeyError) as e:
            bad(js, f"not a suite_filter.py state file ({e})")
        if pars != NAMES or st.get("parameters") != NAMES:
            bad(js, f"parameters {st.get('parameters')} are not {NAMES}")
        if len(st["points"]) != n2["accepted"]:
            bad(js, f"{len(st['points'])} points tested, {n2['accepted']} accepted in {h5}")
        out.append((seed, n2, st))
    return out


def points(cal):
    """(theta [n, 7], kept [n] bool, failed [list of lists], seed [n], record distance [n])
    over every seed."""
    th, kept, failed, seeds, dist = [], [], [], [], []
    for seed, _, st in cal:
        k = set(int(i) for i in st["kept"])
        for i, r in st["points"].items():
            th.append([r["values"][n] for n in NAMES])
            kept.append(int(i) in k)
            failed.append(r["failed"])
            seeds.append(seed)
            dist.append(r["distance"])
    return np.array(th), np.array(kept), failed, np.array(seeds), np.array(dist)


# ---------------------------------------------------------------------------------------
# seeds and margins
# ---------------------------------------------------------------------------------------
def margin_stats(cols):
    """[(assertion, smallest, mean, seed SD, mean / SD)] over the columns (one per seed), in
    the columns' order; mean / SD is inf when the margin is the same at every seed."""
    keys = list(dict.fromkeys(k for c in cols for k in c))
    rows = []
    for k in keys:
        v = np.array([c[k] for c in cols if k in c])
        sd = float(v.std(ddof=1)) if len(v) > 1 else float("nan")
        same = not sd > 1e-9 * max(1.0, abs(v.mean()))  # equal up to rounding, or one seed
        rows.append((k, v.min(), v.mean(), sd, math.inf if same else v.mean() / sd))
    return rows


def spread(cols, headers):
    """Margin statistics over the columns (one per seed): smallest, mean, SD, mean / SD."""
    r8.print_margins(cols, headers)
    rows = margin_stats(cols)
    print(f"\nover {len(cols)} seeds, narrowest first (mean / seed SD; inf: the same at "
          "every seed):\n")
    print("| assertion | smallest | mean | seed SD | mean / SD |\n|---|---|---|---|---|")
    for k, lo, mu, sd, z in sorted(rows, key=lambda x: x[4]):
        print(f"| {k} | {lo:+.4f} | {mu:+.4f} | {sd:.4f} | {z:.1f} |")


def cmd_seeds(binary, tmp, a):
    seeds = [int(s) for s in a.seeds.split(",")]
    cols = []
    for s in seeds:
        verdict, rep = r8.run_suite(binary, tmp, None, s, a.runs)
        failed = [t for t, v in verdict.items() if v != "passed"]
        print(f"seed {s}: {len(verdict) - len(failed)} of {len(verdict)} pass"
              + (f"; fails {', '.join(failed)}" if failed else ""), flush=True)
        cols.append(r8.margins(rep, a.runs))
    spread(cols, [f"seed {s}" for s in seeds])


def read_margins(path):
    """margins() of a SCO_PATTERN_REPORT file; a file of another kind exits 2."""
    try:
        rep = json.loads(pathlib.Path(path).read_text())
        return r8.margins(rep["patterns"], rep["runs"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        bad(path, f"not a SCO_PATTERN_REPORT file ({e})")


def cmd_spread(_binary, _tmp, a):
    spread([read_margins(p) for p in a.reports], [pathlib.Path(p).stem for p in a.reports])


# ---------------------------------------------------------------------------------------
# which tests select
# ---------------------------------------------------------------------------------------
def suite_tests():
    """The suite's test names (S4 aside), read from tests/python/test_patterns.py."""
    import re
    text = (r8.TESTS / "test_patterns.py").read_text()
    return [t for t in re.findall(r"^def (test_\w+)\(", text, flags=re.M)
            if not t.startswith("test_s4")]


def cmd_selects(_binary, _tmp, a):
    selects(load_cal(a.cal))


def selects(cal):
    """cmd_selects on loaded calibration files (review_session12.py passes its own)."""
    _, kept, failed, _, _ = points(cal)
    tests = suite_tests()
    n = len(failed)
    fails = {t: sum(t in f for f in failed) for t in tests}
    alone = {t: sum(f == [t] for f in failed) for t in tests}
    unknown = {t for f in failed for t in f} - set(tests)
    if unknown:
        bad("suite.json", f"tests not in test_patterns.py: {sorted(unknown)}")
    print(f"{n} accepted points over {len(cal)} seeds, {int(kept.sum())} kept; "
          f"{len(tests)} tests (S4 aside)\n")
    print("| test | points failing it | it alone |\n|---|---|---|")
    for t in sorted(tests, key=lambda t: -fails[t]):
        print(f"| {t} | {fails[t]} | {alone[t]} |")
    never = [t for t in tests if fails[t] == 0]
    print(f"\n{len(never)} tests fail at none of the {n} points (pass at every kept and every "
          f"rejected point): {', '.join(never)}")
    # the smallest subsets of the failing tests that keep exactly the same points
    live = [t for t in tests if fails[t]]
    sets = [set(f) for f in failed]
    target = [not f for f in sets]
    for k in range(1, len(live) + 1):
        found = [c for c in itertools.combinations(live, k)
                 if all((not (s & set(c))) == want for s, want in zip(sets, target))]
        if found:
            print(f"\nthe smallest sets of tests that keep exactly the same {int(kept.sum())} "
                  f"points: {len(found)} sets of {k} tests, e.g. {', '.join(found[0])}")
            common = set.intersection(*map(set, found))
            print(f"tests in every such set: {', '.join(sorted(common))}")
            break
    # per seed, what each test rejects (does the suite reject the same things at every seed?)
    print("\nrejection rate per test and seed (failing points / accepted points):\n")
    seeds = [s for s, _, _ in cal]
    print("| test | " + " | ".join(map(str, seeds)) + " |\n|---|" + "---|" * len(seeds))
    for t in sorted(live, key=lambda t: -fails[t]):
        cells = []
        for s, _, st in cal:
            k = sum(t in r["failed"] for r in st["points"].values())
            cells.append(f"{k}/{len(st['points'])}")
        print(f"| {t} | " + " | ".join(cells) + " |")


# ---------------------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------------------
def ffh_exact(k, n):
    """Fisher-Freeman-Halton exact test of k[i] successes of n[i] (a 2 x m table):
    the probability, under homogeneity (multivariate hypergeometric given the margins),
    of a table no more probable than the observed one."""
    K, N = int(sum(k)), int(sum(n))
    lc = [[math.lgamma(ni + 1) - math.lgamma(x + 1) - math.lgamma(ni - x + 1)
           for x in range(ni + 1)] for ni in n]
    denom = math.lgamma(N + 1) - math.lgamma(K + 1) - math.lgamma(N - K + 1)
    obs = sum(lc[i][k[i]] for i in range(len(n))) - denom
    total = 0.0
    tail = [sum(n[j:]) for j in range(len(n))] + [0]

    def rec(i, left, lp):
        nonlocal total
        if i == len(n) - 1:
            if left <= n[i]:
                p = lp + lc[i][left] - denom
                if p <= obs + 1e-9:
                    total += math.exp(p)
            return
        for x in range(max(0, left - tail[i + 1]), min(n[i], left) + 1):
            rec(i + 1, left - x, lp + lc[i][x])

    rec(0, K, 0.0)
    return min(1.0, total)


def wilson(k, n):
    return sco_results.wilson(k, n)


def cmd_pool(_binary, _tmp, a):
    pool(load_cal(a.cal), a)


def pool(cal, a, ffh=ffh_exact, how="exact"):
    """cmd_pool on loaded calibration files, with FFH(k, n) the homogeneity test (exact
    here; review_session12.py passes one that falls back on Monte Carlo, HOW saying so)."""
    from scipy import stats

    th, kept, _, seeds, dist = points(cal)
    print("| seed | points | feasible | accepted | kept | kept / accepted (95% Wilson) |")
    print("|---|---|---|---|---|---|")
    for s, n2, st in cal:
        p, lo, hi = wilson(len(st["kept"]), n2["accepted"])
        print(f"| {s} | {n2['points']} | {n2['feasible']} | {n2['accepted']} | "
              f"{len(st['kept'])} | {p:.3f} ({lo:.3f}-{hi:.3f}) |")
    tot = [sum(c[1][x] for c in cal) for x in ("points", "feasible", "accepted")]
    p, lo, hi = wilson(int(kept.sum()), tot[2])
    print(f"| all | {tot[0]} | {tot[1]} | {tot[2]} | {int(kept.sum())} | "
          f"{p:.3f} ({lo:.3f}-{hi:.3f}) |")
    k = [len(st["kept"]) for _, _, st in cal]
    acc = [n2["accepted"] for _, n2, _ in cal]
    fea = [n2["feasible"] for _, n2, _ in cal]
    pts = [n2["points"] for _, n2, _ in cal]
    print(f"\nhomogeneity over the seeds ({how}: Fisher-Freeman-Halton on the 2 x "
          f"{len(cal)} table):")
    for label, kk, nn in (("kept of accepted", k, acc), ("accepted of feasible", acc, fea),
                          ("feasible of points", fea, pts)):
        print(f"  {label}: p = {ffh(kk, nn):.3f}" if sum(nn) < 2000 else
              f"  {label}: p = {stats.chi2_contingency([kk, [b - x for x, b in zip(kk, nn)]])[1]:.3f}"
              " (chi-square: the exact enumeration is too large)")
    i0 = [s for s, _, _ in cal].index(2015) if 2015 in [s for s, _, _ in cal] else None
    if i0 is not None:
        a0, b0 = k[i0], acc[i0]
        a1, b1 = sum(k) - a0, sum(acc) - b0
        odds, pf = stats.fisher_exact([[a0, b0 - a0], [a1, b1 - a1]])
        print(f"  seed 2015 against the rest (kept of accepted): {a0}/{b0} against {a1}/{b1}, "
              f"odds ratio {odds:.2f}, Fisher exact two-sided p = {pf:.3f}")
    # does the record tell the suite's points from the others (review 8, finding 5)?
    mw = stats.mannwhitneyu(dist[kept], dist[~kept])
    print(f"\nrecord distance, kept against rejected: medians {np.median(dist[kept]):.4f} and "
          f"{np.median(dist[~kept]):.4f}; P(a kept point is nearer the record than a rejected "
          f"one) = {1 - mw.statistic / (kept.sum() * (~kept).sum()):.3f} (Mann-Whitney p = "
          f"{mw.pvalue:.2f})")
    # leave one seed out
    med = np.median(th[kept], axis=0)
    rng = np.random.default_rng(a.boot_seed)
    kt = th[kept]
    boot = np.array([np.median(kt[rng.integers(0, len(kt), len(kt))], axis=0)
                     for _ in range(a.boot)])
    bsd = boot.std(axis=0, ddof=1)
    q05, q95 = np.percentile(kt, [5, 95], axis=0)
    print(f"\nleave-one-seed-out medians (3 significant digits) and their shift from the "
          f"{len(kt)} points' medians in bootstrap SDs of those medians ({a.boot} resamples, seed "
          f"{a.boot_seed}):\n")
    print("| left out | kept | " + " | ".join(SHORT) + " |\n|---|---|" + "---|" * len(SHORT))
    print(f"| none (the port) | {len(kt)} | "
          + " | ".join(f"{sig3(m):g}" for m in med) + " |")
    worst = (0, None)
    for s, _, _ in cal:
        sel = kept & (seeds != s)
        m = np.median(th[sel], axis=0)
        z = (m - med) / bsd
        j = int(np.argmax(np.abs(z)))
        if abs(z[j]) > worst[0]:
            worst = (abs(z[j]), f"seed {s}, {SHORT[j]}")
        print(f"| {s} | {int(sel.sum())} | " + " | ".join(
            f"{sig3(x):g} ({zz:+.1f})" for x, zz in zip(m, z)) + " |")
    print("\nbootstrap SD of each median: " + ", ".join(
        f"{n} {sig3(x):g}" for n, x in zip(SHORT, bsd)))
    print("bootstrap 90% interval of each median: " + ", ".join(
        f"{n} [{sig3(lo):g}, {sig3(hi):g}]" for n, lo, hi in
        zip(SHORT, *np.percentile(boot, [5, 95], axis=0))))
    print(f"largest leave-one-seed-out shift: {worst[0]:.2f} bootstrap SDs ({worst[1]}); "
          "the port's 5th-95th percentiles: " + ", ".join(
              f"{n} {sig3(lo):g}-{sig3(hi):g}" for n, lo, hi in zip(SHORT, q05, q95)))
    # does seed 2015's kept set differ from the others' (the box was drawn partly from it)?
    s15 = kept & (seeds == 2015)
    rest = kept & (seeds != 2015)
    if s15.any() and rest.any():
        print("\nseed 2015's kept points against the other seeds' (two-sample KS, per "
              "parameter): " + ", ".join(
                  f"{n} p={stats.ks_2samp(th[s15, j], th[rest, j]).pvalue:.2f}"
                  for j, n in enumerate(SHORT)))


# ---------------------------------------------------------------------------------------
# shape
# ---------------------------------------------------------------------------------------
def in_hull(pts, x):
    """Is x a convex combination of the rows of pts (an LP feasibility problem)?"""
    from scipy.optimize import linprog
    n = len(pts)
    res = linprog(np.zeros(n), A_eq=np.vstack([pts.T, np.ones(n)]),
                  b_eq=np.append(x, 1.0), bounds=[(0, None)] * n, method="highs")
    return res.status == 0


def cmd_shape(_binary, _tmp, a):
    shape(load_cal(a.cal), a)


def shape(cal, a, port_values=None):
    """cmd_shape on loaded calibration files, about PORT_VALUES (default PORT)."""
    th, kept, failed, _, _ = points(cal)
    lo = np.array([r8.PRIOR[n][0] for n in NAMES])
    hi = np.array([r8.PRIOR[n][1] for n in NAMES])
    u = (th - lo) / (hi - lo)  # in units of the prior's range
    kt = u[kept]
    port = (np.array([(port_values or PORT)[n] for n in NAMES]) - lo) / (hi - lo)
    from scipy import stats
    # against the box stage 2 drew from (the files record it as their prior)
    boxes = {(tuple(c[1]["box"][0]), tuple(c[1]["box"][1])) for c in cal}
    if len(boxes) == 1:
        blo, bhi = (np.array(x) for x in boxes.pop())
        ub = (th - blo) / (bhi - blo)
        print("the box: " + ", ".join(f"{n} {x:g}-{y:g}" for n, x, y in zip(SHORT, blo, bhi)))
        print("kept points' place in the box (0 its lower edge, 1 its upper): " + ", ".join(
            f"{n} {x:.3f}-{y:.3f}" for n, x, y in zip(SHORT, ub[kept].min(0), ub[kept].max(0))))
        print("accepted points within 5% of the box's edge, lower / upper: " + ", ".join(
            f"{n} {x:.0%}/{y:.0%}" for n, x, y in zip(SHORT, (ub < 0.05).mean(0),
                                                       (ub > 0.95).mean(0))))
    # wait_value: bounded below only? (its domain ends at 10, the prior's end)
    j = NAMES.index("dynamics.wait_value")
    w = th[kept, j]
    print(f"wait_value: kept {w.min():.2f}-{w.max():.2f}, against U({w.min():.2f}, 10) KS p = "
          f"{stats.kstest(w, 'uniform', args=(w.min(), 10 - w.min())).pvalue:.2f} (median of "
          f"that uniform {(w.min() + 10) / 2:.2f}); accepted above 9: "
          f"{(th[:, j] > 9).mean():.0%} of {len(th)}")
    # the same standardisation for distances: each parameter by the kept points' SD
    sd = kt.std(axis=0, ddof=1)
    z = kt / sd
    zp = port / sd
    print(f"{len(kt)} kept points; the port (the medians at 3 digits) in their convex hull, "
          f"all seven parameters: {in_hull(kt, port)}")
    out2 = [(SHORT[i], SHORT[j]) for i, j in itertools.combinations(range(7), 2)
            if not in_hull(kt[:, [i, j]], port[[i, j]])]
    print(f"pairs of parameters whose 2-d hull of the kept points excludes the port: "
          f"{len(out2)} of 21" + (f" ({', '.join('/'.join(p) for p in out2)})" if out2 else ""))
    dd = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dd, np.inf)
    nn = dd.min(axis=1)
    dport = np.sqrt(((z - zp) ** 2).sum(-1))
    print(f"distance (each parameter in kept-point SDs) from the port to the nearest kept point "
          f"{dport.min():.2f}; the kept points' nearest-neighbour distances: median "
          f"{np.median(nn):.2f}, range {nn.min():.2f}-{nn.max():.2f}")
    # Mahalanobis distance of the port from the kept points' mean, against the points' own
    cov = np.cov(kt, rowvar=False)
    ci = np.linalg.pinv(cov)
    mu = kt.mean(axis=0)
    mah = lambda x: float(np.sqrt((x - mu) @ ci @ (x - mu)))  # noqa: E731
    own = sorted(mah(x) for x in kt)
    print(f"Mahalanobis distance from the kept points' mean: the port {mah(port):.2f}; the kept "
          f"points {own[0]:.2f}-{own[-1]:.2f} (median {np.median(own):.2f})")
    # correlations and principal axes, kept and all accepted
    for label, x in (("kept", kt), ("accepted", u)):
        c = np.corrcoef(x, rowvar=False)
        iu = np.triu_indices(7, 1)
        order = np.argsort(-np.abs(c[iu]))[:4]
        ev = np.linalg.eigvalsh(c)[::-1]
        rho = stats.spearmanr(x).correlation
        print(f"\n{label} ({len(x)} points): the largest correlations (Pearson, 95% Fisher-z "
              "interval; Spearman) " + ", ".join(
                  f"{SHORT[iu[0][o]]}/{SHORT[iu[1][o]]} {c[iu][o]:+.2f} "
                  f"[{math.tanh(math.atanh(c[iu][o]) - Z / math.sqrt(len(x) - 3)):+.2f}, "
                  f"{math.tanh(math.atanh(c[iu][o]) + Z / math.sqrt(len(x) - 3)):+.2f}]; "
                  f"{rho[iu][o]:+.2f}" for o in order))
        print("  eigenvalues of the correlation matrix: "
              + ", ".join(f"{e:.2f}" for e in ev)
              + f" (smallest / largest {ev[-1] / ev[0]:.3f})")
    cs = np.corrcoef(kt, rowvar=False)
    w, v = np.linalg.eigh(cs)
    print("  the kept points' thinnest axis (correlation scale): "
          + ", ".join(f"{SHORT[j]} {v[j, 0]:+.2f}" for j in np.argsort(-np.abs(v[:, 0]))[:4]))
    # candidate (b): independent draws from the marginals, against the kept points
    rng = np.random.default_rng(a.draw_seed)
    draws = np.column_stack([rng.choice(kt[:, j], a.draws) for j in range(7)]) / sd
    dmin = np.sqrt(((draws[:, None, :] - z[None, :, :]) ** 2).sum(-1)).min(axis=1)
    far = float((dmin > nn.max()).mean())
    print(f"\n{a.draws} independent draws from the kept points' marginals (candidate (b), seed "
          f"{a.draw_seed}): distance to the nearest kept point median {np.median(dmin):.2f} "
          f"(the kept points' own nearest neighbours: median {np.median(nn):.2f}); "
          f"{far:.0%} lie farther from every kept point than any kept point from its nearest")
    # which parameters separate S2's failures among the accepted points
    s2 = np.array([any(t.startswith("test_s2") for t in f) for f in failed])
    if s2.any() and (~s2).any():
        print(f"\nS2 fails at {int(s2.sum())} of {len(s2)} accepted points; by parameter, the "
              "medians where it fails against where it passes (Mann-Whitney p):")
        for j, n in enumerate(NAMES):
            p = stats.mannwhitneyu(th[s2, j], th[~s2, j]).pvalue
            print(f"  {SHORT[j]}: {np.median(th[s2, j]):.3g} against "
                  f"{np.median(th[~s2, j]):.3g} (p = {p:.2g})")


# ---------------------------------------------------------------------------------------
# the kept set's edge: which verdicts are the suite's seed
# ---------------------------------------------------------------------------------------
def cmd_edge(binary, tmp, a):
    cal = load_cal(a.cal)
    cols = [read_margins(f) for f in a.sd]
    if len(cols) < 2:
        bad("--sd", "give at least two reports of the port at different seeds")
    sd = {k: float(np.std([c[k] for c in cols], ddof=1)) for k in cols[0]}
    agree, near_kept, near_rej, total = 0, [], [], 0
    for seed, n2, st in cal:
        folder = pathlib.Path(dict(x.split("=", 1) for x in a.cal)[str(seed)].split(":", 1)[1])
        kept = set(int(i) for i in st["kept"])
        for i, r in st["points"].items():
            m = read_margins(folder / f"report-{i}.json")
            total += 1
            neg = [k for k, v in m.items() if v <= 0]
            agree += (not neg) == (int(i) in kept)
            # an assertion the port's seeds do not move (its bound at the ceiling) gets a
            # floor SD, so that it is never called near the edge by a zero SD alone
            z = {k: v / max(sd.get(k, 0.0), a.floor) for k, v in m.items()}
            if int(i) in kept:
                k = min(z, key=z.get)
                if z[k] < a.within:
                    near_kept.append((seed, int(i), k, m[k], z[k], r["values"]))
            elif len(neg) == 1 and z[neg[0]] > -a.within:
                near_rej.append((seed, int(i), neg[0], m[neg[0]], z[neg[0]], r["values"]))
    print(f"margins() gives stage 3's verdict at {agree} of {total} points")
    print(f"\nkept points whose narrowest margin is within {a.within:g} port seed-SDs of 0: "
          f"{len(near_kept)}; points rejected on one assertion only, within {a.within:g}: "
          f"{len(near_rej)}\n")
    print("| seed | point | kept | assertion | margin | port seed-SDs |\n|---|---|---|---|---|---|")
    for lab, rows in (("yes", near_kept), ("no", near_rej)):
        for seed, i, k, m, zz, _ in rows:
            print(f"| {seed} | {i} | {lab} | {k} | {m:+.4f} | {zz:+.2f} |")
    if not a.seeds:
        return
    seeds = [int(x) for x in a.seeds.split(",")]
    print(f"\nthe suite at those points at seeds {', '.join(map(str, seeds))} ({a.runs} runs):\n")
    print("| seed | point | kept at stage 3 | " + " | ".join(f"seed {x}" for x in seeds)
          + " |\n|---|---|---|" + "---|" * len(seeds))
    flips = 0
    for lab, rows in (("yes", near_kept), ("no", near_rej)):
        for seed, i, k, _, _, values in rows:
            cells = []
            for x in seeds:
                verdict, rep = r8.run_suite(binary, tmp, values, x, a.runs)
                failed = [t for t, v in verdict.items() if v != "passed"]
                m = r8.margins(rep, a.runs)
                flips += (not failed) != (lab == "yes")
                cells.append(("pass" if not failed else "fails " + ", ".join(
                    t.split("_")[1].upper() for t in failed)) + f" ({k} {m.get(k, 0):+.4f})")
            print(f"| {seed} | {i} | {lab} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nverdicts that differ from stage 3's: {flips} of "
          f"{len(seeds) * (len(near_kept) + len(near_rej))}")


# ---------------------------------------------------------------------------------------
# known answers
# ---------------------------------------------------------------------------------------
def counts(r, name, what="outcome"):
    if what == "outcome":
        return int(r.raw["outcome_counts"][0][..., r.outcome_index(name)].sum())
    return int(r.raw["flag_counts"][0][..., r.flag_index(name)].sum())


def cmd_known(binary, tmp, a):
    print(f"## review_session8.py's known answers at {r8.BASE_LABEL}\n", flush=True)
    r8.cmd_known(binary, tmp, a)
    runs = a.runs
    base = r8.BASE
    text = base.read_text()
    det = tmp / "det11.yaml"
    det.write_text(text.replace("choice: logit", "choice: deterministic"))
    none = tmp / "none11.yaml"
    none.write_text(text.replace("amendment: win_set", "amendment: none"))
    print(f"\n## limits ({runs} runs, seed 7; tests/python/test_baseline_known_answers.py "
          "checks them at 400)\n")
    for label, scen, sets in (("baseline", base, []),
                              ("wait_value 0", base, ["dynamics.wait_value=0"]),
                              ("rounds 1", base, ["dynamics.rounds=1"]),
                              ("amendment none", none, []),
                              ("objection_cost 10", base, ["dynamics.objection_cost=10"])):
        r = r8.outcome_probs(binary, tmp, scen, *sets, runs=runs)
        # dilution_sum is stored x 2^32 (docs/hdf5-format.md)
        print(f"- {label}: deferred {counts(r, 'deferred')}, diluted {counts(r, 'diluted')}, "
              f"blocked {counts(r, 'blocked')}; flags veto {counts(r, 'veto', 'flag')}, "
              f"waited {counts(r, 'waited', 'flag')}; dilution sum "
              f"{float(r.raw['dilution_sum'].sum()) / 2**32:.3f}")
    d = r8.outcome_probs(binary, tmp, det, runs=runs)
    print("\nlogit against deterministic choice (same seed): total variation of the outcome "
          "distributions per tabled (summit, text), summed and largest")
    for b in (40, 200, 1000):
        r = r8.outcome_probs(binary, tmp, base, f"dynamics.logit_precision={b}", runs=runs)
        x = r.raw["outcome_counts"][0].astype(float)
        y = d.raw["outcome_counts"][0].astype(float)
        tv = 0.5 * np.abs(x - y).sum(-1) / runs
        print(f"  logit_precision {b}: sum {tv.sum():.3f}, largest {tv.max():.4f}")
    print("\ndeferrals against wait_value (the Afghan plan at the first summit: deferred share, "
          "95% Wilson; every summit and text: deferred outcomes, `waited` flags)")
    p = None
    for w in a.wait_values:
        r = r8.outcome_probs(binary, tmp, base, f"dynamics.wait_value={w}", runs=runs)
        p = r.proposal_index("afghan_buffer_plan")
        k = int(r.raw["outcome_counts"][0, 0, p, r.outcome_index("deferred")])
        n = int(r.tabled[0, 0, p])
        s, lo, hi = wilson(k, n)
        print(f"  wait_value {w:g}: Afghan plan 2014 deferred {s:.3f} ({lo:.3f}-{hi:.3f}); "
              f"deferred {counts(r, 'deferred')}, waited {counts(r, 'waited', 'flag')}")


def cal_parsers(sub, names, what, seed):
    """The subcommands that read the calibration files (--cal, default WHAT) with their
    options, SEED the default of their random seeds; {name: parser} (review_session12.py
    adds its own subcommands and options)."""
    out = {}
    for name in names:
        s = out[name] = sub.add_parser(name)
        s.add_argument("--cal", action="append", default=None, metavar="SEED=S2DIR:S3DIR",
                       help=f"a seed's stage-2 and stage-3 folders (default: {what})")
        if name == "pool":
            s.add_argument("--boot", type=int, default=4000)
            s.add_argument("--boot-seed", type=int, default=seed)
        if name == "edge":
            s.add_argument("--sd", nargs="+", required=True, metavar="REPORT.json",
                           help="the port's reports at several seeds (their margins' SDs)")
            s.add_argument("--within", type=float, default=3.0)
            s.add_argument("--floor", type=float, default=0.001)
            s.add_argument("--seeds", default=None)
            s.add_argument("--runs", type=int, default=20000)
        if name == "shape":
            s.add_argument("--draws", type=int, default=4000)
            s.add_argument("--draw-seed", type=int, default=seed)
    return out


def known_parser(sub, port):
    s = sub.add_parser("known")
    s.add_argument("--runs", type=int, default=2000)
    s.add_argument("--wait-values", type=float, nargs="+",
                   default=[0, 2, 4, 5, 6, 7, 8, port["dynamics.wait_value"], 9, 10])
    return s


def run_review(a, cmds, port, label, default_cal, runs_binary):
    """Runs subcommand a.cmd with review_session8's BASE the copy PORT(tmp) writes (the port
    the review measured) and LABEL its name; --cal defaults to DEFAULT_CAL. A subcommand in
    RUNS_BINARY (or one given --seeds) needs BIN: a missing one exits 2."""
    if getattr(a, "cal", "x") is None:
        a.cal = default_cal
    r8.KEEP = pathlib.Path(a.keep).resolve() if a.keep else None
    r8.BASE_LABEL = label
    binary = str(pathlib.Path(a.binary).resolve())
    if (a.cmd in runs_binary or getattr(a, "seeds", None)) and not pathlib.Path(binary).is_file():
        bad(a.binary, "no such file (BIN, the built sco-sim)")
    with tempfile.TemporaryDirectory() as tmp:
        r8.BASE = port(pathlib.Path(tmp))
        cmds[a.cmd](binary, pathlib.Path(tmp), a)
    return 0


def main():
    ap, sub, s = r8.parser(__doc__)
    s.add_argument("--runs", type=int, default=20000)
    s = sub.add_parser("spread")
    s.add_argument("reports", nargs="+")
    cal_parsers(sub, ("selects", "pool", "shape", "edge"), "the session's six", 11)
    known_parser(sub, PORT)
    a = ap.parse_args()
    cmds = {"seeds": cmd_seeds, "spread": cmd_spread, "selects": cmd_selects,
            "pool": cmd_pool, "shape": cmd_shape, "edge": cmd_edge, "known": cmd_known}
    return run_review(a, cmds, session11_port, "the session-11 port (a)", DEFAULT_CAL,
                      ("seeds", "known"))

if __name__ == "__main__":
    sys.exit(main())
