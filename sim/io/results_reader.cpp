#include "sim/io/results_reader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "sim/io/guard.h"
#include "sim/io/h5.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/layout.h"

namespace sco::io {

using h5::Handle;

namespace {

std::string join(std::string_view a, std::string_view b) {
    return std::string(a) + "/" + std::string(b);
}

Results read_open(hid_t f, const std::string& path, bool summaries = true) {
    Results r;
    r.path = path;
    r.format = h5::read_attr_string(f, "format", h5::Vlen::Allow);
    if (r.format != kResultsFormat && r.format != kResultsFormatV1)
        throw h5::Failure("format is '" + r.format + "', this version reads '" + kResultsFormat +
                          "' and '" + kResultsFormatV1 + "'");
    // Format 1 stored its strings as variable-length strings; format 2 never does, and its
    // reader refuses them before reading (no global heap is read).
    const h5::Vlen vl = r.format == kResultsFormatV1 ? h5::Vlen::Allow : h5::Vlen::Refuse;
    (void)h5::read_attr_string(f, "format", vl);
    h5::RootProvenance p = h5::read_root_provenance(f, vl);
    r.provenance.tool_version = std::move(p.tool_version);
    r.provenance.git_commit = std::move(p.git_commit);
    r.provenance.command_line = std::move(p.command_line);
    r.provenance.scenario_path = std::move(p.scenario_path);
    r.provenance.scenario_text = std::move(p.scenario_text);
    r.scenario_name = std::move(p.scenario_name);
    r.scenario_sha256 = std::move(p.scenario_sha256);
    r.created = std::move(p.created);
    r.seed = p.seed;
    r.replications = p.replications;
    r.variant_choice = h5::read_attr_string(f, "variant_choice", vl);
    r.variant_amendment = h5::read_attr_string(f, "variant_amendment", vl);
    r.variant_pressure = h5::read_attr_string(f, "variant_pressure", vl);
    // Since session 18; a file without it was made by the one rule there was before.
    r.variant_sponsor = H5Aexists(f, "variant_sponsor") > 0
                            ? h5::read_attr_string(f, "variant_sponsor", vl)
                            : std::string(core::kSponsorRuleNames.name(core::SponsorRule::Likely));
    r.points = h5::read_attr_int(f, "points");
    r.first_point = h5::read_attr_int(f, "first_point");
    r.total_points = h5::read_attr_int(f, "total_points");
    r.runs = h5::read_attr_int(f, "runs");
    r.summary_only = h5::read_attr_int(f, "summary_only") != 0;
    r.per_run_tension = h5::read_attr_int(f, "per_run_tension") != 0;
    if (r.points < 1) throw h5::Failure("attribute 'points' is " + std::to_string(r.points));

    const std::string L = layout::kLabels;
    auto& lab = r.labels;
    lab.agents = h5::read_strings(f, join(L, "agents"), vl);
    lab.agent_names = h5::read_strings(f, join(L, "agent_names"), vl);
    lab.proposals = h5::read_strings(f, join(L, "proposals"), vl);
    lab.proposal_titles = h5::read_strings(f, join(L, "proposal_titles"), vl);
    lab.kinds = h5::read_strings(f, join(L, "kinds"), vl);
    lab.dimensions = h5::read_strings(f, join(L, "dimensions"), vl);
    lab.threats = h5::read_strings(f, join(L, "threats"), vl);
    lab.pairs = h5::read_strings(f, join(L, "pairs"), vl);
    r.params = h5::read_strings(f, join(L, "params"), vl);
    {
        Handle d = h5::open_dataset(f, join(L, "periods"));
        const auto dims = h5::shape(d.get());
        if (dims.size() != 1) throw h5::Failure("/labels/periods is not 1-D");
        for (auto y : h5::read_array<std::int64_t>(f, join(L, "periods"), dims))
            lab.periods.push_back(static_cast<int>(y));
    }
    const auto outcomes = h5::read_strings(f, join(L, "outcomes"), vl);
    for (std::size_t o = 0; o < core::kOutcomeNames.names.size(); ++o)
        if (outcomes.size() != core::kOutcomeNames.names.size() ||
            outcomes[o] != core::kOutcomeNames.names[o])
            throw h5::Failure("/labels/outcomes differs from this version's outcomes");
    const auto flags = h5::read_strings(f, join(L, "flags"), vl);
    if (flags.size() != static_cast<std::size_t>(core::kFlagBits))
        throw h5::Failure("/labels/flags does not have " + std::to_string(core::kFlagBits) +
                          " entries");
    for (int b = 0; b < core::kFlagBits; ++b)
        if (flags[b] != core::kFlagNames[b])
            throw h5::Failure("/labels/flags differs from this version's flags");

    core::RecordShape shape;
    shape.periods = static_cast<int>(lab.periods.size());
    shape.proposals = static_cast<int>(lab.proposals.size());
    shape.agents = static_cast<int>(lab.agents.size());
    shape.dims = static_cast<int>(lab.dimensions.size());
    shape.pairs = static_cast<int>(lab.pairs.size());
    shape.random_params = static_cast<int>(r.params.size());
    if (lab.agent_names.size() != lab.agents.size() ||
        lab.proposal_titles.size() != lab.proposals.size() ||
        lab.kinds.size() != lab.proposals.size())
        throw h5::Failure("the label datasets disagree in length");
    if (shape.pairs != shape.agents * (shape.agents - 1) / 2)
        throw h5::Failure("/labels/pairs has " + std::to_string(shape.pairs) + " entries for " +
                          std::to_string(shape.agents) + " agents");
    if (shape.periods < 1 || shape.proposals < 1)
        throw h5::Failure("no periods or no proposals in /labels");

    // The tracked tension pairs: ascending pair indices. Files written before they were
    // recorded keep the histograms of every pair.
    if (h5::exists(f, join(L, "tension_pairs"))) {
        Handle d = h5::open_dataset(f, join(L, "tension_pairs"));
        const auto dims = h5::shape(d.get());
        if (dims.size() != 1 || dims[0] > static_cast<hsize_t>(shape.pairs))
            throw h5::Failure("/labels/tension_pairs has the wrong shape for /labels/pairs");
        for (auto k : h5::read_array<std::int64_t>(f, join(L, "tension_pairs"), dims)) {
            if (k < 0 || k >= shape.pairs ||
                (!r.tension_pairs.empty() && k <= r.tension_pairs.back()))
                throw h5::Failure(
                    "/labels/tension_pairs is not a list of ascending pair indices below " +
                    std::to_string(shape.pairs));
            r.tension_pairs.push_back(static_cast<int>(k));
        }
    } else {
        r.tension_pairs = core::all_pairs(shape.pairs);
    }

    r.point_descriptions = h5::read_strings(f, join(layout::kPoints, "description"), vl);
    if (static_cast<std::int64_t>(r.point_descriptions.size()) != r.points)
        throw h5::Failure("/points/description does not have one entry per point");

    // The sweep design. Files written before sweeps were recorded lack it: a plain run.
    r.factor_values.assign(static_cast<std::size_t>(r.points), {});
    if (H5Aexists(f, "design") > 0) {
        r.design = h5::read_attr_string(f, "design", vl);
        r.design_samples = h5::read_attr_int(f, "design_samples");
        r.design_seed = h5::read_attr_uint(f, "design_seed");
        r.sweep_text = h5::read_attr_string(f, "sweep_text", vl);
        if (H5Aexists(f, "sweep_id") > 0) r.sweep_id = h5::read_attr_string(f, "sweep_id", vl);
        r.factors = h5::read_strings(f, join(L, "factors"), vl);
        const hsize_t nf = r.factors.size();
        const auto fv = h5::read_array<double>(f, join(layout::kPoints, "factor_values"),
                                               {static_cast<hsize_t>(r.points), nf});
        for (std::size_t k = 0; k < r.factor_values.size(); ++k)
            r.factor_values[k].assign(fv.begin() + static_cast<std::ptrdiff_t>(k * nf),
                                      fv.begin() + static_cast<std::ptrdiff_t>((k + 1) * nf));
    }
    H5Eclear2(H5E_DEFAULT);

    const hsize_t Pt = static_cast<hsize_t>(r.points);
    const std::string raw = layout::kRaw;
    const auto runs = h5::read_array<std::int64_t>(f, join(raw, "runs"), {Pt});
    const auto max_rounds = h5::read_array<std::int64_t>(f, join(raw, "max_rounds"), {Pt});
    std::int64_t max_all = 0;
    for (auto m : max_rounds) {
        if (m < 0 || m > 255) throw h5::Failure("/summary/raw/max_rounds is out of range");
        max_all = std::max(max_all, m);
    }
    r.max_rounds = static_cast<int>(max_all);
    // Sizes of one point's counts (every summary has them, but for the rounds histogram).
    const core::SummaryCounts proto(shape, 0, r.tension_pairs);
    if (summaries) {
        r.summaries.reserve(Pt);
        for (hsize_t k = 0; k < Pt; ++k) {
            r.summaries.emplace_back(shape, static_cast<int>(max_rounds[k]), r.tension_pairs);
            r.summaries.back().runs = runs[k];
        }
    }
    for (const auto& field : layout::raw_fields()) {
        const std::string name = join(raw, field.name);
        const bool rounds = std::string_view(field.name) == "rounds_hist";
        // The per-point shape follows from the constructed Summary, except for the
        // padded rounds histogram.
        const std::size_t per =
            rounds ? static_cast<std::size_t>(shape.periods) * shape.proposals * (max_all + 1)
                   : (proto.*field.member).size();
        Handle d = h5::open_dataset(f, name);
        const auto dims = h5::shape(d.get());
        std::size_t got = 1;
        for (std::size_t i = 1; i < dims.size(); ++i) got *= dims[i];
        if (dims.empty() || dims[0] != Pt || got != per)
            throw h5::Failure(name + " has the wrong shape for the labels");
        if (!summaries) continue;
        const auto all = h5::read_array<std::int64_t>(f, name, dims);
        for (hsize_t k = 0; k < Pt; ++k) {
            auto& dst = r.summaries[k].*field.member;
            const auto* src = all.data() + k * per;
            if (!rounds) {
                dst.assign(src, src + per);
                continue;
            }
            const std::size_t rb = static_cast<std::size_t>(max_rounds[k]) + 1,
                              RB = static_cast<std::size_t>(max_all) + 1;
            for (std::size_t tp = 0; tp < dst.size() / rb; ++tp)
                for (std::size_t b = 0; b < rb; ++b) dst[tp * rb + b] = src[tp * RB + b];
        }
    }
    if (!r.summary_only && !h5::exists(f, layout::kRuns))
        throw h5::Failure("the /runs group is missing but summary_only is 0");
    return r;
}

}  // namespace

namespace {

template <typename F>
auto with_file(const std::string& path, F&& body) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw BadResults(path, "no such file");
    if (std::filesystem::is_directory(path, ec)) throw BadResults(path, "is a directory");
    if (!std::filesystem::is_regular_file(path, ec))
        throw BadResults(path, "is not a regular file");
    h5::QuietErrors quiet;
    try {
        const htri_t is_h5 = H5Fis_hdf5(path.c_str());
        if (is_h5 <= 0) {
            H5Eclear2(H5E_DEFAULT);
            throw BadResults(path, "not an HDF5 file");
        }
        Handle fapl = h5::plist(H5Pcreate(H5P_FILE_ACCESS), "creating a file access list");
        h5::check_rc(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "setting close degree");
        Handle f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "cannot open");
        return body(f.get());
    } catch (const h5::Failure& e) {
        throw BadResults(path, e.what());
    } catch (const std::length_error& e) {
        throw BadResults(path, std::string("implausible sizes: ") + e.what());
    } catch (const std::bad_alloc&) {
        throw BadResults(path, "implausible sizes (out of memory)");
    }
}

