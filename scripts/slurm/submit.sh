#!/usr/bin/env bash
# Queues an sco-sim sweep on Slurm: a job array with one shard per task, then a merge
# job that runs once every task has succeeded. Prints both job ids and the path of the
# result. Walkthrough: docs/cluster.md.
#
# The repository (or at least sco-sim, the scenario files and the output folder) must be
# on a filesystem that the compute nodes see under the same path (home, project or
# scratch space; not /tmp of the login node).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

usage() {
  cat <<'EOF'
usage: scripts/slurm/submit.sh --shards N --output FILE [OPTIONS] --file SWEEP.yaml [SWEEP OPTIONS]
       scripts/slurm/submit.sh --shards N --output FILE [OPTIONS] SCENARIO --vary PATH=LO:HI:STEPS ... [SWEEP OPTIONS]
       scripts/slurm/submit.sh --calibrate --shards N --output FILE [OPTIONS] SCENARIO EVENTS --vary PATH[=LO:HI] ... [CALIBRATE OPTIONS]

Queues an array of N jobs, task K running `sco-sim sweep ... --shard K/N --resume`,
and a job that merges the N shard files into FILE once all have succeeded.

options:
  --shards N           array tasks (shards of the sweep's points) [required]
  --output FILE        the merged results file [required]
  --outdir DIR         folder for the shard files and logs [FILE without .h5, plus .shards]
  --cpus-per-task C    threads per shard (sco-sim -j C) [4, from sweep-array.sbatch]
  --partition P        Slurm partition [the cluster's default]
  --time T             time limit of each array task, e.g. 02:00:00 [2 h]
  --mem M              memory of each array task, e.g. 4G [1G]
  --account A          Slurm account to charge
  --sbatch-arg ARG     any other sbatch option for both jobs (repeatable), e.g. --sbatch-arg=--qos=short
  --array-tasks LIST   queue only these array indices, e.g. 3,7 or 2-4 (re-running failed shards)
  --sco-sim PATH       the sco-sim binary [REPO/build/bin/sco-sim]
  --calibrate          queue a rejection calibration (sco-sim calibrate, points sharded) instead of a sweep
  --force              replace FILE if it exists
  --wait               wait for the merge job (sbatch --wait); exit with its status
  --dry-run            print the sbatch commands instead of running them
  -h, --help           this help

Every other argument (and everything after --) goes to `sco-sim sweep`: --file SWEEP.yaml,
or SCENARIO --vary ..., -n, --seed, --design, --samples, --set, --summary-only, -q.
Not allowed there: -o, --shard, --resume, -j (this script sets them).
With --calibrate they go to `sco-sim calibrate` (SCENARIO EVENTS --vary ... --points N -n R
--seed S --quantile Q); the merge job then writes the posterior. Not allowed there either:
--method smc (its generations depend on each other: run it as one job), --write-scenario
(run `sco-sim calibrate --merge ... --write-scenario` on the merged shards yourself).
EOF
}

die() {
  echo "submit: error: $*" >&2
  exit 2
}

shards=""
output=""
outdir=""
cpus=""
partition=""
time_limit=""
mem=""
account=""
extra=()
array_tasks=""
sco=""
force=0
command=sweep
wait=0
dry=0
sweep=()

need() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --shards) need "$@"; shards="$2"; shift 2 ;;
    --shards=*) shards="${1#*=}"; shift ;;
    --output|-o) need "$@"; output="$2"; shift 2 ;;
    --output=*) output="${1#*=}"; shift ;;
    --outdir) need "$@"; outdir="$2"; shift 2 ;;
    --outdir=*) outdir="${1#*=}"; shift ;;
    --cpus-per-task|-c) need "$@"; cpus="$2"; shift 2 ;;
    --cpus-per-task=*) cpus="${1#*=}"; shift ;;
    --partition|-p) need "$@"; partition="$2"; shift 2 ;;
    --partition=*) partition="${1#*=}"; shift ;;
    --time|-t) need "$@"; time_limit="$2"; shift 2 ;;
    --time=*) time_limit="${1#*=}"; shift ;;
    --mem) need "$@"; mem="$2"; shift 2 ;;
    --mem=*) mem="${1#*=}"; shift ;;
    --account|-A) need "$@"; account="$2"; shift 2 ;;
    --account=*) account="${1#*=}"; shift ;;
    --sbatch-arg) need "$@"; extra+=("$2"); shift 2 ;;
    --sbatch-arg=*) extra+=("${1#*=}"); shift ;;
    --array-tasks) need "$@"; array_tasks="$2"; shift 2 ;;
    --array-tasks=*) array_tasks="${1#*=}"; shift ;;
    --sco-sim) need "$@"; sco="$2"; shift 2 ;;
    --sco-sim=*) sco="${1#*=}"; shift ;;
    --force) force=1; shift ;;
    --calibrate) command=calibrate; shift ;;
    --wait) wait=1; shift ;;
    --dry-run) dry=1; shift ;;
    --) shift; sweep+=("$@"); break ;;
    # --file takes a value; keep the pair together and make the path absolute.
    --file|-f) need "$@"; sweep+=(--file "$(realpath -m -- "$2")"); shift 2 ;;
    --file=*) sweep+=(--file "$(realpath -m -- "${1#*=}")"); shift ;;
    *) sweep+=("$1"); shift ;;
  esac
done

[ -n "$shards" ] || die "give the number of array tasks: --shards N (see --help)"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "--shards must be a positive integer, not '$shards'"
[ -n "$output" ] || die "give the merged results file: --output FILE (see --help)"
[ -z "$cpus" ] || [[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "--cpus-per-task must be a positive integer, not '$cpus'"
[ ${#sweep[@]} -gt 0 ] || die "no sweep given: add --file SWEEP.yaml, or SCENARIO --vary PATH=LO:HI:STEPS ... (see --help)"
for a in "${sweep[@]}"; do
  case "$a" in
    -o|--shard|--shard=*|--resume|-j|--threads|--threads=*|-j[0-9]*)
      die "'$a' is set by the job scripts; leave it out (the merged file is --output)" ;;
    smc|--method=smc)
      [ "$command" = calibrate ] && die "--method smc cannot be sharded (its generations depend on each other); run it as one job" ;;
    --write-scenario|--write-scenario=*)
      [ "$command" = calibrate ] && die "'$a' needs the whole posterior: run sco-sim calibrate --merge SHARDS -o FILE $a OUT.yaml after the jobs" ;;
  esac
done
if [ -n "$array_tasks" ]; then
  [[ "$array_tasks" =~ ^[0-9,-]+$ ]] || die "--array-tasks takes indices like 3,7 or 2-4, not '$array_tasks'"
fi

# sco-sim: default the repository's build; the compute nodes run the same path.
[ -n "$sco" ] || sco="$repo/build/bin/sco-sim"
sco="$(realpath -m -- "$sco")"
if [ ! -x "$sco" ]; then
  die "sco-sim not found at $sco; build it on the login node first:
  cmake -S $repo -B $repo/build -DCMAKE_BUILD_TYPE=Release && cmake --build $repo/build -j 4 --target sco-sim
or pass --sco-sim PATH"
fi
"$sco" --version >/dev/null 2>&1 || die "$sco does not run here (try: $sco --version)"

output="$(realpath -m -- "$output")"
case "$output" in *.h5) ;; *) die "--output should be an .h5 file, not '$output'" ;; esac
[ -n "$outdir" ] || outdir="${output%.h5}.shards"
outdir="$(realpath -m -- "$outdir")"
if [ -e "$output" ] && [ $force -eq 0 ]; then
  die "$output exists; pass --force to replace it, or choose another --output"
