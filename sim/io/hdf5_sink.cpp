#include "sim/io/hdf5_sink.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>

#include "sim/core/labels.h"
#include "sim/io/atomic_file.h"
#include "sim/io/h5.h"
#include "sim/io/layout.h"
#include "sim/io/sha256.h"
#include "sim/io/summary_writer.h"

namespace sco::io {

namespace fs = std::filesystem;
using h5::describe;
using h5::Handle;
using h5::hs;
using h5::kNaN;

/// An allocator whose value-initialising construct (resize(n)) default-initialises
/// instead, so that a byte buffer grows without being zero-filled first.
template <class T>
struct DefaultInit : std::allocator<T> {
    using std::allocator<T>::allocator;
    template <class U>
    struct rebind {
        using other = DefaultInit<U>;
    };
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... A>
    void construct(U* p, A&&... a) {
        ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
    }
};

/// One per-run output (core::kRunOutputs, same index): its dataset (invalid if this file
/// does not store it) and how many values one run contributes.
struct RunColumn {
    std::string name;
    const core::RunOutput* out = nullptr;
    Handle dset;
    hid_t mem_type = H5I_INVALID_HID;
    std::size_t per_run = 0;
    std::size_t row_bytes = 0;   ///< bytes one run takes (per_run x element size)
    std::size_t chunk_runs = 0;  ///< runs per chunk
    /// Runs not yet in a written chunk (< chunk_runs); grown without zero-filling, since
    /// stage writes every byte it adds.
    std::vector<std::byte, DefaultInit<std::byte>> pending;
    std::int64_t next_chunk = 0;  ///< index along `run` of the next chunk to write
};

namespace {

/// One chunk to encode: `rows` whole runs of column `col` at `src`, padded to the chunk.
struct ChunkJob {
    std::size_t col = 0;
    std::int64_t index = 0;
    const std::byte* src = nullptr;
    std::size_t bytes = 0;  ///< of a whole chunk
    std::vector<std::byte> out;
};

/// What HDF5's shuffle and deflate filters make of a chunk (h5::encode_chunk).
void encode_chunk(ChunkJob& job, std::size_t esize, int level, bool shuffle,
                  std::vector<std::byte>& tmp) {
    h5::encode_chunk(job.src, job.bytes, esize, level, shuffle, job.out, tmp);
}

}  // namespace

struct Hdf5Sink::Impl {
    enum class State { Open, Begun, Finished, Aborted };

    std::string path;
    std::string tmp;
    bool force = false;
    ChunkOptions opt;
    State state = State::Open;

    const core::SummaryStatistics* stats = nullptr;
    Handle file;
    Handle outcome_type;  // enum, also the memory type of /runs/outcome
    std::vector<RunColumn> columns;

    core::RecordShape shape;
    core::RunConfig cfg;
    std::int64_t points = 0;
    std::int64_t first_point = 0;
    std::int64_t total_points = 0;
    core::SweepInfo sweep;
    std::int64_t expected_runs = 0;
    std::int64_t written = 0;
    std::unique_ptr<SummaryGroupWriter> summaries;  // once write_summary was called
    std::int64_t summarised = 0;

    std::vector<ChunkJob> jobs;         // the staged chunks (stage .. commit)
    std::vector<std::size_t> consumed;  // bytes of each column's pending rows they cover
    std::vector<std::byte*> dst;        // stage: where each column's new rows go
    std::exception_ptr encode_error;    // the first failure of encode_one, for commit
    std::mutex error_mutex;

    [[nodiscard]] std::runtime_error failure(const std::string& what) const {
        return std::runtime_error("results file '" + path + "': " + what);
    }

    RunColumn& column(const std::string& name) {
        for (auto& c : columns)
            if (c.name == name) return c;
        throw std::logic_error("no per-run column " + name);
    }

