#include "sim/experiment/runner.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>

#include "sim/core/simulate.h"

namespace sco::experiment {

std::vector<Summary> run_plan(const core::ModelSpec& spec, const Plan& plan, const RunConfig& cfg,
                              Sink* sink, const Provenance& prov, const RunnerHooks& hooks,
                              RunStats* stats) {
    const auto t0 = std::chrono::steady_clock::now();
    const int threads = cfg.threads > 0 ? cfg.threads : omp_get_max_threads();
    const core::RecordShape shape = core::shape_of(spec);
    const std::int64_t reps = cfg.replications;
    const std::int64_t total = plan.n_points() * reps;
    // Tension histograms only for the pairs whose tension can move (or all, on request).
    const std::vector<int> tracked = tension_pairs_of(spec, cfg.all_tension_histograms);
    // Blocks are sized by bytes too, so that memory stays bounded for large scenarios
    // (a record holds the tension of every pair). The block size never changes results.
    const core::RunRecord probe(shape);
    // core::record_bytes is the one estimate of a record's size (every array, tension
    // included: the record holds it even when the file does not).
    const std::size_t rec_bytes = static_cast<std::size_t>(core::record_bytes(shape, true)) + 64;
    const int block = static_cast<int>(std::max<std::int64_t>(
        1, std::min<std::int64_t>(std::max(1, cfg.block),
                                  std::max<std::size_t>(16, (32u << 20) / rec_bytes))));

    std::vector<Summary> summaries;
    std::vector<std::unique_ptr<core::Workspace>> ws;
    std::vector<Summary> partial;  // one per thread; integer counts, so merge order is irrelevant
    for (int i = 0; i < threads; ++i) ws.push_back(std::make_unique<core::Workspace>(spec));
    // Two buffers: the sink writes one block on its own thread while the next is simulated.
    const auto nbuf =
        static_cast<std::size_t>(std::min<std::int64_t>(block, std::max<std::int64_t>(reps, 1)));
    std::vector<core::RunRecord> bufs[2] = {std::vector<core::RunRecord>(nbuf, probe),
                                            std::vector<core::RunRecord>(sink ? nbuf : 0, probe)};
    std::future<void> writing;  // the one block being written, if any
    auto wait_writing = [&] {
        if (writing.valid()) writing.get();  // rethrows the sink's exception, if any
    };
    std::int64_t decisions = 0, done = 0, blocks = 0;
    const bool stream = sink != nullptr && sink->streams_summaries();

    try {
        if (sink) sink->begin(spec, plan, cfg, prov);
        for (std::int64_t k = 0; k < plan.n_points(); ++k) {
            const core::ModelSpec spec_k = apply_point(spec, plan.points[k]);
            const core::CompiledModel model(spec_k, spec.params.random_ids());
            partial.assign(threads, Summary(shape, max_rounds(), tracked));
            const std::uint64_t point = static_cast<std::uint64_t>(plan.first_point + k);
            for (std::int64_t first = 0; first < reps; first += block) {
                const std::int64_t nb = std::min<std::int64_t>(block, reps - first);
                std::vector<core::RunRecord>& buf = bufs[sink ? blocks++ % 2 : 0];
                std::int64_t dec = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 8) reduction(+ : dec)
                for (std::int64_t i = 0; i < nb; ++i) {
                    const int th = omp_get_thread_num();
                    const core::RunKey key{cfg.seed, point, static_cast<std::uint64_t>(first + i)};
                    dec += core::simulate(model, key, *ws[th], buf[i]);
                    partial[th].add(buf[i]);
                }
                decisions += dec;
                if (sink) {
                    wait_writing();  // the previous block (in the other buffer) is on disk
                    writing =
                        std::async(std::launch::async, [sink, &buf, nb, at = k * reps + first] {
                            sink->write_block(at, std::span<const core::RunRecord>(buf.data(), nb));
                        });
                }
                done += nb;
                if (hooks.progress) hooks.progress(done, total);
                if (hooks.stop && hooks.stop->load()) throw Interrupted();
            }
            Summary s(shape, max_rounds(), tracked);
            for (const Summary& p : partial) s.merge(p);
            if (stream) {
                if (hooks.keep_summaries) summaries.push_back(s);
                // Written after the point's last block, on the writer thread: the sink is
                // never called concurrently, and the runner keeps no summary.
                writing = std::async(std::launch::async, [sink, k, prev = std::move(writing),
                                                          s = std::move(s)]() mutable {
                    if (prev.valid()) prev.get();
                    sink->write_summary(k, std::move(s));
                });
            } else if (hooks.keep_summaries || sink) {
                summaries.push_back(std::move(s));
            }
        }
        wait_writing();
        if (sink) sink->finish(stream ? std::vector<Summary>{} : summaries);
        if (!hooks.keep_summaries) summaries.clear();
    } catch (...) {
        if (writing.valid()) writing.wait();  // never abort under a write in flight
        if (sink) sink->abort();
        throw;
    }
    if (stats) {
        stats->runs = done;
        stats->decisions = decisions;
        stats->seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return summaries;
}

core::RunRecord replay(const core::ModelSpec& spec, const Plan& plan, const RunConfig& cfg,
                       std::int64_t point, std::int64_t replication, core::RunExplain* explain) {
    const core::ModelSpec spec_k = apply_point(spec, plan.points.at(point));
    const core::CompiledModel model(spec_k, spec.params.random_ids());
    core::Workspace ws(spec_k);
    core::RunRecord r(model.shape());
    core::simulate(model,
                   {cfg.seed, static_cast<std::uint64_t>(plan.first_point + point),
                    static_cast<std::uint64_t>(replication)},
                   ws, r, explain);
    return r;
}

}  // namespace sco::experiment
