#include "sim/core/labels.h"

namespace sco::core {

Labels labels_of(const ModelSpec& spec) {
    Labels L;
    for (const auto& a : spec.agents) {
        L.agents.push_back(a.id);
        L.agent_names.push_back(a.name);
    }
    for (const auto& p : spec.proposals) {
        L.proposals.push_back(p.id);
        L.proposal_titles.push_back(p.title);
        L.kinds.emplace_back(kKindNames.name(p.kind));
    }
    L.dimensions = spec.dimensions;
    L.threats = spec.threats;
    for (int k = 0; k < spec.n_pairs(); ++k) L.pairs.push_back(spec.pair_name(k));
    for (int t = 0; t < spec.periods; ++t) L.periods.push_back(spec.first_period + t);
    return L;
}

}  // namespace sco::core
