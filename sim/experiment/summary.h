#pragma once
// Running summaries of many runs, kept as integer counts and fixed-point sums so that
// they are exact, bounded in memory, and identical however the runs were split across
// threads, shards or processes (merging is integer addition).
#include <cstdint>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/record.h"
#include "sim/experiment/statistics.h"  // Proportion, wilson: for the users of summaries

namespace sco::experiment {

inline constexpr int kOutcomes = 7;                  ///< core::Outcome values
inline constexpr int kDilutionBins = 20;             ///< histogram of dilution on [0, 1]
inline constexpr int kTensionBins = 200;             ///< histogram of tension on [0, 1]
inline constexpr double kFixedScale = 4294967296.0;  ///< 2^32: fixed-point sums

struct Summary {
    core::RecordShape shape;
    int max_rounds = 0;  ///< rounds histogram has max_rounds + 1 bins (0 = not tabled)
    std::int64_t runs = 0;

    std::vector<std::int64_t> outcome_counts;  ///< [t][p][o]
    std::vector<std::int64_t> flag_counts;     ///< [t][p][i][bit]
    std::vector<std::int64_t> participated;    ///< [t][p][i] joined and the proposal passed
    std::vector<std::int64_t> rounds_hist;     ///< [t][p][r], r = 0..max_rounds
    std::vector<std::int64_t> dilution_hist;   ///< [t][p][bin]   (passed runs only)
    std::vector<std::int64_t> dilution_sum;    ///< [t][p] fixed point (passed runs only)
    std::vector<std::int64_t> pressure_sum;    ///< [t][p] pressure applications
    std::vector<std::int64_t> pressure_runs;   ///< [t][p] runs with any pressure
    std::vector<std::int64_t> implemented;     ///< [t][p] adopted and implemented
    std::vector<std::int64_t> lag_sum;         ///< [t][p] sum of implementation lags
    std::vector<std::int64_t> text_sum;        ///< [t][p][d] fixed point (passed runs only)
    std::vector<std::int64_t> compromise_sum;  ///< [t][d] fixed point
    std::vector<std::int64_t> wmedian_sum;     ///< [t][d] fixed point
    std::vector<std::int64_t> status_quo_sum;  ///< [t][d] fixed point, status quo at the summit
    std::vector<std::int64_t> first_adoption;  ///< [p][t'] runs whose first adoption of p was at
                                               ///< summit t'; t' = periods: never adopted
    std::vector<std::int64_t> tension_hist;    ///< [t][j][bin], j over tension_pairs only
    std::vector<std::int64_t> tension_sum;     ///< [t][k] fixed point, every pair k
    /// The pairs (indices k of the pair axis, ascending) whose tension histogram is kept:
    /// tension_pairs_of(spec) by default, every pair on request.
    std::vector<int> tension_pairs;

    Summary() = default;
    /// A Summary that keeps the tension histogram of every pair.
    Summary(const core::RecordShape& s, int max_rounds);
    /// A Summary that keeps the tension histograms of `tension_pairs` only (ascending pair
    /// indices below s.pairs; throws std::invalid_argument otherwise).
    Summary(const core::RecordShape& s, int max_rounds, std::vector<int> tension_pairs);
    void add(const core::RunRecord& r);
    /// Every count array, in a fixed order (serialization and merging walk it).
    std::vector<std::vector<std::int64_t>*> arrays();
    /// Adds another summary of the same shape; throws std::invalid_argument otherwise.
    void merge(const Summary& o);
    /// Back to zero runs (every count 0), keeping the shape and the allocations.
    void clear();
    bool operator==(const Summary&) const = default;

    // ---- derived statistics ----
    [[nodiscard]] std::int64_t outcome_count(int t, int p, int o) const;
    [[nodiscard]] std::int64_t tabled(int t, int p) const;  ///< runs where p was on the agenda
    [[nodiscard]] std::int64_t passed(int t, int p) const;  ///< runs with any adopted form
    [[nodiscard]] std::int64_t flag_count(int t, int p, int i, int bit) const;
    [[nodiscard]] double rounds_mean(int t, int p) const;    ///< over tabled runs
    [[nodiscard]] double dilution_mean(int t, int p) const;  ///< over passed runs
    [[nodiscard]] double tension_mean(int t, int k) const;
    /// Runs in which proposal p was first adopted at summit t (t = periods: never).
    [[nodiscard]] std::int64_t first_adopted(int p, int t) const;
    /// Position of pair k in tension_pairs, -1 if its histogram is not kept.
    [[nodiscard]] int tension_slot(int k) const;
    /// Standard deviation of tension across runs, from the histogram (Sheppard-corrected
    /// for the bin width); for the confidence interval of the mean. 0 for an untracked pair
    /// (its tension is 0 in every run: tension_pairs_of).
    [[nodiscard]] double tension_sd(int t, int k) const;
    /// Quantile q in [0,1] of tension from the histogram (bin midpoint, 1/kTensionBins wide).
    /// An untracked pair's tension is the same (0) in every run: every quantile is then the
    /// midpoint of the bin that holds its mean, what its histogram would give.
    [[nodiscard]] double tension_quantile(int t, int k, double q) const;
};

/// Every pair index 0 .. pairs - 1.
std::vector<int> all_pairs(int pairs);

/// The pairs whose tension can be nonzero in some run of `spec`, ascending: a pair with a
/// tension parameter (a `relations.tension` entry, which shocks may also set), and, when
/// the pressure variant is enabled, a pair of a great power and another agent (pressure
/// adds tension between the pressurer and its target). Every other pair starts at 0 and
/// nothing in the model moves it (dialogue scales tension, incidents need some), so its
/// tension is 0 in every run (tests/experiment/test_summary.cpp checks it). With `all`:
/// every pair (`--tension-histograms all`).
std::vector<int> tension_pairs_of(const core::ModelSpec& spec, bool all = false);

}  // namespace sco::experiment
