#!/usr/bin/env python3
"""Load sco-sim results files (HDF5, format ``sco-sim-results/2`` or ``/1``) as numpy arrays.

You never need dataset paths: ``load`` returns a :class:`Results` whose attributes are
the labels, the provenance and every summary array (leading axis: sweep point), and
whose ``runs`` attribute reads the per-run arrays on demand.

Example::

    # in scripts/, or anywhere with PYTHONPATH=scripts (run from the repository root)
    import sco_results

    r = sco_results.load("results/small.h5")
    print(r)                                    # what the file holds
    t = r.period_index(2016)
    p = r.proposal_index("peace_mission_uzb")
    print("P(passed) =", r.passed_p[0, t, p], "95% CI", r.passed_lo[0, t, p], r.passed_hi[0, t, p])
    for name, prob in zip(r.outcomes, r.outcome_p[0, t, p]):
        print(f"  {name:28s} {prob:.3f}")
    print(dict(zip(r.agents, r.participation[0, t, p])))
    q05, q50, q95 = r.tension_quantiles[0, :, r.pair_index("KAZ-UZB")].T
    if r.runs is not None:                      # None for --summary-only files
        outcome = r.runs.outcome                # [run, period, proposal], values index r.outcomes
    df = sco_results.to_dataframe(r, "outcomes")   # needs pandas

Axes (see docs/hdf5-format.md): ``outcome_p[point, period, proposal, outcome]``,
``participation[point, period, proposal, agent]``, ``tension_quantiles[point, period,
pair, quantile]`` and so on; ``r.axes["outcome_p"]`` names them. Probabilities are
conditional on the proposal being tabled and NaN where it never was.

A file is checked before it is trusted: ``load`` first reads it whole in a separate
Python process (``python3 sco_results.py --check FILE``), which checks every dataset's
type and shape against the format (and refuses variable-length strings in format 2 files)
and reads every value; only if that process ends normally is the file read here. A crafted
or damaged file that crashes or hangs libhdf5 thus gives BadResults, not a dead
interpreter (docs/robustness.md). SCO_SIM_READ_TIMEOUT (seconds) bounds the check;
SCO_SIM_READ_UNGUARDED=1 skips the separate process.

Run as a script, ``sco_results.py FILE ...`` prints what each file holds, or exits 2 with
a one-line error naming the file.

This module also holds the plotting helpers shared by ``scripts/plot_*.py``.
"""

import os
import subprocess
import sys

_DEPS_HINT = ("install python3-numpy python3-h5py python3-matplotlib (Debian) "
              "or run it with /usr/bin/python3")

try:
    import numpy as np
    import h5py
except ImportError as _e:  # pragma: no cover - exercised by a subprocess test
    raise ImportError(f"sco_results needs numpy and h5py ({_e}); {_DEPS_HINT}") from _e

FORMAT = "sco-sim-results/2"
#: Format 1 (before sco-sim stored strings as fixed-length ones) is still read.
FORMAT_V1 = "sco-sim-results/1"
FORMATS = (FORMAT, FORMAT_V1)


class BadResults(ValueError):
    """The file is missing, not HDF5, or not a sco-sim results file."""


#: Axis lengths that do not depend on the file.
_FIXED_AXES = {"outcome": 7, "quantile": 3, "dilution_bin": 20, "dilution_edge": 21,
               "tension_bin": 200, "tension_edge": 201, "flag": 10}
#: Largest string or array accepted before reading (a plausibility bound).
_MAX_STRING = 256 << 20


def _is_vlen_string(dtype):
    info = h5py.check_string_dtype(dtype)
    return info is not None and info.length is None


def _check_dtype(dtype, what, vlen_ok):
    """Numbers of at most 8 bytes, fixed-length strings, vlen strings only in format 1."""
    if h5py.check_string_dtype(dtype) is not None:
        if _is_vlen_string(dtype):
            if not vlen_ok:
                raise BadResults(f"{what} is stored as variable-length strings, which format 2 "
                                 "does not use")
        elif not 0 < dtype.itemsize <= _MAX_STRING:
            raise BadResults(f"{what} has a string type of {dtype.itemsize} bytes")
        return "string"
    if dtype.kind in "iuf" and 0 < dtype.itemsize <= 8 and dtype.fields is None:
        return "number"
    raise BadResults(f"{what} has a datatype results files do not use ({dtype})")


def _strings(ds):
    if ds.shape == (0,):
        return []
    if h5py.check_string_dtype(ds.dtype) is None or len(ds.shape) != 1:
        raise BadResults(f"{ds.name} is not a 1-D list of strings")
    return [str(s) for s in ds.asstr()[()]]


