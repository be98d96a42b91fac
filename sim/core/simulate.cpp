#include "sim/core/simulate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/core/dynamics.h"
#include "sim/core/reference.h"

namespace sco::core {
namespace {

/// Where apply_param writes a parameter's value: two parameters with the same place write
/// the same number (tension and affinity are symmetric: (a, b) and (b, a) are one place).
struct Place {
    Field field;
    int a, b;
    bool operator==(const Place&) const = default;
};

Place place_of(const ParamDef& d) {
    switch (d.field) {
        case Field::Position:
        case Field::Salience:
        case Field::Threat:
        case Field::Susceptibility:
        case Field::ProposalPosition:
        case Field::Relevance:
            return {d.field, d.a, d.b};
        case Field::Tension:
        case Field::Affinity:
            return {d.field, std::min(d.a, d.b), std::max(d.a, d.b)};
        default:
            return {d.field, d.a, -1};  // one index: b is not read
    }
}

/// The value of non-fixed parameter k in the run of `rng`.
double draw_param(const ParamDef& d, const Rng& rng, std::size_t k) {
    RngStream s(rng, Purpose::SampleParams, k);
    const double v = sample(d.dist, d.range, s);
    return d.integer ? std::round(v) : v;
}

}  // namespace

CompiledModel::CompiledModel(const ModelSpec& spec)
    : CompiledModel(spec, spec.params.random_ids()) {}

CompiledModel::CompiledModel(const ModelSpec& spec, std::vector<ParamId> recorded)
    : spec_(spec), random_(std::move(recorded)), shape_(shape_of(spec)) {
    shape_.random_params = static_cast<int>(random_.size());
    shock_param_.assign(spec.params.size(), 0);
    for (const Shock& sh : spec.shocks)
        for (ParamId id : sh.set) shock_param_[id] = 1;

    // What start_run needs: the fixed values, the parameters each run draws, and the World
    // the fixed values give (the drawn ones at a placeholder that start_run overwrites).
    const auto& defs = spec.params.all();
    const int n = spec.params.size();
    fixed_values_.resize(defs.size());
    for (int k = 0; k < n; ++k) {
        fixed_values_[k] = defs[k].dist.a;  // what sample_params gives a fixed parameter
        if (defs[k].dist.is_fixed()) continue;
        drawn_.push_back(k);
        if (!shock_param_[k]) placed_.push_back(k);
    }
    // reset places every parameter in index order, so a later one wins a shared place. A
    // drawn parameter placed over the base World wins over every fixed one: the same only
    // if no fixed parameter after it shares its place (drawn ones are placed in order).
    base_exact_ = true;
    for (const ParamId k : placed_)
        for (int j = k + 1; j < n && base_exact_; ++j)
            if (!shock_param_[j] && defs[j].dist.is_fixed() &&
                place_of(defs[j]) == place_of(defs[k]))
                base_exact_ = false;
    base_.resize(spec);
    base_.reset(spec, fixed_values_, shock_param_);

    // Period 0's reference predictions read the members (roles at the start, unchanged by
    // the period's summit) and their capabilities, saliences and positions: fixed unless a
    // run draws one of them or a shock of period 0 changes them.
    ref0_ = base_exact_;
    for (const ParamId k : placed_) {
        const Field f = defs[k].field;
        if (f == Field::Capability || f == Field::Salience || f == Field::Position) ref0_ = false;
    }
    for (const Shock& sh : spec.shocks)
        if (sh.period == 0) ref0_ = false;
    if (ref0_) {
        const auto D = static_cast<std::size_t>(spec.n_dims());
        ref0_compromise_.resize(D);
        ref0_median_.resize(D);
        ref0_weighted_.resize(D);
        std::vector<std::pair<double, double>> scratch;
        reference_predictions(base_, scratch, ref0_compromise_.data(), ref0_median_.data(),
                              ref0_weighted_.data());
    }
}

void CompiledModel::start_run(const Rng& rng, Workspace& ws) const {
    const auto& defs = spec_.params.all();
    ws.values = fixed_values_;  // same size: copies, no allocation
    for (const ParamId k : drawn_)
        ws.values[k] = draw_param(defs[k], rng, static_cast<std::size_t>(k));
    if (!base_exact_) {
        ws.world.reset(spec_, ws.values, shock_param_);
        return;
    }
    World& w = ws.world;
    w = base_;  // same sizes: copies, no allocation
    for (const ParamId k : placed_) apply_param(w, defs[k], ws.values[k]);
    w.finish_reset(spec_);
}

void reference_predictions(const World& w, std::vector<std::pair<double, double>>& scratch,
                           float* compromise, float* median, unsigned char* weighted) {
    for (int d = 0; d < w.dims; ++d) {
        double total = 0.0;  // the sum both functions test, in their order
        for (int i = 0; i < w.n; ++i)
            if (w.member(i)) total += w.capability(i) * w.salience(i, d);
        weighted[d] = total > 0.0 ? 1 : 0;
        compromise[d] = static_cast<float>(compromise_position(w, d));
        median[d] = static_cast<float>(weighted_median_position(w, d, scratch));
    }
}

Workspace::Workspace(const ModelSpec& spec) {
    world.resize(spec);
    engine.resize(spec);
    values.resize(spec.params.size());
    sort_buf.reserve(spec.n_agents());
    pending_admit.reserve(spec.n_agents());
    ref_compromise.resize(spec.n_dims());
    ref_median.resize(spec.n_dims());
    ref_weighted.resize(spec.n_dims());
    sq_up.resize(spec.n_dims());
    sq_down.resize(spec.n_dims());
}

void sample_params(const ModelSpec& spec, const Rng& rng, std::vector<double>& values) {
    const auto& defs = spec.params.all();
    for (std::size_t k = 0; k < defs.size(); ++k) {
        const ParamDef& d = defs[k];
        if (d.dist.is_fixed()) {
            values[k] = d.dist.a;
            continue;
        }
        values[k] = draw_param(d, rng, k);
    }
}

bool on_agenda(const ModelSpec& spec, const World& w, int p, int t) {
    const ProposalSpec& prop = spec.proposals[p];
    if (t < prop.first_period || t > prop.last_period) return false;
    for (const int q : prop.prerequisites)
        if (w.adopted_at[q] < 0 || w.adopted_at[q] >= t) return false;  // not yet adopted
    if (!prop.admit.empty()) {
        // A membership stage has nothing to decide once all its candidates are members.
        bool anyone = false;
        for (const int a : prop.admit) anyone = anyone || !w.member(a);
        if (!anyone) return false;
    }
    if (prop.kind == Kind::Exercise) return prop.recurring || w.adopted_at[p] < 0;
    if (w.pending_at[p] >= 0) return false;  // adopted, awaiting implementation
    if (w.adopted_at[p] >= 0 && !prop.recurring) return false;
    // A text whose aim the status quo has already reached is not tabled (again).
    double aim = 0.0, left = 0.0;
    for (int d = 0; d < w.dims; ++d) {
        if (prop.position[d] == kNoParam) continue;
        const double to = w.prop_position(p, d), from = w.status_quo0(d);
        aim += std::abs(to - from);
        // (A remainder within 1e-9 is none: the engine holds such a dimension, III.3.)
        const double rem =
            std::abs(to - from) > 0.0 ? (to - w.status_quo(d)) * (to > from ? 1.0 : -1.0) : 0.0;
        left += rem > 1e-9 ? rem : 0.0;
    }
    if (aim > 0.0) return left > 1e-9;
    return w.adopted_at[p] < 0;  // no position: a one-off decision
}

std::int64_t simulate(const CompiledModel& m, const RunKey& key, Workspace& ws, RunRecord& out,
                      RunExplain* explain) {
    const ModelSpec& spec = m.spec();
    const Rng rng(key);
    World& w = ws.world;
    m.start_run(rng, ws);                // sample_params and World::reset, at less cost
    RunAgentTerms run_terms(ws.engine);  // kept from summit to summit until a shock
    for (std::size_t k = 0; k < m.random_ids().size(); ++k)
        out.params[k] = ws.values[m.random_ids()[k]];

    const ConsensusEngine engine(spec.variants);
    const int T = spec.periods, P = spec.n_proposals(), N = spec.n_agents(), D = spec.n_dims();
    const int pairs = spec.n_pairs();
    std::int64_t decisions = 0;
    ws.pending_admit.clear();

    for (int t = 0; t < T; ++t) {
        // Start of period: admissions decided at the last summit, then scheduled shocks,
        // then adopted texts take effect (the status quo moves) or lapse.
        // Membership, capabilities, saliences and positions change only here: the reference
        // predictions are recomputed only when they may have changed.
        bool members_changed = t == 0 || !ws.pending_admit.empty();
        for (int a : ws.pending_admit) w.role[a] = Role::Member;
        ws.pending_admit.clear();
        for (const Shock& sh : spec.shocks) {
            if (sh.period != t) continue;
            members_changed = true;
            run_terms.stale();
            for (std::size_t k = 0; k < sh.set.size(); ++k)
                apply_param(w, spec.params[sh.targets[k]], ws.values[sh.set[k]]);
            for (int a : sh.admit) w.role[a] = Role::Member;
        }
        // The texts implemented now take effect together (docs/model.md III.5), whatever
        // their order on the agenda: the status quo rises by the largest rise any one of
        // them makes and falls by the largest fall, each read against the period's status
        // quo and never past the text's own position.
        std::fill(ws.sq_up.begin(), ws.sq_up.end(), 0.0);
        std::fill(ws.sq_down.begin(), ws.sq_down.end(), 0.0);
        for (int p = 0; p < P; ++p) {
            if (w.pending_at[p] != t) continue;
            if (w.pending_ok[p])
                for (int d = 0; d < D; ++d) {
                    if (spec.proposals[p].position[d] == kNoParam) continue;
                    const double c = implemented_change(w.status_quo(d), w.pending_text(p, d),
                                                        w.pending_to(p, d));
                    ws.sq_up[d] = std::max(ws.sq_up[d], c);
                    ws.sq_down[d] = std::min(ws.sq_down[d], c);
                }
            w.pending_at[p] = -1;
        }
        for (int d = 0; d < D; ++d)
            if (ws.sq_up[d] != 0.0 || ws.sq_down[d] != 0.0)  // else it stays, bit for bit
                w.status_quo(d) =
                    implemented_status_quo(w.status_quo(d), ws.sq_up[d], ws.sq_down[d]);
        for (int d = 0; d < D; ++d)
            out.status_quo[static_cast<std::size_t>(t) * D + d] =
                static_cast<float>(w.status_quo(d));
        // The summit: every proposal on the agenda, in order. Within it only resolve changes
        // tension (by pressure): the pairs' relation values are kept from one proposal to
        // the next until then.
        {
            const SummitPairValues summit(ws.engine);
            for (int p = 0; p < P; ++p) {
                const ProposalSpec& prop = spec.proposals[p];
                const std::size_t tp = static_cast<std::size_t>(t) * P + p;
                Flags* flags = &out.flags[tp * N];
                float* text = &out.text[tp * D];
                const bool tabled = on_agenda(spec, w, p, t);
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
                ProposalExplain* ex = nullptr;
                if (explain) {
                    explain->items.resize(static_cast<std::size_t>(T) * P);
                    ex = &explain->items[tp];
                }
                const ProposalResult r =
                    engine.resolve(w, prop, p, t, rng, ws.engine, flags, text, ex);
                decisions += r.decisions;
                out.outcome[tp] = static_cast<std::uint8_t>(r.outcome);
                out.rounds[tp] = static_cast<std::uint8_t>(r.rounds);
                out.dilution[tp] = static_cast<float>(r.dilution);
                out.pressure[tp] = static_cast<std::uint8_t>(std::min(r.pressure, 255));
                if (passed(r.outcome)) {
                    w.adopted_at[p] = t;
                    if (prop.kind == Kind::Membership) {
                        // A membership decision is a legal act: it takes effect at the next summit.
                        out.implemented[tp] = 1;
                        if (prop.stage == Stage::Accession) {
                            for (int a : prop.admit)
                                if (!w.member(a)) ws.pending_admit.push_back(a);
                        } else if (prop.stage != Stage::Rules) {
                            for (int a : prop.admit)
                                if (!w.member(a)) w.role[a] = Role::Candidate;
                        }
                    } else {
                        out.implemented[tp] = implementation(w, t, p, rng);
                    }
                    // Exercises are events: they leave the standing status quo as it was.
                    if (prop.kind != Kind::Exercise) {
                        const int lag = out.implemented[tp];
                        w.pending_ok[p] = lag > 0 ? 1 : 0;
                        w.pending_at[p] = t + (lag > 0 ? lag : 1);
                        // What takes effect is the change the text made to the status quo it was
                        // judged against: texts implemented later do not undo earlier ones. The
                        // engine's text in full precision: the recorded float would leave a text
                        // that reached its aim up to 6e-8 short of it, and tabled again.
                        for (int d = 0; d < D; ++d) {
                            w.pending_text(p, d) = prop.position[d] != kNoParam
                                                       ? ws.engine.text[d] - w.status_quo(d)
                                                       : 0.0;
                            w.pending_to(p, d) = ws.engine.text[d];
                        }
                    }
                } else {
                    out.implemented[tp] = -1;
                }
            }
        }
        // Reference predictions for this summit's membership. With a positive total weight
        // they read only roles, capabilities, saliences and positions, which no summit
        // changes (a candidate stays a non-member): the values of the period's start hold.
        // Without one they are the status quo, which a summit's texts move: computed anew.
        // Period 0's are the model's when their inputs are fixed (computed once per model).
        if (t == 0 && m.fixed_period0_reference()) {
            ws.ref_compromise = m.ref0_compromise();  // same sizes: copies, no allocation
            ws.ref_median = m.ref0_median();
            ws.ref_weighted = m.ref0_weighted();
        } else if (members_changed) {
            reference_predictions(w, ws.sort_buf, ws.ref_compromise.data(), ws.ref_median.data(),
                                  ws.ref_weighted.data());
        }
        for (int d = 0; d < D; ++d) {
            const std::size_t td = static_cast<std::size_t>(t) * D + d;
            const bool held = ws.ref_weighted[d] != 0;
            out.compromise[td] =
                held ? ws.ref_compromise[d] : static_cast<float>(compromise_position(w, d));
            out.weighted_median[td] =
                held ? ws.ref_median[d]
                     : static_cast<float>(weighted_median_position(w, d, ws.sort_buf));
        }
        // Between summits; the tension after them recorded on the way.
        between_summits(w, t, rng, &out.tension[static_cast<std::size_t>(t) * pairs]);
    }
    return decisions;
}

}  // namespace sco::core
