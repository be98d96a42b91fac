"""The command line's own rules: a parameter path given twice to --set (or to --set and
--vary) is refused, and every command's --help agrees with itself and with docs/cli.md
(docs/cli.md, "The command line" and each command's synopsis)."""
import re

import pytest

from conftest import ROOT, SMALL, sco

BAD = ROOT / "tests" / "data" / "bad"
EVENTS = ROOT / "tests" / "data" / "events" / "small_events.yaml"
COMMANDS = ["run", "sweep", "merge", "calibrate", "check", "params", "summary", "score"]


# ---- a path given twice ----

def refused(*args):
    p = sco(*args, check=False)
    assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
    assert "Assertion" not in p.stderr and "what():" not in p.stderr
    return p.stderr


@pytest.mark.parametrize("command", ["check", "params", "run"])
def test_a_set_path_given_twice_is_refused(command, tmp_path):
    """A repeated key in a scenario file is an error; so is a repeated --set path, which
    used to keep the last value silently. Spaces around the path do not make another."""
    extra = ["-o", tmp_path / "r.h5", "-n", 2] if command == "run" else []
    err = refused(command, SMALL, "--set", "dynamics.wait_value=3", "--set",
                  "dynamics.rounds=2", "--set", " dynamics.wait_value =4", *extra)
    assert ("--set: dynamics.wait_value: is given twice (--set dynamics.wait_value=3, then "
            "--set  dynamics.wait_value =4); give each path once") in err, err
    assert not (tmp_path / "r.h5").exists()


def test_different_set_paths_are_fine():
    out = sco("params", SMALL, "--set", "dynamics.wait_value=3", "--set",
              "dynamics.rounds=2").stdout
    assert re.search(r"^dynamics\.wait_value\s+3\s", out, re.M)
    assert re.search(r"^dynamics\.rounds\s+2\s", out, re.M)


def test_sweep_refuses_a_path_both_set_and_varied(tmp_path):
    err = refused("sweep", SMALL, "--vary", "dynamics.wait_value=0:4:2", "--set",
                  "dynamics.wait_value=3", "-n", 2, "-q", "-o", tmp_path / "s.h5")
    assert ("--vary: dynamics.wait_value: is also fixed by --set dynamics.wait_value=3; a path "
            "is either fixed or varied, not both") in err, err
    # twice in --vary, and twice in --set, are refused too
    err = refused("sweep", SMALL, "--vary", "dynamics.wait_value=0:4:2", "--vary",
                  "dynamics.wait_value=1,2", "-n", 2, "-q", "-o", tmp_path / "s.h5")
    assert "--vary: dynamics.wait_value: is varied twice" in err, err
    err = refused("sweep", SMALL, "--vary", "dynamics.wait_value=0:4:2", "--set",
                  "dynamics.rounds=2", "--set", "dynamics.rounds=3", "-n", 2, "-q", "-o",
                  tmp_path / "s.h5")
    assert "--set: dynamics.rounds: is given twice" in err, err
    assert not list(tmp_path.iterdir())


def test_a_sweep_file_path_fixed_by_set_is_refused_naming_the_file(tmp_path):
    """sweep_valid.yaml varies agents.UZB.sovereignty (line 7)."""
    err = refused("sweep", "--file", BAD / "sweep_valid.yaml", "--set",
                  "agents.UZB.sovereignty=0.5", "-q", "-o", tmp_path / "s.h5")
    assert re.search(r"sweep_valid\.yaml:7:1: agents\.UZB\.sovereignty: is also fixed by "
                     r"--set agents\.UZB\.sovereignty=0\.5", err), err


def sweep_file_with_set(tmp_path, set_path):
    """sweep_valid.yaml (varies agents.UZB.sovereignty) with a set: of `set_path` (line 9)."""
    text = (BAD / "sweep_valid.yaml").read_text(encoding="utf-8")
    text = text.replace("scenario: base_valid.yaml", f"scenario: {BAD / 'base_valid.yaml'}")
    f = tmp_path / "sweep.yaml"
    f.write_text(text + f"set:\n  {set_path}: 0.5\n", encoding="utf-8")
    assert f.read_text(encoding="utf-8").splitlines()[8].strip().startswith(set_path)
    return f


def test_a_sweep_file_path_both_set_and_varied_is_refused(tmp_path):
    """A sweep file's own set: and vary: naming one path: refused at the vary line."""
    f = sweep_file_with_set(tmp_path, "agents.UZB.sovereignty")
    err = refused("sweep", "--file", f, "-q", "-o", tmp_path / "s.h5")
    assert re.search(r"sweep\.yaml:7:1: agents\.UZB\.sovereignty: is also fixed by the "
                     r"sweep file's set: "
                     r"agents\.UZB\.sovereignty \(.*sweep\.yaml line 9\); a path is either "
                     r"fixed or varied, not both", err), err
    assert not (tmp_path / "s.h5").exists()


