"""The layers of sim/ (docs/architecture.md, "Layers and layout"): every `#include "sim/..."`
in sim/ must follow the table below, so that a new wrong arrow fails ctest.

    cli        -> experiment, io, scenario, core   (the command line wires the layers)
    experiment -> scenario, core                   (scenario: plain data types of events.h)
    io         -> core, and experiment's interface headers it implements (sink.h, sweep_store.h)
    scenario   -> core
    core       -> nothing

`io` knows no statistics and no orchestration: it stores and loads plain data
(core/summary_data.h) and gets the statistics it stores through core::SummaryStatistics.
EXCEPTIONS lists, one by one with the reason, any other arrow allowed for a while; it is
empty. An arrow neither in the table nor in the list fails, and so does an exception whose
include is gone (remove it from the list: the list stays the truth).

The interface headers io includes bring the rest of experiment's headers with them
(sink.h includes summary.h), which the include check cannot see; so io's code may name
only the types of those interfaces (IO_NAMES below): a call of experiment's statistics
from io fails here too.
"""
from conftest import ROOT
import re

LAYERS = ("core", "scenario", "experiment", "io", "cli")

# layer -> the layers it may include (its own always)
ALLOWED = {
    "core": set(),
    "scenario": {"core"},
    "experiment": {"core", "scenario"},
    "io": {"core"},
    "cli": {"core", "scenario", "experiment", "io"},
}

# Headers of a higher layer that a lower one may include: the interfaces it implements.
INTERFACES = {
    "io": {"sim/experiment/sink.h", "sim/experiment/sweep_store.h"},
}

# Arrows allowed beyond the table, while they are being removed: (file, header): reason.
EXCEPTIONS = {}

# The experiment names io's code may use: the types of the interfaces it implements
# (Sink::begin's Plan, RunConfig, SweepInfo and Provenance; SweepStore's Slice). Summary
# only in the Sink's own overrides (hdf5_sink), which hand it on as core::SummaryCounts.
IO_NAMES = {"Sink", "SweepStore", "Slice", "Plan", "RunConfig", "SweepInfo", "Provenance"}
IO_SUMMARY_FILES = {"sim/io/hdf5_sink.h", "sim/io/hdf5_sink.cpp"}
EXPERIMENT_NAME = re.compile(r"\bexperiment::(\w+)")

INCLUDE = re.compile(r'^\s*#\s*include\s*"(sim/([a-z]+)/[^"]+)"', re.M)


def arrows(root):
    """(file, its layer, included header, that header's layer) for every include of sim/."""
    out = []
    for path in sorted((root / "sim").rglob("*")):
        if path.suffix not in (".h", ".cpp", ".in") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")
        if len(parts) < 3 or parts[1] not in LAYERS:
            continue
        for m in INCLUDE.finditer(path.read_text(errors="replace")):
            out.append((rel, parts[1], m.group(1), m.group(2)))
    return out


def wrong_arrows(root, exceptions=EXCEPTIONS):
    """The arrows that break the table and are not listed; the listed ones that are gone."""
    found = arrows(root)
    wrong = []
    for rel, layer, header, target in found:
        if target == layer or target in ALLOWED[layer]:
            continue
        if header in INTERFACES.get(layer, set()) or (rel, header) in exceptions:
            continue
        wrong.append(f"{rel} includes {header} ({layer} -> {target})")
    present = {(rel, header) for rel, _, header, _ in found}
    stale = sorted(f"{f} -> {h}" for (f, h) in exceptions if (f, h) not in present)
    return wrong, stale


def io_names(root):
    """(file, name) for every experiment::NAME io's code (comments left out) uses beyond
    IO_NAMES."""
    out = []
    for path in sorted((root / "sim" / "io").rglob("*")):
        if path.suffix not in (".h", ".cpp") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        code = re.sub(r"//[^\n]*", "", path.read_text(errors="replace"))
        for name in sorted(set(EXPERIMENT_NAME.findall(code))):
            if name in IO_NAMES or (name == "Summary" and rel in IO_SUMMARY_FILES):
                continue
            out.append(f"{rel} uses experiment::{name}")
    return out


def test_io_names_only_the_interfaces_it_implements():
    wrong = io_names(ROOT)
    assert not wrong, ("io uses experiment beyond its interfaces (docs/architecture.md):\n  " +
                       "\n  ".join(wrong))


