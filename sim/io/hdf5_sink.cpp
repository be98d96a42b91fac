#include "sim/io/hdf5_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <set>
#include <stdexcept>
#include <system_error>

#include "sim/experiment/report.h"
#include "sim/io/h5.h"
#include "sim/io/layout.h"
#include "sim/io/sha256.h"

namespace sco::io {

namespace fs = std::filesystem;
using h5::Handle;

namespace {

std::string utc_now_iso() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string temp_name_for(const std::string& path) {
    const fs::path p(path);
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    return (dir / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
}

void fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

void describe(hid_t obj, const std::string& axes, const std::string& description) {
    h5::set_attr(obj, "axes", axes);
    h5::set_attr(obj, "description", description);
}

hsize_t hs(std::int64_t v) {
    return static_cast<hsize_t>(v);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double num, std::int64_t den) {
    return den > 0 ? num / static_cast<double>(den) : kNaN;
}

}  // namespace

/// One per-run dataset: where it is and how many values one run contributes.
struct RunColumn {
    std::string name;
    Handle dset;
    hid_t mem_type = H5I_INVALID_HID;
    std::size_t per_run = 0;
};

struct Hdf5Sink::Impl {
    enum class State { Open, Begun, Finished, Aborted };

    std::string path;
    std::string tmp;
    bool force = false;
    State state = State::Open;

    Handle file;
    Handle outcome_type;  // enum, also the memory type of /runs/outcome
    std::vector<RunColumn> columns;

    core::RecordShape shape;
    experiment::RunConfig cfg;
    std::int64_t points = 0;
    std::int64_t first_point = 0;
    std::int64_t expected_runs = 0;
    std::int64_t written = 0;

