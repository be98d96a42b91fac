#pragma once
// Every statistic derived from Summaries, as plain arrays for io to store: proportions
// with Wilson intervals, means, tension quantiles, the compact per-point pass
// probabilities and the Sobol indices of a whole Saltelli design. io stores what these
// functions return and computes nothing (docs/architecture.md, "Layers and layout").
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/core/record.h"
#include "sim/core/summary_data.h"

namespace sco::experiment {

struct Summary;  // summary.h, which includes this header

/// A proportion with its 95% Wilson score interval.
struct Proportion {
    double p = 0.0;
    double lo = 0.0;
    double hi = 0.0;
};
/// k successes out of n; n <= 0 gives {0, 0, 1}.
Proportion wilson(std::int64_t successes, std::int64_t n, double z = 1.959963984540054);

// The plain data io stores (core/summary_data.h).
using core::DerivedArray;
using core::kSensitivityBootstrap;
using core::kTensionQuantiles;
using core::SensitivityArrays;

/// The derived datasets of /summary (in the order of the file) for the points of `block`,
/// each summary's rounds histogram read up to `rounds_bins` - 1 rounds (the file's largest
/// max_rounds + 1). Probabilities are over tabled runs (dilution and text: passed runs),
/// NaN where the condition never held; tension quantiles are bin midpoints. With an empty
/// block: names, axes, descriptions and dims only. Throws std::invalid_argument if a
/// summary does not fit `shape` or has more rounds than rounds_bins - 1.
std::vector<DerivedArray> derived_arrays(const core::RecordShape& shape, int rounds_bins,
                                         std::span<const core::SummaryCounts* const> block);
std::vector<DerivedArray> derived_arrays(const core::RecordShape& shape, int rounds_bins,
                                         std::span<const Summary> block);

/// The standard output of a sweep for each point of `block`, appended to `out`
/// ([point][t * P + p]): the pass probability over tabled runs, 0 where never tabled; and
/// `tabled_anywhere[t * P + p]` set to 1 where some point tabled the proposal.
void append_pass_probabilities(std::span<const core::SummaryCounts* const> block,
                               std::vector<double>& out, std::vector<char>& tabled_anywhere);
void append_pass_probabilities(std::span<const Summary> block, std::vector<double>& out,
                               std::vector<char>& tabled_anywhere);

/// From the compact per-point pass probabilities ([point][t * P + p], as
/// append_pass_probabilities) of N (factors + 2) points, N = samples, bootstrap seeded with
/// `seed`. Throws std::invalid_argument if the number of points does not fit the design.
SensitivityArrays sensitivity_arrays(int factors, std::int64_t samples, std::uint64_t seed,
                                     const core::RecordShape& shape,
                                     const std::vector<double>& pass_p,
                                     const std::vector<char>& tabled_anywhere);

/// The same from every point's Summary.
SensitivityArrays sensitivity_arrays(int factors, std::int64_t samples, std::uint64_t seed,
                                     const std::vector<Summary>& per_point);

/// The statistics io's writers store (derived_arrays, append_pass_probabilities,
/// sensitivity_arrays behind core::SummaryStatistics): what the command line hands to
/// io::Hdf5Sink, io::merge_results and io::FileSweepStore.
const core::SummaryStatistics& stored_statistics();

}  // namespace sco::experiment
