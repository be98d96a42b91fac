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

namespace {

/// Writes rows [first, first + rows) along the leading (point) axis of `dset` from `buf`.
template <typename T>
void write_rows(hid_t dset, std::size_t first, std::size_t rows, const std::vector<T>& buf,
                const std::string& what) {
    if (rows == 0) return;
    Handle sp = h5::space(H5Dget_space(dset), what);
    const int rank = H5Sget_simple_extent_ndims(sp.get());
    h5::check_id(rank, what);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    h5::check_rc(H5Sget_simple_extent_dims(sp.get(), dims.data(), nullptr), what);
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = first;
    count[0] = rows;
    if (std::find(count.begin(), count.end(), hsize_t{0}) != count.end()) return;
    h5::check_rc(
        H5Sselect_hyperslab(sp.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        what);
    Handle mem = h5::space(H5Screate_simple(rank, count.data(), nullptr), what);
    h5::check_rc(H5Dwrite(dset, h5::native<T>(), mem.get(), sp.get(), H5P_DEFAULT, buf.data()),
                 what);
}

/// Summaries are written in blocks of about this many bytes of raw counts.
constexpr std::size_t kSummaryBlockBytes = std::size_t{32} << 20;

}  // namespace

struct SummaryGroupWriter::Impl {
    hid_t file = -1;
    core::RecordShape shape;
    std::size_t points = 0, done = 0;
    hsize_t T = 0, P = 0, N = 0, D = 0, K = 0, RB = 0;
    static constexpr hsize_t O = experiment::kOutcomes, B = core::kFlagBits,
                             DB = experiment::kDilutionBins, TB = experiment::kTensionBins,
                             Q = std::size(layout::kQuantiles);
    Handle g, raw;
    std::vector<std::pair<const layout::RawField*, Handle>> raw_sets;
    Handle runs_set, max_rounds_set;
    std::vector<std::pair<std::string, Handle>> derived;  // in the order they are filled
    std::vector<experiment::Summary> pending;
    std::size_t pending_bytes = 0;
    std::vector<double> pass_p;  // [point][t * P + p]
    std::vector<char> tabled_any;

    hsize_t axis_len(char axis) const {
        switch (axis) {
            case 't':
                return T;
            case 'p':
                return P;
            case 'o':
                return O;
            case 'i':
                return N;
            case 'b':
                return B;
            case 'd':
                return D;
            case 'k':
                return K;
            case 'D':
                return DB;
            case 'T':
                return TB;
            case 'R':
                return RB;
            case 'A':
                return T + 1;
            default:
                throw std::logic_error("bad axis code");
        }
    }
    hid_t set(const char* name) const {
        for (const auto& [n, h] : derived)
            if (n == name) return h.get();
        throw std::logic_error(std::string("no summary dataset ") + name);
    }
};

SummaryGroupWriter::SummaryGroupWriter(hid_t file, const core::RecordShape& shape,
                                       std::int64_t points, int max_rounds)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.file = file;
    m.shape = shape;
    m.points = static_cast<std::size_t>(points);
    m.T = hs(shape.periods);
    m.P = hs(shape.proposals);
    m.N = hs(shape.agents);
    m.D = hs(shape.dims);
    m.K = hs(shape.pairs);
    m.RB = hs(max_rounds) + 1;
    m.tabled_any.assign(m.T * m.P, 0);
    const hsize_t Pt = m.points, T = m.T, P = m.P, N = m.N, D = m.D, K = m.K, RB = m.RB;
    constexpr hsize_t O = Impl::O, B = Impl::B, DB = Impl::DB, Q = Impl::Q;

    m.g = h5::create_group(file, layout::kSummary);
    describe(m.g.get(), "",
             "per-point statistics; probabilities are over runs where the proposal was tabled");
    m.raw = h5::create_group(m.g.get(), "raw");
    describe(m.raw.get(), "",
             "the exact integer state of each point's Summary: files merge by adding these");
    h5::set_attr(m.raw.get(), "fixed_scale", experiment::kFixedScale);
    h5::set_attr(m.raw.get(), "dilution_bins",
                 static_cast<std::int64_t>(experiment::kDilutionBins));
    h5::set_attr(m.raw.get(), "tension_bins", static_cast<std::int64_t>(experiment::kTensionBins));
    for (const auto& f : layout::raw_fields()) {
        std::vector<hsize_t> dims{Pt};
        for (char axis : std::string_view(f.axes_code)) dims.push_back(m.axis_len(axis));
        Handle d =
            h5::create_dataset(m.raw.get(), f.name, h5::native<std::int64_t>(), dims, false, true);
        describe(d.get(), f.axes, f.description);
        m.raw_sets.emplace_back(&f, std::move(d));
    }
    m.runs_set =
        h5::create_dataset(m.raw.get(), "runs", h5::native<std::int64_t>(), {Pt}, false, false);
    describe(m.runs_set.get(), "point", "runs summarised");
    m.max_rounds_set = h5::create_dataset(m.raw.get(), "max_rounds", h5::native<std::int64_t>(),
                                          {Pt}, false, false);
    describe(m.max_rounds_set.get(), "point",
             "the point's own max_rounds: rounds_hist bins beyond it are padding (zero)");

