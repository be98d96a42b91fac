#!/usr/bin/env bash
# The one list of Debian 12 packages sco-sim needs. Idempotent: installs only
# what is missing. Not root and something missing: prints the apt-get line and
# exits 1.
#
#   ./scripts/install-deps.sh            build, run, plot and test packages
#   ./scripts/install-deps.sh --slurm    also the single-node Slurm used by the cluster test
#   ./scripts/install-deps.sh --fuzz     also clang, libFuzzer and the sanitizer runtimes (fuzz.sh)
#   ./scripts/install-deps.sh --mpi      also OpenMPI, for the optional MPI build (-DSCO_WITH_MPI=ON)
#   ./scripts/install-deps.sh --browser  also headless Chromium, which tests/python/test_report.py
#                                        opens the HTML report in (the test skips without it)
#   ./scripts/install-deps.sh --check    only report; never install
set -euo pipefail

CORE=(
  build-essential cmake pkg-config git
  ninja-build                   # the scripts' build trees (scripts/lib.sh, sco_generator)
  clang-format                  # the committed .clang-format is checked by ctest
  libeigen3-dev                 # linear algebra (relation matrices)
  libboost-program-options-dev  # command line
  libboost-dev                  # Boost.Random (Sobol sequence), header-only parts
  libhdf5-dev hdf5-tools        # results files
  libyaml-cpp-dev               # scenario files
  librandom123-dev              # counter-based random numbers (Philox)
  libgtest-dev                  # unit tests
  libbenchmark-dev              # microbenchmarks
  python3 python3-numpy python3-h5py python3-matplotlib python3-pytest  # plotting, Python tests
  python3-pil                   # PNG sizes in the figure tests (matplotlib depends on it too)
  libssl-dev                    # SHA-256 of the scenario text (OpenSSL libcrypto)
  libdeflate-dev                # the results files' chunks (zlib streams, faster than zlib)
  nlohmann-json3-dev            # summary --json and its tests (header-only)
)
SLURM=(slurmctld slurmd slurm-client munge)
MPI=(openmpi-bin libopenmpi-dev)
BROWSER=(chromium)             # the report test's screenshot (chromium --headless)
FUZZ=(
  clang                         # libFuzzer targets (scripts/fuzz.sh)
  libclang-rt-14-dev            # libFuzzer, ASan and UBSan runtimes for clang 14
  libomp-dev                    # OpenMP for clang (the runner)
)

want=("${CORE[@]}")
check_only=0
for arg in "$@"; do
  case "$arg" in
    --slurm) want+=("${SLURM[@]}") ;;
    --mpi) want+=("${MPI[@]}") ;;
    --fuzz) want+=("${FUZZ[@]}") ;;
    --browser) want+=("${BROWSER[@]}") ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$check_only" = 1 ]; then
  echo "install-deps: missing: ${missing[*]}" >&2
  echo "  run: sudo apt-get update && sudo $line" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: these Debian packages are missing: ${missing[*]}" >&2
  echo "install them with:" >&2
  echo "  sudo apt-get update && sudo $line" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
