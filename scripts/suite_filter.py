#!/usr/bin/python3
"""Stage 3 of the pattern-filtered calibration: the pattern suite itself as the last filter
(issue 12, item 6; docs/calibration.md, "Stage 3: the pattern suite as the last filter").

The filters of `sco-sim calibrate --require` judge the 2014 facts on 60 runs by a point
estimate, and some of the suite's claims (S2's persistence of vetoes, S1's conditional
frequency, fact 1's halves at 95%) are not filters at all. This script takes the points a
rejection calibration accepted and runs the whole pattern suite (tests/python/test_patterns.py,
S4 left out: it is the out-of-sample check) at each of them, at the suite's own strength
(SCO_PATTERN_RUNS runs, default 20,000, its fixed seed and its 95% intervals). A point is kept
when every test passes. Rejection ABC accepts a point when an indicator holds; accepting when
the calibration's indicator and the suite's both hold is rejection ABC with the conjunction, so
the kept points are the posterior under the stricter rule, with equal weights.

    suite_filter.py CALIBRATION.h5 -o OUTDIR [--runs 20000] [--sco build/bin/sco-sim]
                    [--points accepted|feasible] [--limit K]
                    [--suite-seed N] [--only-kept OTHER/suite.json]

--suite-seed N runs the suite at seed N instead of its own (`SEED = 20140615` in
test_patterns.py): a copy of the suite with that SEED line changed is written under
OUTDIR/root/tests/python and run there. --only-kept OTHER/suite.json tests only the points
that another filter of the SAME calibration file kept (its state file is checked: same
calibration file, same parameters, a finished filter); the points kept here are then those
kept there that also pass here. Together they apply the rule of the next port
(docs/calibration.md, "The next port"): a point is kept when it passes the suite at seed
20140615 and at seed 101:

    suite_filter.py STAGE2/all.h5 -o STAGE3                  # the suite's own seed
    suite_filter.py STAGE2/all.h5 -o STAGE3-101 --suite-seed 101 --only-kept STAGE3/suite.json

For each point the values are written, at full precision, into a copy of scenarios/ under
OUTDIR/root (the suite reads its scenarios from SCO_ROOT), and pytest writes a JUnit file.
OUTDIR/suite.json holds every point's values, record distance and failed tests; it is read
back on a second call, so an interrupted filter resumes where it stopped (a point is re-run
only if its values, the runs or the binary changed). It also records the suite seed
(`suite_seed`; a state file without it was made at 20140615) and the calibration file's
fingerprint (`calibration_sha`); a state file made at another suite seed is not resumed: the
script stops (exit 2) and names both seeds. The script prints, in markdown, the
failures per test, the kept points and their medians and 90% intervals.

Cost: one suite per point, about 30 s at 20,000 runs on 2 cores.
"""
import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
SUITE = ROOT / "tests" / "python" / "test_patterns.py"
# S4 (staged accession dates) is the suite's out-of-sample check: never a filter
LEFT_OUT = ("test_s4_",)
# the suite's own seed (test_patterns.py's SEED): a state file that names none was made at it
SUITE_SEED = 20140615
SEED_LINE = re.compile(r"^SEED = (\d+)$", re.M)


def die(msg):
    """Bad input: the message on stderr, exit status 2."""
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


def own_seed(suite_text):
    """The suite's own seed (its one `SEED = N` line), or None if it has no such line."""
    hits = SEED_LINE.findall(suite_text)
    return int(hits[0]) if len(hits) == 1 else None


def with_seed(suite_text, seed):
    """The suite's text with its `SEED = N` line set to `seed`; ValueError unless the text
    has exactly one such line."""
    new, k = SEED_LINE.subn(f"SEED = {int(seed)}", suite_text)
    if k != 1:
        raise ValueError(f"the suite has {k} lines 'SEED = N', not one: cannot set its seed")
    return new


