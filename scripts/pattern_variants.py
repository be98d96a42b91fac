#!/usr/bin/env python3
"""Writes the full-copy scenario variants of fact 7 (docs/patterns.md) for
`sco-sim calibrate --require-less ... --than ...` (scripts/calibrate_pom.sh;
docs/calibration.md, "Required comparisons").

    /usr/bin/python3 scripts/pattern_variants.py OUTDIR [BASE.yaml]

A derived scenario (`extends:`) cannot change structure or the choice rule, so fact 7's
scenarios are full copies of the baseline, made by the function the pattern test uses
(tests/python/test_patterns.py, `derived_copy`), so that the calibration compares exactly
the scenarios the test compares:

    neutral.yaml      IND and PAK replaced by KZA and KZB (Kazakhstan clones with India's
                      and Pakistan's capability), admitted before the first summit
    sco8_det.yaml     expansion_sco8 (IND and PAK admitted) with the deterministic choice rule
    neutral_det.yaml  the neutral copy with the deterministic choice rule

(the SCO of eight itself is scenarios/expansion_sco8.yaml). They are written from the
baseline at run time, not committed, so they cannot drift from it.
"""
import argparse
import importlib.util
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(name, path):
    """Imports a module from its file (the pattern test and its conftest), without touching
    sys.path; test_patterns finds sco_results in this script's own folder."""
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser(description="Write fact 7's full-copy scenario variants "
                                 "(docs/calibration.md, \"Required comparisons\").")
    ap.add_argument("outdir", help="folder to write neutral.yaml, sco8_det.yaml, neutral_det.yaml")
    ap.add_argument("base", nargs="?", default=str(ROOT / "scenarios" / "sco2014.yaml"),
                    help="the baseline to copy (default scenarios/sco2014.yaml)")
    a = ap.parse_args()
    tests = ROOT / "tests" / "python"
    _load("conftest", tests / "conftest.py")
    derived_copy = _load("test_patterns", tests / "test_patterns.py").derived_copy
    out, base = pathlib.Path(a.outdir), pathlib.Path(a.base)
    out.mkdir(parents=True, exist_ok=True)
    text = base.read_text()
    files = {"neutral.yaml": derived_copy(text, neutral=True),
             "sco8_det.yaml": derived_copy(text, deterministic=True),
             "neutral_det.yaml": derived_copy(text, neutral=True, deterministic=True)}
    names = {"neutral.yaml": "two neutral members admitted (fact 7a)",
             "sco8_det.yaml": "SCO of eight, deterministic choice (fact 7b)",
             "neutral_det.yaml": "two neutral members admitted, deterministic choice (fact 7b)"}
    for name, body in files.items():
        body = re.sub(r"^name:.*$", f"name: {names[name]}", body, count=1, flags=re.M)
        (out / name).write_text(f"# Written by scripts/pattern_variants.py from {base.name}; "
                                "do not edit.\n" + body)
        print(out / name)


if __name__ == "__main__":
    main()
