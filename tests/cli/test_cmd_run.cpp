// sim/cli/cmd_run.cpp in process: `run` parses its options, runs one point through
// experiment::run_plan into an io::Hdf5Sink, and prints nothing with -q. The binary's
// paths (signals, exit statuses) are tests/cli/test_app.cpp's and tests/python's.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "capture.h"
#include "sim/cli/app.h"
#include "sim/io/errors.h"
#include "sim/io/results_reader.h"

namespace fs = std::filesystem;
using sco::testing::capture;

namespace sco::cli {
namespace {

class CmdRun : public sco::testing::CliTest {};

std::string bytes_of(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

TEST_F(CmdRun, WritesTheRunsItWasAskedForWithItsCommandLine) {
    const std::string out = path("r.h5");
    const auto c = capture([&] {
        return cmd_run({small(), "-n", "12", "-j", "1", "--seed", "7", "-o", out, "-q"},
                       "sco-sim run (test)");
    });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_EQ(c.out, "");  // -q: nothing but errors
    EXPECT_EQ(c.err, "");
    const io::Results r = io::read_results(out);
    EXPECT_EQ(r.replications, 12);
    EXPECT_EQ(r.runs, 12);
    EXPECT_EQ(r.points, 1);
    EXPECT_EQ(r.seed, 7u);
    EXPECT_EQ(r.provenance.command_line, "sco-sim run (test)");
    ASSERT_EQ(r.summaries.size(), 1u);
    EXPECT_EQ(r.summaries[0].runs, 12);
    EXPECT_FALSE(r.summary_only);
}

TEST_F(CmdRun, AnExistingOutputIsRefusedAndKeptUnlessForced) {
    const std::string out = path("r.h5");
    capture([&] { return cmd_run({small(), "-n", "5", "-j", "1", "-o", out, "-q"}, "first"); });
    const std::string before = bytes_of(out);
    ASSERT_FALSE(before.empty());
    EXPECT_THROW(capture([&] {
                     return cmd_run({small(), "-n", "6", "-j", "1", "-o", out, "-q"}, "second");
                 }),
                 io::OutputExists);
    EXPECT_EQ(bytes_of(out), before);
    const auto c = capture([&] {
        return cmd_run({small(), "-n", "6", "-j", "1", "-o", out, "-q", "--force"}, "third");
    });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_EQ(io::read_results(out).runs, 6);
}

TEST_F(CmdRun, ReplayPrintsOneRunAndWritesNothing) {
    const std::string out = path("never.h5");
    const auto c = capture([&] {
        return cmd_run({small(), "--replay", "3", "-o", out}, "replay");
    });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_NE(c.out.find("2014"), std::string::npos) << c.out;  // the first summit's year
    EXPECT_FALSE(fs::exists(out));
    EXPECT_TRUE(fs::is_empty(dir));  // no temporary file either
}

TEST_F(CmdRun, OutOfRangeOptionsAreUsageErrorsBeforeAnyRun) {
    const std::string out = path("r.h5");
    EXPECT_THROW(cmd_run({small(), "-n", "0", "-o", out}, "x"), UsageError);
    EXPECT_THROW(cmd_run({small(), "--explain", "-o", out}, "x"), UsageError);
    EXPECT_THROW(cmd_run({small(), "--tension-histograms", "some", "-o", out}, "x"), UsageError);
    EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace sco::cli
