#include "sim/experiment/statistics.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

#include "sim/core/model.h"
#include "sim/experiment/sensitivity.h"
#include "sim/experiment/summary.h"

namespace sco::experiment {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double num, std::int64_t den) {
    return den > 0 ? num / static_cast<double>(den) : kNaN;
}

}  // namespace

Proportion wilson(std::int64_t k, std::int64_t n, double z) {
    if (n <= 0) return {0.0, 0.0, 1.0};
    const double p = static_cast<double>(k) / n;
    const double z2 = z * z;
    const double den = 1.0 + z2 / n;
    const double centre = (p + z2 / (2.0 * n)) / den;
    const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / den;
    return {p, k == 0 ? 0.0 : std::max(0.0, centre - half),
            k == n ? 1.0 : std::min(1.0, centre + half)};
}

std::vector<DerivedArray> derived_arrays(const core::RecordShape& shape, int rounds_bins,
                                         std::span<const core::SummaryCounts* const> block) {
    using std::size_t;
    const size_t Pt = block.size(), T = static_cast<size_t>(shape.periods),
                 P = static_cast<size_t>(shape.proposals), N = static_cast<size_t>(shape.agents),
                 D = static_cast<size_t>(shape.dims), K = static_cast<size_t>(shape.pairs),
                 RB = static_cast<size_t>(std::max(rounds_bins, 1));
    constexpr size_t O = kOutcomes, B = core::kFlagBits, DB = kDilutionBins,
                     Q = std::size(kTensionQuantiles);
    for (const core::SummaryCounts* c : block) {
        const core::SummaryCounts& s = *c;
        s.require_shape(shape, "finish");
        if (static_cast<size_t>(s.max_rounds) + 1 > RB)
            throw std::invalid_argument("finish: a summary has more rounds than the file");
    }

    std::vector<std::int64_t> tabled(Pt * T * P), passed(Pt * T * P);
    std::vector<double> tabled_p(Pt * T * P), op(Pt * T * P * O), olo(op.size()), ohi(op.size()),
        pp(Pt * T * P), plo(pp.size()), phi(pp.size()), flag_p(Pt * T * P * N * B),
        participation(Pt * T * P * N), rounds_p(Pt * T * P * (RB - 1)), rounds_mean(Pt * T * P),
        dil_p(Pt * T * P * DB), dil_mean(Pt * T * P), pres_p(Pt * T * P), pres_mean(Pt * T * P),
        impl_p(Pt * T * P), lag_mean(Pt * T * P), text_mean(Pt * T * P * D), comp_mean(Pt * T * D),
        wmed_mean(Pt * T * D), ten_mean(Pt * T * K), ten_q(Pt * T * K * Q);
    constexpr int kNotTabled = static_cast<int>(core::Outcome::NotTabled);
    for (size_t k = 0; k < Pt; ++k) {
        const core::SummaryCounts& s = *block[k];
        for (size_t t = 0; t < T; ++t) {
            for (size_t p = 0; p < P; ++p) {
                const size_t tp = (k * T + t) * P + p, stp = t * P + p;
                const int ti = static_cast<int>(t), pi = static_cast<int>(p);
                const std::int64_t n = experiment::tabled(s, ti, pi),
                                   np = experiment::passed(s, ti, pi);
                tabled[tp] = n;
                passed[tp] = np;
                tabled_p[tp] = ratio(static_cast<double>(n), s.runs);
                for (size_t o = 0; o < O; ++o) {
                    const size_t i = tp * O + o;
                    if (n == 0) {
                        op[i] = olo[i] = ohi[i] = kNaN;
                    } else if (static_cast<int>(o) == kNotTabled) {
                        op[i] = olo[i] = ohi[i] = 0.0;
                    } else {
                        const auto w =
                            wilson(experiment::outcome_count(s, ti, pi, static_cast<int>(o)), n);
                        op[i] = w.p;
                        olo[i] = w.lo;
                        ohi[i] = w.hi;
                    }
                }
                if (n == 0) {
                    pp[tp] = plo[tp] = phi[tp] = kNaN;
                } else {
                    const auto w = wilson(np, n);
                    pp[tp] = w.p;
                    plo[tp] = w.lo;
                    phi[tp] = w.hi;
                }
                for (size_t i = 0; i < N; ++i)
                    participation[tp * N + i] =
                        ratio(static_cast<double>(s.participated[stp * N + i]), n);
                for (size_t i = 0; i < N; ++i)
                    for (size_t b = 0; b < B; ++b)
                        flag_p[(tp * N + i) * B + b] =
                            ratio(static_cast<double>(experiment::flag_count(
                                      s, ti, pi, static_cast<int>(i), static_cast<int>(b))),
                                  n);
                const size_t rb = static_cast<size_t>(s.max_rounds) + 1;
                for (size_t r = 1; r < RB; ++r)
                    rounds_p[tp * (RB - 1) + (r - 1)] =
                        r < rb ? ratio(static_cast<double>(s.rounds_hist[stp * rb + r]), n)
                               : (n > 0 ? 0.0 : kNaN);
                rounds_mean[tp] = n > 0 ? experiment::rounds_mean(s, ti, pi) : kNaN;
                for (size_t b = 0; b < DB; ++b)
                    dil_p[tp * DB + b] =
                        ratio(static_cast<double>(s.dilution_hist[stp * DB + b]), np);
                dil_mean[tp] = np > 0 ? experiment::dilution_mean(s, ti, pi) : kNaN;
                pres_p[tp] = ratio(static_cast<double>(s.pressure_runs[stp]), n);
                pres_mean[tp] = ratio(static_cast<double>(s.pressure_sum[stp]), n);
                impl_p[tp] = ratio(static_cast<double>(s.implemented[stp]), n);
                lag_mean[tp] = ratio(static_cast<double>(s.lag_sum[stp]), s.implemented[stp]);
                for (size_t d = 0; d < D; ++d)
                    text_mean[tp * D + d] =
                        ratio(static_cast<double>(s.text_sum[stp * D + d]) / kFixedScale, np);
            }
            for (size_t d = 0; d < D; ++d) {
                const size_t i = (k * T + t) * D + d, si = t * D + d;
                comp_mean[i] =
                    ratio(static_cast<double>(s.compromise_sum[si]) / kFixedScale, s.runs);
                wmed_mean[i] = ratio(static_cast<double>(s.wmedian_sum[si]) / kFixedScale, s.runs);
            }
            for (size_t pr = 0; pr < K; ++pr) {
                const size_t i = (k * T + t) * K + pr;
                const int ti = static_cast<int>(t), pri = static_cast<int>(pr);
                ten_mean[i] = s.runs > 0 ? experiment::tension_mean(s, ti, pri) : kNaN;
                for (size_t q = 0; q < Q; ++q)
                    ten_q[i * Q + q] =
                        s.runs > 0 ? experiment::tension_quantile(s, ti, pri, kTensionQuantiles[q])
                                   : kNaN;
            }
        }
    }
    // A slice of flag_p along the flag axis.
    auto flag_slice = [&](unsigned flag) {
        const auto bit = static_cast<size_t>(std::countr_zero(flag));
        std::vector<double> out(Pt * T * P * N);
        for (size_t i = 0; i < out.size(); ++i) out[i] = flag_p[i * B + bit];
        return out;
    };

    std::vector<DerivedArray> out;
    auto ints = [&](const char* name, std::vector<size_t> dims, const char* axes, const char* what,
                    std::vector<std::int64_t> v) {
        out.push_back({name, axes, what, std::move(dims), true, std::move(v), {}});
    };
    auto reals = [&](const char* name, std::vector<size_t> dims, const char* axes, const char* what,
                     std::vector<double> v) {
        out.push_back({name, axes, what, std::move(dims), false, {}, std::move(v)});
    };
    ints("tabled", {T, P}, "point,period,proposal",
         "runs in which the proposal was tabled (outcome != not_tabled)", std::move(tabled));
    reals("tabled_p", {T, P}, "point,period,proposal",
          "share of all runs in which the proposal was tabled", std::move(tabled_p));
    ints("passed", {T, P}, "point,period,proposal",
         "runs in which the proposal passed (adopted, with reservations, coalition or diluted)",
         std::move(passed));
    reals("outcome_p", {T, P, O}, "point,period,proposal,outcome",
          "probability of each outcome over tabled runs (not_tabled: 0; NaN if never tabled)",
          std::move(op));
    reals("outcome_lo", {T, P, O}, "point,period,proposal,outcome",
          "lower end of the 95% Wilson interval of outcome_p", std::move(olo));
    reals("outcome_hi", {T, P, O}, "point,period,proposal,outcome",
          "upper end of the 95% Wilson interval of outcome_p", std::move(ohi));
    reals("passed_p", {T, P}, "point,period,proposal",
          "probability that the proposal passed, over tabled runs", std::move(pp));
    reals("passed_lo", {T, P}, "point,period,proposal",
          "lower end of the 95% Wilson interval of passed_p", std::move(plo));
    reals("passed_hi", {T, P}, "point,period,proposal",
          "upper end of the 95% Wilson interval of passed_p", std::move(phi));
    auto objection = flag_slice(core::kObjected);
    auto transit = flag_slice(core::kTransitDenied);
    reals("flag_p", {T, P, N, B}, "point,period,proposal,agent,flag",
          "probability that the agent's flag bit is set, over tabled runs", std::move(flag_p));
    reals("participation", {T, P, N}, "point,period,proposal,agent",
          "probability that the agent took part in the adopted decision (joined and the "
          "proposal passed), over tabled runs",
          std::move(participation));
    reals("objection", {T, P, N}, "point,period,proposal,agent",
          "probability that the agent objected (flag 'objected'), over tabled runs",
          std::move(objection));
    reals("transit_denied", {T, P, N}, "point,period,proposal,agent",
          "probability that the agent denied transit (flag 'transit_denied'), over tabled runs",
          std::move(transit));
    reals("rounds_p", {T, P, RB - 1}, "point,period,proposal,round",
          "probability of ending after each number of rounds (1..max), over tabled runs",
          std::move(rounds_p));
    reals("rounds_mean", {T, P}, "point,period,proposal", "mean rounds used, over tabled runs",
          std::move(rounds_mean));
    reals("dilution_p", {T, P, DB}, "point,period,proposal,dilution_bin",
          "dilution histogram over passed runs (bin edges in /labels/dilution_edges)",
          std::move(dil_p));
    reals("dilution_mean", {T, P}, "point,period,proposal",
          "mean dilution over passed runs (NaN if it never passed)", std::move(dil_mean));
    reals("pressure_p", {T, P}, "point,period,proposal",
          "probability of any pressure, over tabled runs", std::move(pres_p));
    reals("pressure_mean", {T, P}, "point,period,proposal",
          "mean pressure applications per tabled run", std::move(pres_mean));
    reals("implemented_p", {T, P}, "point,period,proposal",
          "probability that the proposal was adopted and later implemented, over tabled runs",
          std::move(impl_p));
    reals("lag_mean", {T, P}, "point,period,proposal",
          "mean implementation lag in periods, over implemented runs", std::move(lag_mean));
    reals("text_mean", {T, P, D}, "point,period,proposal,dimension",
          "mean final text position over passed runs", std::move(text_mean));
    reals("compromise_mean", {T, D}, "point,period,dimension",
          "mean compromise-model position over runs", std::move(comp_mean));
    reals("weighted_median_mean", {T, D}, "point,period,dimension",
          "mean weighted-median position over runs", std::move(wmed_mean));
    reals("tension_mean", {T, K}, "point,period,pair", "mean tension at the end of each period",
          std::move(ten_mean));
    reals("tension_quantiles", {T, K, Q}, "point,period,pair,quantile",
          "tension quantiles (probabilities in /labels/quantiles) from the histogram",
          std::move(ten_q));
    return out;
}