fi
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a Slurm login node (or module load slurm)"

for p in "$outdir" "$sco"; do
  case "$p/" in
    /tmp/*|/var/tmp/*|/dev/shm/*)
      echo "submit: note: $p is under a local temporary folder; on a multi-node cluster the" \
           "compute nodes must see it under the same path (use home, project or scratch space)" >&2 ;;
  esac
done

# The shard folder belongs to one sweep: refuse to mix shards of different sweeps.
fingerprint="shards=$shards
$([ "$command" = sweep ] || echo "command=$command")$(printf '%q\n' "${sweep[@]}")"
if [ $dry -eq 0 ]; then
  mkdir -p "$outdir/logs" || die "cannot create $outdir/logs"
  if [ -f "$outdir/sweep.args" ]; then
    if [ "$(cat "$outdir/sweep.args")" != "$fingerprint" ]; then
      die "$outdir holds the shards of another sweep (see $outdir/sweep.args);
choose another --outdir (or --output), or delete that folder"
    fi
  else
    printf '%s\n' "$fingerprint" >"$outdir/sweep.args"
  fi
fi

common=(--chdir "$PWD")
[ -n "$partition" ] && common+=(--partition "$partition")
[ -n "$account" ] && common+=(--account "$account")
common+=("${extra[@]}")

array_opts=(--parsable --array "${array_tasks:-1-$shards}" --job-name "sco-$command"
            --output "$outdir/logs/sweep-%A_%a.out" "${common[@]}")
[ -n "$cpus" ] && array_opts+=(--cpus-per-task "$cpus")
[ -n "$time_limit" ] && array_opts+=(--time "$time_limit")
[ -n "$mem" ] && array_opts+=(--mem "$mem")
array_cmd=(sbatch "${array_opts[@]}" "$here/sweep-array.sbatch"
           --shards "$shards" --outdir "$outdir" --sco-sim "$sco" --command "$command" -- "${sweep[@]}")

merge_args=(--shards "$shards" --outdir "$outdir" --output "$output" --sco-sim "$sco")
[ $force -eq 1 ] && merge_args+=(--force)
merge_opts=(--parsable --job-name sco-merge --output "$outdir/logs/merge-%j.out"
            --kill-on-invalid-dep=yes "${common[@]}")

if [ $dry -eq 1 ]; then
  printf '%q ' "${array_cmd[@]}"; echo
  printf '%q ' sbatch "${merge_opts[@]}" --dependency=afterok:ARRAY_JOB_ID "$here/merge.sbatch" "${merge_args[@]}"; echo
  exit 0
fi

array_id="$("${array_cmd[@]}")" || die "sbatch refused the array job (command: ${array_cmd[*]})"
array_id="${array_id%%;*}"
[[ "$array_id" =~ ^[0-9]+$ ]] || die "unexpected answer from sbatch: '$array_id'"
echo "array job: $array_id (tasks ${array_tasks:-1-$shards} of $shards; logs: $outdir/logs/sweep-${array_id}_K.out)"

merge_opts+=(--dependency "afterok:$array_id")
[ $wait -eq 1 ] && merge_opts+=(--wait)
merge_cmd=(sbatch "${merge_opts[@]}" "$here/merge.sbatch" "${merge_args[@]}")
if [ $wait -eq 0 ]; then
  merge_id="$("${merge_cmd[@]}")" ||
    die "sbatch refused the merge job; the array $array_id is queued: cancel it with scancel $array_id"
  merge_id="${merge_id%%;*}"
  echo "merge job: $merge_id (runs when every task of $array_id has succeeded; log: $outdir/logs/merge-$merge_id.out)"
  echo "result:    $output"
  echo "watch:     squeue -j $array_id,$merge_id    details: scontrol show job $array_id"
  exit 0
fi

# --wait: sbatch --wait prints the id at submission and returns when the job ends.
idfile="$(mktemp)"
trap 'rm -f "$idfile"' EXIT
"${merge_cmd[@]}" >"$idfile" &
waiter=$!
trap 'kill "$waiter" 2>/dev/null; echo "submit: stopped waiting; the jobs stay queued (squeue -j $array_id${merge_id:+,$merge_id})" >&2; exit 130' INT TERM
merge_id=""
for _ in $(seq 600); do
  merge_id="$(head -n1 "$idfile" 2>/dev/null || true)"
  [ -n "$merge_id" ] && break
  kill -0 "$waiter" 2>/dev/null || break
  sleep 0.1
done
merge_id="${merge_id%%;*}"
echo "merge job: ${merge_id:-?} (runs when every task of $array_id has succeeded; log: $outdir/logs/merge-${merge_id:-JOBID}.out)"
echo "result:    $output"
echo "waiting for the merge job (sbatch --wait) ..."
set +e
wait "$waiter"
status=$?
set -e
if [ $status -eq 0 ] && [ -f "$output" ]; then
  echo "done: $output"
  exit 0
fi
state=""
if [ -n "$merge_id" ]; then
  state="$(scontrol -o show job "$merge_id" 2>/dev/null | grep -o 'JobState=[^ ]* Reason=[^ ]*' || true)"
fi
if [ $status -eq 0 ]; then
  # sbatch --wait also returns 0 for a job cancelled because its dependency failed.
  echo "submit: error: the merge job ${merge_id:-?} did not run or wrote nothing ${state:+($state)};" \
       "an array task of $array_id failed." >&2
else
  echo "submit: error: the merge job ${merge_id:-?} failed (exit status $status${state:+, $state})." >&2
fi
missing=()
for ((k = 1; k <= shards; k++)); do
  [ -f "$outdir/shard-$k-of-$shards.h5" ] || missing+=("$k")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "submit: array task(s) without a shard file: ${missing[*]}; see $outdir/logs/sweep-${array_id}_K.out." >&2
  echo "submit: run the same submit.sh command again (finished shards are skipped), or add --array-tasks $(IFS=,; echo "${missing[*]}")" >&2
else
  echo "submit: see $outdir/logs/merge-${merge_id:-JOBID}.out" >&2
fi
exit $(( status == 0 ? 1 : status ))
