#include "sim/core/utility.h"

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
    if (prop.host >= 0 && prop.host != prop.sponsor && i != prop.host)
        tens += w.tension(i, prop.host);
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

}  // namespace sco::core
