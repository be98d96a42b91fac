#pragma once
// io::SweepStore (sweep_store.h) on files: results files (io::Hdf5Sink), read back with
// io::read_results, merged with io::merge_results. The command line hands it to
// experiment::run_in_parts / run_slice.
#include <atomic>
#include <string>

#include "sim/core/summary_data.h"
#include "sim/io/sweep_store.h"

namespace sco::io {

/// Merges record `command_line`, `tool_version` and `git_commit`; `stop` (may be null)
/// interrupts a merge (io::MergeInterrupted). Results files store the statistics `stats`
/// computes (experiment::stored_statistics(); it must outlive the store and its sinks).
class FileSweepStore final : public SweepStore {
  public:
    FileSweepStore(const core::SummaryStatistics& stats, std::string command_line,
                   std::string tool_version, std::string git_commit, const std::atomic<bool>* stop);
    [[nodiscard]] bool exists(const std::string& name) const override;
    /// "it is not a regular file", "it belongs to another sweep (...)", "it holds other
    /// points", or the reader's message for a file that cannot be read.
    [[nodiscard]] std::string not_this_slice(const std::string& name, const std::string& id,
                                             const Slice& s) const override;
    /// Throws io::OutputExists.
    void refuse_existing(const std::string& name, bool overwrite) const override;
    std::unique_ptr<Sink> create(const std::string& name, bool overwrite) override;
    /// A results file as create's (/summary datasets compressed with deflate 1 without
    /// shuffle, io::kSummaryFilters, as in every results file), always overwritten: a part
    /// whose chunks the merge copies into the final file (io::merge_results).
    std::unique_ptr<Sink> create_part(const std::string& name) override;
    void make_folder(const std::string& name) override;
    void remove_all(const std::string& name) override;
    void merge(const std::vector<std::string>& inputs, const std::string& output,
               bool overwrite) override;

  private:
    const core::SummaryStatistics* stats_;
    std::string command_line_, tool_version_, git_commit_;
    const std::atomic<bool>* stop_;
};

}  // namespace sco::io