def copy_suite(root, seed, suite=SUITE):
    """root/tests/python holding a copy of `suite` with SEED = seed, beside copies of the
    conftest.py and pytest.ini of the suite's folder (when it has them; pytest.ini puts
    ../../scripts on the import path, so root/scripts must be the repository's), and
    root/tests/data linked to the repository's. Returns the copy's path."""
    suite = pathlib.Path(suite)
    new = with_seed(suite.read_text(), seed)
    d = root / "tests" / "python"
    d.mkdir(parents=True)
    (root / "tests" / "data").symlink_to(ROOT / "tests" / "data")
    for f in ("conftest.py", "pytest.ini"):
        if (suite.parent / f).exists():
            shutil.copy(suite.parent / f, d / f)
    (d / suite.name).write_text(new)
    return d / suite.name


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def fmt(v):
    return v if isinstance(v, str) else repr(float(v))


def write_values(scenario_text, values):
    """The scenario's text with each `dynamics.NAME` of `values` set to its value on its line
    of the top-level `dynamics:` block, its comment kept; a name the block does not hold is
    added as the block's first line. A number is written as its repr (full precision); a
    string is written as it is (a distribution in YAML flow style, `{empirical: [...]}`).
    Anything but dynamics.* is an error. The result is checked by loading it."""
    lines = scenario_text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(r"dynamics:\s*(#.*)?$", ln)), None)
    if start is None:
        raise ValueError("the scenario has no top-level 'dynamics:' block")
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].strip() and not lines[i].startswith((" ", "#"))), len(lines))
    indent = next((re.match(r"( +)\S", lines[i]).group(1) for i in range(start + 1, end)
                   if re.match(r" +[a-z_]+:", lines[i])), "  ")
    for path, v in values.items():
        section, _, name = path.partition(".")
        if section != "dynamics" or not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"{path}: only dynamics.NAME parameters can be written")
        pat = re.compile(rf"^({indent}{name}:[ \t]*)([^#\n]*?)([ \t]*(#.*)?)(\r?\n)?$")
        hit = [i for i in range(start + 1, end) if pat.match(lines[i])]
        if len(hit) > 1:
            raise ValueError(f"{path}: {len(hit)} lines set it")
        if hit:
            i = hit[0]
            m = pat.match(lines[i])
            lines[i] = f"{m.group(1)}{fmt(v)}{m.group(3)}{m.group(5) or ''}"
        else:
            lines.insert(start + 1, f"{indent}{name}: {fmt(v)}  # written by suite_filter.py\n")
            end += 1
    out = "".join(lines)
    d = yaml.safe_load(out)["dynamics"]
    for path, v in values.items():
        got = d.get(path.partition(".")[2])
        if isinstance(v, str):
            if got != yaml.safe_load(v):
                raise ValueError(f"{path}: wrote {v}, the file reads back {got!r}")
        elif not isinstance(got, (int, float)) or float(got) != float(v):
            raise ValueError(f"{path}: wrote {v!r}, the file reads back {got!r}")
    return out


def junit_failures(xml_path):
    """(names of the tests that did not pass, number of tests run) from a JUnit file. A test
    that failed or errored does not pass; nor does one that was skipped (a claim the suite did
    not check at the point is not held: review session 8, finding 6), except an expected
    failure (pytest's xfail, reported as skipped of type pytest.xfail)."""
    tree = ET.parse(xml_path)
    failed, n = [], 0
    for tc in tree.iter("testcase"):
        n += 1
        sk = tc.find("skipped")
        if tc.find("failure") is not None or tc.find("error") is not None:
            failed.append(tc.get("name"))
        elif sk is not None and sk.get("type") != "pytest.xfail":
            failed.append(tc.get("name"))
    return failed, n


