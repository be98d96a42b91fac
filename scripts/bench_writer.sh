#!/usr/bin/env bash
# The per-run writer (issue 13 item 2), measured without trusting wall-clock ratios on a
# loaded machine: instructions per thread with callgrind (--separate-threads=yes), CPU
# time (user + system) and wall time with the load average, and the -j2 / -j1 ratio.
#
#   scripts/bench_writer.sh [SCO_SIM_BIN]            (default build/bin/sco-sim)
#   scripts/bench_writer.sh --options [SCO_BENCH_BIN] (default build/bin/sco-bench)
#   RUNS=3000 (callgrind runs; 0 skips callgrind), TRUNS=40000 (timed runs), REPEATS=3
#
# Default mode, for `sco-sim run scenarios/sco2014.yaml --seed 7`: instructions per run of
# the simulation (the summary-only run) and of the write (per-run records minus
# summary-only), per thread at -j1 and -j2; then -j1 / -j2 timings alternated, with
# per-run records and --summary-only, and the ratio of the median runs/s.
# --options: instructions per run of the sink (callgrind, only the Hdf5Sink's functions)
# and file bytes per run for each deflate level and shuffle (sco-bench BM_SinkOptions).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

if [[ ${1:-} == --options ]]; then
    bench=${2:-build/bin/sco-bench}
    echo "== sink per option, 8,192 runs on one thread (load $(load))"
    # CPU time and file bytes per run, every option, natively.
    "$bench" --benchmark_filter='^BM_SinkOptions/' --benchmark_repetitions=${REPEATS:-3} \
        --benchmark_format=json >"$tmp/n.json" 2>/dev/null
    # Instructions per run of the sink's own functions (callgrind; one process, one dump
    # per option) for the options of CG_FILTER.
    filter=${CG_FILTER:-'BM_SinkOptions/(6/1|4/1|4/0|1/1|0/1|-1/1)/'}
    valgrind --tool=callgrind --callgrind-out-file="$tmp/o.cg" --toggle-collect='*Hdf5Sink::*' \
        --dump-after='*BM_SinkOptions*' \
        "$bench" --benchmark_filter="$filter" --benchmark_min_time=0 \
        --benchmark_format=json >"$tmp/o.json" 2>"$tmp/o.log"
    /usr/bin/python3 - "$tmp" <<'PY'
import glob, json, re, statistics, sys
tmp = sys.argv[1]
runs = 8192
nat = {}
for b in json.load(open(f"{tmp}/n.json"))["benchmarks"]:
    if b.get("run_type") == "aggregate":
        continue
    nat.setdefault(b["run_name"], []).append(b)
dumps = sorted(glob.glob(f"{tmp}/o.cg.*"), key=lambda f: int(f.rsplit(".", 1)[1]))
names = [b["run_name"] for b in json.load(open(f"{tmp}/o.json"))["benchmarks"]]
instr = {}
if len(dumps) == len(names):
    for name, f in zip(names, dumps):
        m = re.search(r"^totals:\s+(\d+)", open(f).read(), re.M)
        instr[name] = int(m.group(1)) / runs
else:
    print(f"(callgrind: {len(dumps)} dumps for {len(names)} benchmarks; instructions left out)")
print(f"{'option':<22} {'instr/run':>10} {'cpu us/run':>11} {'bytes/run':>10}")
for name, bs in nat.items():
    _, level, shuffle, _ = name.split("/")
    cpu = statistics.median(b["cpu_time"] for b in bs)  # per iteration
    unit = {"ms": 1e3, "us": 1, "ns": 1e-3}[bs[0]["time_unit"]]
    label = f"deflate {level:>2}, shuffle {'on' if shuffle == '1' else 'off'}"
    i = f"{instr[name]:10,.0f}" if name in instr else f"{'':>10}"
    print(f"{label:<22} {i} {cpu * unit / runs:11.2f} {bs[0]['file_bytes_per_run']:10.1f}")
PY
    exit 0
