#include "sim/cli/app.h"

#include <boost/program_options.hpp>
#include <iostream>

#include "sco/version.h"
#include "sim/experiment/score.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/merge.h"
#include "sim/io/results_reader.h"
#include "sim/scenario/loader.h"

namespace po = boost::program_options;

namespace sco::cli {
namespace {

constexpr const char* kUsage =
    "usage: sco-sim [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "Agent-based simulation of consensus decision-making in the Shanghai Cooperation\n"
    "Organisation.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO                simulate many runs and write a results file (HDF5)\n"
    "  sweep SCENARIO              run a parameter sweep (grid, Latin hypercube, Sobol), or one "
    "shard\n"
    "  merge SHARD.h5 ... -o FILE  merge the shard files of a sweep (or calibration) into one "
    "file\n"
    "  calibrate SCENARIO EVENTS   approximate Bayesian computation against observed events\n"
    "  check SCENARIO              validate a scenario and describe it; no run\n"
    "  params SCENARIO             list every parameter path with its value or distribution\n"
    "  summary FILE                print the outcome table of a results file (--json for JSON)\n"
    "  score RESULTS EVENTS        score a results file against observed events (--json for JSON)\n"
    "\n"
    "Run 'sco-sim COMMAND --help' for a command's options. Documentation: docs/cli.md\n";

const char* const kCommands[] = {"run",    "sweep",   "merge",     "check",
                                 "params", "summary", "calibrate", "score"};

}  // namespace

std::string version_string() {
    return std::string("sco-sim ") + kVersion + " (git " + kGitCommit + kBuildNote + ")";
}

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string command_line;
    for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
    try {
        if (args.empty()) {
            std::cerr << kUsage;
            return kExitBadInput;
        }
        const std::string cmd = args.front();
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            std::cout << kUsage;
            return kExitOk;
        }
        if (cmd == "--version" || cmd == "-V") {
            std::cout << version_string() << "\n";
            return kExitOk;
        }
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        if (cmd == "run") return cmd_run(rest, command_line);
        if (cmd == "sweep") return cmd_sweep(rest, command_line);
        if (cmd == "merge") return cmd_merge(rest, command_line);
        if (cmd == "calibrate") return cmd_calibrate(rest, command_line);
        if (cmd == "check") return cmd_check(rest);
        if (cmd == "params") return cmd_params(rest);
        if (cmd == "summary") return cmd_summary(rest);
        if (cmd == "score") return cmd_score(rest);
        std::string msg = "unknown command '" + cmd + "'";
        if (!cmd.empty() && cmd[0] == '-')
            msg = "unknown option '" + cmd + "' (options go after the command)";
        std::vector<std::string> cands(std::begin(kCommands), std::end(kCommands));
        const auto near = scenario::did_you_mean(cmd, cands);
        if (!near.empty()) msg += "; did you mean '" + near.front() + "'?";
        throw UsageError(msg);
    } catch (const UsageError& e) {
        std::cerr << "sco-sim: " << e.what() << "\nTry 'sco-sim --help'.\n";
        return kExitBadInput;
    } catch (const po::error& e) {
        std::cerr << "sco-sim: " << e.what() << "\nTry 'sco-sim --help'.\n";
        return kExitBadInput;
    } catch (const scenario::ScenarioError& e) {
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const io::OutputExists& e) {
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const io::MergeWriteError& e) {  // a full disk: not the inputs' fault
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        return kExitFailure;
    } catch (const io::MergeError& e) {
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const io::BadResults& e) {
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const experiment::ResolveError& e) {  // an event names what the results lack
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace sco::cli
