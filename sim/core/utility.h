#pragma once
// How a member values a proposal against the status quo, and how values become
// choices (random-utility rule). Pure functions of the World; no randomness here.
#include <array>

#include "sim/core/model.h"
#include "sim/core/world.h"

namespace sco::core {

/// What an agent can do about a proposal in one round.
enum class Choice : unsigned char { Join, Reserve, StayOut, Object };
inline constexpr int kChoices = 4;

/// Utilities of the four choices; StayOut is -inf where opt-outs are not allowed.
struct Options {
    std::array<double, kChoices> v{};
};

/// Parts of an agent's valuation that do not depend on the current text.
struct AgentTerms {
    double threat = 0.0;    ///< threat_weight * sum_k perception_k * relevance_k
    double cost = 0.0;      ///< military reluctance, sovereignty of a host
    double tension = 0.0;   ///< tension_weight * tension with sponsor / host / admitted
    double affinity = 0.0;  ///< affinity_weight * affinity with the sponsor
};

AgentTerms agent_terms(const World& w, const ProposalSpec& prop, int p, int i);

/// Salience-weighted spatial gain of moving from the status quo to `text`
/// (positive: closer to the agent's ideal), and the part of it that is loss.
struct Spatial {
    double gain = 0.0;
    double loss = 0.0;
    double stake = 0.0;  ///< sum_d salience_d * |text_d - status quo_d|: how much it changes
};
Spatial spatial(const World& w, int i, const double* text);

/// The four choice utilities given the text's spatial value, the fixed terms, the
/// pressure the agent is under, and the proposal's uncertainty.
Options options(const World& w, const Spatial& sp, const AgentTerms& at, double pressure,
                double uncertainty, bool opt_out);

/// Choice probabilities under the random-utility rule with precision beta.
///
/// Supporting is one option of a logit over {support, stay out, object} whose utility
/// is the better of joining plainly and joining with a reservation; the reservation is
/// then taken exactly when it is worth more than plain support (a deliberate act, not
/// noise). Treating join and reserve as two logit options would double the weight of
/// support (the red-bus/blue-bus problem of the multinomial logit).
std::array<double, kChoices> logit_probabilities(const Options& o, double beta);

/// Picks a choice from the cumulative probabilities in the order join, reserve, stay
/// out, object (from most to least cooperative) at the quantile u in (0,1). An agent
/// keeps its u for all rounds on one proposal at one summit: u is its disposition,
/// and later rounds move it only through changed utilities (amendment, pressure).
/// `deterministic` takes the best option (ties to the more cooperative one).
Choice choose(const Options& o, double beta, bool deterministic, double u);

/// Binary logit: probability of the first option.
double binary_probability(double v_yes, double v_no, double beta);

}  // namespace sco::core
