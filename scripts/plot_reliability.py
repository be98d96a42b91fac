#!/usr/bin/env python3
"""Reliability diagram and per-observation bars of a score against observed events.

    sco-sim score RESULTS.h5 EVENTS.yaml --json > SCORE.json
    plot_reliability.py SCORE.json [-o FIG.png]

Reads the JSON that `sco-sim score --json` prints (docs/cli.md, "score --json"); it does
not run sco-sim. Writes FIG.png and FIG.pdf (default: SCORE.png beside the JSON).

Top left, the reliability diagram: per bin of model probability, the weighted mean
probability against the weighted observed frequency, each point labelled with its count
of observations (its area grows with their weight); the diagonal is perfect
calibration. Top right, the scores overall and per category (Brier, log score with its
clip, base rate, Brier skill). Below, one bar per binary observation: the model
probability with its 95% Wilson interval over the runs, and what was observed marked at
0 or 1 (a filled diamond). Grayscale: categories differ by gray level and hatching.
"""
import argparse
import json
import os
import sys

try:
    import sco_results as sr
except ImportError as e:
    print(f"{os.path.basename(__file__)}: error: {e}", file=sys.stderr)
    sys.exit(2)

#: Rows of per-observation bars per column; more observations go into a second column.
ROWS_PER_COLUMN = 45
#: The figure's height is kept within MAX_WIDTH_PX at sr.DPI (13.3 inches).
MAX_HEIGHT_IN = sr.MAX_WIDTH_PX / sr.DPI - 0.3


def load_score(path):
    """The parsed JSON of `sco-sim score --json`; ValueError if it is not one."""
    try:
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON ({e}); write it with: sco-sim score RESULTS "
                         "EVENTS --json > SCORE.json") from e
    if not isinstance(j, dict) or j.get("format") != "sco-sim-score/1":
        raise ValueError(f"{path}: not the output of 'sco-sim score --json' "
                         "(format sco-sim-score/1)")
    for key in ("observations", "scores", "categories", "clip", "runs"):
        if key not in j:
            raise ValueError(f"{path}: the field '{key}' is missing")
    if not j["observations"]:
        raise sr.Skip(f"{path}: no observations to draw")
    return j


def _num(v, fmt="{:.3f}"):
    return "–" if v is None else fmt.format(v)


def scores_text(j):
    rows = [("set", "n", "Brier", "log", "base", "skill")]

    def row(name, s):
        rows.append((name, str(s["count"]), _num(s["brier"]), _num(s["log_score"]),
                     _num(s["base_rate"], "{:.2f}"), _num(s["skill"], "{:.2f}")))
    row("all", j["scores"])
    for cat, s in j["categories"].items():
        row(f"cat {cat or '-'}", s)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.append("")
    lines.append(f"log score: p clipped to [{j['clip']:g}, {1 - j['clip']:g}]")
    lines.append("base: weighted observed frequency of the set;")
    lines.append("Brier(base): each family of questions predicted")
    lines.append("by its own frequency (docs/history-format.md)")
    lines.append("skill = 1 - Brier / Brier(base); – if undefined")
    if j.get("skipped"):
        lines.append(f"skipped (--skip-missing): {len(j['skipped'])}")
    return "\n".join(lines)


def _label(o, width=34):
    """'A02 took_part:CHN', cut with an ellipsis past `width` characters."""
    text = f"{o['event']} {o['what']}".replace("adopted_with_reservations", "adopted_w_res")
    return text if len(text) <= width else text[:width - 1] + "…"