def _attr(value):
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SO":
        return [_attr(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


class RunData:
    """Per-run arrays, read from the file when first accessed (run axis first).

    Names: outcome, rounds, dilution, pressure, implemented, flags, text, compromise,
    weighted_median, params, point, replication and (with --tension-per-run) tension.
    """

    def __init__(self, path, names, axes):
        self._path = path
        self.names = list(names)
        self.axes = dict(axes)
        self._cache = {}

    def __getattr__(self, name):
        if name.startswith("_") or name not in self.names:
            raise AttributeError(f"no per-run dataset '{name}' (have: {', '.join(self.names)})")
        if name not in self._cache:
            with h5py.File(self._path, "r") as f:
                self._cache[name] = f["runs"][name][()]
        return self._cache[name]

    def __len__(self):
        with h5py.File(self._path, "r") as f:
            return int(f["runs"]["point"].shape[0])

    def __repr__(self):
        return f"RunData({len(self)} runs: {', '.join(self.names)})"


class Results:
    """Everything in a results file except the per-run arrays (see ``runs``)."""

    def __init__(self, path, _trusted=False):
        self.path = str(path)
        if not os.path.exists(self.path):
            raise BadResults(f"{self.path}: no such file")
        if os.path.isdir(self.path):
            raise BadResults(f"{self.path}: is a directory")
        if not _trusted:
            _check_in_subprocess(self.path)
        try:
            f = h5py.File(self.path, "r")
        except OSError as e:
            raise BadResults(f"{self.path}: not an HDF5 file ({e})") from e
        with f:
            try:
                self._check(f)
                self.provenance = {k: _attr(v) for k, v in f.attrs.items()}
                self._read(f)
            except BadResults as e:
                raise BadResults(f"{self.path}: not a usable sco-sim results file: {e}") from e
            except KeyError as e:
                raise BadResults(f"{self.path}: missing dataset or attribute ({e})") from e
            except (OSError, ValueError, TypeError, IndexError, MemoryError) as e:
                raise BadResults(f"{self.path}: not a usable sco-sim results file: {e}") from e

    def _check(self, f):
        """Checks types and shapes against the format before anything else is read."""
        if "format" not in f.attrs:
            raise BadResults("the attribute 'format' is missing")
        fid = f.attrs.get_id("format")
        if h5py.check_string_dtype(fid.dtype) is None or fid.shape not in ((), (1,)):
            raise BadResults("the attribute 'format' is not a string")
        # A format-1 file stores its strings as variable-length ones (the global heap);
        # format 2 never does, and its checks refuse them before reading any.
        if _is_vlen_string(fid.dtype):
            self.format = _attr(f.attrs["format"])
            if self.format != FORMAT_V1:
                raise BadResults(f"format is {self.format!r}, expected one of {FORMATS!r}")
        else:
            self.format = _attr(f.attrs["format"])
            if self.format != FORMAT:
                raise BadResults(f"format is {self.format!r}, expected one of {FORMATS!r}")
        vlen_ok = self.format == FORMAT_V1
        size = os.path.getsize(self.path)
        limit = size * 1100 + (1 << 20)

        def attrs_of(obj, where):
            for name in obj.attrs:
                aid = obj.attrs.get_id(name)
                kind = _check_dtype(aid.dtype, f"attribute {name!r} of {where}", vlen_ok)
                n = int(np.prod(aid.shape)) if aid.shape else 1
                if kind == "string" and not _is_vlen_string(aid.dtype) and \
                        n * aid.dtype.itemsize > size + (1 << 20):
                    raise BadResults(f"attribute {name!r} of {where} claims more bytes than the file holds")
                if kind == "number" and n > (1 << 20):
                    raise BadResults(f"attribute {name!r} of {where} claims {n} values")

        attrs_of(f, "/")
        for need in ("labels", "points", "summary", "summary/raw"):
            if need not in f or not isinstance(f[need], h5py.Group):
                raise KeyError(need)
        # Axis lengths from the root attributes and the labels' own shapes.
        axes = dict(_FIXED_AXES)
        for a, key in (("point", "points"), ("run", "runs")):
            v = f.attrs[key]
            if np.ndim(v) != 0 or np.asarray(v).dtype.kind not in "iu":
                raise BadResults(f"attribute {key!r} is not an integer")
            axes[a] = int(v)
        if axes["point"] < 1 or axes["run"] < 0:
            raise BadResults(f"points={axes['point']}, runs={axes['run']}")
        lab = f["labels"]
        for ax, name in (("agent", "agents"), ("proposal", "proposals"), ("period", "periods"),
                         ("dimension", "dimensions"), ("threat", "threats"), ("pair", "pairs"),
                         ("param", "params"), ("point_param", "point_params"),
                         ("factor", "factors"), ("round", "rounds"),
                         ("tension_pair", "tension_pairs")):
            if name in lab:
                ds = lab[name]
                if not isinstance(ds, h5py.Dataset) or len(ds.shape) != 1:
                    raise BadResults(f"/labels/{name} is not 1-D")
                axes[ax] = int(ds.shape[0])
        if "period" in axes:
            axes["adoption_bin"] = axes["period"] + 1
        if "round" in axes:
            axes["rounds_bin"] = axes["round"] + 1
        # Files written before /labels/tension_pairs kept every pair's tension histogram.
        if "tension_pair" not in axes and "pair" in axes:
            axes["tension_pair"] = axes["pair"]
        if "agent" in axes and "pair" in axes and axes["pair"] != axes["agent"] * (axes["agent"] - 1) // 2:
            raise BadResults(f"/labels/pairs has {axes['pair']} entries for {axes['agent']} agents")

        def visit(name, obj):
            where = "/" + name
            attrs_of(obj, where)
            if not isinstance(obj, h5py.Dataset):
                return
            _check_dtype(obj.dtype, where, vlen_ok)
            if obj.dtype.kind != "O" and obj.size * obj.dtype.itemsize > limit:
                raise BadResults(f"{where} claims {obj.size * obj.dtype.itemsize} bytes, more than "
                                 f"a {size}-byte file can hold")
            if "axes" in obj.attrs:
                names = _attr(obj.attrs["axes"])
                names = names.split(",") if isinstance(names, str) and names else []
                if len(names) != len(obj.shape):
                    raise BadResults(f"{where} has shape {obj.shape} but axes {names}")
                for i, ax in enumerate(names):
                    if ax in axes and obj.shape[i] != axes[ax] and not \
                            (name.startswith("labels/") and ax in ("round",)):
                        raise BadResults(f"{where} has shape {obj.shape}: axis {ax!r} should be "
                                         f"{axes[ax]} long")

        f.visititems(visit)

    def _read(self, f):
        p = self.provenance
        self.seed = int(p["seed"])
        self.replications = int(p["replications"])
        self.n_points = int(p["points"])
        self.n_runs = int(p["runs"])
        self.summary_only = bool(p["summary_only"])
        self.per_run_tension = bool(p["per_run_tension"])
        self.scenario_name = p.get("scenario_name", "")
        self.scenario_text = p.get("scenario_text", "")

        lab = f["labels"]
        self.agents = _strings(lab["agents"])
        self.agent_names = _strings(lab["agent_names"])
        self.proposals = _strings(lab["proposals"])
        self.proposal_titles = _strings(lab["proposal_titles"])
        self.kinds = _strings(lab["kinds"])
        self.periods = lab["periods"][()].astype(int)
        self.dimensions = _strings(lab["dimensions"])
        self.threats = _strings(lab["threats"])
        self.pairs = _strings(lab["pairs"])
        self.outcomes = _strings(lab["outcomes"])
        self.flags = _strings(lab["flags"])
        self.params = _strings(lab["params"])
        self.point_params = _strings(lab["point_params"])
        self.quantiles = lab["quantiles"][()]
        self.rounds = lab["rounds"][()].astype(int)
        self.dilution_edges = lab["dilution_edges"][()]
        self.tension_edges = lab["tension_edges"][()]
        # Pairs whose tension histogram the file keeps (raw["tension_hist"] axis 2), as
        # indices along the pair axis; every pair in files written before it was recorded.
        # Every other pair has tension 0 in every run (docs/hdf5-format.md).
        if "tension_pairs" in lab:
            self.tension_pairs = [int(k) for k in lab["tension_pairs"][()]]
            if any(k < 0 or k >= len(self.pairs) for k in self.tension_pairs) or \
                    self.tension_pairs != sorted(set(self.tension_pairs)):
                raise BadResults("/labels/tension_pairs is not a list of ascending pair indices")
        else:
            self.tension_pairs = list(range(len(self.pairs)))

        pts = f["points"]
        self.point_index = pts["index"][()]
        self.point_descriptions = _strings(pts["description"])
        self.point_values = pts["values"][()]

        # The sweep design (a plain run has design "" and no factors).
        self.design = str(p.get("design", ""))
        self.factors = _strings(lab["factors"]) if "factors" in lab else []
        self.factor_values = pts["factor_values"][()] if "factor_values" in pts else None
        # Sobol indices of every proposal's pass probability, [factor, period, proposal],
        # for a complete Sobol sweep; None otherwise.
        self.sensitivity = None
        if "sensitivity" in f:
            self.sensitivity = {name: ds[()] for name, ds in f["sensitivity"].items()}

        self.axes = {}
        for name, ds in f["summary"].items():
            if isinstance(ds, h5py.Dataset):
                setattr(self, name, ds[()])
                self.axes[name] = _attr(ds.attrs["axes"]).split(",") if "axes" in ds.attrs else []
        self.raw = {name: ds[()] for name, ds in f["summary"]["raw"].items()}
        self.runs = None
        if "runs" in f:
            axes = {n: _attr(d.attrs["axes"]).split(",") if "axes" in d.attrs else []
                    for n, d in f["runs"].items()}
            self.runs = RunData(self.path, list(f["runs"].keys()), axes)

    # ---- index helpers ----
    @staticmethod
    def _find(values, key, what):
        try:
            return list(values).index(key)
        except ValueError:
            raise KeyError(f"no {what} {key!r}; have: {', '.join(map(str, values))}") from None

    def agent_index(self, agent_id):
        return self._find(self.agents, agent_id, "agent")

    def proposal_index(self, proposal_id):
        return self._find(self.proposals, proposal_id, "proposal")

    def period_index(self, year):
        return self._find([int(y) for y in self.periods], int(year), "period")

    def pair_index(self, pair):
        a, _, b = pair.partition("-")
        return self._find(self.pairs, "-".join(sorted((a, b))), "pair")

    def outcome_index(self, name):
        return self._find(self.outcomes, name, "outcome")

    def flag_index(self, name):
        return self._find(self.flags, name, "flag")

    # ---- convenience ----
    def tabled_items(self, point=0, period=None):
        """(t, p) index pairs tabled in at least one run, period-major."""
        ts = range(len(self.periods)) if period is None else [self.period_index(period)]
        return [(t, p) for t in ts for p in range(len(self.proposals))
                if self.tabled[point, t, p] > 0]

    def tension_histogram(self, pair, point=0, period=0):
        """Runs by tension bin (200 bins, edges in tension_edges) of a pair at the end of
        period index `period`. An untracked pair (not in tension_pairs) has tension 0 in
        every run: all runs in bin 0."""
        k = self.pair_index(pair) if isinstance(pair, str) else int(pair)
        if k in self.tension_pairs:
            return self.raw["tension_hist"][point, period, self.tension_pairs.index(k)]
        h = np.zeros(len(self.tension_edges) - 1, dtype=np.int64)
        h[0] = self.raw["runs"][point]
        return h

    def tension_pairs_by_initial(self, point=0):
        """Pair indices, highest mean tension at the end of the first period first."""
        return list(np.argsort(-self.tension_mean[point, 0], kind="stable"))

    def label(self):
        """A short name for legends: the scenario name, else the file name."""
        return self.scenario_name or os.path.splitext(os.path.basename(self.path))[0]

    def __repr__(self):
        lines = [
            f"sco-sim results {self.path}",
            f"  scenario   {self.scenario_name!r} ({self.provenance.get('scenario_path', '')}, "
            f"sha256 {str(self.provenance.get('scenario_sha256', ''))[:12]}...)",
            f"  made by    {self.provenance.get('command_line', '')!r} on "
            f"{self.provenance.get('created', '')}, sco-sim {self.provenance.get('tool_version', '')} "
            f"({self.provenance.get('git_commit', '')})",
            f"  runs       {self.n_runs} = {self.n_points} point(s) x {self.replications}, seed {self.seed}",
            f"  periods    {', '.join(map(str, self.periods))}",
            f"  agents     {', '.join(self.agents)}",
            f"  proposals  {', '.join(self.proposals)}",
            f"  per-run    {'none (--summary-only)' if self.runs is None else ', '.join(self.runs.names)}",
            f"  summaries  {', '.join(sorted(self.axes))}",
        ]
        return "\n".join(lines)


def load(path):
    """Opens a results file; raises BadResults (a ValueError) naming the problem.

    The file is first read whole in a separate process (see the module's docstring)."""
    return Results(path)


def _read_everything(path):
    """Loads the file and reads every per-run dataset (in slices): what --check does."""
    r = Results(path, _trusted=True)
    with h5py.File(path, "r") as f:
        if "runs" in f:
            for ds in f["runs"].values():
                if isinstance(ds, h5py.Dataset) and ds.shape:
                    step = max(1, (8 << 20) // max(1, ds.dtype.itemsize *
                                                   int(np.prod(ds.shape[1:], dtype=np.int64))))
                    for i in range(0, ds.shape[0], step):
                        ds[i:i + step]
    return r


def _check_in_subprocess(path):
    """Reads `path` whole in another Python process first; BadResults if it fails there."""
    if os.environ.get("SCO_SIM_READ_UNGUARDED") == "1":
        return
    try:
        timeout = float(os.environ.get("SCO_SIM_READ_TIMEOUT", "0"))
    except ValueError:
        timeout = 0.0
    if timeout <= 0:
        timeout = 60.0 + os.path.getsize(path) / 20e6
    try:
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--check", path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BadResults(f"{path}: not a usable sco-sim results file: reading it did not finish "
                         f"within {timeout:.0f} s (a damaged file can make libhdf5 loop; "
                         "SCO_SIM_READ_TIMEOUT sets the limit)") from None
    if p.returncode == 0:
        return
    lines = [ln for ln in p.stderr.strip().splitlines() if ln.strip()]
    if p.returncode == 2 and lines:
        msg = lines[-1]
        raise BadResults(msg.split("error: ", 1)[1] if msg.startswith("sco_results.py: error: ")
                         else msg)
    if p.returncode < 0:
        raise BadResults(f"{path}: not a usable sco-sim results file: reading it crashed "
                         f"libhdf5 (signal {-p.returncode}): the file is damaged or crafted")
    raise BadResults(f"{path}: not a usable sco-sim results file: reading it failed "
                     f"(exit status {p.returncode}){': ' + lines[-1] if lines else ''}")