/// Checks a datatype against what results files hold: integers, floats and enums of at
/// most 8 bytes, fixed-length strings, and (format 1 only) variable-length strings.
void check_type(hid_t t, const std::string& what, h5::Vlen vl) {
    const H5T_class_t cls = H5Tget_class(t);
    const std::size_t size = H5Tget_size(t);
    if (cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_ENUM) {
        if (size == 0 || size > 8)
            throw h5::Failure(what + " has a numeric type of " + std::to_string(size) + " bytes");
        return;
    }
    if (cls == H5T_STRING) {
        const htri_t var = H5Tis_variable_str(t);
        if (var < 0) h5::check_rc(-1, "reading the type of " + what);
        if (var > 0 && vl == h5::Vlen::Refuse)
            throw h5::Failure(
                what + " is stored as variable-length strings, which this format does not use");
        if (var == 0 && (size == 0 || size > h5::kMaxStringBytes))
            throw h5::Failure(what + " has a string type of " + std::to_string(size) + " bytes");
        return;
    }
    throw h5::Failure(what + " has a datatype results files do not use (class " +
                      std::to_string(static_cast<int>(cls)) + ")");
}

std::vector<hsize_t> extent_of(hid_t sp, const std::string& what) {
    const int rank = H5Sget_simple_extent_ndims(sp);
    h5::check_id(rank, "reading the dataspace of " + what);
    if (rank > 8) throw h5::Failure(what + " has " + std::to_string(rank) + " dimensions");
    std::vector<hsize_t> d(static_cast<std::size_t>(rank));
    if (rank > 0) h5::check_rc(H5Sget_simple_extent_dims(sp, d.data(), nullptr), "shape");
    return d;
}

