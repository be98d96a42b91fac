#include "sim/experiment/runner.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "sim/core/simulate.h"

namespace sco::experiment {
namespace {

int max_rounds() { return static_cast<int>(core::dyn_default(core::Dyn::Rounds).range.hi); }

}  // namespace

std::vector<Summary> run_plan(const core::ModelSpec& spec, const Plan& plan, const RunConfig& cfg,
                              Sink* sink, const Provenance& prov, const RunnerHooks& hooks,
                              RunStats* stats) {
    const auto t0 = std::chrono::steady_clock::now();
    const int threads = cfg.threads > 0 ? cfg.threads : omp_get_max_threads();
    const core::RecordShape shape = core::shape_of(spec);
    const std::int64_t reps = cfg.replications;
    const std::int64_t total = plan.n_points() * reps;
    const int block = std::max(1, cfg.block);

    std::vector<Summary> summaries;
    std::vector<std::unique_ptr<core::Workspace>> ws;
    std::vector<Summary> partial;  // one per thread; integer counts, so merge order is irrelevant
    for (int i = 0; i < threads; ++i) ws.push_back(std::make_unique<core::Workspace>(spec));
    std::vector<core::RunRecord> buf(static_cast<std::size_t>(std::min<std::int64_t>(block, std::max<std::int64_t>(reps, 1))),
                                     core::RunRecord(shape));
    std::int64_t decisions = 0, done = 0;

    try {
        if (sink) sink->begin(spec, plan, cfg, prov);
        for (std::int64_t k = 0; k < plan.n_points(); ++k) {
            const core::ModelSpec spec_k = apply_point(spec, plan.points[k]);
            const core::CompiledModel model(spec_k, spec.params.random_ids());
            partial.assign(threads, Summary(shape, max_rounds()));
            const std::uint64_t point = static_cast<std::uint64_t>(plan.first_point + k);
            for (std::int64_t first = 0; first < reps; first += block) {
                const std::int64_t nb = std::min<std::int64_t>(block, reps - first);
                std::int64_t dec = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 8) reduction(+ : dec)
                for (std::int64_t i = 0; i < nb; ++i) {
                    const int th = omp_get_thread_num();
                    const core::RunKey key{cfg.seed, point, static_cast<std::uint64_t>(first + i)};
                    dec += core::simulate(model, key, *ws[th], buf[i]);
                    partial[th].add(buf[i]);
                }
                decisions += dec;
                if (sink)
                    sink->write_block(k * reps + first,
                                      std::span<const core::RunRecord>(buf.data(), nb));
                done += nb;
                if (hooks.progress) hooks.progress(done, total);
                if (hooks.stop && hooks.stop->load()) throw Interrupted();
            }
            Summary s(shape, max_rounds());
            for (const Summary& p : partial) s.merge(p);
            summaries.push_back(std::move(s));
        }
        if (sink) sink->finish(summaries);
    } catch (...) {
        if (sink) sink->abort();
        throw;
    }
    if (stats) {
        stats->runs = done;
        stats->decisions = decisions;
        stats->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return summaries;
}

core::RunRecord replay(const core::ModelSpec& spec, const Plan& plan, const RunConfig& cfg,
                       std::int64_t point, std::int64_t replication) {
    const core::ModelSpec spec_k = apply_point(spec, plan.points.at(point));
    const core::CompiledModel model(spec_k, spec.params.random_ids());
    core::Workspace ws(spec_k);
    core::RunRecord r(model.shape());
    core::simulate(model,
                   {cfg.seed, static_cast<std::uint64_t>(plan.first_point + point),
                    static_cast<std::uint64_t>(replication)},
                   ws, r);
    return r;
}

}  // namespace sco::experiment
