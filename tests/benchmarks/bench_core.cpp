// Microbenchmarks of the model core on the baseline scenario: one agent's choice, one
// proposal through the consensus engine, one summit, one whole run, parameter sampling.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/rng.h"
#include "sim/core/simulate.h"
#include "sim/core/utility.h"
#include "tests/benchmarks/baseline.h"

namespace sco::bench {
namespace {

using core::Dyn;

/// A World filled for run 0 of the baseline, as at the start of the first summit.
struct Prepared {
    core::Workspace ws{spec()};
    core::RunRecord rec{model().shape()};
    Eigen::MatrixXd tension0;  // to undo what pressure does to tension between iterations
    Prepared() {
        const core::Rng rng({kSeed, 0, 0});
        core::sample_params(spec(), rng, ws.values);
        ws.world.reset(spec(), ws.values, model().shock_param());
        tension0 = ws.world.tension;
    }
};

// One agent's choice: spatial value of the text, the four utilities, the logit choice
// at the agent's disposition. Cycles over agents and proposals.
void BM_AgentChoice(benchmark::State& state) {
    Prepared pr;
    const core::World& w = pr.ws.world;
    const int n = w.n, P = w.proposals;
    std::vector<core::AgentTerms> terms(static_cast<std::size_t>(n) * P);
    std::vector<double> u(terms.size()), text(static_cast<std::size_t>(P) * w.dims);
    const core::Rng rng({kSeed, 0, 0});
    for (int p = 0; p < P; ++p) {
        for (int d = 0; d < w.dims; ++d)
            text[static_cast<std::size_t>(p) * w.dims + d] = w.prop_position(p, d);
        for (int i = 0; i < n; ++i) {
            terms[static_cast<std::size_t>(p) * n + i] =
                core::agent_terms(w, spec().proposals[p], p, i);
            u[static_cast<std::size_t>(p) * n + i] =
                core::Rng::to_unit(rng.words(core::Purpose::Choice, core::Rng::pack(0, p), i)[0]);
        }
    }
    const double beta = w.d(Dyn::LogitPrecision);
    int i = 0, p = 0;
    std::int64_t decisions = 0;
    for (auto _ : state) {
        const std::size_t k = static_cast<std::size_t>(p) * n + i;
        const core::Spatial sp = core::spatial(w, i, &text[static_cast<std::size_t>(p) * w.dims]);
        const core::Options o =
            core::options(w, sp, terms[k], core::Relations{}, 1.0, 0.0, w.uncertainty(p),
                          spec().proposals[p].kind, spec().proposals[p].opt_out);
        benchmark::DoNotOptimize(core::choose(o, beta, false, u[k]));
        ++decisions;
        if (++i == n) {
            i = 0;
            if (++p == P) p = 0;
        }
    }
    report(state, decisions, decisions);
}
BENCHMARK(BM_AgentChoice);

// One proposal (argument: its index in the agenda) at the first summit, all rounds.
void BM_Proposal(benchmark::State& state) {
    Prepared pr;
    core::World& w = pr.ws.world;
    const int p = static_cast<int>(state.range(0));
    const core::ProposalSpec& prop = spec().proposals.at(p);
    state.SetLabel(prop.id);
    const core::ConsensusEngine engine(spec().variants);
    std::vector<core::Flags> flags(w.n);
    std::vector<float> text(w.dims);
    std::uint64_t rep = 0;
    std::int64_t items = 0, decisions = 0;
    for (auto _ : state) {
        w.tension = pr.tension0;  // same size: a copy, no allocation
        const core::Rng rng({kSeed, 0, rep++});
        const core::ProposalResult r =
            engine.resolve(w, prop, p, 0, rng, pr.ws.engine, flags.data(), text.data());
        benchmark::DoNotOptimize(r);
        decisions += r.decisions;
        ++items;
    }
    report(state, items, decisions);
}
BENCHMARK(BM_Proposal)->DenseRange(0, 8);

// One summit: every proposal tabled at the first summit, in order.
void BM_Summit(benchmark::State& state) {
    Prepared pr;
    core::World& w = pr.ws.world;
    const core::ConsensusEngine engine(spec().variants);
    const int P = w.proposals;
    std::vector<core::Flags> flags(w.n);
    std::vector<float> text(w.dims);
    std::uint64_t rep = 0;
    std::int64_t items = 0, decisions = 0;
    for (auto _ : state) {
        w.tension = pr.tension0;
        const core::Rng rng({kSeed, 0, rep++});
        for (int p = 0; p < P; ++p) {
            const core::ProposalSpec& prop = spec().proposals[p];
            if (prop.first_period > 0) continue;
            decisions += engine.resolve(w, prop, p, 0, rng, pr.ws.engine, flags.data(), text.data())
                             .decisions;
        }
        benchmark::DoNotOptimize(flags.data());
        ++items;
    }
    report(state, items, decisions);
}
BENCHMARK(BM_Summit);

// One whole run of the baseline (sampling, every summit, between summits, the record).
void BM_Run(benchmark::State& state) {
    core::Workspace ws(spec());
    core::RunRecord rec(model().shape());
    std::uint64_t rep = 0;
    std::int64_t items = 0, decisions = 0;
    for (auto _ : state) {
        decisions += core::simulate(model(), {kSeed, 0, rep++}, ws, rec);
        benchmark::DoNotOptimize(rec.outcome.data());
        ++items;
    }
    report(state, items, decisions);
}
BENCHMARK(BM_Run);

// Sampling every parameter of the baseline once (one run's worth).
void BM_SampleParams(benchmark::State& state) {
    std::vector<double> values(spec().params.size());
    std::uint64_t rep = 0;
    std::int64_t items = 0;
    for (auto _ : state) {
        core::sample_params(spec(), core::Rng({kSeed, 0, rep++}), values);
        benchmark::DoNotOptimize(values.data());
        ++items;
    }
    report(state, items, 0);
    state.counters["params"] = static_cast<double>(values.size());
}
BENCHMARK(BM_SampleParams);

}  // namespace
}  // namespace sco::bench
