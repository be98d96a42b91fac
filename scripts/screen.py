#!/usr/bin/env python3
"""One-at-a-time screen for inert parameters of a scenario.

    scripts/screen.py SCENARIO [-n RUNS] [--seed S] [-o TABLE.md] [--json]

Every parameter that `sco-sim params SCENARIO` lists is moved, alone, to the low and the
high end of its range (an unbounded end is replaced by the baseline value x 4, or / 4
for a low end; the baseline value of a distribution is its mean), with one
`sco-sim sweep SCENARIO --vary PATH=LO,HI` per parameter (a grid of two points: a sweep
varies the full factorial of its factors, so one call cannot move the parameters one at
a time). For each parameter the table gives the largest change it makes, at either end,
to any

* pass probability: P(the proposal is tabled and passes at the summit), any proposal,
  any summit, over all runs (not conditional on being tabled, so that every item of
  every point has the same denominator and the pairing below holds);
* participation probability: P(the agent takes part in the adopted project at the
  summit) (`/summary/raw/participated`: `joined` and passed), any agent, any opt-out
  proposal, any summit, over all runs,

and the item where that change happens.

Common random numbers. Run r of sweep point k draws from the key (seed, k, r). The
baseline is a sweep of two identical points (a fixed parameter set to its own value), so
baseline point 0 and the low end share every random number, as do baseline point 1 and
the high end. A parameter that enters no decision leaves every run unchanged and shows a
change of exactly 0; a parameter that does enter shows noise only from the runs whose
decisions it flips. The table reports, for the item of the largest change, the standard
error of the paired difference (from the per-run data) beside the standard error two
independent samples of RUNS runs would have (about 1.1 points at p = 0.5 and 4,000
runs), and the share of runs in which anything at all (an outcome or an agent's flag)
differs from the baseline.

Rule. A parameter is *inert* when its largest change is below the threshold (default 1
percentage point). The verdict is *resolved* when the threshold lies outside the
largest change +- 1.96 paired standard errors; otherwise it reads "inert?" or "active?"
and needs more runs. The largest change over many items is biased upwards by noise, so
an inert verdict is conservative.

Nothing is skipped unless its range is a single point. Integer parameters
(`min_participants`, `dynamics.rounds`) are moved to the ends of their ranges like the
others: a minimum above the number of members means the project never passes.

Reads the results with scripts/sco_results.py. Needs numpy and h5py (Debian:
/usr/bin/python3). The binary is --sim, else $SCO_SIM_BIN, else the first
build*/bin/sco-sim under the repository.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

import numpy as np  # noqa: E402

import sco_results  # noqa: E402

PASSED = ("adopted", "adopted_with_reservations", "coalition", "diluted")
Z = 1.959963984540054
UNBOUNDED_FACTOR = 4.0


def find_sim(explicit=None):
    if explicit:
        return explicit
    if os.environ.get("SCO_SIM_BIN"):
        return os.environ["SCO_SIM_BIN"]
    root = os.path.dirname(HERE)
    found = sorted(p for p in (os.path.join(root, d, "bin", "sco-sim") for d in os.listdir(root)
                               if d.startswith("build")) if os.path.exists(p))
    if not found:
        raise SystemExit("screen.py: sco-sim not found: give --sim or set SCO_SIM_BIN")
    return found[0]


def call(sim, *args):
    proc = subprocess.run([sim, *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"sco-sim {' '.join(map(str, args))} exited {proc.returncode}: "
                           f"{proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


# ---- the scenario's parameters ----
class Param:
    def __init__(self, path, value, lo, hi, integer):
        self.path, self.value, self.lo, self.hi, self.integer = path, value, lo, hi, integer
        self.fixed = parse_number(value) is not None

    def centre(self):
        """The baseline value, or the mean of the distribution."""
        v = parse_number(self.value)
        return v if v is not None else distribution_mean(self.value, self.lo, self.hi)

    def ends(self):
        """(low, high, note): the levels the screen sets."""
        lo, hi, note = self.lo, self.hi, ""
        if not math.isfinite(lo) or not math.isfinite(hi):
            c = self.centre()
            if not math.isfinite(lo):
                lo = c / UNBOUNDED_FACTOR if c > 0 else c - UNBOUNDED_FACTOR
            if not math.isfinite(hi):
                hi = c * UNBOUNDED_FACTOR if c > 0 else c + UNBOUNDED_FACTOR
            lo, hi = max(lo, self.lo), min(hi, self.hi)
            note = f"unbounded range: window [{fmt_num(lo)}, {fmt_num(hi)}]"
        if self.integer:
            lo, hi = math.ceil(lo), math.floor(hi)
        return lo, hi, note


def parse_number(text):
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def distribution_mean(text, lo, hi):
    m = re.match(r"^(uniform|beta|normal)\((\S+),\s*(\S+)\)$", text.strip())
    if not m:
        raise ValueError(f"cannot read the distribution {text!r}")
    a, b = float(m.group(2)), float(m.group(3))
    if m.group(1) == "uniform":
        return (a + b) / 2
    if m.group(1) == "beta":
        return lo + (hi - lo) * a / (a + b)
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    al = (lo - a) / b if math.isfinite(lo) else -math.inf
    be = (hi - a) / b if math.isfinite(hi) else math.inf
    pa = phi(al) if math.isfinite(al) else 0.0
    pb = phi(be) if math.isfinite(be) else 0.0
    return a + b * (pa - pb) / (cdf(be) - cdf(al))


def fmt_num(v):
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6g}"


def read_params(sim, scenario):
    out = []
    for line in call(sim, "params", scenario).splitlines():
        m = re.match(r"^(\S+)\s+(.*?)\s+\[([^,\]]+),\s*([^\]]+)\]\s*(\(integer\))?\s*$", line)
        if m:
            out.append(Param(m.group(1), m.group(2), float(m.group(3)), float(m.group(4)),
                             bool(m.group(5))))
    if not out:
        raise RuntimeError("`sco-sim params` listed no parameter")
    return out


def opt_out_proposals(sim, scenario):
    """Proposal ids marked opt-out by `sco-sim check`; None if the listing cannot be read."""
    ids = [m.group(1) for line in call(sim, "check", scenario).splitlines()
           if (m := re.match(r"^\s+(\w+) \(([^)]*)\)\s*$", line)) and "opt-out" in m.group(2)]
    return ids or None


def anchor(params):
    """A fixed parameter to set to its own value for the two baseline points."""
    for p in params:
        if p.fixed and p.integer:
            return p
    for p in params:
        if p.fixed and p.value.strip() in ("0", "1"):
            return p
    raise RuntimeError("no fixed parameter to anchor the baseline sweep on")


# ---- results ----
class Point:
    """Counts and per-run indicators of one results file (both points)."""

    def __init__(self, path, opt_out):
        r = sco_results.load(path)
        self.r = r
        if opt_out is None:
            opt_out = [p for p, k in zip(r.proposals, r.kinds) if k == "exercise"]
        self.opt = [r.proposal_index(p) for p in opt_out if p in r.proposals]
        self.runs = r.raw["runs"].astype(float)                      # [point]
        self.pass_p = r.passed / self.runs[:, None, None]              # [point, t, p]
        self.part_p = (r.raw["participated"][:, :, self.opt, :] /
                       self.runs[:, None, None, None])                 # [point, t, o, i]
        codes = [r.outcome_index(o) for o in PASSED]
        self.outcome = r.runs.outcome
        self.flags = r.runs.flags
        self.point = r.runs.point
        self.passed = np.isin(self.outcome, codes)
        self.joined_bit = 1 << r.flag_index("joined")

    def indicator(self, k, item):
        """Per-run 0/1 of an item at point k."""
        m = self.point == k
        if item[0] == "pass":
            _, t, p = item
            return self.passed[m, t, p].astype(float)
        _, t, o, i = item
        p = self.opt[o]
        joined = (self.flags[m, t, p, i] & self.joined_bit) > 0
        return (self.passed[m, t, p] & joined).astype(float)

    def changed(self, k, base):
        """Share of runs at point k in which any outcome or flag differs from base's point k."""
        a, b = self.point == k, base.point == k
        diff = (self.outcome[a] != base.outcome[b]).reshape(int(a.sum()), -1).any(axis=1)
        diff |= (self.flags[a] != base.flags[b]).reshape(int(a.sum()), -1).any(axis=1)
        return float(diff.mean())