def _pandas():
    try:
        import pandas
    except ImportError as e:
        raise ImportError("to_dataframe needs pandas, which is not installed: "
                          "apt-get install python3-pandas (Debian) or pip install pandas") from e
    return pandas


def to_dataframe(results, what="outcomes", point=0):
    """A long-format pandas DataFrame of one kind of result at one sweep point.

    what: "outcomes" (period, proposal, outcome, p, lo, hi), "passed" (period, proposal,
    tabled, p, lo, hi), "agents" (period, proposal, agent, participation, objection,
    transit_denied), "tension" (period, pair, mean, q05, q50, q95) or "params" (one row
    per run: point, replication and the sampled parameters; needs per-run data).
    """
    pd = _pandas()
    r = results
    rows = []
    if what == "outcomes":
        for t, p in r.tabled_items(point):
            for o, name in enumerate(r.outcomes):
                if name == "not_tabled":
                    continue
                rows.append((int(r.periods[t]), r.proposals[p], name, r.outcome_p[point, t, p, o],
                             r.outcome_lo[point, t, p, o], r.outcome_hi[point, t, p, o]))
        return pd.DataFrame(rows, columns=["period", "proposal", "outcome", "p", "lo", "hi"])
    if what == "passed":
        for t, p in r.tabled_items(point):
            rows.append((int(r.periods[t]), r.proposals[p], int(r.tabled[point, t, p]),
                         r.passed_p[point, t, p], r.passed_lo[point, t, p], r.passed_hi[point, t, p]))
        return pd.DataFrame(rows, columns=["period", "proposal", "tabled", "p", "lo", "hi"])
    if what == "agents":
        for t, p in r.tabled_items(point):
            for i, a in enumerate(r.agents):
                rows.append((int(r.periods[t]), r.proposals[p], a, r.participation[point, t, p, i],
                             r.objection[point, t, p, i], r.transit_denied[point, t, p, i]))
        return pd.DataFrame(rows, columns=["period", "proposal", "agent", "participation",
                                           "objection", "transit_denied"])
    if what == "tension":
        for t in range(len(r.periods)):
            for k, pair in enumerate(r.pairs):
                q = r.tension_quantiles[point, t, k]
                rows.append((int(r.periods[t]), pair, r.tension_mean[point, t, k], *q))
        return pd.DataFrame(rows, columns=["period", "pair", "mean", "q05", "q50", "q95"])
    if what == "params":
        if r.runs is None:
            raise ValueError(f"{r.path} has no per-run data (written with --summary-only)")
        df = pd.DataFrame(r.runs.params, columns=r.params)
        df.insert(0, "replication", r.runs.replication)
        df.insert(0, "point", r.runs.point)
        return df
    raise ValueError(f"unknown table {what!r}; use outcomes, passed, agents, tension or params")


