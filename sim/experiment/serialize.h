#pragma once
// Runs and summaries as flat bytes, for handing them between processes (the MPI sweep).
// Both ends share the model's shape; the bytes carry no layout of their own.
#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/record.h"
#include "sim/experiment/summary.h"

namespace sco::experiment {

/// Appends the records, then the summary, to `out`.
void pack(std::span<const core::RunRecord> runs, const Summary& summary, std::vector<char>& out);

/// Reads what pack wrote: `runs` must already hold the right number of records of the
/// model's shape and `summary` the model's shape. Throws std::runtime_error on a size mismatch.
void unpack(std::span<const char> in, std::span<core::RunRecord> runs, Summary& summary);

}  // namespace sco::experiment
