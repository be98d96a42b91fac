"""The results file agrees with docs/hdf5-format.md, and its summaries with its runs."""
import hashlib
import re

import h5py
import numpy as np
import pytest

from conftest import ROOT, RUNS, SEED, SMALL, make_results

DOC = (ROOT / "docs" / "hdf5-format.md").read_text()
SCALE = 2.0 ** 32


def _s(v):
    """A string attribute as text (format 2 stores fixed-length strings: h5py gives bytes)."""
    return v.decode() if isinstance(v, (bytes, np.bytes_)) else v


def _section(title):
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", DOC, re.M | re.S)
    assert m, f"docs/hdf5-format.md has no '## {title}' section"
    return m.group(1)


DATASETS = re.findall(r"^\| `(/[^`]+)` \| `([^`]+)` \| ([^|]+?) \|", _section("Datasets"), re.M)
ROOT_ATTRS = re.findall(r"^\| `(\w+)` \| (\w+) \|", _section("Root attributes"), re.M)
AXES = re.findall(r"^\| `(\w+)` \|", _section("Axes"), re.M)


def axis_length(f, axis):
    lab = f["labels"]
    rules = {
        "run": lambda: int(f.attrs["runs"]),
        "point": lambda: int(f.attrs["points"]),
        "period": lambda: len(lab["periods"]),
        "proposal": lambda: len(lab["proposals"]),
        "agent": lambda: len(lab["agents"]),
        "dimension": lambda: len(lab["dimensions"]),
        "threat": lambda: len(lab["threats"]),
        "pair": lambda: len(lab["agents"]) * (len(lab["agents"]) - 1) // 2,
        "tension_pair": lambda: len(lab["tension_pairs"]),
        "outcome": lambda: 7,
        "flag": lambda: len(lab["flags"]),
        "param": lambda: len(lab["params"]),
        "point_param": lambda: len(lab["point_params"]),
        "factor": lambda: len(lab["factors"]),
        "quantile": lambda: 3,
        "round": lambda: int(f["summary/raw/max_rounds"][()].max()),
        "rounds_bin": lambda: int(f["summary/raw/max_rounds"][()].max()) + 1,
        "dilution_bin": lambda: 20,
        "dilution_edge": lambda: 21,
        "tension_bin": lambda: 200,
        "tension_edge": lambda: 201,
        "adoption_bin": lambda: len(lab["periods"]) + 1,
    }
    assert axis in rules, f"axis {axis!r} has no length rule in this test"
    return rules[axis]()


def all_datasets(f):
    out = []
    f.visititems(lambda name, obj: out.append("/" + name) if isinstance(obj, h5py.Dataset) else None)
    return out


def test_doc_tables_were_parsed():
    assert len(DATASETS) > 60
    assert len(ROOT_ATTRS) >= 19
    assert {"run", "period", "proposal", "agent", "pair"} <= set(AXES)
    for _, axes, _ in DATASETS:
        for a in axes.split(","):
            assert a in AXES, f"axis {a} is used but not described under '## Axes'"


def test_every_documented_axis_has_a_length_rule(full_file):
    with h5py.File(full_file) as f:
        for a in AXES:
            axis_length(f, a)


@pytest.mark.parametrize("path,axes,kind", DATASETS, ids=[d[0] for d in DATASETS])
def test_documented_dataset(path, axes, kind, full_file, tension_file):
    src = tension_file if path == "/runs/tension" else full_file
    with h5py.File(src) as f:
        assert path in f, f"{path} is documented but missing from {src.name}"
        ds = f[path]
        assert _s(ds.attrs["axes"]) == axes
        assert len(ds.attrs["description"]) > 5
        assert ds.shape == tuple(axis_length(f, a) for a in axes.split(","))
        kind = kind.strip()
        if kind == "string":
            assert h5py.check_string_dtype(ds.dtype) is not None
        elif kind == "enum uint8":
            assert h5py.check_enum_dtype(ds.dtype) is not None
            assert ds.dtype.itemsize == 1
        else:
            assert ds.dtype == np.dtype(kind), f"{path}: {ds.dtype} != {kind}"
        if path.startswith("/runs/") and ds.ndim > 0:
            assert ds.chunks is not None and ds.compression == "gzip"
            assert ds.maxshape[0] is None


def test_every_dataset_is_documented(full_file, tension_file):
    documented = {d[0] for d in DATASETS}
    for src in (full_file, tension_file):
        with h5py.File(src) as f:
            extra = set(all_datasets(f)) - documented
            assert not extra, f"undocumented datasets in {src.name}: {sorted(extra)}"