void append_pass_probabilities(std::span<const core::SummaryCounts* const> block,
                               std::vector<double>& out, std::vector<char>& tabled_anywhere) {
    for (const core::SummaryCounts* c : block) {
        const core::SummaryCounts& s = *c;
        const int T = s.shape.periods, P = s.shape.proposals;
        tabled_anywhere.resize(static_cast<std::size_t>(T) * P, 0);
        for (int t = 0; t < T; ++t)
            for (int p = 0; p < P; ++p) {
                const std::int64_t n = experiment::tabled(s, t, p),
                                   np = experiment::passed(s, t, p);
                out.push_back(n > 0 ? static_cast<double>(np) / n : 0.0);
                if (n > 0) tabled_anywhere[static_cast<std::size_t>(t) * P + p] = 1;
            }
    }
}

SensitivityArrays sensitivity_arrays(int k, std::int64_t samples, std::uint64_t seed,
                                     const core::RecordShape& shape,
                                     const std::vector<double>& pass_p,
                                     const std::vector<char>& tabled) {
    const std::size_t T = static_cast<std::size_t>(shape.periods),
                      P = static_cast<std::size_t>(shape.proposals), TP = T * P;
    const auto npt = static_cast<std::int64_t>(TP > 0 ? pass_p.size() / TP : 0);
    if (k < 1 || samples < 1 || npt != samples * (k + 2) || tabled.size() != TP)
        throw std::invalid_argument("sensitivity: a Sobol design with " + std::to_string(k) +
                                    " factors and N = " + std::to_string(samples) + " has " +
                                    std::to_string(samples * (k + 2)) + " points, the file has " +
                                    std::to_string(npt));
    const std::size_t K = static_cast<std::size_t>(k);
    SensitivityArrays a;
    a.factors = K;
    a.periods = T;
    a.proposals = P;
    a.first.assign(K * TP, kNaN);
    a.first_lo = a.first_hi = a.total = a.total_lo = a.total_hi = a.first;
    std::vector<double> y(static_cast<std::size_t>(npt));
    for (std::size_t tp = 0; tp < TP; ++tp) {
        if (!tabled[tp]) continue;
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = pass_p[i * TP + tp];
        const auto s = sobol_indices(y, k, samples, a.bootstrap, seed);
        for (std::size_t f = 0; f < K; ++f) {
            const std::size_t i = f * TP + tp;
            a.first[i] = s.first[f];
            a.first_lo[i] = s.first_lo[f];
            a.first_hi[i] = s.first_hi[f];
            a.total[i] = s.total[f];
            a.total_lo[i] = s.total_lo[f];
            a.total_hi[i] = s.total_hi[f];
        }
    }
    return a;
}

