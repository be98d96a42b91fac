"""The layers of sim/ (docs/architecture.md, "Layers and layout"): every `#include "sim/..."`
in sim/ must follow the table below, so that a new wrong arrow fails ctest.

    cli        -> experiment, io, scenario, core   (the command line wires the layers)
    experiment -> scenario, io, core               (io: only its interface headers)
    io         -> core
    scenario   -> core
    core       -> nothing

The table has no exception. `io` knows no statistics and no orchestration: it stores and
loads plain data (core/summary_data.h, core/plan_data.h) and gets the statistics it stores
through core::SummaryStatistics. experiment writes through io's interfaces, the headers whose
second line starts with "// Interface of sim/io" (io/sink.h, io/sweep_store.h): of io it may
include those only, never io's implementations (HDF5). An interface header itself includes
core and other interface headers only, so that experiment sees nothing else through it.
"""
from conftest import ROOT
import re

LAYERS = ("core", "scenario", "experiment", "io", "cli")

# layer -> the layers it may include (its own always)
ALLOWED = {
    "core": set(),
    "scenario": {"core"},
    "experiment": {"core", "scenario", "io"},
    "io": {"core"},
    "cli": {"core", "scenario", "experiment", "io"},
}

# Of these layers a lower one may include only the headers marked as interfaces:
# lower layer -> higher layer whose interface headers only it includes.
INTERFACE_ONLY = {"experiment": {"io"}}

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


def marked_headers(root, mark):
    """The headers whose second line starts with "// MARK sim/LAYER" ("Internal to",
    "Interface of"), which sim/CMakeLists.txt keeps out of the layer's public header set."""
    out = set()
    for path in sorted((root / "sim").glob("*/*.h")):
        layer = path.parent.name
        lines = path.read_text(errors="replace").splitlines()[:2]
        if len(lines) > 1 and lines[1].startswith(f"// {mark} sim/{layer}"):
            out.add(path.relative_to(root).as_posix())
    return out


def internal_headers(root):
    return marked_headers(root, "Internal to")


def interface_headers(root):
    return marked_headers(root, "Interface of")


def wrong_arrows(root):
    """The arrows that break the table, or that reach past a layer's interface headers."""
    interfaces = interface_headers(root)
    wrong = []
    for rel, layer, header, target in arrows(root):
        if target == layer:
            # An interface header includes core and other interface headers only.
            if rel in interfaces and header not in interfaces:
                wrong.append(f"{rel} includes {header} (an interface of {layer} includes "
                             f"a header that is not one)")
            continue
        if target not in ALLOWED[layer]:
            wrong.append(f"{rel} includes {header} ({layer} -> {target})")
        elif target in INTERFACE_ONLY.get(layer, set()) and header not in interfaces:
            wrong.append(f"{rel} includes {header} ({layer} -> {target}: not an interface "
                         f"of {target})")
    return wrong


def test_every_include_follows_the_layer_table():
    wrong = wrong_arrows(ROOT)
    assert not wrong, ("wrong arrows (docs/architecture.md, 'Layers and layout'):\n  " +
                       "\n  ".join(wrong))


def test_internal_headers_stay_in_their_layer():
    """The build refuses these too (no include path leads to them); this names them."""
    internal = internal_headers(ROOT)
    assert "sim/io/h5.h" in internal and "sim/scenario/reader.h" in internal
    wrong = [f"{rel} includes {header}" for rel, layer, header, _ in arrows(ROOT)
             if header in internal and header.split("/")[1] != layer]
    assert not wrong, "internal headers included from another layer:\n  " + "\n  ".join(wrong)


def test_io_interfaces_are_the_sink_and_the_sweep_store():
    """What experiment writes through; neither includes HDF5 (hdf5.h stays in io's
    internals)."""
    assert interface_headers(ROOT) == {"sim/io/sink.h", "sim/io/sweep_store.h"}
    for rel in interface_headers(ROOT):
        text = (ROOT / rel).read_text()
        assert not re.search(r'#\s*include\s*[<"]hdf5', text), rel


def test_hdf5_is_included_in_one_place():
    """Only io's internal headers include hdf5.h (h5.h, the HDF5 helpers, and the writers'
    headers that take its hid_t): no public or interface header exposes HDF5, and no other
    layer's code includes it."""
    found = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sim").rglob("*")
             if p.suffix in (".h", ".cpp") and
             re.search(r'#\s*include\s*[<"]hdf5', p.read_text(errors="replace"))}
    assert "sim/io/h5.h" in found
    internal = internal_headers(ROOT)
    assert not [rel for rel in found if rel not in internal or not rel.startswith("sim/io/")]


def test_the_tree_has_includes_to_check():
    """Not vacuous: the parser finds the tree's arrows, among them known ones."""
    found = {(rel, header) for rel, _, header, _ in arrows(ROOT)}
    assert len(found) > 100
    assert ("sim/cli/cmd_sweep.cpp", "sim/experiment/sweep.h") in found
    assert ("sim/experiment/sweep.h", "sim/io/sweep_store.h") in found
    assert ("sim/io/hdf5_sink.h", "sim/io/sink.h") in found


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_a_wrong_arrow_fails(tmp_path):
    """A tree with one arrow of each wrong kind: every one is reported, the right ones not."""
    write(tmp_path, "sim/io/sink.h", "#pragma once\n// Interface of sim/io: for the test\n"
          '#include "sim/core/b.h"\n#include "sim/io/h5.h"\n')
    write(tmp_path, "sim/io/h5.h", "#pragma once\n// Internal to sim/io\n")
    write(tmp_path, "sim/core/a.h", '#include "sim/core/b.h"\n#include "sim/io/sink.h"\n')
    write(tmp_path, "sim/experiment/e.cpp",
          '#include "sim/io/merge.h"\n#include "sim/io/sink.h"\n#include "sim/core/a.h"\n'
          '#include "sim/scenario/events.h"\n')
    write(tmp_path, "sim/io/i.cpp",
          '#include "sim/io/sink.h"\n  #  include "sim/experiment/runner.h"\n')
    write(tmp_path, "sim/scenario/s.h", '#include "sim/cli/app.h"\n')
    write(tmp_path, "sim/cli/c.cpp",
          '#include "sim/io/merge.h"\n#include "sim/experiment/sweep.h"\n')
    assert wrong_arrows(tmp_path) == [
        "sim/core/a.h includes sim/io/sink.h (core -> io)",
        "sim/experiment/e.cpp includes sim/io/merge.h (experiment -> io: not an interface "
        "of io)",
        "sim/io/i.cpp includes sim/experiment/runner.h (io -> experiment)",
        "sim/io/sink.h includes sim/io/h5.h (an interface of io includes a header that is "
        "not one)",
        "sim/scenario/s.h includes sim/cli/app.h (scenario -> cli)",
    ]


def test_the_old_arrow_fails(tmp_path):
    """io including an interface experiment defined (the arrow before issue 14) fails."""
    write(tmp_path, "sim/io/hdf5_sink.h", '#include "sim/experiment/sink.h"\n')
    write(tmp_path, "sim/experiment/sink.h", "#pragma once\n// Interface of sim/experiment\n")
    assert wrong_arrows(tmp_path) == [
        "sim/io/hdf5_sink.h includes sim/experiment/sink.h (io -> experiment)"]