def plot(j, out_png, source=""):
    plt = sr.pyplot()
    np = sr.np
    obs = j["observations"]
    cats = sorted({o["category"] for o in obs})
    cat_style = {c: sr.style(i + 1) for i, c in enumerate(cats)}
    n = len(obs)
    ncols = 1 if n <= ROWS_PER_COLUMN else 2
    per_col = (n + ncols - 1) // ncols
    top_h = 3.4
    row_h = min(0.2, max(0.125, (MAX_HEIGHT_IN - top_h - 1.2) / per_col))
    bars_h = 0.6 + row_h * per_col
    fig = plt.figure(figsize=(sr.FIG_WIDTH, min(top_h + bars_h + 0.9, MAX_HEIGHT_IN)))
    gs = fig.add_gridspec(2, 2, height_ratios=[top_h, bars_h])

    # Reliability diagram, with the count of observations per bin in a strip below it.
    sub = gs[0, 0].subgridspec(2, 1, height_ratios=[4, 1],
                                                               hspace=0.08)
    ax = fig.add_subplot(sub[0])
    hx = fig.add_subplot(sub[1], sharex=ax)
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.5", linewidth=1,
            label="perfect calibration")
    bins = j["scores"]["reliability"]
    rel = [b for b in bins if b["count"] > 0]
    if rel:
        x = np.array([b["mean_p"] for b in rel])
        y = np.array([b["observed"] for b in rel])
        w = np.array([b["weight"] for b in rel])
        ax.plot(x, y, color="black", linewidth=1)
        ax.scatter(x, y, s=20 + 120 * w / max(w.max(), 1e-9), color="0.3", edgecolor="black",
                   zorder=3, clip_on=False,
                   label="a bin: weighted mean p\nand observed frequency\n(area: weight)")
    for b in bins:
        ax.axvline(b["lo"], color="0.9", linewidth=0.5, zorder=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("observed frequency")
    ax.set_title(f"Reliability ({len(bins)} bins of model probability)", pad=10)
    ax.tick_params(labelbottom=False)
    centres = [(b["lo"] + b["hi"]) / 2 for b in bins]
    counts = [b["count"] for b in bins]
    width = bins[0]["hi"] - bins[0]["lo"]
    hx.bar(centres, counts, width=0.9 * width, color="0.75", edgecolor="black", linewidth=0.4)
    top = max(counts) if counts else 1
    for c, k in zip(centres, counts):
        hx.text(c, k + 0.04 * top, str(k), ha="center", va="bottom", fontsize=8)
    hx.set_ylim(0, 1.6 * max(top, 1))
    hx.set_yticks([])
    hx.set_ylabel("count", fontsize=8)
    hx.set_xlabel("model probability")

    # Scores table and the legends.
    tx = fig.add_subplot(gs[0, 1])
    tx.axis("off")
    tx.text(0.0, 0.98, scores_text(j), family="monospace", fontsize=8, va="top", ha="left",
            transform=tx.transAxes)
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Rectangle((0, 0), 1, 1, facecolor=cat_style[c]["gray"],
                              hatch=cat_style[c]["hatch"], edgecolor="black", linewidth=0.4)
                for c in cats]
    labels += [f"category {c}" for c in cats]
    handles.append(plt.Line2D([], [], marker="D", color="black", linestyle="none", markersize=5))
    labels.append("observed (0 or 1)")
    tx.legend(handles, labels, loc="lower left", frameon=False, ncol=2)

    # Per-observation bars.
    for c in range(ncols):
        chunk = obs[c * per_col:(c + 1) * per_col]
        if not chunk:
            continue
        bx = fig.add_subplot(gs[1, :] if ncols == 1 else gs[1, c])
        yy = np.arange(len(chunk))[::-1]
        p = np.array([o["p"] for o in chunk], dtype=float)
        lo = np.array([o["ci"][0] for o in chunk], dtype=float)
        hi = np.array([o["ci"][1] for o in chunk], dtype=float)
        for o, yv, pv in zip(chunk, yy, p):
            s = cat_style[o["category"]]
            bx.barh(yv, pv, height=0.7, color=s["gray"], hatch=s["hatch"], edgecolor="black",
                    linewidth=0.4)
        sr.interval(bx, p, yy, lo, hi, capsize=2)
        ox = np.array([1.0 if o["observed"] else 0.0 for o in chunk])
        bx.scatter(ox, yy, marker="D", s=22, color="black", zorder=4, clip_on=False)
        bx.set_yticks(yy, [_label(o) for o in chunk], fontsize=8)
        bx.set_ylim(-0.6, len(chunk) - 0.4)
        bx.set_xlim(0, 1)
        bx.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", ".25", ".5", ".75", "1"])
        bx.set_xlabel("model p (bar) with 95% Wilson interval")
    what = f"{j.get('events_name') or 'events'}: {n} observations, {j['runs']:,} runs"
    if j.get("point", 0):
        what += f", point {j['point']}"
    # A fixed layout in inches (tight_layout cannot place two columns of long labels).
    W, H = fig.get_figwidth(), fig.get_figheight()
    label_in, gap_in = 2.3, 2.4
    axes_in = (W - label_in - 0.25 - (gap_in if ncols == 2 else 0)) / ncols
    fig.suptitle(f"Model against the record — {what}", y=1 - 0.08 / H, va="top")
    fig.subplots_adjust(left=label_in / W, right=1 - 0.25 / W, top=1 - 0.75 / H,
                        bottom=0.55 / H, hspace=0.9 / ((H - 1.3) / 2),
                        wspace=gap_in / axes_in if ncols == 2 else 0.4)
    stem = os.path.splitext(out_png)[0]
    outdir = os.path.dirname(os.path.abspath(out_png))
    return sr.save_figure(fig, outdir, os.path.basename(stem))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("score", help="the JSON of 'sco-sim score RESULTS EVENTS --json'")
    ap.add_argument("-o", "--output", help="the PNG to write (a PDF is written beside it; "
                    "default: SCORE.png beside the JSON)")
    a = ap.parse_args(argv)
    out = a.output or os.path.splitext(a.score)[0] + ".png"
    if not out.endswith(".png"):
        raise ValueError(f"-o {out}: the output name ends in .png")
    return plot(load_score(a.score), out, a.score)


if __name__ == "__main__":
    sys.exit(sr.run_main(main))
