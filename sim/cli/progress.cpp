#include "sim/cli/progress.h"

#include <iomanip>
#include <ostream>
#include <sstream>

namespace sco::cli {

std::string progress_line(std::int64_t done, std::int64_t total, double rate) {
    std::ostringstream os;
    os << "\r  " << done << "/" << total << " runs, " << std::fixed << std::setprecision(0) << rate
       << " runs/s, " << std::setprecision(1)
       << (rate > 0 ? static_cast<double>(total - done) / rate : 0.0) << " s left   ";
    return os.str();
}

Progress::Progress(bool enabled, std::int64_t total, std::ostream& os)
    : enabled_(enabled), total_(total), os_(os) {}

std::function<void(std::int64_t, std::int64_t)> Progress::hook() {
    if (!enabled_) return {};
    return [this](std::int64_t done, std::int64_t) { draw(done); };
}

void Progress::advance(std::int64_t runs) {
    base_ += runs;
}

void Progress::skip(std::int64_t runs) {
    base_ += runs;
    skipped_ += runs;
}

void Progress::draw(std::int64_t done_in_plan) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    const std::int64_t all = base_ + done_in_plan;
    const double rate = s > 0 ? static_cast<double>(all - skipped_) / s : 0.0;
    os_ << progress_line(all, total_, rate) << std::flush;
}

void Progress::end() {
    if (enabled_) os_ << "\n";
}

}  // namespace sco::cli