SensitivityArrays sensitivity_arrays(int factors, std::int64_t samples, std::uint64_t seed,
                                     const std::vector<Summary>& per_point) {
    if (per_point.empty())
        throw std::invalid_argument("sensitivity: a Sobol design needs points, the file has none");
    std::vector<double> y;
    std::vector<char> tabled;
    append_pass_probabilities(per_point, y, tabled);
    return sensitivity_arrays(factors, samples, seed, per_point.front().shape, y, tabled);
}

namespace {

/// What io's writers store, computed here (core::SummaryStatistics).
class StoredStatistics final : public core::SummaryStatistics {
  public:
    [[nodiscard]] std::vector<DerivedArray> derived(
        const core::RecordShape& shape, int rounds_bins,
        std::span<const core::SummaryCounts* const> block) const override {
        return derived_arrays(shape, rounds_bins, block);
    }
    void append_pass_probabilities(std::span<const core::SummaryCounts* const> block,
                                   std::vector<double>& out,
                                   std::vector<char>& tabled_anywhere) const override {
        experiment::append_pass_probabilities(block, out, tabled_anywhere);
    }
    [[nodiscard]] SensitivityArrays sensitivity(int factors, std::int64_t samples,
                                                std::uint64_t seed, const core::RecordShape& shape,
                                                const std::vector<double>& pass_p,
                                                const std::vector<char>& tabled) const override {
        return sensitivity_arrays(factors, samples, seed, shape, pass_p, tabled);
    }
};

}  // namespace

std::vector<DerivedArray> derived_arrays(const core::RecordShape& shape, int rounds_bins,
                                         std::span<const Summary> block) {
    return derived_arrays(shape, rounds_bins, count_pointers(block));
}

void append_pass_probabilities(std::span<const Summary> block, std::vector<double>& out,
                               std::vector<char>& tabled_anywhere) {
    append_pass_probabilities(count_pointers(block), out, tabled_anywhere);
}

const core::SummaryStatistics& stored_statistics() {
    static const StoredStatistics stats;
    return stats;
}

}  // namespace sco::experiment
