#pragma once
// The state of one run: every parameter sampled, laid out for the inner loops
// (structure of arrays; agent-major columns so a loop over agents is contiguous).
// A World is sized once per thread and refilled for every run: no allocation inside a run.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "sim/core/model.h"

namespace sco::core {

struct World {
    int n = 0, dims = 0, threats = 0, proposals = 0, periods = 0;

    Eigen::VectorXd capability, reluctance, sovereignty;  // [agent]
    Eigen::MatrixXd position, salience;                   // [agent, dimension]
    Eigen::MatrixXd threat;                               // [agent, threat]
    Eigen::MatrixXd susceptibility;                       // [target, great power]
    Eigen::MatrixXd tension, affinity;                    // [agent, agent], symmetric
    std::vector<Role> role;                               // current role (admission changes it)
    std::vector<unsigned char> great_power;
    std::vector<std::uint64_t> regions;  // [agent] bit r: region r (0: all)

    Eigen::VectorXd status_quo;     // [dimension] now: moved by implemented texts
    Eigen::VectorXd status_quo0;    // [dimension] at the start of the run
    Eigen::MatrixXd prop_position;  // [proposal, dimension] (status quo where not given)
    Eigen::MatrixXd relevance;      // [proposal, threat]
    Eigen::VectorXd uncertainty;    // [proposal]
    std::vector<int> min_participants;
    Eigen::MatrixXd offer;        // [proposal, dimension] share of the way from the status quo to
                                  // the tabled text the sponsor's last offer keeps (1: as
                                  // tabled); carried over summits
    std::vector<int> adopted_at;  // [proposal] period of the last adoption, -1 never
    std::vector<int> pending_at;  // [proposal] period its implementation resolves, -1 none
    std::vector<unsigned char> pending_ok;  // [proposal] 1 implemented then, 0 lapses then
    Eigen::MatrixXd pending_text;  // [proposal, dimension] change an adopted text will make
    Eigen::MatrixXd pending_to;    // [proposal, dimension] the adopted text's own position
    double dyn[kDynCount] = {};

    [[nodiscard]] double d(Dyn k) const { return dyn[static_cast<int>(k)]; }
    [[nodiscard]] bool member(int i) const { return role[i] == Role::Member; }

    /// Sizes every array for the spec (allocates; call once per thread).
    void resize(const ModelSpec& spec);
    /// Resets the run state from the spec's structure and a full vector of parameter
    /// values (one per ParamTable entry). Parameters set by shocks are skipped.
    void reset(const ModelSpec& spec, const std::vector<double>& values,
               const std::vector<unsigned char>& is_shock_param);
    /// The last step of reset, after every parameter is placed: the status quo at the start
    /// of the run, and the dimensions a proposal leaves alone at the status quo.
    void finish_reset(const ModelSpec& spec);
};

/// Writes one parameter value into the place its ParamDef names.
void apply_param(World& w, const ParamDef& def, double value);

}  // namespace sco::core
