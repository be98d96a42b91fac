#include "sim/core/model.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace sco::core {

ParamId ParamTable::add(ParamDef def) {
    defs_.push_back(std::move(def));
    return static_cast<ParamId>(defs_.size() - 1);
}

ParamId ParamTable::find(const std::string& path) const {
    for (std::size_t i = 0; i < defs_.size(); ++i)
        if (defs_[i].path == path) return static_cast<ParamId>(i);
    return kNoParam;
}

std::vector<ParamId> ParamTable::random_ids() const {
    std::vector<ParamId> out;
    for (std::size_t i = 0; i < defs_.size(); ++i)
        if (!defs_[i].dist.is_fixed()) out.push_back(static_cast<ParamId>(i));
    return out;
}

int ModelSpec::agent_index(const std::string& id) const {
    for (int i = 0; i < n_agents(); ++i)
        if (agents[i].id == id) return i;
    return -1;
}

int ModelSpec::proposal_index(const std::string& id) const {
    for (int i = 0; i < n_proposals(); ++i)
        if (proposals[i].id == id) return i;
    return -1;
}

std::string ModelSpec::pair_name(int pair) const {
    const int n = n_agents();
    for (int i = 0; i < n; ++i) {
        const int row = n - i - 1;
        if (pair < row) {
            const std::string& a = agents[i].id;
            const std::string& b = agents[i + 1 + pair].id;
            return a < b ? a + "-" + b : b + "-" + a;
        }
        pair -= row;
    }
    return "?";
}

std::string check_spec(const ModelSpec& s) {
    std::ostringstream err;
    const int n = s.n_agents(), P = s.n_proposals(), D = s.n_dims(), K = s.n_threats();
    auto bad_param = [&](ParamId id) { return id < 0 || id >= s.params.size(); };
    if (s.periods < 1) err << "periods must be at least 1; ";
    if (n < 2) err << "at least two agents are needed; ";
    if (P < 1) err << "the agenda is empty; ";
    if (s.regions.size() > 64) err << "at most 64 regions; ";
    if (static_cast<int>(s.status_quo.size()) != D) err << "status_quo needs every dimension; ";
    for (int d = 0; d < kDynCount; ++d)
        if (bad_param(s.dynamics[d])) err << "dynamics." << kDynNames.names[d] << " missing; ";
    for (const auto& a : s.agents) {
        if (bad_param(a.capability) || bad_param(a.military_reluctance) || bad_param(a.sovereignty))
            err << "agent " << a.id << " lacks a scalar parameter; ";
        if (static_cast<int>(a.position.size()) != D || static_cast<int>(a.salience.size()) != D ||
            static_cast<int>(a.threat.size()) != K)
            err << "agent " << a.id << " has the wrong number of positions/saliences/threats; ";
    }
    for (const auto& p : s.proposals) {
        if (p.sponsor < 0 || p.sponsor >= n) err << "proposal " << p.id << " has no sponsor; ";
        if (p.host >= n) err << "proposal " << p.id << " has an unknown host; ";
        for (const auto& t : p.transit)
            if (t.from < 0 || t.from >= n || t.through < 0 || t.through >= n ||
                t.from == t.through || t.from == p.host)  // the host's troops need no transit
                err << "proposal " << p.id << " has an invalid transit; ";
        if (static_cast<int>(p.position.size()) != D || static_cast<int>(p.relevance.size()) != K)
            err << "proposal " << p.id << " has the wrong number of positions/relevances; ";
        if (p.first_period < 0 || p.last_period >= s.periods || p.first_period > p.last_period)
            err << "proposal " << p.id << " has an invalid period window; ";
        for (int q : p.prerequisites)
            if (q < 0 || q >= P || &s.proposals[q] == &p)
                err << "proposal " << p.id << " requires an unknown proposal; ";
        if (p.region >= static_cast<int>(s.regions.size()))
            err << "proposal " << p.id << " names an unknown region; ";
        if (!p.open_to.empty()) {
            auto listed = [&](int a) {
                return std::find(p.open_to.begin(), p.open_to.end(), a) != p.open_to.end();
            };
            for (int a : p.open_to)
                if (a < 0 || a >= n) err << "proposal " << p.id << " is open to an unknown agent; ";
            if (!listed(p.sponsor) || (p.host >= 0 && !listed(p.host)))
                err << "proposal " << p.id << " is not open to its sponsor or host; ";
        }
        if (bad_param(p.uncertainty) || bad_param(p.min_participants))
            err << "proposal " << p.id << " lacks a scalar parameter; ";
    }
    for (const auto& sh : s.shocks) {
        if (sh.period < 0 || sh.period >= s.periods) err << "a shock lies outside the periods; ";
        if (sh.set.size() != sh.targets.size()) err << "a shock's set/targets differ in size; ";
    }
    for (const auto& d : s.params.all()) {
        std::string why = validate(d.dist, d.range);
        if (!why.empty()) err << d.path << ": " << why << "; ";
    }
    std::string out = err.str();
    if (out.size() >= 2) out.resize(out.size() - 2);
    return out;
}

}  // namespace sco::core
