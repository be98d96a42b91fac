// sim/cli/signals.cpp: while a SignalGuard lives, SIGINT and SIGTERM set the stop flag
// (and record which signal) instead of killing the process; after it, the previous
// handlers are back. The flag stays set once raised until the next guard starts (a
// command stops once; the next command in the same process starts unstopped).
#include "sim/cli/signals.h"

#include <gtest/gtest.h>

#include <csignal>
#include <sstream>

using namespace sco;

namespace {

int g_previous_calls = 0;
extern "C" void previous_handler(int) {
    ++g_previous_calls;
}

/// Installs `handler` for `sig` for the test's duration (the handler a guard must give
/// back), and restores the one before it at the end.
class PreviousHandler {
  public:
    PreviousHandler(int sig, void (*handler)(int)) : sig_(sig) {
        struct sigaction mine {};
        mine.sa_handler = handler;
        sigemptyset(&mine.sa_mask);
        ok_ = sigaction(sig, &mine, &before_) == 0;
    }
    ~PreviousHandler() { sigaction(sig_, &before_, nullptr); }
    PreviousHandler(const PreviousHandler&) = delete;
    PreviousHandler& operator=(const PreviousHandler&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }

  private:
    int sig_;
    struct sigaction before_ {};
    bool ok_ = false;
};

TEST(Signals, AGuardTurnsSigtermIntoTheStopFlagAndRestoresThePreviousHandler) {
    const PreviousHandler previous(SIGTERM, previous_handler);
    ASSERT_TRUE(previous.ok());
    g_previous_calls = 0;
    {
        cli::SignalGuard guard;
        ASSERT_NE(cli::stop_flag(), nullptr);
        ASSERT_EQ(std::raise(SIGTERM), 0);  // handled synchronously in this thread
        EXPECT_TRUE(cli::stop_flag()->load());
        EXPECT_EQ(cli::caught_signal(), SIGTERM);
        EXPECT_EQ(g_previous_calls, 0);
    }
    ASSERT_EQ(std::raise(SIGTERM), 0);
    EXPECT_EQ(g_previous_calls, 1);  // the guard gave the handler back
}

// A test binary runs many commands in one process: a signal one of them caught must not
// stop the next (before, test_cli's Cmd* tests failed with "interrupted" whenever the
// Signals tests ran first, e.g. under --gtest_shuffle).
TEST(Signals, ANewGuardStartsWithTheStopFlagDown) {
    const PreviousHandler previous(SIGTERM, SIG_IGN);
    ASSERT_TRUE(previous.ok());
    {
        cli::SignalGuard guard;
        ASSERT_EQ(std::raise(SIGTERM), 0);
        EXPECT_TRUE(cli::stop_flag()->load());
    }
    EXPECT_TRUE(cli::stop_flag()->load());  // after the guard, until the next one starts
    {
        cli::SignalGuard guard;
        EXPECT_FALSE(cli::stop_flag()->load());
        EXPECT_EQ(cli::caught_signal(), SIGINT);  // none recorded yet: the default
    }
}

TEST(Signals, SigintIsCaughtToo) {
    const PreviousHandler previous(SIGINT, SIG_IGN);
    ASSERT_TRUE(previous.ok());
    {
        cli::SignalGuard guard;
        ASSERT_EQ(std::raise(SIGINT), 0);
        EXPECT_TRUE(cli::stop_flag()->load());
        EXPECT_EQ(cli::caught_signal(), SIGINT);
    }
    ASSERT_EQ(std::raise(SIGINT), 0);  // ignored again: the process is still here
}

}  // namespace

TEST(Signals, AnInterruptedSweepSaysWhereItsPartsAreOrThatNothingWasWritten) {
    std::ostringstream kept, sharded;
    const int status = sco::cli::report_interrupted(kept, "out.h5", false);
    EXPECT_GT(status, 128);  // 128 + the signal that stopped it (SIGINT if none was caught)
    EXPECT_EQ(kept.str(),
              "sco-sim: interrupted; finished parts are kept in out.h5.parts; run the same "
              "command with --resume to finish\n");
    EXPECT_EQ(sco::cli::report_interrupted(sharded, "out.h5", true), status);
    EXPECT_EQ(sharded.str(), "sco-sim: interrupted; nothing written to out.h5\n");
}
