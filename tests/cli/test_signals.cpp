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

TEST(Signals, AGuardTurnsSigtermIntoTheStopFlagAndRestoresThePreviousHandler) {
    struct sigaction mine {};
    mine.sa_handler = previous_handler;
    sigemptyset(&mine.sa_mask);
    struct sigaction before {};
    ASSERT_EQ(sigaction(SIGTERM, &mine, &before), 0);
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
    sigaction(SIGTERM, &before, nullptr);
}

// A test binary runs many commands in one process: a signal one of them caught must not
// stop the next (before, test_cli's Cmd* tests failed with "interrupted" whenever the
// Signals tests ran first, e.g. under --gtest_shuffle).
TEST(Signals, ANewGuardStartsWithTheStopFlagDown) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    struct sigaction before {};
    ASSERT_EQ(sigaction(SIGTERM, &ignore, &before), 0);
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
    sigaction(SIGTERM, &before, nullptr);
}

TEST(Signals, SigintIsCaughtToo) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    struct sigaction before {};
    ASSERT_EQ(sigaction(SIGINT, &ignore, &before), 0);
    {
        cli::SignalGuard guard;
        ASSERT_EQ(std::raise(SIGINT), 0);
        EXPECT_TRUE(cli::stop_flag()->load());
        EXPECT_EQ(cli::caught_signal(), SIGINT);
    }
    ASSERT_EQ(std::raise(SIGINT), 0);  // ignored again: the process is still here
    sigaction(SIGINT, &before, nullptr);
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
