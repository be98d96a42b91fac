#pragma once
// The plain data of a Summary of many runs and of the statistics stored with it, shared by
// experiment (which fills and computes them) and io (which stores and loads them and
// computes nothing). experiment::Summary is built on SummaryCounts; experiment/statistics.h
// computes DerivedArray and SensitivityArrays and implements SummaryStatistics, the one
// door through which io obtains them (docs/architecture.md, "Layers and layout"). In core,
// like core/labels.h, so that io needs no experiment header for them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/core/record.h"

namespace sco::core {

inline constexpr int kOutcomes = 7;                  ///< core::Outcome values
inline constexpr int kDilutionBins = 20;             ///< histogram of dilution on [0, 1]
inline constexpr int kTensionBins = 200;             ///< histogram of tension on [0, 1]
inline constexpr double kFixedScale = 4294967296.0;  ///< 2^32: fixed-point sums

/// Probabilities of the tension quantiles stored per pair (/labels/quantiles).
inline constexpr double kTensionQuantiles[] = {0.05, 0.5, 0.95};

/// The bootstrap resamples of the confidence intervals of Sobol indices.
inline constexpr int kSensitivityBootstrap = 200;

/// The integer counts and fixed-point sums of a Summary (experiment/summary.h documents
/// them): what the results file stores as /summary/raw and merging adds.
struct SummaryCounts {
    RecordShape shape;
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
    /// The pairs (indices k of the pair axis, ascending) whose tension histogram is kept.
    std::vector<int> tension_pairs;

    SummaryCounts() = default;
    /// Zero counts sized for `s`, keeping the tension histograms of `tension_pairs`
    /// (ascending pair indices below s.pairs; throws std::invalid_argument otherwise).
    SummaryCounts(const RecordShape& s, int max_rounds, std::vector<int> tension_pairs);
    bool operator==(const SummaryCounts&) const = default;
    /// Throws std::invalid_argument("WHAT: a summary's shape differs from the model's")
    /// unless the counts were sized for `s` (periods, proposals, agents, dims, pairs).
    void require_shape(const RecordShape& s, const std::string& what) const;
};

/// Every pair index 0 .. pairs - 1.
std::vector<int> all_pairs(int pairs);

/// One derived dataset of /summary for a block of points: a leading point axis, then
/// `dims`. Integer arrays fill `ints`, the others `reals`, row-major.
struct DerivedArray {
    std::string name;
    std::string axes;  ///< comma-separated, point first (docs/hdf5-format.md)
    std::string description;
    std::vector<std::size_t> dims;  ///< the lengths after the point axis
    bool integer = false;
    std::vector<std::int64_t> ints;
    std::vector<double> reals;
};

/// Sobol indices of the pass probability of every proposal at every summit across the
/// points of a whole Saltelli design, [factor][t][p] (NaN where the output does not vary
/// or the proposal is never tabled), with 95% percentile bootstrap intervals.
struct SensitivityArrays {
    std::size_t factors = 0, periods = 0, proposals = 0;
    int bootstrap = kSensitivityBootstrap;
    double confidence = 0.95;
    std::vector<double> first, first_lo, first_hi, total, total_lo, total_hi;
};

/// The statistics stored with summaries, computed by experiment
/// (experiment::stored_statistics(), statistics.h documents each function) and handed to
/// io's writers, which store what they return: plain data in, plain data out.
class SummaryStatistics {
  public:
    virtual ~SummaryStatistics() = default;
    /// The derived datasets of /summary for the points of `block` (names, axes,
    /// descriptions and dims only for an empty block).
    [[nodiscard]] virtual std::vector<DerivedArray> derived(
        const RecordShape& shape, int rounds_bins,
        std::span<const SummaryCounts* const> block) const = 0;
    /// Appends the per-point pass probabilities of `block` and marks what was tabled.
    virtual void append_pass_probabilities(std::span<const SummaryCounts* const> block,
                                           std::vector<double>& out,
                                           std::vector<char>& tabled_anywhere) const = 0;
    /// Sobol indices from the compact per-point pass probabilities of a whole design.
    [[nodiscard]] virtual SensitivityArrays sensitivity(
        int factors, std::int64_t samples, std::uint64_t seed, const RecordShape& shape,
        const std::vector<double>& pass_p, const std::vector<char>& tabled_anywhere) const = 0;
};

}  // namespace sco::core
