"""The MPI build: under mpirun the sweep hands points out dynamically and rank 0 writes
one file whose every dataset equals a one-machine run of the same sweep.

Uses SCO_SIM_MPI_BIN (ctest sets it to the tree's mpi/bin/sco-sim when the tree builds
it: -DSCO_BUILD_MPI_VARIANT=ON, as scripts/test.sh does), else build/mpi/bin/sco-sim,
else build-mpi/bin/sco-sim (a separate -DSCO_WITH_MPI=ON build, docs/cluster.md). Skips, saying why, only where no MPI build or mpirun exists."""
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import ROOT, sco_bin

BASE = str(ROOT / "scenarios" / "sco2014.yaml")
GRID = ["--vary", "agents.UZB.military_reluctance=0.2:0.8:4", "--vary", "relations.tension.TJK-UZB=0.1:0.5:2",
        "-n", "300", "--seed", "11"]
# How and when each file was made; git_commit too, because the two files come from two
# builds (two trees, or one tree's two binaries) whose commit strings may differ.
IGNORE = {"command_line", "created", "merged_from", "merged_by", "git_commit"}


def mpi_bin():
    b = os.environ.get("SCO_SIM_MPI_BIN")
    if not b:
        tried = [ROOT / "build" / "mpi" / "bin" / "sco-sim", ROOT / "build-mpi" / "bin" / "sco-sim"]
        b = str(next((t for t in tried if t.exists()), tried[0]))
    if not os.path.exists(b):
        pytest.skip(f"no MPI build at {b} (scripts/test.sh builds it with -DSCO_BUILD_MPI_VARIANT=ON)")
    if not shutil.which("mpirun"):
        pytest.skip("mpirun not found (install openmpi-bin: scripts/install-deps.sh --mpi)")
    return b


def datasets(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
        attrs = {k: f.attrs[k] for k in f.attrs if k not in IGNORE}
    return out, attrs


@pytest.mark.parametrize("ranks", [2, 3])
def test_mpi_sweep_equals_a_local_sweep(tmp_path, ranks):
    b = mpi_bin()
    local, mpi = tmp_path / "local.h5", tmp_path / "mpi.h5"
    subprocess.run([sco_bin(), "sweep", BASE, *GRID, "-q", "-o", str(local)], check=True)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    proc = subprocess.run(["mpirun", "-np", str(ranks), "--oversubscribe", b, "sweep", BASE, *GRID, "-j", "1",
                           "-o", str(mpi)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"on {ranks - 1} MPI workers" in proc.stdout
    a, aa = datasets(local)
    m, ma = datasets(mpi)
    assert set(a) == set(m)
    for k in a:
        assert np.array_equal(a[k], m[k], equal_nan=a[k].dtype.kind == "f"), k
    assert set(aa) == set(ma)
    for k in aa:
        assert np.array_equal(np.asarray(aa[k]), np.asarray(ma[k])), k


def test_mpi_refuses_shards(tmp_path):
    b = mpi_bin()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    proc = subprocess.run(["mpirun", "-np", "2", "--oversubscribe", b, "sweep", BASE, *GRID, "--shard", "1/2",
                           "-o", str(tmp_path / "x.h5")], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "dynamically" in proc.stderr
