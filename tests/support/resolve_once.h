#pragma once
// Test support: resolve one proposal of one run at the first summit, keeping everything
// the engine wrote (the World, its scratch, the agents' flags, the final text).
#include <cstdint>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/simulate.h"

namespace sco::test {

struct Resolved {
    core::World w;
    core::EngineScratch s;
    std::vector<core::Flags> flags;
    std::vector<float> text;
    core::ProposalResult res;
};

/// Builds the World of run `rep` (key (seed, point 0, rep)) and resolves proposal `p` at
/// summit 0.
inline Resolved resolve_once(const core::ModelSpec& spec, std::uint64_t rep, int p = 0,
                             std::uint64_t seed = 99) {
    core::Workspace ws(spec);
    const core::Rng rng({seed, 0, rep});
    core::sample_params(spec, rng, ws.values);
    ws.world.reset(spec, ws.values, std::vector<unsigned char>(spec.params.size(), 0));
    Resolved r{ws.world,
               ws.engine,
               std::vector<core::Flags>(spec.n_agents()),
               std::vector<float>(spec.n_dims()),
               {}};
    r.res = core::ConsensusEngine(spec.variants)
                .resolve(r.w, spec.proposals[p], p, 0, rng, r.s, r.flags.data(), r.text.data());
    return r;
}

}  // namespace sco::test
