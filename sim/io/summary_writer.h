#pragma once
// Internal to sim/io: the /summary group of per-point summaries, written by Hdf5Sink and
// by merge_results through the same code, so that a merged file and a single run's file
// are identical. Plain data only (core/summary_data.h): the raw counts, and the derived
// arrays and Sobol indices that experiment computes, obtained through the
// core::SummaryStatistics the writer is given. io computes no statistic.
#include <hdf5.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/core/record.h"
#include "sim/core/summary_data.h"
#include "sim/io/h5.h"

namespace sco::io {

/// Writes the /summary group point by point, so that memory does not grow with the
/// number of points: the datasets are created for `points` points up front, summaries are
/// written as they come (write: a block of the next points; add: one point, buffered into
/// blocks of about 32 MiB of counts), and finish writes /labels/rounds. `max_rounds` is the
/// largest of the points' max_rounds. Keeps only the compact per-point outputs the
/// sensitivity analysis needs (pass probabilities, T x P doubles per point). The file is
/// the same as write_summary_group's with all summaries at once. `tension_pairs` are the
/// pairs whose tension histograms the summaries keep (every summary must keep the same);
/// finish writes them as /labels/tension_pairs. The derived datasets and the pass
/// probabilities are what `stats` returns for the counts (it must outlive the writer).
/// `filters` compress the datasets (by default as every results file; a sweep's temporary
/// parts use a cheaper setting, since the merge compresses their summaries again). The
/// chunks are compressed on `threads` threads and written whole (H5Dwrite_chunk), each
/// once; the stored chunks do not depend on the thread count.
class SummaryGroupWriter {
  public:
    SummaryGroupWriter(hid_t file, const core::SummaryStatistics& stats,
                       const core::RecordShape& shape, std::int64_t points, int max_rounds,
                       std::vector<int> tension_pairs, const h5::Filters& filters = {},
                       int threads = 1);
    ~SummaryGroupWriter();
    SummaryGroupWriter(const SummaryGroupWriter&) = delete;
    SummaryGroupWriter& operator=(const SummaryGroupWriter&) = delete;
    void write(std::span<const core::SummaryCounts* const> block);
    void add(core::SummaryCounts&& s);
    /// Throws std::invalid_argument unless exactly `points` summaries were written.
    void finish();
    /// [point][t * P + p]: passed / tabled, 0 where the proposal was not tabled.
    [[nodiscard]] const std::vector<double>& pass_probabilities() const;
    /// [t * P + p]: 1 where the proposal was tabled at some point.
    [[nodiscard]] const std::vector<char>& tabled_anywhere() const;

  private:
    void write_pending();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Writes the /summary group (raw and derived datasets) and /labels/rounds for the
/// file's points (all at once; SummaryGroupWriter above; the tension pairs are the
/// summaries', every pair if there are none). Throws std::invalid_argument if a summary
/// does not fit `shape`, h5::Failure if HDF5 fails.
void write_summary_group(hid_t file, const core::SummaryStatistics& stats,
                         const core::RecordShape& shape,
                         std::span<const core::SummaryCounts* const> per_point);

/// Reads the Summaries of points [first, first + n) of a results file with `points` points
/// from /summary/raw (hyperslabs: memory in n, not in the file's points), for merging.
/// The file must have been validated (read whole) before; throws h5::Failure on a shape
/// that does not fit `shape`.
std::vector<core::SummaryCounts> read_summary_rows(hid_t file, const core::RecordShape& shape,
                                                   const std::vector<int>& tension_pairs,
                                                   std::int64_t points, std::int64_t first,
                                                   std::int64_t n);

/// True when a file holds a whole Sobol sweep and so gets a /sensitivity group.
bool has_sensitivity(const std::string& design, std::int64_t first_point, std::int64_t points,
                     std::int64_t total_points);

/// Writes /sensitivity/{first,first_lo,first_hi,total,total_lo,total_hi} [factor, period,
/// proposal] and the group's attributes from indices computed by experiment
/// (core::SummaryStatistics::sensitivity). Throws std::invalid_argument if an array does
/// not fit the shape, h5::Failure if HDF5 fails.
void write_sensitivity(hid_t file, const core::SensitivityArrays& indices);

}  // namespace sco::io
