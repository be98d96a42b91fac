#pragma once
// The baseline scenario (scenarios/sco2014.yaml, or $SCO_BENCH_SCENARIO) loaded once
// for every benchmark, and the counters the benchmarks report.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/core/simulate.h"
#include "sim/scenario/loader.h"

namespace sco::bench {

inline const scenario::Scenario& baseline() {
    static const scenario::Scenario sc = [] {
        const char* env = std::getenv("SCO_BENCH_SCENARIO");
        return scenario::load_file(env && *env ? env : SCO_SCENARIOS "/sco2014.yaml");
    }();
    return sc;
}

inline const core::ModelSpec& spec() {
    return baseline().spec;
}

inline const core::CompiledModel& model() {
    static const core::CompiledModel m(spec());
    return m;
}

inline constexpr std::uint64_t kSeed = 20140615;

/// items/s counts `items`; ns_per_decision is reported when decisions > 0 (the
/// counter's value is seconds per decision, i.e. 1e-9 x ns).
inline void report(benchmark::State& state, std::int64_t items, std::int64_t decisions) {
    state.SetItemsProcessed(items);
    if (decisions > 0)
        state.counters["decision_time"] =
            benchmark::Counter(static_cast<double>(decisions),
                               benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["decisions_per_item"] =
        items > 0 ? static_cast<double>(decisions) / static_cast<double>(items) : 0.0;
}

}  // namespace sco::bench