def test_root_attributes(full_file):
    with h5py.File(full_file) as f:
        for name, kind in ROOT_ATTRS:
            assert name in f.attrs, f"root attribute {name} is documented but missing"
            v = f.attrs[name]
            if kind == "string":  # fixed-length (format 2: no variable-length strings)
                info = h5py.check_string_dtype(f.attrs.get_id(name).dtype)
                assert info is not None and info.length is not None, name
            else:
                assert np.asarray(v).dtype == np.dtype(kind), name
        documented = {a for a, _ in ROOT_ATTRS}
        assert set(f.attrs) <= documented, set(f.attrs) - documented


def test_provenance(full_file):
    text = SMALL.read_text()
    with h5py.File(full_file) as f:
        a = f.attrs
        assert _s(a["format"]) == "sco-sim-results/2"
        assert _s(a["scenario_text"]) == text
        assert _s(a["scenario_sha256"]) == hashlib.sha256(text.encode()).hexdigest()
        assert int(a["seed"]) == SEED and int(a["replications"]) == RUNS
        assert int(a["points"]) == 1 and int(a["runs"]) == RUNS
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", _s(a["created"]))
        assert "run" in _s(a["command_line"]) and str(SMALL.name) in _s(a["command_line"])
        assert a["tool_version"] and a["git_commit"]
        assert (_s(a["variant_choice"]), _s(a["variant_amendment"]), _s(a["variant_pressure"]),
                _s(a["variant_sponsor"])) == ("logit", "win_set", "enabled", "likely")
        assert a["summary_only"] == 0 and a["per_run_tension"] == 0


def test_outcome_enum_names_are_the_labels(full_file):
    with h5py.File(full_file) as f:
        mapping = h5py.check_enum_dtype(f["runs/outcome"].dtype)
        labels = [s.decode() for s in f["labels/outcomes"][()]]
        assert mapping == {name: i for i, name in enumerate(labels)}
        assert labels[-1] == "not_tabled" and len(labels) == 7
        flags = [s.decode() for s in f["labels/flags"][()]]
        assert flags[0] == "joined" and flags[3] == "objected"
        assert flags[8] == "veto" and flags[9] == "waited" and len(flags) == 10


def _fixed(x):
    """llround(x * 2^32) summed, as the simulator does, exactly (x >= 0)."""
    v = np.floor(np.asarray(x, dtype=np.float64) * SCALE + 0.5).astype(np.int64)
    return v


def test_raw_summaries_agree_with_runs(tension_file):
    with h5py.File(tension_file) as f:
        R, raw = f["runs"], f["summary/raw"]
        outcome = R["outcome"][()]
        n, T, P = outcome.shape
        assert n == RUNS and int(raw["runs"][0]) == RUNS
        assert np.array_equal(R["point"][()], np.zeros(n))
        assert np.array_equal(R["replication"][()], np.arange(n))
        counts = np.stack([(outcome == o).sum(axis=0) for o in range(7)], axis=-1)
        assert np.array_equal(counts, raw["outcome_counts"][0])
        flags = R["flags"][()]
        bits = np.stack([((flags >> b) & 1).sum(axis=0) for b in range(raw["flag_counts"].shape[-1])],
                        axis=-1)
        assert np.array_equal(bits, raw["flag_counts"][0])
        took_part = ((flags & 1) == 1) & (outcome <= 3)[..., None]
        assert np.array_equal(took_part.sum(axis=0), raw["participated"][0])
        mr = int(raw["max_rounds"][0])
        rounds = np.minimum(R["rounds"][()], mr)
        rh = np.stack([(rounds == r).sum(axis=0) for r in range(mr + 1)], axis=-1)
        assert np.array_equal(rh, raw["rounds_hist"][0, :, :, :mr + 1])
        pressure = R["pressure"][()].astype(np.int64)
        assert np.array_equal(pressure.sum(axis=0), raw["pressure_sum"][0])
        assert np.array_equal((pressure > 0).sum(axis=0), raw["pressure_runs"][0])
        passed = outcome <= 3
        dil = R["dilution"][()]
        assert np.array_equal(np.where(passed, _fixed(dil), 0).sum(axis=0), raw["dilution_sum"][0])
        bins = np.clip((dil.astype(np.float64) * 20).astype(int), 0, 19)
        dh = np.stack([(passed & (bins == b)).sum(axis=0) for b in range(20)], axis=-1)
        assert np.array_equal(dh, raw["dilution_hist"][0])
        impl = R["implemented"][()].astype(np.int64)
        assert np.array_equal((passed & (impl > 0)).sum(axis=0), raw["implemented"][0])
        assert np.array_equal(np.where(passed & (impl > 0), impl, 0).sum(axis=0), raw["lag_sum"][0])
        text = R["text"][()]
        ts = np.where(passed[..., None], _fixed(np.nan_to_num(text)), 0).sum(axis=0)
        assert np.array_equal(ts, raw["text_sum"][0])
        assert np.array_equal(_fixed(R["compromise"][()]).sum(axis=0), raw["compromise_sum"][0])
        assert np.array_equal(_fixed(R["weighted_median"][()]).sum(axis=0), raw["wmedian_sum"][0])
        ten = R["tension"][()]
        assert np.array_equal(_fixed(ten).sum(axis=0), raw["tension_sum"][0])
        tb = np.clip((ten.astype(np.float64) * 200).astype(int), 0, 199)
        th = np.stack([(tb == b).sum(axis=0) for b in range(200)], axis=-1)
        # Histograms of the tracked pairs only (/labels/tension_pairs).
        tracked = list(f["labels/tension_pairs"][()])
        assert np.array_equal(th[:, tracked], raw["tension_hist"][0])
        assert T == len(f["labels/periods"]) and P == len(f["labels/proposals"])