    void create_runs();
    void write_labels(const core::ModelSpec& spec);
    void write_points(const core::ModelSpec& spec, const core::Plan& plan);
    void write_provenance(const core::ModelSpec& spec, const Provenance& prov);
    template <class F>
    void guarded(const char* what, F&& f);
    void stage(std::int64_t first_run, std::span<const core::RunRecord> runs);
    void encode_one(std::size_t j) noexcept;
    void encode_all();
    void commit();
    void flush_partial_chunks();
    void publish();
    void discard() noexcept;
    void ensure_space(std::uintmax_t bytes, const std::string& doing) const;
};

Hdf5Sink::Hdf5Sink(const core::SummaryStatistics& stats, std::string path, bool force,
                   ChunkOptions opt)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.stats = &stats;
    m.path = std::move(path);
    m.force = force;
    m.opt = opt;
    if (m.opt.deflate > 9) m.opt.deflate = 9;
    if (m.path.empty()) throw std::invalid_argument("results file: the output name is empty");
    std::error_code ec;
    const auto st = fs::symlink_status(m.path, ec);
    if (!ec && fs::exists(st)) {
        if (!force) throw OutputExists(m.path);
        if (fs::is_directory(fs::status(m.path, ec)))
            throw m.failure("is a directory; choose a file name with -o");
    }
    m.tmp = temp_name_for(m.path);
    h5::QuietErrors quiet;
    try {
        Handle fapl = h5::file_access();
        m.file = h5::file(H5Fcreate(m.tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                          "cannot create the temporary file '" + m.tmp + "'");
    } catch (const h5::Failure& e) {
        m.discard();
        throw m.failure(e.what());
    }
}

Hdf5Sink::~Hdf5Sink() {
    if (impl_ && impl_->state != Impl::State::Finished) abort();
}

const std::string& Hdf5Sink::path() const {
    return impl_->path;
}
const std::string& Hdf5Sink::temp_path() const {
    return impl_->tmp;
}

void Hdf5Sink::begin(const core::ModelSpec& spec, const core::Plan& plan,
                     const core::RunConfig& cfg, const Provenance& prov) {
    Impl& m = *impl_;
    if (m.state != Impl::State::Open)
        throw std::logic_error("Hdf5Sink::begin called twice or after finish/abort");
    h5::QuietErrors quiet;
    try {
        m.shape = core::shape_of(spec);
        m.cfg = cfg;
        m.points = plan.n_points();
        m.first_point = plan.first_point;
        m.total_points = plan.total_points;
        m.sweep = plan.sweep;
        if (cfg.replications < 0 || m.points < 1)
            throw std::invalid_argument("the plan has no points or a negative replication count");
        if (m.sweep.design.empty() && m.sweep.values.empty())
            m.sweep.values.assign(plan.points.size(), {});
        if (m.sweep.values.size() != plan.points.size())
            throw std::invalid_argument("the plan's sweep has values for " +
                                        std::to_string(m.sweep.values.size()) + " points, it has " +
                                        std::to_string(plan.points.size()));
        for (const auto& row : m.sweep.values)
            if (row.size() != m.sweep.paths.size())
                throw std::invalid_argument(
                    "the plan's sweep has " + std::to_string(m.sweep.paths.size()) +
                    " factors but a point with " + std::to_string(row.size()) + " values");
        m.expected_runs = m.points * cfg.replications;
        if (m.opt.threads <= 0)
            m.opt.threads =
                cfg.threads > 0
                    ? cfg.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        m.state = Impl::State::Begun;

        const hid_t root = m.file.get();
        h5::set_attr(root, "format", std::string(kResultsFormat));
        h5::set_attr(root, "seed", static_cast<std::uint64_t>(cfg.seed));
        h5::set_attr(root, "replications", static_cast<std::int64_t>(cfg.replications));
        h5::set_attr(root, "points", m.points);
        h5::set_attr(root, "first_point", plan.first_point);
        h5::set_attr(root, "total_points", plan.total_points);
        h5::set_attr(root, "summary_only", static_cast<std::int64_t>(cfg.summary_only ? 1 : 0));
        h5::set_attr(root, "per_run_tension",
                     static_cast<std::int64_t>(cfg.per_run_tension && !cfg.summary_only ? 1 : 0));
        h5::set_attr(root, "design", m.sweep.design);
        h5::set_attr(root, "design_samples", m.sweep.samples);
        h5::set_attr(root, "design_seed", m.sweep.design_seed);
        h5::set_attr(root, "sweep_text", m.sweep.sweep_text);
        h5::set_attr(root, "sweep_id", m.sweep.id);
        m.write_provenance(spec, prov);
        m.write_labels(spec);
        m.write_points(spec, plan);
        if (!cfg.summary_only) m.create_runs();
        h5::check_rc(H5Fflush(root, H5F_SCOPE_LOCAL), "flushing");
    } catch (const h5::Failure& e) {
        abort();
        throw m.failure(e.what());
    } catch (...) {
        abort();
        throw;
    }
}

void Hdf5Sink::Impl::write_provenance(const core::ModelSpec& spec, const Provenance& prov) {
    const hid_t root = file.get();
    h5::set_attr(root, "tool_version", prov.tool_version);
    h5::set_attr(root, "git_commit", prov.git_commit);
    h5::set_attr(root, "command_line", prov.command_line);
    h5::set_attr(root, "scenario_path", prov.scenario_path);
    h5::set_attr(root, "scenario_text", prov.scenario_text);
    h5::set_attr(root, "scenario_sha256", sha256_hex(prov.scenario_text));
    h5::set_attr(root, "scenario_name", spec.name);
    h5::set_attr(root, "variant_choice",
                 std::string(core::kChoiceRuleNames.name(spec.variants.choice)));
    h5::set_attr(root, "variant_amendment",
                 std::string(core::kAmendmentRuleNames.name(spec.variants.amendment)));
    h5::set_attr(root, "variant_pressure",
                 std::string(core::kPressureRuleNames.name(spec.variants.pressure)));
    h5::set_attr(root, "variant_sponsor",
                 std::string(core::kSponsorRuleNames.name(spec.variants.sponsor)));
    h5::set_attr(root, "created", utc_now_iso());
}

void Hdf5Sink::Impl::write_labels(const core::ModelSpec& spec) {
    const core::Labels L = core::labels_of(spec);
    Handle g = h5::create_group(file.get(), layout::kLabels);
    describe(g.get(), "", "names along the axes of every dataset, one dataset per axis");
    auto strings = [&](const char* name, const std::vector<std::string>& v, const char* axis,
                       const char* what) {
        Handle d = h5::write_strings(g.get(), name, v);
        describe(d.get(), axis, what);
    };
    strings("agents", L.agents, "agent", "agent ids (ISO 3166 alpha-3), in model order");
    strings("agent_names", L.agent_names, "agent", "agent display names");
    strings("proposals", L.proposals, "proposal", "proposal ids, in agenda order");
    strings("proposal_titles", L.proposal_titles, "proposal", "proposal titles");
    strings("kinds", L.kinds, "proposal", "proposal kinds");
    strings("dimensions", L.dimensions, "dimension", "policy dimensions");
    strings("threats", L.threats, "threat", "threats");
    strings("pairs", L.pairs, "pair",
            "agent pairs i<j in row-major order of the agent axis, named 'A-B' with ids sorted");
    std::vector<std::string> outcomes(core::kOutcomeNames.names.begin(),
                                      core::kOutcomeNames.names.end());
    strings("outcomes", outcomes, "outcome", "outcome names; index = enum value");
    std::vector<std::string> flags(core::kFlagNames, core::kFlagNames + core::kFlagBits);
    strings("flags", flags, "flag", "agent flag bits; index b = bit value 2^b");
    std::vector<std::string> params;
    for (core::ParamId id : spec.params.random_ids()) params.push_back(spec.params[id].path);
    if (static_cast<int>(params.size()) != shape.random_params)
        throw std::logic_error("random parameter count differs from the record shape");
    strings("params", params, "param", "dotted paths of the non-fixed (sampled) parameters");
    strings("factors", sweep.paths, "factor",
            "dotted paths of the parameters the sweep design varies (empty: not a sweep)");
    {
        std::vector<std::int64_t> years(L.periods.begin(), L.periods.end());
        Handle d = h5::write_array(g.get(), "periods", {years.size()}, years, false);
        describe(d.get(), "period", "calendar year of each summit");
    }
    {
        std::vector<double> q(std::begin(layout::kQuantiles), std::end(layout::kQuantiles));
        Handle d = h5::write_array(g.get(), "quantiles", {q.size()}, q, false);
        describe(d.get(), "quantile", "probabilities of the tension quantiles");
    }
    {
        std::vector<double> e(core::kDilutionBins + 1);
        for (int i = 0; i <= core::kDilutionBins; ++i)
            e[i] = static_cast<double>(i) / core::kDilutionBins;
        Handle d = h5::write_array(g.get(), "dilution_edges", {e.size()}, e, false);
        describe(d.get(), "dilution_edge", "edges of the dilution histogram bins on [0, 1]");
    }
    {
        std::vector<double> e(core::kTensionBins + 1);
        for (int i = 0; i <= core::kTensionBins; ++i)
            e[i] = static_cast<double>(i) / core::kTensionBins;
        Handle d = h5::write_array(g.get(), "tension_edges", {e.size()}, e, false);
        describe(d.get(), "tension_edge", "edges of the tension histogram bins on [0, 1]");
    }
}

void Hdf5Sink::Impl::write_points(const core::ModelSpec& spec, const core::Plan& plan) {
    // The union of overridden parameters, in parameter order.
    std::set<core::ParamId> ids;
    for (const auto& pt : plan.points)
        for (const auto& [id, dist] : pt.overrides) ids.insert(id);
    const std::vector<core::ParamId> cols(ids.begin(), ids.end());
    std::vector<std::string> names, descriptions;
    for (core::ParamId id : cols) names.push_back(spec.params[id].path);
    std::vector<double> values(plan.points.size() * cols.size(), kNaN);
    std::vector<std::int64_t> index;
    for (std::size_t k = 0; k < plan.points.size(); ++k) {
        index.push_back(plan.first_point + static_cast<std::int64_t>(k));
        std::string text;
        for (const auto& [id, dist] : plan.points[k].overrides) {
            const std::size_t c = static_cast<std::size_t>(
                std::lower_bound(cols.begin(), cols.end(), id) - cols.begin());
            values[k * cols.size() + c] = core::mean(dist, spec.params[id].range);
            text += (text.empty() ? "" : "; ") + spec.params[id].path + "=" + core::describe(dist);
        }
        descriptions.push_back(text);
    }
    Handle lg = h5::group(H5Gopen2(file.get(), layout::kLabels, H5P_DEFAULT), "opening labels");
    Handle d = h5::write_strings(lg.get(), "point_params", names);
    describe(d.get(), "point_param", "parameters overridden by at least one sweep point");

    Handle g = h5::create_group(file.get(), layout::kPoints);
    describe(g.get(), "", "the sweep points of this file (a plain run has one point)");
    d = h5::write_array(g.get(), "index", {index.size()}, index, false);
    describe(d.get(), "point", "global index of each point in the whole sweep");
    d = h5::write_strings(g.get(), "description", descriptions);
    describe(d.get(), "point", "the point's overrides as PATH=VALUE; ... (empty: none)");
    d = h5::write_array(g.get(), "values", {plan.points.size(), cols.size()}, values, false);
    describe(d.get(), "point,point_param",
             "value of each overridden parameter (mean if a distribution), NaN if not overridden");
    std::vector<double> fv;
    for (const auto& row : sweep.values) fv.insert(fv.end(), row.begin(), row.end());
    d = h5::write_array(g.get(), "factor_values", {sweep.values.size(), sweep.paths.size()}, fv,
                        false);
    describe(d.get(), "point,factor",
             "the design's value of each factor at each point (factors in /labels/factors)");
}

namespace {

/// The dimensions after `run` of an output of extent `e`.
std::vector<hsize_t> inner_dims(core::Extent e, const core::RecordShape& s) {
    const hsize_t T = hs(s.periods), P = hs(s.proposals), N = hs(s.agents), D = hs(s.dims),
                  K = hs(s.pairs), R = hs(s.random_params);
    switch (e) {
        case core::Extent::Run:
            return {};
        case core::Extent::PeriodProposal:
            return {T, P};
        case core::Extent::PeriodProposalAgent:
            return {T, P, N};
        case core::Extent::PeriodProposalDim:
            return {T, P, D};
        case core::Extent::PeriodDim:
            return {T, D};
        case core::Extent::PeriodPair:
            return {T, K};
        case core::Extent::Param:
            return {R};
    }
    return {};
}

/// The file (little-endian) and memory (native) types of a stored element type;
/// `outcome_enum` for Enum8.
std::pair<hid_t, hid_t> h5_types(core::Elem e, hid_t outcome_enum) {
    switch (e) {
        case core::Elem::Enum8:
            return {outcome_enum, outcome_enum};
        case core::Elem::U8:
            return {H5T_STD_U8LE, H5T_NATIVE_UINT8};
        case core::Elem::I8:
            return {H5T_STD_I8LE, H5T_NATIVE_INT8};
        case core::Elem::U16:
            return {H5T_STD_U16LE, H5T_NATIVE_UINT16};
        case core::Elem::I64:
            return {H5T_STD_I64LE, H5T_NATIVE_INT64};
        case core::Elem::F32:
            return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
        case core::Elem::F64:
            return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
    }
    throw std::logic_error("unknown element type");
}

}  // namespace

void Hdf5Sink::Impl::create_runs() {
    Handle g = h5::create_group(file.get(), layout::kRuns);
    describe(g.get(), "", "one row per run, in run order (point-major, then replication)");
    std::vector<std::string> outcomes(core::kOutcomeNames.names.begin(),
                                      core::kOutcomeNames.names.end());
    outcome_type = h5::enum_u8_type(outcomes);
    for (const core::RunOutput& o : core::kRunOutputs) {
        RunColumn c;
        c.name = o.name;
        c.out = &o;
        if (!core::stored(o, cfg.per_run_tension)) {
            columns.push_back(std::move(c));  // kept so that columns[i] is kRunOutputs[i]
            continue;
        }
        const std::vector<hsize_t> inner = inner_dims(o.extent, shape);
        std::vector<hsize_t> dims{0};
        dims.insert(dims.end(), inner.begin(), inner.end());
        const auto [file_type, mem_type] = h5_types(o.elem, outcome_type.get());
        c.mem_type = mem_type;
        c.per_run = static_cast<std::size_t>(core::extent_size(o.extent, shape));
        const std::size_t esize = core::elem_size(o.elem);
        c.row_bytes = c.per_run * esize;
        // Whole runs per chunk: the largest power of two up to 2^16 whose chunk stays
        // within 256 KiB (one run at least), so that a chunk is a run of rows that the
        // workers can encode alone.
        c.chunk_runs = std::size_t{1} << 16;
        while (c.chunk_runs > 1 &&
               c.chunk_runs > static_cast<std::size_t>(std::max(opt.max_chunk_runs, 1)))
            c.chunk_runs /= 2;
        while (c.chunk_runs > 1 &&
               c.chunk_runs * std::max<std::size_t>(c.row_bytes, 1) > (std::size_t{1} << 18))
            c.chunk_runs /= 2;
        {
            const std::string what = "creating dataset " + c.name;
            std::vector<hsize_t> max = dims, chunk = dims;
            max[0] = H5S_UNLIMITED;
            chunk[0] = c.chunk_runs;
            for (std::size_t a = 1; a < dims.size(); ++a) {
                if (dims[a] == 0) max[a] = H5S_UNLIMITED;
                chunk[a] = std::max<hsize_t>(dims[a], 1);
            }
            Handle sp = h5::space(
                H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max.data()), what);
            Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), what);
            h5::check_rc(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
                         what);
            if (opt.shuffle && esize > 1) h5::check_rc(H5Pset_shuffle(dcpl.get()), what);
            if (opt.deflate >= 0) h5::check_rc(H5Pset_deflate(dcpl.get(), opt.deflate), what);
            c.dset = h5::dataset(H5Dcreate2(g.get(), o.name, file_type, sp.get(), H5P_DEFAULT,
                                            dcpl.get(), H5P_DEFAULT),
                                 what);
        }
        const std::string axes =
            std::string("run") + (inner.empty() ? "" : ",") + core::extent_axes(o.extent);
        describe(c.dset.get(), axes, o.doc);
        h5::set_attr(c.dset.get(), "unit", std::string(o.unit));
        columns.push_back(std::move(c));
    }
    {
        std::string bits;
        for (int b = 0; b < core::kFlagBits; ++b)
            bits += (b ? "," : "") + std::to_string(1 << b) + "=" + core::kFlagNames[b];
        h5::set_attr(column("flags").dset.get(), "flag_bits", bits);
    }
}