# ---------------------------------------------------------------------------------------
# Shared plotting helpers for scripts/plot_*.py
# ---------------------------------------------------------------------------------------

#: Fill patterns and gray levels per series: figures stay readable in black and white.
HATCHES = ["", "///", "...", "xx", "\\\\", "++", "oo", "--", "**", "||"]
GRAYS = ["0.15", "0.85", "0.55", "1.0", "0.35", "0.7", "0.95", "0.45", "0.25", "0.6"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "*"]
LINESTYLES = ["-", "--", "-.", ":"]

#: The figure rules (docs/figures.md). An item is a proposal at a summit (and sweep
#: point); it is *well estimated* when it was tabled in at least MIN_TABLED runs. Every
#: automatic choice (the most uncertain proposal, the proposal a sweep moves most, the
#: parameters that matter most, which proposals get a Sobol panel) compares only
#: estimates made from at least MIN_TABLED tabled runs, and the descriptive figures show
#: the well-estimated items, naming the others in a note under the figure.
MIN_TABLED = 200
#: Figures are laid out at most this wide (inches; 1350 px at the 150 dpi of the PNGs),
#: with no text smaller than 8 points, so that they read when scaled to a page width.
#: The hard limit the tests check is MAX_WIDTH_PX.
FIG_WIDTH = 9.0
DPI = 150
MAX_WIDTH_PX = 2000


