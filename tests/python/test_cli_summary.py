"""`sco-sim summary` (report_text / report_json over read_results) and output safety."""
import json
import os
import pathlib
import re
import shutil

import h5py
import numpy as np
import pytest
import sco_results

from conftest import ROOT, RUNS, SEED, SMALL, sco


ENTRY_FIELDS = ["id", "period", "tabled", "outcome", "passed", "participation", "objection",
                "veto", "waited", "transit_denied", "dropped", "pressure", "rounds_mean", "dilution_mean",
                "implemented", "positions"]


def moved_dimensions(scenario):
    """{proposal id: [dimensions it gives a position on]} from `sco-sim params` (the
    scenario layer's own listing, independent of the report)."""
    moves = {}
    for line in sco("params", scenario).stdout.splitlines():
        path = line.split()[0] if line.strip() else ""
        parts = path.split(".")
        if len(parts) == 4 and parts[0] == "agenda" and parts[2] == "position":
            moves.setdefault(parts[1], []).append(parts[3])
    return moves


def test_summary_json_matches_the_file(full_file):
    out = sco("summary", full_file, "--json").stdout
    j = json.loads(out)
    assert list(j) == ["runs", "proposals", "time_to_adoption", "tension_final_mean",
                       "tension_final"]
    assert j["runs"] == RUNS
    moves = moved_dimensions(SMALL)
    with h5py.File(full_file) as f:
        S = f["summary"]
        periods = list(f["labels/periods"][()])
        proposals = [s.decode() for s in f["labels/proposals"][()]]
        agents = [s.decode() for s in f["labels/agents"][()]]
        pairs = [s.decode() for s in f["labels/pairs"][()]]
        outcomes = [s.decode() for s in f["labels/outcomes"][()]]
        dims = [s.decode() for s in f["labels/dimensions"][()]]
        expected = [(t, p) for t in range(len(periods)) for p in range(len(proposals))
                    if S["tabled"][0, t, p] > 0]
        assert len(j["proposals"]) == len(expected)
        for e, (t, p) in zip(j["proposals"], expected):
            assert list(e) == ENTRY_FIELDS
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
                assert e["veto"][a] == pytest.approx(S["flag_p"][0, t, p, i, 8])
                assert e["waited"][a] == pytest.approx(S["flag_p"][0, t, p, i, 9])
                assert e["dropped"][a] == pytest.approx(S["flag_p"][0, t, p, i, 5])
            assert e["pressure"]["p"] == pytest.approx(S["pressure_p"][0, t, p])
            assert e["pressure"]["mean"] == pytest.approx(S["pressure_mean"][0, t, p])
            assert e["rounds_mean"] == pytest.approx(S["rounds_mean"][0, t, p])
            if S["passed"][0, t, p] > 0:
                assert e["dilution_mean"] == pytest.approx(S["dilution_mean"][0, t, p])
            else:
                assert e["dilution_mean"] is None
            assert e["implemented"] == pytest.approx(S["implemented_p"][0, t, p])
            # Positions: on the dimensions the proposal moves, in dimension order.
            assert list(e["positions"]) == [d for d in dims if d in moves.get(e["id"], [])]
            for name, pos in e["positions"].items():
                d = dims.index(name)
                assert list(pos) == ["text", "compromise", "weighted_median"]
                if S["passed"][0, t, p] > 0:
                    assert pos["text"] == pytest.approx(S["text_mean"][0, t, p, d])
                else:
                    assert pos["text"] is None
                assert pos["compromise"] == pytest.approx(S["compromise_mean"][0, t, d])
                assert pos["weighted_median"] == pytest.approx(S["weighted_median_mean"][0, t, d])
        assert any(e["positions"] for e in j["proposals"]), "no proposal shows a position"
        assert list(j["tension_final_mean"]) == pairs
        assert np.allclose([j["tension_final_mean"][k] for k in pairs], S["tension_mean"][0, -1])
        assert list(j["tension_final"]) == pairs
        for k, pair in enumerate(pairs):
            tf = j["tension_final"][pair]
            assert list(tf) == ["mean", "ci", "q05", "q50", "q95"]
            assert tf["mean"] == pytest.approx(S["tension_mean"][0, -1, k])
            assert [tf["q05"], tf["q50"], tf["q95"]] == pytest.approx(list(S["tension_quantiles"][0, -1, k]))


def test_summary_text(full_file, summary_only_file, tmp_path):
    text = sco("summary", full_file).stdout
    with h5py.File(full_file) as f:
        tabled = f["summary/tabled"][0]
        proposals = [s.decode() for s in f["labels/proposals"][()]]
        periods = list(f["labels/periods"][()])
    t, p = np.argwhere(tabled > 0)[0]
    assert proposals[p] in text and str(periods[t]) in text and "95% CI" in text
    assert "adopted text" in text and "weighted median" in text
    assert sco("summary", summary_only_file).stdout == text
    # `run` prints the table from the scenario it loaded, `summary` from the file: the same.
    out = tmp_path / "again.h5"
    printed = sco("run", SMALL, "-n", RUNS, "--seed", SEED, "-o", out).stdout
    assert printed.startswith(text), printed


