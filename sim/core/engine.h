#pragma once
// The consensus engine: resolves one proposal at one summit the way the SCO Charter
// (2002) says decisions are taken (Art. 16): without a vote, adopted when no member
// objects; a reservation on record does not stop a decision; members not interested
// in a project may stay out of it without stopping the others.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/record.h"
#include "sim/core/rng.h"
#include "sim/core/utility.h"
#include "sim/core/world.h"

namespace sco::core {

/// Per-thread buffers of the engine, sized once.
struct EngineScratch {
    std::vector<double> text, text0, dir;  // [dimension]
    /// [named dimension] the win-set candidate's row of cand_terms on each dimension
    std::vector<const double*> cand_rows;
    std::vector<double> share, best;  // [dimension] offer shares (win-set search)
    /// [dimension] the rank of the dimension's id in byte order: the win-set's tie-break
    /// between one-dimension concessions, which must not read the file's order (III.4.5)
    std::vector<int> dim_rank;
    /// One candidate of the win-set search that every veto holder accepts: the sponsor's
    /// value, the offer's size (sum of its shares) and where it lies on the grid (scope -1:
    /// every share scaled by k / kGrid; scope d: dimension d's alone).
    struct Offer {
        double value = 0.0, size = 0.0;
        int scope = -1, k = 0;
        /// the chance that every member that vetoed gives way (expected_value sponsor; 1 else)
        double chance = 1.0;
    };
    /// [(dimension + 1) x (kGrid + 2)] the accepted candidates of one search (no allocation:
    /// sized by resize)
    std::vector<Offer> offers;
    /// [as offers] under logit choice after vetoes, while no candidate has made every member
    /// that vetoed likely to give way: the candidates that passed the margin test only (the
    /// sponsor's offers where none does; docs/model.md III.4.5)
    std::vector<Offer> margin_only;
    /// One veto holder of a win-set search with the operands of its win-set test that do not
    /// depend on the candidate (options_now()'s, each the same value it computes): the
    /// holders are listed once per search, so that no candidate's test skips non-members.
    struct Holder {
        const double* geo = nullptr;  ///< its position, salience, distance from the status quo
        double share = 1.0, cost = 0.0, rel_all = 0.0;
        double stay = 0.0;    ///< share x stay_out_share
        double spill = 0.0;   ///< rival_spill x relations with the principals
        double object = 0.0;  ///< -objection_cost - pressure: withholding consensus
        double threat = 0.0;
    };
    std::vector<Holder> holders;  // [agent] (reserved)
    /// [named dimension][kGrid + 5][5] the win-set candidates' terms on one dimension: for
    /// the share scaled by k / kGrid (k = 0..kGrid), unscaled (kGrid + 1), the previous
    /// round's target (kGrid + 2) and the texts at the sponsor's floor (kGrid + 3 on the even
    /// line, kGrid + 4 on this dimension's line alone), the share, the
    /// text, its distance from the status quo, its progress along the aim and the sponsor's
    /// gain term; a candidate's sums add them up dimension by dimension.
    std::vector<double> cand_terms;
    /// [1 + dimension] the win-set's texts at the sponsor's floor: the scale of the current
    /// shares on the even line (0), of dimension d's share alone on its line (1 + d); 0
    /// where none is tried (ConsensusEngine::win_set)
    std::vector<double> floor_scale;
    /// [(3 x agent + 2) x dimension] the per-proposal constants on the named dimensions
    /// (rnamed), set by ConsensusEngine::named_geo and read by resolve and win_set: per agent
    /// its position, salience and distance from the status quo; then the round's text and
    /// its distance from the status quo (resolve's).
    std::vector<double> round_geo;
    std::vector<int> rnamed;        // [dimension] dimensions the text names (resolve)
    std::vector<AgentTerms> terms;  // [agent]
    std::vector<Relations> rel;     // [agent]
    std::vector<Options> opts;      // [agent]
    /// What an agent's options and choice were last computed from within a proposal (its
    /// relations and pressure; the text is the round's), and the choice before transit:
    /// where none has changed since, resolve keeps both instead of computing them again.
    struct Decided {
        Relations rel;
        double pressure = 0.0;
        Choice choice = Choice::Join;
    };
    std::vector<Decided> decided;  // [agent]
    std::vector<double> pressure;  // [agent]
    /// [agent] the pressure a great power has put in on this text at this summit (III.4.4)
    std::vector<double> spent;
    /// [agent] what a round's target of pressure lacks to give way: its objection's utility
    /// less that of its best other option (negative for one that objected by its noise)
    std::vector<double> need;
    /// [power x agent] the part of its leverage over each target that each great power puts
    /// in this round, and what a unit of its push takes off the target's margin of objection
    /// (III.4.4)
    std::vector<double> press_share, press_eff;
    /// Scratch of the budget's split: [agent] leverage then share, what the target still
    /// lacks; [power] the budget of a great power that splits it; [2 x targets] the kinks
    std::vector<double> press_lev, press_lacks, press_budget;
    std::vector<std::pair<double, int>> press_order;
    std::vector<double> disposition;       // [agent] quantile u, fixed for the summit
    std::vector<Choice> choice;            // [agent]
    std::vector<unsigned char> principal;  // [agent] sponsor, host or candidate of the text
    std::vector<unsigned char> forced;   // [agent] supports by position (sponsor, host, candidate)
    std::vector<unsigned char> party;    // [agent] expected party to the text (co-party relations)
    std::vector<unsigned char> outside;  // [agent] not in a closed text's circle (open_to)
    std::vector<int> powers;             // great powers, by id (pressure)
    std::vector<int> by_id;              // every agent, ranked by id once (resize)
    std::vector<int> refusers;  // members whose refusal of the current offer stands (III.4.5)
    /// Members that vetoed this round (logit choice), and [agent] the probability with which
    /// each objected on the options it chose on (III.4.5, what a refusal shows)
    std::vector<int> vetoers;
    std::vector<double> p_refused;
    /// A participant of a closed exercise whose troops the next round would refuse transit,
    /// and the draw, kept through the summit, that decides whether it reroutes (one per
    /// refused route): the win-set's candidates must keep each in the exercise (docs/model.md
    /// III.4.5, III.4.7).
    struct Rerouting {
        int from = 0;
        double u = 0.0;
        bool willing = true;  ///< supported this round (or left only for the refusal)
    };
    std::vector<Rerouting> rerouting;
    /// [2 x dimension] the next round's offer on the named dimensions (its text, then its
    /// distance from the status quo) where the win-set reads the refused participants on it
    std::vector<double> step_text;
    /// `best` holds the win-set's target of an earlier round of this summit (III.4.5)
    bool target_kept = false;
    /// that target passed both of the win-set's tests (not the margin test alone)
    bool target_both = false;
    /// the round after the one the win-set is searched for is the summit's last
    bool next_round_last = false;
    /// Agent pairs whose tension or affinity can be nonzero (a relation or a susceptibility
    /// in the spec): the only pairs the relations terms visit, so a round costs O(pairs).
    std::vector<std::pair<int, int>> related;
    /// A related pair whose relation value tension_weight x tension - affinity_weight x
    /// affinity is not zero, with that value (ConsensusEngine::relations).
    struct PairValue {
        int a = 0, b = 0;
        double v = 0.0;
    };
    /// The related pairs with a nonzero value, in the order of `related`, computed from the
    /// World by ConsensusEngine::relations. Kept from one call to the next only within a
    /// summit (SummitPairValues): there the proposals' resolve calls are the only code that
    /// runs, and they change tension only by pressure, which marks the values stale.
    std::vector<PairValue> pair_values;
    bool pair_values_kept = false;  ///< inside a summit (SummitPairValues): may be kept
    bool pair_values_ok = false;    ///< pair_values hold the World's current values
    /// [proposal x agent] agent_terms() of each agent for each proposal, kept within a run
    /// between shocks (RunAgentTerms): they read only parameters that apply_param writes,
    /// which within a run happens only at its start and by a shock.
    std::vector<AgentTerms> terms_of;
    std::vector<unsigned char> terms_of_ok;  ///< [proposal] terms_of holds its terms
    bool terms_of_kept = false;              ///< inside a run (RunAgentTerms): may be kept
    void resize(const ModelSpec& spec);
};

/// The scope of one summit's proposals (simulate): while it lives, the relation values of
/// the agent pairs are computed once and kept from proposal to proposal, recomputed only
/// after pressure changed a tension. The World's tension, affinity and their weights must
/// change inside the scope only through ConsensusEngine::resolve. Outside any scope (a
/// resolve called alone, as the tests do) they are computed anew at every call.
class SummitPairValues {
  public:
    explicit SummitPairValues(EngineScratch& s) : s_(s) {
        s_.pair_values_kept = true;
        s_.pair_values_ok = false;
    }
    ~SummitPairValues() {
        s_.pair_values_kept = false;
        s_.pair_values_ok = false;
    }
    SummitPairValues(const SummitPairValues&) = delete;
    SummitPairValues& operator=(const SummitPairValues&) = delete;

