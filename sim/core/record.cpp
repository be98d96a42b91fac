#include "sim/core/record.h"

#include "sim/core/model.h"

namespace sco::core {

void RunRecord::resize(const RecordShape& s) {
    shape = s;
    const std::size_t tp = static_cast<std::size_t>(s.periods) * s.proposals;
    outcome.assign(tp, 0);
    rounds.assign(tp, 0);
    dilution.assign(tp, 0.0f);
    pressure.assign(tp, 0);
    implemented.assign(tp, -1);
    flags.assign(tp * s.agents, 0);
    text.assign(tp * s.dims, 0.0f);
    compromise.assign(static_cast<std::size_t>(s.periods) * s.dims, 0.0f);
    weighted_median.assign(static_cast<std::size_t>(s.periods) * s.dims, 0.0f);
    status_quo.assign(static_cast<std::size_t>(s.periods) * s.dims, 0.0f);
    tension.assign(static_cast<std::size_t>(s.periods) * s.pairs, 0.0f);
    params.assign(s.random_params, 0.0);
}

RecordShape shape_of(const ModelSpec& spec) {
    RecordShape s;
    s.periods = spec.periods;
    s.proposals = spec.n_proposals();
    s.agents = spec.n_agents();
    s.dims = spec.n_dims();
    s.pairs = spec.n_pairs();
    s.random_params = static_cast<int>(spec.params.random_ids().size());
    return s;
}

}  // namespace sco::core
