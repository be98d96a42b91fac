#!/usr/bin/env bash
# Speed and scale of sco-sim (issue 6). Builds Release with the benchmarks into
# build-bench/, runs the Google Benchmark microbenchmarks and an end-to-end table of the
# baseline (scenarios/sco2014.yaml): runs per second at 1 and 2 threads, with per-run
# records and with --summary-only, ns per agent decision (as sco-sim prints it), the
# HDF5 sink's share of the time and peak memory at 1e4 and 1e6 runs. Each end-to-end
# measurement lasts at least MIN_SECONDS (default 2) and is repeated REPEATS (default 3)
# times; the table gives the median. Prints the table and writes it, with the machine,
# as JSON to results/bench/bench-<date>.json.
#
#   scripts/bench.sh              everything but the scaling study (about 5 minutes)
#   scripts/bench.sh --quick      shorter: 0.5 s per measurement, one repeat, 1e5 runs max
#   scripts/bench.sh --scaling    also the scaling study on synthetic scenarios
#                                 (scripts/make_synthetic_scenario.py): cost per run and per
#                                 decision against agents N, proposals P and periods T, with
#                                 fitted exponents; writes results/bench/scaling-<date>.json
#                                 and docs/figures/scaling.png
#   scripts/bench.sh --calibrate  also the calibration benchmark (issue 12): sco-sim calibrate
#                                 of 4 parameters, 2,000 prior points x 200 runs, 2 threads,
#                                 on scenarios/history/sco2001.yaml against
#                                 scenarios/history/events_2001_2013.yaml (target: 5 minutes;
#                                 with --quick 200 points)
#   scripts/bench.sh --sweep-memory  also issue 13's memory benchmarks: peak RSS and wall time
#                                 of the 8-factor Sobol sweep of the baseline (-n 500,
#                                 --summary-only, 2 threads) at 1,000 points (--samples 100),
#                                 10,000 points (--samples 1000) and the whole --samples 1024
#                                 sweep (10,240 points, 5.12 million runs), and the agents part
#   scripts/bench.sh --agents-memory  only the agents part (also in --sweep-memory): peak RSS
#                                 (/usr/bin/time -v) and wall time of `sco-sim run` of a synthetic
#                                 N-agent scenario (scripts/make_synthetic_scenario.py: 6
#                                 proposals, 6 summits, seed 1), 2 threads, with per-run records and --summary-only,
#                                 at N = 100, 300, 1000 (SCO_BENCH_AGENTS=100,300 to choose;
#                                 SCO_BENCH_AGENT_RUNS runs each, default 200). Target: <= 2 GiB
#                                 at 1,000 agents
#   scripts/bench.sh --pgo        everything with profile-guided builds of sco-sim and of the
#                                 microbenchmarks (BM_Floor too: like with like), built by
#                                 scripts/build-pgo.sh --bench into build-bench-pgo/; the
#                                 JSON's sco_sim_version says "profile-guided"
#   scripts/bench.sh --no-build --skip-micro --skip-memory --skip-e2e   leave parts out
#
# With the microbenchmarks and the end-to-end table, the JSON's targets give sco-sim's cost per
# decision (1 thread, both output modes) as a multiple of BM_Floor (tests/benchmarks/
# bench_floor.cpp: one Philox draw, three 4-term utilities, three exponentials, a 3-way
# choice). Both are wall-clock figures: compare them on a quiet machine only.
#
# The numbers are wall-clock times: run it on an otherwise idle machine (the JSON
# records the load average before and after).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${SCO_BENCH_BUILD:-$ROOT/build-bench}

build=1
pgo=0
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --pgo) pgo=1 ;;
    -h|--help) sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$build" = 1 ]; then
  echo "== building Release with benchmarks into ${BUILD#$ROOT/}/"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSCO_BUILD_BENCHMARKS=ON \
        -DSCO_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target sco-sim sco-bench
