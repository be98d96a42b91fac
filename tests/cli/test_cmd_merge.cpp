// sim/cli/cmd_merge.cpp in process: `merge` joins the shards of a sweep into the file a
// whole sweep writes; missing points are io::MergeError and nothing is written.
#include <filesystem>

#include "capture.h"
#include "sim/cli/app.h"
#include "sim/io/merge.h"
#include "sim/io/results_reader.h"

namespace fs = std::filesystem;
using sco::testing::capture;

namespace sco::cli {
namespace {

class CmdMerge : public sco::testing::CliTest {
  protected:
    void sweep(const std::string& out, const std::string& shard) {
        auto args = sweep_args(out, "0.2,0.5,0.8", 4);
        if (!shard.empty()) {
            args.push_back("--shard");
            args.push_back(shard);
        }
        ASSERT_EQ(capture([&] { return cmd_sweep(args, "sweep"); }).status, kExitOk);
    }
};

TEST_F(CmdMerge, TheMergedShardsAreTheWholeSweep) {
    sweep(path("whole.h5"), "");
    sweep(path("s1.h5"), "1/2");
    sweep(path("s2.h5"), "2/2");
    const auto c = capture([&] {
        return cmd_merge({path("s2.h5"), path("s1.h5"), "-o", path("m.h5")}, "sco-sim merge");
    });
    EXPECT_EQ(c.status, kExitOk);
    const io::Results m = io::read_results(path("m.h5")), w = io::read_results(path("whole.h5"));
    EXPECT_EQ(m.points, 3);
    EXPECT_EQ(m.first_point, 0);
    EXPECT_TRUE(m.summaries == w.summaries);
    EXPECT_EQ(m.factor_values, w.factor_values);
    EXPECT_EQ(m.provenance.command_line, "sco-sim merge");
}

TEST_F(CmdMerge, AMissingShardIsAMergeErrorAndNothingIsWritten) {
    sweep(path("s1.h5"), "1/2");
    EXPECT_THROW(capture([&] {
                     return cmd_merge({path("s1.h5"), "-o", path("m.h5")}, "m");
                 }),
                 io::MergeError);
    EXPECT_FALSE(fs::exists(path("m.h5")));
}

TEST_F(CmdMerge, NoInputOrNoOutputIsAUsageError) {
    sweep(path("s1.h5"), "1/2");
    EXPECT_THROW(capture([&] { return cmd_merge({"-o", path("m.h5")}, "m"); }), UsageError);
    EXPECT_THROW(capture([&] { return cmd_merge({path("s1.h5")}, "m"); }), UsageError);
    EXPECT_FALSE(fs::exists(path("m.h5")));
}

}  // namespace
}  // namespace sco::cli
