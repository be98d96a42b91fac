#include "sim/core/world.h"

#include <algorithm>

namespace sco::core {

void World::resize(const ModelSpec& spec) {
    n = spec.n_agents();
    dims = spec.n_dims();
    threats = spec.n_threats();
    proposals = spec.n_proposals();
    periods = spec.periods;
    capability.resize(n);
    reluctance.resize(n);
    sovereignty.resize(n);
    position.resize(n, dims);
    salience.resize(n, dims);
    threat.resize(n, threats);
    susceptibility.resize(n, n);
    tension.resize(n, n);
    affinity.resize(n, n);
    role.resize(n);
    great_power.resize(n);
    regions.resize(n);
    status_quo.resize(dims);
    status_quo0.resize(dims);
    prop_position.resize(proposals, dims);
    relevance.resize(proposals, threats);
    uncertainty.resize(proposals);
    min_participants.resize(proposals);
    offer.resize(proposals, dims);
    adopted_at.resize(proposals);
    pending_at.resize(proposals);
    pending_ok.resize(proposals);
    pending_text.resize(proposals, dims);
    pending_to.resize(proposals, dims);
}

void World::reset(const ModelSpec& spec, const std::vector<double>& values,
                  const std::vector<unsigned char>& is_shock_param) {
    susceptibility.setZero();
    tension.setZero();
    affinity.setZero();
    offer.setOnes();
    std::fill(adopted_at.begin(), adopted_at.end(), -1);
    std::fill(pending_at.begin(), pending_at.end(), -1);
    std::fill(pending_ok.begin(), pending_ok.end(), 0);
    for (int i = 0; i < n; ++i) {
        role[i] = spec.agents[i].role;
        great_power[i] = spec.agents[i].great_power ? 1 : 0;
        regions[i] = spec.agents[i].regions;
    }
    const auto& defs = spec.params.all();
    for (std::size_t k = 0; k < defs.size(); ++k)
        if (!is_shock_param[k]) apply_param(*this, defs[k], values[k]);
    finish_reset(spec);
}

void World::finish_reset(const ModelSpec& spec) {
    status_quo0 = status_quo;
    // Dimensions a proposal leaves alone stay at the status quo.
    for (int p = 0; p < proposals; ++p)
        for (int d = 0; d < dims; ++d)
            if (spec.proposals[p].position[d] == kNoParam) prop_position(p, d) = status_quo(d);
}

void apply_param(World& w, const ParamDef& def, double v) {
    switch (def.field) {
        case Field::Capability:
            w.capability(def.a) = v;
            break;
        case Field::MilitaryReluctance:
            w.reluctance(def.a) = v;
            break;
        case Field::Sovereignty:
            w.sovereignty(def.a) = v;
            break;
        case Field::Position:
            w.position(def.a, def.b) = v;
            break;
        case Field::Salience:
            w.salience(def.a, def.b) = v;
            break;
        case Field::Threat:
            w.threat(def.a, def.b) = v;
            break;
        case Field::Susceptibility:
            w.susceptibility(def.a, def.b) = v;
            break;
        case Field::Tension:
            w.tension(def.a, def.b) = w.tension(def.b, def.a) = v;
            break;
        case Field::Affinity:
            w.affinity(def.a, def.b) = w.affinity(def.b, def.a) = v;
            break;
        case Field::StatusQuo:
            w.status_quo(def.a) = v;
            break;
        case Field::ProposalPosition:
            w.prop_position(def.a, def.b) = v;
            break;
        case Field::Relevance:
            w.relevance(def.a, def.b) = v;
            break;
        case Field::Uncertainty:
            w.uncertainty(def.a) = v;
            break;
        case Field::MinParticipants:
            w.min_participants[def.a] = static_cast<int>(v);
            break;
        case Field::Dynamics:
            w.dyn[def.a] = v;
            break;
    }
}

}  // namespace sco::core
