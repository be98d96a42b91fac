# Shared by the scripts; source it, do not run it.

# Prints the path of a Python interpreter that has numpy, h5py and matplotlib.
# On Debian machines where another python3 comes first on PATH (pyenv, conda),
# Debian's packages live under /usr/bin/python3, so both are tried.
sco_python() {
  local cand
  for cand in "${SCO_PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$cand" ] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c 'import numpy, h5py, matplotlib' >/dev/null 2>&1; then
      command -v "$cand"
      return 0
    fi
  done
  echo "error: no Python with numpy, h5py and matplotlib found;" \
       "install them: sudo apt-get install python3-numpy python3-h5py python3-matplotlib" >&2
  return 1
}

# Prints "-G Ninja" for a build directory not configured yet, when ninja is installed
# (install-deps.sh installs ninja-build): Ninja compiles a target's files while the libraries
# they use still link and runs several cmake --build targets as one graph, so both cores stay
# busy through the unity builds' large batches (docs/robustness.md, "CI time"). A directory
# already configured keeps its generator (CMake refuses to change it).
sco_generator() {
  if [ ! -f "$1/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then echo "-G Ninja"; fi
}

# Configures build/ (Release, tests on) once; later calls reuse it.
sco_configure() {
  local werror="${SCO_WERROR:-OFF}"
  # shellcheck disable=SC2046  # "-G Ninja" is two words
  cmake $(sco_generator build) -S . -B build -DCMAKE_BUILD_TYPE=Release -DSCO_BUILD_TESTS=ON -DSCO_WERROR="$werror" >/dev/null
}
