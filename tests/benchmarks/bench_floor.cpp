// The floor of one agent decision (issue 13, item 3): the work a decision cannot avoid,
// with nothing of sco-sim around it. One Philox4x64-10 draw (the disposition), three
// utilities of four salience-weighted spatial terms each (join, reserve, stay out), three
// exponentials (the logit weights) and a 3-way choice against the drawn uniform.
// scripts/bench.sh reports sco-sim's end-to-end cost per decision as a multiple of it.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "sim/core/rng.h"
#include "tests/benchmarks/baseline.h"

namespace sco::bench {
namespace {

struct Agent {
    std::array<double, 4> ideal, salience;
};

void BM_Floor(benchmark::State& state) {
    // 64 agents and 16 texts with fixed pseudo-random values, cycled so that nothing
    // folds into a constant.
    std::array<Agent, 64> agents{};
    // Per text, the three options' positions: the text, half of it (a reservation), the
    // status quo.
    std::array<std::array<std::array<double, 4>, 3>, 16> options{};
    std::uint64_t x = 88172645463325252ull;
    auto next = [&] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return static_cast<double>(x >> 11) * 0x1.0p-53;
    };
    for (auto& a : agents)
        for (int d = 0; d < 4; ++d) {
            a.ideal[d] = next();
            a.salience[d] = next();
        }
    for (auto& o : options)
        for (int d = 0; d < 4; ++d) {
            o[0][d] = next();
            o[2][d] = 0.5;
            o[1][d] = 0.5 * (o[0][d] + o[2][d]);
        }
    const core::Rng rng({kSeed, 0, 0});
    const double beta = 40.0;
    std::uint64_t i = 0;
    std::int64_t counts[3] = {0, 0, 0};
    for (auto _ : state) {
        const Agent& a = agents[i & 63];
        const auto& opt = options[(i >> 6) & 15];
        const double u = core::Rng::to_unit(rng.words(core::Purpose::Choice, i, 0)[0]);
        double util[3];
        for (int k = 0; k < 3; ++k) {
            double s = 0.0;
            for (int d = 0; d < 4; ++d) s -= a.salience[d] * std::fabs(opt[k][d] - a.ideal[d]);
            util[k] = s;
        }
        const double m = std::max({util[0], util[1], util[2]});
        double w[3], sum = 0.0;
        for (int k = 0; k < 3; ++k) sum += w[k] = std::exp(beta * (util[k] - m));
        const double pick = u * sum;
        const int choice = pick < w[0] ? 0 : pick < w[0] + w[1] ? 1 : 2;
        ++counts[choice];
        benchmark::DoNotOptimize(counts);
        ++i;
    }
    report(state, static_cast<std::int64_t>(i), static_cast<std::int64_t>(i));
}
BENCHMARK(BM_Floor);

}  // namespace
}  // namespace sco::bench
