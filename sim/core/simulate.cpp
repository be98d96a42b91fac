#include "sim/core/simulate.h"

#include <cmath>
#include <limits>

#include "sim/core/dynamics.h"
#include "sim/core/reference.h"

namespace sco::core {

CompiledModel::CompiledModel(const ModelSpec& spec)
    : CompiledModel(spec, spec.params.random_ids()) {}

CompiledModel::CompiledModel(const ModelSpec& spec, std::vector<ParamId> recorded)
    : spec_(spec), random_(std::move(recorded)), shape_(shape_of(spec)) {
    shape_.random_params = static_cast<int>(random_.size());
    shock_param_.assign(spec.params.size(), 0);
    for (const Shock& sh : spec.shocks)
        for (ParamId id : sh.set) shock_param_[id] = 1;
}

Workspace::Workspace(const ModelSpec& spec) {
    world.resize(spec);
    engine.resize(spec.n_agents(), spec.n_dims());
    values.resize(spec.params.size());
    sort_buf.reserve(spec.n_agents());
    pending_admit.reserve(spec.n_agents());
}

void sample_params(const ModelSpec& spec, const Rng& rng, std::vector<double>& values) {
    const auto& defs = spec.params.all();
    for (std::size_t k = 0; k < defs.size(); ++k) {
        const ParamDef& d = defs[k];
        if (d.dist.is_fixed()) {
            values[k] = d.dist.a;
            continue;
        }
        RngStream s(rng, Purpose::SampleParams, k);
        double v = sample(d.dist, d.range, s);
        if (d.integer) v = std::round(v);
        values[k] = v;
    }
}

std::int64_t simulate(const CompiledModel& m, const RunKey& key, Workspace& ws, RunRecord& out) {
    const ModelSpec& spec = m.spec();
    const Rng rng(key);
    World& w = ws.world;
    sample_params(spec, rng, ws.values);
    for (std::size_t k = 0; k < m.random_ids().size(); ++k)
        out.params[k] = ws.values[m.random_ids()[k]];
    w.reset(spec, ws.values, m.shock_param());

    const ConsensusEngine engine(spec.variants);
    const int T = spec.periods, P = spec.n_proposals(), N = spec.n_agents(), D = spec.n_dims();
    const int pairs = spec.n_pairs();
    std::int64_t decisions = 0;
    ws.pending_admit.clear();

    for (int t = 0; t < T; ++t) {
        // Start of period: admissions decided at the last summit, then scheduled shocks.
        for (int a : ws.pending_admit) w.role[a] = Role::Member;
        ws.pending_admit.clear();
        for (const Shock& sh : spec.shocks) {
            if (sh.period != t) continue;
            for (std::size_t k = 0; k < sh.set.size(); ++k)
                apply_param(w, spec.params[sh.targets[k]], ws.values[sh.set[k]]);
            for (int a : sh.admit) w.role[a] = Role::Member;
        }
        // The summit: every proposal on the agenda, in order.
        for (int p = 0; p < P; ++p) {
            const ProposalSpec& prop = spec.proposals[p];
            const std::size_t tp = static_cast<std::size_t>(t) * P + p;
            std::uint8_t* flags = &out.flags[tp * N];
            float* text = &out.text[tp * D];
            bool tabled = t >= prop.first_period && t <= prop.last_period &&
                          (prop.recurring || !w.adopted[p]);
            if (tabled && !prop.admit.empty()) {
                // A membership proposal has nothing to decide once all its candidates are in.
                bool anyone = false;
                for (int a : prop.admit) anyone = anyone || !w.member(a);
                tabled = anyone;
            }
            if (!tabled) {
                out.outcome[tp] = static_cast<std::uint8_t>(Outcome::NotTabled);
                out.rounds[tp] = 0;
                out.dilution[tp] = 0.0f;
                out.pressure[tp] = 0;
                out.implemented[tp] = -1;
                for (int i = 0; i < N; ++i) flags[i] = 0;
                for (int d = 0; d < D; ++d) text[d] = std::numeric_limits<float>::quiet_NaN();
                continue;
            }
            const ProposalResult r = engine.resolve(w, prop, p, t, rng, ws.engine, flags, text);
            decisions += r.decisions;
            out.outcome[tp] = static_cast<std::uint8_t>(r.outcome);
            out.rounds[tp] = static_cast<std::uint8_t>(r.rounds);
            out.dilution[tp] = static_cast<float>(r.dilution);
            out.pressure[tp] = static_cast<std::uint8_t>(std::min(r.pressure, 255));
            if (passed(r.outcome)) {
                w.adopted[p] = 1;
                out.implemented[tp] = implementation(w, t, p, rng);
                for (int a : prop.admit)
                    if (!w.member(a)) ws.pending_admit.push_back(a);
            } else {
                out.implemented[tp] = -1;
            }
        }
        // Reference predictions for this summit's membership.
        for (int d = 0; d < D; ++d) {
            out.compromise[static_cast<std::size_t>(t) * D + d] =
                static_cast<float>(compromise_position(w, d));
            out.weighted_median[static_cast<std::size_t>(t) * D + d] =
                static_cast<float>(weighted_median_position(w, d, ws.sort_buf));
        }
        // Between summits.
        between_summits(w, t, rng);
        float* ten = &out.tension[static_cast<std::size_t>(t) * pairs];
        int k = 0;
        for (int i = 0; i < N; ++i)
            for (int j = i + 1; j < N; ++j) ten[k++] = static_cast<float>(w.tension(i, j));
    }
    return decisions;
}

}  // namespace sco::core