    // Staging buffers, reused between blocks.
    std::vector<std::uint8_t> u8;
    std::vector<std::int8_t> i8;
    std::vector<float> f32;
    std::vector<double> f64;
    std::vector<std::int64_t> i64;

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
    void write_points(const core::ModelSpec& spec, const experiment::Plan& plan);
    void write_provenance(const core::ModelSpec& spec, const experiment::Provenance& prov);
    void write_summaries(const std::vector<experiment::Summary>& per_point);
    template <typename T, typename Field>
    void append(const std::string& name, std::span<const core::RunRecord> runs, Field field,
                std::vector<T>& buf);
    void publish();
    void discard() noexcept;
    void ensure_space(std::uintmax_t bytes, const std::string& doing) const;
};

Hdf5Sink::Hdf5Sink(std::string path, bool force) : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.path = std::move(path);
    m.force = force;
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
        Handle fapl = h5::plist(H5Pcreate(H5P_FILE_ACCESS), "creating a file access list");
        h5::check_rc(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG),
                     "setting the close degree");
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

void Hdf5Sink::begin(const core::ModelSpec& spec, const experiment::Plan& plan,
                     const experiment::RunConfig& cfg, const experiment::Provenance& prov) {
    Impl& m = *impl_;
    if (m.state != Impl::State::Open)
        throw std::logic_error("Hdf5Sink::begin called twice or after finish/abort");
    h5::QuietErrors quiet;
    try {
        m.shape = core::shape_of(spec);
        m.cfg = cfg;
        m.points = plan.n_points();
        m.first_point = plan.first_point;
        if (cfg.replications < 0 || m.points < 1)
            throw std::invalid_argument("the plan has no points or a negative replication count");
        m.expected_runs = m.points * cfg.replications;
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

void Hdf5Sink::Impl::write_provenance(const core::ModelSpec& spec,
                                      const experiment::Provenance& prov) {
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
    h5::set_attr(root, "created", utc_now_iso());
}

void Hdf5Sink::Impl::write_labels(const core::ModelSpec& spec) {
    const experiment::Labels L = experiment::labels_of(spec);
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
        std::vector<double> e(experiment::kDilutionBins + 1);
        for (int i = 0; i <= experiment::kDilutionBins; ++i)
            e[i] = static_cast<double>(i) / experiment::kDilutionBins;
        Handle d = h5::write_array(g.get(), "dilution_edges", {e.size()}, e, false);
        describe(d.get(), "dilution_edge", "edges of the dilution histogram bins on [0, 1]");
    }
    {
        std::vector<double> e(experiment::kTensionBins + 1);
        for (int i = 0; i <= experiment::kTensionBins; ++i)
            e[i] = static_cast<double>(i) / experiment::kTensionBins;
        Handle d = h5::write_array(g.get(), "tension_edges", {e.size()}, e, false);
        describe(d.get(), "tension_edge", "edges of the tension histogram bins on [0, 1]");
    }
}

void Hdf5Sink::Impl::write_points(const core::ModelSpec& spec, const experiment::Plan& plan) {
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
}

void Hdf5Sink::Impl::create_runs() {
    Handle g = h5::create_group(file.get(), layout::kRuns);
    describe(g.get(), "", "one row per run, in run order (point-major, then replication)");
    const hsize_t T = hs(shape.periods), P = hs(shape.proposals), N = hs(shape.agents),
                  D = hs(shape.dims), K = hs(shape.pairs), R = hs(shape.random_params);
    std::vector<std::string> outcomes(core::kOutcomeNames.names.begin(),
                                      core::kOutcomeNames.names.end());
    outcome_type = h5::enum_u8_type(outcomes);
    auto add = [&](const std::string& name, hid_t file_type, hid_t mem_type,
                   std::vector<hsize_t> inner, const std::string& axes, const std::string& what) {
        std::vector<hsize_t> dims{0};
        dims.insert(dims.end(), inner.begin(), inner.end());
        RunColumn c;
        c.name = name;
        c.dset = h5::create_dataset(g.get(), name, file_type, dims, true, true);
        c.mem_type = mem_type;
        c.per_run = 1;
        for (hsize_t v : inner) c.per_run *= v;
        describe(c.dset.get(), axes, what);
        columns.push_back(std::move(c));
    };
    add("outcome", outcome_type.get(), outcome_type.get(), {T, P}, "run,period,proposal",
        "how the summit ended for the proposal (enum; names in /labels/outcomes)");
    add("rounds", H5T_STD_U8LE, H5T_NATIVE_UINT8, {T, P}, "run,period,proposal",
        "negotiation rounds used (0 if not tabled)");
    add("dilution", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {T, P}, "run,period,proposal",
        "share of the text's ambition given up, 0..1");
    add("pressure", H5T_STD_U8LE, H5T_NATIVE_UINT8, {T, P}, "run,period,proposal",
        "pressure applications by great powers");
    add("implemented", H5T_STD_I8LE, H5T_NATIVE_INT8, {T, P}, "run,period,proposal",
        "-1 not adopted, 0 adopted but not implemented, k>0 implemented after k periods");
    add("flags", H5T_STD_U8LE, H5T_NATIVE_UINT8, {T, P, N}, "run,period,proposal,agent",
        "what each agent did in the last round: bit b set = /labels/flags[b]");
    {
        std::string bits;
        for (int b = 0; b < core::kFlagBits; ++b)
            bits += (b ? "," : "") + std::to_string(1 << b) + "=" + core::kFlagNames[b];
        h5::set_attr(column("flags").dset.get(), "flag_bits", bits);
    }
    add("text", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {T, P, D}, "run,period,proposal,dimension",
        "final text position on each dimension (NaN if not tabled)");
    add("compromise", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {T, D}, "run,period,dimension",
        "compromise model: capability x salience weighted mean over members");
    add("weighted_median", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {T, D}, "run,period,dimension",
        "capability x salience weighted median position over members");
    add("params", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {R}, "run,param",
        "sampled values of the non-fixed parameters (paths in /labels/params)");
    add("point", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, "run", "global sweep point index of the run");
    add("replication", H5T_STD_I64LE, H5T_NATIVE_INT64, {}, "run", "replication index");
    if (cfg.per_run_tension)
        add("tension", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {T, K}, "run,period,pair",
            "tension of each pair at the end of each period");
}

template <typename T, typename Field>
void Hdf5Sink::Impl::append(const std::string& name, std::span<const core::RunRecord> runs,
                            Field field, std::vector<T>& buf) {
    RunColumn& c = column(name);
    buf.resize(runs.size() * c.per_run);
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const auto& v = runs[r].*field;
        if (v.size() != c.per_run)
            throw std::invalid_argument("run " +
                                        std::to_string(written + static_cast<std::int64_t>(r)) +
                                        ": " + name + " has " + std::to_string(v.size()) +
                                        " values, expected " + std::to_string(c.per_run));
        std::copy(v.begin(), v.end(), buf.begin() + static_cast<std::ptrdiff_t>(r * c.per_run));
    }
    h5::append_rows(c.dset.get(), c.mem_type, hs(written), runs.size(), buf.data(),
                    "writing /runs/" + name);
}

void Hdf5Sink::write_block(std::int64_t first_run, std::span<const core::RunRecord> runs) {
    Impl& m = *impl_;
    if (m.state != Impl::State::Begun)
        throw std::logic_error("Hdf5Sink::write_block outside begin..finish");
    h5::QuietErrors quiet;
    try {
        if (first_run != m.written)
            throw std::invalid_argument("write_block: expected run " + std::to_string(m.written) +
                                        ", got " + std::to_string(first_run));
        const auto n = static_cast<std::int64_t>(runs.size());
        if (m.written + n > m.expected_runs)
            throw std::invalid_argument("write_block: more runs than the plan has (" +
                                        std::to_string(m.expected_runs) + ")");
        if (!m.cfg.summary_only && n > 0) {
            std::uintmax_t bytes = 16 * static_cast<std::uintmax_t>(n);
            for (const auto& c : m.columns)
                bytes += c.per_run * static_cast<std::uintmax_t>(n) * H5Tget_size(c.mem_type);
            m.ensure_space(bytes, "writing runs");
            using core::RunRecord;
            m.append("outcome", runs, &RunRecord::outcome, m.u8);
            m.append("rounds", runs, &RunRecord::rounds, m.u8);
            m.append("dilution", runs, &RunRecord::dilution, m.f32);
            m.append("pressure", runs, &RunRecord::pressure, m.u8);
            m.append("implemented", runs, &RunRecord::implemented, m.i8);
            m.append("flags", runs, &RunRecord::flags, m.u8);
            m.append("text", runs, &RunRecord::text, m.f32);
            m.append("compromise", runs, &RunRecord::compromise, m.f32);
            m.append("weighted_median", runs, &RunRecord::weighted_median, m.f32);
            m.append("params", runs, &RunRecord::params, m.f64);
            if (m.cfg.per_run_tension) m.append("tension", runs, &RunRecord::tension, m.f32);
            m.i64.resize(runs.size());
            const std::int64_t reps = std::max<std::int64_t>(m.cfg.replications, 1);
            for (std::int64_t r = 0; r < n; ++r) m.i64[r] = m.first_point + (m.written + r) / reps;
            h5::append_rows(m.column("point").dset.get(), H5T_NATIVE_INT64, hs(m.written), hs(n),
                            m.i64.data(), "writing /runs/point");
            for (std::int64_t r = 0; r < n; ++r) m.i64[r] = (m.written + r) % reps;
            h5::append_rows(m.column("replication").dset.get(), H5T_NATIVE_INT64, hs(m.written),
                            hs(n), m.i64.data(), "writing /runs/replication");
        }
        m.written += n;
    } catch (const h5::Failure& e) {
        abort();
        throw m.failure(e.what());
    } catch (...) {
        abort();
        throw;
    }
}

void Hdf5Sink::Impl::write_summaries(const std::vector<experiment::Summary>& per_point) {
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

    Handle g = h5::create_group(file.get(), layout::kSummary);
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
        participation(Pt * T * P * N),
        rounds_p(Pt * T * P * (RB - 1)), rounds_mean(Pt * T * P), dil_p(Pt * T * P * DB),
        dil_mean(Pt * T * P), pres_p(Pt * T * P), pres_mean(Pt * T * P), impl_p(Pt * T * P),
        lag_mean(Pt * T * P), text_mean(Pt * T * P * D), comp_mean(Pt * T * D),
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
                    participation[tp * N + i] = ratio(
                        static_cast<double>(s.participated[(static_cast<std::size_t>(t) * P + p) * N + i]), n);
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
        Handle lg = h5::group(H5Gopen2(file.get(), layout::kLabels, H5P_DEFAULT), "opening labels");
        std::vector<std::int64_t> rounds;
        for (hsize_t r = 1; r < RB; ++r) rounds.push_back(static_cast<std::int64_t>(r));
        Handle d = h5::write_array(lg.get(), "rounds", {rounds.size()}, rounds, false);
        describe(d.get(), "round", "number of rounds (1..max_rounds)");
    }
}

