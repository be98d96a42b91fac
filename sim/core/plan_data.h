#pragma once
// The plain data of an experiment plan and its run configuration, shared by experiment
// (which makes plans and runs them, experiment/plan.h) and io (which stores them in a
// results file and reads them back). In core, like core/summary_data.h and core/labels.h,
// so that io needs no experiment header for them. Run r of point k has the key
// (seed, k, r) and the global index k * replications + r, whatever thread or shard runs it.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/distribution.h"
#include "sim/core/model.h"

namespace sco::core {

/// One point of a sweep: parameter values (or distributions) that replace the
/// scenario's own for every replication of the point.
struct Point {
    std::vector<std::pair<ParamId, Distribution>> overrides;
};

/// The one run-configuration struct; the command line overrides its fields.
struct RunConfig {
    std::uint64_t seed =
        20140615;  ///< master seed (default: 15 June 2014, any fixed number would do)
    std::int64_t replications = 10000;  ///< runs per point
    int threads = 0;                    ///< 0: all hardware threads
    int block = 1024;                   ///< runs simulated between two writes
    bool summary_only = false;          ///< leave per-run datasets out of the results file
    bool per_run_tension = false;       ///< also write the tension of every run and period
    /// Keep a tension histogram for every agent pair, not only for the pairs whose tension
    /// can move (experiment::tension_pairs_of): `--tension-histograms all`.
    bool all_tension_histograms = false;
};

/// What a sweep varies, for the results file (empty design for a plain run).
struct SweepInfo {
    std::string design;                       ///< grid, lhs, sobol; "" for a plain run
    std::vector<std::string> paths;           ///< the varied parameters
    std::vector<std::vector<double>> values;  ///< [point of this plan][factor]
    std::int64_t samples = 0;                 ///< lhs points or Sobol base samples N
    std::uint64_t design_seed = 0;
    std::string sweep_text;  ///< the sweep file, when there was one
    /// Fingerprint of everything that makes the sweep's numbers (experiment/design.h).
    std::string id;
};

struct Plan {
    std::vector<Point> points{Point{}};  ///< a plain `run` has one point without overrides
    std::int64_t first_point = 0;        ///< shards: global index of points[0]
    std::int64_t total_points = 1;       ///< points in the whole sweep
    SweepInfo sweep;
    [[nodiscard]] std::int64_t n_points() const { return static_cast<std::int64_t>(points.size()); }
};

}  // namespace sco::core
