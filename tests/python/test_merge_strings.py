"""Merging files whose fixed-length string labels differ in length (results format 2 sizes
each file's strings to its own longest label): the parts of a local sweep, and shards
merged by hand, hold different points, so their /points/description widths differ. The
merge takes the widest and keeps every label whole."""
import subprocess

import h5py

from conftest import SMALL, sco_bin

# Sobol points of two factors: values such as 1.5, 0.75 and 2.25 give labels of
# different lengths in different points.
DESIGN = ["--design", "sobol", "--samples", "3", "--vary", "dynamics.threat_weight=0:3",
          "--vary", "dynamics.objection_cost=0:1", "--summary-only", "-q"]


def sweep(*args):
    p = subprocess.run([sco_bin(), "sweep", str(SMALL), *DESIGN, *map(str, args)],
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr
    return p


def labels(path):
    with h5py.File(path, "r") as f:
        return [x.decode() for x in f["/points/description"][:]]


def test_a_sweep_in_parts_merges_labels_of_different_lengths(tmp_path):
    # 50,000 runs per part: 30,000 runs a point puts each point in its own part.
    sweep("-n", 30000, "-o", tmp_path / "parts.h5")
    sweep("-n", 20, "-o", tmp_path / "one.h5")  # the same design in one part
    merged, whole = labels(tmp_path / "parts.h5"), labels(tmp_path / "one.h5")
    assert len({len(s) for s in whole}) > 1, whole  # the case is really exercised
    assert merged == whole


def test_shards_with_labels_of_different_lengths_merge(tmp_path):
    shards = []
    for k in range(1, 7):
        s = tmp_path / f"s{k}.h5"
        sweep("-n", 20, "--shard", f"{k}/6", "-o", s)
        shards.append(s)
    widths = set()
    for s in shards:
        with h5py.File(s, "r") as f:
            widths.add(f["/points/description"].dtype.itemsize)
    assert len(widths) > 1, widths
    p = subprocess.run([sco_bin(), "merge", *map(str, shards), "-o", str(tmp_path / "m.h5"), "-q"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    sweep("-n", 20, "-o", tmp_path / "one.h5")
    assert labels(tmp_path / "m.h5") == labels(tmp_path / "one.h5")
