"""Sobol indices of a pass probability estimated from a finite number of runs per point:
the noise floor (sco_results.noise_floor) and the outputs whose indices cannot be read
(sco_results.SobolOutput), docs/figures.md "Sobol indices: degenerate outputs and the
noise floor"."""
import re
import subprocess
import types

import numpy as np
import pytest

import sco_results as sr
from conftest import PYTHON, ROOT, SCRIPTS, sco


def estimators(y, k, n):
    """sco-sim's estimators (sim/experiment/sensitivity.cpp) on y in Saltelli order:
    Saltelli (2010) first order and Jansen (1999) total order, and the standard errors of
    both (of the mean of their per-row terms, the variance held fixed), [first, total]."""
    a, b = y[:n], y[n:2 * n]
    ab = [y[(2 + i) * n:(3 + i) * n] for i in range(k)]
    both = np.concatenate([a, b])
    var = np.mean(both ** 2) - np.mean(both) ** 2
    first_terms = [b * (abi - a) / var for abi in ab]
    terms = [0.5 * (a - abi) ** 2 / var for abi in ab]
    se = [np.std(t, ddof=1) / np.sqrt(n) for t in first_terms + terms]
    return (np.array([t.mean() for t in first_terms]), np.array([t.mean() for t in terms]),
            np.array(se).reshape(2, k))