def make_root(root, seed=None, suite=SUITE):
    """A fresh root for the suite (SCO_ROOT): a copy of scenarios/ (rewritten per point), the
    rest of the repository as links. With a seed, tests/python is a folder of its own holding
    the suite with SEED = seed (copy_suite). Returns (root, the suite to run)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    (root / "scripts").symlink_to(ROOT / "scripts")
    if seed is None:
        (root / "tests").symlink_to(ROOT / "tests")
        return root, pathlib.Path(suite)
    return root, copy_suite(root, seed, suite)


def suite_at(suite, seed):
    """The seed to record for `suite` run at `seed` (None: its own) and the seed to write into
    a copy of it (None: run it as it is). A suite without a SEED line runs only as it is."""
    own = own_seed(pathlib.Path(suite).read_text())
    if seed is None or seed == own:
        return own, None
    if own is None:
        die(f"{suite}: no line 'SEED = N' (or more than one): cannot run it at seed {seed}")
    return seed, seed


def kept_elsewhere(other_path, calibration, cal_sha, names):
    """The points kept by another filter's state file (--only-kept), after checking that it
    filtered the same calibration file (its fingerprint, or for a state file older than the
    fingerprint its path) with the same parameters, and that it finished (has `kept`)."""
    try:
        other = json.loads(pathlib.Path(other_path).read_text())
    except (OSError, ValueError) as e:
        die(f"{other_path}: cannot read a filter state file ({e})")
    if not isinstance(other, dict) or "calibration" not in other or "points" not in other:
        die(f"{other_path}: not a suite_filter.py state file (no 'calibration' or 'points')")
    if "calibration_sha" in other:
        same = other["calibration_sha"] == cal_sha
    else:
        same = os.path.realpath(other["calibration"]) == os.path.realpath(calibration)
    if not same:
        die(f"{other_path}: filtered another calibration file ({other['calibration']}, "
            f"fingerprint {other.get('calibration_sha', 'not recorded')}) than {calibration} "
            f"(fingerprint {cal_sha}): its kept points are not this file's")
    if other.get("parameters") != names:
        die(f"{other_path}: names other parameters ({other.get('parameters')}) than "
            f"{calibration} ({names})")
    if "kept" not in other:
        die(f"{other_path}: the filter has not finished (no 'kept' list): nothing to restrict to")
    return {int(i) for i in other["kept"]}


def fingerprint(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("calibration", help="a rejection calibration file (sco-sim calibrate)")
    ap.add_argument("-o", "--out", required=True,
                    help="directory for suite.json (the state a later call resumes) and the "
                         "points' reports")
    ap.add_argument("--runs", type=int, default=20000, help="SCO_PATTERN_RUNS (default 20000)")
    ap.add_argument("--sco", default=os.environ.get("SCO_SIM_BIN", str(ROOT / "build/bin/sco-sim")),
                    help="the sco-sim binary (default: $SCO_SIM_BIN or build/bin/sco-sim)")
    ap.add_argument("--points", choices=("accepted", "feasible"), default="accepted",
                    help="which points of the calibration to test (default: accepted)")
    ap.add_argument("--limit", type=int, default=None,
                    help="test only the first K of them by record distance")
    ap.add_argument("--suite-seed", type=int, default=None, metavar="N",
                    help=f"run the suite at seed N (default: its own, {SUITE_SEED}); a copy of "
                         "it with that SEED is run")
    ap.add_argument("--only-kept", default=None, metavar="STATE.json",
                    help="test only the points kept in another filter's suite.json of the same "
                         "calibration file; the points kept are those that pass here too")
    ap.add_argument("--suite", default=str(SUITE), help=argparse.SUPPRESS)  # tests only
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    if not os.access(a.sco, os.X_OK):
        die(f"{a.sco} is not an executable sco-sim")
    if not os.path.isfile(a.calibration):
        die(f"{a.calibration}: no such file")
    seed, write_seed = suite_at(a.suite, a.suite_seed)

    with h5py.File(a.calibration, "r") as f:
        c = f["/calibration"]
        method = text(c.attrs["method"])
        names = [text(x) for x in c["parameters"][...]]
        theta = c["theta"][...]
        dist = c["distance"][...]
        accepted = c["accepted"][...] == 1
        held = c["required_held"][...] if "required_held" in c else None
    if method != "rejection":
        die(f"{a.calibration}: method {method}; the suite filter needs a rejection "
            "calibration (equal weights)")
    if a.points == "accepted":
        pick = np.flatnonzero(accepted)
    else:
        if held is None:
            die(f"{a.calibration} has no required pairs")
        pick = np.flatnonzero((held == 1).all(axis=1))
    cal_sha = fingerprint(a.calibration)
    if a.only_kept is not None:
        there = kept_elsewhere(a.only_kept, a.calibration, cal_sha, names)
        pick = np.array([i for i in pick if int(i) in there], dtype=int)
    pick = pick[np.argsort(dist[pick], kind="stable")]
    if a.limit is not None:
        pick = pick[:a.limit]

    state_path = out / "suite.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    if state and state.get("suite_seed", SUITE_SEED) != seed:
        die(f"{state_path} was made at suite seed {state.get('suite_seed', SUITE_SEED)}, this "
            f"call runs the suite at seed {seed}: not resumed (use another -o)")
    out.mkdir(parents=True, exist_ok=True)
    root, suite = make_root(out / "root", write_seed, a.suite)
    base_path = root / "scenarios" / "sco2014.yaml"
    pristine = (ROOT / "scenarios" / "sco2014.yaml").read_text()

    key = {"runs": a.runs, "binary": fingerprint(a.sco), "suite": fingerprint(a.suite),
           "baseline": hashlib.sha256(pristine.encode()).hexdigest()[:16]}
    if {k: state.get(k) for k in key} != key:
        state = dict(key, calibration=str(a.calibration), parameters=names, points={})
    state.update(suite_seed=seed, calibration_sha=cal_sha, only_kept=a.only_kept)
    env = dict(os.environ, SCO_SIM_BIN=a.sco, SCO_ROOT=str(root),
               SCO_PATTERN_RUNS=str(a.runs), MPLBACKEND="Agg")
    deselect = ["-k", " and ".join(f"not {p.rstrip('_')}" for p in LEFT_OUT)]
    for k, i in enumerate(pick):
        values = {n: float(v) for n, v in zip(names, theta[i])}
        prev = state["points"].get(str(i))
        if prev and prev["values"] == values:
            continue
        base_path.write_text(write_values(pristine, values))
        xml = out / "junit.xml"
        report = out / f"report-{i}.json"
        # the previous point's files must not stand for this one's (a pytest that exits 1
        # without writing its JUnit file, e.g. an interpreter without pytest)
        xml.unlink(missing_ok=True)
        report.unlink(missing_ok=True)
        p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(suite), *deselect, f"--junitxml={xml}"],
                           env=dict(env, SCO_PATTERN_REPORT=str(report)),
                           capture_output=True, text=True)
        if p.returncode not in (0, 1) or not xml.exists():
            sys.exit(f"error: the suite did not run at point {i} (pytest exit {p.returncode}):\n"
                     f"{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        failed, n = junit_failures(xml)
        others = {r["tests"] for r in state["points"].values()}
        if others and others != {n}:
            sys.exit(f"error: the suite ran {n} tests at point {i} but {sorted(others)} at the "
                     "points before: a test was not collected; nothing is kept")
        state["points"][str(i)] = {"values": values, "distance": float(dist[i]),
                                   "failed": failed, "tests": n}
        state_path.write_text(json.dumps(state, indent=1))
        print(f"  point {i} ({k + 1} of {len(pick)}): {n - len(failed)} of {n} pass"
              + (f"; fails {', '.join(failed)}" if failed else ""), file=sys.stderr)

    pts = [state["points"][str(i)] for i in pick]
    kept = [i for i, r in zip(pick, pts) if not r["failed"]]
    state["kept"] = [int(i) for i in kept]
    state_path.write_text(json.dumps(state, indent=1))
    counts = {}
    for r in pts:
        for t in r["failed"]:
            counts[t] = counts.get(t, 0) + 1
    among = (f"; only points among the {len(there)} kept in {a.only_kept}"
             if a.only_kept is not None else "")
    print(f"{len(kept)} of {len(pick)} points pass the whole suite ({a.runs} runs, S4 left out, "
          f"suite seed {seed}{among})")
    print("\n| test | points failing it |\n|---|---|")
    for t, n in sorted(counts.items(), key=lambda x: -x[1]):
        print(f"| {t} | {n} |")
    if kept:
        th = theta[np.array(kept)]
        print("\n| parameter | median | 90% | min | max |\n|---|---|---|---|---|")
        for j, nme in enumerate(names):
            q = np.quantile(th[:, j], [0.05, 0.5, 0.95])
            print(f"| `{nme}` | {q[1]:.3g} | [{q[0]:.3g}, {q[2]:.3g}] | {th[:, j].min():.3g} "
                  f"| {th[:, j].max():.3g} |")
        print("\nkept points by record distance: "
              + ", ".join(f"{i} ({dist[i]:.4f})" for i in kept))
    return 0


if __name__ == "__main__":
    sys.exit(main())
