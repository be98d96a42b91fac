#!/usr/bin/env bash
# The per-run writer (issue 13 item 2), measured without trusting wall-clock ratios on a
# loaded machine: instructions per thread with callgrind (--separate-threads=yes), CPU
# time (user + system) and wall time with the load average, and the file size.
#
#   scripts/bench_writer.sh [SCO_SIM_BIN]      (default build-attack/bin/sco-sim)
#   RUNS=3000 (callgrind runs), TRUNS=100000 (timed runs), REPEATS=3
#
# Prints, for `sco-sim run scenarios/sco2014.yaml`: instructions of the simulating thread
# and of every other thread (the writer's: HDF5, shuffle, deflate), their ratio, and then
# -j1 / -j2 timings with per-run records and --summary-only.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build-attack/bin/sco-sim}
runs=${RUNS:-3000}
truns=${TRUNS:-100000}
repeats=${REPEATS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== callgrind, $runs runs, -j1, per-run records ($(uptime | sed 's/.*load/load/'))"
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/cg.out" \
    "$bin" run scenarios/sco2014.yaml -n "$runs" -j 1 --seed 7 -o "$tmp/cg.h5" >/dev/null 2>"$tmp/cg.log"
ls -l "$tmp/cg.h5" | awk '{printf "file size: %d bytes, %.1f bytes per run\n", $5, $5 / '"$runs"'}'
/usr/bin/python3 - "$tmp" "$runs" <<'PY'
import glob, re, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
per = []
for f in sorted(glob.glob(f"{tmp}/cg.out*")):
    txt = open(f).read()
    m = re.search(r"^totals:\s+(\d+)", txt, re.M) or re.search(r"^summary:\s+(\d+)", txt, re.M)
    per.append((int(m.group(1)) if m else 0, f))
per.sort(reverse=True)
sim = per[0][0]
rest = sum(p for p, _ in per[1:])
print(f"threads: {len(per)}; largest (the simulating thread): {sim/1e6:.1f} M, "
      f"all others (writer side): {rest/1e6:.1f} M")
print(f"instructions per run: simulation {sim/runs:,.0f}, writer {rest/runs:,.0f}; "
      f"writer / simulation = {rest/sim:.3f}")
w = rest / sim
print(f"2-core cap of the 2-thread speed-up wherever the write runs: 2/(1+{w:.3f}) = {2/(1+w):.2f}x")
PY

timeit() {  # label, args...
    local label=$1; shift
    for r in $(seq "$repeats"); do
        local load; load=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$bin" "$@" >/dev/null 2>&1
        read -r wall user sys <"$tmp/t"
        awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v n="$truns" -v ld="$load" \
            'BEGIN{printf "%-28s wall %6.2f s  cpu %6.2f s  %8.0f runs/s wall  %6.1f us cpu/run  load %s\n", l, w, u+s, n/w, (u+s)/n*1e6, ld}'
    done
}
echo "== timings, $truns runs"
for j in 1 2; do
    timeit "-j$j per-run records" run scenarios/sco2014.yaml -n "$truns" -j "$j" --seed 7 -o "$tmp/t.h5" --force
    timeit "-j$j summary-only" run scenarios/sco2014.yaml -n "$truns" -j "$j" --seed 7 -o "$tmp/s.h5" --force --summary-only
done
