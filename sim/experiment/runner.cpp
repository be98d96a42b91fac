#include "sim/experiment/runner.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "sim/core/simulate.h"

namespace sco::experiment {
namespace {

/// Runs given to a worker at a time (the old `schedule(dynamic, 8)`).
constexpr std::int64_t kTaskRuns = 8;

/// One point in flight: its model (built by the first worker to reach the point), its
/// summary (the workers' partial summaries added in) and how many of its runs are in it.
struct PointSlot {
    std::int64_t k = -1;     ///< the point this slot holds; -1: free
    std::int64_t turn = -1;  ///< the only point that may take it next (its index, then + window)
    std::unique_ptr<core::ModelSpec> spec;  ///< the point's spec: the model refers to it
    std::unique_ptr<core::CompiledModel> model;
    std::unique_ptr<Summary> sum;
    std::int64_t runs = 0;
};

/// Summary-only plans (no per-run records to write): the workers take tasks of kTaskRuns
/// runs in point order across point boundaries, so that no thread waits at the end of a
/// point (the first worker to reach a point builds its model), and the calling thread hands
/// the finished points to the sink meanwhile (begin included: the workers start first). At
/// most threads + 1 points are in flight, or hooks.window_bytes of summaries (at most
/// 512 points), so memory does not grow with the points, and a sink that is busy for a
/// while (sweep.cpp finishes the previous part's file meanwhile) need not stop the workers.
/// Summaries are integer counts: the order in which the partial summaries are added changes
/// nothing, and every run keeps its key (seed, point, run).
std::vector<Summary> run_pipelined(const core::ModelSpec& spec, const Plan& plan,
                                   const RunConfig& cfg, Sink* sink, const Provenance& prov,
                                   const RunnerHooks& hooks, int threads,
                                   std::int64_t& decisions_out, std::int64_t& done_out) {
    const core::RecordShape shape = core::shape_of(spec);
    const std::vector<int> tracked = tension_pairs_of(spec, cfg.all_tension_histograms);
    const std::int64_t reps = cfg.replications, points = plan.n_points();
    const std::int64_t per_point = (reps + kTaskRuns - 1) / kTaskRuns;  // tasks of a point
    const std::int64_t tasks = reps > 0 ? points * per_point : 0;
    const std::int64_t total = points * reps;
    std::int64_t summary_bytes = 0;
    {
        Summary one(shape, max_rounds(), tracked);
        for (const auto* a : one.arrays())
            summary_bytes += static_cast<std::int64_t>(a->size()) * 8;
    }
    const std::int64_t window = std::clamp<std::int64_t>(
        hooks.window_bytes / std::max<std::int64_t>(summary_bytes, 1), threads + 1, 512);
    const bool stream = sink != nullptr && sink->streams_summaries();

    std::vector<PointSlot> slots(static_cast<std::size_t>(window));
    // Slot j serves points j, j + window, j + 2 window, ... in that order: a worker that
    // reached point k + window first must not take the slot before point k has had it, or
    // the calling thread (which hands points over in order) and the worker holding point k
    // would wait for each other forever.
    for (std::size_t j = 0; j < slots.size(); ++j) slots[j].turn = static_cast<std::int64_t>(j);
    std::mutex mu;
    std::condition_variable cv_workers, cv_main;
    bool quit = false;  // under mu: the workers stop taking tasks
    std::exception_ptr failure;
    std::atomic<std::int64_t> next_task{0}, decisions{0}, done{0};
    auto slot_of = [&](std::int64_t k) -> PointSlot& {
        return slots[static_cast<std::size_t>(k % window)];
    };

    auto worker = [&] {
        try {
            core::Workspace ws(spec);
            core::RunRecord rec(shape);
            Summary local(shape, max_rounds(), tracked);
            local.attach(hooks.counter);
            std::int64_t cur = -1;
            auto flush = [&] {
                if (cur < 0) return;
                std::lock_guard<std::mutex> lock(mu);
                PointSlot& s = slot_of(cur);
                s.sum->merge(local);
                s.runs += local.runs;
                if (s.runs == reps) cv_main.notify_one();
                local.clear();
            };
            for (;;) {
                if (hooks.stop && hooks.stop->load()) break;
                const std::int64_t t = next_task.fetch_add(1);
                const std::int64_t k = t < tasks ? t / per_point : -1;
                if (k != cur) {
                    flush();
                    cur = k;
                }
                if (k < 0) break;
                const core::CompiledModel* model = nullptr;
                {
                    // The first worker to reach point k builds its model and summary, once
                    // the point that held the slot has been handed to the sink; the others
                    // wait for it (a full window waits for the sink).
                    std::unique_lock<std::mutex> lock(mu);
                    PointSlot& s = slot_of(k);
                    while (!quit && !(s.k == k && s.model)) {
                        if (s.k >= 0 || s.turn != k) {
                            cv_workers.wait(lock);
                            continue;
                        }
                        s.k = k;  // being built
                        lock.unlock();
                        auto sp = std::make_unique<core::ModelSpec>(
                            apply_point(spec, plan.points[static_cast<std::size_t>(k)]));
                        auto m =
                            std::make_unique<core::CompiledModel>(*sp, spec.params.random_ids());
                        auto sum = std::make_unique<Summary>(shape, max_rounds(), tracked);
                        sum->attach(hooks.counter);
                        lock.lock();
                        s.spec = std::move(sp);
                        s.model = std::move(m);
                        s.sum = std::move(sum);
                        s.runs = 0;
                        cv_workers.notify_all();
                    }
                    if (quit) break;
                    model = s.model.get();
                }
                const std::int64_t first = (t % per_point) * kTaskRuns;
                const std::int64_t last = std::min(reps, first + kTaskRuns);
                const auto point = static_cast<std::uint64_t>(plan.first_point + k);
                std::int64_t dec = 0;
                for (std::int64_t r = first; r < last; ++r) {
                    dec += core::simulate(*model, {cfg.seed, point, static_cast<std::uint64_t>(r)},
                                          ws, rec);
                    local.add(rec);
                }
                decisions += dec;
                done += last - first;
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mu);
            if (!failure) failure = std::current_exception();
            quit = true;
            cv_workers.notify_all();
            cv_main.notify_one();
        }
    };

    std::vector<std::thread> pool;
    auto stop_pool = [&] {
        {
            std::lock_guard<std::mutex> lock(mu);
            quit = true;
        }
        cv_workers.notify_all();
        for (std::thread& w : pool)
            if (w.joinable()) w.join();
    };
    std::vector<Summary> summaries;
    // Records only to count runs into the sink (write_block in summary-only mode reads no
    // record, only how many there are): a few, or one for a large scenario.
    std::vector<core::RunRecord> counted;
    if (sink)
        counted.assign(static_cast<std::size_t>(std::clamp<std::int64_t>(
                           (1 << 20) / (core::record_bytes(shape, true) + 64), 1,
                           std::min<std::int64_t>(std::max<std::int64_t>(reps, 1), 64))),
                       core::RunRecord(shape));
    try {
        for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
        if (sink) sink->begin(spec, plan, cfg, prov);
        std::int64_t reported = -1;
        for (std::int64_t k = 0; k < points; ++k) {
            std::unique_ptr<Summary> sum;
            for (;;) {
                std::unique_lock<std::mutex> lock(mu);
                if (failure) std::rethrow_exception(failure);
                PointSlot& s = slot_of(k);
                if (s.k == k && s.model && s.runs == reps) {
                    sum = std::move(s.sum);
                    s.model.reset();
                    s.spec.reset();
                    s.k = -1;  // free for point k + window, and for it only
                    s.turn = k + window;
                    lock.unlock();
                    cv_workers.notify_all();
                    break;
                }
                if (hooks.stop && hooks.stop->load()) throw Interrupted();
                cv_main.wait_for(lock, std::chrono::milliseconds(100));
                lock.unlock();
                if (hooks.progress && done.load() != reported) {
                    reported = done.load();
                    hooks.progress(reported, total);
                }
            }
            if (sink)
                for (std::int64_t r = 0; r < reps;) {
                    const auto n =
                        std::min<std::int64_t>(static_cast<std::int64_t>(counted.size()), reps - r);
                    sink->write_block(k * reps + r,
                                      std::span<const core::RunRecord>(counted.data(), n));
                    r += n;
                }
            if (stream) {
                if (hooks.keep_summaries) summaries.push_back(*sum);
                sink->write_summary(k, std::move(*sum));
            } else if (hooks.keep_summaries || sink) {
                summaries.push_back(std::move(*sum));
            }
            if (hooks.progress && done.load() != reported) {
                reported = done.load();
                hooks.progress(reported, total);
            }
        }
        if (hooks.stop && hooks.stop->load()) throw Interrupted();
        stop_pool();
    } catch (...) {
        stop_pool();
        throw;
    }
    decisions_out = decisions.load();
    done_out = done.load();
    return summaries;
}

}  // namespace

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
    // Without per-run records to write, run_pipelined (above) runs the plan with its own
    // workspaces and one record per thread.
    const bool pipelined = sink == nullptr || cfg.summary_only;
    for (int i = 0; i < threads && !pipelined; ++i)
        ws.push_back(std::make_unique<core::Workspace>(spec));
    // One buffer: the sink copies a block's rows when it is staged. The encoding of a
    // block (the sink's jobs) is done by the run's threads while they simulate the next
    // block; only staging and the ordered write stay serial, so `-j N` is N threads of work.
    const auto nbuf = pipelined ? std::size_t{0}
                                : static_cast<std::size_t>(std::min<std::int64_t>(
                                      block, std::max<std::int64_t>(reps, 1)));
    std::vector<core::RunRecord> buf(nbuf, probe);
    std::future<void> writing;  // the last point's summary being written, if any
    auto wait_writing = [&] {
        if (writing.valid()) writing.get();  // rethrows the sink's exception, if any
    };
    std::int64_t decisions = 0, done = 0;
    std::int64_t staged = 0;  // the sink's jobs of the last block staged, not yet encoded
    const bool stream = sink != nullptr && sink->streams_summaries();