/// Reads every attribute of `obj` (checking its type and size first).
void read_attributes(hid_t obj, const std::string& what, h5::Vlen vl) {
    std::vector<std::string> names;
    auto cb = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
    };
    h5::check_rc(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, cb, &names),
                 "listing the attributes of " + what);
    for (const auto& name : names) {
        const std::string w = "attribute '" + name + "' of " + what;
        Handle a = h5::attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "opening " + w);
        Handle t = h5::type(H5Aget_type(a.get()), "reading " + w);
        check_type(t.get(), w, vl);
        Handle sp = h5::space(H5Aget_space(a.get()), "reading " + w);
        (void)extent_of(sp.get(), w);
        if (H5Tget_class(t.get()) == H5T_STRING) {
            if (H5Sget_simple_extent_type(sp.get()) == H5S_SCALAR)
                (void)h5::read_attr_string(obj, name, vl);
            else
                (void)h5::read_attr_strings(obj, name, vl);
            continue;
        }
        const hssize_t n = H5Sget_simple_extent_npoints(sp.get());
        h5::check_id(n, "reading " + w);
        if (static_cast<std::uint64_t>(n) > (std::uint64_t{1} << 20))
            throw h5::Failure(w + " claims " + std::to_string(n) + " values");
        std::vector<unsigned char> buf(static_cast<std::size_t>(n) * H5Tget_size(t.get()) + 1);
        if (n > 0) h5::check_rc(H5Aread(a.get(), t.get(), buf.data()), "reading " + w);
    }
}

