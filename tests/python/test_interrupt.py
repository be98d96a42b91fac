"""Interrupted runs lose nothing: no file at the output path after a kill, no
temporary file after SIGINT or SIGTERM, and an existing file survives an interrupted
--force run untouched."""
import os
import signal
import subprocess
import time

import pytest

from conftest import ROOT, sco_bin

BASE = ROOT / "scenarios" / "sco2014.yaml"


def start(out, *extra):
    # Far more runs than can finish before the signal arrives.
    return subprocess.Popen([sco_bin(), "run", str(BASE), "-n", "200000000", "-q", "-o", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_temp(directory, proc, timeout=30):
    """Waits until the run has created its temporary file (so it is really running)."""
    end = time.time() + timeout
    while time.time() < end:
        if any(p.name.startswith(".") and ".tmp" in p.name for p in directory.iterdir()):
            time.sleep(0.3)
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    pytest.fail("the run never created its temporary file")


@pytest.mark.parametrize("sig,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_cleanly_and_leaves_nothing(tmp_path, sig, status):
    out = tmp_path / "r.h5"
    proc = start(out)
    wait_for_temp(tmp_path, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert "interrupted" in err
    assert list(tmp_path.iterdir()) == [], f"left behind: {list(tmp_path.iterdir())}"


def test_kill_leaves_no_file_at_the_output_path(tmp_path):
    out = tmp_path / "r.h5"
    proc = start(out)
    wait_for_temp(tmp_path, proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    # Only the (hidden, clearly named) temporary file can remain after SIGKILL.
    assert all(p.name.startswith(".r.h5.tmp") for p in tmp_path.iterdir())


def test_interrupted_force_run_keeps_the_existing_file(tmp_path):
    out = tmp_path / "r.h5"
    subprocess.run([sco_bin(), "run", str(BASE), "-n", "200", "-q", "-o", str(out)], check=True)
    before = out.read_bytes()
    proc = start(out, "--force")
    wait_for_temp(tmp_path, proc)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.h5"]
