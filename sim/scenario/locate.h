#pragma once
// Where a parameter's value is written in a scenario file's text, so that a tool can
// replace it in place and keep every comment (`sco-sim calibrate --write-scenario`).
#include <cstddef>
#include <optional>
#include <string>

namespace sco::scenario {

/// A value in the text: bytes [begin, end), its 1-based line and column, and the byte
/// offset of the end of that line (where a comment can go).
struct ValueSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
    int line = 0;
    int column = 0;
    std::size_t line_end = 0;
};

/// The span of the value of parameter `path` (as `sco-sim params` lists it) in the text of
/// a scenario file (not a derived one: it has no `extends:`). nullopt when the path is not
/// written in the text (a dynamics value left at its default, a relation not listed) or is
/// written in a form this does not handle (a block-style distribution map, a shock's
/// value). Throws ScenarioError if the text is not YAML.
std::optional<ValueSpan> locate_value(const std::string& text, const std::string& path,
                                      const std::string& display_name);

}  // namespace sco::scenario
