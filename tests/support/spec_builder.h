#pragma once
// Builds model specs in code for the core and experiment tests, with the same
// parameter paths the scenario loader uses, so tests need no YAML.
#include <string>

#include "sim/core/model.h"

namespace sco::test {

class SpecBuilder {
  public:
    /// Dimensions d0.., threats h0..; status quo 0 on every dimension; default dynamics.
    SpecBuilder(int dims, int threats, int periods = 1) {
        s_.name = "test";
        s_.periods = periods;
        for (int d = 0; d < dims; ++d) {
            s_.dimensions.push_back("d" + std::to_string(d));
            s_.status_quo.push_back(
                add("status_quo.d" + std::to_string(d), 0.0, core::Field::StatusQuo, d));
        }
        for (int k = 0; k < threats; ++k) s_.threats.push_back("h" + std::to_string(k));
        for (int i = 0; i < core::kDynCount; ++i) {
            const auto& dd = core::dyn_default(static_cast<core::Dyn>(i));
            s_.dynamics[i] = add(std::string("dynamics.") + std::string(core::kDynNames.names[i]),
                                 dd.value, core::Field::Dynamics, i, -1, dd.range, dd.integer);
        }
    }

    int agent(const std::string& id, core::Role role = core::Role::Member, double capability = 0.2,
              bool great_power = false) {
        core::AgentSpec a;
        const int i = s_.n_agents();
        const std::string base = "agents." + id + ".";
        a.id = id;
        a.name = id;
        a.role = role;
        a.great_power = great_power;
        a.capability = add(base + "capability", capability, core::Field::Capability, i);
        a.military_reluctance =
            add(base + "military_reluctance", 0.0, core::Field::MilitaryReluctance, i);
        a.sovereignty = add(base + "sovereignty", 0.0, core::Field::Sovereignty, i);
        for (int d = 0; d < s_.n_dims(); ++d) {
            a.position.push_back(
                add(base + "position." + s_.dimensions[d], 0.0, core::Field::Position, i, d));
            a.salience.push_back(
                add(base + "salience." + s_.dimensions[d], 0.0, core::Field::Salience, i, d));
        }
        for (int k = 0; k < s_.n_threats(); ++k)
            a.threat.push_back(
                add(base + "threat." + s_.threats[k], 0.0, core::Field::Threat, i, k));
        s_.agents.push_back(a);
        return i;
    }

    int proposal(const std::string& id, core::Kind kind, int sponsor, bool opt_out = false) {
        core::ProposalSpec p;
        const int j = s_.n_proposals();
        const std::string base = "agenda." + id + ".";
        p.id = id;
        p.title = id;
        p.kind = kind;
        p.sponsor = sponsor;
        p.opt_out = opt_out;
        p.recurring = kind == core::Kind::Exercise;
        p.first_period = 0;
        p.last_period = s_.periods - 1;
        p.min_participants = add(base + "min_participants", opt_out ? 2 : 1,
                                 core::Field::MinParticipants, j, -1, {1, 4096}, true);
        p.uncertainty = add(base + "uncertainty", 0.0, core::Field::Uncertainty, j);
        for (int d = 0; d < s_.n_dims(); ++d)
            p.position.push_back(add(base + "position." + s_.dimensions[d], 0.0,
                                     core::Field::ProposalPosition, j, d));
        for (int k = 0; k < s_.n_threats(); ++k)
            p.relevance.push_back(
                add(base + "relevance." + s_.threats[k], 0.0, core::Field::Relevance, j, k));
        s_.proposals.push_back(p);
        return j;
    }

    void relation(core::Field f, int a, int b, double v) {
        const std::string& x = s_.agents[a].id;
        const std::string& y = s_.agents[b].id;
        const std::string pair = x < y ? x + "-" + y : y + "-" + x;
        add(std::string("relations.") + (f == core::Field::Tension ? "tension." : "affinity.") +
                pair,
            v, f, a, b);
    }
    void susceptibility(int target, int power, double v) {
        add("agents." + s_.agents[target].id + ".susceptibility." + s_.agents[power].id, v,
            core::Field::Susceptibility, target, power);
    }

    /// Sets a parameter by path (fails the test via exception if the path is unknown).
    SpecBuilder& set(const std::string& path, core::Distribution d) {
        const core::ParamId id = s_.params.find(path);
        if (id == core::kNoParam) throw std::invalid_argument("no parameter " + path);
        s_.params[id].dist = d;
        return *this;
    }
    SpecBuilder& set(const std::string& path, double v) {
        return set(path, core::Distribution::fixed(v));
    }
    SpecBuilder& dyn(core::Dyn d, double v) {
        return set(std::string("dynamics.") + std::string(core::kDynNames.name(d)), v);
    }

    /// Adds a shock (the scenario's `shocks:`, numbered as the loader numbers them) that
    /// from `period` on sets parameter `target` to a value drawn from `d`.
    SpecBuilder& shock(int period, core::ParamId target, core::Distribution d) {
        core::ParamDef def = s_.params[target];
        def.path = "shocks." + std::to_string(s_.shocks.size()) + "." + def.path;
        def.dist = d;
        core::Shock sh;
        sh.period = period;
        sh.set.push_back(s_.params.add(def));
        sh.targets.push_back(target);
        s_.shocks.push_back(sh);
        return *this;
    }

    core::ModelSpec& spec() { return s_; }

  private:
    core::ParamId add(const std::string& path, double v, core::Field f, int a = -1, int b = -1,
                      core::Range r = {0.0, 1.0}, bool integer = false) {
        core::ParamDef d;
        d.path = path;
        d.dist = core::Distribution::fixed(v);
        d.range = r;
        d.field = f;
        d.a = a;
        d.b = b;
        d.integer = integer;
        return s_.params.add(d);
    }
    core::ModelSpec s_;
};

}  // namespace sco::test
