#include "sim/io/summary_writer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "sim/core/model.h"
#include "sim/experiment/sensitivity.h"
#include "sim/io/h5.h"
#include "sim/io/layout.h"

namespace sco::io {

using h5::describe;
using h5::Handle;
using h5::hs;
using h5::kNaN;

namespace {

double ratio(double num, std::int64_t den) {
    return den > 0 ? num / static_cast<double>(den) : kNaN;
}

}  // namespace

void write_summary_group(hid_t file, const core::RecordShape& shape,
                         const std::vector<experiment::Summary>& per_point) {
    using experiment::Summary;
    const std::size_t npt = per_point.size();
    const hsize_t Pt = npt, T = hs(shape.periods), P = hs(shape.proposals), N = hs(shape.agents),
                  D = hs(shape.dims), K = hs(shape.pairs);
    const hsize_t O = experiment::kOutcomes, B = core::kFlagBits, DB = experiment::kDilutionBins,
                  TB = experiment::kTensionBins, Q = std::size(layout::kQuantiles);
    int max_rounds = 0;
    for (const auto& s : per_point) {
        const auto& a = s.shape;
        if (a.periods != shape.periods || a.proposals != shape.proposals ||
            a.agents != shape.agents || a.dims != shape.dims || a.pairs != shape.pairs)
            throw std::invalid_argument("finish: a summary's shape differs from the model's");
        max_rounds = std::max(max_rounds, s.max_rounds);
    }
    const hsize_t RB = hs(max_rounds) + 1;

    Handle g = h5::create_group(file, layout::kSummary);
    describe(g.get(), "",
             "per-point statistics; probabilities are over runs where the proposal was tabled");
    Handle raw = h5::create_group(g.get(), "raw");
    describe(raw.get(), "",
             "the exact integer state of each point's Summary: files merge by adding these");
    h5::set_attr(raw.get(), "fixed_scale", experiment::kFixedScale);
    h5::set_attr(raw.get(), "dilution_bins", static_cast<std::int64_t>(experiment::kDilutionBins));
    h5::set_attr(raw.get(), "tension_bins", static_cast<std::int64_t>(experiment::kTensionBins));

    // ---- raw arrays, concatenated along a leading point axis ----
    auto concat = [&](auto member) {
        std::vector<std::int64_t> out;
        for (const auto& s : per_point) {
            const auto& v = s.*member;
            out.insert(out.end(), v.begin(), v.end());
        }
        return out;
    };
    auto raw_field = [&](const layout::RawField& f) {
        std::vector<hsize_t> dims{Pt};
        std::size_t per = 1;
        for (char axis : std::string_view(f.axes_code)) {
            hsize_t len = 0;
            switch (axis) {
                case 't':
                    len = T;
                    break;
                case 'p':
                    len = P;
                    break;
                case 'o':
                    len = O;
                    break;
                case 'i':
                    len = N;
                    break;
                case 'b':
                    len = B;
                    break;
                case 'd':
                    len = D;
                    break;
                case 'k':
                    len = K;
                    break;
                case 'D':
                    len = DB;
                    break;
                case 'T':
                    len = TB;
                    break;
                case 'R':
                    len = RB;
                    break;
                case 'A':
                    len = T + 1;
                    break;
                default:
                    throw std::logic_error("bad axis code");
            }
            dims.push_back(len);
            per *= len;
        }
        std::vector<std::int64_t> values;
        if (std::string_view(f.name) == "rounds_hist") {
            // Pad every point's histogram to the largest max_rounds.
            values.assign(npt * per, 0);
            for (std::size_t k = 0; k < npt; ++k) {
                const auto& s = per_point[k];
                const std::size_t rb = static_cast<std::size_t>(s.max_rounds) + 1;
                if (s.rounds_hist.size() != T * P * rb)
                    throw std::invalid_argument("finish: rounds_hist has the wrong size");
                for (std::size_t tp = 0; tp < T * P; ++tp)
                    for (std::size_t r = 0; r < rb; ++r)
                        values[k * per + tp * RB + r] = s.rounds_hist[tp * rb + r];
            }
        } else {
            values = concat(f.member);
            if (values.size() != npt * per)
                throw std::invalid_argument(std::string("finish: summary field ") + f.name +
                                            " has the wrong size");
        }
        Handle d = h5::write_array(raw.get(), f.name, dims, values, true);
        describe(d.get(), f.axes, f.description);
    };
    for (const auto& f : layout::raw_fields()) raw_field(f);
    {
        std::vector<std::int64_t> runs, mr;
        for (const auto& s : per_point) {
            runs.push_back(s.runs);
            mr.push_back(s.max_rounds);
        }
        Handle d = h5::write_array(raw.get(), "runs", {Pt}, runs, false);
        describe(d.get(), "point", "runs summarised");
        d = h5::write_array(raw.get(), "max_rounds", {Pt}, mr, false);
        describe(d.get(), "point",
                 "the point's own max_rounds: rounds_hist bins beyond it are padding (zero)");
    }

    // ---- derived, analyst-friendly datasets ----
    std::vector<std::int64_t> tabled(Pt * T * P), passed(Pt * T * P);
    std::vector<double> tabled_p(Pt * T * P), op(Pt * T * P * O), olo(op.size()), ohi(op.size()),
        pp(Pt * T * P), plo(pp.size()), phi(pp.size()), flag_p(Pt * T * P * N * B),
        participation(Pt * T * P * N), rounds_p(Pt * T * P * (RB - 1)), rounds_mean(Pt * T * P),
        dil_p(Pt * T * P * DB), dil_mean(Pt * T * P), pres_p(Pt * T * P), pres_mean(Pt * T * P),
        impl_p(Pt * T * P), lag_mean(Pt * T * P), text_mean(Pt * T * P * D), comp_mean(Pt * T * D),
        wmed_mean(Pt * T * D), ten_mean(Pt * T * K), ten_q(Pt * T * K * Q);
    constexpr int kNotTabled = static_cast<int>(core::Outcome::NotTabled);
    for (std::size_t k = 0; k < npt; ++k) {
        const Summary& s = per_point[k];
        for (int t = 0; t < shape.periods; ++t) {
            for (int p = 0; p < shape.proposals; ++p) {
                const std::size_t tp = (k * T + t) * P + p;
                const std::int64_t n = s.tabled(t, p), np = s.passed(t, p);
                tabled[tp] = n;
                passed[tp] = np;
                tabled_p[tp] = ratio(static_cast<double>(n), s.runs);
                for (int o = 0; o < static_cast<int>(O); ++o) {
                    const std::size_t i = tp * O + o;
                    if (n == 0) {
                        op[i] = olo[i] = ohi[i] = kNaN;
                    } else if (o == kNotTabled) {
                        op[i] = olo[i] = ohi[i] = 0.0;
                    } else {
                        const auto w = experiment::wilson(s.outcome_count(t, p, o), n);
                        op[i] = w.p;
                        olo[i] = w.lo;
                        ohi[i] = w.hi;
                    }
                }
                if (n == 0) {
                    pp[tp] = plo[tp] = phi[tp] = kNaN;
                } else {
                    const auto w = experiment::wilson(np, n);
                    pp[tp] = w.p;
                    plo[tp] = w.lo;
                    phi[tp] = w.hi;
                }
                for (int i = 0; i < shape.agents; ++i)
                    participation[tp * N + i] =
                        ratio(static_cast<double>(
                                  s.participated[(static_cast<std::size_t>(t) * P + p) * N + i]),
                              n);
                for (int i = 0; i < shape.agents; ++i)
                    for (int b = 0; b < static_cast<int>(B); ++b)
                        flag_p[(tp * N + i) * B + b] =
                            ratio(static_cast<double>(s.flag_count(t, p, i, b)), n);
                const std::size_t rb = static_cast<std::size_t>(s.max_rounds) + 1;
                for (hsize_t r = 1; r < RB; ++r)
                    rounds_p[tp * (RB - 1) + (r - 1)] =
                        r < rb
                            ? ratio(static_cast<double>(
                                        s.rounds_hist[(static_cast<std::size_t>(t) * P + p) * rb +
                                                      r]),
                                    n)
                            : (n > 0 ? 0.0 : kNaN);
                rounds_mean[tp] = n > 0 ? s.rounds_mean(t, p) : kNaN;
                const std::size_t stp = static_cast<std::size_t>(t) * P + p;
                for (hsize_t b = 0; b < DB; ++b)
                    dil_p[tp * DB + b] =
                        ratio(static_cast<double>(s.dilution_hist[stp * DB + b]), np);
                dil_mean[tp] = np > 0 ? s.dilution_mean(t, p) : kNaN;
                pres_p[tp] = ratio(static_cast<double>(s.pressure_runs[stp]), n);
                pres_mean[tp] = ratio(static_cast<double>(s.pressure_sum[stp]), n);
                impl_p[tp] = ratio(static_cast<double>(s.implemented[stp]), n);
                lag_mean[tp] = ratio(static_cast<double>(s.lag_sum[stp]), s.implemented[stp]);
                for (hsize_t d = 0; d < D; ++d)
                    text_mean[tp * D + d] = ratio(
                        static_cast<double>(s.text_sum[stp * D + d]) / experiment::kFixedScale, np);
            }
            for (hsize_t d = 0; d < D; ++d) {
                const std::size_t i = (k * T + t) * D + d, si = t * D + d;
                comp_mean[i] = ratio(
                    static_cast<double>(s.compromise_sum[si]) / experiment::kFixedScale, s.runs);
                wmed_mean[i] =
                    ratio(static_cast<double>(s.wmedian_sum[si]) / experiment::kFixedScale, s.runs);
            }
            for (int pr = 0; pr < shape.pairs; ++pr) {
                const std::size_t i = (k * T + t) * K + pr;
                ten_mean[i] = s.runs > 0 ? s.tension_mean(t, pr) : kNaN;
                for (hsize_t q = 0; q < Q; ++q)
                    ten_q[i * Q + q] =
                        s.runs > 0 ? s.tension_quantile(t, pr, layout::kQuantiles[q]) : kNaN;
            }
        }
    }
    auto put = [&](const char* name, const std::vector<hsize_t>& dims, const auto& values,
                   const char* axes, const char* what) {
        Handle d = h5::write_array(g.get(), name, dims, values, true);
        describe(d.get(), axes, what);
    };
    // A slice of flag_p along the flag axis.
    auto flag_slice = [&](int bit) {
        std::vector<double> out(Pt * T * P * N);
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = flag_p[i * B + bit];
        return out;
    };
    put("tabled", {Pt, T, P}, tabled, "point,period,proposal",
        "runs in which the proposal was tabled (outcome != not_tabled)");
    put("tabled_p", {Pt, T, P}, tabled_p, "point,period,proposal",
        "share of all runs in which the proposal was tabled");
    put("passed", {Pt, T, P}, passed, "point,period,proposal",
        "runs in which the proposal passed (adopted, with reservations, coalition or diluted)");
    put("outcome_p", {Pt, T, P, O}, op, "point,period,proposal,outcome",
        "probability of each outcome over tabled runs (not_tabled: 0; NaN if never tabled)");
    put("outcome_lo", {Pt, T, P, O}, olo, "point,period,proposal,outcome",
        "lower end of the 95% Wilson interval of outcome_p");
    put("outcome_hi", {Pt, T, P, O}, ohi, "point,period,proposal,outcome",
        "upper end of the 95% Wilson interval of outcome_p");
    put("passed_p", {Pt, T, P}, pp, "point,period,proposal",
        "probability that the proposal passed, over tabled runs");
    put("passed_lo", {Pt, T, P}, plo, "point,period,proposal",
        "lower end of the 95% Wilson interval of passed_p");
    put("passed_hi", {Pt, T, P}, phi, "point,period,proposal",
        "upper end of the 95% Wilson interval of passed_p");
    put("flag_p", {Pt, T, P, N, B}, flag_p, "point,period,proposal,agent,flag",
        "probability that the agent's flag bit is set, over tabled runs");
    put("participation", {Pt, T, P, N}, participation, "point,period,proposal,agent",
        "probability that the agent took part in the adopted decision (joined and the "
        "proposal passed), over tabled runs");
    put("objection", {Pt, T, P, N},
        flag_slice(std::countr_zero(static_cast<unsigned>(core::kObjected))),
        "point,period,proposal,agent",
        "probability that the agent objected (flag 'objected'), over tabled runs");
    put("transit_denied", {Pt, T, P, N},
        flag_slice(std::countr_zero(static_cast<unsigned>(core::kTransitDenied))),
        "point,period,proposal,agent",
        "probability that the agent denied transit (flag 'transit_denied'), over tabled runs");
    put("rounds_p", {Pt, T, P, RB - 1}, rounds_p, "point,period,proposal,round",
        "probability of ending after each number of rounds (1..max), over tabled runs");
    put("rounds_mean", {Pt, T, P}, rounds_mean, "point,period,proposal",
        "mean rounds used, over tabled runs");
    put("dilution_p", {Pt, T, P, DB}, dil_p, "point,period,proposal,dilution_bin",
        "dilution histogram over passed runs (bin edges in /labels/dilution_edges)");
    put("dilution_mean", {Pt, T, P}, dil_mean, "point,period,proposal",
        "mean dilution over passed runs (NaN if it never passed)");
    put("pressure_p", {Pt, T, P}, pres_p, "point,period,proposal",
        "probability of any pressure, over tabled runs");
    put("pressure_mean", {Pt, T, P}, pres_mean, "point,period,proposal",
        "mean pressure applications per tabled run");
    put("implemented_p", {Pt, T, P}, impl_p, "point,period,proposal",
        "probability that the proposal was adopted and later implemented, over tabled runs");
    put("lag_mean", {Pt, T, P}, lag_mean, "point,period,proposal",
        "mean implementation lag in periods, over implemented runs");
    put("text_mean", {Pt, T, P, D}, text_mean, "point,period,proposal,dimension",
        "mean final text position over passed runs");
    put("compromise_mean", {Pt, T, D}, comp_mean, "point,period,dimension",
        "mean compromise-model position over runs");
    put("weighted_median_mean", {Pt, T, D}, wmed_mean, "point,period,dimension",
        "mean weighted-median position over runs");
    put("tension_mean", {Pt, T, K}, ten_mean, "point,period,pair",
        "mean tension at the end of each period");
    put("tension_quantiles", {Pt, T, K, Q}, ten_q, "point,period,pair,quantile",
        "tension quantiles (probabilities in /labels/quantiles) from the histogram");
    {
        Handle lg = h5::group(H5Gopen2(file, layout::kLabels, H5P_DEFAULT), "opening labels");
        std::vector<std::int64_t> rounds;
        for (hsize_t r = 1; r < RB; ++r) rounds.push_back(static_cast<std::int64_t>(r));
        Handle d = h5::write_array(lg.get(), "rounds", {rounds.size()}, rounds, false);
        describe(d.get(), "round", "number of rounds (1..max_rounds)");
    }
}

bool has_sensitivity(const std::string& design, std::int64_t first_point, std::int64_t points,
                     std::int64_t total_points) {
    return design == "sobol" && first_point == 0 && points == total_points;
}

void write_sensitivity(hid_t file, const std::vector<std::string>& factors, std::int64_t samples,
                       std::uint64_t seed, const std::vector<experiment::Summary>& per_point) {
    const int k = static_cast<int>(factors.size());
    const auto npt = static_cast<std::int64_t>(per_point.size());
    if (k < 1 || samples < 1 || npt != samples * (k + 2))
        throw std::invalid_argument("sensitivity: a Sobol design with " + std::to_string(k) +
                                    " factors and N = " + std::to_string(samples) + " has " +
                                    std::to_string(samples * (k + 2)) + " points, the file has " +
                                    std::to_string(npt));
    const core::RecordShape& shape = per_point.front().shape;
    const std::size_t T = hs(shape.periods), P = hs(shape.proposals), TP = T * P;
    const auto y_all = experiment::pass_probabilities(per_point);
    // A proposal that is tabled at no point has no pass probability to explain.
    std::vector<bool> tabled(TP, false);
    for (const auto& s : per_point)
        for (std::size_t t = 0; t < T; ++t)
            for (std::size_t p = 0; p < P; ++p)
                if (s.tabled(static_cast<int>(t), static_cast<int>(p)) > 0)
                    tabled[t * P + p] = true;

    const std::size_t K = hs(k);
    std::vector<double> first(K * TP, kNaN), first_lo(first), first_hi(first), total(first),
        total_lo(first), total_hi(first);
    std::vector<double> y(per_point.size());
    for (std::size_t tp = 0; tp < TP; ++tp) {
        if (!tabled[tp]) continue;
        for (std::size_t i = 0; i < per_point.size(); ++i) y[i] = y_all[i][tp];
        const auto s = experiment::sobol_indices(y, k, samples, kSensitivityBootstrap, seed);
        for (std::size_t f = 0; f < K; ++f) {
            const std::size_t i = f * TP + tp;
            first[i] = s.first[f];
            first_lo[i] = s.first_lo[f];
            first_hi[i] = s.first_hi[f];
            total[i] = s.total[f];
            total_lo[i] = s.total_lo[f];
            total_hi[i] = s.total_hi[f];
        }
    }
    Handle g = h5::create_group(file, "/sensitivity");
    describe(g.get(), "",
             "Sobol indices of the pass probability of each proposal at each summit (over tabled "
             "runs; 0 at points where it was not tabled) across the points of the whole design");
    h5::set_attr(g.get(), "bootstrap", static_cast<std::int64_t>(kSensitivityBootstrap));
    h5::set_attr(g.get(), "confidence", 0.95);
    const std::vector<hsize_t> dims{K, T, P};
    auto put = [&](const char* name, const std::vector<double>& v, const char* what) {
        Handle d = h5::write_array(g.get(), name, dims, v, false);
        describe(d.get(), "factor,period,proposal", what);
    };
    put("first", first,
        "first-order index (Saltelli 2010): share of variance due to the factor alone");
    put("first_lo", first_lo, "lower end of the 95% bootstrap interval of first");
    put("first_hi", first_hi, "upper end of the 95% bootstrap interval of first");
    put("total", total, "total-order index (Jansen 1999): share of variance involving the factor");
    put("total_lo", total_lo, "lower end of the 95% bootstrap interval of total");
    put("total_hi", total_hi, "upper end of the 95% bootstrap interval of total");
}

}  // namespace sco::io
