// The HDF5 sink per run, and whole experiments (runner + sink) with and without it.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "sim/core/simulate.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/summary.h"
#include "sim/io/hdf5_sink.h"
#include "tests/benchmarks/baseline.h"

namespace sco::bench {
namespace {

namespace fs = std::filesystem;

std::string temp_file(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("sco-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return (dir / name).string();
}

int max_rounds() {
    return static_cast<int>(core::dyn_default(core::Dyn::Rounds).range.hi);
}

/// 1024 distinct records of the baseline (one block), reused for every block written.
const std::vector<core::RunRecord>& block_of_records() {
    static const std::vector<core::RunRecord> recs = [] {
        std::vector<core::RunRecord> r(1024, core::RunRecord(model().shape()));
        core::Workspace ws(spec());
        for (std::size_t k = 0; k < r.size(); ++k) core::simulate(model(), {kSeed, 0, k}, ws, r[k]);
        return r;
    }();
    return recs;
}

// What a sink needs besides the runs: the block's summary as the one point's, an empty plan,
// a configuration of `runs` runs on one thread and the baseline's provenance.
struct SinkInputs {
    std::vector<experiment::Summary> per_point;
    experiment::Plan plan;
    experiment::RunConfig cfg;
    io::Provenance prov;
};

SinkInputs sink_inputs(std::int64_t runs, bool summary_only) {
    experiment::Summary sum(model().shape(), max_rounds());
    for (const auto& r : block_of_records()) sum.add(r);
    SinkInputs in{{sum}, {}, {}, {"bench", "bench", "sco-bench", "sco2014.yaml", baseline().text}};
    in.cfg.replications = runs;
    in.cfg.threads = 1;
    in.cfg.summary_only = summary_only;
    return in;
}

// The HDF5 sink alone: a whole results file of range(0) runs (begin, blocks of 1024,
// summaries, finish with fsync and rename). range(1) = 1: summary only.
void BM_Hdf5Sink(benchmark::State& state) {
    const std::int64_t runs = state.range(0);
    const bool summary_only = state.range(1) != 0;
    state.SetLabel(summary_only ? "summary-only" : "per-run records");
    const auto& recs = block_of_records();
    const SinkInputs in = sink_inputs(runs, summary_only);
    const std::string path = temp_file("sink.h5");
    std::int64_t items = 0;
    for (auto _ : state) {
        io::Hdf5Sink sink(sco::experiment::stored_statistics(), path, true);
        sink.begin(spec(), in.plan, in.cfg, in.prov);
        for (std::int64_t first = 0; first < runs; first += 1024) {
            const auto nb = static_cast<std::size_t>(std::min<std::int64_t>(1024, runs - first));
            sink.write_block(first, std::span<const core::RunRecord>(recs.data(), nb));
        }
        sink.finish(experiment::count_pointers(in.per_point));
        items += runs;
    }
    fs::remove(path);
    std::error_code ec;
    fs::remove(fs::path(path).parent_path(), ec);  // the directory, once empty
    report(state, items, 0);
}
BENCHMARK(BM_Hdf5Sink)
    ->ArgsProduct({{16384, 131072}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The write's cost and file size per storage option (issue 13 item 2): a file of 8,192
// runs (the 1,024 distinct records eight times: repeats lie beyond deflate's 32 KiB window
// in every dataset but point and replication) on one thread, with
// deflate level range(0) (-1: no deflate filter) and shuffle range(1). Counters: file
// bytes per run. Instructions per run: run under callgrind with
// --toggle-collect='*Hdf5Sink::*' (scripts/bench_writer.sh --options does).
void BM_SinkOptions(benchmark::State& state) {
    constexpr std::int64_t runs = 8192;
    io::ChunkOptions opt;
    opt.deflate = static_cast<int>(state.range(0));
    opt.shuffle = state.range(1) != 0;
    opt.threads = 1;
    state.SetLabel("deflate " + std::to_string(opt.deflate) + ", shuffle " +
                   (opt.shuffle ? "on" : "off"));
    const auto& recs = block_of_records();
    const SinkInputs in = sink_inputs(runs, false);
    const std::string path = temp_file("options.h5");
    std::int64_t items = 0;
    double bytes = 0;
    for (auto _ : state) {
        io::Hdf5Sink sink(sco::experiment::stored_statistics(), path, true, opt);
        sink.begin(spec(), in.plan, in.cfg, in.prov);
        for (std::int64_t first = 0; first < runs; first += 1024) {
            const auto at =
                static_cast<std::size_t>(first % static_cast<std::int64_t>(recs.size()));
            sink.write_block(first, std::span<const core::RunRecord>(recs.data() + at, 1024));
        }
        sink.finish(experiment::count_pointers(in.per_point));
        items += runs;
        bytes = static_cast<double>(fs::file_size(path));
    }
    fs::remove(path);
    std::error_code ec;
    fs::remove(fs::path(path).parent_path(), ec);
    state.counters["file_bytes_per_run"] = bytes / runs;
    report(state, items, 0);
}
BENCHMARK(BM_SinkOptions)
    ->ArgsProduct({{6, 4, 1, 0, -1}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A whole experiment through the runner: range(0) threads, range(1) = 0 no sink (the
// runner's summaries only), 1 results file with per-run records, 2 summary-only file.
void BM_RunPlan(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    const int mode = static_cast<int>(state.range(1));
    const char* labels[] = {"no sink", "per-run records", "summary-only file"};
    state.SetLabel(std::to_string(threads) + " threads, " + labels[mode]);
    const experiment::Plan plan;
    experiment::RunConfig cfg;
    cfg.replications = 32768;
    cfg.threads = threads;
    cfg.summary_only = mode == 2;
    const io::Provenance prov{"bench", "bench", "sco-bench", "sco2014.yaml", baseline().text};
    const std::string path = temp_file("plan.h5");
    std::int64_t items = 0, decisions = 0;
    for (auto _ : state) {
        experiment::RunStats stats;
        if (mode == 0) {
            experiment::run_plan(spec(), plan, cfg, nullptr, prov, {}, &stats);
        } else {
            io::Hdf5Sink sink(sco::experiment::stored_statistics(), path, true);
            experiment::run_plan(spec(), plan, cfg, &sink, prov, {}, &stats);
        }
        items += stats.runs;
        decisions += stats.decisions;
    }
    fs::remove(path);
    std::error_code ec;
    fs::remove(fs::path(path).parent_path(), ec);  // the directory, once empty
    report(state, items, decisions);
}
BENCHMARK(BM_RunPlan)
    ->ArgsProduct({{1, 2}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace sco::bench
