#pragma once
// Internal to sim/io: the datasets derived from per-point Summaries, written by
// Hdf5Sink::finish and by merge_results through the same code, so that a merged file
// and a single run's file are identical.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/record.h"
#include "sim/experiment/summary.h"

namespace sco::io {

/// Writes the /summary group (raw and derived datasets) and /labels/rounds for the
/// file's points. Throws std::invalid_argument if a summary does not fit `shape`,
/// h5::Failure if HDF5 fails.
void write_summary_group(hid_t file, const core::RecordShape& shape,
                         const std::vector<experiment::Summary>& per_point);

/// True when a file holds a whole Sobol sweep and so gets a /sensitivity group.
bool has_sensitivity(const std::string& design, std::int64_t first_point, std::int64_t points,
                     std::int64_t total_points);

/// The bootstrap resamples of the confidence intervals in /sensitivity.
inline constexpr int kSensitivityBootstrap = 200;

/// Writes /sensitivity/{first,first_lo,first_hi,total,total_lo,total_hi} [factor, period,
/// proposal]: Sobol indices of the pass probability of every proposal at every summit
/// across the points of a whole Saltelli design (N = samples base rows, k = factors),
/// bootstrap seeded with `seed`. NaN where the output does not vary or the proposal is
/// never tabled. Throws std::invalid_argument if the number of points is not N (k + 2).
void write_sensitivity(hid_t file, const std::vector<std::string>& factors, std::int64_t samples,
                       std::uint64_t seed, const std::vector<experiment::Summary>& per_point);

}  // namespace sco::io
