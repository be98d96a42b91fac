#pragma once
// Interface of sim/io: where a sweep's results are stored, for experiment/sweep.h's
// orchestration (parts, resume, merge). io implements it on files (io::FileSweepStore,
// file_sweep_store.h), tests in memory. Core types and io's Sink only (no HDF5).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/io/sink.h"

namespace sco::io {

/// The /summary datasets of a results file are chunked by at most this many points (a
/// divisor of it: a power of two), whatever the file's number of points, so that a merge
/// can copy the stored chunks of a shard whose first point is a multiple of it
/// (io::merge_results); experiment::sweep_parts cuts a sweep's parts in multiples of it.
inline constexpr std::int64_t kSummaryChunkPoints = 64;

/// Points [first, last) of a sweep.
struct Slice {
    std::int64_t first = 0;
    std::int64_t last = 0;
    [[nodiscard]] std::int64_t size() const { return last - first; }
    bool operator==(const Slice&) const = default;
};

/// Where a sweep's results are stored. Names are paths ("OUT.parts/points-...h5").
class SweepStore {
  public:
    virtual ~SweepStore() = default;
    [[nodiscard]] virtual bool exists(const std::string& name) const = 0;
    /// Why `name` is not the complete results of slice `s` of sweep `id` ("" if it is).
    [[nodiscard]] virtual std::string not_this_slice(const std::string& name, const std::string& id,
                                                     const Slice& s) const = 0;
    /// Throws the store's "output exists" error if `name` exists and not `overwrite`.
    virtual void refuse_existing(const std::string& name, bool overwrite) const = 0;
    /// A sink writing the results `name`, published by its finish() (replacing an existing
    /// one only with `overwrite`), nothing left by its abort().
    virtual std::unique_ptr<Sink> create(const std::string& name, bool overwrite) = 0;
    /// A sink for a temporary part of a local sweep (run_in_parts), replacing an existing
    /// one: read back and merged like any results, but it may be stored more cheaply (the
    /// merge writes the final file). By default create(name, true).
    virtual std::unique_ptr<Sink> create_part(const std::string& name) {
        return create(name, true);
    }
    /// Makes the folder `name` (and its parents); none: nothing.
    virtual void make_folder(const std::string& name) = 0;
    /// Removes `name` and everything under it; none: nothing.
    virtual void remove_all(const std::string& name) = 0;
    /// Merges `inputs` (in this order: point order) into `output`, a whole sweep's results.
    virtual void merge(const std::vector<std::string>& inputs, const std::string& output,
                       bool overwrite) = 0;
};

}  // namespace sco::io