class Skip(ValueError):
    """This figure cannot be drawn from this file; the message says why in one line.

    plot_all.py and report.py skip the figure and print the reason on stderr; a plot
    script run on its own exits 2 with it."""


def pyplot():
    """matplotlib.pyplot with the Agg backend (no display needed)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(f"plotting needs matplotlib ({e}); {_DEPS_HINT}") from e
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": DPI, "font.size": 9,
                         "axes.titlesize": 9, "axes.labelsize": 9, "xtick.labelsize": 8,
                         "ytick.labelsize": 8, "legend.fontsize": 8,
                         "figure.titlesize": 10, "hatch.linewidth": 0.6, "axes.grid": False})
    return plt


def style(i):
    """Gray level, hatch and marker of series i."""
    return {"gray": GRAYS[i % len(GRAYS)], "hatch": HATCHES[i % len(HATCHES)],
            "marker": MARKERS[i % len(MARKERS)], "linestyle": LINESTYLES[i % len(LINESTYLES)]}


def text_color(v):
    """Black or white, whichever reads on a 'Greys' cell of value v in [0, 1]."""
    return "white" if v > 0.55 else "black"


def fmt_p(v):
    """A probability for a cell: '0' and '1' exactly, '<.01' and '>.99' near them, else '0.37'."""
    if v is None or not np.isfinite(v):
        return "–"
    if v == 0:
        return "0"
    if v == 1:
        return "1"
    if v < 0.005:
        return "<.01"
    if v > 0.995:
        return ">.99"
    return f"{v:.2f}"


def fmt_pct(v):
    """A probability as a percentage: '100%' and '0%' only when exact, '>99%' and '<1%' near them."""
    if v is None or not np.isfinite(v):
        return "–"
    if 0.995 <= v < 1:
        return ">99%"
    if 0 < v < 0.005:
        return "<1%"
    return f"{100 * v:.0f}%"


def interval(ax, x, y, lo, hi, horizontal=True, capsize=3, label=None, marker=None):
    """95% intervals drawn black on a white halo, so they show on dark bars too."""
    x, y, lo, hi = (np.asarray(a, dtype=float) for a in (x, y, lo, hi))
    v = x if horizontal else y
    err = [np.maximum(v - lo, 0), np.maximum(hi - v, 0)]
    key = "xerr" if horizontal else "yerr"
    ax.errorbar(x, y, **{key: err}, fmt="none", ecolor="white", elinewidth=2.8,
                capsize=capsize + 0.6, capthick=2.8)
    return ax.errorbar(x, y, **{key: err}, fmt=marker or "none", color="black", ecolor="black",
                       elinewidth=1.0, capsize=capsize, capthick=1.0, label=label,
                       markersize=12 if marker else None)


def save_figure(fig, outdir, stem):
    """Writes OUTDIR/STEM.png and OUTDIR/STEM.pdf, closes the figure, returns both paths."""
    plt = pyplot()
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = os.path.join(outdir, f"{stem}.{ext}")
        fig.savefig(path, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def default_outdir(results_path):
    """figures/ beside the results file, named after it: results/x.h5 -> results/x-figures."""
    base = os.path.splitext(os.path.abspath(results_path))[0]
    return base + "-figures"


def wrap(text, width):
    """text broken into lines of at most `width` characters (words are never cut)."""
    import textwrap
    return "\n".join(textwrap.wrap(str(text), width=max(int(width), 8),
                                    break_long_words=False, break_on_hyphens=False)) or str(text)


def title(r, p, width=26):
    """The proposal's title (its id if it has none), wrapped into lines of `width`."""
    return wrap(r.proposal_titles[p] or r.proposals[p], width)


