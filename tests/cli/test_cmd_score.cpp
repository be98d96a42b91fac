// sim/cli/cmd_score.cpp in process: `score` resolves an events file against one point of a
// results file and prints the scores (or JSON); a sweep needs --point.
#include <nlohmann/json.hpp>

#include "capture.h"
#include "sim/cli/app.h"

using sco::testing::capture;

namespace sco::cli {
namespace {

class CmdScore : public sco::testing::CliTest {
  protected:
    std::string run() { return write_run("r.h5", 5); }
};

TEST_F(CmdScore, ScoresEveryObservationOfTheEvents) {
    const std::string file = run();
    const auto c = capture([&] { return cmd_score({file, events()}); });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_NE(c.out.find("3 events, 10 binary observations"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("model probability over 5 runs"), std::string::npos) << c.out;
}

TEST_F(CmdScore, JsonNamesItsFormatAndTheObservations) {
    const std::string file = run();
    const auto c = capture([&] { return cmd_score({file, events(), "--json"}); });
    EXPECT_EQ(c.status, kExitOk);
    const auto j = nlohmann::json::parse(c.out);
    EXPECT_TRUE(j.contains("format"));
    EXPECT_EQ(c.out.find('\n'), c.out.size() - 1);  // one line
}

TEST_F(CmdScore, ASweepWithoutPointAndBadOptionsAreUsageErrors) {
    const std::string sweep = path("s.h5");
    capture([&] { return cmd_sweep(sweep_args(sweep, "0.2,0.8", 3), "sweep"); });
    try {
        capture([&] { return cmd_score({sweep, events()}); });
        FAIL() << "no error";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--point"), std::string::npos) << e.what();
    }
    EXPECT_EQ(capture([&] {
                  return cmd_score({sweep, events(), "--point", "1"});
              }).status,
              kExitOk);
    EXPECT_THROW(cmd_score({sweep, events(), "--point", "2"}), UsageError);
    EXPECT_THROW(cmd_score({sweep, events(), "--point", "0", "--clip", "0.5"}), UsageError);
    EXPECT_THROW(cmd_score({sweep, events(), "--point", "0", "--bins", "0"}), UsageError);
}

}  // namespace
}  // namespace sco::cli