  private:
    EngineScratch& s_;
};

/// The scope of one run (simulate), from the World's start to its end: while it lives, each
/// agent's agent_terms() for a proposal are computed at the first summit that tables it and
/// kept for the later ones, until a shock (stale()) may have changed what they read (the
/// threats, relevances, reluctance, sovereignty and their weights). Outside any scope (a
/// resolve called alone) they are computed at every call.
class RunAgentTerms {
  public:
    explicit RunAgentTerms(EngineScratch& s) : s_(s) {
        s_.terms_of_kept = true;
        stale();
    }
    ~RunAgentTerms() {
        s_.terms_of_kept = false;
        stale();
    }
    /// The parameters may have changed (a shock): every proposal's terms are computed anew.
    void stale() { std::fill(s_.terms_of_ok.begin(), s_.terms_of_ok.end(), 0); }
    RunAgentTerms(const RunAgentTerms&) = delete;
    RunAgentTerms& operator=(const RunAgentTerms&) = delete;

  private:
    EngineScratch& s_;
};

/// Why a run ended as it did (`sco-sim run --replay R --explain`): every term of every
/// agent's choice, round by round. Filled only when asked for; it allocates, so the
/// simulation's inner loop never fills one.
struct AgentExplain {
    double gain = 0.0;       ///< spatial gain of the text against the status quo (negative: loss)
    double loss = 0.0;       ///< the part of gain that is loss
    double benefit = 0.0;    ///< threat benefit: effect x threat terms
    double share = 1.0;      ///< remote_stake for an exercise in another region, else 1
    double cost = 0.0;       ///< exercise costs: military reluctance, the host's sovereignty
    Relations relations;     ///< tension minus affinity with principals and fellow parties
    double objection = 0.0;  ///< the norm cost of withholding consensus
    double pressure = 0.0;   ///< pressure received (adds to the cost of objecting)
    Options options;         ///< the four utilities (wait inside options.v[3])
    Choice choice = Choice::Join;
    bool forced = false;  ///< sponsor, host or candidate: supports by position
    bool member = false;  ///< holds a veto at this summit
    std::uint16_t flags = 0;
};
struct RoundExplain {
    int round = 0;
    double offer = 1.0;        ///< share of the tabled text's aim still in the text
    double effect = 1.0;       ///< share of the original aim the text achieves
    std::vector<double> text;  ///< [dimension]
    std::vector<AgentExplain> agents;
    /// One application of pressure after the round: what the great power put in, of its
    /// leverage over the target, and what the target lacked to give way (its objection's
    /// utility less its best other option's, before the round's pressure; model.md III.4.4).
    struct Pressed {
        int power = 0, target = 0;
        double amount = 0.0, leverage = 0.0, need = 0.0;
    };
    std::vector<Pressed> pressure;
    int vetoes = 0, substance = 0, joined = 0;
    std::string next;  ///< what happened after the round (amendment, pressure, end)
};
struct ProposalExplain {
    std::vector<double> status_quo;  ///< [dimension] the summit's status quo
    std::vector<RoundExplain> rounds;
    std::string rule;  ///< the rule that decided the outcome
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
                           EngineScratch& s, Flags* flags, float* text,
                           ProposalExplain* explain = nullptr) const;