def test_thin_rows_follow_the_reports_rule(full_file):
    """A row of the outcome table from fewer tabled runs than scripts/report.py's dagger
    rule (MIN_TABLED) ends its id with ' *', and a legend line says so; the C++ threshold
    (kMinTabled in sim/experiment/report.h) is the script's."""
    header = (ROOT / "sim" / "experiment" / "report.h").read_text()
    assert f"kMinTabled = {sco_results.MIN_TABLED};" in header
    text = sco("summary", full_file).stdout
    with h5py.File(full_file) as f:
        tabled = f["summary/tabled"][0]
        proposals = [s.decode() for s in f["labels/proposals"][()]]
        periods = list(f["labels/periods"][()])
    marked = set(re.findall(r"^(\w+) \*  ", text, re.M))
    seen = set()
    for chunk in re.split(r"^(?=\d{4}$)", text, flags=re.M)[1:]:
        year = chunk.split("\n\n")[0]  # the year's outcome table (and legend)
        t = periods.index(int(year[:4]))
        for p, pid in enumerate(proposals):
            row = re.search(rf"^{pid}( \*)?  .*%", year, re.M)
            if tabled[t, p] == 0:
                assert row is None
                continue
            assert row, (pid, year)
            thin = 0 < tabled[t, p] < sco_results.MIN_TABLED
            assert bool(row.group(1)) == thin, (pid, int(tabled[t, p]))
            seen.add(thin)
            if thin:
                assert pid in marked
        legend = f"* tabled in fewer than {sco_results.MIN_TABLED} runs: rough estimates"
        assert (legend in year) == bool(re.search(r"^\w+ \*  ", year, re.M))
    assert seen == {True, False}, "the file should have both kinds of rows"


def test_the_doc_shows_a_real_thin_row(tmp_path):
    """docs/cli.md's sample table (2015 of a 1,000-run baseline) is what the program prints."""
    doc = (ROOT / "docs" / "cli.md").read_text()
    cmd = "sco-sim run scenarios/sco2014.yaml -n 1000 --summary-only"
    m = re.search(re.escape(cmd) + r"` prints for (\d{4}):\n\n```\n(.*?)```", doc, re.S)
    assert m, "docs/cli.md: the sample after the command is gone"
    sco("run", ROOT / "scenarios" / "sco2014.yaml", "-n", 1000, "--summary-only", "-o",
        tmp_path / "s.h5", "-q")
    out = sco("summary", tmp_path / "s.h5").stdout
    table = out.split(f"\n{m.group(1)}\n", 1)[1].split("\n\n", 1)[0] + "\n"
    assert table == m.group(2)
    assert " *  " in table


def test_positions_of_a_derived_scenario(full_file, tmp_path):
    """A derived scenario's file stores its text followed by its base's: the dimensions
    each proposal moves still come out (those of the base: a derived scenario cannot
    change the agenda)."""
    derived = tmp_path / "derived.yaml"
    rel = pathlib.Path(os.path.relpath(SMALL, tmp_path))
    derived.write_text(f"format: sco-sim/1\nextends: {rel}\nname: derived\n"
                       "set:\n  dynamics.rounds: 2\n")
    out = tmp_path / "derived.h5"
    printed = sco("run", derived, "-n", 100, "-o", out).stdout
    assert sco("summary", out).stdout in printed
    positions = {e["id"]: list(e["positions"]) for e in json.loads(sco("summary", out, "--json").stdout)["proposals"]}
    base = {e["id"]: list(e["positions"]) for e in json.loads(sco("summary", full_file, "--json").stdout)["proposals"]}
    assert positions == base


def test_positions_show_every_dimension_when_the_scenario_cannot_be_read(full_file, tmp_path):
    f2 = tmp_path / "unreadable-scenario.h5"
    shutil.copy(full_file, f2)
    with h5py.File(f2, "r+") as f:
        f.attrs["scenario_text"] = np.bytes_(b"format: sco-sim/999\n")  # fixed-length, as written
        dims = [s.decode() for s in f["labels/dimensions"][()]]
    j = json.loads(sco("summary", f2, "--json").stdout)
    assert j["proposals"] and all(list(e["positions"]) == dims for e in j["proposals"])


def test_summary_json_is_one_line_and_finite(full_file):
    out = sco("summary", full_file, "--json").stdout
    assert out.endswith("}\n") and out.count("\n") == 1
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))


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
        assert f.attrs["format"] == b"sco-sim-results/2"
    assert [p.name for p in tmp_path.iterdir()] == ["x.h5"]