// Runs `f` on a begun sink; any failure aborts the sink (HDF5's with the file's name).
template <class F>
void Hdf5Sink::Impl::guarded(const char* what, F&& f) {
    if (state != State::Begun)
        throw std::logic_error(std::string("Hdf5Sink::") + what + " outside begin..finish");
    h5::QuietErrors quiet;
    try {
        f();
    } catch (const h5::Failure& e) {
        discard();
        state = State::Aborted;
        throw failure(e.what());
    } catch (...) {
        discard();
        state = State::Aborted;
        throw;
    }
}

void Hdf5Sink::write_block(std::int64_t first_run, std::span<const core::RunRecord> runs) {
    Impl& m = *impl_;
    m.guarded("write_block", [&] {
        m.stage(first_run, runs);
        m.encode_all();
        m.commit();
    });
}

std::size_t Hdf5Sink::stage_block(std::int64_t first_run, std::span<const core::RunRecord> runs) {
    Impl& m = *impl_;
    m.guarded("stage_block", [&] { m.stage(first_run, runs); });
    return m.jobs.size();
}

void Hdf5Sink::encode_staged(std::size_t j) noexcept {
    impl_->encode_one(j);
}

void Hdf5Sink::commit_staged() {
    Impl& m = *impl_;
    m.guarded("commit_staged", [&] { m.commit(); });
}