def item_name(r, opt, item):
    if item[0] == "pass":
        _, t, p = item
        return f"pass {r.proposals[p]} {int(r.periods[t])}"
    _, t, o, i = item
    return f"participation {r.agents[i]} {r.proposals[opt[o]]} {int(r.periods[t])}"


def compare(res, base, threshold):
    """The largest change of one parameter against the baseline, with its errors."""
    best = (-1.0, None, None)
    for k in range(2):
        dp = np.abs(res.pass_p[k] - base.pass_p[k])
        t, p = np.unravel_index(int(np.argmax(dp)), dp.shape)
        if dp[t, p] > best[0]:
            best = (float(dp[t, p]), k, ("pass", int(t), int(p)))
        if res.part_p.size:
            dq = np.abs(res.part_p[k] - base.part_p[k])
            t, o, i = np.unravel_index(int(np.argmax(dq)), dq.shape)
            if dq[t, o, i] > best[0]:
                best = (float(dq[t, o, i]), k, ("part", int(t), int(o), int(i)))
    delta, k, item = best
    changed = max(res.changed(0, base), res.changed(1, base))
    if delta == 0:
        # Not a single item moved: there is no item of the largest change to name.
        return {"largest_change_pp": 0.0, "signed_change_pp": 0.0, "end": "-", "item": "-",
                "baseline_p": None, "se_paired_pp": 0.0, "se_independent_pp": None,
                "runs_changed": changed, "inert": delta < threshold, "resolved": True,
                "verdict": "inert" if delta < threshold else "active"}
    x, y = res.indicator(k, item), base.indicator(k, item)
    n = len(x)
    d = x - y
    se_paired = float(np.sqrt(max(d.var(), 0.0) / n))
    px, py = x.mean(), y.mean()
    se_indep = float(np.sqrt((px * (1 - px) + py * (1 - py)) / n))
    signed = float(px - py)
    inert = delta < threshold
    resolved = abs(delta - threshold) > Z * se_paired
    verdict = ("inert" if inert else "active") + ("" if resolved else "?")
    return {
        "largest_change_pp": 100 * delta,
        "signed_change_pp": 100 * signed,
        "end": "low" if k == 0 else "high",
        "item": item_name(base.r, base.opt, item),
        "baseline_p": float(py),
        "se_paired_pp": 100 * se_paired,
        "se_independent_pp": 100 * se_indep,
        "runs_changed": changed,
        "inert": inert,
        "resolved": resolved,
        "verdict": verdict,
    }


