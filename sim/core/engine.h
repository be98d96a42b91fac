#pragma once
// The consensus engine: resolves one proposal at one summit the way the SCO Charter
// (2002) says decisions are taken (Art. 16): without a vote, adopted when no member
// objects; a reservation on record does not stop a decision; members not interested
// in a project may stay out of it without stopping the others.
#include <cstdint>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/record.h"
#include "sim/core/rng.h"
#include "sim/core/utility.h"
#include "sim/core/world.h"

namespace sco::core {

/// Per-thread buffers of the engine, sized once.
struct EngineScratch {
    std::vector<double> text, text0, target;  // [dimension]
    std::vector<AgentTerms> terms;            // [agent]
    std::vector<Options> opts;                // [agent]
    std::vector<double> pressure;             // [agent]
    std::vector<double> disposition;          // [agent] quantile u, fixed for the summit
    std::vector<Choice> choice;               // [agent]
    std::vector<int> powers;                  // great powers, ascending (pressure)
    void resize(int agents, int dims);
};

struct ProposalResult {
    Outcome outcome = Outcome::NotTabled;
    int rounds = 0;
    double dilution = 0.0;
    int pressure = 0;            ///< pressure applications
    std::int64_t decisions = 0;  ///< agent decisions made (agents x rounds)
};

class ConsensusEngine {
  public:
    explicit ConsensusEngine(Variants v) : v_(v) {}

    /// Resolves proposal `p` at summit `t`. Writes one AgentFlag byte per agent into
    /// `flags` and the final text (one value per dimension) into `text`. May change
    /// the World's tension (pressure has a relational cost).
    ProposalResult resolve(World& w, const ProposalSpec& prop, int p, int t, const Rng& rng,
                           EngineScratch& s, std::uint8_t* flags, float* text) const;

  private:
    void amend(const World& w, const ProposalSpec& prop, EngineScratch& s,
               bool towards_stayers) const;
    Variants v_;
};

}  // namespace sco::core
