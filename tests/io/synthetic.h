#pragma once
// Synthetic models and runs for the results-file tests: small, deterministic, and built
// in code so that the tests do not depend on the scenario loader or the engine.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/record.h"
#include "sim/experiment/plan.h"
#include "sim/experiment/summary.h"

namespace sco::testing {

/// The counts of summaries, as io::Results holds them (core::SummaryCounts).
inline std::vector<core::SummaryCounts> counts_of(const std::vector<experiment::Summary>& v) {
    return {v.begin(), v.end()};
}

/// Three agents, two dimensions, one threat, two proposals, three periods from 2014.
/// Two parameters are random (uniform), one is fixed.
inline core::ModelSpec make_spec() {
    core::ModelSpec s;
    s.name = "synthetic \"test\" model";
    s.first_period = 2014;
    s.periods = 3;
    s.dimensions = {"military_integration", "expansion"};
    s.threats = {"terrorism"};
    const char* ids[] = {"UZB", "KAZ", "TJK"};
    const char* names[] = {"Uzbekistan", "Kazakhstan", "Tajikistan"};
    for (int i = 0; i < 3; ++i) {
        core::AgentSpec a;
        a.id = ids[i];
        a.name = names[i];
        s.agents.push_back(a);
    }
    core::ProposalSpec p1;
    p1.id = "peace_mission";
    p1.title = "Peace Mission exercise";
    p1.kind = core::Kind::Exercise;
    core::ProposalSpec p2;
    p2.id = "declaration";
    p2.title = "Joint declaration, \"with quotes\"";
    p2.kind = core::Kind::Declaration;
    s.proposals = {p1, p2};
    s.params.add({"agents.UZB.sovereignty",
                  core::Distribution::uniform(0.6, 0.9),
                  {0, 1},
                  core::Field::Sovereignty,
                  0,
                  -1,
                  false});
    s.params.add({"agents.KAZ.sovereignty",
                  core::Distribution::fixed(0.4),
                  {0, 1},
                  core::Field::Sovereignty,
                  1,
                  -1,
                  false});
    s.params.add({"dynamics.dialogue_rate",
                  core::Distribution::uniform(0.1, 0.2),
                  {0, 1},
                  core::Field::Dynamics,
                  static_cast<int>(core::Dyn::DialogueRate),
                  -1,
                  false});
    return s;
}

/// A run with pseudo-random but internally consistent content.
inline core::RunRecord make_record(const core::RecordShape& shape, int max_rounds,
                                   std::uint32_t seed) {
    std::mt19937 g(seed);
    core::RunRecord r(shape);
    std::uniform_int_distribution<int> outcome(0, experiment::kOutcomes - 1);
    std::uniform_int_distribution<int> rounds(1, max_rounds);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    const std::size_t TP = static_cast<std::size_t>(shape.periods) * shape.proposals;
    for (std::size_t tp = 0; tp < TP; ++tp) {
        const int o = outcome(g);
        r.outcome[tp] = static_cast<std::uint8_t>(o);
        const bool tabled = o != static_cast<int>(core::Outcome::NotTabled);
        const bool passed = core::passed(static_cast<core::Outcome>(o));
        r.rounds[tp] = tabled ? static_cast<std::uint8_t>(rounds(g)) : 0;
        r.dilution[tp] = passed ? unit(g) : 0.0f;
        r.pressure[tp] = tabled ? static_cast<std::uint8_t>(byte(g) % 3) : 0;
        r.implemented[tp] = passed ? static_cast<std::int8_t>(byte(g) % 3) : -1;
        for (int i = 0; i < shape.agents; ++i)
            r.flags[tp * shape.agents + i] =
                tabled ? static_cast<core::Flags>(byte(g) | (byte(g) % 4) << 8) : 0;
        for (int d = 0; d < shape.dims; ++d)
            r.text[tp * shape.dims + d] = tabled ? unit(g) : std::nanf("");
    }
    for (auto& v : r.compromise) v = unit(g);
    for (auto& v : r.weighted_median) v = unit(g);
    for (auto& v : r.status_quo) v = unit(g);
    for (auto& v : r.tension) v = unit(g) * 0.8f;
    for (auto& v : r.params) v = unit(g);
    return r;
}

/// Runs for every point and replication of a plan, in run order.
inline std::vector<core::RunRecord> make_runs(const core::ModelSpec& spec,
                                              const experiment::Plan& plan,
                                              std::int64_t replications, int max_rounds) {
    std::vector<core::RunRecord> runs;
    const auto shape = core::shape_of(spec);
    for (std::int64_t k = 0; k < plan.n_points(); ++k)
        for (std::int64_t r = 0; r < replications; ++r)
            runs.push_back(
                make_record(shape, max_rounds, static_cast<std::uint32_t>(1000 * k + r + 1)));
    return runs;
}

/// One Summary per point of `runs` (made by make_runs).
inline std::vector<experiment::Summary> summarise(const core::ModelSpec& spec,
                                                  const experiment::Plan& plan,
                                                  const std::vector<core::RunRecord>& runs,
                                                  std::int64_t replications, int max_rounds) {
    std::vector<experiment::Summary> out(static_cast<std::size_t>(plan.n_points()),
                                         experiment::Summary(core::shape_of(spec), max_rounds));
    for (std::size_t i = 0; i < runs.size(); ++i)
        out[i / static_cast<std::size_t>(replications)].add(runs[i]);
    return out;
}

}  // namespace sco::testing
