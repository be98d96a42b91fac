#!/usr/bin/python3
"""Check that two sco-sim binaries give bit-identical results (behaviour-preserving changes).

Runs both binaries on the same fixed-seed experiments and compares every dataset of the
results files with h5py, byte for byte (NaN-aware: equal bit patterns). The experiments:
the six scenarios of scenarios/, scenarios/history/sco2001.yaml, and copies of sco2014 and
sco2001 with choice deterministic, amendment towards_compromise, pressure disabled (one
change each), and deterministic with towards_compromise; RUNS runs each with per-run
records (default 1,500), seed 3. The text of `run --replay R --explain` (every term of every
agent's utilities) is compared too, for replications 0 to REPLAYS - 1 (default 5).

    /usr/bin/python3 scripts/compare_engines.py OLD_BIN NEW_BIN [--runs N] [--replays R] [--workdir DIR]

Exit 0 when every dataset is identical, 1 when one differs (each listed), 2 on a usage or
run error. Attributes are not compared (they carry the commit and the time of the run).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = [
    "scenarios/sco2014.yaml",
    "scenarios/sco2014_calibrated.yaml",
    "scenarios/afghanistan_drawdown.yaml",
    "scenarios/expansion_sco8.yaml",
    "scenarios/no_dialogue.yaml",
    "scenarios/uzbek_rapprochement.yaml",
    "scenarios/history/sco2001.yaml",
]
VARIANTS = {  # name: the model variants the copy changes (the rest of its model line kept)
    "det": {"choice": "deterministic"},
    "compromise": {"amendment": "towards_compromise"},
    "nopressure": {"pressure": "disabled"},
    "det_compromise": {"choice": "deterministic", "amendment": "towards_compromise"},
}
VARIANT_BASES = ["scenarios/sco2014.yaml", "scenarios/history/sco2001.yaml"]


def experiments(workdir):
    out = [(os.path.splitext(os.path.basename(s))[0], os.path.join(ROOT, s)) for s in SCENARIOS]
    for base in VARIANT_BASES:
        text = open(os.path.join(ROOT, base)).read()
        if not re.search(r"^model:.*$", text, re.M):
            sys.exit(f"compare_engines: {base} has no one-line model: entry to vary")
        stem = os.path.splitext(os.path.basename(base))[0]
        line = re.search(r"^model:.*$", text, re.M).group(0)
        for name, changes in VARIANTS.items():
            new = line
            for key, value in changes.items():
                new, k = re.subn(rf"\b{key}: \w+", f"{key}: {value}", new, count=1)
                if k != 1:
                    sys.exit(f"compare_engines: {base}'s model line names no {key}")
            path = os.path.join(workdir, f"{stem}_{name}.yaml")
            with open(path, "w") as f:
                f.write(text.replace(line, new, 1))
            out.append((f"{stem}_{name}", path))
    return out


def run(binary, scenario, out, runs):
    cmd = [binary, "run", scenario, "-n", str(runs), "--seed", "3", "-j", "2", "-o", out, "--force"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(f"compare_engines: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
        sys.exit(2)


def explain(binary, scenario, rep):
    cmd = [binary, "run", scenario, "--seed", "3", "--replay", str(rep), "--explain"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(f"compare_engines: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
        sys.exit(2)
    return r.stdout


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return found


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return a.tobytes() == b.tobytes()
    return bool(np.array_equal(a, b))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=1500)
    ap.add_argument("--replays", type=int, default=5)
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args()
    workdir = a.workdir or tempfile.mkdtemp(prefix="sco-compare-")
    os.makedirs(workdir, exist_ok=True)
    total = differ = explained = ex_differ = 0
    for name, scen in experiments(workdir):
        fa, fb = os.path.join(workdir, name + ".old.h5"), os.path.join(workdir, name + ".new.h5")
        run(a.old, scen, fa, a.runs)
        run(a.new, scen, fb, a.runs)
        da, db = datasets(fa), datasets(fb)
        bad = sorted(k for k in set(da) | set(db) if k not in da or k not in db or not same(da[k], db[k]))
        total += len(set(da) | set(db))
        differ += len(bad)
        ex_bad = [r for r in range(a.replays) if explain(a.old, scen, r) != explain(a.new, scen, r)]
        explained += a.replays
        ex_differ += len(ex_bad)
        print(f"{name}: {len(da)} datasets, {len(bad)} differ" + (": " + ", ".join(bad) if bad else "")
              + f"; explained replays differ: {ex_bad if ex_bad else 'none'}")
    print(f"{total} datasets compared, {differ} differ ({a.runs} runs each, seed 3); "
          f"{explained} explained replays compared, {ex_differ} differ; files in {workdir}")
    return 1 if differ or ex_differ else 0


if __name__ == "__main__":
    sys.exit(main())
