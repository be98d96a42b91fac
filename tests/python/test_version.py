"""The binary names the commit its sources are at, read at build time (cmake/git_commit.cmake):
after a commit and a rebuild, without reconfiguring, --version names the new commit."""
import re
import subprocess

import pytest

from conftest import ROOT, sco_bin


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def test_version_names_the_commit_the_sources_are_at():
    head = git("rev-parse", "--short=12", "HEAD")
    if head.returncode != 0:
        pytest.skip("not a git checkout: the binary says 'unknown'")
    out = subprocess.run([sco_bin(), "--version"], capture_output=True, text=True).stdout
    m = re.fullmatch(r"sco-sim \S+ \(git ([0-9a-f]{12}|unknown)(-dirty)?\)\n", out)
    assert m, out
    assert m.group(1) == head.stdout.strip(), (
        f"the binary says {m.group(1)} but HEAD is {head.stdout.strip()}: it was built before "
        "the last commit (rebuild), or the commit is still read at configure time")


def test_the_commit_header_is_rewritten_only_when_it_changes(tmp_path):
    """cmake/git_commit.cmake writes the header, and leaves it untouched (same mtime, so
    nothing recompiles) when the commit has not changed."""
    out = tmp_path / "git_commit.h"
    cmd = ["cmake", f"-DSRC={ROOT}", f"-DOUT={out}", "-P", str(ROOT / "cmake" / "git_commit.cmake")]
    subprocess.run(cmd, check=True)
    text = out.read_text()
    assert re.search(r'kGitCommit = "([0-9a-f]{12}(-dirty)?|unknown)";', text), text
    before = out.stat().st_mtime_ns
    subprocess.run(cmd, check=True)
    assert out.stat().st_mtime_ns == before
    out.write_text(text.replace("kGitCommit", "kOld"))
    subprocess.run(cmd, check=True)
    assert out.read_text() == text