// HDF5 1.10 cannot close a file after a failed flush (and then crashes at exit), so a
// full disk is detected here, before HDF5 writes: `bytes` to be written now, plus what
// the chunk caches (1 MiB per dataset by default) and the metadata may flush later.
void Hdf5Sink::Impl::ensure_space(std::uintmax_t bytes, const std::string& doing) const {
    constexpr std::uintmax_t kMiB = std::uintmax_t{1} << 20;
    const std::uintmax_t need = bytes + (columns.size() + 2) * kMiB;
    std::error_code ec;
    const fs::path dir = fs::path(tmp).parent_path();
    const auto info = fs::space(dir.empty() ? fs::path(".") : dir, ec);
    if (ec || info.available >= need) return;
    throw failure("the disk is full: " + doing + " needs about " +
                  std::to_string((need + kMiB - 1) / kMiB) + " MiB but only " +
                  std::to_string(info.available / kMiB) + " MiB are free in '" +
                  (dir.empty() ? std::string(".") : dir.string()) +
                  "'; free space or choose another directory with -o");
}

void Hdf5Sink::Impl::publish() {
    // Flush first: a full disk shows here, while every handle is still valid (a failed
    // H5Fclose leaves HDF5 in a state that crashes at exit). Then close and make durable.
    h5::check_rc(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "writing the file");
    columns.clear();
    outcome_type = Handle();
    if (!file.close()) h5::check_rc(-1, "closing the file");
    fsync_path(tmp, O_RDONLY);
    if (!force) {
        // link() refuses to replace an existing file: no race with another writer.
        if (::link(tmp.c_str(), path.c_str()) == 0) {
            ::unlink(tmp.c_str());
        } else if (errno == EEXIST) {
            throw OutputExists(path);
        } else {
            std::error_code ec;
            if (fs::exists(fs::symlink_status(path, ec))) throw OutputExists(path);
            if (std::rename(tmp.c_str(), path.c_str()) != 0)
                throw failure(std::string("cannot rename the temporary file: ") +
                              std::strerror(errno));
        }
    } else if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        throw failure(std::string("cannot rename the temporary file: ") + std::strerror(errno));
    }
    const fs::path dir =
        fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
    fsync_path(dir.string(), O_RDONLY | O_DIRECTORY);
}

