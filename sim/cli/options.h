#pragma once
// Shared option parsing for the subcommands (Boost.Program_options).
#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/model.h"

namespace sco::cli {

/// Width of a command's --help (its option table); the usage lines are kept within it.
inline constexpr unsigned kHelpWidth = 100;

/// Parses `args` against `desc` (plus -h/--help) with the given positional names.
/// Returns nullopt after printing the command's help. Unknown options and missing
/// positionals raise UsageError naming the command.
std::optional<boost::program_options::variables_map> parse_command(
    const std::string& command, const std::string& synopsis, const std::string& about,
    const std::vector<std::string>& args, boost::program_options::options_description desc,
    const std::vector<std::string>& positional, std::size_t required_positionals,
    bool repeat_last_positional = false);

/// A whole number typed on the command line for option `option` of `command`: decimal
/// digits only, no sign, no leading zero ("010" is refused rather than read as 8 or 10;
/// the message suggests "10"), at most 2^64 - 1. Throws UsageError saying what is wrong.
std::uint64_t parse_whole(const std::string& command, const std::string& option,
                          const std::string& text);

/// One shard of the points of a sweep or a calibration: `--shard K/N`, 0-based here.
struct Shard {
    int index = 0;
    int count = 1;
};

/// `--shard K/N` of `command`: whole numbers with 1 <= K <= N <= 100000. Throws
/// UsageError naming the command and what is wrong.
Shard parse_shard(const std::string& command, const std::string& text);

/// The hardware threads here (at least 1): what `--threads 0` uses.
int hardware_threads();

/// How a `--threads` error names its bound: `run` also says it is 4 x the cores here.
enum class ThreadsMessage { Plain, NameCores };

/// `--threads` of `command`: 0 (all cores) to 4 x `hardware`. Returns `threads`; throws
/// UsageError "COMMAND: --threads must be between 0 (all cores) and MAX[ (4 x the H cores
/// here)], got T" otherwise.
int check_threads(const std::string& command, int threads,
                  ThreadsMessage style = ThreadsMessage::Plain, int hardware = hardware_threads());

/// One fixed value: the parameter, its path as typed and how it was given, for messages
/// ("--set PATH=VALUE", or a sweep file's "set: PATH (FILE line L)").
struct SetOption {
    core::ParamId id = core::kNoParam;
    std::string path;
    std::string text;
};

/// Applies every `--set PATH=VALUE` of `vm` (option "set", in order) to `spec` through
/// scenario::apply_set and returns them after the values already `fixed` (a sweep file's
/// `set:`); none: `fixed`. Errors are apply_set's (scenario::ScenarioError), and a path
/// given twice, or one of `fixed`, is one too ("--set: PATH: is given twice (...)"), as a
/// repeated key in a scenario file is.
std::vector<SetOption> apply_set_options(const boost::program_options::variables_map& vm,
                                         core::ModelSpec& spec, std::vector<SetOption> fixed = {});

/// Throws scenario::ScenarioError ("--vary: PATH: is also fixed by --set ...") if
/// parameter `id`, varied as `path` by `where` (`--vary`, or a sweep file at `line`), is
/// one of `sets`: a value both fixed and varied.
void refuse_set_and_vary(const std::vector<SetOption>& sets, core::ParamId id,
                         const std::string& path, const std::string& where = "--vary",
                         int line = 0);

/// Whether to draw the progress bar: not with --quiet; with --progress always; otherwise
/// only when stderr is a terminal (`stderr_is_terminal`, isatty by default).
bool progress_wanted(const boost::program_options::variables_map& vm, int stderr_is_terminal = -1);

}  // namespace sco::cli
