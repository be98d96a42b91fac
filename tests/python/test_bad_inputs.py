"""The catalogue of bad inputs (tests/data/bad/expected.tsv): every file is refused
with exit status 2, a message that says what is wrong (and where: FILE:LINE: when the
manifest gives a line), no crash or internal error text, and no results file.

Manifest columns: file, expected status, a substring of the message, the line or '-',
the command (check: `sco-sim check FILE`; sweep: `sco-sim sweep --file FILE`), and what
to do (for docs/errors.md). Rows starting with '@' are made at run time: @directory
(a folder), @missing.yaml (no such file), @huge-100mb.yaml (100 MB, written to a
temporary folder, never committed), @sweep-directory, @sweep-missing.yaml.
"""
import csv
import hashlib
import os
import pathlib
import subprocess

import pytest

from conftest import ROOT, sco_bin

BAD = ROOT / "tests" / "data" / "bad"
MANIFEST = BAD / "expected.tsv"
FORBIDDEN = ("terminate called", "what():", "Assertion", "HDF5-DIAG", "Segmentation fault",
             "AddressSanitizer", "runtime error:", "std::bad_alloc", "cannot load:")


def manifest_rows():
    with open(MANIFEST, newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    for r in rows:
        assert len(r) == 6, f"expected.tsv: a row needs 6 columns: {r}"
    return rows


ROWS = manifest_rows()


@pytest.fixture(scope="module")
def huge_file(tmp_path_factory):
    """A 100 MB file that starts like a scenario: refused for its size, quickly."""
    p = tmp_path_factory.mktemp("huge") / "huge-100mb.yaml"
    with open(p, "wb") as f:
        f.write(b"format: sco-sim/1\n")
        block = b"# padding padding padding padding padding padding padding padding\n" * 1024
        while f.tell() < 100 * 1024 * 1024:
            f.write(block)
    return p


def resolve(name, huge):
    """(argument to pass, the name the message shows). Commands run in tests/data/bad,
    so the messages read as in docs/errors.md."""
    if name in ("@directory", "@sweep-directory"):
        return ".", "."
    if name in ("@missing.yaml", "@sweep-missing.yaml"):
        return "no-such-file.yaml", "no-such-file.yaml"
    if name == "@huge-100mb.yaml":
        return str(huge), str(huge)
    return name, name


def run(args, cwd):
    proc = subprocess.run([sco_bin(), *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd, errors="replace")
    return proc


def assert_clean_refusal(proc, status, substring, line, shown, what):
    err = proc.stderr
    assert proc.returncode == int(status), f"{what}: exit {proc.returncode}, stderr:\n{err}"
    assert substring in err, f"{what}: message lacks {substring!r}:\n{err}"
    if line != "-":
        assert f"{shown}:{line}:" in err, f"{what}: message lacks '{shown}:{line}:':\n{err}"
    for bad in FORBIDDEN:
        assert bad not in err and bad not in proc.stdout, f"{what}: {bad!r} in output:\n{err}"
    assert err.startswith("sco-sim:"), f"{what}: the message does not start with 'sco-sim:':\n{err}"


def test_the_catalogue_is_complete():
    names = [r[0] for r in ROWS]
    assert len(set(names)) == len(names), "a file is listed twice in expected.tsv"
    on_disk = {p.name for p in BAD.iterdir()
               if p.suffix in (".yaml", ".bin") and not p.name.endswith("_valid.yaml")}
    listed = {n for n in names if not n.startswith("@")}
    # derived_cycle_b.yaml is the other half of derived_cycle_a.yaml's cycle.
    assert on_disk - listed == {"derived_cycle_b.yaml"}, on_disk - listed
    assert listed <= on_disk, listed - on_disk
    assert len([n for n in names if n.startswith("sweep")]) >= 5
    assert len(names) >= 40


def test_the_valid_files_are_valid(tmp_path):
    for name in ("base_valid.yaml", "bom_valid.yaml"):
        proc = run(["check", BAD / name], tmp_path)
        assert proc.returncode == 0, proc.stderr
    out = tmp_path / "sweep.h5"
    proc = run(["sweep", "--file", BAD / "sweep_valid.yaml", "-q", "-j", "1", "-o", out], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


def test_the_binary_file_is_reproducible():
    data = (BAD / "binary.bin").read_bytes()
    x, expect = 20140615, bytearray()
    for _ in range(4096):
        x = (1103515245 * x + 12345) % 2**31
        expect.append((x >> 16) & 0xFF)
    assert data == bytes(expect), "binary.bin differs from what make_binary.py writes"


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused_clearly(row, tmp_path, huge_file):
    name, status, substring, line, command, _ = row
    arg, shown = resolve(name, huge_file)
    out = tmp_path / "out" / "x.h5"
    before = sorted(p.name for p in BAD.iterdir())
    if command == "sweep":
        proc = run(["sweep", "--file", arg, "-q", "-o", out], BAD)
        assert_clean_refusal(proc, status, substring, line, shown, f"sweep --file {name}")
    else:
        assert command == "check", row
        proc = run(["check", arg], BAD)
        assert_clean_refusal(proc, status, substring, line, shown, f"check {name}")
        # The same file given to run: the same refusal, before anything is written.
        proc = run(["run", arg, "-n", "10", "-q", "-o", out], BAD)
        assert_clean_refusal(proc, status, substring, line, shown, f"run {name}")
    assert not out.exists(), f"{name}: a results file was written"
    assert not (tmp_path / "out" / "x.h5.parts").exists(), f"{name}: sweep parts were left"
    assert list(tmp_path.iterdir()) in ([], [tmp_path / "out"]), list(tmp_path.iterdir())
    assert not any((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True
    assert sorted(p.name for p in BAD.iterdir()) == before, f"{name}: files appeared in tests/data/bad"


def test_run_refuses_before_creating_the_output_folder(tmp_path):
    out = tmp_path / "new" / "folder" / "x.h5"
    proc = run(["run", BAD / "range_capability.yaml", "-o", out], tmp_path)
    assert proc.returncode == 2
    assert not (tmp_path / "new").exists()


def test_inputs_are_not_modified(tmp_path):
    """Checking never writes to the files it reads."""
    digest = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in BAD.iterdir() if p.is_file()}
    for name in ("two_documents.yaml", "derived_cycle_a.yaml", "binary.bin"):
        run(["check", BAD / name], tmp_path)
    assert digest == {p: hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in BAD.iterdir() if p.is_file()}