    try {
        if (pipelined) {
            summaries = run_pipelined(spec, plan, cfg, sink, prov, hooks, threads, decisions, done);
            if (sink)
                sink->finish(stream ? std::vector<const core::SummaryCounts*>{}
                                    : count_pointers(summaries));
            if (!hooks.keep_summaries) summaries.clear();
        } else {
            if (sink) sink->begin(spec, plan, cfg, prov);
            for (std::int64_t k = 0; k < plan.n_points(); ++k) {
                const core::ModelSpec spec_k = apply_point(spec, plan.points[k]);
                const core::CompiledModel model(spec_k, spec.params.random_ids());
                partial.assign(threads, Summary(shape, max_rounds(), tracked));
                for (Summary& p : partial) p.attach(hooks.counter);
                const std::uint64_t point = static_cast<std::uint64_t>(plan.first_point + k);
                for (std::int64_t first = 0; first < reps; first += block) {
                    const std::int64_t nb = std::min<std::int64_t>(block, reps - first);
                    std::int64_t dec = 0;
                    // Iterations [0, staged) encode the previous block's jobs, the rest
                    // simulate.
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) reduction(+ : dec)
                    for (std::int64_t i = 0; i < staged + nb; ++i) {
                        if (i < staged) {
                            sink->encode_staged(static_cast<std::size_t>(i));
                            continue;
                        }
                        const int th = omp_get_thread_num();
                        const std::int64_t r = i - staged;
                        const core::RunKey key{cfg.seed, point,
                                               static_cast<std::uint64_t>(first + r)};
                        dec += core::simulate(model, key, *ws[th], buf[r]);
                        partial[th].add(buf[r]);
                    }
                    decisions += dec;
                    if (sink) {
                        wait_writing();  // a summary being written: the sink is called serially
                        sink->commit_staged();
                        staged = static_cast<std::int64_t>(sink->stage_block(
                            k * reps + first, std::span<const core::RunRecord>(buf.data(), nb)));
                    }
                    done += nb;
                    if (hooks.progress) hooks.progress(done, total);
                    if (hooks.stop && hooks.stop->load()) throw Interrupted();
                }
                Summary s(shape, max_rounds(), tracked);
                s.attach(hooks.counter);
                for (const Summary& p : partial) s.merge(p);
                if (stream) {
                    if (hooks.keep_summaries) summaries.push_back(s);
                    // Written on a helper thread while the next point's first block runs
                    // (the runner keeps no summary); waited for before the sink's next call.
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
            if (sink) {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
                for (std::int64_t j = 0; j < staged; ++j)
                    sink->encode_staged(static_cast<std::size_t>(j));
                sink->commit_staged();
                sink->finish(stream ? std::vector<const core::SummaryCounts*>{}
                                    : count_pointers(summaries));
            }
            if (!hooks.keep_summaries) summaries.clear();
        }
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
