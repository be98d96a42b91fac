#pragma once
// The command line: thin. Parses options into the run-configuration struct, calls the
// experiment and io layers, and turns errors into messages and exit statuses:
// 0 success, 1 internal or I/O failure, 2 bad input (usage, scenario, results file),
// 128 + signal when interrupted (130 for SIGINT, 143 for SIGTERM).
#include <string>
#include <vector>

namespace sco::io {
struct CalibrationData;
}

namespace sco::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

/// Thrown for a bad command line; message goes to stderr, exit status 2.
struct UsageError : std::exception {
    std::string msg;
    explicit UsageError(std::string m) : msg(std::move(m)) {}
    [[nodiscard]] const char* what() const noexcept override { return msg.c_str(); }
};

int main(int argc, char** argv);

// Subcommands; `args` excludes the program and subcommand names.
int cmd_run(const std::vector<std::string>& args, const std::string& command_line);
int cmd_check(const std::vector<std::string>& args);
int cmd_params(const std::vector<std::string>& args);
int cmd_summary(const std::vector<std::string>& args);
int cmd_score(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args, const std::string& command_line);
int cmd_merge(const std::vector<std::string>& args, const std::string& command_line);
int cmd_calibrate(const std::vector<std::string>& args, const std::string& command_line);

/// The posterior table of a calibration file (`calibrate`, `summary`).
std::string calibration_report(const io::CalibrationData& d);
/// The same as one JSON object on one line (`summary --json`; fields in docs/cli.md).
std::string calibration_json(const io::CalibrationData& d);

std::string version_string();

}  // namespace sco::cli
