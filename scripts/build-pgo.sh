#!/usr/bin/env bash
# A profile-guided build of sco-sim (GCC's -fprofile-generate / -fprofile-use), for long
# sweeps: 3-9% less time per decision than the default Release build on this project's
# machine, and the same numbers (docs/cluster.md, "A profile-guided build";
# docs/performance.md, "Session 14: build options measured").
#
#   scripts/build-pgo.sh [--bench] [BUILD_DIR] [-- CMAKE_ARGS...]
#
# In BUILD_DIR (default build-pgo/): builds an instrumented sco-sim (SCO_PGO=GENERATE), trains
# it on the baseline (scenarios/sco2014.yaml: runs with and without per-run records, a small
# sweep; the 2001 history scenario; about 10 s), then builds sco-sim again from the profile
# (SCO_PGO=USE). The binary is BUILD_DIR/bin/sco-sim; its --version ends in
# ", profile-guided". --bench builds the microbenchmarks (sco-bench) the same way, trained on
# BM_Floor too, so that scripts/bench.sh --pgo compares like with like. CMAKE_ARGS go to
# both configures (e.g. -DCMAKE_CXX_FLAGS=-march=native). Rerun the script after changing
# the sources: a profile describes the code it was trained on. Dependencies are not
# installed here: run ./scripts/install-deps.sh first, as for any build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

usage="usage: scripts/build-pgo.sh [--bench] [BUILD_DIR] [-- CMAKE_ARGS...]"
BUILD=build-pgo
bench=0
have_dir=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    --bench) bench=1 ;;
    --) shift; break ;;
    -*) echo "build-pgo.sh: unknown option '$1' ($usage)" >&2; exit 2 ;;
    *)
      if [ "$have_dir" = 1 ]; then
        echo "build-pgo.sh: unexpected '$1' ($usage)" >&2
        exit 2
      fi
      BUILD=$1
      have_dir=1
      ;;
  esac
  shift
done
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PROFILE=$BUILD/pgo-profile
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

configure() {  # $1: GENERATE or USE; the rest: the user's cmake arguments
  local mode=$1
  shift
  # shellcheck disable=SC2046  # "-G Ninja" is two words
  cmake $(sco_generator "$BUILD") -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
        -DSCO_BUILD_TESTS=OFF -DSCO_BUILD_BENCHMARKS="$benchmarks" -DCMAKE_UNITY_BUILD=ON \
        -DSCO_PGO="$mode" -DSCO_PGO_DIR="$PROFILE" "$@" >/dev/null
}

targets=(sco-sim)
benchmarks=OFF
if [ "$bench" = 1 ]; then
  targets+=(sco-bench)
  benchmarks=ON
fi

echo "== 1/3 instrumented build into ${BUILD#"$ROOT"/}/"
rm -rf "$PROFILE"
configure GENERATE "$@"
cmake --build "$BUILD" -j"$(nproc)" --target "${targets[@]}"

echo "== 2/3 training on scenarios/sco2014.yaml"
sco=$BUILD/bin/sco-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# What sweeps spend their time on: the engine with and without per-run records, sampling,
# the writer; the history scenario for the score and calibration paths' runs.
"$sco" run scenarios/sco2014.yaml -n 3000 -j1 -o "$tmp/records.h5" -q
"$sco" run scenarios/sco2014.yaml -n 3000 -j2 --summary-only -o "$tmp/summary.h5" -q
"$sco" sweep scenarios/sco2014.yaml --design sobol --samples 4 -n 200 -j2 --summary-only \
      --vary dynamics.objection_cost=0:0.5 --vary agents.UZB.military_reluctance=0.5:1 \
      -o "$tmp/sweep.h5" -q
"$sco" run scenarios/history/sco2001.yaml -n 1000 -j1 -o "$tmp/history.h5" -q
if [ "$bench" = 1 ]; then
  "$BUILD/bin/sco-bench" --benchmark_filter='^BM_Floor$' --benchmark_min_time=0.5 >/dev/null
fi
if ! compgen -G "$PROFILE/*.gcda" >/dev/null; then
  echo "build-pgo.sh: the training wrote no profile into $PROFILE" >&2
  exit 1
fi

echo "== 3/3 build from the profile"
configure USE "$@"
cmake --build "$BUILD" -j"$(nproc)" --target "${targets[@]}"
"$sco" --version
echo "built $sco (profile-guided; the profile is in ${PROFILE#"$ROOT"/}/)"
