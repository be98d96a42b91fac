#pragma once
// Internal to sim/io: the datasets derived from per-point Summaries, written by
// Hdf5Sink::finish and by merge_results through the same code, so that a merged file
// and a single run's file are identical.
#include <hdf5.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/core/record.h"
#include "sim/experiment/summary.h"

namespace sco::io {

/// Writes the /summary group point by point, so that memory does not grow with the
/// number of points: the datasets are created for `points` points up front, summaries are
/// written as they come (write: a block of the next points; add: one point, buffered into
/// blocks of about 32 MiB of counts), and finish writes /labels/rounds. `max_rounds` is the
/// largest of the points' max_rounds. Keeps only the compact per-point outputs the
/// sensitivity analysis needs (pass probabilities, T x P doubles per point). The file is
/// the same as write_summary_group's with all summaries at once.
class SummaryGroupWriter {
  public:
    SummaryGroupWriter(hid_t file, const core::RecordShape& shape, std::int64_t points,
                       int max_rounds);
    ~SummaryGroupWriter();
    SummaryGroupWriter(const SummaryGroupWriter&) = delete;
    SummaryGroupWriter& operator=(const SummaryGroupWriter&) = delete;
    void write(std::span<const experiment::Summary> block);
    void add(experiment::Summary&& s);
    /// Throws std::invalid_argument unless exactly `points` summaries were written.
    void finish();
    /// [point][t * P + p]: passed / tabled, 0 where the proposal was not tabled.
    [[nodiscard]] const std::vector<double>& pass_probabilities() const;
    /// [t * P + p]: 1 where the proposal was tabled at some point.
    [[nodiscard]] const std::vector<char>& tabled_anywhere() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Writes the /summary group (raw and derived datasets) and /labels/rounds for the
/// file's points (all at once; SummaryGroupWriter above). Throws std::invalid_argument if a summary
/// does not fit `shape`, h5::Failure if HDF5 fails.
void write_summary_group(hid_t file, const core::RecordShape& shape,
                         const std::vector<experiment::Summary>& per_point);

/// Reads the Summaries of points [first, first + n) of a results file with `points` points
/// from /summary/raw (hyperslabs: memory in n, not in the file's points), for merging.
/// The file must have been validated (read whole) before; throws h5::Failure on a shape
/// that does not fit `shape`.
std::vector<experiment::Summary> read_summary_rows(hid_t file, const core::RecordShape& shape,
                                                   std::int64_t points, std::int64_t first,
                                                   std::int64_t n);

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

/// The same from the compact per-point pass probabilities ([point][t * P + p], as
/// SummaryGroupWriter::pass_probabilities) and which proposals were ever tabled.
void write_sensitivity(hid_t file, const std::vector<std::string>& factors, std::int64_t samples,
                       std::uint64_t seed, const core::RecordShape& shape,
                       const std::vector<double>& pass_p, const std::vector<char>& tabled);

}  // namespace sco::io