using AxisLengths = std::map<std::string, hsize_t>;

/// The length of every axis the format names that follows from the root attributes and
/// the /labels datasets' shapes (docs/hdf5-format.md, "Axes").
AxisLengths axis_lengths(hid_t f) {
    AxisLengths ax = {{"outcome", core::kOutcomeNames.names.size()},
                      {"flag", static_cast<hsize_t>(core::kFlagBits)},
                      {"quantile", 3},
                      {"dilution_bin", static_cast<hsize_t>(core::kDilutionBins)},
                      {"dilution_edge", static_cast<hsize_t>(core::kDilutionBins) + 1},
                      {"tension_bin", static_cast<hsize_t>(core::kTensionBins)},
                      {"tension_edge", static_cast<hsize_t>(core::kTensionBins) + 1}};
    const std::int64_t points = h5::read_attr_int(f, "points"), runs = h5::read_attr_int(f, "runs");
    if (points < 1 || runs < 0)
        throw h5::Failure("attributes points=" + std::to_string(points) +
                          ", runs=" + std::to_string(runs));
    ax["point"] = static_cast<hsize_t>(points);
    ax["run"] = static_cast<hsize_t>(runs);
    const std::pair<const char*, const char*> labels[] = {{"agent", "agents"},
                                                          {"proposal", "proposals"},
                                                          {"period", "periods"},
                                                          {"dimension", "dimensions"},
                                                          {"threat", "threats"},
                                                          {"pair", "pairs"},
                                                          {"param", "params"},
                                                          {"point_param", "point_params"},
                                                          {"factor", "factors"},
                                                          {"round", "rounds"},
                                                          {"tension_pair", "tension_pairs"}};
    for (const auto& [axis, name] : labels) {
        const std::string p = join(layout::kLabels, name);
        if (!h5::exists(f, p)) continue;
        Handle d = h5::open_dataset(f, p);
        const auto dims = h5::shape(d.get());
        if (dims.size() != 1) throw h5::Failure(p + " is not 1-D");
        ax[axis] = dims[0];
    }
    if (ax.contains("period")) ax["adoption_bin"] = ax["period"] + 1;
    if (ax.contains("round")) ax["rounds_bin"] = ax["round"] + 1;
    // Files written before /labels/tension_pairs kept a histogram for every pair.
    if (!ax.contains("tension_pair") && ax.contains("pair")) ax["tension_pair"] = ax["pair"];
    return ax;
}

