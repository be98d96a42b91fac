#include "sim/io/summary_writer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "sim/core/model.h"
#include "sim/io/h5.h"
#include "sim/io/layout.h"

namespace sco::io {

using h5::describe;
using h5::Handle;
using h5::hs;
using h5::kNaN;

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
    const core::SummaryStatistics* stats = nullptr;
    core::RecordShape shape;
    std::size_t points = 0, done = 0;
    hsize_t T = 0, P = 0, N = 0, D = 0, K = 0, J = 0, RB = 0;
    std::vector<int> tension_pairs;
    static constexpr hsize_t O = core::kOutcomes, B = core::kFlagBits, DB = core::kDilutionBins,
                             TB = core::kTensionBins;
    Handle g, raw;
    std::vector<std::pair<const layout::RawField*, Handle>> raw_sets;
    Handle runs_set, max_rounds_set;
    std::vector<std::pair<std::string, Handle>> derived;  // in the order they are filled
    std::vector<core::SummaryCounts> pending;
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
            case 'j':
                return J;
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

SummaryGroupWriter::SummaryGroupWriter(hid_t file, const core::SummaryStatistics& stats,
                                       const core::RecordShape& shape, std::int64_t points,
                                       int max_rounds, std::vector<int> tension_pairs)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.file = file;
    m.stats = &stats;
    m.shape = shape;
    m.points = static_cast<std::size_t>(points);
    m.T = hs(shape.periods);
    m.P = hs(shape.proposals);
    m.N = hs(shape.agents);
    m.D = hs(shape.dims);
    m.K = hs(shape.pairs);
    m.J = tension_pairs.size();
    m.tension_pairs = std::move(tension_pairs);
    m.RB = hs(max_rounds) + 1;
    m.tabled_any.assign(m.T * m.P, 0);
    const hsize_t Pt = m.points, RB = m.RB;

    m.g = h5::create_group(file, layout::kSummary);
    describe(m.g.get(), "",
             "per-point statistics; probabilities are over runs where the proposal was tabled");
    m.raw = h5::create_group(m.g.get(), "raw");
    describe(m.raw.get(), "",
             "the exact integer state of each point's Summary: files merge by adding these");
    h5::set_attr(m.raw.get(), "fixed_scale", core::kFixedScale);
    h5::set_attr(m.raw.get(), "dilution_bins", static_cast<std::int64_t>(core::kDilutionBins));
    h5::set_attr(m.raw.get(), "tension_bins", static_cast<std::int64_t>(core::kTensionBins));
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

    // The derived datasets: names, axes and descriptions as experiment defines them.
    for (const auto& a : stats.derived(shape, static_cast<int>(RB), {})) {
        std::vector<hsize_t> dims{Pt};
        for (auto n : a.dims) dims.push_back(n);
        Handle d = h5::create_dataset(m.g.get(), a.name.c_str(),
                                      a.integer ? h5::native<std::int64_t>() : h5::native<double>(),
                                      dims, false, true);
        describe(d.get(), a.axes.c_str(), a.description.c_str());
        m.derived.emplace_back(a.name, std::move(d));
    }
}

SummaryGroupWriter::~SummaryGroupWriter() = default;

void SummaryGroupWriter::add(core::SummaryCounts&& s) {
    Impl& m = *impl_;
    std::size_t bytes = 0;
    for (const auto& f : layout::raw_fields()) bytes += 8 * (s.*f.member).size();
    m.pending.push_back(std::move(s));
    m.pending_bytes += bytes;
    if (m.pending_bytes >= kSummaryBlockBytes) {
        write_pending();
    }
}

void SummaryGroupWriter::write_pending() {
    Impl& m = *impl_;
    std::vector<const core::SummaryCounts*> block;
    block.reserve(m.pending.size());
    for (const auto& s : m.pending) block.push_back(&s);
    write(block);
    m.pending.clear();
    m.pending_bytes = 0;
}

void SummaryGroupWriter::write(std::span<const core::SummaryCounts* const> block) {
    Impl& m = *impl_;
    const std::size_t npt = block.size();
    if (npt == 0) return;
    if (m.done + npt > m.points)
        throw std::invalid_argument("finish: more summaries than the file's " +
                                    std::to_string(m.points) + " points");
    const core::RecordShape& shape = m.shape;
    for (const core::SummaryCounts* c : block) {
        const core::SummaryCounts& s = *c;
        s.require_shape(shape, "finish");
        if (s.tension_pairs != m.tension_pairs)
            throw std::invalid_argument(
                "finish: a summary keeps the tension histograms of other pairs than the file");
        if (hs(s.max_rounds) + 1 > m.RB)
            throw std::invalid_argument("finish: a summary has more rounds than the file");
    }
    const std::size_t at = m.done;
    const hsize_t T = m.T, P = m.P, RB = m.RB;

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
                const auto& s = *block[k];
                const std::size_t rb = static_cast<std::size_t>(s.max_rounds) + 1;
                if (s.rounds_hist.size() != T * P * rb)
                    throw std::invalid_argument("finish: rounds_hist has the wrong size");
                for (std::size_t tp = 0; tp < T * P; ++tp)
                    for (std::size_t r = 0; r < rb; ++r)
                        values[k * per + tp * RB + r] = s.rounds_hist[tp * rb + r];
            }
        } else {
            values.reserve(npt * per);
            for (const core::SummaryCounts* s : block) {
                const auto& v = s->*f.member;
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
        for (const core::SummaryCounts* s : block) {
            runs.push_back(s->runs);
            mr.push_back(s->max_rounds);
        }
        write_rows(m.runs_set.get(), at, npt, runs, "writing runs");
        write_rows(m.max_rounds_set.get(), at, npt, mr, "writing max_rounds");
    }

    // ---- derived datasets, computed by experiment (m.stats), stored as given ----
    for (const auto& a : m.stats->derived(shape, static_cast<int>(m.RB), block)) {
        const std::string what = "writing " + a.name;
        if (a.integer)
            write_rows(m.set(a.name.c_str()), at, npt, a.ints, what);
        else
            write_rows(m.set(a.name.c_str()), at, npt, a.reals, what);
    }
    // The compact per-point output of the sensitivity analysis.
    m.stats->append_pass_probabilities(block, m.pass_p, m.tabled_any);
    m.done += npt;
}

