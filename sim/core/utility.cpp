#include "sim/core/utility.h"

namespace sco::core {

AgentTerms agent_terms(const World& w, const ProposalSpec& prop, int p, int i) {
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

}  // namespace sco::core
