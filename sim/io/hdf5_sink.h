#pragma once
// Results files: an io::Sink (sink.h) that streams per-run arrays and writes the
// per-point summaries into one HDF5 file. Layout: docs/hdf5-format.md. The plan's sweep
// (design, factors, values) is recorded; a file that holds a whole Sobol sweep also gets
// /sensitivity (the same code as merge_results, sim/io/summary_writer.h).
//
// The file is written under a temporary name in the output's directory
// (".NAME.tmp-PID") and renamed onto the output only by finish(), so the output
// either does not exist or is complete. abort() (and the destructor, if finish was
// not reached) removes the temporary file.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/core/summary_data.h"
#include "sim/io/errors.h"
#include "sim/io/sink.h"

namespace sco::io {

/// The `format` attribute of every results file written by this version.
inline constexpr const char* kResultsFormat = "sco-sim-results/2";

/// How the per-run datasets are stored. The sink cuts them into chunks of whole runs,
/// encodes the chunks (HDF5's shuffle and deflate filters, done by the sink) on `threads`
/// threads and writes them in run order with H5Dwrite_chunk, so that the file is the same
/// whatever the thread count. Readers see ordinary shuffle+deflate datasets.
struct ChunkOptions {
    /// Deflate level 0..9; -1: no deflate filter. Level 1 without shuffle (below): the
    /// cheapest level that compresses (libdeflate's; 27.4 MB for 100,000 baseline runs,
    /// level 4 21.9 MB for 7% more instructions per decision: docs/performance.md, "4. The
    /// per-run records path").
    int deflate = 1;
    /// Byte shuffle before deflate (elements wider than a byte). Off by default: on this
    /// data it costs instructions and bytes.
    bool shuffle = false;
    /// Threads that encode chunks in write_block and finish, the caller's included; 0: the
    /// run's (RunConfig::threads, or every core if that is 0). The runner does not use
    /// write_block: it encodes staged chunks on its own threads (stage_block below).
    int threads = 0;
    int max_chunk_runs = 1 << 16;  ///< runs per chunk at most (rounded down to a power of 2)
    /// The /summary datasets' filters: zlib level (-1: none) and shuffle. By default those of
    /// every results file (kSummaryFilters in summary_writer.h: deflate 1 without shuffle),
    /// the same in a sweep's parts, so that the merge copies their stored chunks.
    int summary_deflate = 1;
    bool summary_shuffle = false;
};

class Hdf5Sink final : public Sink {
  public:
    /// Throws OutputExists if `path` exists and !force, std::runtime_error if the
    /// temporary file cannot be created (e.g. the directory does not exist). The statistics
    /// stored with the summaries are what `stats` returns (experiment::stored_statistics();
    /// it must outlive the sink): io stores them and computes none.
    Hdf5Sink(const core::SummaryStatistics& stats, std::string path, bool force,
             ChunkOptions opt = {});
    ~Hdf5Sink() override;
    Hdf5Sink(const Hdf5Sink&) = delete;
    Hdf5Sink& operator=(const Hdf5Sink&) = delete;

    void begin(const core::ModelSpec& spec, const core::Plan& plan, const core::RunConfig& cfg,
               const Provenance& prov) override;
    void write_block(std::int64_t first_run, std::span<const core::RunRecord> runs) override;
    /// Parallel hand-off (Sink): stage_block copies the rows and cuts the full
    /// chunks, encode_staged shuffles and deflates one chunk (any thread), commit_staged
    /// writes them in run order with H5Dwrite_chunk. write_block does all three, encoding
    /// on ChunkOptions::threads threads.
    std::size_t stage_block(std::int64_t first_run, std::span<const core::RunRecord> runs) override;
    void encode_staged(std::size_t job) noexcept override;
    void commit_staged() override;
    void finish(std::span<const core::SummaryCounts* const> per_point) override;
    /// Summaries are written as points complete (the runner then keeps none); finish also
    /// accepts all of them at once when none was written this way (the MPI sweep).
    [[nodiscard]] bool streams_summaries() const override { return true; }
    void write_summary(std::int64_t point, core::SummaryCounts&& s) override;
    void abort() noexcept override;

    [[nodiscard]] const std::string& path() const;
    /// Where the file is written until finish() renames it.
    [[nodiscard]] const std::string& temp_path() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sco::io
