#include "sim/cli/limits.h"

#include <filesystem>
#include <sstream>

#include "sim/cli/app.h"
#include "sim/io/atomic_file.h"

namespace sco::cli {

void check_disk(const std::string& command, const std::string& output, const core::RecordShape& s,
                std::int64_t runs, bool summary_only, bool per_run_tension) {
    if (summary_only) return;
    const auto free = io::free_bytes_for(output);
    if (!free) return;  // cannot tell; the writer reports a full disk clearly if it happens
    std::filesystem::path dir = std::filesystem::path(output).parent_path();
    if (dir.empty()) dir = ".";
    const double need = static_cast<double>(core::record_bytes(s, per_run_tension)) *
                        static_cast<double>(runs) / 8.0;
    if (need > static_cast<double>(*free)) {
        std::ostringstream os;
        os.precision(3);
        os << command << ": " << runs << " runs need at least " << need / 1e9 << " GB for "
           << output << " (estimated, compressed), but only " << static_cast<double>(*free) / 1e9
           << " GB are free in " << dir.string()
           << "; use --summary-only (summaries only, a few MB), fewer runs, or another -o";
        throw UsageError(os.str());
    }
}

}  // namespace sco::cli
