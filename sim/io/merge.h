#pragma once
// Merging the shard files of one sweep into the file a single run of the whole sweep
// would have written (`sco-sim merge`). Layout: docs/hdf5-format.md.
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/summary_data.h"
#include "sim/io/errors.h"

namespace sco::io {

/// The inputs are not the complete, non-overlapping shards of one sweep. what() names
/// the files and says what is wrong (missing points, overlapping shards, differing seed,
/// scenario, ...). The base of the merge's other errors below.
struct MergeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The inputs are fine but the merged file could not be written: the disk is full (also
/// when found before writing), the temporary file cannot be created, the flush or the
/// rename failed. Not the inputs' fault: `sco-sim` exits 1 for it, 2 for other MergeErrors.
struct MergeWriteError : MergeError {
    using MergeError::MergeError;
};

/// merge_results was asked to stop (its `stop` flag was set); nothing was left behind.
struct MergeInterrupted : MergeError {
    using MergeError::MergeError;
};

struct MergeReport {
    std::int64_t points = 0;          ///< points in the merged file (the whole sweep)
    std::int64_t runs = 0;            ///< runs in the merged file
    std::vector<std::string> inputs;  ///< the input files, in point order
};

/// Merges shard files of one sweep into `out`, atomically: the file is written under a
/// temporary name in out's directory and renamed at the end; nothing is left at `out` or
/// beside it on failure. Refuses an existing `out` unless force (OutputExists).
///
/// Every input must be a readable results file (else BadResults); all must share
/// scenario_sha256, seed, replications, design, design_samples, design_seed, sweep_text,
/// total_points, summary_only, per_run_tension, tool_version, git_commit, the variants and
/// every /labels dataset; together they must cover points 0..total_points-1 exactly once
/// (else MergeError naming the missing point ranges or the overlapping files). Inputs may
/// be given in any order. Too little free space for about the inputs' size, or a failure
/// to write the output, throws MergeWriteError.
///
/// The result equals the file a single run of the whole sweep writes, /sensitivity
/// included: every dataset and attribute is identical except the root attributes
/// command_line and created (this merge's), plus merged_from (the input paths, in point
/// order) and merged_by ("TOOL_VERSION (GIT_COMMIT)" of the merging binary). tool_version
/// and git_commit remain the shards': they describe the binary that simulated the runs.
/// Per-run datasets are copied in blocks of at most a few MiB: memory does not grow with
/// the number of runs. If `stop` is given and becomes true (a signal handler's flag), the
/// merge stops between blocks, removes its temporary file and throws MergeInterrupted.
/// /summary and /sensitivity are recomputed from the summed counts by `stats`
/// (experiment::stored_statistics()), except the /summary datasets whose stored chunks line
/// up with the output's (same type, chunk shape and filters, the input beginning at a chunk
/// row: a sweep's parts), which are copied chunk by chunk, each checked to decode first
/// (SummaryGroupWriter::copy_chunks); the file is the same either way. Each input is read
/// whole once in the guard's child; the merge itself reads its header and what it does not
/// copy.
MergeReport merge_results(const core::SummaryStatistics& stats,
                          const std::vector<std::string>& inputs, const std::string& out,
                          bool force, const std::string& command_line,
                          const std::string& tool_version, const std::string& git_commit,
                          const std::atomic<bool>* stop = nullptr);

}  // namespace sco::io
