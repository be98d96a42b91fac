#pragma once
// Internal to sim/scenario: typed, position-aware reading of yaml-cpp nodes. Every
// failure throws ScenarioError naming the node's line, column and key path.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

#include "sim/core/distribution.h"
#include "sim/scenario/loader.h"

namespace sco::scenario::detail {

/// Where errors go: the file name, and whether node positions mean anything (they do
/// not for a `--set` value, which is one line of its own).
struct Context {
    std::string file;
    bool positions = true;
};

/// A value with the key path that leads to it and the position to report it at.
struct Val {
    YAML::Node node;
    std::string path;
    YAML::Mark mark;
};

[[noreturn]] void fail(const Context& ctx, const YAML::Mark& mark, const std::string& path,
                       const std::string& message);
[[noreturn]] inline void fail(const Context& ctx, const Val& v, const std::string& message) {
    fail(ctx, v.mark, v.path, message);
}

/// Refuses text that is not UTF-8 or holds control characters (other than tab, CR, LF);
/// names the line, column and byte. A leading UTF-8 byte order mark is allowed.
void check_text(const std::string& text, const std::string& file);

/// Parses `text` as one YAML document; returns a null node when there is none (an empty
/// or comment-only text). A syntax error, nesting deeper than yaml-cpp's limit and a
/// second document are ScenarioErrors (`what` names the kind of file: "a scenario
/// file"). Never YAML::LoadAll: yaml-cpp 0.7 loops forever, allocating without bound,
/// on a stray ',' after a top-level flow node (`"a",`).
YAML::Node load_document(const Context& ctx, const std::string& text, const char* what);

/// The whole of a sweep or events file (`kind`: "sweep file", "events file"), at most
/// kMaxScenarioBytes; a missing file, a directory, an unreadable or a larger file is a
/// ScenarioError naming the path.
std::string read_input_file(const std::string& path, const char* kind);

/// "a list", "a map", "nothing", "the text 'abc'": for "expected X, got Y" messages.
std::string describe_node(const YAML::Node& node);

/// One `key: value` of a map, in file order.
struct Entry {
    std::string key;
    YAML::Mark key_mark;
    Val value;
};

/// A YAML map whose keys are checked: unknown keys (with did-you-mean against
/// `allowed`, unless `allowed` is empty, which admits any key) and duplicate keys are
/// errors (`check_duplicates` false skips the latter, for a first look at a map that is
/// read again). A key with an empty value is reported at the key.
class MapReader {
  public:
    MapReader(const Context& ctx, const Val& v, const std::vector<std::string>& allowed,
              const char* what = "a map", bool check_duplicates = true);
    /// The value of `key`, or a null Val (node not defined) if absent.
    [[nodiscard]] const Val* find(const std::string& key) const;
    /// The value of `key`; absent -> "missing required key 'key' (hint)" at the map.
    [[nodiscard]] const Val& require(const std::string& key, const std::string& hint) const;
    [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
    [[nodiscard]] const Val& self() const { return self_; }

  private:
    const Context& ctx_;
    Val self_;
    std::vector<Entry> entries_;
};

/// Path of a child key: "agents[UZB]" + "capability" -> "agents[UZB].capability".
std::string child_path(const std::string& parent, const std::string& key);

/// The elements of a sequence (with paths parent[i]); checks the count.
std::vector<Val> read_list(const Context& ctx, const Val& v, std::size_t min_count,
                           std::size_t max_count, const char* what);

std::string read_text(const Context& ctx, const Val& v, const char* what = "a text");
double read_number(const Context& ctx, const Val& v);
/// A whole number in [lo, hi].
long read_integer(const Context& ctx, const Val& v, long lo, long hi, const char* what);
bool read_bool(const Context& ctx, const Val& v);

/// A number or a distribution map for a parameter with range `r`; validated.
core::Distribution read_distribution(const Context& ctx, const Val& v, const core::Range& r,
                                     bool integer);

/// "[0, 1]" with infinite ends written as -inf / inf.
std::string range_text(const core::Range& r);

/// "unknown parameter path 'X'; did you mean 'Y'?", with a hint for relation pairs
/// written in the wrong order or not defined by the scenario.
std::string unknown_path_message(const std::string& path, const std::vector<std::string>& paths);

}  // namespace sco::scenario::detail