// Appends the block's rows to each column's pending rows; every whole chunk becomes a
// job (encoded by encode_one, written by commit). The runs may be reused on return.
void Hdf5Sink::Impl::stage(std::int64_t first_run, std::span<const core::RunRecord> runs) {
    if (!jobs.empty()) throw std::logic_error("Hdf5Sink: a block staged before the last commit");
    if (first_run != written)
        throw std::invalid_argument("write_block: expected run " + std::to_string(written) +
                                    ", got " + std::to_string(first_run));
    const auto n = static_cast<std::int64_t>(runs.size());
    if (written + n > expected_runs)
        throw std::invalid_argument("write_block: more runs than the plan has (" +
                                    std::to_string(expected_runs) + ")");
    if (!cfg.summary_only && n > 0) {
        std::uintmax_t bytes = 0;
        for (const auto& c : columns)
            if (c.dset.valid())
                bytes += c.per_run * static_cast<std::uintmax_t>(n) * H5Tget_size(c.mem_type);
        ensure_space(bytes, "writing runs");
        const std::int64_t reps = std::max<std::int64_t>(cfg.replications, 1);
        consumed.assign(columns.size(), 0);
        // Room for the block's rows (left uninitialised: every byte is written below).
        dst.assign(columns.size(), nullptr);
        for (std::size_t i = 0; i < columns.size(); ++i) {
            RunColumn& c = columns[i];
            if (!c.dset.valid()) continue;
            const std::size_t at = c.pending.size();
            c.pending.resize(at + static_cast<std::size_t>(n) * c.row_bytes);
            dst[i] = c.pending.data() + at;
        }
        // The record's arrays, one pass over each run's arrays.
        for (std::int64_t r = 0; r < n; ++r) {
            std::size_t i = 0;
            runs[static_cast<std::size_t>(r)].each_array([&](const core::RunOutput&,
                                                             const auto& a) {
                const RunColumn& c = columns[i];
                std::byte* to = dst[i++];
                if (!to) return;
                const std::span<const std::byte> v = std::as_bytes(std::span(a));
                if (v.size() != c.row_bytes)
                    throw std::invalid_argument("run " + std::to_string(written + r) + ": " +
                                                c.name + " has " + std::to_string(a.size()) +
                                                " values, expected " + std::to_string(c.per_run));
                if (!v.empty()) std::memcpy(to + r * c.row_bytes, v.data(), v.size());
            });
        }
        for (std::size_t i = 0; i < columns.size(); ++i) {
            RunColumn& c = columns[i];
            if (!c.dset.valid()) continue;
            if (!c.out->in_record) {  // point, replication: from the run's index
                const bool is_point = c.name == "point";
                for (std::int64_t r = 0; r < n; ++r) {
                    const std::int64_t v =
                        is_point ? first_point + (written + r) / reps : (written + r) % reps;
                    std::memcpy(dst[i] + r * 8, &v, 8);
                }
            }
            const std::size_t chunk_bytes = c.chunk_runs * c.row_bytes;
            if (chunk_bytes == 0) continue;
            while (c.pending.size() - consumed[i] >= chunk_bytes) {
                ChunkJob job;
                job.col = i;
                job.index = c.next_chunk++;
                job.src = c.pending.data() + consumed[i];
                job.bytes = chunk_bytes;
                jobs.push_back(std::move(job));
                consumed[i] += chunk_bytes;
            }
        }
        for (auto& c : columns) {
            if (!c.dset.valid()) continue;
            std::vector<hsize_t> dims = h5::shape(c.dset.get());
            dims[0] = hs(written + n);
            h5::check_rc(H5Dset_extent(c.dset.get(), dims.data()), "writing /runs/" + c.name);
        }
    }
    written += n;
}

