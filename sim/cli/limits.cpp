#include "sim/cli/limits.h"

#include <filesystem>
#include <sstream>

#include "sim/cli/app.h"

namespace sco::cli {

std::int64_t bytes_per_run(const core::RecordShape& s, bool per_run_tension) {
    const std::int64_t tp = static_cast<std::int64_t>(s.periods) * s.proposals;
    std::int64_t b = tp * (1 + 1 + 4 + 1 + 1 + 2 * s.agents + 4 * s.dims);  // outcome..flags, text
    b += 3 * 4 * static_cast<std::int64_t>(s.periods) * s.dims;  // compromise, median, status quo
    b += 8 * s.random_params + 16;                               // params, point, rep
    if (per_run_tension) b += 4 * static_cast<std::int64_t>(s.periods) * s.pairs;
    return b;
}

void check_disk(const std::string& command, const std::string& output, const core::RecordShape& s,
                std::int64_t runs, bool summary_only, bool per_run_tension) {
    if (summary_only) return;
    std::filesystem::path dir = std::filesystem::path(output).parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    const auto space = std::filesystem::space(dir, ec);
    if (ec) return;  // cannot tell; the writer reports a full disk clearly if it happens
    const double need =
        static_cast<double>(bytes_per_run(s, per_run_tension)) * static_cast<double>(runs) / 8.0;
    if (need > static_cast<double>(space.available)) {
        std::ostringstream os;
        os.precision(3);
        os << command << ": " << runs << " runs need at least " << need / 1e9 << " GB for "
           << output << " (estimated, compressed), but only "
           << static_cast<double>(space.available) / 1e9 << " GB are free in " << dir.string()
           << "; use --summary-only (summaries only, a few MB), fewer runs, or another -o";
        throw UsageError(os.str());
    }
}

}  // namespace sco::cli
