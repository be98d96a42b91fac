"""The layers of sim/ (docs/architecture.md, "Layers and layout"): every `#include "sim/..."`
in sim/ must follow the table below, so that a new wrong arrow fails ctest.

    cli        -> experiment, io, scenario, core   (the command line wires the layers)
    experiment -> scenario, core                   (scenario: plain data types of events.h)
    io         -> core, and experiment's interface headers it implements (sink.h, sweep_store.h)
    scenario   -> core
    core       -> nothing

`io` knows no statistics and no orchestration: it stores and loads. The arrows io has to
other experiment headers are listed, one by one with the reason, in EXCEPTIONS; they are
being removed (issue 14 item 1). An arrow neither in the table nor in the list fails, and so
does an exception whose include is gone (remove it from the list: the list stays the truth).
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

# io -> experiment arrows present when this list was last updated: (file, header): reason.
EXCEPTIONS = {
    ("sim/io/layout.h", "sim/experiment/summary.h"):
        "Summary's raw arrays are the /summary/raw table (layout::raw_fields)",
    ("sim/io/layout.h", "sim/experiment/statistics.h"):
        "the statistics' plain arrays that /summary stores (experiment computes them)",
    ("sim/io/results_reader.h", "sim/experiment/summary.h"):
        "Results carries the Summary read back from /summary/raw",
    ("sim/io/summary_writer.h", "sim/experiment/summary.h"):
        "writes a Summary's raw arrays",
    ("sim/io/summary_writer.h", "sim/experiment/statistics.h"):
        "writes the statistics' plain arrays",
}

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
    wrong, _ = wrong_arrows(tmp_path)
    assert wrong == ["sim/io/other.cpp includes sim/experiment/summary.h (io -> experiment)"]
