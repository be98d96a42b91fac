#pragma once
// How a member values a proposal against the status quo, and how values become
// choices (random-utility rule). Pure functions of the World; no randomness here.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

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
inline Spatial spatial(const World& w, int i, const double* text);

/// The four choice utilities given the text's spatial value, the fixed terms, the
/// pressure the agent is under, and the proposal's uncertainty.
inline Options options(const World& w, const Spatial& sp, const AgentTerms& at, double pressure,
                       double uncertainty, bool opt_out);

/// Choice probabilities under the random-utility rule with precision beta.
///
/// Supporting is one option of a logit over {support, stay out, object} whose utility
/// is the better of joining plainly and joining with a reservation; the reservation is
/// then taken exactly when it is worth more than plain support (a deliberate act, not
/// noise). Treating join and reserve as two logit options would double the weight of
/// support (the red-bus/blue-bus problem of the multinomial logit).
inline std::array<double, kChoices> logit_probabilities(const Options& o, double beta);

/// Picks a choice from the cumulative probabilities in the order join, reserve, stay
/// out, object (from most to least cooperative) at the quantile u in (0,1). An agent
/// keeps its u for all rounds on one proposal at one summit: u is its disposition,
/// and later rounds move it only through changed utilities (amendment, pressure).
/// `deterministic` takes the best option (ties to the more cooperative one).
inline Choice choose(const Options& o, double beta, bool deterministic, double u);

/// Binary logit: probability of the first option.
inline double binary_probability(double v_yes, double v_no, double beta);

// ---- definitions of the functions the engine calls per agent and round ----
// They are here, not in utility.cpp, so that the engine's inner loop can inline them.

inline Spatial spatial(const World& w, int i, const double* text) {
    Spatial s;
    for (int d = 0; d < w.dims; ++d) {
        const double x = w.position(i, d), q = w.status_quo(d), sal = w.salience(i, d);
        const double g = sal * (std::abs(x - q) - std::abs(x - text[d]));
        s.gain += g;
        if (g < 0.0) s.loss -= g;
        s.stake += sal * std::abs(text[d] - q);
    }
    return s;
}

inline Options options(const World& w, const Spatial& sp, const AgentTerms& at, double pressure,
                       double uncertainty, bool opt_out) {
    const double disc = std::max(0.0, 1.0 - w.d(Dyn::UncertaintyWeight) * uncertainty);
    const double benefit = disc * (sp.gain + at.threat);
    Options o;
    const double join = benefit - at.cost - at.tension + at.affinity;
    o.v[0] = join;
    o.v[1] = join + w.d(Dyn::ReservationGain) * disc * sp.loss - w.d(Dyn::ReservationCost);
    o.v[2] = opt_out ? w.d(Dyn::StayOutShare) * benefit - w.d(Dyn::RivalSpill) * at.tension
                     : -std::numeric_limits<double>::infinity();
    // Asking for more time is a legitimate reason to withhold consensus: uncertainty
    // lowers the norm cost of objecting as it lowers the value of acting now, and adds
    // the value of waiting to learn more, which grows with what the text would change.
    o.v[3] =
        -w.d(Dyn::ObjectionCost) * disc + w.d(Dyn::WaitValue) * uncertainty * sp.stake - pressure;
    return o;
}

namespace detail {
/// std::exp(x), without the call where the result is known exactly: exp(+-0) = 1 (the
/// weight of the best option, beta * (vmax - vmax)). Bit for bit the same as std::exp.
inline double logit_weight(double x) {
    return x == 0.0 ? 1.0 : std::exp(x);
}
}  // namespace detail

inline std::array<double, kChoices> logit_probabilities(const Options& o, double beta) {
    const bool reserve = o.v[1] > o.v[0];
    const double support = reserve ? o.v[1] : o.v[0];
    const double vmax = std::max({support, o.v[2], o.v[3]});
    const double ps = detail::logit_weight(beta * (support - vmax));
    const double po = std::isfinite(o.v[2]) ? detail::logit_weight(beta * (o.v[2] - vmax)) : 0.0;
    const double pj = detail::logit_weight(beta * (o.v[3] - vmax));
    const double z = ps + po + pj;
    std::array<double, kChoices> p{};
    p[reserve ? 1 : 0] = ps / z;
    p[2] = po / z;
    p[3] = pj / z;
    return p;
}

inline Choice choose(const Options& o, double beta, bool deterministic, double u) {
    if (deterministic) {
        int best = 0;
        for (int k = 1; k < kChoices; ++k)
            if (o.v[k] > o.v[best]) best = k;
        return static_cast<Choice>(best);
    }
    const auto p = logit_probabilities(o, beta);
    double acc = 0.0;
    for (int k = 0; k < kChoices - 1; ++k) {
        acc += p[k];
        if (u < acc && p[k] > 0.0) return static_cast<Choice>(k);
    }
    return Choice::Object;
}

inline double binary_probability(double v_yes, double v_no, double beta) {
    return 1.0 / (1.0 + std::exp(-beta * (v_yes - v_no)));
}

}  // namespace sco::core
