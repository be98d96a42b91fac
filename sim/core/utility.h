#pragma once
// How a member values a text against the status quo, and how values become choices
// (random-utility rule). Pure functions of the World; no randomness here.
// The equations are docs/model.md, section III.4 ("Submodels"), term for term.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/core/distribution.h"
#include "sim/core/model.h"
#include "sim/core/world.h"

namespace sco::core {

/// What an agent can do about a proposal in one round.
enum class Choice : unsigned char { Join, Reserve, StayOut, Object };
inline constexpr int kChoices = 4;

/// Utilities of the four choices (StayOut is -inf where opt-outs are not allowed), with
/// the part of the objection's utility that is the net value of waiting.
struct Options {
    std::array<double, kChoices> v{};
    double wait = 0.0;      ///< max(0, option value of waiting - cost of delay), inside v[3]
    bool for_time = false;  ///< waiting is why it would object: it prefers the text to the
                            ///< status quo, yet withholding to wait is worth more still
};

/// Parts of an agent's valuation that do not change between rounds of one proposal.
struct AgentTerms {
    double threat = 0.0;  ///< threat_weight * sum_k perception_k * relevance_k (share applies)
    double cost = 0.0;    ///< exercises: military reluctance; the host's sovereignty
    double share = 1.0;   ///< exercises in another region: remote_stake, else 1
};

/// Relations with the text's parties, recomputed every round (pressure changes tension,
/// participation changes who the parties of an opt-out project are).
struct Relations {
    double all = 0.0;        ///< principals' share plus co_party_weight x other parties'
    double principal = 0.0;  ///< sponsor, host and candidates only
};

inline AgentTerms agent_terms(const World& w, const ProposalSpec& prop, int p, int i);

/// Salience-weighted spatial gain of moving from the current status quo to `text`
/// (positive: closer to the agent's ideal), the part of it that is loss, and the stake.
struct Spatial {
    double gain = 0.0;
    double loss = 0.0;
    double stake = 0.0;  ///< sum_d salience_d * |text_d - status quo_d|: how much it changes
};
inline Spatial spatial(const World& w, int i, const double* text);

/// The choice utilities without the value of waiting (v[3]: withholding consensus at the
/// norm's cost, less pressure); `options` adds that value where the text is uncertain.
inline Options options_now(const World& w, const Spatial& sp, const AgentTerms& at,
                           const Relations& rel, double effect, double pressure, Kind kind,
                           bool opt_out);
/// The spread of what waiting may reveal, and the cost of one summit's delay.
inline double waiting_spread(const World& w, const Spatial& sp, double uncertainty);
inline double delay_cost(const World& w, double benefit);

/// The four choice utilities of agent terms `at` and relations `rel`, for a text of
/// spatial value `sp` that achieves the share `effect` of the proposal's aim, under
/// `pressure` and the proposal's `uncertainty`.
inline Options options(const World& w, const Spatial& sp, const AgentTerms& at,
                       const Relations& rel, double effect, double pressure, double uncertainty,
                       Kind kind, bool opt_out);

/// Option value of deciding after the uncertainty resolves, for a net value v of
/// supporting now and a spread s of what may be learned: E[max(v+e,0)] - max(v,0) with
/// e ~ Normal(0, s^2), which is s * (phi(z) - z * (1 - Phi(z))) for z = |v| / s.
inline double option_value(double v, double s);

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

/// Whether utility `a` exceeds `b` by more than rounding: by more than 1e-12 of max(1, |a|).
/// Deterministic choices (choose, the transit and reroute decisions) and the win-set test
/// compare options with it, so that options equal in exact arithmetic tie (a member exactly
/// indifferent in decimal terms, whose loss rounds a hair above the objection cost), and
/// ties go the cooperative way (docs/model.md III.4.2). An infinite `b` compares as it is.
inline bool better_beyond_rounding(double a, double b) {
    return a > b && !(a - b <= 1e-12 * std::max(1.0, std::abs(a)));
}

// ---- definitions of the functions the engine calls per agent and round ----
// They are here, not in utility.cpp, so that the engine's inner loop can inline them.

inline AgentTerms agent_terms(const World& w, const ProposalSpec& prop, int p, int i) {
    AgentTerms t;
    double thr = 0.0;
    for (int k = 0; k < w.threats; ++k) thr += w.threat(i, k) * w.relevance(p, k);
    t.threat = w.d(Dyn::ThreatWeight) * thr;
    if (prop.kind == Kind::Exercise) {
        // An exercise held in another region answers the agent's own threats only in part.
        if (prop.region >= 0 && w.regions[i] != 0 && !((w.regions[i] >> prop.region) & 1u))
            t.share = w.d(Dyn::RemoteStake);
        t.cost += w.d(Dyn::MilitaryWeight) * w.reluctance(i);
        if (i == prop.host) t.cost += w.d(Dyn::SovereigntyWeight) * w.sovereignty(i);
    }
    return t;
}

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

inline double option_value(double v, double s) {
    if (!(s > 0.0)) return 0.0;
    const double z = std::abs(v) / s;
    if (z > 8.0) return 0.0;  // below 1e-16 of s
    return s * normal_loss(z);
}

/// What waiting is worth where staying out is open (docs/model.md III.4.3): the option value
/// and the exposure that scales the cost of delay.
struct WaitTerms {
    double value = 0.0;     ///< E[best option after the news] - best option now (>= 0)
    double exposure = 0.0;  ///< the expected share of the text the member takes after the news
};

/// The news of waiting shifts the text's value by delta ~ N(0, s^2). Supporting (the better of
/// joining and reserving, `support`) moves by rho x delta, staying out by rho x sigma x delta
/// (sigma: stay_out_share; rho: the remote share), objecting not at all. Deciding after the
/// news is worth E[max of the three lines]: the upper envelope of three lines of slopes 0 <=
/// rho sigma <= rho is convex and piecewise linear, so its expectation is the left line's
/// intercept plus, at each kink k, the rise of slope times s G(k / s), G the unit normal loss
/// integral E[(X - z)+]. The exposure for the delay is the expected slope of the option taken
/// after the news (objecting's is 0). Without the stay-out line on the envelope the value is
/// option_value(support - object, rho s) in exact arithmetic, and the exposure rho times the
/// chance that supporting is best after the news (the closed path keeps rho: options()).
/// Out of line (utility.cpp): it runs only for uncertain opt-out texts, and inlined into the
/// engine's inner loops it cost every decision about 14 instructions (session 19).
WaitTerms wait_terms_open(double support, double stay, double object, double s, double rho,
                          double sigma);

// The win-set test (accepts() in engine.cpp) repeats these equations from per-holder
// constants: change both (Engine.TheWinSetSearchFindsThePlainGridSearchsOffer fails where
// they part).
inline Options options_now(const World& w, const Spatial& sp, const AgentTerms& at,
                           const Relations& rel, double effect, double pressure, Kind kind,
                           bool opt_out) {
    const double benefit = effect * at.threat;
    Options o;
    // What taking part is worth (for an exercise in another region, only a share of it).
    const double join = at.share * (sp.gain + benefit) - at.cost - rel.all;
    o.v[0] = join;
    // A reservation on a declaration disowns part of the words; on a binding text
    // (institution, plan, exercise, membership) the obligations bind all the same.
    o.v[1] = (kind == Kind::Declaration ? join + w.d(Dyn::ReservationGain) * sp.loss : join) -
             w.d(Dyn::ReservationCost);
    // Staying out of an opt-out project (Charter Art. 16): the project binds only those
    // who take part, so only a share of what it does reaches a member that stays out, its
    // policy change as much as its threat benefit (the organisation moves, the member is
    // not bound); and some of the rivalry with its principals still spills over.
    o.v[2] = opt_out ? at.share * w.d(Dyn::StayOutShare) * (sp.gain + benefit) -
                           w.d(Dyn::RivalSpill) * rel.principal
                     : -std::numeric_limits<double>::infinity();
    // Withholding consensus keeps the status quo (utility 0) at the norm's cost, less
    // any pressure.
    o.v[3] = -w.d(Dyn::ObjectionCost) - pressure;
    return o;
}

inline double waiting_spread(const World& w, const Spatial& sp, double uncertainty) {
    // What waiting may reveal scales with how much the text changes the agent's policy
    // (its spatial stake); the threat benefit enters through the cost of delay only, so
    // a more exposed member never waits more.
    return w.d(Dyn::WaitValue) * uncertainty * sp.stake;
}

inline double delay_cost(const World& w, double benefit) {
    return w.d(Dyn::DelayCost) * std::abs(benefit);
}

inline Options options(const World& w, const Spatial& sp, const AgentTerms& at,
                       const Relations& rel, double effect, double pressure, double uncertainty,
                       Kind kind, bool opt_out) {
    Options o = options_now(w, sp, at, rel, effect, pressure, kind, opt_out);
    // Where the text's value is uncertain, withholding to wait for clarity adds the option
    // value of deciding later, less the cost of one summit's delay.
    if (uncertainty > 0.0) {
        const double spread = waiting_spread(w, sp, uncertainty);
        const double delay = delay_cost(w, effect * at.threat);
        const double support = std::max({o.v[0], o.v[1], o.v[2]}), object = o.v[3];
        double net;
        if (opt_out) {
            // What the member may learn, and what a year's delay costs it, reach it in the
            // measure the text does under the option it would take (docs/model.md III.4.3).
            const WaitTerms t = wait_terms_open(std::max(o.v[0], o.v[1]), o.v[2], object, spread,
                                                at.share, w.d(Dyn::StayOutShare));
            net = t.value - delay * t.exposure;
        } else {
            // Supporting or objecting: the text reaches the member at its share (1 but for
            // an exercise in another region; a product with 1 changes no bit).
            const double s_share = spread * at.share, d_share = delay * at.share;
            // option_value(v, spread) is at most fl(spread * kInvSqrt2Pi) in floating point
            // too (exp of a non-positive number is at most 1, the erfc term is not negative,
            // and rounding is monotone): where that bound does not exceed the delay, the net
            // value computed below is not positive and changes nothing, so exp and erfc are
            // skipped.
            if (s_share * 0.3989422804014327 - d_share <= 0.0) return o;
            net = option_value(support - object, s_share) - d_share;
        }
        if (net > 0.0) {
            o.wait = net;
            // The reason is judged without pressure: a member that prefers the status quo
            // on substance is a substantive veto even when pressed.
            o.for_time = !better_beyond_rounding(-w.d(Dyn::ObjectionCost), support);
            o.v[3] = object + net;
        }
    }
    return o;
}

namespace detail {
/// std::exp(x), without the call where the result is known exactly: exp(+-0) = 1 (the
/// weight of the best option, beta * (vmax - vmax)). Bit for bit the same as std::exp.
inline double logit_weight(double x) {
    return x == 0.0 ? 1.0 : std::exp(x);
}
}  // namespace detail

namespace detail {
/// The top level of the nested logit (model.md III.4.2): the support nest's utility (the
/// reservation where it beats joining, strictly), staying out, objecting, and the best of
/// the three. logit_probabilities and choose_by_bounds both weigh these, so that the bounds
/// decide on exactly the exponents the probabilities use.
struct Nest {
    bool reserve;
    std::array<double, 3> v;  // support, stay out, object
    double vmax;
};
inline Nest nest(const Options& o) {
    // Reserving only where it is better beyond rounding, as the deterministic choice reads it.
    const bool reserve = better_beyond_rounding(o.v[1], o.v[0]);
    const double support = reserve ? o.v[1] : o.v[0];
    return {reserve, {support, o.v[2], o.v[3]}, std::max({support, o.v[2], o.v[3]})};
}
}  // namespace detail

inline std::array<double, kChoices> logit_probabilities(const Options& o, double beta) {
    const detail::Nest nt = detail::nest(o);
    // An option that is not open (utility -inf) has weight 0 whatever the precision.
    std::array<double, 3> w{};
    for (int k = 0; k < 3; ++k)
        w[k] = std::isfinite(nt.v[k]) ? detail::logit_weight(beta * (nt.v[k] - nt.vmax)) : 0.0;
    const double z = w[0] + w[1] + w[2];  // support, stay out, object
    std::array<double, kChoices> p{};
    p[nt.reserve ? 1 : 0] = w[0] / z;
    p[2] = w[1] / z;
    p[3] = w[2] / z;
    return p;
}

namespace detail {
/// Bounds lo <= e^x <= hi for x in [-700, 0), without exp: x log2(e) = n + f with n an
/// integer (truncated, so n = ceil) and f in (-1, 0]; 2^f lies on or below the chord
/// 1 + f/2 of the convex 2^f over [-1, 0], and at least the chord / 1.0615 (the largest
/// ratio of the two is 1.06148, at f = -0.557). 2^n is exact (a normal number for
/// n >= -1010). The factors 1 +- 1e-11 cover the rounding of x log2(e) (at most 4.5e-13
/// of an exponent below 1010, a relative 3.1e-13 of e^x) and of the few operations here.
inline void exp_bounds(double x, double& lo, double& hi) {
    constexpr double kLog2e = 1.4426950408889634;
    const double t = x * kLog2e;
    const int n = static_cast<int>(t);
    const double f = t - n;
    const double two_n = std::bit_cast<double>(static_cast<std::uint64_t>(n + 1023) << 52);
    const double chord = (1.0 + 0.5 * f) * two_n;
    hi = chord * (1.0 + 1e-11);
    lo = chord * (1.0 / 1.0615) * (1.0 - 1e-11);
}

/// The logit choice of choose() where bounds of the weights decide it, without exp; -1
/// where they do not (or where an input is not an ordinary finite number), and choose()
/// then computes the probabilities as it always did. The weights are logit_probabilities'
/// (e^x for the same x, computed by the same operations; 1 at the best option; 0 for an
/// option that is not open); choose() picks support where u < A1 = w_s / z, staying out
/// where A1 <= u < A2 = (w_s + w_o) / z, objecting otherwise (each only with a weight above
/// 0). Each bound of A1 and A2 is formed from the weights' bounds; the computed A1 and A2
/// lie within about 1e-15 (relative) of their real values (exp within an ulp, a sum and a
/// division), and the decision is taken here only with u beyond a bound by a relative 1e-9,
/// so it is the choice choose() computes with exp, bit for bit.
inline int choose_by_bounds(const Options& o, double beta, double u) {
    const Nest nt = nest(o);
    if (!std::isfinite(nt.vmax)) return -1;
    const bool reserve = nt.reserve;
    double lo[3], hi[3];
    for (int k = 0; k < 3; ++k) {
        if (!std::isfinite(nt.v[k])) {
            lo[k] = hi[k] = 0.0;
            continue;
        }
        const double x = beta * (nt.v[k] - nt.vmax);
        if (x == 0.0) {
            lo[k] = hi[k] = 1.0;
            continue;
        }
        if (!(x >= -700.0 && x < 0.0)) return -1;
        exp_bounds(x, lo[k], hi[k]);
    }
    constexpr double kBelow = 1.0 - 1e-9, kAbove = 1.0 + 1e-9;
    // u < A1 for certain: u < lo_s / (lo_s + hi_o + hi_j), by a margin (z >= 1: no 0 / 0).
    if (hi[0] > 0.0 && u * (lo[0] + hi[1] + hi[2]) < lo[0] * kBelow) return reserve ? 1 : 0;
    // Otherwise u must be beyond A1 for certain, or the bounds do not decide.
    if (!(u * (hi[0] + lo[1] + lo[2]) > hi[0] * kAbove)) return -1;
    if (hi[1] > 0.0 && u * (lo[0] + lo[1] + hi[2]) < (lo[0] + lo[1]) * kBelow) return 2;
    if (!(u * (hi[0] + hi[1] + lo[2]) > (hi[0] + hi[1]) * kAbove)) return -1;
    return hi[2] > 0.0 ? 3 : -1;
}
}  // namespace detail

inline Choice choose(const Options& o, double beta, bool deterministic, double u) {
    if (deterministic) {
        int best = 0;
        for (int k = 1; k < kChoices; ++k)
            if (better_beyond_rounding(o.v[k], o.v[best])) best = k;
        return static_cast<Choice>(best);
    }
    // Most draws lie far enough from the probabilities' bounds that exp is not needed.
    if (const int c = detail::choose_by_bounds(o, beta, u); c >= 0) return static_cast<Choice>(c);
    const auto p = logit_probabilities(o, beta);
    double acc = 0.0;
    for (int k = 0; k < kChoices - 1; ++k) {
        acc += p[k];
        if (u < acc && p[k] > 0.0) return static_cast<Choice>(k);
    }
    for (int k = kChoices - 1; k > 0; --k)  // rounding left u past the sum: the last option
        if (p[k] > 0.0) return static_cast<Choice>(k);
    return Choice::Join;
}

inline double binary_probability(double v_yes, double v_no, double beta) {
    return 1.0 / (1.0 + std::exp(-beta * (v_yes - v_no)));
}

}  // namespace sco::core