    auto put = [&](const char* name, hid_t type, const std::vector<hsize_t>& dims, const char* axes,
                   const char* what) {
        Handle d = h5::create_dataset(m.g.get(), name, type, dims, false, true);
        describe(d.get(), axes, what);
        m.derived.emplace_back(name, std::move(d));
    };
    const hid_t I64 = h5::native<std::int64_t>(), F64 = h5::native<double>();
    put("tabled", I64, {Pt, T, P}, "point,period,proposal",
        "runs in which the proposal was tabled (outcome != not_tabled)");
    put("tabled_p", F64, {Pt, T, P}, "point,period,proposal",
        "share of all runs in which the proposal was tabled");
    put("passed", I64, {Pt, T, P}, "point,period,proposal",
        "runs in which the proposal passed (adopted, with reservations, coalition or diluted)");
    put("outcome_p", F64, {Pt, T, P, O}, "point,period,proposal,outcome",
        "probability of each outcome over tabled runs (not_tabled: 0; NaN if never tabled)");
    put("outcome_lo", F64, {Pt, T, P, O}, "point,period,proposal,outcome",
        "lower end of the 95% Wilson interval of outcome_p");
    put("outcome_hi", F64, {Pt, T, P, O}, "point,period,proposal,outcome",
        "upper end of the 95% Wilson interval of outcome_p");
    put("passed_p", F64, {Pt, T, P}, "point,period,proposal",
        "probability that the proposal passed, over tabled runs");
    put("passed_lo", F64, {Pt, T, P}, "point,period,proposal",
        "lower end of the 95% Wilson interval of passed_p");
    put("passed_hi", F64, {Pt, T, P}, "point,period,proposal",
        "upper end of the 95% Wilson interval of passed_p");
    put("flag_p", F64, {Pt, T, P, N, B}, "point,period,proposal,agent,flag",
        "probability that the agent's flag bit is set, over tabled runs");
    put("participation", F64, {Pt, T, P, N}, "point,period,proposal,agent",
        "probability that the agent took part in the adopted decision (joined and the "
        "proposal passed), over tabled runs");
    put("objection", F64, {Pt, T, P, N}, "point,period,proposal,agent",
        "probability that the agent objected (flag 'objected'), over tabled runs");
    put("transit_denied", F64, {Pt, T, P, N}, "point,period,proposal,agent",
        "probability that the agent denied transit (flag 'transit_denied'), over tabled runs");
    put("rounds_p", F64, {Pt, T, P, RB - 1}, "point,period,proposal,round",
        "probability of ending after each number of rounds (1..max), over tabled runs");
    put("rounds_mean", F64, {Pt, T, P}, "point,period,proposal",
        "mean rounds used, over tabled runs");
    put("dilution_p", F64, {Pt, T, P, DB}, "point,period,proposal,dilution_bin",
        "dilution histogram over passed runs (bin edges in /labels/dilution_edges)");
    put("dilution_mean", F64, {Pt, T, P}, "point,period,proposal",
        "mean dilution over passed runs (NaN if it never passed)");
    put("pressure_p", F64, {Pt, T, P}, "point,period,proposal",
        "probability of any pressure, over tabled runs");
    put("pressure_mean", F64, {Pt, T, P}, "point,period,proposal",
        "mean pressure applications per tabled run");
    put("implemented_p", F64, {Pt, T, P}, "point,period,proposal",
        "probability that the proposal was adopted and later implemented, over tabled runs");
    put("lag_mean", F64, {Pt, T, P}, "point,period,proposal",
        "mean implementation lag in periods, over implemented runs");
    put("text_mean", F64, {Pt, T, P, D}, "point,period,proposal,dimension",
        "mean final text position over passed runs");
    put("compromise_mean", F64, {Pt, T, D}, "point,period,dimension",
        "mean compromise-model position over runs");
    put("weighted_median_mean", F64, {Pt, T, D}, "point,period,dimension",
        "mean weighted-median position over runs");
    put("tension_mean", F64, {Pt, T, K}, "point,period,pair",
        "mean tension at the end of each period");
    put("tension_quantiles", F64, {Pt, T, K, Q}, "point,period,pair,quantile",
        "tension quantiles (probabilities in /labels/quantiles) from the histogram");
}

