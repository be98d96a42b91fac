#include "sim/io/results_reader.h"

#include <filesystem>
#include <string_view>

#include "sim/io/h5.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/layout.h"

namespace sco::io {

using h5::Handle;

namespace {

std::string join(std::string_view a, std::string_view b) {
    return std::string(a) + "/" + std::string(b);
}

Results read_open(hid_t f, const std::string& path) {
    Results r;
    r.path = path;
    r.format = h5::read_attr_string(f, "format");
    if (r.format != kResultsFormat)
        throw h5::Failure("format is '" + r.format + "', this version reads '" + kResultsFormat +
                          "'");
    r.provenance.tool_version = h5::read_attr_string(f, "tool_version");
    r.provenance.git_commit = h5::read_attr_string(f, "git_commit");
    r.provenance.command_line = h5::read_attr_string(f, "command_line");
    r.provenance.scenario_path = h5::read_attr_string(f, "scenario_path");
    r.provenance.scenario_text = h5::read_attr_string(f, "scenario_text");
    r.scenario_name = h5::read_attr_string(f, "scenario_name");
    r.scenario_sha256 = h5::read_attr_string(f, "scenario_sha256");
    r.created = h5::read_attr_string(f, "created");
    r.variant_choice = h5::read_attr_string(f, "variant_choice");
    r.variant_amendment = h5::read_attr_string(f, "variant_amendment");
    r.variant_pressure = h5::read_attr_string(f, "variant_pressure");
    r.seed = h5::read_attr_uint(f, "seed");
    r.replications = h5::read_attr_int(f, "replications");
    r.points = h5::read_attr_int(f, "points");
    r.first_point = h5::read_attr_int(f, "first_point");
    r.total_points = h5::read_attr_int(f, "total_points");
    r.runs = h5::read_attr_int(f, "runs");
    r.summary_only = h5::read_attr_int(f, "summary_only") != 0;
    r.per_run_tension = h5::read_attr_int(f, "per_run_tension") != 0;
    if (r.points < 1) throw h5::Failure("attribute 'points' is " + std::to_string(r.points));

    const std::string L = layout::kLabels;
    auto& lab = r.labels;
    lab.agents = h5::read_strings(f, join(L, "agents"));
    lab.agent_names = h5::read_strings(f, join(L, "agent_names"));
    lab.proposals = h5::read_strings(f, join(L, "proposals"));
    lab.proposal_titles = h5::read_strings(f, join(L, "proposal_titles"));
    lab.kinds = h5::read_strings(f, join(L, "kinds"));
    lab.dimensions = h5::read_strings(f, join(L, "dimensions"));
    lab.threats = h5::read_strings(f, join(L, "threats"));
    lab.pairs = h5::read_strings(f, join(L, "pairs"));
    r.params = h5::read_strings(f, join(L, "params"));
    {
        Handle d = h5::open_dataset(f, join(L, "periods"));
        const auto dims = h5::shape(d.get());
        if (dims.size() != 1) throw h5::Failure("/labels/periods is not 1-D");
        for (auto y : h5::read_array<std::int64_t>(f, join(L, "periods"), dims))
            lab.periods.push_back(static_cast<int>(y));
    }
    const auto outcomes = h5::read_strings(f, join(L, "outcomes"));
    for (std::size_t o = 0; o < core::kOutcomeNames.names.size(); ++o)
        if (outcomes.size() != core::kOutcomeNames.names.size() ||
            outcomes[o] != core::kOutcomeNames.names[o])
            throw h5::Failure("/labels/outcomes differs from this version's outcomes");
    const auto flags = h5::read_strings(f, join(L, "flags"));
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

    r.point_descriptions = h5::read_strings(f, join(layout::kPoints, "description"));
    if (static_cast<std::int64_t>(r.point_descriptions.size()) != r.points)
        throw h5::Failure("/points/description does not have one entry per point");

    // The sweep design. Files written before sweeps were recorded lack it: a plain run.
    r.factor_values.assign(static_cast<std::size_t>(r.points), {});
    if (H5Aexists(f, "design") > 0) {
        r.design = h5::read_attr_string(f, "design");
        r.design_samples = h5::read_attr_int(f, "design_samples");
        r.design_seed = h5::read_attr_uint(f, "design_seed");
        r.sweep_text = h5::read_attr_string(f, "sweep_text");
        if (H5Aexists(f, "sweep_id") > 0) r.sweep_id = h5::read_attr_string(f, "sweep_id");
        r.factors = h5::read_strings(f, join(L, "factors"));
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
    r.summaries.reserve(Pt);
    for (hsize_t k = 0; k < Pt; ++k) {
        r.summaries.emplace_back(shape, static_cast<int>(max_rounds[k]));
        r.summaries.back().runs = runs[k];
    }
    for (const auto& field : layout::raw_fields()) {
        const std::string name = join(raw, field.name);
        const bool rounds = std::string_view(field.name) == "rounds_hist";
        // The per-point shape follows from the constructed Summary, except for the
        // padded rounds histogram.
        const std::size_t per =
            rounds ? static_cast<std::size_t>(shape.periods) * shape.proposals * (max_all + 1)
                   : (r.summaries[0].*field.member).size();
        Handle d = h5::open_dataset(f, name);
        const auto dims = h5::shape(d.get());
        std::size_t got = 1;
        for (std::size_t i = 1; i < dims.size(); ++i) got *= dims[i];
        if (dims.empty() || dims[0] != Pt || got != per)
            throw h5::Failure(name + " has the wrong shape for the labels");
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

Results read_results(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw BadResults(path, "no such file");
    if (std::filesystem::is_directory(path, ec)) throw BadResults(path, "is a directory");
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
        return read_open(f.get(), path);
    } catch (const h5::Failure& e) {
        throw BadResults(path, e.what());
    } catch (const std::length_error& e) {
        throw BadResults(path, std::string("implausible sizes: ") + e.what());
    } catch (const std::bad_alloc&) {
        throw BadResults(path, "implausible sizes (out of memory)");
    }
}

}  // namespace sco::io
