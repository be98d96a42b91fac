#include "sim/core/engine.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/core/reference.h"

namespace sco::core {

void EngineScratch::resize(int agents, int dims) {
    text.resize(dims);
    text0.resize(dims);
    target.resize(dims);
    terms.resize(agents);
    opts.resize(agents);
    pressure.resize(agents);
    disposition.resize(agents);
    choice.resize(agents);
    powers.reserve(agents);
}

namespace {
bool supports(Choice c) {
    return c == Choice::Join || c == Choice::Reserve;
}
}  // namespace

ProposalResult ConsensusEngine::resolve(World& w, const ProposalSpec& prop, int p, int t,
                                        const Rng& rng, EngineScratch& s, std::uint8_t* flags,
                                        float* text_out) const {
    const int n = w.n, D = w.dims;
    const bool det = v_.choice == ChoiceRule::Deterministic;
    const double beta = w.d(Dyn::LogitPrecision);
    const double unc = w.uncertainty(p);
    const int rounds_max = std::max(1, static_cast<int>(w.d(Dyn::Rounds)));
    const int min_part = std::max(1, w.min_participants[p]);

    for (int d = 0; d < D; ++d) s.text[d] = s.text0[d] = w.prop_position(p, d);
    for (int i = 0; i < n; ++i) {
        s.terms[i] = agent_terms(w, prop, p, i);
        s.pressure[i] = 0.0;
        flags[i] = 0;
    }
    bool powers_listed = false;

    ProposalResult res;
    bool agreed = false;
    int vetoes = 0, joined_members = 0, out_members = 0, reservations = 0;
    for (int r = 0; r < rounds_max; ++r) {
        res.rounds = r + 1;
        // 1. Everyone decides.
        for (int i = 0; i < n; ++i) {
            const Spatial sp = spatial(w, i, s.text.data());
            s.opts[i] = options(w, sp, s.terms[i], s.pressure[i], unc, prop.opt_out);
            constexpr double kNever = -std::numeric_limits<double>::infinity();
            if (i == prop.sponsor || i == prop.host) {
                // The sponsor tabled the text and the host agreed to host it: both support
                // it (plainly or with a reservation), neither stays out nor objects.
                s.opts[i].v[2] = s.opts[i].v[3] = kNever;
            } else if (prop.kind == Kind::Exercise && !w.member(i)) {
                // Observers and candidates do not send troops to members' exercises; they
                // may still voice an objection, which blocks nothing.
                s.opts[i].v[0] = s.opts[i].v[1] = kNever;
                s.opts[i].v[2] = 0.0;
            }
            if (r == 0)
                s.disposition[i] = Rng::to_unit(rng.words(Purpose::Choice, Rng::pack(t, p), i)[0]);
            const double u = s.disposition[i];
            s.choice[i] = choose(s.opts[i], beta, det, u);
            flags[i] &= (kPressured | kPressurer);
        }
        res.decisions += n;
        // 2. Transit: a participant whose troops must cross another state needs its consent.
        for (std::size_t e = 0; e < prop.transit.size(); ++e) {
            const int f = prop.transit[e].from, g = prop.transit[e].through;
            if (!supports(s.choice[f])) continue;
            const double v_grant =
                -w.d(Dyn::SovereigntyWeight) * w.sovereignty(g) -
                w.d(Dyn::TensionWeight) *
                    (w.tension(g, f) + (prop.host >= 0 ? w.tension(g, prop.host) : 0.0)) +
                w.d(Dyn::AffinityWeight) * w.affinity(g, f);
            const double v_deny = -w.d(Dyn::DenyCost);
            // Drawn once per summit, like the dispositions: a refusal is not re-rolled each round.
            const auto wt = rng.words(Purpose::Transit, Rng::pack(t, p), e);
            const bool grant =
                det ? v_grant >= v_deny
                    : Rng::to_unit(wt[0]) < binary_probability(v_grant, v_deny, beta);
            if (grant) continue;
            flags[g] |= kTransitDenied;
            // The participant reroutes at a cost, or drops out.
            const Options& of = s.opts[f];
            const double v_stay = of.v[static_cast<int>(s.choice[f])] - w.d(Dyn::RerouteCost);
            const double v_leave = prop.opt_out ? of.v[2] : of.v[3];
            const bool reroute =
                det ? v_stay >= v_leave
                    : Rng::to_unit(wt[1]) < binary_probability(v_stay, v_leave, beta);
            if (!reroute) {
                s.choice[f] = prop.opt_out ? Choice::StayOut : Choice::Object;
                flags[f] |= kDropped;
            }
        }
        // 3. Count: only members hold a veto; observers and candidates take part without one.
        vetoes = joined_members = out_members = reservations = 0;
        for (int i = 0; i < n; ++i) {
            const Choice c = s.choice[i];
            flags[i] |= c == Choice::Join      ? kJoined
                        : c == Choice::Reserve ? (kJoined | kReserved)
                        : c == Choice::StayOut ? kStayedOut
                                               : kObjected;
            if (!w.member(i)) continue;
            vetoes += c == Choice::Object;
            joined_members += supports(c);
            out_members += c == Choice::StayOut;
            reservations += c == Choice::Reserve;
        }
        if (vetoes == 0 && (!prop.opt_out || joined_members >= min_part)) {
            agreed = true;
            break;
        }
        if (r + 1 == rounds_max) break;
        // 4. Great powers that back the text may pressure objecting members, once each.
        if (vetoes > 0 && v_.pressure == PressureRule::Enabled) {
            if (!powers_listed) {
                s.powers.clear();
                for (int g = 0; g < n; ++g)
                    if (w.great_power[g]) s.powers.push_back(g);
                powers_listed = true;
            }
            for (int j = 0; j < n; ++j) {
                if (!w.member(j) || s.choice[j] != Choice::Object || (flags[j] & kPressured))
                    continue;
                for (const int g : s.powers) {
                    if (g == j || !w.member(g) || !supports(s.choice[g])) continue;
                    if (w.susceptibility(j, g) <= 0.0) continue;
                    if (s.opts[g].v[0] <= w.d(Dyn::PressureCost)) continue;
                    s.pressure[j] +=
                        w.d(Dyn::PressureStrength) * w.capability(g) * w.susceptibility(j, g);
                    const double tn = std::min(1.0, w.tension(g, j) + w.d(Dyn::PressureTension));
                    w.tension(g, j) = w.tension(j, g) = tn;
                    flags[j] |= kPressured;
                    flags[g] |= kPressurer;
                    ++res.pressure;
                }
            }
        }
        // 5. The sponsor amends the text.
        if (v_.amendment != AmendmentRule::None) amend(w, prop, s, vetoes == 0);
    }

    double moved = 0.0, ambition = 0.0;
    for (int d = 0; d < D; ++d) {
        moved += std::abs(s.text[d] - s.text0[d]);
        ambition += std::abs(s.text0[d] - w.status_quo(d));
        text_out[d] = static_cast<float>(s.text[d]);
    }
    res.dilution = ambition > 0.0 ? std::min(1.0, moved / ambition) : 0.0;

    if (agreed) {
        if (prop.opt_out && out_members > 0)
            res.outcome = Outcome::Coalition;
        else if (res.dilution > 1e-12)
            res.outcome = Outcome::Diluted;
        else if (reservations > 0)
            res.outcome = Outcome::AdoptedWithReservations;
        else
            res.outcome = Outcome::Adopted;
    } else {
        // No consensus when the rounds run out: uncertainty makes postponement likelier.
        const double u = Rng::to_unit(rng.words(Purpose::Deferral, Rng::pack(t, p), 0)[0]);
        res.outcome = u < unc ? Outcome::Deferred : Outcome::Blocked;
    }
    return res;
}

void ConsensusEngine::amend(const World& w, const ProposalSpec& prop, EngineScratch& s,
                            bool towards_stayers) const {
    const int D = w.dims;
    if (v_.amendment == AmendmentRule::TowardsCompromise) {
        for (int d = 0; d < D; ++d) s.target[d] = compromise_position(w, d);
    } else {
        // Capability x salience weighted mean position of the members who must be won over.
        const Choice who = towards_stayers ? Choice::StayOut : Choice::Object;
        for (int d = 0; d < D; ++d) {
            double num = 0.0, den = 0.0, plain = 0.0;
            int cnt = 0;
            for (int i = 0; i < w.n; ++i) {
                if (!w.member(i) || s.choice[i] != who) continue;
                const double wt = w.capability(i) * w.salience(i, d);
                num += wt * w.position(i, d);
                den += wt;
                plain += w.position(i, d);
                ++cnt;
            }
            s.target[d] = den > 0.0 ? num / den : (cnt > 0 ? plain / cnt : s.text[d]);
        }
    }
    const double step = w.d(Dyn::AmendmentStep);
    for (int d = 0; d < D; ++d)
        if (prop.position[d] != kNoParam) s.text[d] += step * (s.target[d] - s.text[d]);
}

}  // namespace sco::core