def short_title(r, p, width=28):
    """Kept for older callers: the whole title, wrapped (titles are no longer cut)."""
    return title(r, p, width)


def well_estimated(r, point=0, period=None, min_tabled=MIN_TABLED):
    """(t, p) index pairs tabled in at least min_tabled runs at this point, period-major."""
    return [(t, p) for t, p in r.tabled_items(point, period)
            if r.tabled[point, t, p] >= min_tabled]


def items_to_show(r, point=0, period=None, min_tabled=MIN_TABLED):
    """The items a descriptive figure shows, and a note (or "") on what it leaves out.

    The well-estimated items; the items tabled in fewer than min_tabled runs are named
    in the note. If no item is well estimated (a small file), every tabled item is shown
    and the note says the estimates are rough. Raises Skip if nothing was tabled."""
    tabled = r.tabled_items(point, period)
    if not tabled:
        raise Skip(f"nothing was tabled at point {point}"
                   + ("" if period is None else f" in {period}"))
    good = [(t, p) for t, p in tabled if r.tabled[point, t, p] >= min_tabled]
    thin = [(t, p) for t, p in tabled if r.tabled[point, t, p] < min_tabled]
    if not good:
        most = max(int(r.tabled[point, t, p]) for t, p in tabled)
        return tabled, (f"Every proposal was tabled in fewer than {min_tabled} runs (at most "
                        f"{most}): rough estimates.")
    if not thin:
        return good, ""
    return good, thin_note(r, thin, point, min_tabled)


