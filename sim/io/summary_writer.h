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
#include "sim/io/sweep_store.h"

namespace sco::io {

/// The filters of the chunked /summary datasets of every results file this version writes
/// (runs, shards, a sweep's parts and merged files alike): deflate 1 without shuffle,
/// cheaper than deflate 4 with shuffle and smaller on this data, and the same everywhere, so
/// that a merge copies the stored chunks (docs/hdf5-format.md). Chunks hold at most
/// io::kSummaryChunkPoints points (sweep_store.h).
inline constexpr h5::Filters kSummaryFilters{1, false};

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
                       std::vector<int> tension_pairs, const h5::Filters& filters = kSummaryFilters,
                       int threads = 1);
    ~SummaryGroupWriter();
    SummaryGroupWriter(const SummaryGroupWriter&) = delete;
    SummaryGroupWriter& operator=(const SummaryGroupWriter&) = delete;
    void write(std::span<const core::SummaryCounts* const> block);
    void add(core::SummaryCounts&& s);
    /// For a merge: copies the stored chunks of the next `rows` points from `src` (an open
    /// results file holding exactly those points; `src_path` names it in errors) without
    /// decoding and encoding them again, for every chunked /summary dataset whose type, shape
    /// after the point axis, chunk shape and filters equal this file's, when the rows begin a
    /// chunk row of this file: their whole chunk rows, and the edge chunk if the rows end
    /// where the file does. The rows must still be written (write or add) afterwards: the
    /// copied rows of each dataset are then skipped, the others written as usual. Each copied
    /// chunk is checked first: it must decode (zlib) to exactly one chunk's bytes, else
    /// BadResults(src_path, ...). Returns the number of datasets copied from.
    std::size_t copy_chunks(hid_t src, const std::string& src_path, std::int64_t rows);
    /// False when the next `n` points' rows of every dataset were copied by copy_chunks: the
    /// summaries written for them then need only runs, max_rounds, shape and the counts the
    /// pass probabilities use (read_summary_light).
    [[nodiscard]] bool needs_rows(std::int64_t n) const;
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

/// The Summaries of points [first, first + n) with only what a merge needs of points whose
/// rows were all copied (SummaryGroupWriter::copy_chunks): runs, max_rounds and
/// outcome_counts (from which the pass probabilities follow) are read; every other count
/// is zero. Same checks as read_summary_rows.
std::vector<core::SummaryCounts> read_summary_light(hid_t file, const core::RecordShape& shape,
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
