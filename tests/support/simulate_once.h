#pragma once
// Test support: one whole run of a spec (key (seed, point 0, rep)) and the outcome of
// proposal `p` at summit `t` in its record.
#include <cstddef>
#include <cstdint>

#include "sim/core/record.h"
#include "sim/core/simulate.h"

namespace sco::test {

inline core::RunRecord simulate_once(const core::ModelSpec& spec, std::uint64_t rep,
                                     std::uint64_t seed) {
    const core::CompiledModel m(spec);
    core::Workspace ws(spec);
    core::RunRecord r(m.shape());
    core::simulate(m, {seed, 0, rep}, ws, r);
    return r;
}

inline core::Outcome outcome(const core::RunRecord& r, int t, int p) {
    return static_cast<core::Outcome>(
        r.outcome[static_cast<std::size_t>(t) * r.shape.proposals + static_cast<std::size_t>(p)]);
}

}  // namespace sco::test
