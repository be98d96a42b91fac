// sim/cli/limits.cpp: a run with per-run records that cannot possibly fit in the free space
// of the output's folder is refused up front with the numbers in the message; one that can,
// a summary-only run, or an output whose folder cannot be read is let through.
#include "sim/cli/limits.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "sim/cli/app.h"

using namespace sco;
namespace fs = std::filesystem;

namespace {

// The baseline's shape, roughly: 10 summits, 12 proposals, 8 agents, 5 dimensions.
const core::RecordShape kShape{/*periods=*/10,      /*proposals=*/12, /*agents=*/8,
                               /*dims=*/5,          /*pairs=*/28,
                               /*random_params=*/20};

std::string refusal(std::int64_t runs, bool summary_only = false,
                    const std::string& out = (fs::temp_directory_path() / "out.h5").string()) {
    try {
        cli::check_disk("run", out, kShape, runs, summary_only, false);
    } catch (const cli::UsageError& e) {
        return e.what();
    }
    return "";
}

TEST(Limits, ARunThatFitsIsLetThrough) {
    EXPECT_EQ(refusal(10), "");
}

TEST(Limits, ARunThatCannotFitIsRefusedWithTheNumbersAndTheWayOut) {
    // An eighth of record_bytes a run: enough runs to need more than any disk has.
    const std::int64_t runs = std::numeric_limits<std::int64_t>::max() / 4;
    const std::string m = refusal(runs);
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m.rfind("run: " + std::to_string(runs) + " runs need at least ", 0), 0u) << m;
    EXPECT_NE(m.find(" GB are free in " + fs::temp_directory_path().string()), std::string::npos)
        << m;
    EXPECT_NE(m.find("use --summary-only"), std::string::npos) << m;
}

TEST(Limits, SummaryOnlyRunsAndUnreadableFoldersAreNotChecked) {
    const std::int64_t runs = std::numeric_limits<std::int64_t>::max() / 4;
    EXPECT_EQ(refusal(runs, /*summary_only=*/true), "");
    EXPECT_EQ(refusal(runs, false, "/nonexistent-folder-of-sco-sim/out.h5"), "");
}

TEST(Limits, TheThresholdIsAnEighthOfTheUncompressedSize) {
    // Wide margins (0.6x and 1.6x the threshold): other processes may write meanwhile.
    const double per_run = static_cast<double>(core::record_bytes(kShape, false)) / 8.0;
    const auto free = fs::space(fs::temp_directory_path()).available;
    const auto fits = static_cast<std::int64_t>(static_cast<double>(free) / per_run * 0.6);
    const auto does_not = static_cast<std::int64_t>(static_cast<double>(free) / per_run * 1.6) + 1;
    EXPECT_EQ(refusal(fits), "");
    EXPECT_NE(refusal(does_not), "");
}

}  // namespace
