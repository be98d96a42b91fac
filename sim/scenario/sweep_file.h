#pragma once
// Sweep files (format sco-sim-sweep/1): a sweep declared as data, versioned beside its
// scenario. See docs/cluster.md. Paths are resolved against the scenario by the caller.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/model.h"

namespace sco::scenario {

struct SweepFactorSpec {
    std::string path;
    int line = 0;  ///< where it was written, for errors found later
    double lo = 0.0, hi = 0.0;
    int steps = 0;               ///< grid with a range
    std::vector<double> levels;  ///< grid with explicit levels
};

struct SweepFile {
    std::string path;      ///< this file
    std::string text;      ///< as read (provenance)
    std::string scenario;  ///< resolved relative to this file's folder
    std::string design = "grid";
    std::int64_t samples = 0;  ///< lhs, sobol
    std::int64_t replications = 100;
    std::uint64_t seed = 20140615;
    std::vector<SweepFactorSpec> vary;
    std::vector<std::pair<std::string, std::string>> set;  ///< path, value as YAML text
    std::vector<int> set_lines;  ///< the line of each `set` entry, for errors found later
    int scenario_line = 0;       ///< the line of `scenario:`
    std::string output;          ///< empty: the caller's default
};

/// Reads and checks a sweep file; errors are ScenarioError with file, line and key.
SweepFile load_sweep_file(const std::string& path);

/// The id of `path` in the spec, or a ScenarioError naming `where` (and `line`) with a
/// did-you-mean suggestion.
core::ParamId resolve_path(const core::ModelSpec& spec, const std::string& path,
                           const std::string& where, int line = 0);

}  // namespace sco::scenario
