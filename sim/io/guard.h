#pragma once
// Reading untrusted HDF5 files so that the process survives them.
//
// libhdf5 1.10 can crash (SIGSEGV), loop forever or allocate gigabytes on a crafted or
// damaged file (docs/robustness.md, section 2): inside code sco-sim cannot check first,
// such as the global heap of variable-length strings (format 1) or a corrupt B-tree or
// object header. So every results or calibration file a command reads is first read in
// a forked child process that does the same reads; only if the child finishes normally
// does the process read the file itself. A child that dies by a signal, exceeds the time
// limit or runs out of memory becomes an ordinary "not a usable file" error.
#include <functional>
#include <string>

namespace sco::io {

/// How a guarded check ended.
struct ChildOutcome {
    enum class Kind { Exited, Crashed, TimedOut } kind = Kind::Exited;
    int code = 0;         ///< Exited: the child's exit status (what `body` returned)
    std::string message;  ///< Exited: what the body wrote to `message`; otherwise why
};

/// Runs body(message) in a forked child process and waits for it, at most `timeout_s`
/// seconds (then the child is killed). The child's exit status is the body's return value
/// (0..120); an exception escaping the body gives 121 with its what() as the message.
/// The child's address space is limited to the parent's plus `extra_memory_bytes` (not in
/// sanitizer builds). Nothing the child does reaches the parent but the message and the
/// exit status; the child exits with _exit (no atexit handlers, no flushed streams).
ChildOutcome run_in_child(const std::function<int(std::string& message)>& body, double timeout_s,
                          std::size_t extra_memory_bytes);

/// Seconds a guarded read of `path` may take: SCO_SIM_READ_TIMEOUT if set (a positive
/// number), else 60 s plus 1 s per 20 MB of the file.
double read_timeout_for(const std::string& path);

/// Runs `check` (which reads `path` and throws BadResults if it is not usable) in a
/// child process first; throws BadResults(path, why) if it refused the file, crashed,
/// timed out or ran out of memory. Guarding is skipped when SCO_SIM_READ_UNGUARDED=1
/// (for debugging with gdb, and in the fuzz targets, which call the readers directly).
void check_in_child(const std::string& path, const std::function<void()>& check);

}  // namespace sco::io
