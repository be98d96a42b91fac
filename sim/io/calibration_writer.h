#pragma once
// Calibration files (format sco-sim-calibration/1, docs/hdf5-format.md, "Calibration
// files"): what `sco-sim calibrate` writes. One layout for the three kinds: a part (one
// slice of one generation's points, kept in OUTPUT.parts/ for --resume), a shard (one
// slice of a rejection calibration's points, --shard K/N) and the final file (every
// point, the accepted sets and weights per generation, the posterior summaries).
// Per point only its parameters and scores are stored, never its Summary.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/io/errors.h"

namespace sco::io {

inline constexpr const char* kCalibrationFormat = "sco-sim-calibration/1";

struct CalibrationData {
    std::string kind;  ///< "part", "shard" or "final"

    // provenance (as results files)
    std::string tool_version, git_commit, command_line, created;
    std::string scenario_path, scenario_text, scenario_sha256, scenario_name;

    // settings
    std::string calibration_id;  ///< SHA-256 of what the points' scores depend on
    std::string method;          ///< rejection, smc
    std::string distance;        ///< "brier"
    /// which posterior the last generation holds (calibrate --posterior): "distance" (the
    /// points within the distance cut) or "likelihood" (every feasible point weighted by its
    /// estimated likelihood); files written before the attribute existed read as "distance"
    std::string posterior = "distance";
    double quantile = 0.0;   ///< NaN when a tolerance is given
    double tolerance = 0.0;  ///< NaN when a quantile is given
    std::int64_t generations = 1;
    std::int64_t points_per_generation = 0;
    std::int64_t replications = 0;
    std::uint64_t seed = 0;
    double clip = 0.01;  ///< the log score's clip

    // the events
    std::string events_path, events_text, events_sha256, events_name;
    std::int64_t observations = 0;
    std::vector<std::string> skipped;  ///< what --skip-missing left out ("A02 took_part:X: why")

    // the (scenario, events) pairs (docs/calibration.md, "Several scenarios at once"): pair 0
    // is the scenario and events above, pairs 1.. come from --also. One entry per pair; a
    // file written before pairs existed reads as one pair made of the fields above.
    std::vector<std::string> pair_scenario_path, pair_scenario_name, pair_scenario_sha256;
    std::vector<std::string> pair_events_path, pair_events_name, pair_events_sha256;
    std::vector<std::int64_t> pair_observations;
    std::vector<std::uint64_t> pair_seed;  ///< master seed of the pair's runs
    /// 1: a required pair (--require): run at every point, not part of the distance; its
    /// observations filter the points (docs/calibration.md, "Pattern-filtered calibration").
    /// 2: a side of a required comparison (--require-less/--than; "Required comparisons").
    /// Empty reads as all 0.
    std::vector<std::int32_t> pair_required;

    // pattern-oriented filtering (--require): the required observations of every required
    // pair, in pair order, then one row per required comparison ("comparison LESS < MORE",
    // required_p the MORE side's probability minus the LESS side's); empty when there is none
    double require_level = 0.0;  ///< NaN without --require
    /// "share" (k / n >= level) or "wilson" (the Wilson upper end reaches the level; files
    /// written before the attribute existed read as "wilson")
    std::string require_rule = "share";
    /// --require-floor under require_rule "mode": the share a required event's observed cell
    /// must also reach; 0: none (and in files written before the attribute existed)
    double require_floor = 0.0;
    /// the level of each required observation (--require SCENARIO:EVENTS:LEVEL gives a pair
    /// its own); empty reads as require_level for every one
    std::vector<double> required_level;
    std::vector<std::string> required_label;  ///< "EVENT what (events file)"
    std::vector<std::int32_t> required_pair;  ///< the pair each observation belongs to

    // the parameters and their priors
    std::vector<std::string> paths, prior_text, prior_kind;
    std::vector<double> prior_a, prior_b, support_lo, support_hi, range_lo, range_hi;
    std::vector<std::int32_t> integer;

    // the slice of points this file holds (parts and shards: one generation's slice)
    std::int64_t generation = 0;    ///< parts: the generation; final: generations - 1
    std::int64_t first_point = 0;   ///< index of the first point within its generation
    std::int64_t total_points = 0;  ///< points in the generation (final: in all generations)

    // per point, in (generation, index) order
    std::vector<std::int32_t> point_generation;
    std::vector<std::int64_t> point_index;  ///< global point index (the runs' key)
    std::vector<double> theta;              ///< [point][param], row-major
    std::vector<double> distance_value, brier, log_score, skill;
    /// the estimated log-likelihood of the events (abc::log_likelihood; the sum over the pairs
    /// in the distance) and the Monte Carlo sd of that estimate; NaN in files written before
    /// they existed
    std::vector<double> log_likelihood, log_likelihood_sd;
    std::vector<double> weight;          ///< posterior weight in its generation (0 rejected)
    std::vector<std::int32_t> accepted;  ///< 1 if accepted in its generation
    /// [point][pair], row-major: each pair's own distance and scores (distance_value is
    /// their mean over the pairs)
    std::vector<double> pair_distance, pair_brier, pair_log_score, pair_skill;
    /// [point][required observation], row-major: the model's probability of the observed
    /// value, and 1 where the observation holds (its Wilson interval reaches require_level)
    std::vector<double> required_p;
    std::vector<std::int32_t> required_held;

    // per generation (final only)
    std::vector<double> epsilon, ess;
    std::vector<std::int64_t> n_accepted, candidates;
    /// points that held every required observation, and of them the accepted (all points
    /// without --require); empty in files written before they existed
    std::vector<std::int64_t> n_feasible, n_feasible_accepted;
    /// the posterior's warning (abc::posterior_warning; final only), "" if none
    std::string warning;
    /// likelihood posterior (final only): the weighted median over the posterior's points of
    /// log_likelihood_sd; NaN otherwise
    double posterior_loglik_sd = std::numeric_limits<double>::quiet_NaN();

    // posterior (final only): the last generation's weighted marginals, and the priors'
    std::vector<double> post_mean, post_sd, post_median, post_q05, post_q95;
    std::vector<double> prior_median, prior_q05, prior_q95;

    [[nodiscard]] std::size_t n_params() const { return paths.size(); }
    [[nodiscard]] std::size_t n_points() const { return point_index.size(); }
    [[nodiscard]] std::size_t n_pairs() const { return pair_events_path.size(); }
    [[nodiscard]] std::size_t n_required() const { return required_label.size(); }
};

/// Writes `d` atomically (temporary name, then renamed). OutputExists unless force;
/// std::runtime_error naming the file when HDF5 fails or a vector's size is wrong.
void write_calibration(const std::string& path, const CalibrationData& d, bool force);

/// Throws BadResults naming the file and the problem.
CalibrationData read_calibration(const std::string& path);

/// True when `path` is an HDF5 file whose `format` attribute is sco-sim-calibration/1.
/// Decided in a child process (sim/io/guard.h): a file that crashes, hangs or exhausts the
/// HDF5 library there gives BadResults naming it.
bool is_calibration_file(const std::string& path);
/// The same in this process (for the child and the fuzz targets).
bool is_calibration_file_unguarded(const std::string& path);

}  // namespace sco::io
