"""The README cannot rot: every command of its fenced `sh` blocks runs, as written, in a
scratch copy of the repository (scenarios and scripts), in order, in one shell, with
./build/bin/sco-sim being the binary under test. The quickstart and test.sh lines of
"Start here" are left out: .ci/run runs the quickstart on a clean clone and
test_quickstart.py runs it here; test.sh is what runs this test. The pictures the README
shows must exist and be at most 2000 px wide."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, sco_bin

README = ROOT / "README.md"
LEFT_OUT = re.compile(r"^\s*\./scripts/(quickstart|test)\.sh\b")


def sh_blocks(text):
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


def tour_script():
    lines = []
    for block in sh_blocks(README.read_text(encoding="utf-8")):
        lines += [line for line in block.splitlines() if not LEFT_OUT.match(line)]
    return "\n".join(lines) + "\n"


def commands(script):
    """The commands of a script: non-blank, non-comment lines, continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_tour_has_commands():
    cmds = commands(tour_script())
    assert any(" run " in c for c in cmds) and any("scripts/" in c for c in cmds), cmds
    assert len(cmds) >= 5


def test_every_readme_command_runs(tmp_path):
    work = tmp_path / "repo"
    (work / "build" / "bin").mkdir(parents=True)
    (work / "build" / "bin" / "sco-sim").symlink_to(sco_bin())
    for d in ("scenarios", "scripts", "docs"):
        (work / d).symlink_to(ROOT / d)
    script = "set -euxo pipefail\n" + tour_script()
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(["bash", "-c", script], cwd=work, capture_output=True, text=True,
                          timeout=1500, env=env)
    assert proc.returncode == 0, (f"a README command failed (exit {proc.returncode}); the "
                                  f"last ones run:\n{proc.stderr[-4000:]}")
    assert "Traceback" not in proc.stderr
    # The tour wrote its results in the scratch copy, not in the repository.
    assert any((work / "results").glob("*.h5"))


def test_readme_pictures_exist_and_fit():
    from PIL import Image
    text = README.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert pictures
    for rel in pictures:
        path = ROOT / rel
        assert path.exists(), rel
        with Image.open(path) as im:
            assert im.size[0] <= 2000, (rel, im.size)