def test_a_set_path_the_sweep_file_sets_is_refused(tmp_path):
    """--set of a path the sweep file's set: fixes: given twice, as two --set are."""
    f = sweep_file_with_set(tmp_path, "dynamics.wait_value")
    err = refused("sweep", "--file", f, "--set", "dynamics.wait_value=2", "-q", "-o",
                  tmp_path / "s.h5")
    assert re.search(r"--set: dynamics\.wait_value: is given twice \(the sweep file's set: "
                     r"dynamics\.wait_value \(.*sweep\.yaml line 9\), then --set "
                     r"dynamics\.wait_value=2\); give each path once", err), err
    # without the clash the same file runs
    sco("sweep", "--file", f, "--set", "dynamics.rounds=2", "-q", "-o", tmp_path / "ok.h5")
    assert (tmp_path / "ok.h5").exists()


def test_calibrate_refuses_a_path_both_set_and_varied(tmp_path):
    err = refused("calibrate", SMALL, EVENTS, "--vary", "dynamics.wait_value=0:4", "--set",
                  "dynamics.wait_value=3", "--points", 2, "-n", 2, "-q", "-o", tmp_path / "c.h5")
    assert "--vary: dynamics.wait_value: is also fixed by --set dynamics.wait_value=3" in err, err
    err = refused("calibrate", SMALL, EVENTS, "--vary", "dynamics.wait_value=0:4", "--set",
                  "dynamics.rounds=2", "--set", "dynamics.rounds=2", "--points", 2, "-n", 2,
                  "-q", "-o", tmp_path / "c.h5")
    assert "--set: dynamics.rounds: is given twice" in err, err


# ---- --help ----

def help_of(command):
    """(usage forms, [(option names, value name, default, description)]) of a --help."""
    text = sco(command, "--help").stdout
    usage, rest = text.split("\n\n", 1)
    assert usage.startswith(f"usage: sco-sim {command} "), usage
    forms = [" ".join(f.split()) for f in
             re.split(r"\s(?=sco-sim )", "sco-sim " + usage[len("usage: sco-sim "):])]
    table = rest.split("options:\n", 1)[1]
    options = []
    for line in table.splitlines():
        # a value name has a capital or a '|' (RUNS, SWEEP.yaml, tracked|all); the widest
        # option is followed by a single space
        m = re.match(r"^  (-\w \[ --[\w-]+ \]|--[\w-]+)( \S*[A-Z|]\S*)?( \(=[^)]*\))? +(\S.*)$",
                     line)
        if m:
            names = re.findall(r"--?[\w-]+", m.group(1))
            options.append([names, (m.group(2) or "").strip(), m.group(3) or "", m.group(4)])
        elif line.strip():
            assert line.startswith(" " * 10) and options, line  # a wrapped description
            options[-1][3] += " " + line.strip()
    return text, forms, options


@pytest.mark.parametrize("command", COMMANDS)
def test_the_usage_names_every_option(command):
    """`summary --help` left out --point: every option of the table is in the usage line,
    with the value name the table gives it."""
    _, forms, options = help_of(command)
    usage = " ".join(forms)
    assert options, command
    for names, value, _, _ in options:
        if names[-1] == "--help":
            continue
        written = [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", usage)]
        assert written, f"{command}: {names} is not in the usage: {usage}"
        if value:
            assert re.search(rf"{re.escape(written[0])} {re.escape(value)}", usage), \
                f"{command}: the usage does not write {written[0]} {value}"


@pytest.mark.parametrize("command", COMMANDS)
def test_the_help_is_laid_out_within_its_width(command):
    """No line wider than 100 characters; no default said twice (Boost's `(=X)` and a
    "(default X)" in the text); no option value shown as Boost's bare `arg`; no word
    broken across lines (`-o`'s default path once wrapped in the middle)."""
    text, _, options = help_of(command)
    for line in text.splitlines():
        assert len(line) <= 100, line
    assert not re.search(r"^  (-\w \[ --[\w-]+ \]|--[\w-]+) arg\b", text, re.M), text
    for names, value, default, description in options:
        if default:
            assert "(default" not in description, (names, description)
    for names, _, _, description in options:
        if names[-1] == "--output" and command != "merge":  # merge's -o is required
            assert re.search(r"\(default results/<scenario>[\w-]*\.h5\)", description), \
                description


def doc_synopses():
    """{command: [forms]} from the code blocks of docs/cli.md that start `sco-sim CMD`."""
    doc = (ROOT / "docs" / "cli.md").read_text()
    out = {}
    for block in re.findall(r"^```\n(sco-sim \w+ .*?)^```", doc, re.M | re.S):
        for form in re.split(r"\n(?=sco-sim )", block.strip()):
            out.setdefault(form.split()[1], []).append(" ".join(form.split()))
    return out


@pytest.mark.parametrize("command", COMMANDS)
def test_the_usage_is_the_synopsis_in_the_doc(command):
    _, forms, _ = help_of(command)
    doc = doc_synopses()
    assert command in doc, f"docs/cli.md has no synopsis block for {command}"
    assert forms == doc[command]


def test_the_command_list_is_aligned():
    text = sco("--help").stdout
    rows = re.findall(r"^  (\w+ .*?)  +(\S.*)$", text.split("commands:\n", 1)[1], re.M)
    assert [r[0].split()[0] for r in rows] == COMMANDS
    starts = {line.index(desc) for line in text.splitlines() for _, desc in rows
              if line.endswith(desc) and line.startswith("  ")}
    assert len(starts) == 1, starts
    assert all(len(line) <= 100 for line in text.splitlines())
