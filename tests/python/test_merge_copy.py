"""The merge copies the stored /summary chunks of shards that line up with the merged file
(issue 13 item 1; docs/hdf5-format.md, "Merged files"). Checked from the command line:
the same sweep merged from two shards of 64 points (every chunk row lines up: copied),
from three shards (shards 2 and 3 begin inside a chunk row: decoded and encoded again)
and run whole holds the same content, dataset by dataset and attribute by attribute; and
a stored chunk that does not decode fails the merge with exit 2 naming the shard, with
the child's reading (the default) and without it (SCO_SIM_READ_UNGUARDED=1, where only
the copy's own check of each chunk stands between the bytes and the merged file)."""
import os
import subprocess

import h5py
import numpy as np
import pytest

from conftest import SMALL, sco_bin

# Two factors, 32 base rows: 32 x (2 + 2) = 128 Sobol points; 10 runs a point.
DESIGN = ["--design", "sobol", "--samples", "32", "--vary", "dynamics.threat_weight=0:3",
          "--vary", "dynamics.objection_cost=0:1", "--summary-only", "-q", "-n", "10",
          "--seed", "5"]
OWN = {"command_line", "created", "merged_from", "merged_by"}


def sco(*args, env=None):
    return subprocess.run([sco_bin(), *map(str, args)], capture_output=True, text=True,
                          timeout=900, env=env)


def sweep(out, *extra):
    p = sco("sweep", SMALL, *DESIGN, *extra, "-o", out)
    assert p.returncode == 0, p.stderr


def content(path):
    """Every dataset's values and every attribute, by path (the root's own attributes out)."""
    out = {}
    with h5py.File(path, "r") as f:
        out["/"] = {k: v for k, v in f.attrs.items() if k not in OWN}

        def visit(name, obj):
            attrs = dict(obj.attrs.items())
            if isinstance(obj, h5py.Dataset):
                out[name] = (obj.dtype.str, obj.shape, obj[()], attrs)
            else:
                out[name] = attrs
        f.visititems(visit)
    return out


def same(a, b):
    assert sorted(a) == sorted(b)
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, tuple):
            assert x[:2] == y[:2], k
            assert np.array_equal(x[2], y[2], equal_nan=x[2].dtype.kind == "f"), k
            x, y = x[3], y[3]
        assert sorted(x) == sorted(y), k
        for n in x:
            assert np.array_equal(np.asarray(x[n]), np.asarray(y[n])), (k, n)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("merge_copy")
    sweep(d / "whole.h5")
    for count in (2, 3):
        shards = [d / f"s{count}-{k}.h5" for k in range(1, count + 1)]
        for k, s in enumerate(shards, 1):
            sweep(s, "--shard", f"{k}/{count}")
        p = sco("merge", *shards, "-o", d / f"merged{count}.h5")
        assert p.returncode == 0, p.stderr
    return d


def test_shards_on_chunk_rows_merge_to_the_same_content(files):
    with h5py.File(files / "s2-2.h5", "r") as f:
        assert f.attrs["first_point"] == 64  # the second shard begins at a chunk row
        d = f["/summary/raw/outcome_counts"]
        assert d.chunks[0] == 64 and d.compression_opts == 1 and not d.shuffle
    with h5py.File(files / "merged2.h5", "r") as f:
        d = f["/summary/raw/outcome_counts"]
        assert d.chunks[0] == 64 and d.compression_opts == 1 and not d.shuffle
        assert "sensitivity" in f
    whole = content(files / "whole.h5")
    same(content(files / "merged2.h5"), whole)  # copied
    same(content(files / "merged3.h5"), whole)  # mostly decoded and encoded again


def corrupt_first_chunk(path, dataset):
    with h5py.File(path, "r") as f:
        info = f[dataset].id.get_chunk_info(0)
    with open(path, "r+b") as f:
        f.seek(info.byte_offset + info.size // 2)
        b = bytearray(f.read(8))
        f.seek(info.byte_offset + info.size // 2)
        f.write(bytes(x ^ 0x5A for x in b))


@pytest.mark.parametrize("guarded", [True, False])
def test_a_copied_chunk_that_does_not_decode_is_refused(files, tmp_path, guarded):
    shards = []
    for k in (1, 2):
        shards.append(tmp_path / f"s{k}.h5")
        shards[-1].write_bytes((files / f"s2-{k}.h5").read_bytes())
    corrupt_first_chunk(shards[1], "/summary/raw/outcome_counts")
    env = dict(os.environ)
    if not guarded:
        env["SCO_SIM_READ_UNGUARDED"] = "1"
    p = sco("merge", *shards, "-o", tmp_path / "m.h5", env=env)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert str(shards[1]) in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and "Segmentation" not in p.stderr
    if not guarded:
        assert "stored chunk" in p.stderr, p.stderr  # refused by the copy's own check
    assert not (tmp_path / "m.h5").exists()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["s1.h5", "s2.h5"]