/// Checks a dataset's shape against its `axes` attribute and the axis lengths.
void check_axes(hid_t d, const std::string& path, const std::vector<hsize_t>& dims,
                const AxisLengths& ax, h5::Vlen vl) {
    if (H5Aexists(d, "axes") <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return;
    }
    const std::string text = h5::read_attr_string(d, "axes", vl);
    std::vector<std::string> names;
    for (std::size_t at = 0; !text.empty() && at <= text.size();) {
        const std::size_t comma = std::min(text.find(',', at), text.size());
        names.push_back(text.substr(at, comma - at));
        at = comma + 1;
    }
    if (names.size() != dims.size())
        throw h5::Failure(path + " has " + std::to_string(dims.size()) + " dimensions but axes '" +
                          text + "'");
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto it = ax.find(names[i]);
        if (it != ax.end() && it->second != dims[i])
            throw h5::Failure(path + ": axis '" + names[i] + "' is " + std::to_string(dims[i]) +
                              " long, the file's labels say " + std::to_string(it->second));
    }
}

/// Reads the whole dataset `path` in blocks of rows (checking type, shape and size first).
void read_dataset_blocks(hid_t f, const std::string& path, h5::Vlen vl, const AxisLengths& ax) {
    Handle d = h5::dataset(H5Dopen2(f, path.c_str(), H5P_DEFAULT), "opening " + path);
    Handle t = h5::type(H5Dget_type(d.get()), "reading " + path);
    check_type(t.get(), path, vl);
    read_attributes(d.get(), path, vl);
    Handle sp = h5::space(H5Dget_space(d.get()), "reading " + path);
    const auto dims = extent_of(sp.get(), path);
    check_axes(d.get(), path, dims, ax, vl);
    if (H5Tget_class(t.get()) == H5T_STRING) {
        if (dims.size() != 1) throw h5::Failure(path + " holds strings but is not 1-D");
        (void)h5::read_strings(f, path, vl);
        return;
    }
    const std::size_t esize = H5Tget_size(t.get());
    std::uint64_t n = 1;
    for (hsize_t v : dims) {
        if (v != 0 && n > (std::uint64_t{1} << 44) / v)
            throw h5::Failure(path + " has an implausible shape");
        n *= v;
    }
    if (n == 0) return;
    h5::check_plausible(d.get(), static_cast<std::size_t>(n * esize), path);
    if (dims.empty()) {
        std::vector<unsigned char> buf(esize);
        h5::check_rc(H5Dread(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()),
                     "reading " + path);
        return;
    }
    const std::uint64_t row = n / dims[0] * esize;
    const hsize_t block =
        std::max<hsize_t>(1, (std::uint64_t{8} << 20) / std::max<std::uint64_t>(row, 1));
    std::vector<unsigned char> buf;
    for (hsize_t r0 = 0; r0 < dims[0]; r0 += block) {
        std::vector<hsize_t> start(dims.size(), 0), count = dims;
        start[0] = r0;
        count[0] = std::min(block, dims[0] - r0);
        buf.resize(static_cast<std::size_t>(count[0] * row));
        Handle fsp = h5::space(H5Dget_space(d.get()), "reading " + path);
        h5::check_rc(H5Sselect_hyperslab(fsp.get(), H5S_SELECT_SET, start.data(), nullptr,
                                         count.data(), nullptr),
                     "reading " + path);
        Handle msp =
            h5::space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                      "reading " + path);
        h5::check_rc(H5Dread(d.get(), t.get(), msp.get(), fsp.get(), H5P_DEFAULT, buf.data()),
                     "reading " + path);
    }
}

}  // namespace

Results read_results_unguarded(const std::string& path) {
    return with_file(path, [&](hid_t f) { return read_open(f, path); });
}

Results read_results_header_unguarded(const std::string& path) {
    return with_file(path, [&](hid_t f) { return read_open(f, path, false); });
}