fi
if [ "$pgo" = 1 ]; then
  if [ "$build" = 1 ]; then
    echo "== building profile-guided sco-sim and sco-bench into build-bench-pgo/ (scripts/build-pgo.sh --bench)"
    "$ROOT/scripts/build-pgo.sh" --bench "$ROOT/build-bench-pgo"
  fi
  export SCO_BENCH_SIM=$ROOT/build-bench-pgo/bin/sco-sim SCO_BENCH_MICRO=$ROOT/build-bench-pgo/bin/sco-bench
  for b in "$SCO_BENCH_SIM" "$SCO_BENCH_MICRO"; do
    [ -x "$b" ] || { echo "bench.sh: no $b (run without --no-build)" >&2; exit 2; }
  done
else
  unset SCO_BENCH_SIM SCO_BENCH_MICRO
fi

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
exec "$PY" - "$ROOT" "$BUILD" "${args[@]+"${args[@]}"}" <<'PYTHON'
import atexit
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT, BUILD = sys.argv[1], sys.argv[2]
opts = set(sys.argv[3:])
known = {"--quick", "--scaling", "--skip-micro", "--skip-memory", "--skip-e2e", "--calibrate",
         "--sweep-memory", "--agents-memory"}
if opts - known:
    sys.exit(f"bench.sh: unknown option(s) {' '.join(sorted(opts - known))}")
QUICK = "--quick" in opts
MIN_SECONDS = float(os.environ.get("MIN_SECONDS", "0.5" if QUICK else "2"))
REPEATS = int(os.environ.get("REPEATS", "1" if QUICK else "3"))
SCO = os.environ.get("SCO_BENCH_SIM") or os.path.join(BUILD, "bin", "sco-sim")  # --pgo: PGO builds
BENCH = os.environ.get("SCO_BENCH_MICRO") or os.path.join(BUILD, "bin", "sco-bench")
BASELINE = os.path.join(ROOT, "scenarios", "sco2014.yaml")
TMP = tempfile.mkdtemp(prefix="sco-bench-")
atexit.register(shutil.rmtree, TMP, True)
STATS = re.compile(r"([0-9.]+) runs/s, ([0-9.]+) ns per agent decision \((\d+) decisions, "
                   r"([0-9.]+) s, (\d+) threads\)")


def run_with_rusage(cmd):
    """Runs cmd and returns (stdout, wall seconds, ru_maxrss KiB, cpu seconds) of that child."""
    t0 = time.perf_counter()
    with open(os.path.join(TMP, "out.txt"), "w+") as so, open(os.path.join(TMP, "err.txt"), "w+") as se:
        p = subprocess.Popen(cmd, stdout=so, stderr=se)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        so.seek(0)
        se.seek(0)
        out, err = so.read(), se.read()
    if p.returncode != 0:
        sys.exit(f"bench.sh: {' '.join(cmd)} exited {p.returncode}:\n{out}\n{err}")
    return out, wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime


def sco_run(scenario, runs, threads, summary_only, extra=()):
    out_file = os.path.join(TMP, "run.h5")
    cmd = [SCO, "run", scenario, "-n", str(runs), "-j", str(threads), "-o", out_file, "--force",
           *extra]
    if summary_only:
        cmd.append("--summary-only")
    out, wall, rss, cpu = run_with_rusage(cmd)
    m = STATS.search(out)
    if not m:
        sys.exit(f"bench.sh: no 'runs/s ... ns per agent decision' line in:\n{out}")
    size = os.path.getsize(out_file)
    os.remove(out_file)
    return {"runs": runs, "threads": threads, "summary_only": summary_only,
            "runs_per_s": float(m.group(1)), "ns_per_decision": float(m.group(2)),
            "decisions": int(m.group(3)), "run_seconds": float(m.group(4)),
            "process_seconds": wall, "cpu_seconds": cpu, "peak_rss_kib": rss, "file_bytes": size}


def calibrated_runs(scenario, threads, summary_only, start=5000, cap=None):
    """A run count that makes one measurement last at least MIN_SECONDS."""
    n = start
    while True:
        r = sco_run(scenario, n, threads, summary_only)
        if r["run_seconds"] >= MIN_SECONDS or (cap and n >= cap):
            return n
        n = int(math.ceil(n * max(1.2, 1.25 * MIN_SECONDS / max(r["run_seconds"], 1e-3)) / 1000) * 1000)
        if cap:
            n = min(n, cap)