void SummaryGroupWriter::finish() {
    Impl& m = *impl_;
    write_pending();
    if (m.done != m.points)
        throw std::invalid_argument("finish: " + std::to_string(m.done) + " summaries for " +
                                    std::to_string(m.points) + " points");
    Handle lg = h5::group(H5Gopen2(m.file, layout::kLabels, H5P_DEFAULT), "opening labels");
    std::vector<std::int64_t> rounds;
    for (hsize_t r = 1; r < m.RB; ++r) rounds.push_back(static_cast<std::int64_t>(r));
    Handle d = h5::write_array(lg.get(), "rounds", {rounds.size()}, rounds, false);
    describe(d.get(), "round", "number of rounds (1..max_rounds)");
    const std::vector<std::int64_t> tp(m.tension_pairs.begin(), m.tension_pairs.end());
    Handle dt = h5::write_array(lg.get(), "tension_pairs", {tp.size()}, tp, false);
    describe(dt.get(), "tension_pair",
             "the pairs (indices along the pair axis) whose tension histograms are kept");
}

const std::vector<double>& SummaryGroupWriter::pass_probabilities() const {
    return impl_->pass_p;
}

const std::vector<char>& SummaryGroupWriter::tabled_anywhere() const {
    return impl_->tabled_any;
}

void write_summary_group(hid_t file, const core::SummaryStatistics& stats,
                         const core::RecordShape& shape,
                         std::span<const core::SummaryCounts* const> per_point) {
    int max_rounds = 0;
    for (const core::SummaryCounts* s : per_point) max_rounds = std::max(max_rounds, s->max_rounds);
    SummaryGroupWriter w(
        file, stats, shape, static_cast<std::int64_t>(per_point.size()), max_rounds,
        per_point.empty() ? core::all_pairs(shape.pairs) : per_point.front()->tension_pairs);
    w.write(per_point);
    w.finish();
}

std::vector<core::SummaryCounts> read_summary_rows(hid_t file, const core::RecordShape& shape,
                                                   const std::vector<int>& tension_pairs,
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
    std::vector<core::SummaryCounts> out;
    out.reserve(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
        if (max_rounds[k] < 0 || max_rounds[k] > 255)
            throw h5::Failure("/summary/raw/max_rounds is out of range");
        out.emplace_back(shape, static_cast<int>(max_rounds[k]), tension_pairs);
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

void write_sensitivity(hid_t file, const core::SensitivityArrays& a) {
    const std::size_t n = a.factors * a.periods * a.proposals;
    for (const auto* v : {&a.first, &a.first_lo, &a.first_hi, &a.total, &a.total_lo, &a.total_hi})
        if (v->size() != n)
            throw std::invalid_argument("sensitivity: an index array does not fit its shape");
    Handle g = h5::create_group(file, "/sensitivity");
    describe(g.get(), "",
             "Sobol indices of the pass probability of each proposal at each summit (over tabled "
             "runs; 0 at points where it was not tabled) across the points of the whole design");
    h5::set_attr(g.get(), "bootstrap", static_cast<std::int64_t>(a.bootstrap));
    h5::set_attr(g.get(), "confidence", a.confidence);
    const std::vector<hsize_t> dims{a.factors, a.periods, a.proposals};
    auto put = [&](const char* name, const std::vector<double>& v, const char* what) {
        Handle d = h5::write_array(g.get(), name, dims, v, false);
        describe(d.get(), "factor,period,proposal", what);
    };
    put("first", a.first,
        "first-order index (Saltelli 2010): share of variance due to the factor alone");
    put("first_lo", a.first_lo, "lower end of the 95% bootstrap interval of first");
    put("first_hi", a.first_hi, "upper end of the 95% bootstrap interval of first");
    put("total", a.total,
        "total-order index (Jansen 1999): share of variance involving the factor");
    put("total_lo", a.total_lo, "lower end of the 95% bootstrap interval of total");
    put("total_hi", a.total_hi, "upper end of the 95% bootstrap interval of total");
}

}  // namespace sco::io
