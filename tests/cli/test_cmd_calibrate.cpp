// sim/cli/cmd_calibrate.cpp in process: `calibrate` draws points from the priors, scores
// each against the events and writes the calibration file; its option checks are usage
// errors before anything runs.
#include <filesystem>

#include "capture.h"
#include "sim/cli/app.h"
#include "sim/io/calibration_writer.h"

namespace fs = std::filesystem;
using sco::testing::capture;

namespace sco::cli {
namespace {

class CmdCalibrate : public sco::testing::CliTest {
  protected:
    std::vector<std::string> base(const std::string& out) const {
        return {small(),    events(), "--vary", "dynamics.threat_weight=0:2",
                "--points", "10",     "-n",     "4",
                "-j",       "1",      "-o",     out,
                "-q"};
    }
};

TEST_F(CmdCalibrate, RejectionWritesEveryPointAndTheAcceptedShare) {
    const std::string out = path("c.h5");
    const auto c = capture([&] { return cmd_calibrate(base(out), "sco-sim calibrate (test)"); });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_EQ(c.out, "");  // -q
    const io::CalibrationData d = io::read_calibration(out);
    EXPECT_EQ(d.method, "rejection");
    EXPECT_EQ(d.paths, (std::vector<std::string>{"dynamics.threat_weight"}));
    EXPECT_EQ(d.n_points(), 10u);
    EXPECT_EQ(d.replications, 4);
    EXPECT_EQ(d.command_line, "sco-sim calibrate (test)");
    std::int64_t accepted = 0;
    for (auto a : d.accepted) accepted += a;
    EXPECT_EQ(accepted, 1);  // the default quantile 0.1 of 10 points
    for (double t : d.theta) {
        EXPECT_GE(t, 0.0);
        EXPECT_LE(t, 2.0);
    }
}

TEST_F(CmdCalibrate, OptionConflictsAreUsageErrorsAndWriteNothing) {
    const std::string out = path("c.h5");
    auto with = [&](std::vector<std::string> extra) {
        auto a = base(out);
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    EXPECT_THROW(cmd_calibrate(with({"--method", "smc", "--shard", "1/2"}), "x"), UsageError);
    EXPECT_THROW(cmd_calibrate(with({"--method", "annealing"}), "x"), UsageError);
    EXPECT_THROW(cmd_calibrate(with({"--quantile", "0.2", "--tolerance", "0.1"}), "x"), UsageError);
    EXPECT_THROW(cmd_calibrate({small(), events(), "-o", out, "-q"}, "no --vary"), UsageError);
    EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace sco::cli
