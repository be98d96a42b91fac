#!/usr/bin/env python3
"""One self-contained HTML report of a results file.

    report.py RESULTS.h5 [-o REPORT.html] [--point K] [--min-tabled N]

The report holds the scenario and the provenance the file records (seed, runs, commit,
command line, ...), the outcome table of every summit with 95% intervals, participation
and objection per agent, tension, the compromise and weighted-median positions beside
the texts adopted, and every figure plot_all.py draws (embedded as PNG); for a sweep,
also the design, the response figure and, for a Sobol sweep, the Sobol indices. One
file, no network, no JavaScript: it opens in any browser, offline, and can be mailed.

Default output: RESULTS with .html instead of .h5. Prints the report's path. Figures
that cannot be drawn from the file are listed in the report with the reason. Exit
status 0, or 2 when the file cannot be read. See docs/report.md.
"""
import argparse
import base64
import datetime
import html
import os
import sys
import tempfile

try:
    import sco_results as sr
    import plot_all
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

PROG = "report.py"

CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #111; background: #fff;
       max-width: 64rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #888; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.3rem; }
p.lead { margin-top: 0; color: #333; }
nav ol { columns: 2; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #bbb; padding: 0.15rem 0.45rem; vertical-align: top; }
th { background: #eee; text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
span.ci { color: #555; font-size: 0.75rem; }
tr.thin td { color: #666; font-style: italic; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85rem; color: #333; margin-top: 0.3rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.78rem; }
.note { font-size: 0.85rem; color: #333; }
.wide { overflow-x: auto; }
@media print { nav { display: none; } h2 { page-break-before: auto; } figure { page-break-inside: avoid; } }
"""

#: Root attributes shown in the provenance table, in this order (others follow).
PROVENANCE = ["scenario_name", "scenario_path", "scenario_sha256", "seed", "runs",
              "replications", "points", "first_point", "total_points", "summary_only",
              "per_run_tension", "variant_choice", "variant_amendment", "variant_pressure",
              "variant_sponsor",
              "design", "design_samples", "design_seed", "sweep_id", "tool_version",
              "git_commit", "command_line", "created", "merged_by", "merged_from", "format"]
HIDDEN = {"scenario_text", "sweep_text"}  # shown in full below the table


def esc(x):
    return html.escape(str(x), quote=True)


def pct(v, digits=1):
    if v is None or not sr.np.isfinite(v):
        return "–"
    return f"{100 * v:.{digits}f}%"


def with_ci(p, lo, hi):
    if not sr.np.isfinite(p):
        return "–"
    return f"{pct(p)}<br><span class=\"ci\">{100 * lo:.1f}–{100 * hi:.1f}</span>"


def num(v, digits=2):
    if v is None or not sr.np.isfinite(v):
        return "–"
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.00"


class Report:
    def __init__(self, r, point, min_tabled):
        self.r = r
        self.point = point
        self.min_tabled = min_tabled
        self.parts = []
        self.toc = []

    def add(self, text):
        self.parts.append(text)

    def section(self, anchor, title):
        self.toc.append((anchor, title))
        self.add(f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>')

    def end(self):
        self.add("</section>")

    def figure(self, path, kind):
        with open(path, "rb") as f:
            data = f.read()
        try:  # PNG header: width and height at bytes 16-24
            w = int.from_bytes(data[16:20], "big")
            width = f' width="{round(w * 100 / sr.DPI)}"'
        except (ValueError, IndexError):
            width = ""
        caption = plot_all.CAPTIONS.get(kind, "")
        name = os.path.basename(path)
        self.add(f'<figure data-kind="{esc(kind)}" data-file="{esc(name)}">'
                 f'<img alt="{esc(caption or name)}"{width} '
                 f'src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">'
                 f"<figcaption>{esc(caption)} <code>{esc(name)}</code></figcaption></figure>")

    def html(self):
        r = self.r
        title = f"sco-sim report: {r.label()}"
        nav = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in self.toc)
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<meta name=\"generator\" content=\"sco-sim scripts/report.py\">\n"
                f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
                + self.parts[0] + f"<nav><h2>Contents</h2><ol>{nav}</ol></nav>\n"
                + "\n".join(self.parts[1:]) + "\n</body>\n</html>\n")


def header(rep, results_path):
    r = rep.r
    years = [int(y) for y in r.periods]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]) if years else "none"
    design = ""
    if r.design:
        design = (f", a {esc(r.design)} sweep of {r.n_points:,} points "
                  f"(this report: point {rep.point})")
    rep.add(f"<header><h1>{esc(r.label())}</h1><p class=\"lead\">"
            f"{r.n_runs:,} runs ({r.replications:,} per point){design}; seed {r.seed}; "
            f"{len(years)} summits ({span}), {len(r.agents)} agents, {len(r.proposals)} "
            f"proposals. Results file <code>{esc(results_path)}</code>.</p></header>")


def provenance(rep):
    r = rep.r
    rep.section("provenance", "Scenario and provenance")
    prov = r.provenance
    keys = [k for k in PROVENANCE if k in prov] + \
        sorted(k for k in prov if k not in PROVENANCE and k not in HIDDEN)
    rows = []
    for k in keys:
        v = prov[k]
        if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
            v = ", ".join(str(x.decode() if isinstance(x, bytes) else x)
                          for x in (v.tolist() if hasattr(v, "tolist") else v))
        rows.append(f'<tr data-attr="{esc(k)}"><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>')
    rep.add('<table id="provenance-table">' + "".join(rows) + "</table>")
    text = str(prov.get("scenario_text", ""))
    if text:
        rep.add(f"<details><summary>The scenario file as read ({len(text.splitlines())} "
                f"lines)</summary><pre>{esc(text)}</pre></details>")
    sweep = str(prov.get("sweep_text", ""))
    if sweep:
        rep.add(f"<details><summary>The sweep file as read</summary><pre>{esc(sweep)}</pre>"
                "</details>")
    if r.n_points > 1 or r.design:
        desc = r.point_descriptions[rep.point] if rep.point < len(r.point_descriptions) else ""
        rep.add(f'<p class="note">Tables and per-point figures below: point {rep.point}'
                f"{': <code>' + esc(desc) + '</code>' if desc else ''}.</p>")
    rep.end()


def figures_of(rep, figs, kinds):
    for path, kind in figs:
        if kind in kinds and path.endswith(".png"):
            rep.figure(path, kind)


def thin_mark(rep, t, p):
    return rep.r.tabled[rep.point, t, p] < rep.min_tabled


def outcomes(rep, figs):
    r, k = rep.r, rep.point
    rep.section("outcomes", "Outcomes by summit")
    figures_of(rep, figs, {"outcomes"})
    shown = [o for o, name in enumerate(r.outcomes) if name != "not_tabled"]
    rep.add(f'<p class="note">Probabilities are shares of the runs in which the proposal was '
            f"tabled, with 95% Wilson intervals. Rows in italics (†): tabled in fewer than "
            f"{rep.min_tabled} runs, rough estimates.</p>")
    for t in range(len(r.periods)):
        items = r.tabled_items(k, int(r.periods[t]))
        if not items:
            continue
        year = int(r.periods[t])
        head = "".join(f"<th>{esc(r.outcomes[o].replace('_', ' '))}</th>" for o in shown)
        rows = []
        for _, p in items:
            thin = thin_mark(rep, t, p)
            cls = ' class="thin"' if thin else ""
            cells = "".join(f'<td class="num">{with_ci(r.outcome_p[k, t, p, o], r.outcome_lo[k, t, p, o], r.outcome_hi[k, t, p, o])}</td>'
                            for o in shown)
            rows.append(
                f'<tr data-period="{year}" data-proposal="{esc(r.proposals[p])}"{cls}>'
                f"<td>{esc(r.proposal_titles[p] or r.proposals[p])}{' †' if thin else ''}<br>"
                f"<code>{esc(r.proposals[p])}</code></td>"
                f'<td class="num">{int(r.tabled[k, t, p]):,}</td>'
                f'<td class="num">{with_ci(r.passed_p[k, t, p], r.passed_lo[k, t, p], r.passed_hi[k, t, p])}</td>'
                f"{cells}"
                f'<td class="num">{num(r.rounds_mean[k, t, p])}</td>'
                f'<td class="num">{num(r.dilution_mean[k, t, p])}</td></tr>')
        rep.add(f"<h3>{year}</h3><div class=\"wide\"><table class=\"outcomes\" data-period=\"{year}\">"
                f"<tr><th>proposal</th><th>tabled (runs)</th><th>passed</th>{head}"
                f"<th>rounds (mean)</th><th>dilution (mean)</th></tr>{''.join(rows)}</table></div>")
    rep.end()


def agents(rep, figs):
    r, k = rep.r, rep.point
    rep.section("agents", "Participation and objection by agent")
    figures_of(rep, figs, {"participation", "objection"})
    rep.add('<p class="note"><em>took part</em>: the agent took part in the decision that was '
            "adopted (it passed and the agent supported it or joined the project); "
            "<em>objected</em>: it objected in the last round. Shares of the runs in which "
            "the proposal was tabled; &lt;1% and &gt;99%: near 0 or 1 but not exactly.</p>")
    names = dict(zip(r.agents, r.agent_names))
    head = "".join(f'<th title="{esc(names.get(a, a))}">{esc(a)}</th>' for a in r.agents)
    for t in range(len(r.periods)):
        items = r.tabled_items(k, int(r.periods[t]))
        if not items:
            continue
        year = int(r.periods[t])
        rows = []
        for _, p in items:
            thin = thin_mark(rep, t, p)
            cls = ' class="thin"' if thin else ""
            for m, (measure, arr) in enumerate((("took part", r.participation),
                                                ("objected", r.objection))):
                first = (f'<td rowspan="2">{esc(r.proposal_titles[p] or r.proposals[p])}'
                         f"{' †' if thin else ''}</td>") if m == 0 else ""
                cells = "".join(f'<td class="num">{sr.fmt_pct(arr[k, t, p, i])}</td>'
                                for i in range(len(r.agents)))
                rows.append(f'<tr data-period="{year}" data-proposal="{esc(r.proposals[p])}" '
                            f'data-measure="{measure}"{cls}>{first}<td>{measure}</td>{cells}</tr>')
        rep.add(f"<h3>{year}</h3><div class=\"wide\"><table class=\"agents\" data-period=\"{year}\">"
                f"<tr><th>proposal</th><th></th>{head}</tr>{''.join(rows)}</table></div>")
    rep.add("<p class=\"note\">Agents: " + ", ".join(f"{esc(a)} {esc(names.get(a, a))}"
                                                     for a in r.agents) + ".</p>")
    figures_of(rep, figs, {"rounds_dilution"})
    rep.end()


def tension(rep, figs):
    r, k = rep.r, rep.point
    rep.section("tension", "Tension")
    figures_of(rep, figs, {"tension"})
    np = sr.np
    if not len(r.pairs) or not len(r.periods):
        rep.add('<p class="note">No agent pairs.</p>')
        rep.end()
        return
    qi = {q: int(np.argmin(np.abs(r.quantiles - q))) for q in (0.05, 0.5, 0.95)}
    first, last = int(r.periods[0]), int(r.periods[-1])
    pairs = [j for j in np.argsort(-r.tension_mean[k, -1], kind="stable")
             if np.nanmax(r.tension_mean[k, :, j]) > 0]
    names = dict(zip(r.agents, r.agent_names))
    rows = []
    for j in pairs:
        a, _, b = r.pairs[j].partition("-")
        q = r.tension_quantiles[k, -1, j]
        rows.append(f'<tr data-pair="{esc(r.pairs[j])}"><td>{esc(names.get(a, a))} – '
                    f"{esc(names.get(b, b))} <code>{esc(r.pairs[j])}</code></td>"
                    f'<td class="num">{num(r.tension_mean[k, 0, j], 3)}</td>'
                    f'<td class="num">{num(r.tension_mean[k, -1, j], 3)}</td>'
                    f'<td class="num">{num(q[qi[0.05]], 3)}</td><td class="num">{num(q[qi[0.5]], 3)}</td>'
                    f'<td class="num">{num(q[qi[0.95]], 3)}</td></tr>')
    rep.add('<p class="note">Every pair with any tension, most tense at the end first; '
            "tension runs from 0 to 1. Quantiles over the runs (bins of width 0.005).</p>")
    rep.add(f'<table id="tension-table"><tr><th>pair</th><th>mean, end of {first}</th>'
            f"<th>mean, end of {last}</th><th>5%, {last}</th><th>median, {last}</th>"
            f"<th>95%, {last}</th></tr>{''.join(rows)}</table>")
    rep.end()


def positions(rep):
    r, k = rep.r, rep.point
    np = sr.np
    rep.section("positions", "Positions: reference models and adopted texts")
    rep.add('<p class="note">Per summit and policy dimension (0 to 1): the mean position of '
            "the compromise model (the members' positions weighted by capability and "
            "salience) and of the weighted median, beside the mean text of every proposal "
            "that passed, over the runs in which it passed. A text keeps the status quo on "
            "the dimensions its proposal does not address. See docs/model.md.</p>")
    for t in range(len(r.periods)):
        year = int(r.periods[t])
        passed = [p for _, p in r.tabled_items(k, year) if r.passed[k, t, p] > 0]
        head = "".join(f'<th title="{esc(r.proposal_titles[p])}">text: {esc(r.proposals[p])}</th>'
                       for p in passed)
        rows = []
        for d, dim in enumerate(r.dimensions):
            texts = "".join(f'<td class="num">{num(r.text_mean[k, t, p, d])}</td>' for p in passed)
            rows.append(f'<tr data-period="{year}" data-dimension="{esc(dim)}"><td>{esc(dim)}</td>'
                        f'<td class="num">{num(r.compromise_mean[k, t, d])}</td>'
                        f'<td class="num">{num(r.weighted_median_mean[k, t, d])}</td>{texts}</tr>')
        if not np.isfinite(r.compromise_mean[k, t]).any() and not passed:
            continue
        rep.add(f"<h3>{year}</h3><div class=\"wide\"><table class=\"positions\" data-period=\"{year}\">"
                f"<tr><th>dimension</th><th>compromise</th><th>weighted median</th>{head}</tr>"
                f"{''.join(rows)}</table></div>")
    rep.end()


def sweep(rep, figs):
    r = rep.r
    np = sr.np
    rep.section("sweep", "The sweep")
    rows = []
    for j, f in enumerate(r.factors):
        v = r.factor_values[:, j] if r.factor_values is not None and r.factor_values.size else []
        lo, hi = (float(np.min(v)), float(np.max(v))) if len(v) else (float("nan"),) * 2
        rows.append(f'<tr data-factor="{esc(f)}"><td><code>{esc(f)}</code></td>'
                    f'<td class="num">{lo:g}</td><td class="num">{hi:g}</td>'
                    f'<td class="num">{len(np.unique(v)) if len(v) else 0:,}</td></tr>')
    rep.add(f'<p class="note">Design <code>{esc(r.design or "grid")}</code>, {r.n_points:,} points'
            f" in this file, {r.replications:,} runs per point.</p>")
    rep.add('<table id="factors-table"><tr><th>varied parameter</th><th>lowest</th>'
            f"<th>highest</th><th>distinct values</th></tr>{''.join(rows)}</table>")
    figures_of(rep, figs, {"response", "sobol"})
    if r.sensitivity is not None:
        S = r.sensitivity
        outs = sr.sobol_outputs(r, rep.min_tabled)
        rows = []
        for o in outs:
            if not o.informative:
                continue
            t, p = o.t, o.p
            for j, f in enumerate(r.factors):
                cell = "".join(
                    f'<td class="num">{num(S[key][j, t, p])} <span class="ci">'
                    f"[{num(S[key + '_lo'][j, t, p])}, {num(S[key + '_hi'][j, t, p])}]</span></td>"
                    for key in ("first", "total"))
                rows.append(f'<tr data-period="{int(r.periods[t])}" '
                            f'data-proposal="{esc(r.proposals[p])}" data-factor="{esc(f)}">'
                            f"<td>{int(r.periods[t])}</td><td>{esc(r.proposals[p])}</td>"
                            f"<td><code>{esc(f)}</code></td>{cell}"
                            f'<td class="num">{o.eta:.2g}</td></tr>')
        rep.add('<h3>Sobol indices of P(passed)</h3><p class="note">For every proposal and '
                f"summit tabled in at least {rep.min_tabled} runs over the sweep whose pass "
                "probability varies across the points at least twice as much as sampling "
                "noise, and not only with whether it is tabled; 95% bootstrap intervals. "
                "The noise floor is the share of the output's variance that is binomial noise "
                f"of the {r.replications:,} runs per point: every ST is inflated by about that "
                "share, so an ST near it means the parameter may not act at all (more runs per "
                "point lower it; docs/figures.md).</p>")
        if rows:
            rep.add('<div class="wide"><table id="sobol-table"><tr><th>summit</th><th>proposal</th>'
                    f"<th>parameter</th><th>first order S1</th><th>total order ST</th>"
                    f"<th>noise floor</th></tr>{''.join(rows)}</table></div>")
        else:
            rep.add('<p class="note">None.</p>')
        mixed = [o for o in outs if o.informative and o.untabled]
        if mixed:
            rep.add('<p class="note" id="sobol-untabled">Never tabled at some points, where '
                    "P(passed) counts as 0: "
                    + "; ".join(f"{esc(o.name)} ({o.untabled:,} of {o.points:,} points, "
                                f"{o.tabling_share:.0%} of its variance between those and the "
                                "others)" for o in mixed) + ".</p>")
        noise = [f"{esc(o.name)} ({o.eta:.2g})" for o in outs if o.kind == "noise"]
        tabled = [f"{esc(o.name)} ({o.untabled:,} of {o.points:,} points never table it)"
                  for o in outs if o.kind == "tabled"]
        parts = []
        if noise:
            parts.append("varying less than twice the sampling noise (noise floor 0.5 or more): "
                         + ", ".join(noise))
        if tabled:
            parts.append("varying only with whether the proposal is tabled: " + ", ".join(tabled))
        if parts:
            rep.add('<p class="note" id="sobol-left-out">Left out, their indices cannot be read: '
                    + "; ".join(parts) + ".</p>")
    rep.end()


def skipped_section(rep, skipped, figs):
    rep.section("figures", "Figures not drawn")
    if skipped:
        items = "".join(f'<li data-figure="{esc(name)}">the {esc(name)} figure: {esc(reason)}</li>'
                        for name, reason in skipped)
        rep.add(f"<ul>{items}</ul>")
    else:
        rep.add('<p class="note">None: every figure this file supports is above.</p>')
    rep.add(f'<p class="note">The figures follow the rules of docs/figures.md (an item counts '
            f"as well estimated when tabled in at least {rep.min_tabled} runs). "
            "<code>scripts/plot_all.py RESULTS.h5 -o DIR</code> writes them as PNG and PDF.</p>")
    rep.end()


def build(r, results_path, point=0, min_tabled=sr.MIN_TABLED, log=None):
    """The report as an HTML string, and the list of skipped figures."""
    sr.check_point(r, point)
    rep = Report(r, point, min_tabled)
    with tempfile.TemporaryDirectory(prefix="sco-report-") as tmp:
        paths, skipped, _ = plot_all.draw_all(r, tmp, min_tabled, log=log, points=[point],
                                               prog=PROG)
        figs = [(p, plot_all.kind_of(p)) for p in paths]
        header(rep, results_path)
        provenance(rep)
        outcomes(rep, figs)
        agents(rep, figs)
        tension(rep, figs)
        positions(rep)
        if any(kind == "sensitivity" for _, kind in figs):
            rep.section("sensitivity", "Sensitivity to the sampled parameters")
            figures_of(rep, figs, {"sensitivity"})
            rep.end()
        if r.factors:
            sweep(rep, figs)
        skipped_section(rep, skipped, figs)
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        rep.add(f'<footer><p class="note">Written by scripts/report.py from '
                f"<code>{esc(results_path)}</code> on {now}.</p></footer>")
        return rep.html(), skipped


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="results file (.h5)")
    ap.add_argument("-o", "--output", help="the HTML file (default: RESULTS with .html)")
    ap.add_argument("--point", type=int, default=0, help="sweep point of the tables (default 0)")
    ap.add_argument("--min-tabled", type=int, default=sr.MIN_TABLED, metavar="N",
                    help=f"well-estimated items: tabled in at least N runs (default {sr.MIN_TABLED})")
    a = ap.parse_args(sys.argv[1:] if argv is None else argv)
    out = a.output or os.path.splitext(a.results)[0] + ".html"
    try:
        r = sr.load(a.results)
        text, _ = build(r, a.results, a.point, a.min_tabled)
        folder = os.path.dirname(os.path.abspath(out))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
        except BaseException:
            os.unlink(tmp)
            raise
    except (sr.BadResults, ValueError, KeyError, OSError, ImportError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
