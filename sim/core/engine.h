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
    std::vector<double> text, text0, target, dir;  // [dimension]
    std::vector<AgentTerms> terms;                 // [agent]
    std::vector<Relations> rel;                    // [agent]
    std::vector<Options> opts;                     // [agent]
    std::vector<double> pressure;                  // [agent]
    std::vector<double> disposition;               // [agent] quantile u, fixed for the summit
    std::vector<Choice> choice;                    // [agent]
    std::vector<unsigned char> principal;          // [agent] sponsor, host or candidate of the text
    std::vector<unsigned char> forced;  // [agent] supports by position (sponsor, host, candidate)
    std::vector<unsigned char> party;   // [agent] expected party to the text (co-party relations)
    std::vector<int> powers;            // great powers, ascending (pressure)
    /// Agent pairs whose tension or affinity can be nonzero (a relation or a susceptibility
    /// in the spec): the only pairs the relations terms visit, so a round costs O(pairs).
    std::vector<std::pair<int, int>> related;
    void resize(const ModelSpec& spec);
};

struct ProposalResult {
    Outcome outcome = Outcome::NotTabled;
    int rounds = 0;
    double dilution = 0.0;
    int pressure = 0;            ///< pressure applications
    bool win_set_empty = false;  ///< the sponsor found no text every veto holder accepts
    std::int64_t decisions = 0;  ///< agent decisions made (agents x rounds)
};

class ConsensusEngine {
  public:
    explicit ConsensusEngine(Variants v) : v_(v) {}

    /// Resolves proposal `p` at summit `t`. Writes one AgentFlag byte per agent into
    /// `flags` and the final text (one value per dimension) into `text`. May change
    /// the World's tension (pressure has a relational cost).
    ProposalResult resolve(World& w, const ProposalSpec& prop, int p, int t, const Rng& rng,
                           EngineScratch& s, Flags* flags, float* text) const;

  private:
    /// Relations of every agent with the text's principals and parties, this round.
    static void relations(const World& w, EngineScratch& s);
    /// Share of the proposal's aim that `text` achieves against the current status quo.
    static double effect(const World& w, const ProposalSpec& prop, const EngineScratch& s,
                         const double* text, double ambition);
    /// The largest share alpha in (0, alpha_now] of the way from the status quo to the
    /// tabled text that every veto holder prefers to blocking (on a grid of kGrid steps);
    /// -1 if there is none (the win-set is empty).
    double win_set(const World& w, const ProposalSpec& prop, int p, EngineScratch& s,
                   double alpha_now, double ambition) const;
    static constexpr int kGrid = 20;
    Variants v_;
};

}  // namespace sco::core