// Encodes job j (shuffle, deflate) into its own buffer; safe to call for distinct jobs at
// once. A failure is kept for commit.
void Hdf5Sink::Impl::encode_one(std::size_t j) noexcept {
    thread_local std::vector<std::byte> scratch;  // the shuffled bytes of one chunk
    try {
        ChunkJob& job = jobs.at(j);
        encode_chunk(job, core::elem_size(columns[job.col].out->elem), opt.deflate, opt.shuffle,
                     scratch);
    } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!encode_error) encode_error = std::current_exception();
    }
}

// Every staged job on up to opt.threads threads (this one included).
void Hdf5Sink::Impl::encode_all() {
    const int threads = static_cast<int>(std::clamp<std::size_t>(
        static_cast<std::size_t>(opt.threads), 1, std::max<std::size_t>(jobs.size(), 1)));
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t j; (j = next.fetch_add(1)) < jobs.size();) encode_one(j);
    };
    std::vector<std::thread> helpers;
    for (int t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (auto& h : helpers) h.join();
}

// Writes the encoded jobs in job order, which is run order within each column: the file
// is the same whatever the thread count. Drops the staged bytes from the pending rows.
void Hdf5Sink::Impl::commit() {
    if (encode_error) {
        jobs.clear();
        std::rethrow_exception(std::exchange(encode_error, nullptr));
    }
    for (const ChunkJob& job : jobs) {
        RunColumn& c = columns[job.col];
        if (job.out.empty() && job.bytes > 0)
            throw std::logic_error("Hdf5Sink: a staged chunk was not encoded");
        std::vector<hsize_t> offset(h5::shape(c.dset.get()).size(), 0);
        offset[0] = static_cast<hsize_t>(job.index) * c.chunk_runs;
        h5::check_rc(H5Dwrite_chunk(c.dset.get(), H5P_DEFAULT, 0, offset.data(), job.out.size(),
                                    job.out.data()),
                     "writing /runs/" + c.name);
    }
    jobs.clear();
    for (std::size_t i = 0; i < columns.size() && i < consumed.size(); ++i)
        if (consumed[i] > 0)
            columns[i].pending.erase(
                columns[i].pending.begin(),
                columns[i].pending.begin() + static_cast<std::ptrdiff_t>(consumed[i]));
    consumed.clear();
}

