"""Every plot script runs on a generated results file and writes a PNG and a PDF."""
import pytest

from conftest import SCRIPTS, fake_missing_module, run_python

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_outputs(proc, expect_min=2):
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    paths = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(paths) >= expect_min, proc.stdout
    import pathlib
    for p in map(pathlib.Path, paths):
        assert p.exists() and p.stat().st_size > 1000, p
        head = p.read_bytes()[:8]
        if p.suffix == ".png":
            assert head == PNG_MAGIC, p
        else:
            assert p.suffix == ".pdf" and head.startswith(b"%PDF"), p
    assert {pathlib.Path(p).suffix for p in paths} == {".png", ".pdf"}
    return paths


@pytest.mark.parametrize("script,extra", [
    ("plot_outcomes.py", []),
    ("plot_outcomes.py", ["--period", "2015"]),
    ("plot_participation.py", []),
    ("plot_participation.py", ["--period", "2014"]),
    ("plot_rounds_dilution.py", []),
    ("plot_tension.py", []),
    ("plot_tension.py", ["--pair", "UZB-KAZ", "--pair", "RUS-UZB"]),
    ("plot_sensitivity.py", []),
])
def test_plot_script(script, extra, full_file, tmp_path):
    proc = run_python(SCRIPTS / script, full_file, "-o", tmp_path, *extra)
    paths = check_outputs(proc)
    if "--period" in extra:
        assert all(extra[1] in p for p in paths)


def test_plot_compare(full_file, tension_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_compare.py", full_file, tension_file, "-o", tmp_path,
                      "--label", "baseline", "--label", "again")
    check_outputs(proc)


def test_plot_all_full_file(full_file, tmp_path):
    paths = check_outputs(run_python(SCRIPTS / "plot_all.py", full_file, "-o", tmp_path), 10)
    assert any("sensitivity" in p for p in paths)
    for stem in ("outcomes", "participation", "rounds_dilution", "tension"):
        assert any(f"/{stem}.png" in p for p in paths), stem


def test_plot_all_summary_only_skips_per_run_figures(summary_only_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_all.py", summary_only_file, "-o", tmp_path)
    paths = check_outputs(proc, 8)
    assert not any("sensitivity" in p for p in paths)
    assert "summary-only" in proc.stderr


def test_per_run_script_refuses_summary_only_file(summary_only_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_sensitivity.py", summary_only_file, "-o", tmp_path)
    assert proc.returncode == 2
    assert "summary-only" in proc.stderr and "Traceback" not in proc.stderr


def test_default_output_directory(full_file):
    proc = run_python(SCRIPTS / "plot_tension.py", full_file)
    paths = check_outputs(proc)
    assert all(p.startswith(str(full_file.with_suffix("")) + "-figures/") for p in paths)


def test_bad_input_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("not a results file")
    proc = run_python(SCRIPTS / "plot_outcomes.py", bad, "-o", tmp_path)
    assert proc.returncode == 2
    assert "bad.h5" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_matplotlib_gives_an_install_hint(full_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_outcomes.py", full_file, "-o", tmp_path,
                      env_extra={"PYTHONPATH": fake_missing_module(tmp_path, "matplotlib")})
    assert proc.returncode == 2
    assert "python3-matplotlib" in proc.stderr and "Traceback" not in proc.stderr


def test_sensitivity_wilson_interval_contains_p_at_the_ends():
    # Regression: at p = 0 or 1 rounding put an end past p and matplotlib refused the
    # negative error bar (seen on the baseline scenario in the quickstart).
    import numpy as np
    import sco_results
    k = np.array([0.0, 5.0, 1234.0, 7.0])
    n = np.array([1234.0, 10.0, 1234.0, 7.0])
    p, lo, hi = sco_results.wilson(k, n)
    assert np.all(lo <= p) and np.all(p <= hi)
    assert np.all(p - lo >= 0) and np.all(hi - p >= 0)
