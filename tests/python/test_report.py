"""scripts/report.py: one self-contained HTML file per results file. The HTML is parsed
(html.parser) and checked against the results file: every figure plot_all.py draws is
embedded, every table has a row per item the file holds, nothing is fetched from the
network and there is no script. A headless Chromium opens the report and takes a
screenshot that must not be blank."""
import base64
import html.parser
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

from conftest import ROOT, SCRIPTS, make_results, run_python, sco

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Page(html.parser.HTMLParser):
    """Collects what the tests look at: tags, figures, tables and their rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []            # (tag, attrs) in document order
        self.tables = []          # {"attrs":..., "rows": [{"attrs":..., "cells": [text]}]}
        self.figures = []         # attrs of <figure>
        self.images = []          # src of <img>
        self.title = ""
        self._in_title = False
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "title":
            self._in_title = True
        elif tag == "table":
            self.tables.append({"attrs": attrs, "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append({"attrs": attrs, "cells": []})
        elif tag in ("td", "th") and self.tables and self.tables[-1]["rows"]:
            self._cell = []
        elif tag == "figure":
            self.figures.append(attrs)
        elif tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._cell is not None:
            self._cell.append(data)

    def table(self, key, value):
        return [t for t in self.tables if t["attrs"].get(key) == value or
                value in t["attrs"].get(key, "").split()]

    def data_rows(self, cls):
        """Rows with data attributes of every table of class `cls`."""
        return [row for t in self.table("class", cls) for row in t["rows"]
                if any(k.startswith("data-") for k in row["attrs"])]


def make_report(results, out, *extra):
    proc = run_python(SCRIPTS / "report.py", results, "-o", out, *extra)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr, proc.stderr
    assert proc.stdout.strip() == str(out)
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    page.close()
    return page, proc


def announced_pngs(results, tmp_path):
    """The PNG file names plot_all.py announces for this file."""
    proc = run_python(SCRIPTS / "plot_all.py", results, "-o", tmp_path / "plot_all")
    assert proc.returncode == 0, proc.stderr
    return {pathlib.Path(p).name for p in proc.stdout.split() if p.endswith(".png")}


def check_self_contained(page):
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed"), tag
        for name in ("src", "href", "srcset", "action"):
            v = attrs.get(name)
            if v is not None:
                assert v.startswith("data:") or v.startswith("#"), (tag, name, v[:80])
    assert page.images, "no figure"
    for src in page.images:
        head, _, data = src.partition(",")
        assert head == "data:image/png;base64", head
        assert base64.b64decode(data)[:8] == PNG_MAGIC


def check_tables(page, r, point=0):
    import sco_results
    years = [int(y) for y in r.periods]
    items = {(years[t], r.proposals[p]) for t, p in r.tabled_items(point)}
    # Outcomes: one row per tabled (summit, proposal), with the tabled count and P(passed).
    rows = page.data_rows("outcomes")
    got = [(int(row["attrs"]["data-period"]), row["attrs"]["data-proposal"]) for row in rows]
    assert sorted(got) == sorted(items)
    for row in rows:
        t = r.period_index(int(row["attrs"]["data-period"]))
        p = r.proposal_index(row["attrs"]["data-proposal"])
        assert row["cells"][1] == f"{int(r.tabled[point, t, p]):,}"
        assert row["cells"][2].startswith(f"{100 * r.passed_p[point, t, p]:.1f}%")
        thin = r.tabled[point, t, p] < sco_results.MIN_TABLED
        assert ("thin" in row["attrs"].get("class", "")) == thin
    # Participation and objection: two rows per item, one cell per agent.
    rows = page.data_rows("agents")
    got = sorted((int(row["attrs"]["data-period"]), row["attrs"]["data-proposal"],
                  row["attrs"]["data-measure"]) for row in rows)
    assert got == sorted((y, pid, m) for y, pid in items for m in ("took part", "objected"))
    for row in rows:
        t = r.period_index(int(row["attrs"]["data-period"]))
        p = r.proposal_index(row["attrs"]["data-proposal"])
        values = row["cells"][-len(r.agents):]
        arr = r.participation if row["attrs"]["data-measure"] == "took part" else r.objection
        assert values == [sco_results.fmt_pct(v) for v in arr[point, t, p]]
    # Tension: every pair with any tension.
    (tension,) = page.table("id", "tension-table")
    got = {row["attrs"]["data-pair"] for row in tension["rows"] if "data-pair" in row["attrs"]}
    assert got == {r.pairs[j] for j in range(len(r.pairs))
                   if np.nanmax(r.tension_mean[point, :, j]) > 0}
    # Positions: every summit and dimension, compromise and weighted median beside the texts.
    rows = page.data_rows("positions")
    got = {(int(row["attrs"]["data-period"]), row["attrs"]["data-dimension"]) for row in rows}
    assert got == {(y, d) for y in years for d in r.dimensions}
    for row in rows:
        t = r.period_index(int(row["attrs"]["data-period"]))
        d = r.dimensions.index(row["attrs"]["data-dimension"])
        assert row["cells"][1] == f"{r.compromise_mean[point, t, d]:.2f}"
        assert row["cells"][2] == f"{r.weighted_median_mean[point, t, d]:.2f}"


# ---- files ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def baseline_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("baseline") / "sco2014.h5"
    sco("run", ROOT / "scenarios" / "sco2014.yaml", "-n", 10000, "-q", "-o", out)
    return out


@pytest.fixture(scope="module")
def baseline_report(baseline_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    page, _ = make_report(baseline_file, out)
    return out, page


# ---- tests ---------------------------------------------------------------------------

def test_baseline_report_has_every_figure_and_table_row(baseline_file, baseline_report, tmp_path):
    import sco_results
    out, page = baseline_report
    r = sco_results.load(baseline_file)
    check_self_contained(page)
    assert r.scenario_name in page.title
    embedded = {f["data-file"] for f in page.figures}
    assert embedded == announced_pngs(baseline_file, tmp_path)
    assert {"outcomes", "participation", "objection", "tension"} <= {f["data-kind"] for f in page.figures}
    check_tables(page, r)


def test_report_records_the_provenance(baseline_file, baseline_report):
    import sco_results
    _, page = baseline_report
    r = sco_results.load(baseline_file)
    (prov,) = page.table("id", "provenance-table")
    shown = {row["attrs"]["data-attr"]: row["cells"][1] for row in prov["rows"]}
    for key in ("scenario_name", "seed", "runs", "git_commit", "command_line", "created",
                "tool_version", "scenario_sha256"):
        assert shown[key] == str(r.provenance[key]), key
    assert "scenario_text" not in shown  # shown whole, in a <details> below the table


def test_sweep_report_has_the_response_and_sobol_figures(sobol_file, tmp_path):
    import sco_results
    page, _ = make_report(sobol_file, tmp_path / "sobol.html")
    check_self_contained(page)
    kinds = {f["data-kind"] for f in page.figures}
    assert {"response", "sobol"} <= kinds, kinds
    assert {f["data-file"] for f in page.figures} == announced_pngs(sobol_file, tmp_path)
    r = sco_results.load(sobol_file)
    (factors,) = page.table("id", "factors-table")
    assert [row["attrs"]["data-factor"] for row in factors["rows"][1:]] == r.factors
    (sobol,) = page.table("id", "sobol-table")
    got = {(int(row["attrs"]["data-period"]), row["attrs"]["data-proposal"], row["attrs"]["data-factor"])
           for row in sobol["rows"][1:]}
    outs = {(int(r.periods[o.t]), r.proposals[o.p]): o for o in sco_results.sobol_outputs(r)}
    want = {(y, pid, f) for (y, pid), o in outs.items() if o.informative for f in r.factors}
    assert want and got == want
    # Every row ends with its output's noise floor, the one sco_results computes.
    for row in sobol["rows"][1:]:
        o = outs[(int(row["attrs"]["data-period"]), row["attrs"]["data-proposal"])]
        assert row["cells"][-1] == f"{o.eta:.2g}"  # two significant digits: 0.00089, not 0.00
    assert sobol["rows"][0]["cells"][-1] == "noise floor"
    # The outputs left out as degenerate are named, each once, with no informative one.
    html = (tmp_path / "sobol.html").read_text(encoding="utf-8")
    note = re.search(r'id="sobol-left-out">(.*?)</p>', html, flags=re.S)
    left = sorted(o.name for o in outs.values() if o.kind in ("noise", "tabled"))
    named = sorted(re.findall(r"(\w+ \d{4}) \(", note.group(1))) if note else []
    assert named == left
    check_tables(page, r)


@pytest.mark.parametrize("kind", ["30 runs", "summary-only"])
def test_report_of_a_thin_file_lists_the_figures_it_skips(kind, tmp_path):
    import sco_results
    if kind == "30 runs":
        results = make_results(tmp_path / "n30.h5", runs=30)
    else:
        results = make_results(tmp_path / "so.h5", "--summary-only")
    page, proc = make_report(results, tmp_path / "r.html")
    check_self_contained(page)
    check_tables(page, sco_results.load(results))
    skipped = [attrs["data-figure"] for tag, attrs in page.tags if tag == "li" and "data-figure" in attrs]
    assert "sensitivity" in skipped
    assert "skipping the sensitivity figure" in proc.stderr


def test_default_output_and_bad_input(full_file, tmp_path):
    local = tmp_path / "x.h5"
    shutil.copy(full_file, local)
    proc = run_python(SCRIPTS / "report.py", local)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(tmp_path / "x.html") and (tmp_path / "x.html").exists()
    bad = tmp_path / "bad.h5"
    bad.write_text("not a results file")
    proc = run_python(SCRIPTS / "report.py", bad, "-o", tmp_path / "bad.html")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "bad.h5" in proc.stderr
    assert not (tmp_path / "bad.html").exists()


# ---- a real browser ------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def screenshot(chromium, page_path, png, size=(1200, 2400)):
    with tempfile.TemporaryDirectory(prefix="sco-chromium-") as profile:
        return subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
             f"--window-size={size[0]},{size[1]}", pathlib.Path(page_path).resolve().as_uri()],
            capture_output=True, text=True, timeout=180)


def test_chromium_renders_the_report(baseline_report, tmp_path):
    from PIL import Image
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (./scripts/install-deps.sh --browser)")
    # Can Chromium start here at all? A trivial page first.
    probe = tmp_path / "probe.html"
    probe.write_text("<!DOCTYPE html><html><body><p>probe</p></body></html>")
    proc = screenshot(chromium, probe, tmp_path / "probe.png", (400, 300))
    if proc.returncode != 0 or not (tmp_path / "probe.png").exists():
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        pytest.skip(f"Chromium cannot start here (exit {proc.returncode}): {last}")
    out, _ = baseline_report
    shot = tmp_path / "report.png"
    proc = screenshot(chromium, out, shot)
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    with Image.open(shot) as im:
        assert im.size == (1200, 2400)
        gray = np.asarray(im.convert("L"), dtype=np.uint8)
    dark = gray < 128
    assert dark.mean() > 0.01, "the screenshot is (nearly) blank"
    assert dark[:300].any(), "no heading at the top of the page"
    assert len(np.unique(gray)) >= 32, "no figure: too few gray levels"
    # The embedded figures render: a band of the page holds a large picture, rows of
    # which have many dark pixels (text alone leaves most rows nearly white).
    assert (dark.mean(axis=1) > 0.05).sum() > 100
