#pragma once
// Requests refused up front, with the numbers in the message.
#include <cstdint>
#include <string>

#include "sim/core/record.h"

namespace sco::cli {

/// Throws UsageError if `runs` runs cannot fit in the free space of the folder of
/// `output`. The per-run datasets compress well (about 30x on the baseline), so the
/// check uses a conservative eighth of the uncompressed size (core::record_bytes): it refuses only
/// requests that cannot possibly fit.
void check_disk(const std::string& command, const std::string& output, const core::RecordShape& s,
                std::int64_t runs, bool summary_only, bool per_run_tension);

}  // namespace sco::cli