def sweep(sim, scenario, path, levels, runs, seed, threads, out):
    vary = f"{path}=" + ",".join(fmt_num(v) for v in levels)
    call(sim, "sweep", scenario, "--vary", vary, "-n", runs, "--seed", seed, "-j", threads,
         "-o", out, "--force", "-q")


def screen(scenario, runs=4000, seed=20140615, threshold_pp=1.0, sim=None, threads=0,
           progress=None, workdir=None):
    """Rows (one per parameter, in `sco-sim params` order) and the run's metadata."""
    sim = find_sim(sim)
    params = read_params(sim, scenario)
    opt = opt_out_proposals(sim, scenario)
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="sco-screen-")
    threshold = threshold_pp / 100
    try:
        a = anchor(params)
        base_path = os.path.join(workdir, "baseline.h5")
        sweep(sim, scenario, a.path, [float(a.value)] * 2, runs, seed, threads, base_path)
        base = Point(base_path, opt)
        if list(base.runs) != [runs, runs]:
            raise RuntimeError(f"the baseline sweep has {base.runs} runs per point, not {runs}")
        rows = []
        started = time.time()
        for n, p in enumerate(params):
            row = {"parameter": p.path, "baseline": p.value, "range": [p.lo, p.hi],
                   "integer": p.integer}
            lo, hi, note = p.ends()
            row.update(low=lo, high=hi, note=note)
            if progress:
                progress(f"[{n + 1}/{len(params)}] {p.path} = {fmt_num(lo)}, {fmt_num(hi)}"
                         f"  ({time.time() - started:.0f} s)")
            if not lo < hi:
                row.update(skipped=f"its range is the single value {fmt_num(lo)}")
                rows.append(row)
                continue
            out = os.path.join(workdir, "point.h5")
            try:
                sweep(sim, scenario, p.path, [lo, hi], runs, seed, threads, out)
                row.update(compare(Point(out, opt), base, threshold))
            except (RuntimeError, ValueError) as e:
                row.update(error=str(e))
            finally:
                if os.path.exists(out):
                    os.remove(out)
            rows.append(row)
        meta = {"scenario": scenario, "runs": runs, "seed": seed, "threshold_pp": threshold_pp,
                "anchor": f"{a.path}={a.value}", "opt_out": opt if opt is not None else
                "kind exercise", "parameters": len(params),
                "se_independent_at_half_pp": 100 * math.sqrt(0.5 / runs),
                "sco_sim": call(sim, "--version").strip()}
        return rows, meta
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