def thin_note(r, thin, point, min_tabled, limit=6):
    """'Not shown, tabled in fewer than 200 runs: Title 2016 (33 runs), ...'"""
    named = [f"{r.proposal_titles[p] or r.proposals[p]} {int(r.periods[t])} "
             f"({int(r.tabled[point, t, p])} run{'s' if r.tabled[point, t, p] != 1 else ''})"
             for t, p in thin[:limit]]
    more = f" and {len(thin) - limit} more" if len(thin) > limit else ""
    return f"Not shown, tabled in fewer than {min_tabled} runs: " + "; ".join(named) + more + "."


# ---------------------------------------------------------------------------------------
# Sobol outputs: which ones support indices, and their noise floor (docs/figures.md,
# "Sobol indices: degenerate outputs and the noise floor"). The indices themselves are
# computed by sco-sim (sim/experiment/sensitivity.cpp) and stored in /sensitivity.
# ---------------------------------------------------------------------------------------

def noise_floor(passed, tabled, samples):
    """The share of the output's variance that is binomial noise of the runs per point.

    passed, tabled: counts per point, in Saltelli order (blocks A, B, AB_1 .. AB_k of
    `samples` rows). The output y = passed / tabled (0 where never tabled, as sco-sim
    analyses it) estimates p with variance p(1-p)/n, independent across points; its
    unbiased estimate is y(1-y)/(n-1). With mean noise variance s2 over the points and V
    the variance of y over the A and B rows (the denominator of the stored indices), the
    Jansen total index of factor j estimates ST_j (1 - eta) + eta, and the Saltelli
    first-order index S1_j (1 - eta), where eta = s2 / V: a factor that cannot act gets
    ST about eta. Returns (eta, s2, V); eta is NaN when V is 0."""
    n = np.asarray(tabled, dtype=float)
    y = np.where(n > 0, np.asarray(passed, dtype=float) / np.maximum(n, 1), 0.0)
    s2 = float(np.mean(np.where(n > 1, y * (1 - y) / np.maximum(n - 1, 1), 0.0)))
    v = float(np.var(y[:2 * samples]))
    return (s2 / v if v > 0 else float("nan")), s2, v


class SobolOutput:
    """One output of a Sobol sweep: a proposal's pass probability at one summit.

    `eta` is its noise floor (noise_floor); `untabled` the points that never table it,
    `tabling_share` the share of its variance between those and the others (so a share
    that is not about passing); `reason` is None when its indices can be
    read, else one line saying why they cannot (the figure and the report leave it out),
    `kind` which of these it is ("thin", "flat", "noise", "tabled"):
    tabled in fewer than min_tabled runs over the sweep; no indices stored (never tabled,
    or constant); its variance is less than twice the binomial noise (eta >= 0.5); or it
    varies only between the points that never table it (P counted as 0) and the others,
    the pass probability at the points that table it varying no more than noise."""

    def __init__(self, r, t, p, min_tabled=MIN_TABLED):
        self.t, self.p = t, p
        passed, tabled = r.passed[:, t, p], r.tabled[:, t, p]
        self.points = len(tabled)
        self.untabled = int(np.sum(tabled == 0))
        samples = self.points // (len(r.factors) + 2) if r.factors else self.points
        self.eta, self.s2, self.variance = noise_floor(passed, tabled, samples)
        # The share of the variance of P over all the points that lies between the points
        # that never table it (P = 0) and the others: q (1 - q) m^2 / Var, q the share of
        # points that table it and m their mean P.
        on = tabled > 0
        y = np.where(on, passed / np.maximum(tabled, 1), 0.0)
        q, v_all = float(on.mean()), float(np.var(y))
        self.tabling_share = (q * (1 - q) * float(y[on].mean()) ** 2 / v_all
                              if v_all > 0 and on.any() else 0.0)
        self.name = f"{r.proposals[p]} {int(r.periods[t])}"
        self.why = None  # the reason without the name
        self.kind = None  # "thin", "flat", "noise" or "tabled" when left out
        if tabled.sum() < min_tabled:
            self.kind = "thin"
            self.why = (f"tabled in {int(tabled.sum()):,} runs over the sweep, fewer than "
                        f"{min_tabled}")
        elif r.sensitivity is None or not np.isfinite(r.sensitivity["total"][:, t, p]).any():
            self.kind, self.why = "flat", "P(passed) does not vary across the points"
        elif not self.eta < 0.5:
            self.kind = "noise"
            self.why = ("its variance across the points is less than twice the sampling noise "
                        f"of the runs per point (noise floor {self.eta:.2f})")
        elif self.untabled:
            _, s2_on, v_on = noise_floor(passed[on], tabled[on], int(on.sum()))
            if not v_on > 2 * s2_on:
                self.kind = "tabled"
                self.why = (f"P(passed) varies only with whether it is tabled ({self.untabled:,} "
                            f"of {self.points:,} points never table it and count as 0; where "
                            "tabled it varies no more than noise)")
        self.reason = None if self.why is None else f"{self.name}: {self.why}"

    @property
    def informative(self):
        return self.reason is None