def test_the_test_estimators_are_sco_sims(sobol_file):
    """The replica above gives the indices sco-sim stored, so what the synthetic case
    below shows holds for the stored indices."""
    r = sr.load(sobol_file)
    k, n = len(r.factors), len(r.point_index) // (len(r.factors) + 2)
    checked = 0
    for t in range(len(r.periods)):
        for p in range(len(r.proposals)):
            if not np.isfinite(r.sensitivity["total"][:, t, p]).all():
                continue
            tab = r.tabled[:, t, p]
            y = np.where(tab > 0, r.passed[:, t, p] / np.maximum(tab, 1), 0.0)
            first, total, _ = estimators(y, k, n)
            np.testing.assert_allclose(first, r.sensitivity["first"][:, t, p], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(total, r.sensitivity["total"][:, t, p], rtol=1e-9, atol=1e-12)
            checked += 1
    assert checked >= 1


def synthetic(n_rows, runs, seed=11):
    """Three factors on [0, 1]; P(passed) = 0.2 + 0.6 x1, x2 and x3 cannot act; `runs`
    binomial runs per point. Returns (passed, tabled) in Saltelli order."""
    rng = np.random.default_rng(seed)
    k = 3
    A, B = rng.random((n_rows, k)), rng.random((n_rows, k))
    blocks = [A, B]
    for i in range(k):
        ab = A.copy()
        ab[:, i] = B[:, i]
        blocks.append(ab)
    x = np.concatenate(blocks)
    p = 0.2 + 0.6 * x[:, 0]
    passed = rng.binomial(runs, p)
    return passed, np.full(len(p), runs)


def test_a_factor_that_cannot_act_gets_the_noise_floor_as_its_total_index():
    n_rows, runs = 20000, 50
    passed, tabled = synthetic(n_rows, runs)
    eta, s2, v = sr.noise_floor(passed, tabled, n_rows)
    # Known answer: p uniform on [0.2, 0.8] has variance 0.6^2/12 = 0.03 and
    # E[p(1-p)] = 0.5 - (0.03 + 0.25) = 0.22, so the noise variance is 0.22/50 = 0.0044
    # and eta = 0.0044 / (0.03 + 0.0044) = 0.128.
    assert s2 == pytest.approx(0.0044, rel=0.03)
    assert eta == pytest.approx(0.0044 / 0.0344, rel=0.05)
    y = passed / tabled
    first, total, (se1, se) = estimators(y, 3, n_rows)
    # x2 and x3 cannot act: their total index is the noise floor, within 4 standard errors
    # (the floor itself is estimated far more precisely), and far above 0.
    for i in (1, 2):
        assert abs(total[i] - eta) < 4 * se[i], (i, total[i], eta, se[i])
        assert total[i] > eta / 2
        assert abs(first[i]) < 4 * se1[i]
    # x1 does everything: ST 1 stays 1 and S1 is shrunk to 1 - eta.
    assert total[0] == pytest.approx(1.0, abs=4 * se[0] + 0.01)
    assert first[0] == pytest.approx(1 - eta, abs=4 * se1[0])


def test_more_runs_per_point_lower_the_noise_floor():
    low = sr.noise_floor(*synthetic(4000, 50), 4000)[0]
    high = sr.noise_floor(*synthetic(4000, 800), 4000)[0]
    assert low > 0.1 and high < 0.015  # 0.128 and 0.0090 expected


def fake_results(passed, tabled, k=3):
    """The few fields of sco_results.Results that SobolOutput reads: one summit, one
    proposal, indices stored (finite) wherever the output is not constant."""
    passed = np.asarray(passed).reshape(-1, 1, 1)
    tabled = np.asarray(tabled).reshape(-1, 1, 1)
    y = np.where(tabled > 0, passed / np.maximum(tabled, 1), 0.0)
    finite = np.full((k, 1, 1), 0.1 if np.var(y) > 0 else np.nan)
    return types.SimpleNamespace(passed=passed, tabled=tabled, factors=["a", "b", "c"][:k],
                                 proposals=["plan"], periods=np.array([2018]),
                                 sensitivity={"total": finite})


def test_an_output_that_varies_only_with_tabling_is_left_out():
    # The README's earlier example (wait_value 0:4), 2018: P = 1 wherever tabled, 6 of 1,536 points never
    # table it (P counted as 0 there).
    tabled = np.full(1536, 200)
    tabled[[5, 100, 700, 900, 1200, 1500]] = 0
    passed = tabled.copy()
    o = sr.SobolOutput(fake_results(passed, tabled, k=4), 0, 0)
    assert o.kind == "tabled" and not o.informative
    assert "6 of 1,536 points never table it" in o.reason
    assert o.eta == 0  # no binomial noise: what varies is tabled or not


def test_an_output_of_noise_only_is_left_out_and_a_real_one_is_kept():
    rng = np.random.default_rng(5)
    tabled = np.full(1000, 100)
    noise = sr.SobolOutput(fake_results(rng.binomial(100, 0.5, 1000), tabled), 0, 0)
    assert noise.kind == "noise" and 0.7 < noise.eta < 1.4, noise.eta
    passed, tabled = synthetic(200, 100)
    real = sr.SobolOutput(fake_results(passed, tabled), 0, 0)
    assert real.informative and 0.03 < real.eta < 0.1, real.eta  # 0.068 expected
    thin = sr.SobolOutput(fake_results(passed[:10] * 0 + 1, tabled[:10] * 0 + 5), 0, 0)
    assert thin.kind == "thin"


def test_plot_sobol_draws_the_noise_floor(sobol_file, tmp_path, monkeypatch):
    import plot_sobol
    drawn = []
    monkeypatch.setattr(sr, "save_figure", lambda fig, outdir, stem: drawn.append(fig) or [])
    r = sr.load(sobol_file)
    plot_sobol.plot(r, tmp_path)
    (fig,) = drawn
    outs = {(o.t, o.p): o for o in sr.sobol_outputs(r) if o.informative}
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert panels
    for ax in panels:
        floors = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
        assert len(floors) == 1
        x = floors[0].get_xdata()[0]
        m = re.search(r"noise floor ([0-9.e-]+)$", ax.get_title())
        assert m, ax.get_title()
        assert any(abs(o.eta - x) < 1e-12 and f"{o.eta:.2g}" == m.group(1) for o in outs.values())
    labels = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert any(lab.startswith("noise floor") for lab in labels), labels


def test_plot_sobol_help_says_which_summit_is_the_default():
    proc = subprocess.run([PYTHON, str(SCRIPTS / "plot_sobol.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "default: the first summit with an output whose indices can be read" in text
    assert "default: the first)" not in text


def readme_sobol_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    (cmd,) = [line for line in joined.splitlines() if "--design sobol" in line and "sweep" in line]
    return cmd


def test_the_readme_sobol_example_brackets_the_baseline():
    """The README's Sobol example varies every parameter over a range that contains the
    value the baseline scenario uses, so its figure speaks about the baseline (a range
    that misses it measured a regime where the plan always passes)."""
    cmd = readme_sobol_command()
    scenario = re.search(r"sweep (\S+\.yaml)", cmd).group(1)
    ranges = dict((m.group(1), (float(m.group(2)), float(m.group(3))))
                  for m in re.finditer(r"--vary ([\w.\-]+)=([-\d.]+):([-\d.]+)(?:\s|$)", cmd))
    assert len(ranges) >= 3, cmd
    out = sco("params", ROOT / scenario).stdout
    for name, (lo, hi) in ranges.items():
        m = re.search(rf"^{re.escape(name)}\s+(\w+\([^)]*\)|\S+)", out, flags=re.M)
        assert m, (name, out[:2000])
        value = m.group(1)
        dist = re.fullmatch(r"(uniform|beta)\(([-\d.eE+]+), ([-\d.eE+]+)\)", value)
        if dist is None:
            lows = highs = float(value)  # a fixed value
        elif dist.group(1) == "uniform":  # the whole support inside the range
            lows, highs = float(dist.group(2)), float(dist.group(3))
        else:  # beta(a, b): its mean
            a, b = float(dist.group(2)), float(dist.group(3))
            lows = highs = a / (a + b)
        assert lo <= lows and highs <= hi, (name, value, lo, hi)
