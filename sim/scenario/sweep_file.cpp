#include "sim/scenario/sweep_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <sstream>

#include "sim/scenario/loader.h"
#include "sim/scenario/reader.h"

namespace sco::scenario {
namespace {

using detail::Context;
using detail::MapReader;
using detail::Val;

const std::vector<std::string> kSweepKeys = {
    "format", "scenario", "design", "samples", "replications", "seed", "vary", "set", "output"};
const std::vector<std::string> kDesigns = {"grid", "lhs", "sobol"};

std::string yaml_text(const YAML::Node& n) {
    YAML::Emitter e;
    e << YAML::Flow << n;
    return e.c_str();
}

}  // namespace

core::ParamId resolve_path(const core::ModelSpec& spec, const std::string& path,
                           const std::string& where, int line) {
    const core::ParamId id = spec.params.find(path);
    if (id != core::kNoParam) return id;
    std::vector<std::string> paths;
    for (const auto& d : spec.params.all()) paths.push_back(d.path);
    throw ScenarioError(where, line, line > 0 ? 1 : 0, path,
                        detail::unknown_path_message(path, paths));
}

SweepFile load_sweep_file(const std::string& path) {
    std::string text = detail::read_input_file(path, "sweep file");
    SweepFile sw;
    sw.path = path;
    sw.text = std::move(text);
    const Context ctx{path, true};
    detail::check_text(sw.text, path);
    const YAML::Node root = detail::load_document(ctx, sw.text, "a sweep file");
    if (root.IsNull())
        throw ScenarioError(path, 0, 0, "",
                            "the file is empty; a sweep file starts with format: sco-sim-sweep/1");
    if (!root.IsMap())
        detail::fail(ctx, root.Mark(), "",
                     "a sweep file is a map starting with format: sco-sim-sweep/1, got " +
                         detail::describe_node(root));
    try {
        const MapReader top(ctx, Val{root, "", root.Mark()}, kSweepKeys, "a map of sweep keys");
        const Val& fmt = top.require("format", "write: format: sco-sim-sweep/1");
        if (detail::read_text(ctx, fmt) != "sco-sim-sweep/1")
            detail::fail(ctx, fmt, "unsupported format; this version reads 'sco-sim-sweep/1'");
        const Val& sc = top.require("scenario", "the scenario file, relative to this file");
        sw.scenario =
            (std::filesystem::path(path).parent_path() / detail::read_text(ctx, sc)).string();
        sw.scenario_line = ctx.positions && sc.mark.line >= 0 ? sc.mark.line + 1 : 0;
        if (const Val* d = top.find("design")) {
            sw.design = detail::read_text(ctx, *d);
            if (std::find(kDesigns.begin(), kDesigns.end(), sw.design) == kDesigns.end()) {
                const std::string hint = suggestion_text(sw.design, kDesigns);
                detail::fail(ctx, *d,
                             "unknown design '" + sw.design + "'" +
                                 (hint.empty() ? "; one of grid, lhs, sobol"
                                               : hint + " (one of grid, lhs, sobol)"));
            }
        }
        if (const Val* v = top.find("samples"))
            sw.samples = detail::read_integer(ctx, *v, 1, 100'000'000, "the number of samples");
        else if (sw.design != "grid")
            detail::fail(ctx, top.self(),
                         "missing key 'samples' (points for lhs; base samples N for sobol)");
        if (const Val* v = top.find("replications"))
            sw.replications =
                detail::read_integer(ctx, *v, 1, 1'000'000'000, "replications per point");
        if (const Val* v = top.find("seed"))
            sw.seed = static_cast<std::uint64_t>(
                detail::read_integer(ctx, *v, 0, 0x7fffffffffffffffL, "the seed"));
        if (const Val* v = top.find("output"))
            sw.output = detail::read_text(ctx, *v, "a file name");
        const MapReader vary(ctx,
                             top.require("vary", "a map {PARAMETER_PATH: {range: [lo, hi]} ...}"),
                             {}, "a map of parameter paths");
        if (vary.entries().empty()) detail::fail(ctx, vary.self(), "vary names no parameter");
        for (const auto& e : vary.entries()) {
            SweepFactorSpec f;
            f.path = e.key;
            f.line = e.key_mark.line + 1;
            const MapReader m(ctx, e.value, {"range", "steps", "levels"},
                              "a map {range: [lo, hi], steps: N} or {levels: [...]}");
            if (const Val* lv = m.find("levels")) {
                if (sw.design != "grid")
                    detail::fail(ctx, *lv, "levels are for grid designs; use range: [lo, hi]");
                for (const Val& x : detail::read_list(ctx, *lv, 1, 100000, "numbers"))
                    f.levels.push_back(detail::read_number(ctx, x));
                if (m.find("range") || m.find("steps"))
                    detail::fail(ctx, *lv, "give either levels or range (with steps), not both");
            } else {
                const Val& r = m.require("range", "[lo, hi]");
                const std::vector<Val> ends =
                    detail::read_list(ctx, r, 2, 2, "two numbers [lo, hi]");
                f.lo = detail::read_number(ctx, ends[0]);
                f.hi = detail::read_number(ctx, ends[1]);
                if (f.lo > f.hi) detail::fail(ctx, r, "lo must not exceed hi");
                if (sw.design == "grid")
                    f.steps = static_cast<int>(detail::read_integer(
                        ctx, m.require("steps", "the number of grid levels"), 1, 100000, "steps"));
                else if (const Val* st = m.find("steps"))
                    detail::fail(ctx, *st,
                                 "steps are for grid designs; lhs and sobol draw their own points");
            }
            sw.vary.push_back(std::move(f));
        }
        if (const Val* v = top.find("set")) {
            const MapReader m(ctx, *v, {}, "a map {PARAMETER_PATH: value}");
            for (const auto& e : m.entries()) {
                sw.set.emplace_back(e.key, yaml_text(e.value.node));
                sw.set_lines.push_back(e.key_mark.line + 1);
            }
        }
    } catch (const ScenarioError&) {
        throw;
    } catch (const YAML::Exception& e) {
        detail::fail(ctx, e.mark, "", e.msg);
    }
    return sw;
}

}  // namespace sco::scenario