def sobol_outputs(r, min_tabled=MIN_TABLED, period=None, proposal=None):
    """SobolOutput of every (summit, proposal) of a Sobol sweep, summit-major; only
    `period` (a year) and `proposal` (an id) when given."""
    ts = range(len(r.periods)) if period is None else [r.period_index(period)]
    ps = range(len(r.proposals)) if proposal is None else [r.proposal_index(proposal)]
    return [SobolOutput(r, t, p, min_tabled) for t in ts for p in ps]


def title_and_layout(fig, text, extra=0.0):
    """The figure's title at a fixed distance from the top (in inches, whatever the
    figure's height) and tight_layout below it; `extra` inches more room (for a legend)."""
    h = fig.get_figheight()
    lines = text.count("\n") + 1
    fig.suptitle(text, y=1 - 0.06 / h, va="top")
    fig.tight_layout(rect=(0, 0, 1, 1 - (0.04 + 0.17 * lines + extra) / h))


def add_note(fig, note, fontsize=8):
    """Puts `note` under the figure, wrapped to the figure's width (after tight_layout)."""
    if not note:
        return
    chars = fig.get_figwidth() * 72 / (fontsize * 0.55)
    fig.text(0.01, 0.0, wrap(note, chars), ha="left", va="top", fontsize=fontsize,
             style="italic")


def add_common_args(parser, point=True):
    parser.add_argument("-o", "--outdir", help="directory for the PNG and PDF files "
                        "(default: RESULTS-figures beside the results file)")
    if point:
        parser.add_argument("--point", type=int, default=0,
                            help="sweep point to plot (default 0)")
    parser.add_argument("--min-tabled", type=int, default=MIN_TABLED, metavar="N",
                        help="an item counts as well estimated when tabled in at least N runs "
                        f"(default {MIN_TABLED}; see docs/figures.md)")


def wilson(k, n, z=1.959963984540054):
    """Proportion k/n with its 95% Wilson score interval, elementwise: (p, lo, hi).

    p is NaN where n is 0; the ends are clipped to p (rounding can put one a hair past
    p when p is 0 or 1, and matplotlib refuses negative error bars)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    m = np.maximum(n, 1)
    p = np.where(n > 0, k / m, np.nan)
    den = 1 + z * z / m
    centre = (p + z * z / (2 * m)) / den
    half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / den
    return p, np.minimum(centre - half, p), np.maximum(centre + half, p)


def period_point_main(plot, doc, argv):
    """The command line shared by the per-summit figures: RESULTS [--period Y] [--point K] [-o DIR]."""
    import argparse
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("results", help="results file (.h5)")
    ap.add_argument("--period", type=int, help="only this summit (calendar year)")
    add_common_args(ap)
    a = ap.parse_args(argv)
    r = load(a.results)
    return plot(r, a.outdir or default_outdir(a.results), a.period, a.point,
                min_tabled=a.min_tabled)


def check_point(r, point):
    if not 0 <= point < r.n_points:
        raise ValueError(f"--point must be between 0 and {r.n_points - 1}")


def run_main(main, argv=None):
    """Runs a plot script's main(argv) and turns expected failures into one-line errors."""
    prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "plot"
    try:
        for path in main(sys.argv[1:] if argv is None else argv):
            print(path)
        return 0
    except (BadResults, ValueError, KeyError, OSError, ImportError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"{prog}: error: {msg}", file=sys.stderr)
        return 2


def _main(argv):
    """sco_results.py FILE ...: describe each file; --check FILE: the separate process."""
    if argv[:1] == ["--check"] and len(argv) == 2:
        try:
            _read_everything(argv[1])
        except BadResults as e:
            print(f"sco_results.py: error: {e}", file=sys.stderr)
            return 2
        except MemoryError:
            print(f"sco_results.py: error: {argv[1]}: not a usable sco-sim results file: "
                  "implausible sizes (out of memory)", file=sys.stderr)
            return 2
        except Exception as e:  # anything h5py raises on a damaged file
            print(f"sco_results.py: error: {argv[1]}: not a usable sco-sim results file: "
                  f"{type(e).__name__}: {e}", file=sys.stderr)
            return 2
        return 0
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: sco_results.py RESULTS.h5 ...  (prints what each file holds)")
        return 0 if argv else 2
    rc = 0
    for path in argv:
        try:
            print(load(path))
        except BadResults as e:
            print(f"sco_results.py: error: {e}", file=sys.stderr)
            rc = 2
    return rc


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
