"""The per-run datasets come from one table (core::kRunOutputs in sim/core/record.h):
docs/hdf5-format.md's "Per-run datasets" table is that table, and the datasets a file holds
are the ones a file written before the table existed held, value for value.

The references in tests/data/results/ were first written by commit 5d75c2b (the last before
the table). The engine rule III.4.5 (a refused text is not offered again: 87a1bdd, 2b915a0)
changed the model's numbers on purpose, so they were written again by bbbe63a (whose files
equalled 5d75c2b's) with only those two commits applied, with
    sco-sim run tests/data/scenario/small.yaml -n 40 --seed 7 --tension-per-run -j 2
            -o runs_ref.h5
    sco-sim sweep tests/data/scenario/small.yaml --vary dynamics.wait_value=0:8:2 -n 20
            --seed 7 -j 2 -o sweep_ref.h5
so that every later change that is not a change of the model must keep them. The pressure
bound of docs/model.md III.4.4 (session 16: a great power puts in no more than the text is
worth to it) changed the numbers on purpose; the files were written again by the binary of
that commit, which differs from its parent in that rule only, with the same two commands.
Session 17's reading of a refusal
(III.4.5: under logit choice the sponsor weighs each offer by the chance that the members
that vetoed give way, given what their refusals showed) is another; the same commands wrote
them again with the binary of that commit.
Session 20 changed two rules that reach these files: a sponsor refused transit weighs
leaving its exercise (III.4.7, a681ffa; small.yaml's Russian troops cross Kazakhstan) and
implemented texts never carry the status quo past their own positions (III.5, 3552828).
The same commands wrote them again with the binary of 701fd12, whose files equal those of
the session's last engine change.
"""
import re

import h5py
import numpy as np
import pytest

from conftest import ROOT, SMALL, sco

DOC = (ROOT / "docs" / "hdf5-format.md").read_text()
REFS = ROOT / "tests" / "data" / "results"
TYPES = {"enum uint8": "u1", "uint8": "u1", "int8": "i1", "uint16": "<u2", "int64": "<i8",
         "float32": "<f4", "float64": "<f8"}


def doc_rows():
    m = re.search(r"^### Per-run datasets \(`/runs`\)\n(.*?)(?=^#)", DOC, re.M | re.S)
    assert m, "docs/hdf5-format.md has no '### Per-run datasets (`/runs`)' section"
    rows = re.findall(r"^\| `/runs/(\w+)` \| `([^`]+)` \| ([^|]+?) \| ([^|]+?) \| (.+?) \|$",
                      m.group(1), re.M)
    assert len(rows) >= 14
    return rows


def _s(v):
    return v.decode() if isinstance(v, (bytes, np.bytes_)) else v


@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("table") / "runs.h5"
    sco("run", SMALL, "-n", 40, "--seed", 7, "--tension-per-run", "-j", 2, "-o", out)
    return out


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("table") / "sweep.h5"
    sco("sweep", SMALL, "--vary", "dynamics.wait_value=0:8:2", "-n", 20, "--seed", 7, "-j", 2,
        "-o", out)
    return out


def test_the_doc_table_is_the_code_table(run_file):
    rows = doc_rows()
    with h5py.File(run_file) as f:
        runs = f["runs"]
        assert [r[0] for r in rows] == sorted(runs.keys(), key=[r[0] for r in rows].index)
        assert {r[0] for r in rows} == set(runs.keys())
        for name, axes, kind, unit, meaning in rows:
            ds = runs[name]
            assert _s(ds.attrs["axes"]) == axes, name
            assert _s(ds.attrs["unit"]) == unit, name
            assert _s(ds.attrs["description"]) == meaning, name
            assert ds.dtype.str.replace("|", "") == TYPES[kind].replace("|", ""), name
            assert (h5py.check_enum_dtype(ds.dtype) is not None) == (kind == "enum uint8"), name


def test_the_doc_check_can_fail():
    """A changed meaning in the doc is caught: the parser reads the meaning column."""
    rows = doc_rows()
    assert any(r[4] == "replication index" for r in rows)
    assert all(r[4] != "replication" for r in rows)


@pytest.mark.parametrize("ref", ["runs_ref.h5", "sweep_ref.h5"])
def test_runs_are_those_written_before_the_table(ref, run_file, sweep_file):
    new_file = run_file if ref.startswith("runs") else sweep_file
    with h5py.File(REFS / ref) as ref, h5py.File(new_file) as new:
        assert set(ref["runs"].keys()) == set(new["runs"].keys())
        for name in ref["runs"]:
            a, b = ref["runs"][name], new["runs"][name]
            assert a.dtype == b.dtype, name
            assert a.shape == b.shape, name
            np.testing.assert_array_equal(a[()], b[()], err_msg=name)
            for k in ("axes", "description"):
                assert _s(a.attrs[k]) == _s(b.attrs[k]), (name, k)
        for name in ("labels", "points"):
            for key in ref[name]:
                np.testing.assert_array_equal(ref[name][key][()], new[name][key][()],
                                              err_msg=f"{name}/{key}")
