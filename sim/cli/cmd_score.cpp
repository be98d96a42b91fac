#include <iostream>
#include <nlohmann/json.hpp>

#include "sim/cli/app.h"
#include "sim/cli/options.h"
#include "sim/experiment/score.h"
#include "sim/io/results_reader.h"
#include "sim/scenario/events.h"
#include "sim/scenario/loader.h"

namespace po = boost::program_options;

namespace sco::cli {

int cmd_score(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("json", "print JSON (fields documented in docs/cli.md)")(
        "skip-missing",
        "leave out (and list) events naming a year, proposal or agent not in the results")(
        "clip", po::value<double>()->default_value(0.01)->value_name("C"),
        "log score: clip probabilities to [C, 1-C], 0 <= C < 0.5")(
        "bins", po::value<int>()->default_value(10)->value_name("K"),
        "reliability table: bins (1 to 1000)")(
        "point", po::value<int>()->value_name("K"),
        "which sweep point (required for a file of more than one point; else 0)");
    const auto vm = parse_command(
        "score", "RESULTS EVENTS [--json] [--skip-missing] [--clip C] [--bins K] [--point K]",
        "Score a results file against observed events (docs/history-format.md).", args, desc,
        {"results", "events"}, 2);
    if (!vm) return kExitOk;
    experiment::ScoreOptions opt;
    opt.clip = (*vm)["clip"].as<double>();
    opt.bins = (*vm)["bins"].as<int>();
    if (!(opt.clip >= 0.0 && opt.clip < 0.5))
        throw UsageError("score: --clip must be at least 0 and below 0.5");
    if (opt.bins < 1 || opt.bins > 1000)
        throw UsageError("score: --bins must be between 1 and 1000");
    // The events first: a mistake there is cheaper to find than reading the results.
    const scenario::Events events = scenario::load_events((*vm)["events"].as<std::string>());
    auto res = io::read_results((*vm)["results"].as<std::string>());
    const int n = static_cast<int>(res.summaries.size());
    int point = 0;
    if (vm->count("point")) {
        point = (*vm)["point"].as<int>();
        if (point < 0 || point >= n)
            throw UsageError("score: --point must be between 0 and " + std::to_string(n - 1));
    } else if (n > 1) {
        throw UsageError("score: " + res.path + " holds " + std::to_string(n) +
                         " sweep points; choose one with --point K (0 to " + std::to_string(n - 1) +
                         ")");
    }
    std::vector<experiment::Skipped> skipped;
    const auto obs =
        experiment::resolve(events, res.labels, vm->count("skip-missing") > 0, &skipped);
    if (obs.empty())
        throw UsageError("score: no observation of " + events.path +
                         " is left to score (every event was skipped)");
    experiment::Summary sum(std::move(res.summaries[static_cast<std::size_t>(point)]));
    // Per event, the runs giving all its observations together: counted from the file's
    // per-run records (a summary-only file has none; its events are then listed without a
    // joint probability).
    if (!res.summary_only) {
        const io::RunFacts facts = io::read_run_facts(res, point);
        core::RecordShape shape;
        shape.periods = static_cast<int>(res.labels.periods.size());
        shape.proposals = static_cast<int>(res.labels.proposals.size());
        shape.agents = static_cast<int>(res.labels.agents.size());
        core::RunRecord rec;
        rec.shape = shape;
        const auto tp = static_cast<std::size_t>(shape.periods) * shape.proposals;
        const auto tpi = tp * static_cast<std::size_t>(shape.agents);
        // With every cell of each event's mode variables counted (when every event reads at
        // most EventCounter::kMaxModeVariables), so that the table can say whether the
        // observed cell is the model's most likely one.
        const bool patterns = experiment::pattern_counter_size(obs) > 0;
        const experiment::EventCounter counter(obs, patterns);
        sum.counted.assign(counter.size(), 0);
        for (std::int64_t k = 0; k < facts.runs; ++k) {
            const auto at = static_cast<std::size_t>(k);
            rec.outcome.assign(facts.outcome.begin() + static_cast<std::ptrdiff_t>(at * tp),
                               facts.outcome.begin() + static_cast<std::ptrdiff_t>((at + 1) * tp));
            rec.flags.assign(facts.flags.begin() + static_cast<std::ptrdiff_t>(at * tpi),
                             facts.flags.begin() + static_cast<std::ptrdiff_t>((at + 1) * tpi));
            counter.count(rec, sum.counted.data());
        }
    }
    const auto sc = experiment::score(obs, sum, opt);
    if (vm->count("json")) {
        using Json = nlohmann::ordered_json;
        const Json body = Json::parse(experiment::score_json(sc, skipped));
        Json out{{"format", body["format"]},
                 {"results", res.path},
                 {"point", point},
                 {"point_description", point < static_cast<int>(res.point_descriptions.size())
                                           ? res.point_descriptions[point]
                                           : std::string()},
                 {"events", events.path},
                 {"events_name", events.name},
                 {"events_count", events.events.size()}};
        for (auto it = body.begin(); it != body.end(); ++it)
            if (it.key() != "format") out[it.key()] = it.value();
        std::cout << out.dump() << "\n";
    } else {
        std::cout << "results: " << res.path << " (point " << point;
        if (point < static_cast<int>(res.point_descriptions.size()) &&
            !res.point_descriptions[point].empty())
            std::cout << ": " << res.point_descriptions[point];
        std::cout << ")\nevents:  " << events.path << " (" << events.name << "), "
                  << events.events.size() << " events, " << obs.size()
                  << " binary observations\n\n";
        std::cout << experiment::score_text(sc, skipped);
    }
    return kExitOk;
}

}  // namespace sco::cli
