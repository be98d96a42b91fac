"""`sco-sim summary` (report_text / report_json over read_results) and output safety."""
import json

import h5py
import numpy as np
import pytest

from conftest import RUNS, SMALL, sco


def test_summary_json_matches_the_file(full_file):
    out = sco("summary", full_file, "--json").stdout
    j = json.loads(out)
    assert j["runs"] == RUNS
    with h5py.File(full_file) as f:
        S = f["summary"]
        periods = list(f["labels/periods"][()])
        proposals = [s.decode() for s in f["labels/proposals"][()]]
        agents = [s.decode() for s in f["labels/agents"][()]]
        pairs = [s.decode() for s in f["labels/pairs"][()]]
        outcomes = [s.decode() for s in f["labels/outcomes"][()]]
        expected = [(t, p) for t in range(len(periods)) for p in range(len(proposals))
                    if S["tabled"][0, t, p] > 0]
        assert len(j["proposals"]) == len(expected)
        for e, (t, p) in zip(j["proposals"], expected):
            assert e["id"] == proposals[p] and e["period"] == periods[t]
            assert e["tabled"] == S["tabled"][0, t, p]
            assert list(e["outcome"]) == outcomes[:-1]
            for o, name in enumerate(outcomes[:-1]):
                assert e["outcome"][name]["p"] == pytest.approx(S["outcome_p"][0, t, p, o])
                lo, hi = e["outcome"][name]["ci"]
                assert lo == pytest.approx(S["outcome_lo"][0, t, p, o])
                assert hi == pytest.approx(S["outcome_hi"][0, t, p, o])
            assert e["passed"]["p"] == pytest.approx(S["passed_p"][0, t, p])
            assert list(e["participation"]) == agents
            for i, a in enumerate(agents):
                assert e["participation"][a] == pytest.approx(S["participation"][0, t, p, i])
                assert e["objection"][a] == pytest.approx(S["objection"][0, t, p, i])
                assert e["transit_denied"][a] == pytest.approx(S["transit_denied"][0, t, p, i])
            assert e["pressure"]["p"] == pytest.approx(S["pressure_p"][0, t, p])
            assert e["pressure"]["mean"] == pytest.approx(S["pressure_mean"][0, t, p])
            assert e["rounds_mean"] == pytest.approx(S["rounds_mean"][0, t, p])
            if S["passed"][0, t, p] > 0:
                assert e["dilution_mean"] == pytest.approx(S["dilution_mean"][0, t, p])
            else:
                assert e["dilution_mean"] is None
            assert e["implemented"] == pytest.approx(S["implemented_p"][0, t, p])
        assert list(j["tension_final_mean"]) == pairs
        assert np.allclose([j["tension_final_mean"][k] for k in pairs], S["tension_mean"][0, -1])


def test_summary_text(full_file, summary_only_file):
    text = sco("summary", full_file).stdout
    assert "peace_mission_uzb" in text and "2014" in text and "95% CI" in text
    assert sco("summary", summary_only_file).stdout == text


def test_summary_of_a_foreign_file_names_it_without_hdf5_noise(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else/2"
    proc = sco("summary", other, check=False)
    assert proc.returncode != 0
    assert "other.h5" in proc.stderr and "format" in proc.stderr
    assert "HDF5-DIAG" not in proc.stderr + proc.stdout
    missing = sco("summary", tmp_path / "missing.h5", check=False)
    assert missing.returncode != 0 and "missing.h5" in missing.stderr
    text = tmp_path / "text.h5"
    text.write_text("hello")
    proc = sco("summary", text, check=False)
    assert proc.returncode != 0 and "text.h5" in proc.stderr
    assert "HDF5-DIAG" not in proc.stderr + proc.stdout


def test_existing_output_needs_force(tmp_path):
    out = tmp_path / "x.h5"
    out.write_text("precious")
    proc = sco("run", SMALL, "-n", 20, "-o", out, check=False)
    assert proc.returncode != 0
    assert "--force" in proc.stderr and str(out) in proc.stderr
    assert out.read_text() == "precious"
    sco("run", SMALL, "-n", 20, "-o", out, "--force")
    with h5py.File(out) as f:
        assert f.attrs["format"] == "sco-sim-results/1"
    assert [p.name for p in tmp_path.iterdir()] == ["x.h5"]
