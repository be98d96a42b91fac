#include <atomic>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "sco/version.h"
#include "sim/cli/app.h"
#include "sim/cli/limits.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/cli/signals.h"
#include "sim/core/simulate.h"
#include "sim/experiment/design.h"
#include "sim/experiment/report.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/statistics.h"
#include "sim/experiment/sweep.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/results_reader.h"
#include "sim/io/sha256.h"
#include "sim/scenario/loader.h"

namespace po = boost::program_options;

namespace sco::cli {
namespace {

std::string default_output(const std::string& scenario_path) {
    return "results/" + std::filesystem::path(scenario_path).stem().string() + ".h5";
}

const char* choice_name(core::Choice c) {
    switch (c) {
        case core::Choice::Join:
            return "join";
        case core::Choice::Reserve:
            return "reserve";
        case core::Choice::StayOut:
            return "stay out";
        default:
            return "object";
    }
}

std::string num(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::ostringstream os;
    os << std::fixed << std::setprecision(3) << v;
    return os.str();
}

std::string text_of(const core::ModelSpec& s, const core::ProposalSpec& prop,
                    const std::vector<double>& x) {
    std::string out;
    for (int d = 0; d < s.n_dims(); ++d)
        if (prop.position[d] != core::kNoParam)
            out += " " + s.dimensions[d] + " " + num(x[static_cast<std::size_t>(d)]);
    return out;
}

/// What an agent did, with the flags that qualify it (docs/cli.md, "run --replay").
std::string did(const core::AgentExplain& a) {
    std::string out = choice_name(a.choice);
    // Whether the objection blocks comes first: only a member holds a veto; an observer's
    // or a candidate's objection blocks nothing, also when it asks for time.
    // A participant that left a closed exercise for a refused transit blocks it without a
    // veto (docs/model.md III.4.7).
    if (a.choice == core::Choice::Object)
        out += (a.flags & core::kDropped)
                   ? std::string(a.member ? " (blocks the exercise; no veto)" : " (no veto)")
                   : std::string(a.member ? " (veto" : " (no veto") +
                         ((a.flags & core::kWaited) ? "; asks for time)" : ")");
    if (a.flags & core::kTransitDenied) out += ", denies transit";
    if (a.flags & core::kDropped) out += ", drops out (transit denied)";
    if (a.flags & core::kPressured) out += ", pressured";
    return out;
}

/// One run, summit by summit and round by round; with `terms`, every term of every
/// agent's utilities (`--explain`).
void print_replay(const core::ModelSpec& s, const core::RunRecord& r, const core::RunExplain& ex,
                  bool terms) {
    const int P = s.n_proposals(), N = s.n_agents();
    for (int t = 0; t < s.periods; ++t)
        for (int p = 0; p < P; ++p) {
            const std::size_t tp = static_cast<std::size_t>(t) * P + p;
            const auto o = static_cast<core::Outcome>(r.outcome[tp]);
            if (o == core::Outcome::NotTabled) continue;
            const core::ProposalSpec& prop = s.proposals[p];
            const core::ProposalExplain& pe = ex.items.at(tp);
            std::cout << s.first_period + t << "  " << prop.id << " ("
                      << core::kKindNames.name(prop.kind) << ", sponsor "
                      << s.agents[prop.sponsor].id << "): " << core::kOutcomeNames.name(o)
                      << ", rounds " << int(r.rounds[tp]) << ", dilution " << num(r.dilution[tp])
                      << "\n    status quo" << text_of(s, prop, pe.status_quo) << "\n";
            for (const core::RoundExplain& re : pe.rounds) {
                std::cout << "  round " << re.round << ": offer " << num(re.offer) << " of the aim,"
                          << " effect " << num(re.effect) << ", text" << text_of(s, prop, re.text)
                          << "\n";
                if (!terms) {
                    std::cout << "   ";
                    for (int i = 0; i < N; ++i) {
                        const auto& a = re.agents[static_cast<std::size_t>(i)];
                        std::cout << " " << s.agents[i].id << ":" << did(a);
                        if (i + 1 < N) std::cout << ";";
                    }
                    std::cout << "\n";
                }
                for (int i = 0; terms && i < N; ++i) {
                    const auto& a = re.agents[static_cast<std::size_t>(i)];
                    const auto& v = a.options.v;
                    std::cout << "    " << s.agents[i].id << " ("
                              << (a.member ? "member" : "no veto")
                              << (a.forced ? ", supports by position" : "") << "): " << did(a)
                              << "\n      support: ";
                    // The share (an exercise in another region) multiplies gain and benefit.
                    if (a.share != 1.0) std::cout << "share " << num(a.share) << " x (";
                    std::cout << "gain " << num(a.gain) << " (loss " << num(a.loss)
                              << ") + threat benefit " << num(a.benefit)
                              << (a.share != 1.0 ? ")" : "");
                    std::cout << " - cost " << num(a.cost) << " - relations "
                              << num(a.relations.all) << " (principals "
                              << num(a.relations.principal) << ") = join " << num(v[0])
                              << "; reserve " << num(v[1]) << "; stay out " << num(v[2])
                              << "\n      object:  - norm cost " << num(a.objection)
                              << " - pressure " << num(a.pressure) << " + value of waiting "
                              << num(a.options.wait) << " = " << num(v[3]) << "\n";
                }
                for (const auto& pr : re.pressure)
                    std::cout << "    pressure: " << s.agents[pr.power].id << " presses "
                              << s.agents[pr.target].id << " with " << num(pr.amount)
                              << " (leverage " << num(pr.leverage) << ", "
                              << (pr.need > 0.0 ? "needed " + num(pr.need)
                                                : std::string("needed none"))
                              << ")\n";
                if (!re.next.empty()) std::cout << "    -> " << re.next << "\n";
            }
            std::cout << "  rule: " << pe.rule << "\n";
        }
}

}  // namespace

int cmd_run(const std::vector<std::string>& args, const std::string& command_line) {
    experiment::RunConfig cfg;
    po::options_description desc("options");
    desc.add_options()("runs,n",
                       po::value<std::string>()->default_value("10000")->value_name("RUNS"),
                       "number of runs (replications)")(
        "seed", po::value<std::string>()->default_value(std::to_string(cfg.seed))->value_name("S"),
        "master seed")("threads,j", po::value<int>()->default_value(0)->value_name("THREADS"),
                       "threads (0: all cores)")("output,o",
                                                 po::value<std::string>()->value_name("FILE"),
                                                 "results file (default results/<scenario>.h5)")(
        "force", "overwrite an existing results file")(
        "resume",
        "if the output is already this run's complete results file (same run_id), do nothing; "
        "otherwise run")("summary-only", "leave per-run datasets out of the results file")(
        "tension-per-run", "also store every run's tension matrix per period")(
        "tension-histograms",
        po::value<std::string>()->default_value("tracked")->value_name("tracked|all"),
        "tracked: tension histograms only for pairs whose tension can move; all: every pair")(
        "set", po::value<std::vector<std::string>>()->composing()->value_name("PATH=VALUE"),
        "override one parameter (repeatable; a path once)")(
        "replay", po::value<std::string>()->value_name("R"),
        "replay run R (its replication index) and print it round by round; writes nothing")(
        "explain", "with --replay: print every term of every agent's utilities, round by round")(
        "quiet,q", "print nothing but errors")(
        "progress", "report progress on stderr even when it is not a terminal");
    const auto vmo = parse_command(
        "run",
        "SCENARIO [-n RUNS] [--seed S] [-j THREADS] [-o FILE] [--force] [--resume]\n"
        "                   [--summary-only] [--tension-per-run] [--tension-histograms "
        "tracked|all]\n"
        "                   [--set PATH=VALUE ...]\n"
        "                   [--replay R [--explain]] [-q] [--progress]",
        "Simulate RUNS independent runs of a scenario and write the results file. Run r is\n"
        "keyed by (seed, r): the results do not depend on the thread count.",
        args, desc, {"scenario"}, 1);
    if (!vmo) return kExitOk;
    const auto& vm = *vmo;

    const std::uint64_t runs = parse_whole("run", "--runs", vm["runs"].as<std::string>());
    if (runs < 1 || runs > 1'000'000'000ULL)
        throw UsageError("run: --runs must be between 1 and 1000000000, got " +
                         std::to_string(runs));
    cfg.replications = static_cast<std::int64_t>(runs);
    cfg.seed = parse_whole("run", "--seed", vm["seed"].as<std::string>());
    cfg.threads = check_threads("run", vm["threads"].as<int>(), ThreadsMessage::NameCores);
    cfg.summary_only = vm.count("summary-only") > 0;
    cfg.per_run_tension = vm.count("tension-per-run") > 0;
    {
        const auto th = vm["tension-histograms"].as<std::string>();
        if (th != "tracked" && th != "all")
            throw UsageError("run: --tension-histograms must be 'tracked' or 'all', got '" + th +
                             "'");
        cfg.all_tension_histograms = th == "all";
    }
    const bool quiet = vm.count("quiet") > 0;

    auto sc = scenario::load_file(vm["scenario"].as<std::string>());
    apply_set_options(vm, sc.spec);
    // The run's identity (stored as the file's sweep_id): the scenario text and every
    // number its results depend on, as a sweep's identity, with no factors.
    experiment::Plan plan;
    plan.sweep.id = experiment::run_id([](const std::string& t) { return io::sha256_hex(t); },
                                       sc.text, sc.spec, cfg);

    if (vm.count("explain") && !vm.count("replay"))
        throw UsageError("run: --explain needs --replay R (it explains one run)");
    if (vm.count("resume") && vm.count("replay"))
        throw UsageError("run: --resume writes a results file; --replay writes nothing");
    if (vm.count("replay")) {
        const std::uint64_t rep = parse_whole("run", "--replay", vm["replay"].as<std::string>());
        core::RunExplain ex;
        const core::RunRecord r =
            experiment::replay(sc.spec, plan, cfg, 0, static_cast<std::int64_t>(rep), &ex);
        print_replay(sc.spec, r, ex, vm.count("explain") > 0);
        return kExitOk;
    }

    const std::string out =
        vm.count("output") ? vm["output"].as<std::string>() : default_output(sc.path);
    if (const auto dir = std::filesystem::path(out).parent_path(); !dir.empty())
        std::filesystem::create_directories(dir);
    if (vm.count("resume") && std::filesystem::exists(out)) {
        // Written whole or not at all: an existing output is complete; is it this run?
        std::string why;
        try {
            const io::Results r = io::read_results(out);
            if (r.sweep_id != plan.sweep.id || !r.design.empty() || r.points != 1)
                why = r.sweep_id.empty() ? "it has no run_id (a sweep, or written before sco-sim "
                                           "recorded one)"
                                         : "it belongs to another run or sweep (different "
                                           "scenario, --set, seed, runs or output options)";
        } catch (const std::exception& e) {
            why = e.what();
        }
        if (!why.empty())
            throw UsageError("run: --resume: " + out + " is not the output of this run: " + why +
                             "; remove it or run without --resume and with --force");
        if (!quiet) std::cout << out << " is already complete; nothing to do (same run_id)\n";
        return kExitOk;
    }
    check_disk("run", out, core::shape_of(sc.spec), cfg.replications, cfg.summary_only,
               cfg.per_run_tension);
    io::Hdf5Sink sink(experiment::stored_statistics(), out,
                      vm.count("force") > 0);  // refuses an existing file before any run

    io::Provenance prov{kVersion, kGitCommit, command_line, sc.path, sc.text};
    Progress progress(progress_wanted(vm), cfg.replications, std::cerr);
    experiment::RunnerHooks hooks;
    hooks.stop = stop_flag();
    hooks.progress = progress.hook();

    SignalGuard guard;
    experiment::RunStats stats;
    std::vector<experiment::Summary> summaries;
    try {
        summaries = experiment::run_plan(sc.spec, plan, cfg, &sink, prov, hooks, &stats);
    } catch (const experiment::Interrupted&) {
        progress.end();
        std::cerr << "sco-sim: interrupted; nothing written to " << out << "\n";
        return 128 + caught_signal();
    }
    progress.end();
    if (!quiet) {
        std::cout << experiment::report_text(experiment::labels_of(sc.spec), summaries.front(),
                                             experiment::moves_of(sc.spec));
        std::cout << "\nwrote " << out << "\n";
        std::cout << std::fixed << std::setprecision(0) << stats.runs / stats.seconds << " runs/s, "
                  << std::setprecision(1)
                  << 1e9 * stats.seconds / std::max<std::int64_t>(1, stats.decisions)
                  << " ns per agent decision (" << stats.decisions << " decisions, "
                  << std::setprecision(2) << stats.seconds << " s, "
                  << (cfg.threads ? cfg.threads : hardware_threads()) << " threads)\n";
    }
    return kExitOk;
}

}  // namespace sco::cli
