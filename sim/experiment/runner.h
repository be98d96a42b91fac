#pragma once
// Runs an experiment plan on threads. Results are the same for any thread count:
// every run draws from its own counter-based key, blocks are handed to the sink in
// run order, and summaries are integer counts.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/simulate.h"
#include "sim/experiment/plan.h"
#include "sim/experiment/summary.h"
#include "sim/io/sink.h"

namespace sco::experiment {

// Where finished runs go: io's interface (io/sink.h), named here for the runner's users.
using io::Provenance;
using io::Sink;

struct RunStats {
    std::int64_t runs = 0;
    std::int64_t decisions = 0;  ///< agent decisions (one agent, one proposal, one round)
    double seconds = 0.0;
};

struct RunnerHooks {
    /// Called after each block with (runs done, runs total); from the calling thread.
    std::function<void(std::int64_t, std::int64_t)> progress;
    /// Polled between blocks; when it becomes true the runner aborts the sink and
    /// throws Interrupted.
    const std::atomic<bool>* stop = nullptr;
    /// Whether run_plan returns the per-point summaries. With false and a sink that streams
    /// summaries (Sink::streams_summaries), memory does not grow with the number of points.
    bool keep_summaries = true;
    /// Summary-only plans: how many bytes of finished points' summaries may wait for a busy
    /// sink while the threads go on (run_in_parts finishes the previous part's file
    /// meanwhile). 0: at most threads + 1 points in flight, however slow the sink.
    std::int64_t window_bytes = 0;
    /// Counted in every point's summary (Summary::attach): per-run tests the Summary's
    /// arrays cannot answer (calibrate's per-event joint counts). Null: none.
    std::shared_ptr<const RunCounter> counter;
};

struct Interrupted : std::exception {
    [[nodiscard]] const char* what() const noexcept override { return "interrupted"; }
};

/// Runs every point and replication of the plan; returns one summary per point (none if
/// hooks.keep_summaries is false).
/// `sink` may be null (summaries only). On any exception the sink is aborted.
std::vector<Summary> run_plan(const core::ModelSpec& spec, const Plan& plan, const RunConfig& cfg,
                              Sink* sink, const Provenance& prov, const RunnerHooks& hooks = {},
                              RunStats* stats = nullptr);

/// Replays one run alone (point index within the plan, replication); with `explain`, also
/// records why each proposal ended as it did.
core::RunRecord replay(const core::ModelSpec& spec, const Plan& plan, const RunConfig& cfg,
                       std::int64_t point, std::int64_t replication,
                       core::RunExplain* explain = nullptr);

}  // namespace sco::experiment
