"""scripts/quickstart.sh end to end in a copy of the repository, with the test's sco-sim
(SCO_SIM_BIN skips installing and building; .ci/run runs the real thing on a clean
clone): it writes results/sco2014.h5, every figure plot_all.py announces, and
results/report.html, whose path it prints last."""
import os
import pathlib
import re
import shutil
import subprocess

from conftest import PYTHON, ROOT, sco_bin


def test_quickstart_writes_results_figures_and_report(tmp_path):
    repo = tmp_path / "repo"
    for d in ("scripts", "scenarios"):
        shutil.copytree(ROOT / d, repo / d, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, SCO_SIM_BIN=sco_bin(), SCO_PYTHON=PYTHON, RUNS="2000",
               MPLBACKEND="Agg")
    proc = subprocess.run(["bash", str(repo / "scripts" / "quickstart.sh")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr
    assert (repo / "results" / "sco2014.h5").stat().st_size > 0
    figures = [pathlib.Path(line) for line in proc.stdout.splitlines()
               if re.search(r"\.(png|pdf)$", line)]
    assert any(f.name == "outcomes.png" for f in figures), proc.stdout
    for f in figures:
        f = f if f.is_absolute() else repo / f
        assert f.exists() and f.stat().st_size > 1000, f
        assert f.parent == repo / "results" / "figures"
    # Every skip is one line naming the figure.
    for line in proc.stderr.splitlines():
        if "skipping" in line:
            assert re.match(r"plot_all\.py: skipping the [\w ]+ figure: \S", line), line
    last = [line for line in proc.stdout.splitlines() if line.startswith("report: ")]
    assert len(last) == 1, proc.stdout
    report = pathlib.Path(last[0][len("report: "):])
    assert report == repo / "results" / "report.html"
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "data:image/png;base64," in text
