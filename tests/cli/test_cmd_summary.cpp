// sim/cli/cmd_summary.cpp in process: `summary` prints the outcome table (or JSON) of one
// point of a results file; --point outside the file is a usage error naming the range.
#include <nlohmann/json.hpp>

#include "capture.h"
#include "sim/cli/app.h"
#include "sim/io/errors.h"

using sco::testing::capture;

namespace sco::cli {
namespace {

class CmdSummary : public sco::testing::CliTest {
  protected:
    std::string results() { return write_run("r.h5", 5); }
};

TEST_F(CmdSummary, PrintsTheTableOfThePoint) {
    const std::string file = results();
    const auto c = capture([&] { return cmd_summary({file}); });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_EQ(c.out.rfind("Runs: 5\n", 0), 0u) << c.out;
    EXPECT_NE(c.out.find("peace_mission_uzb"), std::string::npos);
    EXPECT_NE(c.out.find("counter_terrorism_declaration"), std::string::npos);
}

TEST_F(CmdSummary, JsonIsOneObjectWithTheRuns) {
    const std::string file = results();
    const auto c = capture([&] { return cmd_summary({file, "--json"}); });
    EXPECT_EQ(c.status, kExitOk);
    const auto j = nlohmann::json::parse(c.out);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.at("runs").get<int>(), 5);
}

TEST_F(CmdSummary, APointOutsideTheFileIsAUsageErrorNamingTheRange) {
    const std::string file = results();
    try {
        capture([&] { return cmd_summary({file, "--point", "1"}); });
        FAIL() << "no error";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("between 0 and 0"), std::string::npos) << e.what();
    }
}

TEST_F(CmdSummary, AFileThatIsNotResultsIsBadResults) {
    EXPECT_THROW(capture([&] { return cmd_summary({small()}); }), io::BadResults);
    EXPECT_THROW(capture([&] { return cmd_summary({path("missing.h5")}); }), io::BadResults);
}

}  // namespace
}  // namespace sco::cli
