"""The stylized facts of the article (MODEL.md; issue 3) on 20,000 runs per scenario.

Each fact is asserted on the 95% Wilson interval, not the point estimate: the whole
interval must lie on the claimed side of the threshold, so a fact holds with margin
and a small change in the model that breaks it fails the test. Seeds are fixed.
Nothing here is specific to a proposal's code path: the engine knows no proposal ids.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("SCO_ROOT", Path(__file__).resolve().parents[2]))
SIM = os.environ.get("SCO_SIM_BIN", str(ROOT / "build" / "bin" / "sco-sim"))
RUNS = int(os.environ.get("SCO_FACT_RUNS", "20000"))
SEED = 20140615


def summary(scenario, tmp, extra=()):
    out = Path(tmp) / (Path(scenario).stem + ".h5")
    subprocess.run([SIM, "run", str(ROOT / "scenarios" / scenario), "-n", str(RUNS), "--seed", str(SEED),
                    "--summary-only", "-q", "--force", "-o", str(out), *extra], check=True)
    res = subprocess.run([SIM, "summary", "--json", str(out)], check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def entry(s, pid, period):
    for e in s["proposals"]:
        if e["id"] == pid and e["period"] == period:
            return e
    raise KeyError(f"{pid} not tabled in {period}")


def wilson(p, n, z=1.959963984540054):
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / den
    return centre - half, centre + half


def at_least(p, n, threshold, what):
    lo, hi = wilson(p, n)
    assert lo >= threshold, f"{what}: p={p:.4f}, 95% CI [{lo:.4f}, {hi:.4f}] not >= {threshold}"


def at_most(p, n, threshold, what):
    lo, hi = wilson(p, n)
    assert hi <= threshold, f"{what}: p={p:.4f}, 95% CI [{lo:.4f}, {hi:.4f}] not <= {threshold}"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return summary("sco2014.yaml", tmp_path_factory.mktemp("base"))


def test_fact1_peace_mission_goes_ahead_without_uzbekistan(base):
    e = entry(base, "peace_mission_tjk", 2014)
    n = e["tabled"]
    at_least(e["passed"]["p"], n, 0.8, "peace_mission_tjk passes")
    at_most(e["participation"]["UZB"], n, 0.25, "UZB takes part")
    for a in ("CHN", "RUS", "KGZ", "TJK"):
        at_least(e["participation"][a], n, 0.7, f"{a} takes part")


def test_fact2_uzbekistan_denies_kazakh_transit(base):
    e = entry(base, "peace_mission_tjk", 2014)
    at_least(e["transit_denied"]["UZB"], e["tabled"], 0.5, "UZB denies transit")


def test_fact3_chinese_internet_unit_is_adopted(base):
    e = entry(base, "anti_terror_internet_unit", 2014)
    at_least(e["passed"]["p"], e["tabled"], 0.7, "anti_terror_internet_unit passes")


def test_fact4_afghan_plan_stalls_under_uncertainty_and_passes_as_it_falls(base, tmp_path):
    e = entry(base, "afghan_buffer_plan", 2014)
    at_most(e["passed"]["p"], e["tabled"], 0.4, "afghan_buffer_plan passes in 2014")
    d = summary("afghanistan_drawdown.yaml", tmp_path)
    periods = sorted(x["period"] for x in d["proposals"] if x["id"] == "afghan_buffer_plan")
    first, last = entry(d, "afghan_buffer_plan", periods[0]), entry(d, "afghan_buffer_plan", periods[-1])
    # The difference of two independent proportions, with its own 95% interval.
    p1, n1, p2, n2 = first["passed"]["p"], first["tabled"], last["passed"]["p"], last["tabled"]
    diff = p2 - p1
    se = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) ** 0.5
    assert diff - 1.96 * se >= 0.15, f"rise {diff:.3f} +- {1.96 * se:.3f} is not >= 0.15"


def test_fact5_counter_narcotics_strategy_passes_almost_always(base):
    e = entry(base, "counter_narcotics_strategy", 2014)
    at_least(e["passed"]["p"], e["tabled"], 0.9, "counter_narcotics_strategy passes")


def test_fact6_dialogue_lowers_uzbek_tajik_tension(base, tmp_path):
    nd = summary("no_dialogue.yaml", tmp_path)
    with_d = base["tension_final"]["TJK-UZB"]["ci"]
    without = nd["tension_final"]["TJK-UZB"]["ci"]
    assert with_d[1] < without[0], f"with dialogue {with_d}, without {without}: intervals overlap"


def test_fact7_admitting_india_and_pakistan_lowers_passing_of_contested_proposals(base, tmp_path):
    ex = summary("expansion_sco8.yaml", tmp_path)
    contested = [e for e in base["proposals"] if e["period"] == 2014 and e["passed"]["p"] < 0.9
                 and e["id"] != "admit_ind_pak"]
    assert contested, "no contested proposal in the baseline"
    lower = 0
    for e in contested:
        x = entry(ex, e["id"], 2014)
        if x["passed"]["ci"][1] < e["passed"]["ci"][0]:
            lower += 1
    assert lower > len(contested) / 2, f"only {lower} of {len(contested)} contested proposals pass less"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
