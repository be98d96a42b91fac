#include "sim/io/guard.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>

#include "sim/io/errors.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define SCO_GUARD_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SCO_GUARD_SANITIZED 1
#endif

namespace sco::io {

namespace {

/// The process's virtual size in bytes (0 if unknown).
[[maybe_unused]] std::size_t virtual_size() {
    std::ifstream in("/proc/self/statm");
    std::size_t pages = 0;
    if (!(in >> pages)) return 0;
    const long page = sysconf(_SC_PAGESIZE);
    return pages * static_cast<std::size_t>(page > 0 ? page : 4096);
}

[[noreturn]] void child_main(int fd, const std::function<int(std::string&)>& body,
                             std::size_t extra_memory_bytes) {
#ifndef SCO_GUARD_SANITIZED
    if (extra_memory_bytes > 0) {
        const std::size_t now = virtual_size();
        if (now > 0) {
            rlimit lim{};
            lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(now + extra_memory_bytes);
            (void)setrlimit(RLIMIT_AS, &lim);
        }
    }
#else
    (void)extra_memory_bytes;
#endif
    // What the child prints is not for the user: on a crafted file libhdf5 may crash, and
    // a sanitizer's report of that crash (or libhdf5's own diagnostics) would bury the
    // parent's one-line message. The parent reports the outcome; SCO_SIM_READ_UNGUARDED=1
    // reads in-process, to see such a report.
    if (const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC); null >= 0) {
        (void)::dup2(null, STDERR_FILENO);
        ::close(null);
    }
    int code = 0;
    std::string message;
    try {
        code = body(message);
        if (code < 0 || code > 120) code = 120;
    } catch (const std::bad_alloc&) {
        message = "implausible sizes (out of memory)";
        code = 121;
    } catch (const std::exception& e) {
        message = e.what();
        code = 121;
    } catch (...) {
        message = "unknown error";
        code = 121;
    }
    const char* p = message.data();
    std::size_t left = message.size();
    while (left > 0) {
        const ssize_t w = ::write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        left -= static_cast<std::size_t>(w);
    }
    ::close(fd);
    ::_exit(code);
}

}  // namespace

ChildOutcome run_in_child(const std::function<int(std::string& message)>& body, double timeout_s,
                          std::size_t extra_memory_bytes) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    std::fflush(nullptr);  // nothing buffered is written twice
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error(std::string("cannot start a process: ") + std::strerror(err));
    }
    if (pid == 0) {
        ::close(fds[0]);
        child_main(fds[1], body, extra_memory_bytes);
    }
    ::close(fds[1]);
    using clock = std::chrono::steady_clock;
    const auto deadline =
        clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000.0));
    ChildOutcome out;
    bool timed_out = false, eof = false;
    char buf[4096];
    while (!eof) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (rc < 0 && errno != EINTR) break;
        if (rc <= 0) continue;
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            eof = true;
        } else if (out.message.size() < (std::size_t{1} << 16)) {
            out.message.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fds[0]);
    int status = 0;
    if (timed_out) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        out.kind = ChildOutcome::Kind::TimedOut;
        out.message = "reading it did not finish within " +
                      std::to_string(static_cast<long long>(timeout_s)) +
                      " s (a damaged file can make the HDF5 library loop; SCO_SIM_READ_TIMEOUT "
                      "sets the limit)";
        return out;
    }
    // The pipe closed: the child is exiting (or closed it and hangs; bounded by the deadline).
    for (;;) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) break;
        if (clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            out.kind = ChildOutcome::Kind::TimedOut;
            out.message = "reading it did not finish in time";
            return out;
        }
        ::usleep(2000);
    }
    if (WIFSIGNALED(status)) {
        out.kind = ChildOutcome::Kind::Crashed;
        const int sig = WTERMSIG(status);
        out.code = sig;
        out.message =
            "reading it crashed the HDF5 library (the reading process was killed by "
            "signal " +
            std::to_string(sig) + "): the file is damaged or crafted";
        return out;
    }
    out.kind = ChildOutcome::Kind::Exited;
    out.code = WIFEXITED(status) ? WEXITSTATUS(status) : 125;
    return out;
}

double read_timeout_for(const std::string& path) {
    if (const char* env = std::getenv("SCO_SIM_READ_TIMEOUT")) {
        char* end = nullptr;
        const double v = std::strtod(env, &end);
        if (end != env && v > 0) return v;
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return 60.0 + (ec ? 0.0 : static_cast<double>(size) / 20e6);
}

void check_in_child(const std::string& path, const std::function<void()>& check) {
    if (const char* env = std::getenv("SCO_SIM_READ_UNGUARDED"); env && std::string(env) == "1")
        return;
    // The child may use as much memory as the machine has (at least 2 GiB) beyond the
    // parent's: a legitimate file never needs more; a crafted one fails with bad_alloc.
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    const std::size_t phys = pages > 0 && page > 0
                                 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page)
                                 : 0;
    const std::size_t kExtraMemory = std::max(phys, std::size_t{2} << 30);
    const ChildOutcome o = run_in_child(
        [&](std::string& message) {
            try {
                check();
            } catch (const BadResults& e) {
                message = e.problem;
                return 2;
            }
            return 0;
        },
        read_timeout_for(path), kExtraMemory);
    if (o.kind == ChildOutcome::Kind::Exited && o.code == 0) return;
    if (o.kind == ChildOutcome::Kind::Exited && o.code == 2) throw BadResults(path, o.message);
    if (o.kind == ChildOutcome::Kind::Exited && o.code == 121 &&
        o.message.find("out of memory") != std::string::npos)
        throw BadResults(path, o.message);
    if (o.kind == ChildOutcome::Kind::Exited)
        throw BadResults(path, "reading it failed" +
                                   (o.message.empty() ? std::string() : ": " + o.message) +
                                   " (exit status " + std::to_string(o.code) + ")");
    throw BadResults(path, o.message);
}

}  // namespace sco::io
