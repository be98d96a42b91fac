// sim/cli/cmd_sweep.cpp in process: `sweep` turns --vary into a design, runs its slice
// (--shard K/N) through experiment/sweep with io::FileSweepStore and writes one results
// file whose points are the design's.
#include <filesystem>

#include "capture.h"
#include "sim/cli/app.h"
#include "sim/io/results_reader.h"

namespace fs = std::filesystem;
using sco::testing::capture;

namespace sco::cli {
namespace {

class CmdSweep : public sco::testing::CliTest {
  protected:
    int sweep(const std::string& out, std::vector<std::string> extra = {}) {
        auto args = sweep_args(out, "0.2,0.5,0.8", 4);
        args.insert(args.end(), extra.begin(), extra.end());
        return capture([&] { return cmd_sweep(args, "sco-sim sweep (test)"); }).status;
    }
};

TEST_F(CmdSweep, AGridWritesOnePointPerLevel) {
    const std::string out = path("s.h5");
    ASSERT_EQ(sweep(out), kExitOk);
    const io::Results r = io::read_results(out);
    EXPECT_EQ(r.design, "grid");
    EXPECT_EQ(r.points, 3);
    EXPECT_EQ(r.total_points, 3);
    EXPECT_EQ(r.runs, 12);
    ASSERT_EQ(r.factors, (std::vector<std::string>{"dynamics.threat_weight"}));
    ASSERT_EQ(r.factor_values.size(), 3u);
    EXPECT_DOUBLE_EQ(r.factor_values[0][0], 0.2);
    EXPECT_DOUBLE_EQ(r.factor_values[2][0], 0.8);
    EXPECT_FALSE(r.sweep_id.empty());
    EXPECT_FALSE(fs::exists(out + ".parts"));  // the parts are merged and removed
}

TEST_F(CmdSweep, ShardsAreSlicesOfTheSameSweep) {
    ASSERT_EQ(sweep(path("a.h5"), {"--shard", "1/2"}), kExitOk);
    ASSERT_EQ(sweep(path("b.h5"), {"--shard", "2/2"}), kExitOk);
    const io::Results a = io::read_results(path("a.h5")), b = io::read_results(path("b.h5"));
    EXPECT_EQ(a.sweep_id, b.sweep_id);
    EXPECT_EQ(a.total_points, 3);
    EXPECT_EQ(a.first_point, 0);
    EXPECT_EQ(b.first_point, a.points);
    EXPECT_EQ(a.points + b.points, 3);
}

TEST_F(CmdSweep, BadVaryAndShardAreUsageErrors) {
    EXPECT_THROW(sweep(path("x.h5"), {"--shard", "3/2"}), UsageError);
    EXPECT_THROW(capture([&] {
                     return cmd_sweep({small(), "-o", path("y.h5"), "-q"}, "no factor");
                 }),
                 UsageError);
    EXPECT_FALSE(fs::exists(path("x.h5")));
    EXPECT_FALSE(fs::exists(path("y.h5")));
}

}  // namespace
}  // namespace sco::cli