SOBOL_FACTORS = ["dynamics.objection_cost=0:0.5", "dynamics.military_weight=0:2",
                 "dynamics.logit_precision=5:80", "dynamics.wait_value=0:8",
                 "agents.TJK.sovereignty=0.1:0.6", "agents.UZB.military_reluctance=0.5:1",
                 "agents.UZB.sovereignty=0.5:1", "agenda.afghan_buffer_plan.uncertainty=0.2:1"]


def sweep_memory():
    """Issue 13 item 1: peak memory of the 8-factor Sobol sweep against its points, and of a
    1,000-agent scenario. Targets: <= 1 GiB and <= 120 s for --samples 1024 on 2 cores; the
    same peak within 10% at 1,000 and 10,000 points; <= 2 GiB at 1,000 agents."""
    rows = []
    samples = (100, 1000, 1024) if not QUICK else (10, 100)
    print(f"== sweep memory: 8-factor Sobol sweep of the baseline, -n 500, --summary-only, 2 threads",
          flush=True)
    for n in samples:
        out_file = os.path.join(TMP, "sweep.h5")
        cmd = [SCO, "sweep", BASELINE, "--design", "sobol", "--samples", str(n), "-n", "500",
               "-j", "2", "--summary-only", "-q", "--force", "-o", out_file]
        for v in SOBOL_FACTORS:
            cmd += ["--vary", v]
        load = os.getloadavg()[0]
        _, wall, rss, cpu = run_with_rusage(cmd)
        os.remove(out_file)
        rows.append({"kind": "sobol sweep", "samples": n, "points": n * 10, "runs": n * 10 * 500,
                     "wall_s": wall, "cpu_s": cpu, "peak_rss_kib": rss, "load_before": load})
        print(f"  {n * 10:6d} points  wall {wall:7.1f} s  cpu {cpu:7.1f} s  peak "
              f"{rss / 1024:7.1f} MiB  (load {load:.1f})", flush=True)
    rows += agents_memory()
    return rows


AGENTS = [int(x) for x in os.environ.get("SCO_BENCH_AGENTS", "100,300,1000").split(",") if x]


def time_v(cmd):
    """Runs cmd under /usr/bin/time -v; returns (wall s, peak RSS KiB, cpu s) of that process."""
    report = os.path.join(TMP, "time-v.txt")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", report, *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench.sh: {' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    with open(report) as f:
        text = f.read()
    field = lambda name: re.search(re.escape(name) + r": ([0-9.:]+)", text).group(1)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return wall, int(field("Maximum resident set size (kbytes)")), cpu


def agents_memory():
    """Issue 13 item 1: peak resident memory of `sco-sim run` against the number of agents, on
    the synthetic scenario of scripts/make_synthetic_scenario.py (6 proposals, 6 summits, about two
    tension pairs per agent), 2 threads, with per-run records and with --summary-only.
    Target: <= 2 GiB at 1,000 agents."""
    runs = 20 if QUICK else int(os.environ.get("SCO_BENCH_AGENT_RUNS", "200"))
    print(f"== agents memory: synthetic scenarios, {runs} runs, 2 threads (/usr/bin/time -v)",
          flush=True)
    rows = []
    for n in AGENTS:
        scen = os.path.join(TMP, f"n{n}.yaml")
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make_synthetic_scenario.py"),
                        "--agents", str(n), "--proposals", "6", "--periods", "6", "--seed", "1",
                        "-o", scen], check=True, stdout=subprocess.DEVNULL)
        for summary_only in (False, True):
            out_file = os.path.join(TMP, "agents.h5")
            cmd = [SCO, "run", scen, "-n", str(runs), "-j", "2", "--seed", "1", "-o", out_file,
                   "--force"] + (["--summary-only"] if summary_only else [])
            load = os.getloadavg()[0]
            wall, rss, cpu = time_v(cmd)
            size = os.path.getsize(out_file)
            os.remove(out_file)
            mode = "summary-only" if summary_only else "per-run"
            rows.append({"kind": "agents", "agents": n, "mode": mode, "runs": runs, "wall_s": wall,
                         "cpu_s": cpu, "peak_rss_kib": rss, "file_bytes": size,
                         "load_before": load, "target_met": n < 1000 or rss <= 2 << 20})
            print(f"  {n:5d} agents  {mode:12s}  peak {rss / 1024:8.1f} MiB  wall {wall:6.1f} s  "
                  f"cpu {cpu:6.1f} s  file {size / 2**20:7.1f} MiB  (load {load:.1f})"
                  + ("" if n < 1000 else "  target <= 2 GiB " + ("met" if rss <= 2 << 20 else
                                                                   "NOT MET")), flush=True)
    return rows


