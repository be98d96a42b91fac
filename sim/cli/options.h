#pragma once
// Shared option parsing for the subcommands (Boost.Program_options).
#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sco::cli {

/// Parses `args` against `desc` (plus -h/--help) with the given positional names.
/// Returns nullopt after printing the command's help. Unknown options and missing
/// positionals raise UsageError naming the command.
std::optional<boost::program_options::variables_map> parse_command(
    const std::string& command, const std::string& synopsis, const std::string& about,
    const std::vector<std::string>& args, boost::program_options::options_description desc,
    const std::vector<std::string>& positional, std::size_t required_positionals,
    bool repeat_last_positional = false);

}  // namespace sco::cli