// The last, partial chunk of each column, padded with zeros (HDF5 stores edge chunks
// whole; the padding lies beyond the dataset's extent and is never read).
void Hdf5Sink::Impl::flush_partial_chunks() {
    jobs.clear();
    consumed.assign(columns.size(), 0);
    for (std::size_t i = 0; i < columns.size(); ++i) {
        RunColumn& c = columns[i];
        if (!c.dset.valid() || c.pending.empty()) continue;
        const std::size_t chunk_bytes = c.chunk_runs * c.row_bytes;
        c.pending.resize(chunk_bytes, std::byte{0});
        consumed[i] = c.pending.size();
        ChunkJob job;
        job.col = i;
        job.index = c.next_chunk++;
        job.src = c.pending.data();
        job.bytes = chunk_bytes;
        jobs.push_back(std::move(job));
    }
    encode_all();
    commit();
}

void Hdf5Sink::write_summary(std::int64_t point, core::SummaryCounts&& s) {
    Impl& m = *impl_;
    if (m.state != Impl::State::Begun)
        throw std::logic_error("Hdf5Sink::write_summary outside begin..finish");
    h5::QuietErrors quiet;
    try {
        if (point != m.summarised || point >= m.points)
            throw std::invalid_argument(
                "write_summary: expected point " + std::to_string(m.summarised) + " of " +
                std::to_string(m.points) + ", got " + std::to_string(point));
        std::uintmax_t bytes = 0;
        for (const auto& f : layout::raw_fields()) bytes += 3 * 8 * (s.*f.member).size();
        m.ensure_space(bytes, "writing the summaries");
        // Every point of a run has the same max_rounds (the runner's); a larger one later
        // is refused by the writer.
        if (!m.summaries)
            m.summaries = std::make_unique<SummaryGroupWriter>(
                m.file.get(), *m.stats, m.shape, m.points, s.max_rounds, s.tension_pairs,
                h5::Filters{m.opt.summary_deflate, m.opt.summary_shuffle});
        m.summaries->add(std::move(s));
        ++m.summarised;
    } catch (const h5::Failure& e) {
        abort();
        throw m.failure(e.what());
    } catch (...) {
        abort();
        throw;
    }
}