def test_io_names_check_is_not_vacuous(tmp_path):
    write(tmp_path, "sim/io/x.cpp",
          "// experiment::derived_arrays in a comment is fine\n"
          "auto a = experiment::sensitivity_arrays(1);\nexperiment::Sink* s;\n"
          "void f(experiment::Summary&&);\n")
    write(tmp_path, "sim/io/hdf5_sink.cpp", "void f(experiment::Summary&&);\n")
    assert io_names(tmp_path) == ["sim/io/x.cpp uses experiment::Summary",
                                  "sim/io/x.cpp uses experiment::sensitivity_arrays"]


def internal_headers(root):
    """The headers marked internal to their layer ("// Internal to sim/LAYER" on the second
    line), which sim/CMakeLists.txt keeps out of the layer's public header set."""
    out = set()
    for path in sorted((root / "sim").glob("*/*.h")):
        layer = path.parent.name
        lines = path.read_text(errors="replace").splitlines()[:2]
        if len(lines) > 1 and lines[1].startswith(f"// Internal to sim/{layer}"):
            out.add(path.relative_to(root).as_posix())
    return out


def test_internal_headers_stay_in_their_layer():
    """The build refuses these too (no include path leads to them); this names them."""
    internal = internal_headers(ROOT)
    assert "sim/io/h5.h" in internal and "sim/scenario/reader.h" in internal
    wrong = [f"{rel} includes {header}" for rel, layer, header, _ in arrows(ROOT)
             if header in internal and header.split("/")[1] != layer]
    assert not wrong, "internal headers included from another layer:\n  " + "\n  ".join(wrong)


def test_every_include_follows_the_layer_table():
    wrong, stale = wrong_arrows(ROOT)
    assert not stale, ("stale exceptions (the include is gone; remove them from EXCEPTIONS):\n  "
                       + "\n  ".join(stale))
    assert not wrong, ("wrong arrows (docs/architecture.md, 'Layers and layout'):\n  " +
                       "\n  ".join(wrong))


def test_the_tree_has_includes_to_check():
    """Not vacuous: the parser finds the tree's arrows, among them known ones."""
    found = {(rel, header) for rel, _, header, _ in arrows(ROOT)}
    assert len(found) > 100
    assert ("sim/cli/cmd_sweep.cpp", "sim/experiment/sweep.h") in found
    assert ("sim/io/sweep_store.h", "sim/experiment/sweep_store.h") in found


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_a_wrong_arrow_fails(tmp_path):
    """A tree with one arrow of each wrong kind: every one is reported, the right ones not."""
    write(tmp_path, "sim/core/a.h", '#include "sim/core/b.h"\n#include "sim/io/h5.h"\n')
    write(tmp_path, "sim/experiment/e.cpp", '#include "sim/io/merge.h"\n#include "sim/core/a.h"\n')
    write(tmp_path, "sim/io/i.cpp",
          '#include "sim/experiment/sink.h"\n  #  include "sim/experiment/runner.h"\n')
    write(tmp_path, "sim/scenario/s.h", '#include "sim/cli/app.h"\n')
    write(tmp_path, "sim/cli/c.cpp",
          '#include "sim/io/merge.h"\n#include "sim/experiment/sweep.h"\n')
    wrong, stale = wrong_arrows(tmp_path,
                                exceptions={("sim/io/gone.cpp", "sim/experiment/x.h"): ""})
    assert wrong == [
        "sim/core/a.h includes sim/io/h5.h (core -> io)",
        "sim/experiment/e.cpp includes sim/io/merge.h (experiment -> io)",
        "sim/io/i.cpp includes sim/experiment/runner.h (io -> experiment)",
        "sim/scenario/s.h includes sim/cli/app.h (scenario -> cli)",
    ]
    assert stale == ["sim/io/gone.cpp -> sim/experiment/x.h"]


def test_a_listed_exception_passes_only_for_its_file(tmp_path):
    write(tmp_path, "sim/io/layout.h", '#include "sim/experiment/summary.h"\n')
    write(tmp_path, "sim/io/other.cpp", '#include "sim/experiment/summary.h"\n')
    wrong, _ = wrong_arrows(tmp_path, exceptions={
        ("sim/io/layout.h", "sim/experiment/summary.h"): "for the test"})
    assert wrong == ["sim/io/other.cpp includes sim/experiment/summary.h (io -> experiment)"]
