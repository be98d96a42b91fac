"""The per-run writer encodes chunks on the run's threads and writes them in run order
(H5Dwrite_chunk, sim/io/hdf5_sink.cpp): 1, 2 and 3 threads give the same datasets, value
for value, and the same stored chunks, byte for byte; the chunks hold whole runs."""
import h5py
import numpy as np
import pytest

from conftest import SMALL, sco

RUNS = 5000  # several whole chunks of /runs/flags and a partial one


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("threads")
    out = {}
    for j in (1, 2, 3):
        out[j] = d / f"j{j}.h5"
        sco("run", SMALL, "-n", RUNS, "--seed", 11, "--tension-per-run", "-j", j, "-o", out[j])
    return out


def chunks(ds):
    """Every stored chunk of a dataset: (offset, filter mask, bytes)."""
    sid = ds.id
    return [(sid.get_chunk_info(i).chunk_offset, *sid.read_direct_chunk(sid.get_chunk_info(i).chunk_offset))
            for i in range(sid.get_num_chunks())]


def test_thread_counts_give_identical_runs(files):
    with h5py.File(files[1]) as a, h5py.File(files[2]) as b, h5py.File(files[3]) as c:
        names = sorted(a["runs"])
        assert len(names) == 14 and names == sorted(b["runs"]) == sorted(c["runs"])
        for name in names:
            x = a["runs"][name]
            assert x.shape[0] == RUNS
            for other in (b, c):
                y = other["runs"][name]
                assert x.dtype == y.dtype and x.shape == y.shape and x.chunks == y.chunks, name
                np.testing.assert_array_equal(x[()], y[()], err_msg=name)
                assert chunks(x) == chunks(y), name


def test_chunks_hold_whole_runs_and_the_usual_filters(files):
    with h5py.File(files[2]) as f:
        flags = f["runs/flags"]
        assert flags.chunks[1:] == flags.shape[1:]
        assert flags.compression == "gzip" and not flags.shuffle  # shuffle off since issue 13
        assert RUNS // flags.chunks[0] >= 2, "the test needs several whole chunks"
        assert flags.id.get_num_chunks() == -(-RUNS // flags.chunks[0])
        rep = f["runs/replication"][()]
        np.testing.assert_array_equal(rep, np.arange(RUNS))
