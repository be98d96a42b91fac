#include "sim/core/utility.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sco::core {

AgentTerms agent_terms(const World& w, const ProposalSpec& prop, int p, int i) {
    AgentTerms t;
    double thr = 0.0;
    for (int k = 0; k < w.threats; ++k) thr += w.threat(i, k) * w.relevance(p, k);
    t.threat = w.d(Dyn::ThreatWeight) * thr;

    if (prop.kind == Kind::Exercise) {
        t.cost += w.d(Dyn::MilitaryWeight) * w.reluctance(i);
        if (i == prop.host) t.cost += w.d(Dyn::SovereigntyWeight) * w.sovereignty(i);
    }
    double tens = 0.0;
    if (i != prop.sponsor) {
        tens += w.tension(i, prop.sponsor);
        t.affinity = w.d(Dyn::AffinityWeight) * w.affinity(i, prop.sponsor);
    }
    if (prop.host >= 0 && prop.host != prop.sponsor && i != prop.host) tens += w.tension(i, prop.host);
    if (!prop.admit.empty()) {
        double s = 0.0;
        int c = 0;
        for (int a : prop.admit)
            if (a != i) {
                s += w.tension(i, a);
                ++c;
            }
        if (c > 0) tens += s / c;
    }
    t.tension = w.d(Dyn::TensionWeight) * tens;
    return t;
}

Spatial spatial(const World& w, int i, const double* text) {
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

Options options(const World& w, const Spatial& sp, const AgentTerms& at, double pressure,
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
    o.v[3] = -w.d(Dyn::ObjectionCost) * disc + w.d(Dyn::WaitValue) * uncertainty * sp.stake - pressure;
    return o;
}

std::array<double, kChoices> logit_probabilities(const Options& o, double beta) {
    const bool reserve = o.v[1] > o.v[0];
    const double support = reserve ? o.v[1] : o.v[0];
    const double vmax = std::max({support, o.v[2], o.v[3]});
    const double ps = std::exp(beta * (support - vmax));
    const double po = std::isfinite(o.v[2]) ? std::exp(beta * (o.v[2] - vmax)) : 0.0;
    const double pj = std::exp(beta * (o.v[3] - vmax));
    const double z = ps + po + pj;
    std::array<double, kChoices> p{};
    p[reserve ? 1 : 0] = ps / z;
    p[2] = po / z;
    p[3] = pj / z;
    return p;
}

Choice choose(const Options& o, double beta, bool deterministic, double u) {
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

double binary_probability(double v_yes, double v_no, double beta) {
    return 1.0 / (1.0 + std::exp(-beta * (v_yes - v_no)));
}

}  // namespace sco::core
