// Command-line overrides: --set PATH=VALUE.
#include <yaml-cpp/yaml.h>

#include "sim/scenario/loader.h"
#include "sim/scenario/reader.h"

namespace sco::scenario {
namespace {

constexpr const char* kSetFile = "--set";
constexpr std::size_t kMaxValueBytes = 4096;

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

}  // namespace

core::Distribution parse_distribution_text(const std::string& yaml, const core::ParamDef& def,
                                           const std::string& where) {
    if (yaml.size() > kMaxValueBytes)
        throw ScenarioError(where, 0, 0, def.path,
                            "the value is " + std::to_string(yaml.size()) +
                                " bytes long; write a number or a distribution");
    YAML::Node node;
    try {
        node = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        throw ScenarioError(where, 0, 0, def.path,
                            "cannot read the value '" + yaml + "': " + e.msg +
                                "; write a number (0.4) or a distribution ({beta: [2, 3]})");
    }
    const detail::Context ctx{where, false};
    try {
        return detail::read_distribution(ctx, detail::Val{node, def.path, node.Mark()}, def.range,
                                         def.integer);
    } catch (const ScenarioError&) {
        throw;
    } catch (const YAML::Exception& e) {
        throw ScenarioError(where, 0, 0, def.path,
                            "cannot read the value '" + yaml + "': " + e.msg);
    }
}

void apply_set(core::ModelSpec& spec, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos)
        throw ScenarioError(kSetFile, 0, 0, trim(assignment),
                            "expected PATH=VALUE, e.g. agents.UZB.sovereignty=0.4");
    const std::string path = trim(assignment.substr(0, eq));
    const std::string value = trim(assignment.substr(eq + 1));
    if (path.empty())
        throw ScenarioError(kSetFile, 0, 0, "",
                            "the parameter path before '=' is empty; `sco-sim params "
                            "SCENARIO` lists every path");
    const core::ParamId id = spec.params.find(path);
    if (id == core::kNoParam) {
        std::vector<std::string> paths;
        for (const auto& d : spec.params.all()) paths.push_back(d.path);
        throw ScenarioError(kSetFile, 0, 0, path, detail::unknown_path_message(path, paths));
    }
    if (value.empty())
        throw ScenarioError(kSetFile, 0, 0, path,
                            "the value after '=' is empty; write a number or a distribution");
    spec.params[id].dist = parse_distribution_text(value, spec.params[id], kSetFile);
}

}  // namespace sco::scenario
