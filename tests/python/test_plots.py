"""Every plot script runs on a generated results file and writes a PNG and a PDF; the
figure rules of docs/figures.md hold (automatic choices only among items tabled in at
least 200 runs, figures that cannot be drawn are skipped with a reason, no figure wider
than 2000 px, no text under 8 points, titles wrapped and never cut)."""
import pathlib

import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, fake_missing_module, run_python, sco

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_WIDTH_PX = 2000  # the issue's limit, at the scripts' default dpi


def png_size(path):
    from PIL import Image
    with Image.open(path) as im:
        return im.size


def check_outputs(proc, expect_min=2):
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "unexpected error" not in proc.stderr, proc.stderr
    paths = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(paths) >= expect_min, proc.stdout
    for p in map(pathlib.Path, paths):
        assert p.exists() and p.stat().st_size > 1000, p
        head = p.read_bytes()[:8]
        if p.suffix == ".png":
            assert head == PNG_MAGIC, p
            width, _ = png_size(p)
            assert width <= MAX_WIDTH_PX, f"{p.name} is {width} px wide"
        else:
            assert p.suffix == ".pdf" and head.startswith(b"%PDF"), p
    assert {pathlib.Path(p).suffix for p in paths} == {".png", ".pdf"}
    return paths


def stems(paths):
    return {pathlib.Path(p).stem for p in paths if p.endswith(".png")}


# ---- results files -------------------------------------------------------------------

@pytest.fixture(scope="module")
def baseline_file(tmp_path_factory):
    """The quickstart's file: the committed baseline scenario, 10,000 runs. Some of its
    proposals are tabled in only a handful of runs at some summits (the case that broke
    the quickstart)."""
    out = tmp_path_factory.mktemp("baseline") / "sco2014.h5"
    sco("run", ROOT / "scenarios" / "sco2014.yaml", "-n", 10000, "-q", "-o", out)
    return out


@pytest.fixture(scope="module")
def file_of_30_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("n30") / "n30.h5"
    sco("run", ROOT / "scenarios" / "sco2014.yaml", "-n", 30, "-q", "-o", out)
    return out


def a_real_parameter(scenario):
    """'PATH=LO:HI:5' for the first fixed, non-integer parameter `sco-sim params` lists,
    around its value (no parameter name is hard-coded)."""
    for line in sco("params", scenario).stdout.splitlines():
        fields = line.split()
        if len(fields) != 4 or "integer" in line:
            continue
        path, value, lo, hi = fields
        try:
            value, lo, hi = float(value), float(lo.strip("[,")), float(hi.strip("]"))
        except ValueError:
            continue
        if lo < value < hi:
            return f"{path}={(lo + value) / 2:g}:{(value + hi) / 2 if hi - value < 1 else value + 0.5:g}:5"
    pytest.fail(f"sco-sim params {scenario} lists no fixed real parameter inside its range")


@pytest.fixture(scope="module")
def small_sweep_file(tmp_path_factory):
    """A grid sweep of 5 points x 20 runs: too few for any automatic choice."""
    out = tmp_path_factory.mktemp("sweep") / "sweep.h5"
    scenario = ROOT / "scenarios" / "sco2014.yaml"
    sco("sweep", scenario, "--vary", a_real_parameter(scenario), "-n", 20, "-q", "-o", out)
    return out


# ---- each script on the small test scenario -------------------------------------------

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


def test_participation_and_objection_are_two_figures(full_file, tmp_path):
    paths = check_outputs(run_python(SCRIPTS / "plot_participation.py", full_file, "-o", tmp_path))
    assert stems(paths) == {"participation", "objection"}


# ---- plot_all.py on the four kinds of file the issue names ----------------------------