def calibration_bench():
    """sco-sim calibrate: 4 parameters, 2,000 points x 200 runs on 2 threads (issue 12)."""
    hist = os.path.join(ROOT, "scenarios", "history")
    scenario = os.path.join(hist, "sco2001.yaml")
    events = os.path.join(hist, "events_2001_2013.yaml")
    if not os.path.exists(scenario) or not os.path.exists(events):
        sys.exit("bench.sh: --calibrate needs scenarios/history/sco2001.yaml and "
                 "events_2001_2013.yaml")
    points = 200 if QUICK else 2000
    vary = ["dynamics.objection_cost=0:0.5", "dynamics.military_weight=0:2",
            "dynamics.logit_precision=5:80", "dynamics.wait_value=0:4"]
    out_file = os.path.join(TMP, "calibration.h5")
    cmd = [SCO, "calibrate", scenario, events, "--points", str(points), "-n", "200", "-j", "2",
           "-o", out_file, "--force", "-q"]
    for v in vary:
        cmd += ["--vary", v]
    print(f"== calibration: {len(vary)} parameters, {points} points x 200 runs, 2 threads, "
          f"{os.path.relpath(scenario, ROOT)}")
    _, wall, rss, cpu = run_with_rusage(cmd)
    row = {"scenario": os.path.relpath(scenario, ROOT), "parameters": vary, "points": points,
           "runs_per_point": 200, "threads": 2, "seconds": wall, "cpu_seconds": cpu,
           "peak_rss_kib": rss, "runs_per_s": points * 200 / wall,
           "target_seconds": 300 * points / 2000, "met": wall <= 300 * points / 2000}
    print(f"  {wall:.1f} s wall, {cpu:.1f} s CPU, {row['runs_per_s']:.0f} runs/s, "
          f"peak {rss / 1024:.0f} MiB; target {row['target_seconds']:.0f} s "
          f"{'met' if row['met'] else 'NOT MET'}")
    return row


