"""scripts/build-pgo.sh (docs/cluster.md, "A profile-guided build"): it builds sco-sim from a
training profile, the profile is used, and the binary gives the default build's numbers
bit for bit; the CMake option refuses a profile that is not there, or a mode it does not know,
with a message that says what to do."""
import json
import subprocess

import pytest

from conftest import PYTHON, ROOT, SCRIPTS, sco_bin


@pytest.fixture(scope="module")
def pgo_build(tmp_path_factory):
    build = tmp_path_factory.mktemp("pgo") / "build-pgo"
    proc = subprocess.run([str(SCRIPTS / "build-pgo.sh"), str(build)], capture_output=True,
                          text=True, timeout=1100)
    assert proc.returncode == 0, f"build-pgo.sh exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return build, proc.stdout


def test_the_binary_is_built_from_the_profile_it_trained(pgo_build):
    build, out = pgo_build
    profile = build / "pgo-profile"
    assert list(profile.glob("*.gcda")), f"no profile in {profile}"
    # The engine, the hot file, was compiled with the profile.
    commands = json.loads((build / "compile_commands.json").read_text())
    engine = [c["command"] for c in commands if c["file"].endswith("sim/core/engine.cpp")]
    assert engine, "engine.cpp is not in compile_commands.json"
    assert f"-fprofile-use={profile}" in engine[0], engine[0]
    version = subprocess.run([str(build / "bin" / "sco-sim"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    assert version.rstrip().endswith(", profile-guided)"), version
    assert "built " in out and "profile-guided" in out, out


def test_the_profile_guided_binary_gives_the_same_numbers(pgo_build, tmp_path):
    """Every dataset of compare_engines.py's experiments (seven scenarios and eight model
    variants, per-run records) and the explained replays, byte for byte."""
    build, _ = pgo_build
    proc = subprocess.run([PYTHON, str(SCRIPTS / "compare_engines.py"), sco_bin(),
                           str(build / "bin" / "sco-sim"), "--runs", "300", "--replays", "2",
                           "--workdir", str(tmp_path)], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1215 datasets compared, 0 differ" in proc.stdout, proc.stdout


def configure(tmp_path, *args):
    """Configures a tree with `args`; returns (exit status, stderr with CMake's line breaks
    undone)."""
    proc = subprocess.run(["cmake", "-S", str(ROOT), "-B", str(tmp_path / "b"),
                           "-DSCO_BUILD_TESTS=OFF", *args], capture_output=True, text=True,
                          timeout=300)
    return proc.returncode, " ".join(proc.stderr.split())


def test_a_build_from_a_missing_profile_is_refused_with_the_way_out(tmp_path):
    status, err = configure(tmp_path, "-DSCO_PGO=USE", f"-DSCO_PGO_DIR={tmp_path / 'nowhere'}")
    assert status != 0
    assert f"no profile in {tmp_path / 'nowhere'}. Run scripts/build-pgo.sh" in err, err


def test_an_unknown_mode_is_refused(tmp_path):
    status, err = configure(tmp_path, "-DSCO_PGO=YES")
    assert status != 0
    assert "SCO_PGO is 'YES': it must be OFF, GENERATE or USE" in err, err


def test_the_script_rejects_an_unknown_option():
    proc = subprocess.run([str(SCRIPTS / "build-pgo.sh"), "--fast"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert "unknown option '--fast'" in proc.stderr, proc.stderr


def test_the_script_explains_itself():
    proc = subprocess.run([str(SCRIPTS / "build-pgo.sh"), "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "scripts/build-pgo.sh [--bench] [BUILD_DIR] [-- CMAKE_ARGS...]" in proc.stdout
    assert "install-deps.sh first" in proc.stdout, proc.stdout  # the header's last line
    assert "set -euo" not in proc.stdout and not proc.stdout.startswith("#!"), proc.stdout
