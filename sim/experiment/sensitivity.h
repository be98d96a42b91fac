#pragma once
// Variance-based sensitivity analysis on a Saltelli (Sobol) design: first-order indices
// by Saltelli et al. (2010, Comput. Phys. Commun. 181:259) and total-order indices by
// Jansen (1999), with percentile bootstrap confidence intervals over the N base rows.
#include <cstdint>
#include <vector>

#include "sim/experiment/summary.h"

namespace sco::experiment {

struct SobolIndices {
    std::vector<double> first, first_lo, first_hi;  ///< [factor]
    std::vector<double> total, total_lo, total_hi;  ///< [factor]
    double variance = 0.0;                          ///< of the output over A and B rows
};

/// `y` holds one output per point in Saltelli order (A, B, AB_1..AB_k; N rows each).
/// Bootstrap resamples rows with counter-based draws keyed by `seed`. Indices are NaN
/// when the output does not vary.
SobolIndices sobol_indices(const std::vector<double>& y, int k, std::int64_t n, int bootstrap,
                           std::uint64_t seed);

/// The standard outputs of a sweep: pass probability of every proposal at every summit
/// (over runs where it was tabled; 0 where it never was), [point][t * P + p].
std::vector<std::vector<double>> pass_probabilities(const std::vector<Summary>& per_point);

}  // namespace sco::experiment