void Hdf5Sink::finish(const std::vector<experiment::Summary>& per_point) {
    Impl& m = *impl_;
    if (m.state != Impl::State::Begun)
        throw std::logic_error("Hdf5Sink::finish without begin, or twice");
    h5::QuietErrors quiet;
    try {
        if (static_cast<std::int64_t>(per_point.size()) != m.points)
            throw std::invalid_argument("finish: " + std::to_string(per_point.size()) +
                                        " summaries for " + std::to_string(m.points) + " points");
        if (!m.cfg.summary_only && m.written != m.expected_runs)
            throw std::invalid_argument("finish: " + std::to_string(m.written) +
                                        " runs written, the plan has " +
                                        std::to_string(m.expected_runs));
        std::uintmax_t bytes = 0;
        for (const auto& s : per_point)
            for (const auto& f : layout::raw_fields()) bytes += 3 * 8 * (s.*f.member).size();
        m.ensure_space(bytes, "writing the summaries");
        m.write_summaries(per_point);
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
    try {
        h5::QuietErrors quiet;
        // Empty the temporary file before closing: that frees its space, so the flushes
        // done by the closes below succeed even when the disk was full (a failed close
        // leaves HDF5 unable to shut down cleanly). The file is deleted anyway.
        if (file.valid() && !tmp.empty()) (void)::truncate(tmp.c_str(), 0);
        columns.clear();
        outcome_type = Handle();
        (void)file.close();
        if (!tmp.empty()) ::unlink(tmp.c_str());
    } catch (...) {
    }
}

void Hdf5Sink::abort() noexcept {
    if (!impl_) return;
    if (impl_->state == Impl::State::Finished || impl_->state == Impl::State::Aborted) return;
    impl_->discard();
    impl_->state = Impl::State::Aborted;
}

}  // namespace sco::io
