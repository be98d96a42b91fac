#pragma once
// Interface of sim/io: where finished runs go, stated in core types only (no HDF5, no
// experiment header). experiment's runner writes through it; io::Hdf5Sink implements it on
// results files; tests use in-memory sinks. The runner calls begin once, write_block for
// consecutive blocks of runs in global run order, then finish with the summaries; or abort
// if the experiment stops early (error, signal), after which nothing may remain at the
// output.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "sim/core/model.h"
#include "sim/core/plan_data.h"
#include "sim/core/record.h"
#include "sim/core/summary_data.h"

namespace sco::io {

/// Facts about how the results were made, stored with them.
struct Provenance {
    std::string tool_version;
    std::string git_commit;
    std::string command_line;
    std::string scenario_path;
    std::string scenario_text;  ///< the whole scenario file as read
};

class Sink {
  public:
    virtual ~Sink() = default;
    virtual void begin(const core::ModelSpec& spec, const core::Plan& plan,
                       const core::RunConfig& cfg, const Provenance& prov) = 0;
    /// Runs [first_run, first_run + runs.size()) in global run order (within this plan:
    /// run index = (point - plan.first_point) * replications + replication).
    virtual void write_block(std::int64_t first_run, std::span<const core::RunRecord> runs) = 0;
    /// The counts of one summary per point of the plan, in point order; empty for a sink
    /// that streams summaries (below). The pointers are valid during the call only.
    virtual void finish(std::span<const core::SummaryCounts* const> per_point) = 0;
    /// A sink that returns true takes each point's summary as soon as the point is complete
    /// (write_summary, in point order, never concurrently with the other calls), so that the
    /// runner holds no summary beyond the point being run; finish then gets an empty span.
    [[nodiscard]] virtual bool streams_summaries() const { return false; }
    /// Point index within the plan (0-based).
    virtual void write_summary(std::int64_t /*point*/, core::SummaryCounts&& /*s*/) {}
    /// The hand-off the runner uses, so that the encoding of per-run output runs on the
    /// run's own threads (`-j N` is N threads of work in total). stage_block takes the
    /// runs that write_block would (serially, in run order; the records may be reused once
    /// it returns) and returns how many encoding jobs they made; the runner then calls
    /// encode_staged(j) once for every j below that count, from any of its threads at
    /// once (and while write_summary may run), and then commit_staged() (serially), which
    /// writes what was encoded, in order. By default stage_block is write_block and makes
    /// no job.
    virtual std::size_t stage_block(std::int64_t first_run, std::span<const core::RunRecord> runs) {
        write_block(first_run, runs);
        return 0;
    }
    /// Must not throw: a failure is kept and rethrown by commit_staged.
    virtual void encode_staged(std::size_t /*job*/) noexcept {}
    virtual void commit_staged() {}
    /// Discard everything written so far. Must not throw.
    virtual void abort() noexcept = 0;
};

}  // namespace sco::io
