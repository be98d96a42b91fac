#include <iostream>

#include "sco/version.h"
#include "sim/cli/app.h"
#include "sim/cli/options.h"
#include "sim/cli/signals.h"
#include "sim/experiment/statistics.h"
#include "sim/io/calibration_writer.h"
#include "sim/io/merge.h"

namespace po = boost::program_options;

namespace sco::cli {

int cmd_merge(const std::vector<std::string>& args, const std::string& command_line) {
    po::options_description desc("options");
    desc.add_options()("output,o", po::value<std::string>()->value_name("FILE"),
                       "the merged results file (required)")(
        "force", "overwrite an existing output file")("quiet,q", "print nothing but errors");
    po::options_description files;
    files.add_options()("shards", po::value<std::vector<std::string>>()->multitoken(),
                        "shard files");
    const auto vmo = parse_command(
        "merge", "SHARD.h5 ... -o FILE [--force] [-q]",
        "Merge the shard files of one sweep into one results file, identical (but for its\n"
        "command line and time of creation) to a single run of the whole sweep. Checks that\n"
        "the shards come from the same sweep and names any missing or duplicated shard.",
        args, desc, {"shards"}, 1, /*repeat_last_positional=*/true);
    if (!vmo) return kExitOk;
    const auto& vm = *vmo;
    if (!vm.count("output")) throw UsageError("merge: -o FILE is required");
    const auto inputs = vm["shards"].as<std::vector<std::string>>();
    if (io::is_calibration_file(inputs.front())) {  // shards of `sco-sim calibrate`
        std::vector<std::string> a{"--merge"};
        a.insert(a.end(), inputs.begin(), inputs.end());
        a.insert(a.end(), {"-o", vm["output"].as<std::string>()});
        if (vm.count("force")) a.emplace_back("--force");
        if (vm.count("quiet")) a.emplace_back("-q");
        return cmd_calibrate(a, command_line);
    }
    SignalGuard guard;
    io::MergeReport rep;
    try {
        rep = io::merge_results(experiment::stored_statistics(), inputs,
                                vm["output"].as<std::string>(), vm.count("force") > 0, command_line,
                                kVersion, kGitCommit, stop_flag());
    } catch (const io::MergeInterrupted&) {
        std::cerr << "sco-sim: interrupted; nothing written to " << vm["output"].as<std::string>()
                  << "\n";
        return 128 + caught_signal();
    }
    if (!vm.count("quiet"))
        std::cout << "merged " << rep.inputs.size() << " files: " << rep.points << " points, "
                  << rep.runs << " runs -> " << vm["output"].as<std::string>() << "\n";
    return kExitOk;
}

}  // namespace sco::cli
