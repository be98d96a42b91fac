#include <iostream>

#include "sim/cli/app.h"
#include "sim/cli/options.h"
#include "sim/experiment/report.h"
#include "sim/io/calibration_writer.h"
#include "sim/io/results_reader.h"
#include "sim/scenario/loader.h"

namespace po = boost::program_options;

namespace sco::cli {
namespace {

/// The dimensions each proposal moves, from the scenario text stored in the results file.
/// A derived scenario is stored as its own text followed by "# ---- extends BASE ----" and
/// the base's text; it cannot change the agenda, so the innermost base says what moves.
/// Empty (the reports then show every dimension) if this version cannot read that text or
/// it does not match the file's labels.
experiment::Moves moves_from_file(const io::Results& res) {
    const std::string& text = res.provenance.scenario_text;
    const std::string marker = "\n# ---- extends ";
    std::string base = text;
    if (const auto at = text.rfind(marker); at != std::string::npos) {
        const auto eol = text.find('\n', at + marker.size());
        base = eol == std::string::npos ? std::string() : text.substr(eol + 1);
    }
    try {
        const auto sc = scenario::load_string(base, res.provenance.scenario_path);
        const experiment::Labels L = experiment::labels_of(sc.spec);
        if (L.proposals != res.labels.proposals || L.dimensions != res.labels.dimensions) return {};
        return experiment::moves_of(sc.spec);
    } catch (const scenario::ScenarioError&) {
        return {};
    }
}

}  // namespace

int cmd_summary(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("json", "print JSON (fields documented in docs/cli.md)")(
        "point", po::value<int>()->default_value(0)->value_name("K"), "which sweep point");
    const auto vm = parse_command("summary", "FILE [--json] [--point K]",
                                  "Print the outcome table of a results file (or the posterior "
                                  "table of a calibration file).",
                                  args, desc, {"file"}, 1);
    if (!vm) return kExitOk;
    if (io::is_calibration_file((*vm)["file"].as<std::string>())) {  // sco-sim calibrate's
        const auto cal = io::read_calibration((*vm)["file"].as<std::string>());
        if (vm->count("json"))
            std::cout << calibration_json(cal) << "\n";
        else
            std::cout << calibration_report(cal);
        return kExitOk;
    }
    auto res = io::read_results((*vm)["file"].as<std::string>());
    const int point = (*vm)["point"].as<int>();
    if (point < 0 || point >= static_cast<int>(res.summaries.size()))
        throw UsageError("summary: --point must be between 0 and " +
                         std::to_string(res.summaries.size() - 1));
    const experiment::Moves moves = moves_from_file(res);
    const experiment::Summary summary(std::move(res.summaries[static_cast<std::size_t>(point)]));
    if (vm->count("json"))
        std::cout << experiment::report_json(res.labels, summary, moves) << "\n";
    else
        std::cout << experiment::report_text(res.labels, summary, moves);
    return kExitOk;
}

}  // namespace sco::cli
