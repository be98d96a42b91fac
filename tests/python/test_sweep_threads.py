"""A summary-only sweep is run by the pipelined runner (sim/experiment/runner.cpp,
run_pipelined: threads take runs across point boundaries, the calling thread writes each
finished point): its file must not depend on the thread count, and its summaries must be
those of the same sweep with per-run records (run by the block runner). Every dataset and
attribute is compared with h5py (assert_same_results of test_sweep_cli.py)."""
import h5py
import pytest

from test_sweep_cli import _same_value, assert_same_results, sweep

# 3 x 2 points of 37 runs: tasks of 8 runs cross point boundaries (37 is not a multiple of 8).
GRID = ["--vary", "agents.UZB.military_reluctance=0.2:0.8:3",
        "--vary", "dynamics.wait_value=0:8:2"]
RUNS = 37


@pytest.fixture(scope="module")
def one_thread(tmp_path_factory):
    out = tmp_path_factory.mktemp("j1") / "j1.h5"
    sweep(out, "-j", "1", "--summary-only", grid=GRID, runs=RUNS)
    return out


@pytest.mark.parametrize("threads", [2, 3])
def test_summary_only_sweep_is_the_same_on_any_thread_count(one_thread, tmp_path, threads):
    out = tmp_path / f"j{threads}.h5"
    sweep(out, "-j", str(threads), "--summary-only", grid=GRID, runs=RUNS)
    assert_same_results(out, one_thread)


def test_summary_only_summaries_equal_those_of_per_run_records(one_thread, tmp_path):
    full = tmp_path / "full.h5"
    sweep(full, "-j", "2", grid=GRID, runs=RUNS)
    with h5py.File(one_thread, "r") as fs, h5py.File(full, "r") as ff:
        names = []
        fs.visit(names.append)
        compared = 0
        for name in names:
            if name.startswith("runs") or not isinstance(fs[name], h5py.Dataset):
                continue
            assert name in ff, f"/{name} is missing from the file with per-run records"
            assert _same_value(fs[name][()], ff[name][()]), f"/{name} differs"
            compared += 1
        assert compared > 10, f"only {compared} datasets compared"
        assert int(fs.attrs["runs"]) == int(ff.attrs["runs"]) == 6 * RUNS
