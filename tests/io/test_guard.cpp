// sim/io/guard: a body run in a child process reports its exit status and message; a
// crash, a hang or an exhausted address space in the child becomes an outcome, never the
// parent's fate; check_in_child turns every failure into BadResults naming the file.
#include "sim/io/guard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <stdexcept>
#include <vector>

#include "sim/io/errors.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;

/// Sets an environment variable for the scope of one test.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old, had_ = true;
        if (value)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (had_)
            ::setenv(name_, old_.c_str(), 1);
        else
            ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const char* name_;
    std::string old_;
    bool had_ = false;
};

TEST(RunInChild, ReturnsTheBodysStatusAndMessage) {
    const ChildOutcome o = run_in_child(
        [](std::string& m) {
            m = "hello from the child";
            return 7;
        },
        30, 0);
    EXPECT_EQ(o.kind, ChildOutcome::Kind::Exited);
    EXPECT_EQ(o.code, 7);
    EXPECT_EQ(o.message, "hello from the child");
}

TEST(RunInChild, TheChildCannotChangeTheParent) {
    int value = 1;
    const ChildOutcome o = run_in_child(
        [&](std::string&) {
            value = 2;
            return 0;
        },
        30, 0);
    EXPECT_EQ(o.kind, ChildOutcome::Kind::Exited);
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(value, 1);
}

TEST(RunInChild, AStatusOutOfRangeBecomes120) {
    EXPECT_EQ(run_in_child([](std::string&) { return 200; }, 30, 0).code, 120);
    EXPECT_EQ(run_in_child([](std::string&) { return -3; }, 30, 0).code, 120);
}

TEST(RunInChild, AnEscapingExceptionGives121WithItsMessage) {
    const ChildOutcome o = run_in_child(
        [](std::string&) -> int { throw std::runtime_error("dataset /x is missing"); }, 30, 0);
    EXPECT_EQ(o.kind, ChildOutcome::Kind::Exited);
    EXPECT_EQ(o.code, 121);
    EXPECT_EQ(o.message, "dataset /x is missing");
    const ChildOutcome b = run_in_child([](std::string&) -> int { throw std::bad_alloc(); }, 30, 0);
    EXPECT_EQ(b.code, 121);
    EXPECT_NE(b.message.find("out of memory"), std::string::npos) << b.message;
}

// A segmentation fault with the default action, as libhdf5's crashes are in a Release
// build (a sanitizer's own SIGSEGV handler would turn it into exit status 1).
void crash() {
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
}

TEST(RunInChild, ACrashIsReportedWithItsSignal) {
    const ChildOutcome o = run_in_child(
        [](std::string&) {
            crash();
            return 0;
        },
        30, 0);
    EXPECT_EQ(o.kind, ChildOutcome::Kind::Crashed);
    EXPECT_EQ(o.code, SIGSEGV);
    EXPECT_NE(o.message.find("killed by signal 11"), std::string::npos) << o.message;
}

TEST(RunInChild, AHangIsKilledAtTheTimeLimit) {
    const ChildOutcome o = run_in_child(
        [](std::string&) {
            for (;;) ::pause();
            return 0;
        },
        0.3, 0);
    EXPECT_EQ(o.kind, ChildOutcome::Kind::TimedOut);
    EXPECT_NE(o.message.find("did not finish"), std::string::npos) << o.message;
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
TEST(RunInChild, TheChildsMemoryIsLimitedBeyondTheParents) {
    // 64 MiB beyond the parent's address space: a 1 GiB allocation must fail in the child.
    const ChildOutcome o = run_in_child(
        [](std::string& m) {
            std::vector<char> big(std::size_t{1} << 30, 'x');
            m = "allocated";
            return big[12345] == 'x' ? 0 : 1;
        },
        30, std::size_t{64} << 20);
    EXPECT_EQ(o.kind, ChildOutcome::Kind::Exited);
    EXPECT_EQ(o.code, 121);
    EXPECT_NE(o.message.find("out of memory"), std::string::npos) << o.message;
}
#endif

TEST(ReadTimeout, ComesFromTheEnvironmentOrTheFileSize) {
    const fs::path p = fs::temp_directory_path() / ("sco-guard-" + std::to_string(::getpid()));
    {
        std::ofstream out(p, std::ios::binary);
        out << std::string(2'000'000, 'x');
    }
    {
        ScopedEnv env("SCO_SIM_READ_TIMEOUT", nullptr);
        EXPECT_DOUBLE_EQ(read_timeout_for(p.string()), 60.1);
        EXPECT_DOUBLE_EQ(read_timeout_for("/no/such/file"), 60.0);
    }
    {
        ScopedEnv env("SCO_SIM_READ_TIMEOUT", "2.5");
        EXPECT_DOUBLE_EQ(read_timeout_for(p.string()), 2.5);
    }
    for (const char* bad : {"0", "-4", "soon"}) {
        ScopedEnv env("SCO_SIM_READ_TIMEOUT", bad);
        EXPECT_DOUBLE_EQ(read_timeout_for(p.string()), 60.1) << bad;
    }
    fs::remove(p);
}

TEST(CheckInChild, PassesWhenTheCheckPasses) {
    ScopedEnv env("SCO_SIM_READ_UNGUARDED", nullptr);
    EXPECT_NO_THROW(check_in_child("f.h5", [] {}));
}

TEST(CheckInChild, ARefusalKeepsTheChildsProblemAndNamesTheFile) {
    ScopedEnv env("SCO_SIM_READ_UNGUARDED", nullptr);
    try {
        check_in_child("f.h5",
                       [] { throw BadResults("inner", "dataset /summary/raw is missing"); });
        FAIL() << "no exception";
    } catch (const BadResults& e) {
        EXPECT_EQ(e.path, "f.h5");
        EXPECT_EQ(e.problem, "dataset /summary/raw is missing");
    }
}

TEST(CheckInChild, ACrashOrAnotherErrorBecomesBadResults) {
    ScopedEnv env("SCO_SIM_READ_UNGUARDED", nullptr);
    try {
        check_in_child("f.h5", [] { crash(); });
        FAIL() << "no exception";
    } catch (const BadResults& e) {
        EXPECT_EQ(e.path, "f.h5");
        EXPECT_NE(e.problem.find("crashed the HDF5 library"), std::string::npos) << e.problem;
    }
    try {
        check_in_child("g.h5", [] { throw std::runtime_error("boom"); });
        FAIL() << "no exception";
    } catch (const BadResults& e) {
        EXPECT_EQ(e.path, "g.h5");
        EXPECT_EQ(e.problem, "reading it failed: boom (exit status 121)");
    }
}

TEST(CheckInChild, AHangBecomesBadResultsAtTheTimeLimit) {
    ScopedEnv unguarded("SCO_SIM_READ_UNGUARDED", nullptr);
    ScopedEnv timeout("SCO_SIM_READ_TIMEOUT", "0.3");
    try {
        check_in_child("h.h5", [] {
            for (;;) ::pause();
        });
        FAIL() << "no exception";
    } catch (const BadResults& e) {
        EXPECT_EQ(e.path, "h.h5");
        EXPECT_NE(e.problem.find("did not finish within"), std::string::npos) << e.problem;
    }
}

TEST(CheckInChild, UnguardedSkipsTheChild) {
    ScopedEnv env("SCO_SIM_READ_UNGUARDED", "1");
    bool ran = false;
    // Unguarded, the check is not run at all here: the caller reads the file itself next.
    EXPECT_NO_THROW(check_in_child("f.h5", [&] {
        ran = true;
        throw BadResults("f.h5", "refused");
    }));
    EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace sco::io