def test_derived_summaries_agree_with_raw(full_file):
    with h5py.File(full_file) as f:
        raw, S = f["summary/raw"], f["summary"]
        runs = int(raw["runs"][0])
        counts = raw["outcome_counts"][0]
        tabled = runs - counts[..., 6]
        assert np.array_equal(S["tabled"][0], tabled)
        ok = tabled > 0
        assert ok.any()
        p = S["outcome_p"][0]
        assert np.allclose(p[ok][:, :6], counts[ok][:, :6] / tabled[ok][:, None])
        assert np.all(p[ok][:, 6] == 0) and np.all(np.isnan(p[~ok]))
        assert np.allclose(p[ok].sum(axis=-1), 1.0)
        lo, hi = S["outcome_lo"][0][ok], S["outcome_hi"][0][ok]
        assert np.all(lo <= p[ok] + 1e-12) and np.all(p[ok] <= hi + 1e-12)
        passed = counts[..., :4].sum(axis=-1)
        assert np.array_equal(S["passed"][0], passed)
        assert np.allclose(S["passed_p"][0][ok], passed[ok] / tabled[ok])
        fc = raw["flag_counts"][0]
        part = raw["participated"][0]
        assert np.all(part <= fc[..., 0])  # took part only if it joined
        assert np.allclose(S["participation"][0][ok], part[ok] / tabled[ok][:, None])
        assert np.allclose(S["objection"][0][ok], fc[..., 3][ok] / tabled[ok][:, None])
        assert np.allclose(S["transit_denied"][0][ok], fc[..., 4][ok] / tabled[ok][:, None])
        assert np.allclose(S["flag_p"][0][ok], fc[ok] / tabled[ok][:, None, None])
        assert np.allclose(S["rounds_p"][0][ok].sum(axis=-1), 1.0)
        assert np.allclose(S["tabled_p"][0], tabled / runs)
        tm = raw["tension_sum"][0] / SCALE / runs
        assert np.allclose(S["tension_mean"][0], tm)
        q = S["tension_quantiles"][0]
        assert np.all(np.diff(q, axis=-1) >= 0), "quantiles must be ordered"
        assert np.allclose(f["labels/quantiles"][()], [0.05, 0.5, 0.95])


def test_summary_only_has_the_same_summaries_and_no_runs(full_file, summary_only_file):
    with h5py.File(full_file) as a, h5py.File(summary_only_file) as b:
        assert "runs" not in b
        assert b.attrs["summary_only"] == 1
        for name in a["summary/raw"]:
            assert np.array_equal(a["summary/raw"][name][()], b["summary/raw"][name][()]), name
        assert sorted(all_datasets(b)) == sorted(d for d in all_datasets(a) if not d.startswith("/runs/"))


def test_thread_count_does_not_change_the_file(outdir):
    one = make_results(outdir / "j1.h5", "-j", "1")
    two = make_results(outdir / "j2.h5", "-j", "2")
    with h5py.File(one) as a, h5py.File(two) as b:
        names = all_datasets(a)
        assert names == all_datasets(b)
        for name in names:
            x, y = a[name][()], b[name][()]
            if x.dtype.kind == "f":
                assert np.array_equal(x, y, equal_nan=True), name
            else:
                assert np.array_equal(x, y), name


def test_no_temporary_files_are_left(outdir, full_file, summary_only_file, tension_file):
    leftovers = [p.name for p in outdir.iterdir() if ".tmp-" in p.name]
    assert not leftovers