# ---- output ----
def markdown(rows, meta):
    inert = [r for r in rows if r.get("inert")]
    out = [
        f"# Parameter screen: {os.path.basename(meta['scenario'])}",
        "",
        "Made by `scripts/screen.py " + " ".join([
            meta["scenario"], "-n", str(meta["runs"]), "--seed", str(meta["seed"])]) +
        f"` ({meta['sco_sim']}). One-at-a-time: each parameter alone at the low and the high "
        "end of its range, "
        f"{meta['runs']} runs per end, common random numbers with the baseline (anchor "
        f"`{meta['anchor']}`). Largest change: the largest absolute change, at either end, of "
        "any unconditional pass probability (proposal x summit) or participation probability "
        "(agent x opt-out proposal x summit), in percentage points. SE paired: standard "
        "error of that change from the paired runs; SE indep.: what two independent samples "
        f"would give (at p = 0.5: {meta['se_independent_at_half_pp']:.2f} points). Runs "
        "changed: share of runs in which any outcome or flag differs from the baseline "
        "(0: the parameter enters no decision of this scenario).",
        "",
        f"Rule: **inert** if the largest change is below {meta['threshold_pp']:g} point; a "
        "verdict with `?` is not resolved (the threshold lies within 1.96 paired standard "
        "errors of the largest change).",
        "",
        f"Inert ({len(inert)} of {len(rows)}): " +
        (", ".join(f"`{r['parameter']}`" for r in inert) if inert else "none") + ".",
        "",
        "| parameter | baseline | low | high | largest change (pp) | at | item | SE paired | "
        "SE indep. | runs changed | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        head = (f"| `{r['parameter']}` | {r['baseline']} | {fmt_num(r['low'])} | "
                f"{fmt_num(r['high'])} |")
        if "skipped" in r:
            out.append(head + f" – | – | skipped: {r['skipped']} | – | – | – | – |")
        elif "error" in r:
            out.append(head + f" – | – | error: {r['error']} | – | – | – | – |")
        else:
            verdict = f"**{r['verdict']}**" if r["inert"] else r["verdict"]
            indep = "–" if r["se_independent_pp"] is None else f"{r['se_independent_pp']:.2f}"
            out.append(head + f" {r['largest_change_pp']:.2f} | {r['end']} | {r['item']} | "
                       f"{r['se_paired_pp']:.2f} | {indep} | "
                       f"{100 * r['runs_changed']:.1f}% | {verdict} |")
    notes = [r for r in rows if r.get("note")]
    if notes:
        out += ["", "Windows: " + "; ".join(f"`{r['parameter']}`: {r['note']}"
                                            for r in notes) + "."]
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See the module docstring (the rule) and docs/screen.md.")
    ap.add_argument("scenario")
    ap.add_argument("-n", "--runs", type=int, default=4000, help="runs per end (default 4000)")
    ap.add_argument("--seed", type=int, default=20140615)
    ap.add_argument("-o", "--output", help="write the Markdown table here")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON on stdout")
    ap.add_argument("--threshold", type=float, default=1.0,
                    help="inert below this change, in percentage points (default 1)")
    ap.add_argument("--sim", help="the sco-sim binary")
    ap.add_argument("-j", "--threads", type=int, default=0)
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    a = ap.parse_args(argv)
    if a.runs < 2:
        ap.error("-n must be at least 2")
    progress = None if a.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    try:
        rows, meta = screen(a.scenario, a.runs, a.seed, a.threshold, a.sim, a.threads, progress)
    except RuntimeError as e:
        print(f"screen.py: error: {e}", file=sys.stderr)
        return 2
    table = markdown(rows, meta)
    if a.output:
        with open(a.output, "w") as f:
            f.write(table)
    if a.json:
        print(json.dumps({"meta": meta, "rows": rows}, indent=1))
    elif not a.output:
        sys.stdout.write(table)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