def median_of(rows, key):
    return statistics.median(r[key] for r in rows)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    def cmd_out(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"
    cxx = "unknown"
    cache = os.path.join(BUILD, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            for line in f:
                if line.startswith("CMAKE_CXX_COMPILER:"):
                    cxx = cmd_out(line.split("=", 1)[1].strip(), "--version").splitlines()[0]
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {"nproc": os.cpu_count(), "cpu_model": cpu, "compiler": cxx,
            "memory_gib": round(mem_kib / 2**20, 1), "kernel": platform.release(),
            "git_commit": cmd_out("git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"),
            "git_dirty": cmd_out("git", "-C", ROOT, "status", "--porcelain",
                                 "--untracked-files=no") not in ("", "unknown"),
            "sco_sim_version": cmd_out(SCO, "--version"),
            "load_average_before": os.getloadavg()}


def microbenchmarks():
    out = os.path.join(TMP, "micro.json")
    reps = "1" if QUICK else "3"
    cmd = [BENCH, f"--benchmark_repetitions={reps}", "--benchmark_report_aggregates_only=true",
           f"--benchmark_min_time={'0.2' if QUICK else '1'}", f"--benchmark_out={out}",
           "--benchmark_out_format=json"]
    print("== microbenchmarks (Google Benchmark; CPU time per item, median of "
          f"{reps})", flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        data = json.load(f)
    rows = []
    for b in data["benchmarks"]:
        if reps != "1" and b.get("aggregate_name") != "median":
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        dpi = b.get("decisions_per_item", 0.0)
        items = b.get("items_per_second", 0.0)
        rows.append({"name": b["run_name"], "label": b.get("label", ""),
                     "real_ns": b["real_time"] * scale, "cpu_ns": b["cpu_time"] * scale,
                     "items_per_s": items,
                     "ns_per_item": 1e9 / items if items else None,
                     "decisions_per_item": dpi,
                     "ns_per_decision": b["decision_time"] * 1e9 if "decision_time" in b else None})
    print(f"{'benchmark':32s} {'label':28s} {'items/s':>12s} {'ns/item':>12s} {'ns/decision':>12s}")
    for r in rows:
        nd = f"{r['ns_per_decision']:.1f}" if r["ns_per_decision"] else "-"
        print(f"{r['name']:32s} {r['label'][:28]:28s} {r['items_per_s']:12.0f} "
              f"{(r['ns_per_item'] or 0):12.1f} {nd:>12s}")
    return rows


def end_to_end():
    print(f"== end to end: {os.path.relpath(BASELINE, ROOT)}, each measurement >= {MIN_SECONDS} s, "
          f"median of {REPEATS}", flush=True)
    rows = []
    for threads in (1, 2):
        for summary_only in (False, True):
            n = calibrated_runs(BASELINE, threads, summary_only)
            reps = [sco_run(BASELINE, n, threads, summary_only) for _ in range(REPEATS)]
            row = {"threads": threads, "output": "summary-only" if summary_only else "per-run records",
                   "runs": n, "repeats": REPEATS}
            for k in ("runs_per_s", "ns_per_decision", "run_seconds", "cpu_seconds", "peak_rss_kib"):
                row[k] = median_of(reps, k)
            row["all_runs_per_s"] = [r["runs_per_s"] for r in reps]
            rows.append(row)
            print(f"  {threads} thread(s) {row['output']:16s} {n:8d} runs  "
                  f"{row['runs_per_s']:9.0f} runs/s  {row['ns_per_decision']:6.1f} ns/decision  "
                  f"peak {row['peak_rss_kib'] / 1024:6.1f} MiB", flush=True)
    return rows


def memory():
    sizes = (10_000, 100_000) if QUICK else (10_000, 1_000_000)
    print(f"== peak memory (ru_maxrss) at {sizes[0]:.0e} and {sizes[1]:.0e} runs, 2 threads", flush=True)
    rows = []
    for summary_only in (False, True):
        for n in sizes:
            r = sco_run(BASELINE, n, 2, summary_only)
            rows.append({"runs": n, "output": "summary-only" if summary_only else "per-run records",
                         "peak_rss_kib": r["peak_rss_kib"], "file_bytes": r["file_bytes"],
                         "run_seconds": r["run_seconds"]})
            print(f"  {rows[-1]['output']:16s} {n:8d} runs  peak {r['peak_rss_kib'] / 1024:7.1f} MiB  "
                  f"file {r['file_bytes'] / 2**20:8.1f} MiB", flush=True)
    return rows


def targets(e2e, mem):
    def get(threads, output):
        return next(r for r in e2e if r["threads"] == threads and r["output"] == output)
    t = {}
    full1, sum1 = get(1, "per-run records"), get(1, "summary-only")
    full2, sum2 = get(2, "per-run records"), get(2, "summary-only")
    t["ns_per_decision_1thread_full"] = {"value": full1["ns_per_decision"], "target": "<= 50",
                                         "met": full1["ns_per_decision"] <= 50}
    for name, a, b in (("speedup_2threads_full", full2, full1), ("speedup_2threads_summary", sum2, sum1)):
        s = a["runs_per_s"] / b["runs_per_s"]
        t[name] = {"value": round(s, 3), "target": ">= 1.8", "met": s >= 1.8}
    for threads, full, summ in ((1, full1, sum1), (2, full2, sum2)):
        share = 1.0 - full["runs_per_s"] / summ["runs_per_s"]
        t[f"sink_share_{threads}thread"] = {"value": round(share, 3), "target": "<= 0.15",
                                            "met": share <= 0.15,
                                            "how": "(t_full - t_summary_only) / t_full per run"}
    for output in ("per-run records", "summary-only"):
        rs = [r for r in mem if r["output"] == output]
        if len(rs) == 2:
            ratio = rs[1]["peak_rss_kib"] / rs[0]["peak_rss_kib"]
            t[f"memory_ratio_{output.replace(' ', '_').replace('-', '_')}"] = {
                "value": round(ratio, 3), "target": "about 1 (independent of runs)",
                "met": ratio <= 1.1, "runs": [rs[0]["runs"], rs[1]["runs"]],
                "peak_rss_mib": [round(rs[0]["peak_rss_kib"] / 1024, 1), round(rs[1]["peak_rss_kib"] / 1024, 1)]}
    floor = next((r for r in result.get("microbenchmarks", []) if r["name"] == "BM_Floor"), None)
    if floor and floor["ns_per_decision"]:
        for output, row in (("full", full1), ("summary_only", sum1)):
            x = row["ns_per_decision"] / floor["ns_per_decision"]
            t[f"floor_multiple_1thread_{output}"] = {
                "value": round(x, 2), "target": "<= 1.5", "met": x <= 1.5,
                "floor_ns": round(floor["ns_per_decision"], 1),
                "how": "end-to-end ns per decision / BM_Floor ns per decision"}
    return t


def scaling():
    """Cost per run and per decision against N, P and T on synthetic scenarios."""
    gen = os.path.join(ROOT, "scripts", "make_synthetic_scenario.py")
    series = {"N": [(n, 6, 6) for n in (6, 10, 30, 100, 300, 1000)],
              "P": [(30, p, 6) for p in (5, 10, 20, 40, 80)],
              "T": [(30, 10, t) for t in (2, 4, 8, 16, 32)]}
    out = {}
    print("== scaling: synthetic scenarios; core cost per run (sco-bench BM_Run, CPU time) and, "
          "for N <= 300, end to end per run (sco-sim --summary-only, 1 thread, marginal cost)", flush=True)
    for axis, pts in series.items():
        rows = []
        for n, p, t in pts:
            path = os.path.join(TMP, f"syn_{n}_{p}_{t}.yaml")
            subprocess.run([sys.executable, gen, "--agents", str(n), "--proposals", str(p),
                            "--periods", str(t), "--seed", "1", "-o", path], check=True)
            env = dict(os.environ, SCO_BENCH_SCENARIO=path)
            js = os.path.join(TMP, "scale.json")
            subprocess.run([BENCH, "--benchmark_filter=^BM_Run$", f"--benchmark_min_time={'0.2' if QUICK else '1'}",
                            f"--benchmark_out={js}", "--benchmark_out_format=json"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            with open(js) as f:
                b = json.load(f)["benchmarks"][0]
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            row = {"agents": n, "proposals": p, "periods": t,
                   "core_ns_per_run": b["cpu_time"] * scale,
                   "decisions_per_run": b["decisions_per_item"],
                   "core_ns_per_decision": b["cpu_time"] * scale / max(b["decisions_per_item"], 1)}
            if n <= 300:
                # Marginal cost per run: the difference of two run counts removes loading and
                # the results file's fixed part (the summaries grow with N^2).
                per = row["core_ns_per_run"] * 1e-9 * 3 + 1e-5
                n1 = max(20, int(0.2 / per))
                n2 = n1 * 5
                a = sco_run(path, n1, 1, True)
                c = sco_run(path, n2, 1, True)
                row["e2e_ns_per_run"] = 1e9 * (c["run_seconds"] - a["run_seconds"]) / (n2 - n1)
                row["e2e_ns_per_decision"] = row["e2e_ns_per_run"] / max(row["decisions_per_run"], 1)
            rows.append(row)
            e2e = f"{row['e2e_ns_per_run'] / 1e3:10.1f}" if "e2e_ns_per_run" in row else f"{'-':>10s}"
            print(f"  N={n:5d} P={p:3d} T={t:3d}  core {row['core_ns_per_run'] / 1e3:10.1f} us/run  "
                  f"{row['decisions_per_run']:10.0f} decisions/run  {row['core_ns_per_decision']:7.1f} ns/decision  "
                  f"e2e {e2e} us/run", flush=True)
        xs = [math.log(r[{"N": "agents", "P": "proposals", "T": "periods"}[axis]]) for r in rows]
        fits = {}
        for key in ("core_ns_per_run", "decisions_per_run", "core_ns_per_decision"):
            ys = [math.log(r[key]) for r in rows]
            fits[key] = round(slope(xs, ys), 3)
        # Large-N exponent from the last three points (where the N^2 terms would show).
        if axis == "N":
            fits["core_ns_per_run_last3"] = round(slope(xs[-3:], [math.log(r["core_ns_per_run"]) for r in rows[-3:]]), 3)
        out[axis] = {"points": rows, "exponents": fits}
        print(f"  exponents against {axis}: " + ", ".join(f"{k} ~ {axis}^{v}" for k, v in fits.items()))
    return out


def slope(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def plot_scaling(sc, png):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (matplotlib not available: no plot)")
        return
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    for ax, axis, label in zip(axes, ("N", "P", "T"), ("agents N (P=6, T=6)", "proposals P (N=30, T=6)",
                                                         "periods T (N=30, P=10)")):
        pts = sc[axis]["points"]
        key = {"N": "agents", "P": "proposals", "T": "periods"}[axis]
        x = [r[key] for r in pts]
        ax.loglog(x, [r["core_ns_per_run"] / 1e3 for r in pts], "o-", color="black",
                  label=f"core per run (~{axis}^{sc[axis]['exponents']['core_ns_per_run']:.2f})")
        e2e = [(r[key], r["e2e_ns_per_run"] / 1e3) for r in pts if "e2e_ns_per_run" in r]
        if e2e:
            ax.loglog(*zip(*e2e), "s--", color="0.45", label="end to end per run (summary-only)")
        ax.loglog(x, [r["core_ns_per_decision"] / 1e3 for r in pts], "^:", color="0.3",
                  label="core per decision")
        ax.set_xlabel(label)
        ax.set_ylabel("microseconds")
        ax.grid(True, which="both", color="0.9")
        ax.legend(fontsize=7)
    fig.suptitle("sco-sim cost against scenario size (synthetic scenarios, 1 thread)")
    fig.tight_layout()
    os.makedirs(os.path.dirname(png), exist_ok=True)
    fig.savefig(png, dpi=120)
    print(f"  wrote {os.path.relpath(png, ROOT)}")


result = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
          "settings": {"min_seconds": MIN_SECONDS, "repeats": REPEATS, "scenario": "scenarios/sco2014.yaml"}}
m = result["machine"]
print(f"== machine: {m['nproc']} x {m['cpu_model']}, {m['memory_gib']} GiB, {m['compiler']}, "
      f"commit {m['git_commit']}{' (dirty)' if m['git_dirty'] else ''}, load {m['load_average_before'][0]:.2f}")
if "--skip-micro" not in opts:
    result["microbenchmarks"] = microbenchmarks()
if "--skip-e2e" not in opts:
    result["end_to_end"] = end_to_end()
if "--skip-memory" not in opts:
    result["memory"] = memory()
if "--calibrate" in opts:
    result["calibration"] = calibration_bench()
if "--sweep-memory" in opts:
    result["sweep_memory"] = sweep_memory()
elif "--agents-memory" in opts:
    result["agents_memory"] = agents_memory()
if "end_to_end" in result:
    # The memory ratios need the memory part; the others (the floor multiples among them)
    # are given without it (--skip-memory).
    result["targets"] = targets(result["end_to_end"], result.get("memory", []))
    print("== targets")
    for k, v in result["targets"].items():
        print(f"  {k:40s} {v['value']!s:>10s}  target {v['target']:28s} {'met' if v['met'] else 'NOT MET'}")
result["machine"]["load_average_after"] = os.getloadavg()
stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
outdir = os.path.join(ROOT, "results", "bench")
os.makedirs(outdir, exist_ok=True)
path = os.path.join(outdir, f"bench-{stamp}.json")
with open(path, "w") as f:
    json.dump(result, f, indent=1)
print(f"== wrote {os.path.relpath(path, ROOT)}")
if "--scaling" in opts:
    sc = scaling()
    sc_doc = {"date": result["date"], "machine": result["machine"], "scaling": sc}
    spath = os.path.join(outdir, f"scaling-{stamp}.json")
    with open(spath, "w") as f:
        json.dump(sc_doc, f, indent=1)
    print(f"== wrote {os.path.relpath(spath, ROOT)}")
    plot_scaling(sc, os.path.join(ROOT, "docs", "figures", "scaling.png"))
PYTHON
