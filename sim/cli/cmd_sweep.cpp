#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <utility>

#include "sco/version.h"
#include "sim/cli/app.h"
#include "sim/cli/limits.h"
#include "sim/cli/mpi_sweep.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/cli/signals.h"
#include "sim/experiment/design.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/statistics.h"
#include "sim/experiment/sweep.h"
#include "sim/io/file_sweep_store.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/merge.h"
#include "sim/io/sha256.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/sweep_file.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace sco::cli {
namespace {

constexpr std::int64_t kMaxPoints = 100'000'000;

/// A factor for the parameter at `path`, checked against the parameter's range.
experiment::Factor make_factor(const core::ModelSpec& spec, const std::string& path,
                               experiment::Factor f, const std::string& where, int line) {
    f.id = scenario::resolve_path(spec, path, where, line);
    const core::ParamDef& def = spec.params[f.id];
    f.path = path;
    f.integer = def.integer;
    std::vector<double> check{f.lo, f.hi};  // the range's ends first: they are what was written
    check.insert(check.end(), f.levels.begin(), f.levels.end());
    for (double x : check)
        if (!def.range.contains(x)) {
            std::ostringstream os;
            os << "value " << x << " is outside the parameter's range [" << def.range.lo << ", "
               << def.range.hi << "]";
            throw scenario::ScenarioError(where, line, line > 0 ? 1 : 0, path, os.str());
        }
    return f;
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args, const std::string& command_line) {
    po::options_description desc("options");
    desc.add_options()("file,f", po::value<std::string>()->value_name("SWEEP.yaml"),
                       "a sweep file (format sco-sim-sweep/1) instead of SCENARIO and --vary")(
        "vary", po::value<std::vector<std::string>>()->composing()->value_name("PATH=SPEC"),
        "PATH=LO:HI:STEPS or PATH=v1,v2,... (grid), PATH=LO:HI (lhs, sobol); repeatable, a "
        "path once")(
        "design", po::value<std::string>()->default_value("grid")->value_name("grid|lhs|sobol"),
        "the design")("samples", po::value<std::int64_t>()->value_name("N"),
                      "lhs: points; sobol: base samples N (points = N * (factors + 2))")(
        "runs,n", po::value<std::int64_t>()->value_name("RUNS_PER_POINT"),
        "runs (replications) per point (default 100)")(
        "seed", po::value<std::string>()->value_name("S"),
        ("master seed (runs and the design's own draws; default " +
         std::to_string(scenario::SweepFile{}.seed) + ")")
            .c_str())("threads,j", po::value<int>()->default_value(0)->value_name("THREADS"),
                      "threads (0: all cores)")(
        "output,o", po::value<std::string>()->value_name("FILE"),
        "results file (default results/<scenario>-sweep.h5)")(
        "force", "overwrite an existing results file; discard an interrupted sweep's parts")(
        "shard", po::value<std::string>()->value_name("K/N"),
        "run only shard K of N (1-based) into its own file")(
        "resume",
        "finish an interrupted sweep: keep the parts (or shard file) already complete; an "
        "output of this sweep that is complete: nothing to do")(
        "summary-only", "leave per-run datasets out of the results file")(
        "tension-histograms",
        po::value<std::string>()->default_value("tracked")->value_name("tracked|all"),
        "tracked: tension histograms only for pairs whose tension can move; all: every pair")(
        "set", po::value<std::vector<std::string>>()->composing()->value_name("PATH=VALUE"),
        "fix a parameter for every point (repeatable; a path once, and not one --vary varies)")(
        "error-level", po::value<std::string>()->default_value("fast")->value_name("off|slow|fast"),
        "a failed part: fast (stop the sweep), slow (run the other parts, then fail), off "
        "(run the other parts, report it, exit 0); nothing is merged after a failure")(
        "quiet,q", "print nothing but errors")(
        "progress", "report progress on stderr even when it is not a terminal");
    const auto vmo = parse_command(
        "sweep",
        "SCENARIO --vary PATH=SPEC ... [--design grid|lhs|sobol] [--samples N]\n"
        "                     [-n RUNS_PER_POINT] [--seed S] [-j THREADS] [-o FILE] [--force]\n"
        "                     [--shard K/N] [--resume] [--error-level off|slow|fast] "
        "[--summary-only]\n"
        "                     [--tension-histograms tracked|all] [--set PATH=VALUE ...] [-q] "
        "[--progress]\n"
        "       sco-sim sweep --file SWEEP.yaml [--shard K/N] [-o FILE] [--resume] ...",
        "Run a parameter sweep: every point of the design, RUNS_PER_POINT runs each. Run r of\n"
        "point k is keyed by (seed, k, r): results do not depend on threads or on how the sweep\n"
        "is sharded.",
        args, desc, {"scenario"}, 0);
    if (!vmo) return kExitOk;
    const auto& vm = *vmo;

    // ---- what to sweep: a sweep file, or the command line ----
    scenario::SweepFile sf;
    std::string where = "--vary";
    if (vm.count("file")) {
        if (vm.count("scenario") || vm.count("vary"))
            throw UsageError("sweep: give either --file or SCENARIO with --vary, not both");
        sf = scenario::load_sweep_file(vm["file"].as<std::string>());
        where = sf.path;
    } else {
        if (!vm.count("scenario"))
            throw UsageError("sweep: missing scenario (or --file SWEEP.yaml)");
        if (!vm.count("vary"))
            throw UsageError("sweep: nothing to vary; give --vary PATH=SPEC at least once");
        sf.scenario = vm["scenario"].as<std::string>();
        sf.design = vm["design"].as<std::string>();
    }
    if (vm.count("runs")) sf.replications = vm["runs"].as<std::int64_t>();
    if (vm.count("seed")) sf.seed = parse_whole("sweep", "--seed", vm["seed"].as<std::string>());
    if (vm.count("samples")) sf.samples = vm["samples"].as<std::int64_t>();

    experiment::Design design;
    const auto kind = experiment::kDesignNames.parse(sf.design);
    if (!kind)
        throw UsageError("sweep: unknown design '" + sf.design + "'; one of grid, lhs, sobol");
    design.kind = *kind;
    design.seed = sf.seed;
    design.samples = sf.samples;
    if (sf.replications < 1 || sf.replications > 1'000'000'000)
        throw UsageError("sweep: runs per point must be between 1 and 1000000000, got " +
                         std::to_string(sf.replications));
    if (design.kind != experiment::DesignKind::Grid &&
        (design.samples < 1 || design.samples > kMaxPoints))
        throw UsageError("sweep: --samples must be between 1 and " + std::to_string(kMaxPoints) +
                         " for " + sf.design);

    if (vm.count("file") && !fs::exists(sf.scenario))
        throw scenario::ScenarioError(
            sf.path, sf.scenario_line, sf.scenario_line > 0 ? 1 : 0, "scenario",
            "the scenario " + sf.scenario +
                " does not exist (the path is relative to the sweep file's folder)");
    auto sc = scenario::load_file(sf.scenario);
    // The sweep file's set: (fixed values), then --set: a path is fixed once, in one place.
    std::vector<SetOption> file_sets;
    for (std::size_t i = 0; i < sf.set.size(); ++i) {
        const auto& [path, value] = sf.set[i];
        const int line = i < sf.set_lines.size() ? sf.set_lines[i] : 0;
        const core::ParamId id = scenario::resolve_path(sc.spec, path, where, line);
        core::ParamDef& def = sc.spec.params[id];
        try {
            def.dist = scenario::parse_distribution_text(value, def, where);
        } catch (const scenario::ScenarioError& e) {
            throw scenario::ScenarioError(where, line, line > 0 ? 1 : 0, "set." + path, e.message);
        }
        file_sets.push_back({id, path,
                             "the sweep file's set: " + path + " (" + where + " line " +
                                 std::to_string(line) + ")"});
    }
    const std::vector<SetOption> sets = apply_set_options(vm, sc.spec, std::move(file_sets));

    if (vm.count("file")) {
        for (const auto& v : sf.vary) {
            experiment::Factor f;
            f.lo = v.lo;
            f.hi = v.hi;
            f.levels = v.levels;
            if (design.kind == experiment::DesignKind::Grid && f.levels.empty())
                for (int i = 0; i < v.steps; ++i)
                    f.levels.push_back(v.steps == 1 ? v.lo
                                                    : v.lo + (v.hi - v.lo) * i / (v.steps - 1));
            design.factors.push_back(make_factor(sc.spec, v.path, f, where, v.line));
            refuse_set_and_vary(sets, design.factors.back().id, v.path, where, v.line);
        }
    } else {
        for (const auto& v : vm["vary"].as<std::vector<std::string>>()) {
            const auto eq = v.find('=');
            if (eq == std::string::npos)
                throw UsageError(
                    "sweep: --vary takes PATH=SPEC, e.g. agents.UZB.sovereignty=0.2:0.9:8; got '" +
                    v + "'");
            const std::string path = v.substr(0, eq);
            experiment::Factor f;
            try {
                f = experiment::parse_factor_values(v.substr(eq + 1), design.kind);
            } catch (const std::invalid_argument& e) {
                throw scenario::ScenarioError("--vary", 0, 0, path, e.what());
            }
            design.factors.push_back(make_factor(sc.spec, path, f, where, 0));
            refuse_set_and_vary(sets, design.factors.back().id, path);
        }
    }
    for (std::size_t i = 0; i < design.factors.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (design.factors[i].id == design.factors[j].id)
                throw scenario::ScenarioError(where, 0, 0, design.factors[i].path,
                                              "is varied twice");

    const std::int64_t total = experiment::design_size(design);
    if (total < 1 || total > kMaxPoints)
        throw UsageError("sweep: the design has " + std::to_string(total) +
                         " points; it must have 1 to " + std::to_string(kMaxPoints));

    // ---- configuration ----
    experiment::RunConfig cfg;
    cfg.replications = sf.replications;
    cfg.seed = sf.seed;
    cfg.summary_only = vm.count("summary-only") > 0;
    {
        const auto th = vm["tension-histograms"].as<std::string>();
        if (th != "tracked" && th != "all")
            throw UsageError("sweep: --tension-histograms must be 'tracked' or 'all', got '" + th +
                             "'");
        cfg.all_tension_histograms = th == "all";
    }
    cfg.threads = check_threads("sweep", vm["threads"].as<int>());
    const bool quiet = vm.count("quiet") > 0, force = vm.count("force") > 0,
               resume = vm.count("resume") > 0;
    const Shard shard =
        vm.count("shard") ? parse_shard("sweep", vm["shard"].as<std::string>()) : Shard{};
    const std::string level = vm["error-level"].as<std::string>();
    const auto errors_parsed = experiment::kErrorLevelNames.parse(level);
    if (!errors_parsed)
        throw UsageError("sweep: --error-level must be off, slow or fast, got '" + level + "'");
    const experiment::ErrorLevel errors = *errors_parsed;
    const std::string stem = fs::path(sc.path).stem().string();
    std::string out = vm.count("output") ? vm["output"].as<std::string>() : sf.output;
    if (out.empty())
        out = "results/" + stem + "-sweep" +
              (shard.count > 1 ? ".shard-" + std::to_string(shard.index + 1) + "-of-" +
                                     std::to_string(shard.count)
                               : "") +
              ".h5";
    if (const auto dir = fs::path(out).parent_path(); !dir.empty()) fs::create_directories(dir);

    if (shard.count > total)
        throw UsageError("sweep: --shard " + std::to_string(shard.index + 1) + "/" +
                         std::to_string(shard.count) + ": the sweep has only " +
                         std::to_string(total) + " points; use at most " + std::to_string(total) +
                         " shards");
    const auto [first, last] = experiment::shard_range(total, shard.index, shard.count);
    const io::Slice slice{first, last};
    experiment::SweepRequest req;
    req.spec = &sc.spec;
    req.design = design;
    req.cfg = cfg;
    req.prov = {kVersion, kGitCommit, command_line, sc.path, sc.text};
    req.id = experiment::sweep_id([](const std::string& t) { return io::sha256_hex(t); }, sc.text,
                                  sc.spec, design, cfg);
    req.sweep_text = sf.text;
    req.output = out;
    req.resume = resume;
    req.force = force;
    req.errors = errors;
    io::FileSweepStore store(experiment::stored_statistics(), command_line, kVersion, kGitCommit,
                             stop_flag());
    // A resume of a sweep (or shard) that already finished, e.g. a Slurm requeue of a
    // finished task: nothing to do, exit 0. An output of another sweep is refused.
    if (resume && mpi::world_size() <= 1 && store.exists(out)) {
        const std::string why =
            experiment::check_complete_output(store, req, slice, shard.count <= 1);
        if (!why.empty())
            throw UsageError(
                "sweep: --resume: " + out + " is not " +
                (shard.count > 1 ? "this shard of this sweep: " : "the output of this sweep: ") +
                why + "; remove it or run without --resume and with --force");
        if (!quiet) std::cout << out << " is already complete; nothing to do (same sweep_id)\n";
        return kExitOk;
    }
    check_disk("sweep", out, core::shape_of(sc.spec), slice.size() * cfg.replications,
               cfg.summary_only, false);
    Progress progress(progress_wanted(vm), slice.size() * cfg.replications, std::cerr);
    experiment::RunnerHooks hooks;
    hooks.stop = stop_flag();
    hooks.keep_summaries = false;  // the sink writes them point by point (memory flat in points)
    hooks.progress = progress.hook();
    SignalGuard guard;

    if (mpi::world_size() > 1) {
        if (shard.count > 1 || resume)
            throw UsageError(
                "sweep: under MPI the points are handed out dynamically; --shard and --resume "
                "are for runs without mpirun");
        store.refuse_existing(out, force);
        return mpi::run_sweep(sc.spec, design, cfg, out, force, req.prov, req.id, sf.text, quiet);
    }

    experiment::SweepReport rep;
    try {
        if (shard.count > 1) {
            // A shard is the unit of work on a cluster: one file, resumed whole (a complete
            // one was found above).
            experiment::run_slice(store, req, slice, hooks);
        } else {
            // A local sweep runs in parts kept beside the output, so that an interrupted
            // sweep can be finished with --resume; the parts are merged at the end.
            rep = experiment::run_in_parts(store, req, hooks, [&](std::int64_t runs, bool kept) {
                kept ? progress.skip(runs) : progress.advance(runs);
            });
            if (resume && !quiet)
                std::cout << "resumed: " << rep.skipped << " of " << rep.parts
                          << " parts were complete\n";
        }
    } catch (const experiment::PartsInTheWay& e) {
        throw UsageError("sweep: " + e.folder +
                         " holds the parts of an interrupted sweep; run the same command with "
                         "--resume to finish it, or with --force to start over");
    } catch (const experiment::PartsFailed& e) {
        progress.end();
        std::cerr << "sco-sim: error: " << e.what() << "\nsco-sim: the other parts are kept in "
                  << out << ".parts; run the same command with --resume to retry the failed ones\n";
        return kExitFailure;
    } catch (const io::MergeInterrupted&) {
        std::cerr << "sco-sim: interrupted while merging; the parts are kept in " << out
                  << ".parts; run the same command with --resume to finish\n";
        return 128 + caught_signal();
    } catch (const io::MergeWriteError& e) {
        std::cerr << "sco-sim: error: " << e.what() << "\nsco-sim: the parts are kept in " << out
                  << ".parts; once there is room, run the same command with --resume to merge "
                     "them\n";
        return kExitFailure;
    } catch (const experiment::Interrupted&) {
        progress.end();
        return report_interrupted(std::cerr, out, shard.count > 1);
    }
    progress.end();
    if (!rep.failed.empty()) {  // --error-level off: reported, not fatal
        std::cerr << "sco-sim: warning: " << experiment::failed_parts_text(rep.failed, rep.parts)
                  << "\nsco-sim: nothing merged into " << out << "; the other parts are kept in "
                  << out << ".parts; run the same command with --resume to retry the failed ones\n";
        return kExitOk;
    }
    if (!quiet)
        std::cout << "wrote " << out << ": " << sf.design << " design, points " << first << "-"
                  << last - 1 << " of " << total << ", " << cfg.replications << " runs each\n";
    return kExitOk;
}

}  // namespace sco::cli