// HDF5 1.10 cannot close a file after a failed flush (and then crashes at exit), so a
// full disk is detected here, before HDF5 writes: `bytes` to be written now, plus what
// the chunk caches (1 MiB per dataset by default) and the metadata may flush later.
void Hdf5Sink::Impl::ensure_space(std::uintmax_t bytes, const std::string& doing) const {
    constexpr std::uintmax_t kMiB = std::uintmax_t{1} << 20;
    const std::string full = disk_full_message(tmp, bytes + (columns.size() + 2) * kMiB, doing);
    if (!full.empty()) throw failure(full);
}

void Hdf5Sink::Impl::publish() {
    // Flush first: a full disk shows here, while every handle is still valid (a failed
    // H5Fclose leaves HDF5 in a state that crashes at exit). Then close and make durable.
    h5::check_rc(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "writing the file");
    columns.clear();
    outcome_type = Handle();
    if (!file.close()) h5::check_rc(-1, "closing the file");
    publish_file(tmp, path, force);
}

void Hdf5Sink::finish(std::span<const core::SummaryCounts* const> per_point) {
    Impl& m = *impl_;
    if (m.state != Impl::State::Begun)
        throw std::logic_error("Hdf5Sink::finish without begin, or twice");
    h5::QuietErrors quiet;
    try {
        if (m.summaries && !per_point.empty())
            throw std::invalid_argument("finish: summaries were already written point by point");
        if (!m.summaries && static_cast<std::int64_t>(per_point.size()) != m.points)
            throw std::invalid_argument("finish: " + std::to_string(per_point.size()) +
                                        " summaries for " + std::to_string(m.points) + " points");
        if (!m.cfg.summary_only && m.written != m.expected_runs)
            throw std::invalid_argument("finish: " + std::to_string(m.written) +
                                        " runs written, the plan has " +
                                        std::to_string(m.expected_runs));
        if (m.summaries) {
            // Streamed point by point (write_summary): only the compact outputs remain.
            m.summaries->finish();
            if (has_sensitivity(m.sweep.design, m.first_point, m.points, m.total_points))
                write_sensitivity(m.file.get(),
                                  m.stats->sensitivity(static_cast<int>(m.sweep.paths.size()),
                                                       m.sweep.samples, m.sweep.design_seed,
                                                       m.shape, m.summaries->pass_probabilities(),
                                                       m.summaries->tabled_anywhere()));
            m.summaries.reset();
        } else {
            std::uintmax_t bytes = 0;
            for (const core::SummaryCounts* s : per_point)
                for (const auto& f : layout::raw_fields()) bytes += 3 * 8 * (s->*f.member).size();
            m.ensure_space(bytes, "writing the summaries");
            // All at once (a sink that was not streamed to): the same writer, through the
            // same statistics.
            int max_rounds = 0;
            for (const core::SummaryCounts* s : per_point)
                max_rounds = std::max(max_rounds, s->max_rounds);
            SummaryGroupWriter w(m.file.get(), *m.stats, m.shape, m.points, max_rounds,
                                 per_point.empty() ? core::all_pairs(m.shape.pairs)
                                                   : per_point.front()->tension_pairs,
                                 h5::Filters{m.opt.summary_deflate, m.opt.summary_shuffle});
            w.write(per_point);
            w.finish();
            if (has_sensitivity(m.sweep.design, m.first_point, m.points, m.total_points))
                write_sensitivity(m.file.get(), m.stats->sensitivity(
                                                    static_cast<int>(m.sweep.paths.size()),
                                                    m.sweep.samples, m.sweep.design_seed, m.shape,
                                                    w.pass_probabilities(), w.tabled_anywhere()));
        }
        if (!m.cfg.summary_only) m.flush_partial_chunks();
        h5::set_attr(m.file.get(), "runs", m.written);
        m.publish();
        m.state = Impl::State::Finished;
    } catch (const OutputExists&) {
        abort();
        throw;
    } catch (const h5::Failure& e) {
        abort();
        throw m.failure(e.what());
    } catch (...) {
        abort();
        throw;
    }
}

void Hdf5Sink::Impl::discard() noexcept {
    // Emptied before the closes (a failed close leaves HDF5 unable to shut down cleanly).
    discard_temp(tmp, [&] {
        h5::QuietErrors quiet;
        summaries.reset();
        columns.clear();
        outcome_type = Handle();
        (void)file.close();
    });
}

void Hdf5Sink::abort() noexcept {
    if (!impl_) return;
    if (impl_->state == Impl::State::Finished || impl_->state == Impl::State::Aborted) return;
    impl_->discard();
    impl_->state = Impl::State::Aborted;
}

}  // namespace sco::io
