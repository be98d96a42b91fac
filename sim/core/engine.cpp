#include "sim/core/engine.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <type_traits>

#include "sim/core/reference.h"

namespace sco::core {

void EngineScratch::resize(const ModelSpec& spec) {
    const int agents = spec.n_agents(), dims = spec.n_dims();
    text.resize(dims);
    text0.resize(dims);
    cand_rows.resize(dims);
    dir.resize(dims);
    share.resize(dims);
    best.resize(dims);
    // The dimensions ranked by id once, so that the win-set's tie-break reads no string and
    // not the file's order.
    std::vector<int> dims_by_id(dims);
    for (int d = 0; d < dims; ++d) dims_by_id[d] = d;
    std::sort(dims_by_id.begin(), dims_by_id.end(),
              [&](int a, int b) { return spec.dimensions[a] < spec.dimensions[b]; });
    dim_rank.resize(dims);
    for (int r = 0; r < dims; ++r) dim_rank[dims_by_id[r]] = r;
    offers.resize(static_cast<std::size_t>(dims + 1) * (ConsensusEngine::kGrid + 2));
    margin_only.resize(offers.size());
    holders.reserve(agents);
    cand_terms.resize(static_cast<std::size_t>(dims) * (ConsensusEngine::kGrid + 5) * 5);
    floor_scale.resize(static_cast<std::size_t>(dims) + 1);
    round_geo.resize(static_cast<std::size_t>(2 + 3 * agents) * dims);
    rnamed.resize(dims);
    terms.resize(agents);
    rel.resize(agents);
    opts.resize(agents);
    decided.resize(agents);
    pressure.resize(agents);
    spent.resize(agents);
    need.resize(agents);
    // [power x agent] tables: sized for every great power, so that a pressing allocates
    // nothing.
    std::size_t great_powers = 0;
    for (const AgentSpec& a : spec.agents) great_powers += a.great_power ? 1 : 0;
    press_share.reserve(great_powers * static_cast<std::size_t>(agents));
    press_eff.reserve(great_powers * static_cast<std::size_t>(agents));
    press_lev.resize(agents);
    press_lacks.resize(agents);
    press_budget.resize(agents);
    press_order.reserve(2 * static_cast<std::size_t>(agents));
    disposition.resize(agents);
    choice.resize(agents);
    principal.resize(agents);
    forced.resize(agents);
    party.resize(agents);
    outside.resize(agents);
    powers.reserve(agents);
    // The agents by id, so that the great powers' turns in splitting their pressure budgets
    // (III.4.4) do not follow the file's order.
    by_id.resize(agents);
    for (int i = 0; i < agents; ++i) by_id[i] = i;
    std::sort(by_id.begin(), by_id.end(),
              [&](int a, int b) { return spec.agents[a].id < spec.agents[b].id; });
    refusers.reserve(agents);
    vetoers.reserve(agents);
    p_refused.resize(agents);
    std::size_t routes = 0;
    for (const ProposalSpec& pr : spec.proposals) routes = std::max(routes, pr.transit.size());
    rerouting.reserve(routes);
    step_text.resize(static_cast<std::size_t>(2) * dims);
    std::set<std::pair<int, int>> pairs;
    for (const ParamDef& d : spec.params.all())
        if ((d.field == Field::Tension || d.field == Field::Affinity ||
             d.field == Field::Susceptibility) &&
            d.a != d.b && d.a >= 0 && d.b >= 0)
            pairs.insert({std::min(d.a, d.b), std::max(d.a, d.b)});
    related.assign(pairs.begin(), pairs.end());
    pair_values.reserve(related.size());
    pair_values_kept = pair_values_ok = false;
    terms_of.assign(static_cast<std::size_t>(spec.n_proposals()) * agents, AgentTerms{});
    terms_of_ok.assign(spec.n_proposals(), 0);
    terms_of_kept = false;
}

namespace {
bool supports(Choice c) {
    return c == Choice::Join || c == Choice::Reserve;
}
constexpr double kNever = -std::numeric_limits<double>::infinity();
/// The scope of the win-set candidate that is the previous round's target (III.4.5).
constexpr int kPrevScope = -2;
/// The scope of the win-set candidate at the sponsor's floor, every share scaled together
/// (III.4.5); kFloorLine - d: the one on dimension d's line alone.
constexpr int kFloorScope = -3, kFloorLine = -4;
/// The same bits (not ==, which equates -0.0 and +0.0: a sum or difference with either can
/// differ in the sign of a zero).
bool same_bits(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
/// Whether agent i decided on these relations and this pressure (the text aside).
bool decided_on(const EngineScratch::Decided& d, const Relations& rel, double pressure) {
    return same_bits(d.rel.all, rel.all) && same_bits(d.rel.principal, rel.principal) &&
           same_bits(d.pressure, pressure);
}

/// A great power's budget split among its targets where it does not cover the whole leverage
/// (docs/model.md III.4.4). On entry share[j] is its leverage over target j (0 for an agent
/// that is not one), eff[j] > 0 what a unit of its push takes off j's margin of objection
/// (1 less what it costs j's support in relations), lacks[j] what j lacks to give way
/// (finite), budget below the leverage's sum. Target j gets x_j = clamp((lacks_j + m) /
/// eff_j, 0, leverage_j), with the one level m at which the x_j add up to the budget: the
/// margin eff_j x_j - lacks_j by which a target would give way is raised, from the smallest
/// up, as far as the budget goes (water-filling), so no other split leaves a larger smallest
/// margin. On return share[j] = x_j / leverage_j. The sum over the targets is piecewise
/// linear and non-decreasing in m, with a kink where a target starts to be pressed
/// (m = -lacks) and where it reaches its leverage (m = eff x leverage - lacks).
void press_split(double* share, const double* eff, const double* lacks, int n, double budget,
                 std::vector<std::pair<double, int>>& kinks) {
    kinks.clear();
    for (int j = 0; j < n; ++j)
        if (share[j] > 0.0) {
            kinks.push_back({-lacks[j], j + 1});
            kinks.push_back({eff[j] * share[j] - lacks[j], -(j + 1)});
        }
    std::sort(kinks.begin(), kinks.end());
    double sum = 0.0, at = kinks.front().first, level = kinks.back().first;
    double slope = 0.0;  // the sum's growth per unit of m between two kinks
    int active = 0;      // targets pressed and below their leverage there
    for (const auto& [m, turn] : kinks) {
        const double next = sum + slope * (m - at);
        if (active > 0 && next >= budget) {
            level = at + (budget - sum) / slope;
            break;
        }
        sum = next;
        at = m;
        const int j = turn > 0 ? turn - 1 : -turn - 1;
        active += turn > 0 ? 1 : -1;
        slope = active == 0 ? 0.0 : slope + (turn > 0 ? 1.0 : -1.0) / eff[j];
    }
    for (int j = 0; j < n; ++j)
        if (share[j] > 0.0)
            share[j] = std::clamp((lacks[j] + level) / eff[j], 0.0, share[j]) / share[j];
}
}  // namespace

void ConsensusEngine::relations(const World& w, EngineScratch& s) {
    if (!s.pair_values_ok) {
        const double tw = w.d(Dyn::TensionWeight), aw = w.d(Dyn::AffinityWeight);
        s.pair_values.clear();
        for (const auto& [a, b] : s.related) {
            const double v = tw * w.tension(a, b) - aw * w.affinity(a, b);
            if (v != 0.0) s.pair_values.push_back({a, b, v});
        }
        s.pair_values_ok = s.pair_values_kept;
    }
    const double cp = w.d(Dyn::CoPartyWeight);
    for (int i = 0; i < w.n; ++i) s.rel[i] = Relations{};
    auto view = [&](int i, int j, double v) {  // i's relation with j, worth v in full
        if (s.principal[j]) {
            s.rel[i].principal += v;
            s.rel[i].all += v;
        } else if (s.party[j]) {
            s.rel[i].all += cp * v;
        }
    };
    for (const EngineScratch::PairValue& pv : s.pair_values) {
        view(pv.a, pv.b, pv.v);
        view(pv.b, pv.a, pv.v);
    }
}

double ConsensusEngine::effect(const World& w, const EngineScratch& s, int named,
                               const double* text, double ambition) {
    if (!(ambition > 0.0)) return 1.0;
    // The named dimensions ascending: the terms of a loop over every dimension that skips
    // the others, added in the same order.
    double progress = 0.0;
    for (int m = 0; m < named; ++m) {
        const int d = s.rnamed[m];
        progress += (text[d] - w.status_quo(d)) * s.dir[d];
    }
    return std::clamp(progress / ambition, 0.0, 1.0);
}

namespace {
/// Agent i's spatial() of the round's text, term for term on the named dimensions only: a
/// dimension the text does not name is at the status quo in the text (q + 0 x 0 = q), so
/// its gain, loss and stake terms are exactly zero and adding them changes no sum. The
/// position, salience and |position - status quo| of each named dimension are read from
/// s.round_geo (set once per proposal), the text and |text - status quo| from its tail
/// (set once per round).
Spatial spatial_named(const double* x, const double* t, int named, int D) {
    Spatial sp;
    for (int m = 0; m < named; ++m) {
        const double g = x[D + m] * (x[2 * D + m] - std::abs(x[m] - t[m]));
        sp.gain += g;
        if (g < 0.0) sp.loss -= g;
        sp.stake += x[D + m] * t[D + m];
    }
    return sp;
}

/// Per-search constants of the win-set test (the same values options_now(), waiting_spread()
/// and delay_cost() compute from the World every call).
struct TestConsts {
    double reservation_gain, reservation_cost, wait_unc, delay_cost, stay_out_share;
    bool declaration, opt_out, uncertain;
};

/// Whether veto holder h prefers a candidate of spatial terms `sp` and effect `e` to
/// withholding consensus (the win-set test): options_now()'s utilities, operation for
/// operation, from the holder's constants; the option value of waiting only where it can
/// change the answer. It repeats options_now()'s equations (the win-set's hot loop); a
/// change to one must be made in both: Engine.TheWinSetSearchFindsThePlainGridSearchsOffer,
/// whose reference search calls options(), fails where they part.
inline bool accepts(const TestConsts& c, const EngineScratch::Holder& h, const Spatial& sp,
                    double e) {
    const double benefit = e * h.threat;
    const double join = h.share * (sp.gain + benefit) - h.cost - h.rel_all;
    const double reserve =
        (c.declaration ? join + c.reservation_gain * sp.loss : join) - c.reservation_cost;
    const double stay = c.opt_out ? h.stay * (sp.gain + benefit) - h.spill
                                  : -std::numeric_limits<double>::infinity();
    const double support = std::max({join, reserve, stay}), object = h.object;
    if (better_beyond_rounding(object, support)) return false;
    if (!c.uncertain) return true;
    if (c.opt_out) {
        // Staying out is open: options()'s exact value of waiting (III.4.3), no bounds.
        const WaitTerms t = wait_terms_open(std::max(join, reserve), stay, object,
                                            c.wait_unc * sp.stake, h.share, c.stay_out_share);
        return !better_beyond_rounding(
            object + std::max(0.0, t.value - c.delay_cost * std::abs(benefit) * t.exposure),
            support);
    }
    // The option value lies between its tangents s phi(z0) - (1 - Phi(z0)) |v| (the unit
    // normal loss integral is convex) and s phi(0): decide without it where that is enough
    // (the lower bound only by a margin far above the rounding of the exact value).
    constexpr double kPhi[] = {0.3989422804014327, 0.3520653267642995, 0.24197072451914337,
                               0.12951759566589174, 0.05399096651318806};
    constexpr double kTail[] = {0.5, 0.3085375387259869, 0.15865525393145707, 0.06680720126885809,
                                0.02275013194817922};
    // The holder's share of the text, as options() reads it (III.4.3).
    const double spread = c.wait_unc * sp.stake * h.share;
    const double delay = c.delay_cost * std::abs(benefit) * h.share;
    const double net = support - object;
    if (net >= kPhi[0] * spread - delay) return true;
    double low = 0.0;
    for (int z = 0; z < 5; ++z) low = std::max(low, spread * kPhi[z] - kTail[z] * net);
    if (low - delay - net > 1e-9 * (1.0 + spread + std::abs(support) + std::abs(object)))
        return false;
    return !better_beyond_rounding(object + std::max(0.0, option_value(net, spread) - delay),
                                   support);
}

/// What staying out of its own opt-out exercise is worth to the sponsor (docs/model.md
/// III.4.7): a rare path (the sponsor's troops refused transit), kept out of line so that it
/// does not weigh on how the compiler inlines resolve's inner loop.
[[gnu::noinline, gnu::cold]] double own_stay_out(const World& w, const Spatial& sp,
                                                 const AgentTerms& at, const Relations& rel,
                                                 double e, double pressure, Kind kind) {
    return options_now(w, sp, at, rel, e, pressure, kind, true).v[2];
}

/// Whether, on a win-set candidate (its rows of the candidate table, `row`, and effect
/// e_cand), every member of a closed exercise whose troops the next round would refuse
/// transit (s.rerouting) stays in: a willing one still supports the text, and any that
/// supports it reroutes, by its kept disposition and its route's kept draw (the choice and
/// the transit step of resolve). Read on the candidate (the sponsor does not move towards a
/// text it would not keep) and on the offer the next round makes, at most amendment_step of
/// the way per dimension towards it (a member that wants less text can leave on the step
/// though it stays on the candidate). docs/model.md III.4.5. A rare path, out of line.
[[gnu::noinline, gnu::cold]] bool keeps_rerouting(const World& w, const ProposalSpec& prop,
                                                  EngineScratch& s, const double* const* row,
                                                  int nm, double ambition, double e_cand,
                                                  double unc, bool det, double beta) {
    const int D = w.dims;
    const double step = w.d(Dyn::AmendmentStep);
    double* const st = s.step_text.data();
    for (int pass = 0; pass < 2; ++pass) {
        double progress = 0.0;
        bool stepped = false;
        for (int m = 0; m < nm; ++m) {
            const int d = s.rnamed[m];
            const double q = w.status_quo(d);
            if (pass == 0) {  // the candidate's own terms, bit for bit
                st[m] = row[m][1];
                st[D + m] = row[m][2];
                continue;
            }
            const double t = q + std::max(row[m][0], s.share[d] - step) * (s.text0[d] - q);
            stepped = stepped || t != row[m][1];
            st[m] = t;
            st[D + m] = std::abs(t - q);
            progress += (t - q) * s.dir[d];
        }
        // (A participant that leaves on a step before the last round only fails that round:
        // the next win-set reads it again. The step matters where it is the last round's.)
        if (pass == 1 && (!stepped || !s.next_round_last)) break;
        const double e = pass == 0        ? e_cand
                         : ambition > 0.0 ? std::clamp(progress / ambition, 0.0, 1.0)
                                          : 1.0;
        for (const EngineScratch::Rerouting& rr : s.rerouting) {
            const int f = rr.from;
            const Spatial sf =
                spatial_named(s.round_geo.data() + static_cast<std::size_t>(3 * f) * D, st, nm, D);
            Options o =
                s.forced[f]
                    ? options_now(w, sf, s.terms[f], s.rel[f], e, s.pressure[f], prop.kind, false)
                    : options(w, sf, s.terms[f], s.rel[f], e, s.pressure[f], unc, prop.kind, false);
            if (s.forced[f]) o.v[2] = o.v[3] = kNever;
            const Choice c = choose(o, beta, det, s.disposition[f]);
            // On a closed exercise an objection blocks: a member willing to go this round must
            // stay willing. One that vetoed is won over by the other tests; where the text
            // wins it, it must also reroute.
            if (!supports(c)) {
                if (rr.willing) return false;
                continue;
            }
            const double v_stay = o.v[static_cast<int>(c)] - w.d(Dyn::RerouteCost);
            // The sponsor withdraws its own text (the status quo, 0); anyone else objects.
            const double v_leave = s.forced[f] ? 0.0 : o.v[3];
            const bool reroute = det ? !better_beyond_rounding(v_leave, v_stay)
                                     : rr.u < binary_probability(v_stay, v_leave, beta);
            if (!reroute) return false;
        }
    }
    return true;
}

/// Whether the state on route e2 grants the participant's troops transit, at the summit's
/// kept draw u, with tension as it stands (docs/model.md III.4.7).
inline bool transit_granted(const World& w, const ProposalSpec& prop, std::size_t e2, double u,
                            bool det, double beta) {
    const int f = prop.transit[e2].from, g = prop.transit[e2].through;
    const double v_grant =
        -w.d(Dyn::SovereigntyWeight) * w.sovereignty(g) -
        w.d(Dyn::TensionWeight) *
            (w.tension(g, f) + (prop.host >= 0 ? w.tension(g, prop.host) : 0.0)) +
        w.d(Dyn::AffinityWeight) * w.affinity(g, f);
    const double v_deny = -w.d(Dyn::DenyCost);
    return det ? !better_beyond_rounding(v_deny, v_grant)
               : u < binary_probability(v_grant, v_deny, beta);
}

/// On a closed exercise, the members whose troops the next round would refuse transit, into
/// s.rerouting: each route's grant again, at the summit's kept draw, with tension as this
/// round's pressure left it (the win-set must keep them in, docs/model.md III.4.5). Willing
/// this round: it supported, or left only for the refused transit; else it vetoed. A rare
/// path, kept out of line (it would weigh on how the compiler inlines resolve).
[[gnu::noinline, gnu::cold]] void collect_rerouting(const World& w, const ProposalSpec& prop, int p,
                                                    int t, const Rng& rng, EngineScratch& s,
                                                    const Flags* flags, bool det, double beta) {
    for (std::size_t e2 = 0; e2 < prop.transit.size(); ++e2) {
        const int f = prop.transit[e2].from;
        const bool willing = supports(s.choice[f]) || (flags[f] & kDropped);
        if (!willing && !(w.member(f) && s.choice[f] == Choice::Object)) continue;
        const auto wt = rng.words(Purpose::Transit, Rng::pack(t, p), e2);
        if (!transit_granted(w, prop, e2, Rng::to_unit(wt[0]), det, beta))
            s.rerouting.push_back({f, Rng::to_unit(wt[1]), willing});
    }
}

}  // namespace

int ConsensusEngine::named_geo(const World& w, const ProposalSpec& prop, EngineScratch& s) {
    const int D = w.dims;
    int named = 0;
    for (int d = 0; d < D; ++d)
        if (prop.position[d] != kNoParam) s.rnamed[named++] = d;
    // Agent i's constants start at 3 x i x D; dimension by dimension, the agents' positions
    // and saliences are one column each (Eigen's matrices are column-major).
    const std::size_t stride = static_cast<std::size_t>(3) * D;
    for (int m = 0; m < named; ++m) {
        const int d = s.rnamed[m];
        const double* const pos = w.position.col(d).data();
        const double* const sal = w.salience.col(d).data();
        const double q = w.status_quo(d);
        double* x = s.round_geo.data() + m;
        for (int i = 0; i < w.n; ++i, x += stride) {
            x[0] = pos[i];
            x[D] = sal[i];
            x[2 * D] = std::abs(pos[i] - q);
        }
    }
    return named;
}

double ConsensusEngine::win_set(const World& w, const ProposalSpec& prop, int p, EngineScratch& s,
                                double ambition, bool refused, double beta) const {
    const int D = w.dims;
    const double unc = w.uncertainty(p);
    const int sp = prop.sponsor;
    // The named dimensions and every agent's constants on them (named_geo(), set once per
    // proposal: the status quo, positions and saliences do not change during a summit).
    int named = 0;
    for (int d = 0; d < D; ++d)
        if (prop.position[d] != kNoParam) ++named;
    auto g_agent = [&](int j) { return s.round_geo.data() + static_cast<std::size_t>(3 * j) * D; };
    // The veto holders, each with its test's constants (the same operands options_now()
    // reads, and the products of two of them it computes first).
    const double stay_out = w.d(Dyn::StayOutShare), spill = w.d(Dyn::RivalSpill);
    const double objection = w.d(Dyn::ObjectionCost);
    s.holders.clear();
    for (int j = 0; j < w.n; ++j) {
        if (!w.member(j) || s.forced[j] || s.outside[j]) continue;
        EngineScratch::Holder h;
        h.geo = g_agent(j);
        h.share = s.terms[j].share;
        h.cost = s.terms[j].cost;
        h.rel_all = s.rel[j].all;
        h.stay = h.share * stay_out;
        h.spill = spill * s.rel[j].principal;
        h.object = -objection - s.pressure[j];
        h.threat = s.terms[j].threat;
        s.holders.push_back(h);
    }
    const double* const xs = g_agent(sp);
    const TestConsts tc{w.d(Dyn::ReservationGain),
                        w.d(Dyn::ReservationCost),
                        w.d(Dyn::WaitValue) * unc,
                        w.d(Dyn::DelayCost),
                        w.d(Dyn::StayOutShare),
                        prop.kind == Kind::Declaration,
                        prop.opt_out,
                        unc > 0.0};
    // Each named dimension's terms of a candidate, for every k of the grid and for the
    // unscaled share (what the loop below would compute per candidate, the same operations
    // on the same values): [m][k][share, text, distance, progress, sponsor's gain term].
    // The rows of one dimension: k = 0..kGrid, the unscaled share, the previous round's
    // target (kPrev, filled only where it can be tried: below) and the texts at the sponsor's
    // floor (kFloor: every share scaled together; kFloorOne: this dimension's alone; likewise).
    constexpr int kRow = 5, kUnscaled = kGrid + 1, kPrev = kGrid + 2, kFloor = kGrid + 3,
                  kFloorOne = kGrid + 4, kRows = kGrid + 5;
    // The sponsor's target of the previous round of this summit, where it differs from the
    // current offer: tried where no candidate of the grid passes both tests (the grid scales
    // the current offer, so it moves with the offer and can step over the one text every
    // test passes; docs/model.md III.4.5).
    bool prev_target = false;
    if (s.target_kept)
        for (int m = 0; m < named; ++m)
            prev_target = prev_target || s.best[s.rnamed[m]] < s.share[s.rnamed[m]];
    double* const tab = s.cand_terms.data();
    // Row k of named dimension m for the share c of the way (q, a and dir: the dimension's
    // status quo, the aim's extent and its direction).
    auto fill_row = [&](int m, int k, double c, double q, double a, double dir) {
        // (A held dimension, a = 0, moves nothing: it adds nothing to a candidate's size.)
        const double t = q + c * a;
        double* const r = tab + (static_cast<std::size_t>(m) * kRows + k) * kRow;
        r[0] = a != 0.0 ? c : 0.0;
        r[1] = t;
        r[2] = std::abs(t - q);
        r[3] = (t - q) * dir;
        r[4] = xs[D + m] * (xs[2 * D + m] - std::abs(xs[m] - t));
    };
    for (int m = 0; m < named; ++m) {
        const int d = s.rnamed[m];
        const double q = w.status_quo(d), a = s.text0[d] - w.status_quo(d), dir = s.dir[d];
        const double share = s.share[d];
        for (int k = 0; k <= (prev_target ? kPrev : kUnscaled); ++k)
            fill_row(m, k,
                     k == kPrev       ? s.best[d]
                     : k == kUnscaled ? share
                                      : share * k / kGrid,
                     q, a, dir);
    }
    // The texts at the sponsor's floor: the current offer's shares scaled together, or one
    // dimension's alone (where the text names more than one), until the text achieves
    // exactly sponsor_floor of the aim. The grid can step over them, from a candidate above
    // the floor that some veto holder refuses to one below it that the sponsor may not
    // offer, and find the win-set empty where the texts between pass. Tried last, where no
    // other candidate passes both tests (III.4.5). s.floor_scale[0] is the even line's
    // scale, s.floor_scale[1 + d] dimension d's (0: none to try: the line does not cross
    // the floor below the current offer). Returns whether any is to be tried.
    auto floor_candidates = [&]() {
        const double f_raw = w.d(Dyn::SponsorFloor);
        auto progress_at = [&](int m) {  // dimension m's progress at the current offer
            return tab[(static_cast<std::size_t>(m) * kRows + kGrid) * kRow + 3];
        };
        double full = 0.0;
        for (int m = 0; m < named; ++m) full += progress_at(m);
        std::fill(s.floor_scale.begin(), s.floor_scale.end(), 0.0);
        if (!(f_raw > 0.0) || !(ambition > 0.0) || !(full > 0.0)) return false;
        const double target = f_raw * ambition;
        // (Below 1 by more than the agenda's tolerance: a scale within rounding of 1 would
        // offer the current text again, the refused one among them.)
        constexpr double kBelowOne = 1.0 - 1e-9;
        bool any = false;
        const double f = target / full;
        if (f < kBelowOne) {
            s.floor_scale[0] = f;
            for (int m = 0; m < named; ++m) {
                const int d = s.rnamed[m];
                fill_row(m, kFloor, s.share[d] * f, w.status_quo(d), s.text0[d] - w.status_quo(d),
                         s.dir[d]);
            }
            any = true;
        }
        if (named > 1)
            for (int m = 0; m < named; ++m) {
                const int d = s.rnamed[m];
                const double pd = progress_at(m);
                if (!(pd > 0.0)) continue;  // held, or no share left: the line moves nothing
                double others = 0.0;
                for (int i = 0; i < named; ++i)
                    if (i != m) others += progress_at(i);
                const double fd = (target - others) / pd;
                // (At or below 0 the line's own end, this dimension's share 0, already
                // meets the floor: the grid crosses none on it.)
                if (!(fd > 0.0) || !(fd < kBelowOne)) continue;
                s.floor_scale[1 + static_cast<std::size_t>(d)] = fd;
                fill_row(m, kFloorOne, s.share[d] * fd, w.status_quo(d),
                         s.text0[d] - w.status_quo(d), s.dir[d]);
                any = true;
            }
        return any;
    };
    // The candidate's rows of the table (index m): its text and distance from the status
    // quo, the same for every member.
    const double** const row = s.cand_rows.data();
    // Values and sizes tie within kTie (relative, and absolute below 1: the rounding of a
    // sum scales with its terms, each at most about 1, not with the sum).
    auto below_tie = [](double x) { return x - kTie * std::max(1.0, std::abs(x)); };
    // The accepted candidates are kept (s.offers) and the offer chosen among them at the end,
    // by rules that read neither the order of the search nor the file's (docs/model.md
    // III.4.5, ties). `top` is the accepted candidate of the largest value so far (of those,
    // the largest size): a candidate worth less than the tie below it can never be chosen
    // and is not tested; nor is one worth no more than it and smaller beyond the tie.
    int offers = 0, margin_only = 0;
    double top_value = -std::numeric_limits<double>::infinity(), top_size = -1.0;
    double value_cut = below_tie(top_value), size_cut = below_tie(top_size);
    // The holder that refused the last candidate is asked first.
    const EngineScratch::Holder* last_reject = nullptr;
    const EngineScratch::Holder* const h_begin = s.holders.data();
    const EngineScratch::Holder* const h_end = h_begin + s.holders.size();
    const double threat = s.terms[sp].threat;
    const double floor = w.d(Dyn::SponsorFloor) - 1e-12;
    // Under logit choice, after vetoes: the candidates must make every member that vetoed
    // likely to give way (III.4.5).
    const bool det = beta < 0.0;
    const bool likely = !det && !s.vetoers.empty();
    // Under the expected_value sponsor, in the same case: the chance that they all give way
    // weighs each candidate (otherwise every chance is 1).
    const bool expected = likely && v_.sponsor == SponsorRule::ExpectedValue;
    // The search, compiled for one and two named dimensions (the loops over them unrolled)
    // and for any number: the same operations in the same order either way.
    auto scope_of = [](bool prev, bool at_floor, int floor_dim, int scope) {
        return prev       ? kPrevScope
               : at_floor ? (floor_dim < 0 ? kFloorScope : kFloorLine - floor_dim)
                          : scope;
    };
    auto search = [&](auto fixed) {
        constexpr int N = decltype(fixed)::value;
        const int nm = N > 0 ? N : named;
        // Member x's spatial() of the candidate, term for term on the named dimensions.
        auto spatial_of = [&](const double* x) {
            Spatial sj;
            for (int m = 0; m < nm; ++m) {
                const double g = x[D + m] * (x[2 * D + m] - std::abs(x[m] - row[m][1]));
                sj.gain += g;
                if (g < 0.0) sj.loss -= g;
                sj.stake += x[D + m] * row[m][2];
            }
            return sj;
        };
        // Whether some member whose refusal stands has, on the candidate (effect
        // e), the option utilities it refused the current offer on.
        auto refused_again = [&](double e) {
            for (const int j : s.refusers) {
                // options() differs from options_now() only in the objection's value of waiting:
                // where the other three utilities differ already, the value of waiting (exp and
                // erfc) cannot make the four equal and is not computed.
                const Spatial sj = spatial_of(g_agent(j));
                const Options o0 = options_now(w, sj, s.terms[j], s.rel[j], e, s.pressure[j],
                                               prop.kind, prop.opt_out);
                const auto& ref = s.opts[j].v;
                if (o0.v[0] != ref[0] || o0.v[1] != ref[1] || o0.v[2] != ref[2]) continue;
                const Options o = options(w, sj, s.terms[j], s.rel[j], e, s.pressure[j], unc,
                                          prop.kind, prop.opt_out);
                if (o.v == ref) return true;
            }
            return false;
        };
        // Candidate offers: every share scaled by k/kGrid (scope -1), or one dimension's alone
        // (only where the text names more than one dimension: otherwise the same candidates).
        // Then (scope `last`), only if no candidate has passed both tests by then, the
        // previous round's target of this summit, under every test; last (scopes from `last`
        // + 1), on the same condition, the texts at the sponsor's floor: on the even line,
        // then on each dimension's line (floor_dim; only where the text names more than one).
        const int last = nm > 1 ? D : 0;
        for (int scope = -1; scope <= last + 1 + (nm > 1 ? D : 0); ++scope) {
            const bool prev = scope == last, at_floor = scope > last;
            if (prev && offers > 0) break;  // nor the floor's texts, then
            if (prev && !prev_target) continue;
            if (scope == last + 1 && (offers > 0 || !floor_candidates())) break;
            const int floor_dim = scope - last - 2;  // -1: the even line
            if (at_floor && !(s.floor_scale[static_cast<std::size_t>(1 + floor_dim)] > 0.0))
                continue;
            const bool one = prev || at_floor;  // a single candidate, not a line of the grid
            const int one_row = prev ? kPrev : kFloor;
            // (No one-dimension concession on a dimension the text holds: it moves nothing.)
            if (!one && scope >= 0 &&
                (prop.position[scope] == kNoParam || s.share[scope] <= 0.0 ||
                 s.text0[scope] == w.status_quo(scope)))
                continue;
            for (int k = one ? kGrid : kGrid - (scope >= 0 ? 1 : 0); k >= (one ? kGrid : 0); --k) {
                if (scope < 0 && k == 0) break;  // the status quo itself is no offer
                // A text a veto holder refused, unchanged for it since, is not offered again.
                if (refused && scope < 0 && k == kGrid) continue;
                // The candidate's shares and text, its size, the share of the aim it achieves
                // (effect()) and the sponsor's policy gain (spatial()), term for term.
                double size = 0.0, progress = 0.0, gain = 0.0;
                for (int m = 0; m < nm; ++m) {
                    const int kk = one                                   ? (floor_dim < 0              ? one_row
                                                                            : s.rnamed[m] == floor_dim ? kFloorOne
                                                                                                       : kUnscaled)
                                   : (scope < 0 || scope == s.rnamed[m]) ? k
                                                                         : kUnscaled;
                    const double* const r = tab + (static_cast<std::size_t>(m) * kRows + kk) * kRow;
                    row[m] = r;
                    size += r[0];
                    progress += r[3];
                    gain += r[4];
                }
                // A text that moves nothing is the status quo: no offer. (A held dimension,
                // III.3, adds nothing to the size, so a candidate of positive size moves
                // some dimension the text can move.)
                if (!(size > 0.0)) continue;
                const double e = ambition > 0.0 ? std::clamp(progress / ambition, 0.0, 1.0) : 1.0;
                // A sponsor does not trade its aim for a token text: below sponsor_floor of the
                // aim it keeps the proposal for a later summit instead (docs/model.md III.4.5).
                if (e < floor) continue;
                // The sponsor's value of the text: its policy gain and the threat benefit. A
                // text it values below the status quo can never be its offer (it withdraws).
                const double v = gain + e * threat;
                // (Under expected_value the second cut is not made: a candidate worth as much
                // within the tie and smaller can still be chosen, for a larger chance.)
                if (!(v >= 0.0) || v < value_cut ||
                    (!expected && v <= top_value && size < size_cut))
                    continue;
                // Nor is a text that, for a member whose refusal stands, is the refused text:
                // the same four utilities, so by its kept disposition it would refuse again.
                if (refused && refused_again(e)) continue;
                // Against withholding consensus for any reason: a smaller text is also a smaller
                // bet on an uncertain future, so it can win a member that asks for time.
                if (last_reject && !accepts(tc, *last_reject, spatial_of(last_reject->geo), e))
                    continue;
                bool all = true;
                for (const EngineScratch::Holder* h = h_begin; h != h_end; ++h) {
                    if (h == last_reject) continue;
                    if (!accepts(tc, *h, spatial_of(h->geo), e)) {
                        all = false;
                        last_reject = h;
                        break;
                    }
                }
                if (!all) continue;
                if (!s.rerouting.empty() &&
                    !keeps_rerouting(w, prop, s, row, nm, ambition, e, unc, det, beta))
                    continue;
                // Under logit choice a member that vetoed showed that its disposition lies in
                // its objection's range (it is kept through the summit): it gives way on the
                // candidate with probability 1 - p_obj(candidate) / p_obj(refused). The
                // candidate must make that more likely than not (III.4.5); where no candidate
                // does, the sponsor offers the best of those that pass the margin test (below).
                // Under the expected_value sponsor the candidate is worth its value times the
                // chance that every member that vetoed gives way (each independently: the
                // dispositions are drawn independently), and fails only where that chance is 0.
                double worth = v, chance = 1.0;
                if (likely) {
                    for (const int j : s.vetoers) {
                        const Options o = options(w, spatial_of(g_agent(j)), s.terms[j], s.rel[j],
                                                  e, s.pressure[j], unc, prop.kind, prop.opt_out);
                        const double pj = logit_probabilities(o, beta)[3];
                        if (expected) {
                            chance *= std::max(0.0, 1.0 - pj / s.p_refused[j]);
                            if (!(chance > 0.0)) {
                                all = false;
                                break;
                            }
                        } else if (pj > 0.5 * s.p_refused[j]) {
                            all = false;
                            break;
                        }
                    }
                    if (all && expected) {
                        worth = v * chance;
                        // Worth less than the tie below the best so far: it can never be
                        // chosen (the cut above reads v, an upper bound of it).
                        if (worth < value_cut) continue;
                    }
                    if (!all) {
                        // Kept only while no candidate passes both tests: until then nothing
                        // was cut by value (top_value is -inf), so these are all of them.
                        // (The previous target joins them only if it had passed both tests:
                        // else it is the last offer's fallback again, a step of nothing.)
                        if (offers == 0 && (!prev || s.target_both))
                            s.margin_only[margin_only++] = {
                                v, size, scope_of(prev, at_floor, floor_dim, scope), k};
                        continue;
                    }
                }
                s.offers[offers++] = {worth, size, scope_of(prev, at_floor, floor_dim, scope), k,
                                      chance};
                if (worth > top_value || (worth == top_value && size > top_size)) {
                    top_value = worth;
                    top_size = size;
                    value_cut = below_tie(top_value);
                    size_cut = below_tie(top_size);
                }
            }
        }
    };
    if (named == 1)
        search(std::integral_constant<int, 1>{});
    else if (named == 2)
        search(std::integral_constant<int, 2>{});
    else
        search(std::integral_constant<int, 0>{});
    // No candidate makes every member that vetoed likely to give way, but some pass the
    // margin test: the sponsor offers the best of those rather than give up (at low logit
    // precision no text moves a kept disposition's odds that far; docs/model.md III.4.5).
    // They are every candidate that passes the margin test, so the offer is the one a search
    // without the second test would choose (its cuts by value drop only what the choice
    // below never takes).
    const EngineScratch::Offer* list = s.offers.data();
    if (offers == 0 && margin_only > 0) {
        list = s.margin_only.data();
        offers = margin_only;
        for (int i = 0; i < offers; ++i) top_value = std::max(top_value, list[i].value);
        value_cut = below_tie(top_value);
    }
    // A sponsor that values the status quo above every text in the win-set withdraws (no
    // candidate worth less than the status quo was kept).
    if (offers == 0) return -std::numeric_limits<double>::infinity();
    // The offer: of the candidates the sponsor values most (within the tie), the largest
    // (within the tie); then the even concession (scope -1, every share scaled together)
    // before a one-dimension concession, and of these the one on the dimension whose id comes
    // first; last, on one line of the grid, the larger k (the larger offer).
    // Under expected_value, of the candidates worth the most (within the tie), those most
    // likely to be accepted (within the tie) first: a sponsor that values every text the same
    // offers the one the members that vetoed are likeliest to accept.
    double chance_cut = -1.0;
    if (expected && list == s.offers.data()) {
        double chance_max = 0.0;
        for (int i = 0; i < offers; ++i)
            if (list[i].value >= value_cut) chance_max = std::max(chance_max, list[i].chance);
        chance_cut = below_tie(chance_max);
    }
    double size_max = -1.0;
    for (int i = 0; i < offers; ++i)
        if (list[i].value >= value_cut && list[i].chance >= chance_cut)
            size_max = std::max(size_max, list[i].size);
    const double final_size_cut = below_tie(size_max);
    auto rank = [&](const EngineScratch::Offer& o) {
        return o.scope >= 0            ? s.dim_rank[o.scope]
               : o.scope <= kFloorLine ? s.dim_rank[kFloorLine - o.scope]
                                       : -1;
    };
    int pick = -1;
    for (int i = 0; i < offers; ++i) {
        const EngineScratch::Offer& o = list[i];
        if (o.value < value_cut || o.chance < chance_cut || o.size < final_size_cut) continue;
        if (pick < 0) {
            pick = i;
            continue;
        }
        const EngineScratch::Offer& b = list[pick];
        if (rank(o) < rank(b) || (rank(o) == rank(b) && o.k > b.k)) pick = i;
    }
    const EngineScratch::Offer& o = list[pick];
    s.target_kept = true;
    s.target_both = list == s.offers.data();
    if (o.scope == kPrevScope) return o.value;  // s.best holds it already
    if (o.scope <= kFloorLine) {                // one dimension's share alone, at the floor
        const int fd = kFloorLine - o.scope;
        for (int d = 0; d < D; ++d)
            s.best[d] = prop.position[d] == kNoParam ? 0.0
                        : d == fd ? s.share[d] * s.floor_scale[1 + static_cast<std::size_t>(d)]
                                  : s.share[d];
        return o.value;
    }
    // (An even concession scales the dimensions the text can move; a held one keeps its
    // share, for when the status quo moves back and it can move again, III.3.)
    for (int d = 0; d < D; ++d)
        s.best[d] = prop.position[d] == kNoParam ? 0.0
                    : (o.scope < 0 && s.text0[d] != w.status_quo(d)) || o.scope == d
                        ? (o.scope == kFloorScope ? s.share[d] * s.floor_scale[0]
                                                  : s.share[d] * o.k / kGrid)
                        : s.share[d];
    return o.value;
}

ProposalResult ConsensusEngine::resolve(World& w, const ProposalSpec& prop, int p, int t,
                                        const Rng& rng, EngineScratch& s, Flags* flags,
                                        float* text_out, ProposalExplain* explain) const {
    const int n = w.n, D = w.dims;
    const bool det = v_.choice == ChoiceRule::Deterministic;
    const double beta = w.d(Dyn::LogitPrecision);
    const double unc = w.uncertainty(p);
    const int rounds_max = std::max(1, static_cast<int>(w.d(Dyn::Rounds)));
    const int min_part = std::max(1, w.min_participants[p]);

    // The tabled text, and the aim it is measured against: from the run's first status
    // quo to the tabled position, on the dimensions the proposal names.
    // A text that failed at an earlier summit returns as the sponsor last offered it.
    // A dimension whose aim the status quo has reached or passed (since the run began), or
    // on which the text has no aim (its position is the run's first status quo), is held
    // where it stands: the text, tabled for the rest of its aim on another dimension, does
    // not pull it back towards its position (docs/model.md III.3).
    double ambition = 0.0;
    for (int d = 0; d < D; ++d) {
        const bool named = prop.position[d] != kNoParam;
        const double aim = named ? w.prop_position(p, d) - w.status_quo0(d) : 0.0;
        s.dir[d] = aim > 0.0 ? 1.0 : (aim < 0.0 ? -1.0 : 0.0);
        ambition += std::abs(aim);
        // (An exercise is an event: it moves no status quo, and no aim of its is reached.)
        // (Within 1e-9, the tolerance of the agenda's own test, on_agenda: an implemented
        // text can leave the status quo a rounding residue short of its position.)
        const bool reached = prop.kind != Kind::Exercise &&
                             (w.prop_position(p, d) - w.status_quo(d)) * s.dir[d] <= 1e-9;
        s.share[d] = named ? std::clamp(w.offer(p, d), 0.0, 1.0) : 0.0;
        s.text0[d] = named && !reached ? w.prop_position(p, d) : w.status_quo(d);
        s.text[d] = w.status_quo(d) + s.share[d] * (s.text0[d] - w.status_quo(d));
    }
    // Whether the text can move the status quo at all (some named dimension not held), and
    // whether the carried offer does: an offer that had given up every dimension the text
    // can still move (the others being held since) would table the status quo itself, so
    // the rest of the aim is tabled afresh (docs/model.md III.4.5).
    bool movable = false, moves = false;
    for (int d = 0; d < D; ++d) {
        if (prop.position[d] == kNoParam) continue;
        movable = movable || s.text0[d] != w.status_quo(d);
        moves = moves || s.text[d] != w.status_quo(d);
    }
    if (movable && !moves)
        for (int d = 0; d < D; ++d)
            if (prop.position[d] != kNoParam) {
                s.share[d] = 1.0;
                s.text[d] = s.text0[d];
            }
    // The named dimensions and each agent's constants on them, once per proposal (the
    // status quo, positions and saliences do not change during a summit).
    const int rnamed = named_geo(w, prop, s);
    double* const round_text = s.round_geo.data() + static_cast<std::size_t>(3 * n) * D;
    auto agent_geo = [&](int i) {
        return s.round_geo.data() + static_cast<std::size_t>(3 * i) * D;
    };
    // Sets the round's text on the named dimensions; whether it is the last round's, bit for
    // bit (the text on the other dimensions is the status quo's throughout).
    auto set_round_text = [&] {
        bool same = true;
        for (int m = 0; m < rnamed; ++m) {
            const int d = s.rnamed[m];
            same = same && same_bits(round_text[m], s.text[d]);
            round_text[m] = s.text[d];
            round_text[D + m] = std::abs(s.text[d] - w.status_quo(d));
        }
        return same;
    };
    // A closed format (open_to): everyone outside its circle is marked once, O(n + circle),
    // not by a search of the circle per agent.
    const unsigned char closed = prop.open_to.empty() ? 0 : 1;
    std::fill(s.outside.begin(), s.outside.begin() + n, closed);
    for (const int a : prop.open_to) s.outside[a] = 0;
    // Each agent's terms of this proposal: kept from an earlier summit of the run where the
    // parameters they read have not changed since (RunAgentTerms).
    AgentTerms* const kept_terms =
        s.terms_of_kept ? s.terms_of.data() + static_cast<std::size_t>(p) * n : nullptr;
    const bool terms_kept = kept_terms && s.terms_of_ok[p];
    if (terms_kept) {
        std::copy(kept_terms, kept_terms + n, s.terms.begin());
    } else {
        for (int i = 0; i < n; ++i) s.terms[i] = agent_terms(w, prop, p, i);
        if (kept_terms) {
            std::copy(s.terms.begin(), s.terms.begin() + n, kept_terms);
            s.terms_of_ok[p] = 1;
        }
    }
    for (int i = 0; i < n; ++i) {
        s.pressure[i] = s.spent[i] = 0.0;
        s.p_refused[i] = 1.0;
        s.principal[i] = s.forced[i] = 0;
        // Every member is party to a binding text; in an opt-out project, at first every
        // member is expected to take part, after a round those who joined.
        s.party[i] = w.member(i) && !s.outside[i] ? 1 : 0;
        flags[i] = 0;
    }
    s.principal[prop.sponsor] = s.forced[prop.sponsor] = 1;
    s.target_kept = false;  // no win-set target yet at this summit
    if (prop.host >= 0) s.principal[prop.host] = s.forced[prop.host] = 1;
    // Candidates never object to their own admission (they applied for it).
    for (const int a : prop.admit) s.principal[a] = s.forced[a] = 1;
    bool powers_listed = false;
    // Relations change only with tension (pressure) and with who the parties are (an opt-out
    // project after a round): they are recomputed only then, not every round.
    bool relations_current = false;
    if (explain) {
        explain->rounds.clear();
        explain->status_quo.assign(w.status_quo.data(), w.status_quo.data() + D);
    }

    ProposalResult res;
    bool agreed = false;
    bool withdrawn = false;  // a principal left a closed exercise: it is not held (III.4.7)
    int vetoes = 0, substance = 0, joined_members = 0, out_members = 0, reservations = 0;
    for (int r = 0; r < rounds_max; ++r) {
        res.rounds = r + 1;
        // 1. Everyone decides, on this round's text, relations and pressure.
        if (!relations_current) relations(w, s);
        relations_current = true;
        const double e = effect(w, s, rnamed, s.text.data(), ambition);
        // After the first round, an agent whose text, relations and pressure are what it
        // last decided on has the same options (a function of these and of what is fixed
        // for the proposal: its terms, the World's parameters, its roles) and, its
        // disposition kept through the summit, the same choice: both are kept.
        const bool same_text = set_round_text() && r > 0;
        for (int i = 0; i < n; ++i) {
            EngineScratch::Decided& dec = s.decided[i];
            if (same_text && decided_on(dec, s.rel[i], s.pressure[i])) {
                s.choice[i] = dec.choice;
                flags[i] &= (kPressured | kPressurer);
                continue;
            }
            if (s.forced[i] && !explain) {
                // A forced supporter's stay-out and objection are closed below, so the value
                // of waiting (inside the objection only) cannot matter: its join and reserve
                // utilities are options_now's, bit for bit.
                s.opts[i] =
                    options_now(w, spatial_named(agent_geo(i), round_text, rnamed, D), s.terms[i],
                                s.rel[i], e, s.pressure[i], prop.kind, prop.opt_out);
            } else if (s.outside[i] && !explain) {
                // Outside a closed format every utility is fixed below: nothing to compute
                // (the explanation shows the computed terms, so it computes them).
                s.opts[i] = Options{};
            } else {
                // An observer or candidate does not send troops to a members' exercise: its
                // options (staying out, a voiced objection) do not depend on what waiting may
                // reveal, so it has no value of waiting there (docs/model.md III.4.3).
                const double unc_i = prop.kind == Kind::Exercise && !w.member(i) ? 0.0 : unc;
                s.opts[i] =
                    options(w, spatial_named(agent_geo(i), round_text, rnamed, D), s.terms[i],
                            s.rel[i], e, s.pressure[i], unc_i, prop.kind, prop.opt_out);
            }
            if (s.forced[i]) {
                // The sponsor tabled the text, the host agreed to host it, the candidates
                // applied: they support it (plainly or with a reservation).
                s.opts[i].v[2] = s.opts[i].v[3] = kNever;
                s.opts[i].for_time = false;
            } else if (s.outside[i]) {
                // A closed format (open_to): outside its circle an agent neither takes part
                // nor holds a say; it is recorded as staying out (docs/model.md III.4).
                s.opts[i].v[0] = s.opts[i].v[1] = s.opts[i].v[3] = kNever;
                s.opts[i].v[2] = 0.0;
                s.opts[i].for_time = false;
            } else if (prop.kind == Kind::Exercise && !w.member(i)) {
                // Observers and candidates do not send troops to members' exercises; they
                // may still voice an objection, which blocks nothing.
                s.opts[i].v[0] = s.opts[i].v[1] = kNever;
                s.opts[i].v[2] = 0.0;
            }
            // The disposition is drawn where it can matter: a deterministic choice does not
            // read it, and a forced supporter or an agent outside a closed format has one
            // open option (the others' utilities are -inf, so their logit weights are 0 and
            // the open one's probability is 1 or NaN), chosen whatever u is. The draws are
            // counter-based, so leaving one out changes no other.
            if (r == 0 && !det && !s.forced[i] && !s.outside[i])
                s.disposition[i] = Rng::to_unit(rng.words(Purpose::Choice, Rng::pack(t, p), i)[0]);
            s.choice[i] = choose(s.opts[i], beta, det, s.disposition[i]);
            dec.rel = s.rel[i];
            dec.pressure = s.pressure[i];
            dec.choice = s.choice[i];
            flags[i] &= (kPressured | kPressurer);
        }
        res.decisions += n;
        // 2. Transit: a participant whose troops must cross another state needs its consent.
        for (std::size_t e2 = 0; e2 < prop.transit.size(); ++e2) {
            const int f = prop.transit[e2].from, g = prop.transit[e2].through;
            if (!supports(s.choice[f])) continue;
            // Drawn once per summit, like the dispositions: a refusal is not re-rolled each round.
            const auto wt = rng.words(Purpose::Transit, Rng::pack(t, p), e2);
            if (transit_granted(w, prop, e2, Rng::to_unit(wt[0]), det, beta)) continue;
            flags[g] |= kTransitDenied;
            // The participant reroutes at a cost, or drops out.
            const Options& of = s.opts[f];
            const double v_stay = of.v[static_cast<int>(s.choice[f])] - w.d(Dyn::RerouteCost);
            // The sponsor supports its text by position, so its own stay-out and objection
            // are closed: leaving is valued apart (docs/model.md III.4.7; the host is never a
            // transit origin, the loader refuses it). From an opt-out exercise it stays out,
            // at what staying out is worth to any member; a closed exercise it withdraws,
            // which keeps the status quo (0) at no cost of objecting: the text is its own.
            const double v_leave =
                !s.forced[f]   ? (prop.opt_out ? of.v[2] : of.v[3])
                : prop.opt_out ? own_stay_out(w, spatial_named(agent_geo(f), round_text, rnamed, D),
                                              s.terms[f], s.rel[f], e, s.pressure[f], prop.kind)
                               : 0.0;
            const bool reroute =
                det ? !better_beyond_rounding(v_leave, v_stay)
                    : Rng::to_unit(wt[1]) < binary_probability(v_stay, v_leave, beta);
            if (!reroute) {
                // A principal that leaves takes no part (it holds no veto on its own text); a
                // closed exercise cannot be held without it.
                s.choice[f] = prop.opt_out || s.forced[f] ? Choice::StayOut : Choice::Object;
                flags[f] |= kDropped;
                withdrawn = withdrawn || (s.forced[f] && !prop.opt_out);
            }
        }
        // 3. Count: only members hold a veto; observers and candidates take part without one.
        // Each choice's flags, and the members' choices counted by kind.
        static constexpr Flags kChoiceFlags[kChoices] = {
            kJoined, static_cast<Flags>(kJoined | kReserved), kStayedOut, kObjected};
        int counted[kChoices] = {0, 0, 0, 0};
        substance = 0;
        for (int i = 0; i < n; ++i) {
            const Choice c = s.choice[i];
            flags[i] |= kChoiceFlags[static_cast<int>(c)];
            const bool waits = c == Choice::Object && s.opts[i].for_time && !(flags[i] & kDropped);
            if (waits) flags[i] |= kWaited;
            if (!w.member(i) || s.outside[i]) continue;
            ++counted[static_cast<int>(c)];
            if (c == Choice::Object) {
                // A participant that left a closed exercise because its troops were refused
                // transit blocks it, but withholds no consent from the text: no veto flag (the
                // summary shows it as dropped out, docs/model.md III.4.7).
                if (!(flags[i] & kDropped)) flags[i] |= kVeto;
                substance += !waits;
            }
        }
        vetoes = counted[static_cast<int>(Choice::Object)];
        reservations = counted[static_cast<int>(Choice::Reserve)];
        joined_members = counted[static_cast<int>(Choice::Join)] + reservations;
        out_members = counted[static_cast<int>(Choice::StayOut)];
        if (explain) {
            RoundExplain& re = explain->rounds.emplace_back();
            re.round = r + 1;
            // The offer's share of the way on each named dimension. Under towards_compromise
            // the shares are not the rule's (its steps are not offers): the text's own share
            // of the way from the status quo is shown (1 where the text aims at the status quo).
            const bool stepped = v_.amendment == AmendmentRule::TowardsCompromise;
            double shares = 0.0, named = 0.0;
            for (int d = 0; d < D; ++d)
                if (prop.position[d] != kNoParam && s.text0[d] != w.status_quo(d)) {
                    const double way = s.text0[d] - w.status_quo(d);
                    shares += !stepped     ? s.share[d]
                              : way != 0.0 ? (s.text[d] - w.status_quo(d)) / way
                                           : 1.0;
                    named += 1.0;
                }
            re.offer = named > 0.0 ? shares / named : 1.0;
            re.effect = e;
            re.text.assign(s.text.begin(), s.text.end());
            re.vetoes = vetoes;
            re.substance = substance;
            re.joined = joined_members;
            for (int i = 0; i < n; ++i) {
                const Spatial sp = spatial(w, i, s.text.data());
                AgentExplain a;
                a.gain = sp.gain;
                a.loss = sp.loss;
                a.benefit = e * s.terms[i].threat;
                a.share = s.terms[i].share;
                a.cost = s.terms[i].cost;
                a.relations = s.rel[i];
                a.objection = w.d(Dyn::ObjectionCost);
                a.pressure = s.pressure[i];
                a.options = s.opts[i];
                a.choice = s.choice[i];
                a.forced = s.forced[i] != 0;
                a.member = w.member(i);
                a.flags = flags[i];
                re.agents.push_back(a);
            }
        }
        if (withdrawn) {
            // No amendment brings troops through a state that refuses them: the text is
            // withdrawn at this summit (its principal stays out, flagged dropped).
            if (explain)
                explain->rounds.back().next =
                    "transit is denied and the exercise's principal withdraws it";
            break;
        }
        if (vetoes == 0 && (!prop.opt_out || joined_members >= min_part)) {
            agreed = true;
            break;
        }
        if (r + 1 == rounds_max) break;
        // 4. Great powers that back the text may pressure objecting members, once each.
        if (vetoes > 0 && v_.pressure == PressureRule::Enabled) {
            if (!powers_listed) {
                s.powers.clear();
                for (const int g : s.by_id)
                    if (g < n && w.great_power[g]) s.powers.push_back(g);
                powers_listed = true;
            }
            // A member that asks for time is not pressed: waiting for clarity is a use of the
            // consensus rule, not a stand against the text (docs/model.md III.4.4).
            auto target = [&](int j) {
                return w.member(j) && !s.outside[j] && s.choice[j] == Choice::Object &&
                       !(flags[j] & kPressured) && !(flags[j] & kWaited);
            };
            const double strength = w.d(Dyn::PressureStrength);
            auto leverage = [&](int g, int j) {
                return strength * w.capability(g) * w.susceptibility(j, g);
            };
            // What each target lacks to give way: its objection's utility less that of its
            // best other option, on this round's text and before this round's pressure.
            for (int j = 0; j < n; ++j)
                if (target(j)) {
                    const Options& o = s.opts[j];
                    s.need[j] = o.v[3] - std::max(std::max(o.v[0], o.v[1]), o.v[2]);
                }
            // What each great power puts into each target this round (docs/model.md III.4.4):
            // it presses only for a text it cares about, and puts in no more, over the
            // summit, than the text (as it stands this round) is worth to it beyond what
            // pressing costs. A budget that does not cover its whole leverage goes where the
            // targets lack most: it raises the smallest margin by which a target would give
            // way as far as it can (press_split), counting what its push costs the target's
            // support in relations and what the other great powers put in.
            const std::size_t P = s.powers.size(), N = static_cast<std::size_t>(n);
            s.press_share.assign(P * N, 0.0);
            s.press_eff.assign(P * N, 0.0);
            const double tw = w.d(Dyn::TensionWeight), pt = w.d(Dyn::PressureTension);
            const double cp = w.d(Dyn::CoPartyWeight), spill = w.d(Dyn::RivalSpill);
            int splitting = 0;  // great powers whose budget must be split among targets
            for (std::size_t k = 0; k < P; ++k) {
                const int g = s.powers[k];
                s.press_budget[k] = 0.0;
                if (!w.member(g) || !supports(s.choice[g]) || w.capability(g) <= 0.0 ||
                    strength <= 0.0)
                    continue;  // pressure that weighs nothing is not applied
                const double remaining = s.opts[g].v[0] - w.d(Dyn::PressureCost) - s.spent[g];
                if (!(remaining > 0.0)) continue;
                // eff[j]: what a unit of g's push takes off j's objection net of what it
                // takes off j's best other option through the tension it adds (where g is a
                // principal or a co-party of the text).
                // A push that costs the target's support more than it costs its objection
                // (eff <= 0) would only harden it: g does not press it.
                double* eff = s.press_eff.data() + k * N;
                double* share = s.press_share.data() + k * N;
                double total = 0.0;
                int targets = 0, last = -1;
                for (int j = 0; j < n; ++j) {
                    if (j == g || !target(j) || !(w.susceptibility(j, g) > 0.0)) continue;
                    const double lev = leverage(g, j);
                    const Options& o = s.opts[j];
                    const bool stays = o.v[2] > std::max(o.v[0], o.v[1]);
                    const double weight = s.principal[g] ? (stays ? spill : 1.0)
                                          : s.party[g]   ? (stays ? 0.0 : cp)
                                                         : 0.0;
                    // The tension stops at 1: over a push of the whole leverage it rises by
                    // min(pressure_tension, 1 - tension), taken as spread evenly over the push.
                    const double drop = std::min(pt, 1.0 - w.tension(g, j)) * tw * weight;
                    eff[j] = 1.0 - drop / lev;
                    if (!(eff[j] > 0.0)) continue;
                    share[j] = lev;  // the leverage, until it is split below
                    total += lev;
                    ++targets;
                    last = j;
                }
                if (targets == 0) continue;
                if (!(total > remaining)) {  // the budget covers the whole leverage
                    for (int j = 0; j < n; ++j) share[j] = share[j] > 0.0 ? 1.0 : 0.0;
                } else if (targets == 1) {  // the whole budget (the split's answer, exactly)
                    share[last] = remaining / total;
                } else {  // split below, once every other great power's push is known
                    for (int j = 0; j < n; ++j) share[j] = 0.0;
                    s.press_budget[k] = remaining;
                    ++splitting;
                }
            }
            // Each splitting great power splits its budget against what its targets still
            // lack after the other great powers' pushes; with more than one, they answer
            // each other in turn until no split changes (at most kPressRounds times).
            for (int sweep = 0; splitting > 0 && sweep < kPressRounds; ++sweep) {
                bool changed = false;
                for (std::size_t k = 0; k < P; ++k) {
                    if (!(s.press_budget[k] > 0.0)) continue;
                    const int g = s.powers[k];
                    const double* eff = s.press_eff.data() + k * N;
                    double* share = s.press_share.data() + k * N;
                    for (int j = 0; j < n; ++j) {
                        // g's targets, as listed above: eff is set (and positive) for them only.
                        s.press_lev[j] = 0.0;
                        if (!(eff[j] > 0.0)) continue;
                        s.press_lev[j] = leverage(g, j);
                        double lacks = s.need[j];
                        for (std::size_t h = 0; h < P; ++h)
                            if (h != k && s.press_share[h * N + j] > 0.0)
                                lacks -= s.press_eff[h * N + j] * s.press_share[h * N + j] *
                                         leverage(s.powers[h], j);
                        s.press_lacks[j] = lacks;
                    }
                    press_split(s.press_lev.data(), eff, s.press_lacks.data(), n, s.press_budget[k],
                                s.press_order);
                    for (int j = 0; j < n; ++j)
                        if (!same_bits(share[j], s.press_lev[j])) {
                            share[j] = s.press_lev[j];
                            changed = true;
                        }
                }
                if (!changed || splitting == 1) break;
            }
            for (int j = 0; j < n; ++j) {
                if (!target(j)) continue;
                for (std::size_t k = 0; k < P; ++k) {
                    const int g = s.powers[k];
                    const double share = s.press_share[k * N + j];
                    if (g == j || !(share > 0.0)) continue;
                    const double lev = leverage(g, j);
                    const double put = lev * share;
                    s.pressure[j] += put;
                    s.spent[g] += put;
                    // The relational cost grows with what is put in: the whole leverage adds
                    // pressure_tension, a part of it that part.
                    const double tn = std::min(1.0, w.tension(g, j) + pt * share);
                    w.tension(g, j) = w.tension(j, g) = tn;
                    s.pair_values_ok = false;
                    flags[j] |= kPressured;
                    relations_current = false;
                    flags[g] |= kPressurer;
                    ++res.pressure;
                    if (explain)
                        explain->rounds.back().pressure.push_back({g, j, put, lev, s.need[j]});
                }
            }
        }
        // Who the parties of an opt-out project are is known once members have chosen.
        if (prop.opt_out) {
            for (int i = 0; i < n; ++i)
                s.party[i] = w.member(i) && !s.outside[i] && supports(s.choice[i]);
            relations_current = false;
        }
        // 5. The sponsor amends the text; membership texts are never amended.
        // Any veto calls for a new text: a smaller text is also a smaller bet on an uncertain
        // future, so it can win a member that asks for time as well as one that disagrees.
        // A text that names no dimension has nothing to concede (docs/model.md III.4.5): it
        // stands as tabled, and pressure this round acts in the next.
        if (vetoes == 0 || prop.kind == Kind::Membership || v_.amendment == AmendmentRule::None ||
            rnamed == 0 || !movable) {
            if (explain)
                explain->rounds.back().next =
                    vetoes == 0 ? "no veto, but too few members take part: the text is unchanged"
                    : prop.kind == Kind::Membership ? "a membership text is never amended"
                    : rnamed == 0 ? "the text names no dimension: nothing to amend"
                    : !movable    ? "the text moves no dimension: nothing to amend"
                                  : "amendment is switched off";
            continue;
        }
        if (v_.amendment == AmendmentRule::WinSet) {
            // Pressure this round changed tension, and an opt-out project's parties are
            // now those who joined: then the relations of step 1 are out of date.
            if (!relations_current) relations(w, s);
            relations_current = true;
            // Did a member refuse this text for reasons that still stand? Its options on the
            // same text, with this round's pressure and relations, are what they were when it
            // chose; its disposition is kept through the summit, so it would refuse again
            // (docs/model.md III.4.5). A refusal forced by a denied transit is not about the text.
            s.refusers.clear();
            for (int j = 0; j < n; ++j) {
                if (!w.member(j) || s.forced[j] || s.outside[j] || s.choice[j] != Choice::Object ||
                    (flags[j] & kDropped))
                    continue;
                // Relations and pressure as when it chose (the record step 1 keeps), on the
                // same text: the same options, bit for bit (options is a function of these
                // alone), so it refuses again.
                if (decided_on(s.decided[j], s.rel[j], s.pressure[j])) {
                    s.refusers.push_back(j);
                    continue;
                }
                const Options now =
                    options(w, spatial_named(agent_geo(j), round_text, rnamed, D), s.terms[j],
                            s.rel[j], e, s.pressure[j], unc, prop.kind, prop.opt_out);
                if (now.v == s.opts[j].v) s.refusers.push_back(j);
            }
            const bool refused = !s.refusers.empty();
            // On a closed exercise, the members whose troops the next round would refuse
            // transit (III.4.5).
            s.rerouting.clear();
            if (!prop.opt_out && !prop.transit.empty())
                collect_rerouting(w, prop, p, t, rng, s, flags, det, beta);
            s.vetoers.clear();
            if (!det)
                for (int j = 0; j < n; ++j)
                    if (w.member(j) && !s.forced[j] && !s.outside[j] &&
                        s.choice[j] == Choice::Object && !(flags[j] & kDropped)) {
                        s.vetoers.push_back(j);
                        // Each objection at this summit shows that j's disposition lies in
                        // that objection's range: together, in the narrowest of them.
                        s.p_refused[j] =
                            std::min(s.p_refused[j], logit_probabilities(s.opts[j], beta)[3]);
                    }
            s.next_round_last = r + 2 >= rounds_max;
            if (!std::isfinite(win_set(w, prop, p, s, ambition, refused, det ? -1.0 : beta))) {
                res.win_set_empty = true;
                if (explain)
                    explain->rounds.back().next =
                        s.rerouting.empty()
                            ? "the win-set is empty: no text short of the status quo wins every "
                              "veto holder and is worth more than the status quo to the sponsor"
                            : "the win-set is empty: no text short of the status quo wins every "
                              "veto holder, is worth more than the status quo to the sponsor "
                              "and keeps every participant refused transit in the exercise";
                break;
            }
            // The sponsor concedes at most amendment_step of the way on each dimension per
            // round, towards its best offer in the win-set.
            const double step = w.d(Dyn::AmendmentStep);
            std::string from, to;
            for (int d = 0; d < D; ++d) {
                if (prop.position[d] == kNoParam) continue;
                const double next = std::max(s.best[d], s.share[d] - step);
                if (explain) {
                    char buf[32];
                    std::snprintf(buf, sizeof buf, " %.3f", s.share[d]);
                    from += buf;
                    std::snprintf(buf, sizeof buf, " %.3f", next);
                    to += buf;
                }
                s.share[d] = next;
                s.text[d] = w.status_quo(d) + next * (s.text0[d] - w.status_quo(d));
            }
            if (explain)
                explain->rounds.back().next =
                    "the sponsor amends: offer shares" + from + " ->" + to + " of the way";
        } else {
            // A step towards the compromise position of the format's members (every member
            // but those outside a closed format), never past the status quo nor past the
            // tabled text.
            const double step = w.d(Dyn::AmendmentStep);
            if (explain) explain->rounds.back().next = "the sponsor steps towards the compromise";
            for (int d = 0; d < D; ++d) {
                if (prop.position[d] == kNoParam) continue;
                const double c = compromise_position(w, d, closed ? s.outside.data() : nullptr);
                const double q = w.status_quo(d);
                const double lo = std::min(q, s.text0[d]), hi = std::max(q, s.text0[d]);
                s.text[d] = std::clamp(s.text[d] + step * (c - s.text[d]), lo, hi);
            }
        }
    }

    double moved = 0.0, aim = 0.0;
    for (int d = 0; d < D; ++d) {
        moved += std::abs(s.text[d] - s.text0[d]);
        aim += std::abs(s.text0[d] - w.status_quo(d));
        text_out[d] = static_cast<float>(s.text[d]);
    }
    res.dilution = aim > 0.0 ? std::min(1.0, moved / aim) : 0.0;

    for (int d = 0; d < D; ++d) w.offer(p, d) = agreed ? 1.0 : s.share[d];
    if (agreed) {
        if (prop.opt_out && out_members > 0)
            res.outcome = Outcome::Coalition;
        else if (res.dilution > 1e-12)
            res.outcome = Outcome::Diluted;
        else if (reservations > 0)
            res.outcome = Outcome::AdoptedWithReservations;
        else
            res.outcome = Outcome::Adopted;
    } else {
        // No consensus: postponed when every standing veto asks for time; blocked when any
        // veto stands on substance, or when too few members would take part.
        // A withdrawn exercise is blocked whatever the others' reasons.
        res.outcome =
            !withdrawn && vetoes > 0 && substance == 0 ? Outcome::Deferred : Outcome::Blocked;
    }
    if (explain) {
        switch (res.outcome) {
            case Outcome::Adopted:
                explain->rule = "no member objected: adopted (Charter Art. 16)";
                break;
            case Outcome::AdoptedWithReservations:
                explain->rule =
                    "no member objected; reservations on record do not block (Charter Art. 16)";
                break;
            case Outcome::Coalition:
                explain->rule =
                    "no member objected and enough took part; the others stay out of the "
                    "project (Charter Art. 16)";
                break;
            case Outcome::Diluted:
                explain->rule = "no member objected to the amended text: adopted watered down";
                break;
            case Outcome::Deferred:
                explain->rule = "every standing veto asks for time (value of waiting): deferred";
                break;
            default: {
                // Whether a member's veto on substance stands, or only a participant that left
                // a closed exercise for a refused transit blocks it (no veto, III.4.7).
                bool on_substance = false;
                for (int i = 0; i < n; ++i)
                    on_substance = on_substance || ((flags[i] & kVeto) && !(flags[i] & kWaited));
                const char* why = on_substance ? "a veto on substance stands"
                                               : "a participant whose troops were refused "
                                                 "transit left the exercise";
                explain->rule =
                    withdrawn    ? "a principal whose troops were refused transit withdrew the "
                                   "exercise: blocked"
                    : vetoes > 0 ? std::string(why) + (res.win_set_empty
                                                           ? " and the win-set is empty: blocked"
                                                           : " when the rounds run out: blocked")
                                 : "too few members take part in the project: blocked";
                break;
            }
        }
    }
    return res;
}

}  // namespace sco::core