SummaryGroupWriter::~SummaryGroupWriter() = default;

void SummaryGroupWriter::add(experiment::Summary&& s) {
    Impl& m = *impl_;
    std::size_t bytes = 0;
    for (const auto& f : layout::raw_fields()) bytes += 8 * (s.*f.member).size();
    m.pending.push_back(std::move(s));
    m.pending_bytes += bytes;
    if (m.pending_bytes >= kSummaryBlockBytes) {
        write(m.pending);
        m.pending.clear();
        m.pending_bytes = 0;
    }
}

void SummaryGroupWriter::write(std::span<const experiment::Summary> block) {
    using experiment::Summary;
    Impl& m = *impl_;
    const std::size_t npt = block.size();
    if (npt == 0) return;
    if (m.done + npt > m.points)
        throw std::invalid_argument("finish: more summaries than the file's " +
                                    std::to_string(m.points) + " points");
    const core::RecordShape& shape = m.shape;
    for (const auto& s : block) {
        const auto& a = s.shape;
        if (a.periods != shape.periods || a.proposals != shape.proposals ||
            a.agents != shape.agents || a.dims != shape.dims || a.pairs != shape.pairs)
            throw std::invalid_argument("finish: a summary's shape differs from the model's");
        if (hs(s.max_rounds) + 1 > m.RB)
            throw std::invalid_argument("finish: a summary has more rounds than the file");
    }
    const hsize_t Pt = npt, T = m.T, P = m.P, N = m.N, D = m.D, K = m.K, RB = m.RB;
    constexpr hsize_t O = Impl::O, B = Impl::B, DB = Impl::DB, Q = Impl::Q;
    const std::size_t at = m.done;

    // ---- raw arrays, concatenated along a leading point axis ----
    for (const auto& [fp, d] : m.raw_sets) {
        const layout::RawField& f = *fp;
        std::size_t per = 1;
        for (char axis : std::string_view(f.axes_code)) per *= m.axis_len(axis);
        std::vector<std::int64_t> values;
        if (std::string_view(f.name) == "rounds_hist") {
            // Pad every point's histogram to the largest max_rounds.
            values.assign(npt * per, 0);
            for (std::size_t k = 0; k < npt; ++k) {
                const auto& s = block[k];
                const std::size_t rb = static_cast<std::size_t>(s.max_rounds) + 1;
                if (s.rounds_hist.size() != T * P * rb)
                    throw std::invalid_argument("finish: rounds_hist has the wrong size");
                for (std::size_t tp = 0; tp < T * P; ++tp)
                    for (std::size_t r = 0; r < rb; ++r)
                        values[k * per + tp * RB + r] = s.rounds_hist[tp * rb + r];
            }
        } else {
            values.reserve(npt * per);
            for (const auto& s : block) {
                const auto& v = s.*f.member;
                if (v.size() != per)
                    throw std::invalid_argument(std::string("finish: summary field ") + f.name +
                                                " has the wrong size");
                values.insert(values.end(), v.begin(), v.end());
            }
        }
        write_rows(d.get(), at, npt, values, std::string("writing ") + f.name);
    }
    {
        std::vector<std::int64_t> runs, mr;
        for (const auto& s : block) {
            runs.push_back(s.runs);
            mr.push_back(s.max_rounds);
        }
        write_rows(m.runs_set.get(), at, npt, runs, "writing runs");
        write_rows(m.max_rounds_set.get(), at, npt, mr, "writing max_rounds");
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
        const Summary& s = block[k];
        for (int t = 0; t < shape.periods; ++t) {
            for (int p = 0; p < shape.proposals; ++p) {
                const std::size_t tp = (k * T + t) * P + p;
                const std::int64_t n = s.tabled(t, p), np = s.passed(t, p);
                tabled[tp] = n;
                passed[tp] = np;
                // The compact per-point output of the sensitivity analysis.
                m.pass_p.push_back(n > 0 ? static_cast<double>(np) / n : 0.0);
                if (n > 0) m.tabled_any[static_cast<std::size_t>(t) * P + p] = 1;
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
    auto put = [&](const char* name, const auto& values) {
        write_rows(m.set(name), at, npt, values, std::string("writing ") + name);
    };
    // A slice of flag_p along the flag axis.
    auto flag_slice = [&](int bit) {
        std::vector<double> out(Pt * T * P * N);
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = flag_p[i * B + bit];
        return out;
    };
    put("tabled", tabled);
    put("tabled_p", tabled_p);
    put("passed", passed);
    put("outcome_p", op);
    put("outcome_lo", olo);
    put("outcome_hi", ohi);
    put("passed_p", pp);
    put("passed_lo", plo);
    put("passed_hi", phi);
    put("flag_p", flag_p);
    put("participation", participation);
    put("objection", flag_slice(std::countr_zero(static_cast<unsigned>(core::kObjected))));
    put("transit_denied",
        flag_slice(std::countr_zero(static_cast<unsigned>(core::kTransitDenied))));
    put("rounds_p", rounds_p);
    put("rounds_mean", rounds_mean);
    put("dilution_p", dil_p);
    put("dilution_mean", dil_mean);
    put("pressure_p", pres_p);
    put("pressure_mean", pres_mean);
    put("implemented_p", impl_p);
    put("lag_mean", lag_mean);
    put("text_mean", text_mean);
    put("compromise_mean", comp_mean);
    put("weighted_median_mean", wmed_mean);
    put("tension_mean", ten_mean);
    put("tension_quantiles", ten_q);
    m.done += npt;
}

void SummaryGroupWriter::finish() {
    Impl& m = *impl_;
    write(m.pending);
    m.pending.clear();
    m.pending_bytes = 0;
    if (m.done != m.points)
        throw std::invalid_argument("finish: " + std::to_string(m.done) + " summaries for " +
                                    std::to_string(m.points) + " points");
    Handle lg = h5::group(H5Gopen2(m.file, layout::kLabels, H5P_DEFAULT), "opening labels");
    std::vector<std::int64_t> rounds;
    for (hsize_t r = 1; r < m.RB; ++r) rounds.push_back(static_cast<std::int64_t>(r));
    Handle d = h5::write_array(lg.get(), "rounds", {rounds.size()}, rounds, false);
    describe(d.get(), "round", "number of rounds (1..max_rounds)");
}

const std::vector<double>& SummaryGroupWriter::pass_probabilities() const {
    return impl_->pass_p;
}

const std::vector<char>& SummaryGroupWriter::tabled_anywhere() const {
    return impl_->tabled_any;
}

void write_summary_group(hid_t file, const core::RecordShape& shape,
                         const std::vector<experiment::Summary>& per_point) {
    int max_rounds = 0;
    for (const auto& s : per_point) max_rounds = std::max(max_rounds, s.max_rounds);
    SummaryGroupWriter w(file, shape, static_cast<std::int64_t>(per_point.size()), max_rounds);
    w.write(per_point);
    w.finish();
}

std::vector<experiment::Summary> read_summary_rows(hid_t file, const core::RecordShape& shape,
                                                   std::int64_t points, std::int64_t first,
                                                   std::int64_t n) {
    if (first < 0 || n < 0 || first + n > points)
        throw h5::Failure("summary rows " + std::to_string(first) + "+" + std::to_string(n) +
                          " are outside the file's " + std::to_string(points) + " points");
    const std::string raw = layout::kRaw;
    // Reads rows [first, first + n) of a dataset whose shape is {points, per...}.
    auto rows = [&](const std::string& name, std::size_t per_expected, std::size_t* per_out) {
        const std::string path = raw + "/" + name;
        Handle d = h5::open_dataset(file, path);
        const auto dims = h5::shape(d.get());
        std::size_t per = 1;
        for (std::size_t i = 1; i < dims.size(); ++i) per *= dims[i];
        if (dims.empty() || dims[0] != hs(points) || (per_expected > 0 && per != per_expected))
            throw h5::Failure(path + " has the wrong shape for the labels");
        if (per_out) *per_out = per;
        std::vector<std::int64_t> out(static_cast<std::size_t>(n) * per);
        if (out.empty()) return out;
        Handle sp = h5::space(H5Dget_space(d.get()), "reading " + path);
        std::vector<hsize_t> start(dims.size(), 0), count = dims;
        start[0] = hs(first);
        count[0] = hs(n);
        h5::check_rc(H5Sselect_hyperslab(sp.get(), H5S_SELECT_SET, start.data(), nullptr,
                                         count.data(), nullptr),
                     "reading " + path);
        Handle mem =
            h5::space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                      "reading " + path);
        h5::check_rc(
            H5Dread(d.get(), H5T_NATIVE_INT64, mem.get(), sp.get(), H5P_DEFAULT, out.data()),
            "reading " + path);
        return out;
    };
    const auto runs = rows("runs", 1, nullptr);
    const auto max_rounds = rows("max_rounds", 1, nullptr);
    std::vector<experiment::Summary> out;
    out.reserve(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
        if (max_rounds[k] < 0 || max_rounds[k] > 255)
            throw h5::Failure("/summary/raw/max_rounds is out of range");
        out.emplace_back(shape, static_cast<int>(max_rounds[k]));
        out.back().runs = runs[k];
    }
    for (const auto& field : layout::raw_fields()) {
        const bool rounds = std::string_view(field.name) == "rounds_hist";
        std::size_t per = 0;
        const auto all =
            rows(field.name, rounds || n == 0 ? 0 : (out[0].*field.member).size(), &per);
        const std::size_t TP = hs(shape.periods) * hs(shape.proposals);
        if (rounds && (TP == 0 || per % TP != 0))
            throw h5::Failure(raw + "/rounds_hist has the wrong shape for the labels");
        const std::size_t RB = rounds ? per / TP : 0;
        for (std::int64_t k = 0; k < n; ++k) {
            auto& dst = out[k].*field.member;
            const auto* src = all.data() + static_cast<std::size_t>(k) * per;
            if (!rounds) {
                dst.assign(src, src + per);
                continue;
            }
            const std::size_t rb = static_cast<std::size_t>(max_rounds[k]) + 1;
            if (rb > RB) throw h5::Failure(raw + "/max_rounds exceeds the rounds histogram");
            for (std::size_t tp = 0; tp < TP; ++tp)
                for (std::size_t b = 0; b < rb; ++b) dst[tp * rb + b] = src[tp * RB + b];
        }
    }
    return out;
}

bool has_sensitivity(const std::string& design, std::int64_t first_point, std::int64_t points,
                     std::int64_t total_points) {
    return design == "sobol" && first_point == 0 && points == total_points;
}

void write_sensitivity(hid_t file, const std::vector<std::string>& factors, std::int64_t samples,
                       std::uint64_t seed, const std::vector<experiment::Summary>& per_point) {
    if (per_point.empty())
        throw std::invalid_argument("sensitivity: a Sobol design needs points, the file has none");
    const core::RecordShape& shape = per_point.front().shape;
    const std::size_t TP = hs(shape.periods) * hs(shape.proposals);
    std::vector<double> y;
    y.reserve(per_point.size() * TP);
    for (const auto& row : experiment::pass_probabilities(per_point))
        y.insert(y.end(), row.begin(), row.end());
    std::vector<char> tabled(TP, 0);
    for (const auto& s : per_point)
        for (int t = 0; t < shape.periods; ++t)
            for (int p = 0; p < shape.proposals; ++p)
                if (s.tabled(t, p) > 0)
                    tabled[static_cast<std::size_t>(t) * shape.proposals + p] = 1;
    write_sensitivity(file, factors, samples, seed, shape, y, tabled);
}

void write_sensitivity(hid_t file, const std::vector<std::string>& factors, std::int64_t samples,
                       std::uint64_t seed, const core::RecordShape& shape,
                       const std::vector<double>& pass_p, const std::vector<char>& tabled) {
    const int k = static_cast<int>(factors.size());
    const std::size_t T = hs(shape.periods), P = hs(shape.proposals), TP = T * P;
    const auto npt = static_cast<std::int64_t>(TP > 0 ? pass_p.size() / TP : 0);
    if (k < 1 || samples < 1 || npt != samples * (k + 2))
        throw std::invalid_argument("sensitivity: a Sobol design with " + std::to_string(k) +
                                    " factors and N = " + std::to_string(samples) + " has " +
                                    std::to_string(samples * (k + 2)) + " points, the file has " +
                                    std::to_string(npt));
    const std::size_t K = hs(k);
    std::vector<double> first(K * TP, kNaN), first_lo(first), first_hi(first), total(first),
        total_lo(first), total_hi(first);
    std::vector<double> y(static_cast<std::size_t>(npt));
    for (std::size_t tp = 0; tp < TP; ++tp) {
        if (!tabled[tp]) continue;
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = pass_p[i * TP + tp];
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
