"""The Python scripts share one module, scripts/sco_results.py, found the standard way:
a script run as scripts/NAME.py has its own folder on the import path, and the tests get
scripts/ from tests/python/pytest.ini. No file edits sys.path, and every script starts
(--help) from a folder outside the repository with the interpreter the tests use."""
import pathlib
import re
import subprocess

import pytest

from conftest import PYTHON, ROOT

SCRIPTS = sorted((ROOT / "scripts").glob("*.py"))


def test_no_python_file_edits_sys_path():
    files = SCRIPTS + sorted((ROOT / "tests").rglob("*.py"))
    offenders = [str(p.relative_to(ROOT)) for p in files
                 if p.name != pathlib.Path(__file__).name
                 and re.search(r"sys\.path\.(insert|append)|sys\.path\s*\+?=", p.read_text())]
    assert offenders == []


def test_the_shared_module_is_the_one_in_scripts():
    import sco_results

    assert pathlib.Path(sco_results.__file__).resolve() == (ROOT / "scripts" / "sco_results.py").resolve()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_starts_from_anywhere(script, tmp_path):
    p = subprocess.run([PYTHON, str(script), "--help"], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120, env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    assert "usage" in p.stdout.lower() or "usage" in p.stderr.lower(), p.stdout + p.stderr