def test_plot_all_baseline_file(baseline_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_all.py", baseline_file, "-o", tmp_path)
    paths = check_outputs(proc, 10)
    names = stems(paths)
    for stem in ("outcomes", "participation", "objection", "rounds_dilution", "tension"):
        assert stem in names, (stem, names)
    # The baseline samples parameters and has per-run data: the sensitivity figure is
    # drawn, for an item tabled in at least 200 runs.
    import sco_results
    r = sco_results.load(baseline_file)
    if r.params:
        sens = [n for n in names if n.startswith("sensitivity_")]
        assert len(sens) == 1, names
        year = int(sens[0].rsplit("_", 1)[1])
        pid = sens[0][len("sensitivity_"):-len(f"_{year}")]
        t, p = r.period_index(year), r.proposal_index(pid)
        assert r.tabled[0, t, p] >= sco_results.MIN_TABLED


def test_plot_all_file_of_30_runs(file_of_30_runs, tmp_path):
    proc = run_python(SCRIPTS / "plot_all.py", file_of_30_runs, "-o", tmp_path)
    paths = check_outputs(proc, 2)
    assert "outcomes" in stems(paths)
    assert not any("sensitivity" in p for p in paths)
    lines = [line for line in proc.stderr.splitlines() if "skipping the sensitivity figure" in line]
    assert len(lines) == 1 and "200" in lines[0], proc.stderr


def test_plot_all_summary_only_skips_per_run_figures(summary_only_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_all.py", summary_only_file, "-o", tmp_path)
    paths = check_outputs(proc, 8)
    assert not any("sensitivity" in p for p in paths)
    assert "summary-only" in proc.stderr


def test_plot_all_small_sweep_skips_what_it_cannot_draw(small_sweep_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_all.py", small_sweep_file, "-o", tmp_path)
    paths = check_outputs(proc, 2)
    assert any(n.startswith("outcomes") for n in stems(paths))
    # 5 points x 20 runs: no level of the varied parameter pools 200 tabled runs.
    assert "skipping the response figure" in proc.stderr, proc.stderr
    for line in proc.stderr.splitlines():
        assert line.startswith("plot_all.py: "), line


def test_plot_all_fails_only_without_an_outcome_figure(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("not a results file")
    proc = run_python(SCRIPTS / "plot_all.py", bad, "-o", tmp_path)
    assert proc.returncode == 2
    assert "bad.h5" in proc.stderr and "Traceback" not in proc.stderr


# ---- the rules, in process --------------------------------------------------------------

class FakeResults:
    """Just what the choosers read: one point, two summits, three proposals."""

    def __init__(self, tabled, passed_p):
        import sco_results
        self.tabled = np.array([tabled])
        self.passed_p = np.array([passed_p], dtype=float)
        self.periods = np.array([2014, 2015])
        self.proposals = ["a", "b", "c"]
        self.proposal_titles = ["A", "B", "C"]
        self.path = "fake.h5"
        self.tabled_items = sco_results.Results.tabled_items.__get__(self)
        self.proposal_index = lambda pid: self.proposals.index(pid)


def test_most_uncertain_item_is_chosen_among_well_estimated_ones():
    import plot_sensitivity
    # (2015, b) is nearest one half but was tabled in 4 runs; (2014, c) is the most
    # uncertain of the items tabled in at least 200 runs.
    r = FakeResults(tabled=[[10000, 10000, 10000], [10000, 4, 199]],
                    passed_p=[[0.99, 1.0, 0.30], [0.98, 0.5, 0.49]])
    assert plot_sensitivity.choose_item(r, 0, None, None, 200) == (0, 2)
    assert plot_sensitivity.choose_item(r, 0, None, "b", 200) == (0, 1)


def test_no_well_estimated_item_is_a_skip_not_a_crash():
    import plot_sensitivity
    import sco_results
    r = FakeResults(tabled=[[30, 30, 0], [30, 4, 0]], passed_p=[[0.5, 1.0, np.nan], [0.4, 0.5, np.nan]])
    with pytest.raises(sco_results.Skip, match="200"):
        plot_sensitivity.choose_item(r, 0, None, None, 200)


def test_items_to_show_names_the_thin_ones():
    import sco_results
    r = FakeResults(tabled=[[10000, 10000, 0], [10000, 4, 33]], passed_p=[[0.9, 0.9, 0], [0.9, 1, 1]])
    items, note = sco_results.items_to_show(r, 0, None, 200)
    assert items == [(0, 0), (0, 1), (1, 0)]
    assert "B 2015 (4 runs)" in note and "C 2015 (33 runs)" in note
    r = FakeResults(tabled=[[30, 30, 0], [30, 4, 0]], passed_p=[[0.9, 0.9, 0], [0.9, 1, 1]])
    items, note = sco_results.items_to_show(r, 0, None, 200)
    assert len(items) == 4 and "rough" in note


def test_titles_wrap_and_are_never_cut(baseline_file):
    import sco_results
    r = sco_results.load(baseline_file)
    long = "A very long proposal title that goes on and on about staged accession steps"
    r.proposal_titles = list(r.proposal_titles) + [long]
    r.proposals = list(r.proposals) + ["x"]
    for p, full in enumerate(r.proposal_titles):
        wrapped = sco_results.title(r, p, 20)
        assert wrapped.replace("\n", " ") == (full or r.proposals[p])
        assert "…" not in wrapped
        assert all(len(line) <= 20 or " " not in line for line in wrapped.split("\n"))


def figures_drawn(monkeypatch, draw):
    """Runs draw() with save_figure capturing the figures instead of writing them."""
    import sco_results
    figs = []
    monkeypatch.setattr(sco_results, "save_figure", lambda fig, outdir, stem: figs.append((stem, fig)) or [])
    draw()
    return figs


def test_every_baseline_figure_reads_at_a_glance(baseline_file, monkeypatch, tmp_path):
    """No text under 8 points, nothing wider than FIG_WIDTH inches, grayscale only."""
    import matplotlib.colors as mcolors
    import matplotlib.lines
    import matplotlib.patches
    import matplotlib.text
    import plot_all
    import sco_results
    r = sco_results.load(baseline_file)
    figs = figures_drawn(monkeypatch, lambda: plot_all.draw_all(r, tmp_path))
    assert {stem for stem, _ in figs} >= {"outcomes", "participation", "objection"}
    for stem, fig in figs:
        assert fig.get_figwidth() <= sco_results.FIG_WIDTH + 1e-9, stem
        for t in fig.findobj(matplotlib.text.Text):
            if t.get_visible() and t.get_text().strip():
                assert t.get_fontsize() >= 8, (stem, t.get_text(), t.get_fontsize())
                assert is_gray(t.get_color()), (stem, t.get_text(), t.get_color())
        for patch in fig.findobj(matplotlib.patches.Patch):
            assert is_gray(patch.get_facecolor()) and is_gray(patch.get_edgecolor()), stem
        for line in fig.findobj(matplotlib.lines.Line2D):
            assert is_gray(line.get_color()), (stem, line.get_color())


def is_gray(color):
    import matplotlib.colors as mcolors
    r, g, b, _ = mcolors.to_rgba(color)
    return abs(r - g) < 1e-6 and abs(g - b) < 1e-6


def test_participation_is_one_panel_per_proposal(baseline_file, monkeypatch, tmp_path):
    import plot_participation
    import sco_results
    r = sco_results.load(baseline_file)
    figs = figures_drawn(monkeypatch, lambda: plot_participation.plot(r, tmp_path))
    items, _ = sco_results.items_to_show(r)
    proposals = {p for _, p in items}
    for stem, fig in figs:
        panels = [ax for ax in fig.axes if ax.get_images()]
        assert len(panels) == len(proposals), stem
        for ax in panels:  # one column per summit at which it is well estimated
            assert ax.get_images()[0].get_array().shape[0] == len(r.agents)


def test_participation_at_one_summit_is_one_panel(baseline_file, monkeypatch, tmp_path):
    import plot_participation
    import sco_results
    r = sco_results.load(baseline_file)
    year = int(r.periods[0])
    figs = figures_drawn(monkeypatch, lambda: plot_participation.plot(r, tmp_path, period=year))
    items, _ = sco_results.items_to_show(r, 0, year)
    assert [stem for stem, _ in figs] == [f"participation_{year}", f"objection_{year}"]
    for stem, fig in figs:
        (panel,) = [ax for ax in fig.axes if ax.get_images()]
        assert panel.get_images()[0].get_array().shape == (len(items), len(r.agents))


# ---- the scripts' command lines --------------------------------------------------------

def test_per_run_script_refuses_summary_only_file(summary_only_file, tmp_path):
    proc = run_python(SCRIPTS / "plot_sensitivity.py", summary_only_file, "-o", tmp_path)
    assert proc.returncode == 2
    assert "summary-only" in proc.stderr and "Traceback" not in proc.stderr


def test_sensitivity_script_on_30_runs_is_a_one_line_error(file_of_30_runs, tmp_path):
    proc = run_python(SCRIPTS / "plot_sensitivity.py", file_of_30_runs, "-o", tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "200" in proc.stderr, proc.stderr


def test_min_tabled_option(file_of_30_runs, tmp_path):
    proc = run_python(SCRIPTS / "plot_sensitivity.py", file_of_30_runs, "-o", tmp_path,
                      "--min-tabled", "25")
    check_outputs(proc)


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
    import sco_results
    k = np.array([0.0, 5.0, 1234.0, 7.0])
    n = np.array([1234.0, 10.0, 1234.0, 7.0])
    p, lo, hi = sco_results.wilson(k, n)
    assert np.all(lo <= p) and np.all(p <= hi)
    assert np.all(p - lo >= 0) and np.all(hi - p >= 0)
