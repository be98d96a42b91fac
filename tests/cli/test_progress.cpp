// sim/cli/progress.cpp: the progress line (its text, and what Progress counts; no timing).
#include "sim/cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace sco;

TEST(Progress, LineShowsDoneTotalRateAndTimeLeft) {
    EXPECT_EQ(cli::progress_line(250, 1000, 50.0), "\r  250/1000 runs, 50 runs/s, 15.0 s left   ");
    EXPECT_EQ(cli::progress_line(0, 10, 0.0), "\r  0/10 runs, 0 runs/s, 0.0 s left   ");
}

TEST(Progress, DisabledDrawsNothingAndHasNoHook) {
    std::ostringstream os;
    cli::Progress p(false, 100, os);
    EXPECT_FALSE(p.hook());
    p.advance(10);
    p.end();
    EXPECT_EQ(os.str(), "");
}

TEST(Progress, CountsAcrossPlansAndSkippedParts) {
    std::ostringstream os;
    cli::Progress p(true, 100, os);
    auto hook = p.hook();
    ASSERT_TRUE(hook);
    p.skip(40);  // a resumed part
    hook(5, 30);
    EXPECT_EQ(os.str().rfind("\r  45/100 runs, ", 0), 0u) << os.str();
    p.advance(30);
    os.str("");
    hook(20, 30);
    EXPECT_EQ(os.str().rfind("\r  90/100 runs, ", 0), 0u) << os.str();
    EXPECT_EQ(p.counted(), 70);
    os.str("");
    p.end();
    EXPECT_EQ(os.str(), "\n");
}
