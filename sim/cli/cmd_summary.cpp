#include <iostream>

#include "sim/cli/app.h"
#include "sim/cli/options.h"
#include "sim/experiment/report.h"
#include "sim/io/results_reader.h"

namespace po = boost::program_options;

namespace sco::cli {

int cmd_summary(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("json", "print JSON (fields documented in docs/cli.md)")(
        "point", po::value<int>()->default_value(0), "which sweep point (default 0)");
    const auto vm =
        parse_command("summary", "FILE [--json]", "Print the outcome table of a results file.",
                      args, desc, {"file"}, 1);
    if (!vm) return kExitOk;
    const auto res = io::read_results((*vm)["file"].as<std::string>());
    const int point = (*vm)["point"].as<int>();
    if (point < 0 || point >= static_cast<int>(res.summaries.size()))
        throw UsageError("summary: --point must be between 0 and " +
                         std::to_string(res.summaries.size() - 1));
    if (vm->count("json"))
        std::cout << experiment::report_json(res.labels, res.summaries[point]) << "\n";
    else
        std::cout << experiment::report_text(res.labels, res.summaries[point]);
    return kExitOk;
}

}  // namespace sco::cli