void read_every_object(const std::string& path) {
    with_file(path, [&](hid_t f) {
        const std::string format = h5::read_attr_string(f, "format", h5::Vlen::Allow);
        if (format != kResultsFormat && format != kResultsFormatV1)
            throw h5::Failure("format is '" + format + "'");
        const h5::Vlen vl = format == kResultsFormatV1 ? h5::Vlen::Allow : h5::Vlen::Refuse;
        std::vector<std::pair<std::string, H5O_type_t>> objects;
        auto cb = [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
            auto* v = static_cast<std::vector<std::pair<std::string, H5O_type_t>>*>(data);
            if (v->size() > 100000) return -1;
            v->emplace_back(name, info->type);
            return 0;
        };
        h5::check_rc(H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, cb, &objects, H5O_INFO_BASIC),
                     "visiting the file's objects");
        const AxisLengths ax = axis_lengths(f);
        for (const auto& [name, type] : objects) {
            const std::string p = name == "." ? "/" : "/" + name;
            if (type == H5O_TYPE_GROUP) {
                Handle g = h5::group(H5Gopen2(f, p.c_str(), H5P_DEFAULT), "opening " + p);
                read_attributes(g.get(), p, vl);
            } else if (type == H5O_TYPE_DATASET) {
                read_dataset_blocks(f, p, vl, ax);
            } else {
                throw h5::Failure(p + " is neither a group nor a dataset");
            }
        }
        return 0;
    });
}

namespace {

/// What a per-run dataset that read_run_facts reads must be (docs/hdf5-format.md, "Per-run
/// datasets"; core::kRunOutputs): its class (an integer, or the outcome enum) and, for an
/// integer, its signedness; the element size is that of T.
struct RunColumn {
    const char* name;
    H5T_class_t cls;
    H5T_sign_t sign;
};

/// The outcome enum must be this version's: a 1-byte enum whose members are the outcome
/// names with the codes 0, 1, ... in order (the stored codes are then what core::Outcome
/// means).
void check_outcome_enum(hid_t t, const std::string& path) {
    const int n = H5Tget_nmembers(t);
    h5::check_id(n, "reading the enum type of " + path);
    bool same = static_cast<std::size_t>(n) == core::kOutcomeNames.names.size();
    for (int i = 0; same && i < n; ++i) {
        char* name = H5Tget_member_name(t, static_cast<unsigned>(i));
        if (!name) h5::check_rc(-1, "reading the enum type of " + path);
        same = std::string_view(name) == core::kOutcomeNames.names[static_cast<std::size_t>(i)];
        H5free_memory(name);
        unsigned char v = 0xff;
        h5::check_rc(H5Tget_member_value(t, static_cast<unsigned>(i), &v),
                     "reading the enum type of " + path);
        same = same && v == i;
    }
    if (!same)
        throw h5::Failure(path + " is not stored as the enum of this version's outcomes (" +
                          std::to_string(core::kOutcomeNames.names.size()) + " names, codes 0 to " +
                          std::to_string(core::kOutcomeNames.names.size() - 1) + ")");
}

/// Rows [first, first + rows) of the per-run dataset `col`, whose shape must be `dims`
/// exactly (dims[0]: the runs in the file) and whose type must be `col`'s with elements of
/// sizeof(T) bytes; all checked before anything is read. The outcome enum is read as its
/// codes (the file's own type), integers as T.
template <typename T>
std::vector<T> read_run_rows(hid_t f, const RunColumn& col, const std::vector<hsize_t>& dims,
                             hsize_t first, hsize_t rows) {
    const std::string path = std::string(layout::kRuns) + "/" + col.name;
    Handle d = h5::open_dataset(f, path);
    const auto got = h5::shape(d.get());
    if (got != dims)
        throw h5::Failure(path + " has shape " + h5::dims_text(got) + ", expected " +
                          h5::dims_text(dims) + " (the attribute 'runs' and the /labels)");
    Handle ft = h5::type(H5Dget_type(d.get()), "reading " + path);
    const H5T_class_t cls = H5Tget_class(ft.get());
    const std::size_t esize = H5Tget_size(ft.get());
    if (cls != col.cls || esize != sizeof(T) ||
        (cls == H5T_INTEGER && H5Tget_sign(ft.get()) != col.sign))
        throw h5::Failure(path + " is not stored as " +
                          (col.cls == H5T_ENUM        ? std::string("an enum")
                           : col.sign == H5T_SGN_NONE ? "an unsigned integer"
                                                      : "a signed integer") +
                          " of " + std::to_string(sizeof(T)) + " bytes");
    if (cls == H5T_ENUM) check_outcome_enum(ft.get(), path);
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = first;
    count[0] = rows;
    std::size_t n = 1;
    for (const hsize_t c : count) {
        if (c != 0 && n > (std::size_t{1} << 36) / c)
            throw h5::Failure(path + " has an implausible shape");
        n *= static_cast<std::size_t>(c);
    }
    std::vector<T> out(n);
    if (n == 0) return out;
    h5::check_plausible(d.get(), n * sizeof(T), path);
    Handle fsp = h5::space(H5Dget_space(d.get()), "reading " + path);
    h5::check_rc(H5Sselect_hyperslab(fsp.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                                     nullptr),
                 "reading " + path);
    Handle msp = h5::space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                           "reading " + path);
    h5::check_rc(H5Dread(d.get(), cls == H5T_ENUM ? ft.get() : h5::native<T>(), msp.get(),
                         fsp.get(), H5P_DEFAULT, out.data()),
                 "reading " + path);
    return out;
}

