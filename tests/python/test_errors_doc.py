"""docs/errors.md is what the binary says: regenerating it from the built sco-sim must give
the committed file, byte for byte (tests/data/bad/make_errors_md.py --check).

The catalogue rows run every bad input of tests/data/bad; the resource rows make each
mistake for real (a damaged results file, an existing output, a full 8 MiB tmpfs, Ctrl-C).
Mounting the tmpfs needs root; elsewhere the test is skipped with that reason.
"""
import os
import shutil
import subprocess

import pytest

from conftest import PYTHON, ROOT, sco_bin

SCRIPT = ROOT / "tests" / "data" / "bad" / "make_errors_md.py"


def test_errors_md_has_not_drifted_from_the_binary():
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("the full-disk rows mount a small tmpfs, which needs root")
    p = subprocess.run([PYTHON, str(SCRIPT), "--check", sco_bin()], capture_output=True, text=True,
                       timeout=900, errors="replace")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "matches the binary" in p.stdout


def test_the_check_fails_when_the_doc_differs(tmp_path):
    """The check is not vacuous: a copy of the repository's docs with one message changed
    fails it, naming the changed line."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("the full-disk rows mount a small tmpfs, which needs root")
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "tests" / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "tests" / "data" / "bad", root / "tests" / "data" / "bad")
    shutil.copytree(ROOT / "tests" / "data" / "scenario", root / "tests" / "data" / "scenario")
    shutil.copytree(ROOT / "scenarios", root / "scenarios")
    text = (ROOT / "docs" / "errors.md").read_text()
    assert "got '010'; write '10'" in text
    (root / "docs" / "errors.md").write_text(text.replace("got '010'; write '10'", "got '010'"))
    p = subprocess.run([PYTHON, str(root / "tests" / "data" / "bad" / "make_errors_md.py"), "--check",
                        sco_bin()], capture_output=True, text=True, timeout=900, errors="replace")
    assert p.returncode != 0
    assert "has drifted" in p.stderr and "+| `run: --seed" in p.stderr, p.stderr
