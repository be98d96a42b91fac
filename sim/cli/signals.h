#pragma once
// SIGINT and SIGTERM ask a running experiment to stop between blocks; the runner then
// aborts its sink (no file at the output path) and the command exits 128 + signal.
#include <atomic>
#include <iosfwd>
#include <string>

namespace sco::cli {

/// Installs the handlers for its lifetime and restores the previous ones after. Lowers the
/// stop flag when it starts (one guard per command, never nested), so that a process that
/// runs several commands, such as a test binary, starts each one unstopped.
class SignalGuard {
  public:
    SignalGuard();
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;
};

/// The flag the handlers set; hand it to RunnerHooks::stop.
const std::atomic<bool>* stop_flag();

/// The signal that set the flag (SIGINT if none was recorded).
int caught_signal();

/// What `sweep` and `calibrate` say when a signal stopped them before `out` was written:
/// with shards, that nothing was written; otherwise that the finished parts are kept in
/// OUT.parts for --resume. Writes it to `err` and returns the exit status, 128 + signal.
int report_interrupted(std::ostream& err, const std::string& out, bool sharded);

}  // namespace sco::cli