void check_point(const Results& r, std::int64_t point) {
    if (point < 0 || point >= r.points)
        throw std::out_of_range("read_run_facts: point " + std::to_string(point) + " of " + r.path +
                                " is out of range: the file holds points 0 to " +
                                std::to_string(r.points - 1));
}

}  // namespace

RunFacts read_run_facts_unguarded(const Results& r, std::int64_t point) {
    check_point(r, point);
    return with_file(r.path, [&](hid_t f) {
        if (r.summary_only || !h5::exists(f, layout::kRuns))
            throw h5::Failure("holds no per-run records (written with --summary-only)");
        // The run axis: `runs` rows, the replications of each point in turn (the rows of
        // point k are k * replications onwards).
        if (r.replications < 0 || r.runs < 0 ||
            (r.replications > 0 && r.points > r.runs / r.replications) ||
            r.points * r.replications != r.runs)
            throw h5::Failure("the attributes say runs=" + std::to_string(r.runs) +
                              ", points=" + std::to_string(r.points) +
                              " and replications=" + std::to_string(r.replications) +
                              ", but runs must be points x replications");
        const auto R = static_cast<hsize_t>(r.runs),
                   T = static_cast<hsize_t>(r.labels.periods.size()),
                   P = static_cast<hsize_t>(r.labels.proposals.size()),
                   N = static_cast<hsize_t>(r.labels.agents.size());
        const auto first = static_cast<hsize_t>(point * r.replications),
                   reps = static_cast<hsize_t>(r.replications);
        const auto pts =
            read_run_rows<std::int64_t>(f, {"point", H5T_INTEGER, H5T_SGN_2}, {R}, first, reps);
        for (const auto g : pts)
            if (g != r.first_point + point)
                throw h5::Failure("the runs of point " + std::to_string(point) + " are not rows " +
                                  std::to_string(first) + " onwards of /runs (/runs/point holds " +
                                  std::to_string(g) + ")");
        RunFacts out;
        out.runs = r.replications;
        out.outcome = read_run_rows<std::uint8_t>(f, {"outcome", H5T_ENUM, H5T_SGN_NONE}, {R, T, P},
                                                  first, reps);
        for (std::size_t k = 0; k < out.outcome.size(); ++k)
            if (out.outcome[k] >= core::kOutcomeNames.names.size())
                throw h5::Failure("/runs/outcome holds the code " + std::to_string(out.outcome[k]) +
                                  " in row " + std::to_string(first + k / (T * P)) +
                                  ", which is no outcome (codes 0 to " +
                                  std::to_string(core::kOutcomeNames.names.size() - 1) + ")");
        out.flags = read_run_rows<std::uint16_t>(f, {"flags", H5T_INTEGER, H5T_SGN_NONE},
                                                 {R, T, P, N}, first, reps);
        constexpr unsigned kDefined = (1u << core::kFlagBits) - 1;
        for (std::size_t k = 0; k < out.flags.size(); ++k)
            if ((out.flags[k] & ~kDefined) != 0)
                throw h5::Failure("/runs/flags holds " + std::to_string(out.flags[k]) + " in row " +
                                  std::to_string(first + k / (T * P * N)) +
                                  ", with bits beyond the " + std::to_string(core::kFlagBits) +
                                  " of /labels/flags");
        return out;
    });
}

RunFacts read_run_facts(const Results& r, std::int64_t point) {
    check_point(r, point);
    check_in_child(r.path, [&] { (void)read_run_facts_unguarded(r, point); });
    return read_run_facts_unguarded(r, point);
}

Results read_results(const std::string& path) {
    check_in_child(path, [&] { (void)read_results_unguarded(path); });
    return read_results_unguarded(path);
}

}  // namespace sco::io
