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

# Configures build/ (Release, tests on) once; later calls reuse it.
sco_configure() {
  local werror="${SCO_WERROR:-OFF}"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSCO_BUILD_TESTS=ON -DSCO_WERROR="$werror" >/dev/null
}
