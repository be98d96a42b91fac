#pragma once
// Scenario files (format sco-sim/1, see docs/scenario-format.md) -> core::ModelSpec.
//
// The loader is strict: every error names the file, line, column and key path and says
// what to do. No exception other than ScenarioError leaves the functions below.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/model.h"

namespace sco::scenario {

/// what() is "FILE:LINE:COL: KEY: MESSAGE"; ":LINE:COL" is left out when line is 0 and
/// "KEY: " when key is empty.
struct ScenarioError : std::runtime_error {
    ScenarioError(std::string file, int line, int column, std::string key, std::string message);

    std::string file;
    int line = 0;     ///< 1-based; 0 if unknown
    int column = 0;   ///< 1-based; 0 if unknown
    std::string key;  ///< key path, e.g. agents[UZB].sovereignty
    std::string message;
};

struct Scenario {
    core::ModelSpec spec;
    std::string path;  ///< the file name (or display name of a string)
    std::string text;  ///< the whole file as read
};

/// Files above this size are refused before parsing.
inline constexpr std::size_t kMaxScenarioBytes = std::size_t{16} << 20;

/// Reads and validates a scenario file. Throws ScenarioError, also when the file is
/// missing, unreadable, empty, too large or not text.
Scenario load_file(const std::string& path);

/// As load_file, for text already in memory; `display_name` stands for the file name.
Scenario load_string(const std::string& text, const std::string& display_name);

/// Applies one "PATH=VALUE" override; VALUE is YAML flow (`0.4`, `{beta: [2, 3]}`).
/// Errors name file "--set" and the path as key; an unknown path gets a did-you-mean.
void apply_set(core::ModelSpec& spec, const std::string& assignment);

/// Parses a value or distribution written as YAML text for the parameter `def` and
/// validates it against the parameter's range (and integrality, for a fixed value).
/// Errors name file `where` and key def.path.
core::Distribution parse_distribution_text(const std::string& yaml, const core::ParamDef& def,
                                           const std::string& where);

/// Plausible corrections of `word` among `candidates`, best first (restricted
/// Damerau-Levenshtein distance, case-insensitive; ties keep the candidates' order).
std::vector<std::string> did_you_mean(const std::string& word,
                                      const std::vector<std::string>& candidates);

/// "; did you mean 'a'?" / "; did you mean 'a' or 'b'?" or "" when nothing is plausible.
std::string suggestion_text(const std::string& word, const std::vector<std::string>& candidates);

/// Every parameter on one line: path, value or distribution, range, "(integer)".
std::string format_params(const core::ModelSpec& spec);

}  // namespace sco::scenario
