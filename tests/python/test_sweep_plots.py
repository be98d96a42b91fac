"""Sweep outputs an analyst looks at: Sobol indices in the file and as bars, and the
response of pass probabilities over a grid."""
import subprocess

import h5py
import numpy as np
import pytest

from conftest import PYTHON, SCRIPTS, SMALL, sco


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid") / "grid.h5"
    sco("sweep", SMALL, "--vary", "agents.UZB.military_reluctance=0:1:3",
        "--vary", "agents.UZB.sovereignty=0.2,0.8", "-n", "100", "--seed", "3", "--summary-only",
        "-q", "-o", out)
    return out


def test_sobol_sweep_stores_indices_with_intervals(sobol_file):
    with h5py.File(sobol_file) as f:
        assert f.attrs["design"] in ("sobol", b"sobol")
        assert len(f["labels/factors"]) == 3
        assert f["points/factor_values"].shape == (32 * 5, 3)
        s = f["sensitivity"]
        first, lo, hi = s["first"][()], s["first_lo"][()], s["first_hi"][()]
        assert first.shape == (3, len(f["labels/periods"]), len(f["labels/proposals"]))
        ok = np.isfinite(first)
        assert ok.any()
        assert np.all(lo[ok] <= hi[ok])
        total = s["total"][()]
        # Total-order indices are variances' shares: non-negative by construction (Jansen).
        assert np.all(total[np.isfinite(total)] >= 0)


def run_script(name, *args):
    return subprocess.run([PYTHON, str(SCRIPTS / name), *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_plot_sobol_draws_bars(sobol_file, tmp_path):
    proc = run_script("plot_sobol.py", sobol_file, "-o", tmp_path)
    assert proc.returncode == 0, proc.stderr
    for ext in ("png", "pdf"):
        files = list(tmp_path.glob(f"sobol*.{ext}"))
        assert files and files[0].stat().st_size > 1000


def test_plot_sobol_refuses_a_grid(grid_file, tmp_path):
    proc = run_script("plot_sobol.py", grid_file, "-o", tmp_path)
    assert proc.returncode == 2
    assert "no Sobol indices" in proc.stderr


def test_plot_response_draws_the_grid(grid_file, tmp_path):
    proc = run_script("plot_response.py", grid_file, "-o", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr
    assert list(tmp_path.glob("response_*.png"))


def test_plot_all_draws_the_sweep_figures(sobol_file, tmp_path):
    proc = run_script("plot_all.py", sobol_file, "-o", tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in tmp_path.glob("*.png")}
    assert any(n.startswith("sobol") for n in names), names
    assert any(n.startswith("response") for n in names), names
    assert "point 0 only" in proc.stderr
    from PIL import Image
    for png in tmp_path.glob("*.png"):  # docs/figures.md: no figure wider than 2000 px
        with Image.open(png) as im:
            assert im.size[0] <= 2000, (png.name, im.size)


def test_plot_response_of_an_agents_participation(grid_file, tmp_path):
    proc = run_script("plot_response.py", grid_file, "--agent", "KAZ", "-o", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.glob("response_*_KAZ.png"))