    /// The sponsor's best offer in the win-set: among texts that keep, on each dimension,
    /// a share of the way from the status quo to the tabled text no larger than the current
    /// offer's (all shares scaled together, or one dimension's alone, on a grid of kGrid
    /// steps), the one every veto holder prefers to withholding consensus that the sponsor
    /// values most. Where no such candidate passes both tests (below), the previous round's
    /// target and then the text at the sponsor's floor (the current shares scaled together
    /// to exactly sponsor_floor of the aim) are tried, in that order, under the same tests:
    /// the grid can step over every text that passes. Ties (docs/model.md III.4.5), values
    /// and sizes compared within kTie
    /// relative: the larger offer; then the even concession (every share scaled together)
    /// before a one-dimension one; then the concession on the dimension whose id comes
    /// first in byte order (s.dim_rank); never the file's order of the dimensions. Writes its
    /// shares into s.best; returns the sponsor's value of it, or -inf if there is none or the
    /// sponsor prefers the status quo to all of them.
    ///
    /// Reads from `s` the current offer (share), the tabled text (text0), the aim's
    /// direction (dir), the dimensions' id ranks (dim_rank), every agent's terms, relations,
    /// pressure, forced and outside flags, and the agents' constants on the named dimensions
    /// (rnamed, round_geo: named_geo() must have been called for this proposal and the
    /// World's current status quo, positions and saliences); uses cand_rows, cand_terms,
    /// holders and offers as buffers.
    ///
    /// `refused` (a veto holder refused the current offer and nothing has changed for it
    /// since: docs/model.md III.4.5, "A refused text is not offered again") leaves the
    /// current offer itself out of the candidates, and with it every candidate on which
    /// some member listed in s.refusers has the four option utilities it refused on (a text
    /// that changes only what that member does not weigh is, for it, the refused text), so
    /// the sponsor concedes at least one step of the grid where a refuser weighs it, or
    /// finds the win-set empty.
    ///
    /// `beta` >= 0 (logit choice, its precision), with members listed in s.vetoers: under
    /// the `likely` sponsor every one of them must be likely to give way on the candidate,
    /// its objection probability p there at most half of s.p_refused; under
    /// `expected_value` the candidate is worth its value times the product of the
    /// (1 - p / s.p_refused), and must leave each some chance (docs/model.md III.4.5, "A
    /// refusal is read as what it shows"). Where no candidate the margin test admits meets
    /// that, the offer is the best of those the margin test admits (kept in
    /// s.margin_only during the same search). Negative (the default, and deterministic
    /// choice): the margin test alone.
    double win_set(const World& w, const ProposalSpec& prop, int p, EngineScratch& s,
                   double ambition, bool refused = false, double beta = -1.0) const;
    /// Lists the dimensions proposal `prop` names in s.rnamed and sets every agent's
    /// position, salience and distance from the status quo on them in s.round_geo (resolve
    /// calls it once per proposal; win_set reads them). Returns how many are named.
    static int named_geo(const World& w, const ProposalSpec& prop, EngineScratch& s);
    static constexpr int kGrid = 10;  ///< steps of the win-set search's grid
    /// Relative tolerance within which the win-set search counts two sponsor values (or two
    /// offer sizes) as equal: a and b tie when |a - b| <= kTie x max(1, |a|, |b|), so that
    /// rounding (and with it the file's order of the dimensions, the order of the sums)
    /// cannot pick the offer.
    static constexpr double kTie = 1e-12;
    /// How many times great powers that split their budgets answer each other's splits, at
    /// most, within one round (III.4.4).
    static constexpr int kPressRounds = 16;

  private:
    /// Relations of every agent with the text's principals and parties, this round.
    static void relations(const World& w, EngineScratch& s);
    /// Share of the proposal's aim that `text` achieves against the current status quo. The
    /// dimensions the proposal names are the first `named` of s.rnamed (named_geo).
    static double effect(const World& w, const EngineScratch& s, int named, const double* text,
                         double ambition);
    Variants v_;
};

}  // namespace sco::core
