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
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "python"), str(ROOT / "scripts")]
from test_patterns import derived_copy  # noqa: E402  (the pattern test's own copies)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    base = pathlib.Path(sys.argv[2]) if len(sys.argv) == 3 else ROOT / "scenarios" / "sco2014.yaml"
    out.mkdir(parents=True, exist_ok=True)
    text = base.read_text()
    files = {"neutral.yaml": derived_copy(text, neutral=True),
             "sco8_det.yaml": derived_copy(text, deterministic=True),
             "neutral_det.yaml": derived_copy(text, neutral=True, deterministic=True)}
    for name, body in files.items():
        (out / name).write_text(f"# Written by scripts/pattern_variants.py from {base.name}; "
                                "do not edit.\n" + body)
        print(out / name)


if __name__ == "__main__":
    main()
