// sim/cli/cmd_check.cpp in process: `check` validates and describes a scenario, `params`
// lists every parameter path; a bad scenario is the loader's ScenarioError, which names
// file:line:column (cli::main turns it into exit status 2).
#include <filesystem>
#include <fstream>

#include "capture.h"
#include "sim/cli/app.h"
#include "sim/scenario/loader.h"

using sco::testing::capture;

namespace sco::cli {
namespace {

class CmdCheck : public sco::testing::CliTest {};

TEST_F(CmdCheck, AValidScenarioIsDescribed) {
    const auto c = capture([&] { return cmd_check({small()}); });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_NE(c.out.find(small() + ": OK"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("summits     4 (2014-2017)"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("agents      4"), std::string::npos) << c.out;
}

TEST_F(CmdCheck, AMisspelledKeyIsAScenarioErrorWithItsPosition) {
    std::ifstream in(small());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("\nagents:");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 8, "\nagentz:");
    const std::string bad = path("bad.yaml");
    std::ofstream(bad) << text;
    try {
        capture([&] { return cmd_check({bad}); });
        FAIL() << "no error";
    } catch (const scenario::ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(bad + ":", 0), 0u) << e.what();
        EXPECT_NE(std::string(e.what()).find("agentz"), std::string::npos) << e.what();
    }
}

TEST_F(CmdCheck, ParamsListsEveryPathWithItsRange) {
    const auto c = capture([&] { return cmd_params({small()}); });
    EXPECT_EQ(c.status, kExitOk);
    EXPECT_NE(c.out.find("dynamics.threat_weight"), std::string::npos);
    EXPECT_NE(c.out.find("dynamics.rounds"), std::string::npos);
    EXPECT_NE(c.out.find("(integer)"), std::string::npos);
}

TEST_F(CmdCheck, MissingScenarioArgumentIsAUsageError) {
    EXPECT_THROW(cmd_check({}), UsageError);
    EXPECT_THROW(cmd_params({}), UsageError);
}

}  // namespace
}  // namespace sco::cli
