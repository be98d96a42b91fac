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
    check_sobol_numbers(work / "results" / "afghan_sobol.h5")
    check_what_if_numbers(work / "results")


def check_what_if_numbers(results):
    """The what-if comment quotes the bank's 2014 pass rate in the baseline and with
    Russia's salience lowered: the files the two commands wrote give those numbers, at the
    precision quoted."""
    import sco_results as sr
    m = re.search(r"The bank it blocks passes \(([\d.]+)% -> ([\d.]+)% in (\d{4})\)",
                  README.read_text(encoding="utf-8"))
    assert m, "the README's what-if comment changed: update this test"
    for quoted, name in ((m.group(1), "base.h5"), (m.group(2), "rus_bank.h5")):
        r = sr.load(results / name)
        t, p = list(r.periods).index(int(m.group(3))), r.proposals.index("development_bank")
        digits = len(quoted.split(".")[1]) if "." in quoted else 0
        got = f"{100 * r.passed_p[0, t, p]:.{digits}f}"
        assert got == quoted, (name, got, quoted)


def check_sobol_numbers(path):
    """The numbers the README quotes from its Sobol example are the file's: the 2014
    output of the Afghan plan can be read, with the quoted indices and noise floor."""
    import sco_results as sr
    text = " ".join(README.read_text(encoding="utf-8").split())
    m = re.search(r"total indices ([\d.]+) and ([\d.]+), first-order ([\d.]+) and ([\d.]+).*?"
                  r"\(total ([\d.]+) and ([\d.]+)\).*?\(here ([\d.]+)\)", text)
    assert m, "the README's Sobol paragraph changed: update this test"
    st_unc, st_wait, s1_unc, s1_wait, st_rel, st_ten, eta = m.groups()
    r = sr.load(path)
    (o,) = sr.sobol_outputs(r, period=2014, proposal="afghan_buffer_plan")
    assert o.informative, o.reason
    S, f = r.sensitivity, r.factors.index

    def at(key, name):
        return S[key][f(name), o.t, o.p]
    for quoted, key, name in ((st_unc, "total", "agenda.afghan_buffer_plan.uncertainty"),
                              (st_wait, "total", "dynamics.wait_value"),
                              (s1_unc, "first", "agenda.afghan_buffer_plan.uncertainty"),
                              (s1_wait, "first", "dynamics.wait_value"),
                              (st_rel, "total", "agents.UZB.military_reluctance"),
                              (st_ten, "total", "relations.tension.TJK-UZB")):
        assert f"{at(key, name):.2f}" == quoted, (key, name, at(key, name), quoted)
    assert f"{o.eta:.{len(eta) - 2}f}" == eta, (o.eta, eta)


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


def test_the_quoted_record_skill_is_what_the_readme_command_prints(tmp_path):
    """"Is it any good?" quotes the calibrated values' skill on the record and its two
    categories; the sh block above the quote prints them. A model or calibration change
    that moves them must update the README."""
    text = README.read_text(encoding="utf-8")
    block = next(b for b in sh_blocks(text) if "dynamics.wait_value=" in b and " score " in b)
    quoted = re.search(r"\*\*skill of ([0-9.]+)\*\*.*?\*\*([0-9.]+) on the\s+exercises\*\*"
                       r".*?\*\*([−-][0-9.]+) on the policy texts\*\*", text, flags=re.S)
    assert quoted, "the README no longer quotes the skill in the expected words"
    work = tmp_path / "repo"
    (work / "results").mkdir(parents=True)
    (work / "scenarios").symlink_to(ROOT / "scenarios")
    script = f"set -euo pipefail\nsco={sco_bin()}\n" + block
    proc = subprocess.run(["bash", "-c", script], cwd=work, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {m.group(1): m.group(2) for m in
            re.finditer(r"^(all|cat A|cat B)\s+.*\s(-?[0-9.]+)\s*$", proc.stdout, flags=re.M)}
    assert rows.get("all") == quoted.group(1), (rows, quoted.groups())
    for row, q in (("cat A", quoted.group(2)), ("cat B", quoted.group(3).replace("−", "-"))):
        half_digit = 0.5 * 10.0 ** -len(q.split(".")[1])  # the quote rounds the printed value
        assert abs(float(rows[row]) - float(q)) <= half_digit + 1e-9, (row, rows, q)