fi

bin=${1:-build/bin/sco-sim}
runs=${RUNS:-3000}
truns=${TRUNS:-40000}
repeats=${REPEATS:-3}

count() {  # label, args... : callgrind per thread
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/$1.cg" \
        "$bin" run scenarios/sco2014.yaml -n "$runs" --seed 7 -q --force -o "$tmp/$1.h5" "${@:2}" \
        >/dev/null 2>"$tmp/$1.log"
    /usr/bin/python3 - "$tmp" "$1" <<'PY'
import glob, re, sys
tmp, label = sys.argv[1], sys.argv[2]
per = []
for f in sorted(glob.glob(f"{tmp}/{label}.cg*")):
    txt = open(f).read()
    m = re.search(r"^totals:\s+(\d+)", txt, re.M) or re.search(r"^summary:\s+(\d+)", txt, re.M)
    per.append(int(m.group(1)) if m else 0)
per.sort(reverse=True)
open(f"{tmp}/{label}.total", "w").write(str(sum(per)))
print(f"{label:<10} total {sum(per)/1e6:9.1f} M; threads (M): " + ", ".join(f"{p/1e6:.1f}" for p in per))
PY
}
if [[ $runs -gt 0 ]]; then
    echo "== callgrind, $runs runs (load $(load))"
    count j1-runs -j 1
    count j1-summ -j 1 --summary-only
    count j2-runs -j 2
    ls -l "$tmp/j1-runs.h5" | awk '{printf "file size: %d bytes, %.1f bytes per run\n", $5, $5 / '"$runs"'}'
    /usr/bin/python3 - "$tmp" "$runs" <<'PY'
import sys
tmp, runs = sys.argv[1], int(sys.argv[2])
t = {k: int(open(f"{tmp}/{k}.total").read()) for k in ("j1-runs", "j1-summ", "j2-runs")}
sim, w = t["j1-summ"], t["j1-runs"] - t["j1-summ"]
print(f"instructions per run: simulation {sim/runs:,.0f}, write {w/runs:,.0f}; write / simulation = {w/sim:.3f}")
print(f"-j2 per-run records: {t['j2-runs']/runs:,.0f} per run in all threads ({t['j2-runs']/t['j1-runs']:.3f} of -j1)")
PY
fi

timeit() {  # label, args... ; prints one line, appends runs/s to $tmp/LABEL.rate
    local label=$1; shift
    local ld; ld=$(load)
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$bin" "$@" >/dev/null 2>&1
    read -r wall user sys rss <"$tmp/t"
    awk -v n="$truns" -v w="$wall" 'BEGIN{printf "%.1f\n", n/w}' >>"$tmp/$label.rate"
    awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v n="$truns" -v ld="$ld" -v rss="$rss" \
        'BEGIN{printf "%-14s wall %6.2f s  cpu %6.2f s  %8.0f runs/s  %6.1f us cpu/run  %6.0f MiB  load %s\n", l, w, u+s, n/w, (u+s)/n*1e6, rss/1024, ld}'
}
echo "== timings, $truns runs, alternated, $repeats repeats"
for r in $(seq "$repeats"); do
    for j in 1 2; do
        timeit "j$j-runs" run scenarios/sco2014.yaml -n "$truns" -j "$j" --seed 7 -q -o "$tmp/t.h5" --force
        timeit "j$j-summ" run scenarios/sco2014.yaml -n "$truns" -j "$j" --seed 7 -q -o "$tmp/s.h5" --force --summary-only
    done
done
median() { sort -n "$tmp/$1.rate" | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for mode in runs summ; do
    a=$(median "j1-$mode"); b=$(median "j2-$mode")
    awk -v m="$mode" -v a="$a" -v b="$b" 'BEGIN{printf "median runs/s, %s: -j1 %.0f, -j2 %.0f, ratio -j2/-j1 = %.2fx\n", (m=="runs"?"per-run records":"summary-only"), a, b, b/a}'
done
