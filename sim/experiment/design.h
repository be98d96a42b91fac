#pragma once
// Sweep designs: which parameter settings (points) to run. A design is data; its points
// are a pure function of the design (and its seed), so every shard of a sweep computes
// the same list and runs its own slice.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/names.h"
#include "sim/experiment/plan.h"

namespace sco::experiment {

enum class DesignKind : unsigned char { Grid, Lhs, Sobol };
inline constexpr core::NameTable<DesignKind, 3> kDesignNames{{"grid", "lhs", "sobol"}};

/// One varied parameter. Grid: `levels`; LHS and Sobol: the interval [lo, hi].
struct Factor {
    core::ParamId id = core::kNoParam;
    std::string path;
    double lo = 0.0;
    double hi = 0.0;
    std::vector<double> levels;
    bool integer = false;  ///< values are rounded (rounds, min_participants)
};

struct Design {
    DesignKind kind = DesignKind::Grid;
    std::vector<Factor> factors;
    std::int64_t samples = 0;  ///< LHS: points; Sobol: base samples N (points = N * (k + 2))
    std::uint64_t seed = 0;    ///< LHS permutations are drawn from it
};

/// Number of points the design has.
std::int64_t design_size(const Design& d);

/// The points' parameter values, [point][factor]. Grid: full factorial, the first
/// factor varying slowest. LHS: one value per stratum per factor, strata permuted by
/// counter-based draws keyed by the seed. Sobol: Saltelli's scheme on a 2k-dimensional
/// Sobol sequence (Boost.Random): blocks A, B, then AB_1..AB_k, each of N rows.
std::vector<std::vector<double>> design_values(const Design& d);

/// Contiguous slice [first, last) of `total` points for shard `index` of `count` (0-based).
std::pair<std::int64_t, std::int64_t> shard_range(std::int64_t total, int index, int count);

/// The plan for points [first, last) of the design.
Plan make_plan(const Design& d, std::int64_t first, std::int64_t last);

/// A canonical text of everything the sweep's numbers depend on: every parameter's value
/// or distribution after overrides, the variants, the design with its factors, and the
/// seed, runs per point and output options. Its SHA-256 is the sweep's id, which resume
/// and merge compare so that no part of another sweep is ever mixed in.
std::string sweep_fingerprint(const core::ModelSpec& spec, const Design& d, const RunConfig& cfg);

/// "PATH=LO:HI:STEPS" (grid), "PATH=v1,v2,..." (grid levels) or "PATH=LO:HI" (LHS, Sobol).
/// The path is looked up by the caller; this parses the right-hand side only and
/// throws std::invalid_argument with a message naming what is wrong.
Factor parse_factor_values(const std::string& rhs, DesignKind kind);

}  // namespace sco::experiment
