"""scripts/sco_results.py: load() round-trips what h5py sees, without dataset paths."""
import h5py
import numpy as np
import pytest

import sco_results
from conftest import RUNS, SEED, fake_missing_module, run_python, SCRIPTS


def _strings(ds):
    return [s.decode() for s in ds[()]]


def test_labels_and_provenance(full_file):
    r = sco_results.load(full_file)
    with h5py.File(full_file) as f:
        assert r.agents == _strings(f["labels/agents"])
        assert r.agent_names == _strings(f["labels/agent_names"])
        assert r.proposals == _strings(f["labels/proposals"])
        assert r.pairs == _strings(f["labels/pairs"])
        assert list(r.periods) == list(f["labels/periods"][()])
        assert r.outcomes == _strings(f["labels/outcomes"])
        assert r.params == _strings(f["labels/params"])
        assert r.provenance["scenario_text"] == f.attrs["scenario_text"].decode()
    assert r.seed == SEED and r.replications == RUNS and r.n_points == 1 and r.n_runs == RUNS
    assert r.scenario_name == "Small test scenario"
    assert not r.summary_only


def test_summary_arrays_and_axes(full_file):
    r = sco_results.load(full_file)
    T, P, N, K = len(r.periods), len(r.proposals), len(r.agents), len(r.pairs)
    assert r.outcome_p.shape == (1, T, P, len(r.outcomes))
    assert r.axes["outcome_p"] == ["point", "period", "proposal", "outcome"]
    assert r.participation.shape == (1, T, P, N)
    assert r.tension_quantiles.shape == (1, T, K, 3)
    with h5py.File(full_file) as f:
        assert np.array_equal(r.passed_p, f["summary/passed_p"][()], equal_nan=True)
        assert np.array_equal(r.raw["outcome_counts"], f["summary/raw/outcome_counts"][()])
    for t, p in r.tabled_items():
        assert r.outcome_p[0, t, p].sum() == pytest.approx(1.0)


def test_per_run_arrays(full_file, summary_only_file, tension_file):
    r = sco_results.load(full_file)
    T, P, N = len(r.periods), len(r.proposals), len(r.agents)
    assert len(r.runs) == RUNS
    assert r.runs.outcome.shape == (RUNS, T, P)
    assert r.runs.flags.shape == (RUNS, T, P, N)
    assert r.runs.params.shape == (RUNS, len(r.params))
    assert r.runs.axes["flags"] == ["run", "period", "proposal", "agent"]
    assert "tension" not in r.runs.names
    with pytest.raises(AttributeError, match="tension"):
        r.runs.tension
    # Summaries recomputed from the per-run arrays through the loader.
    t, p = r.tabled_items()[0]
    o = r.runs.outcome[:, t, p]
    assert (o != r.outcome_index("not_tabled")).sum() == r.tabled[0, t, p]
    assert sco_results.load(summary_only_file).runs is None
    assert sco_results.load(tension_file).runs.tension.shape == (RUNS, T, len(r.pairs))


def test_index_helpers(full_file):
    r = sco_results.load(full_file)
    assert r.period_index(int(r.periods[1])) == 1
    assert r.pair_index("UZB-KAZ") == r.pair_index("KAZ-UZB") == r.pairs.index("KAZ-UZB")
    assert r.agents[r.agent_index("UZB")] == "UZB"
    assert r.flags[r.flag_index("objected")] == "objected"
    with pytest.raises(KeyError, match="have: "):
        r.agent_index("XXX")
    order = r.tension_pairs_by_initial()
    assert r.tension_mean[0, 0, order[0]] == r.tension_mean[0, 0].max()
    text = repr(r)
    assert str(full_file) in text and str(RUNS) in text and "Small test scenario" in text


def test_bad_files(tmp_path):
    with pytest.raises(sco_results.BadResults, match="no such file"):
        sco_results.load(tmp_path / "missing.h5")
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(sco_results.BadResults, match="not an HDF5 file"):
        sco_results.load(tmp_path / "text.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.attrs["format"] = "something-else/2"
    with pytest.raises(sco_results.BadResults, match="something-else/2"):
        sco_results.load(tmp_path / "other.h5")
    with h5py.File(tmp_path / "empty.h5", "w") as f:
        f.attrs["format"] = np.bytes_(sco_results.FORMAT.encode())  # fixed-length, as written
    with pytest.raises(sco_results.BadResults, match="missing"):
        sco_results.load(tmp_path / "empty.h5")


def test_to_dataframe(full_file, summary_only_file):
    r = sco_results.load(full_file)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            sco_results.to_dataframe(r, "outcomes")
        return
    df = sco_results.to_dataframe(r, "outcomes")
    assert list(df.columns) == ["period", "proposal", "outcome", "p", "lo", "hi"]
    assert len(df) == 6 * len(r.tabled_items())
    assert len(sco_results.to_dataframe(r, "params")) == RUNS
    with pytest.raises(ValueError, match="summary-only"):
        sco_results.to_dataframe(sco_results.load(summary_only_file), "params")


def test_missing_h5py_gives_an_install_hint(tmp_path):
    proc = run_python("-c", "import sco_results",
                      env_extra={"PYTHONPATH": fake_missing_module(tmp_path, "h5py") + ":" +
                                 str(SCRIPTS)})
    assert proc.returncode != 0
    assert "python3-h5py" in proc.stderr and "/usr/bin/python3" in proc.stderr
