#pragma once
// The progress line of `run`, `sweep` and `calibrate` on stderr, redrawn in place:
// "\r  DONE/TOTAL runs, RATE runs/s, LEFT s left   ".
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace sco::cli {

/// The line for `done` of `total` runs at `rate` runs per second (0: unknown, no time left
/// is estimated).
std::string progress_line(std::int64_t done, std::int64_t total, double rate);

/// Counts runs over several plans (the parts of a sweep, the generations of a calibration)
/// and draws the line after each block. Disabled, it draws nothing.
class Progress {
  public:
    Progress(bool enabled, std::int64_t total, std::ostream& os);
    [[nodiscard]] bool enabled() const { return enabled_; }
    /// For RunnerHooks::progress: (runs done in the current plan, its total).
    [[nodiscard]] std::function<void(std::int64_t, std::int64_t)> hook();
    /// The current plan finished with `runs` runs: later plans count from there.
    void advance(std::int64_t runs);
    /// `runs` counted as done without being run here (a resumed part): not in the rate.
    void skip(std::int64_t runs);
    /// Runs counted so far (advanced and skipped).
    [[nodiscard]] std::int64_t counted() const { return base_; }
    /// Ends the line (a newline) if the line is drawn; call once, when the work stops.
    void end();

  private:
    void draw(std::int64_t done_in_plan);
    bool enabled_;
    std::int64_t total_;
    std::ostream& os_;
    std::int64_t base_ = 0;
    std::int64_t skipped_ = 0;
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

}  // namespace sco::cli
