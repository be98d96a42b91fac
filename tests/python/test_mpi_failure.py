"""No hang under MPI (issue 13, item 6): a worker that fails reports to rank 0, which stops
every rank and exits non-zero with the worker's message; a failure on rank 0 (the writer)
stops the workers the same way. Nothing is left at the output path.

Failures are made deterministic with the test-only environment variable
SCO_SIM_TEST_FAULT (docs/cli.md): `point:K` makes the worker given point K throw as the
model would on a bad point; `write:K` makes rank 0 throw when it writes point K, as a full
disk would. A real failure of the same kind is also checked: a worker whose output folder
is unusable cannot happen (only rank 0 writes), but rank 0's can: an output whose folder is
a regular file.

Uses the MPI build test_mpi.mpi_bin finds (SCO_SIM_MPI_BIN, build/mpi/, build-mpi/); skips,
saying why, only where no MPI build or mpirun exists. The subprocess timeout is a guard
against the hang this test is about: reaching it fails the test."""
import os
import subprocess

import pytest

from conftest import ROOT
from test_mpi import mpi_bin

BASE = str(ROOT / "scenarios" / "sco2014.yaml")
# 8 points: with 2 or 3 ranks every worker gets points before and after the faulty one.
GRID = ["--vary", "agents.UZB.military_reluctance=0.2:0.8:4", "--vary", "relations.tension.TJK-UZB=0.1:0.5:2",
        "-n", "200", "--seed", "11", "-j", "1"]
HANG_GUARD = 300


def mpirun(ranks, out, fault=None, extra=()):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env.pop("SCO_SIM_TEST_FAULT", None)
    if fault:
        env["SCO_SIM_TEST_FAULT"] = fault
    cmd = ["mpirun", "-np", str(ranks), "--oversubscribe", mpi_bin(), "sweep", BASE, *GRID, *extra,
           "-o", str(out)]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(cmd)} (SCO_SIM_TEST_FAULT={fault}) did not end within {HANG_GUARD} s: "
                    "a rank waits forever")


def assert_stopped(proc, out, status, *words):
    text = proc.stdout + proc.stderr
    assert proc.returncode == status, f"exit {proc.returncode}, expected {status}:\n{text}"
    for w in words:
        assert w in proc.stderr, f"'{w}' not in stderr:\n{proc.stderr}"
    assert "MPI_ABORT" not in text, f"rank 0 should stop the workers itself:\n{text}"
    assert not out.exists(), "nothing may be left at the output path"
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith("." + out.name)]
    assert leftovers == [], f"temporary files left: {leftovers}"


@pytest.mark.parametrize("ranks", [2, 3])
@pytest.mark.parametrize("point", [0, 5, 7])
def test_a_failing_worker_stops_the_sweep(tmp_path, ranks, point):
    out = tmp_path / "r.h5"
    proc = mpirun(ranks, out, fault=f"point:{point}")
    assert_stopped(proc, out, 1, f"failed on point {point}", "fault injected by SCO_SIM_TEST_FAULT",
                   "MPI worker (rank ", f"stopped all {ranks - 1} MPI workers", str(out))


@pytest.mark.parametrize("ranks", [2, 3])
@pytest.mark.parametrize("point", [0, 6])
def test_a_failing_writer_stops_the_workers(tmp_path, ranks, point):
    out = tmp_path / "r.h5"
    proc = mpirun(ranks, out, fault=f"write:{point}")
    assert_stopped(proc, out, 1, f"writing point {point}", "fault injected by SCO_SIM_TEST_FAULT",
                   f"stopped all {ranks - 1} MPI workers")


@pytest.mark.parametrize("ranks", [2, 3])
def test_an_unwritable_output_stops_the_workers(tmp_path, ranks):
    (tmp_path / "file").write_text("a regular file, not a folder")
    out = tmp_path / "file" / "r.h5"
    proc = mpirun(ranks, out)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "file" in proc.stderr, proc.stderr
    assert not out.exists()


def test_a_bad_fault_value_is_a_usage_error(tmp_path):
    out = tmp_path / "r.h5"
    proc = mpirun(2, out, fault="point:x")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "SCO_SIM_TEST_FAULT" in proc.stderr
    assert not out.exists()


def test_without_a_fault_the_sweep_completes(tmp_path):
    # The control: the same command without SCO_SIM_TEST_FAULT writes the file.
    out = tmp_path / "r.h5"
    proc = mpirun(3, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.exists()
