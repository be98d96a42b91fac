// sim/scenario/text: the error value (ScenarioError's "FILE:LINE:COL: KEY: MESSAGE"), the
// parameter listing of `sco-sim params`, and the unknown-path message of --set and sweeps.
// did_you_mean and suggestion_text, also in text.cpp, are tested in test_did_you_mean.cpp.
#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include "sim/scenario/loader.h"
#include "sim/scenario/reader.h"

namespace sco::scenario {
namespace {

TEST(ScenarioError, WhatJoinsFilePositionKeyAndMessage) {
    const ScenarioError e("s.yaml", 41, 5, "agents[UZB].sovreignty", "unknown key");
    EXPECT_STREQ(e.what(), "s.yaml:41:5: agents[UZB].sovreignty: unknown key");
    EXPECT_EQ(e.file, "s.yaml");
    EXPECT_EQ(e.line, 41);
    EXPECT_EQ(e.column, 5);
    EXPECT_EQ(e.key, "agents[UZB].sovreignty");
    EXPECT_EQ(e.message, "unknown key");
}

TEST(ScenarioError, AnUnknownPositionOrAnEmptyKeyIsLeftOut) {
    EXPECT_STREQ(ScenarioError("s.yaml", 0, 0, "k", "m").what(), "s.yaml: k: m");
    EXPECT_STREQ(ScenarioError("s.yaml", 3, 1, "", "m").what(), "s.yaml:3:1: m");
    EXPECT_STREQ(ScenarioError("--set", 0, 0, "", "m").what(), "--set: m");
    // Line 0 drops the column too, whatever it is.
    EXPECT_STREQ(ScenarioError("s.yaml", 0, 7, "", "m").what(), "s.yaml: m");
}

TEST(FormatParams, OneAlignedLinePerParameterInTableOrder) {
    core::ModelSpec s;
    s.params.add({"dynamics.rounds",
                  core::Distribution::fixed(3),
                  {1, 20},
                  core::Field::Dynamics,
                  0,
                  -1,
                  true});
    s.params.add({"agents.UZB.sovereignty",
                  core::Distribution::uniform(0.6, 0.9),
                  {0, 1},
                  core::Field::Sovereignty,
                  0,
                  -1,
                  false});
    s.params.add(
        {"x",
         core::Distribution::normal(0, 1),
         {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()},
         core::Field::Dynamics,
         1,
         -1,
         false});
    const std::string out = format_params(s);
    std::istringstream in(out);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    ASSERT_EQ(lines.size(), 3u) << out;
    EXPECT_EQ(lines[0].rfind("dynamics.rounds", 0), 0u);
    EXPECT_EQ(lines[1].rfind("agents.UZB.sovereignty", 0), 0u);
    EXPECT_EQ(lines[2].rfind("x ", 0), 0u);
    // The value column starts at the same place on every line: two blanks after the
    // longest path.
    const std::size_t col = std::string("agents.UZB.sovereignty").size() + 2;
    for (const auto& l : lines) {
        EXPECT_NE(l[col], ' ') << l;
        EXPECT_EQ(l.substr(col - 2, 2), "  ") << l;
    }
    const std::string uniform = core::describe(core::Distribution::uniform(0.6, 0.9));
    EXPECT_EQ(lines[1].substr(col, uniform.size()), uniform) << lines[1];
    EXPECT_NE(lines[0].find("[1, 20]"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("(integer)"), std::string::npos) << "an integer parameter says so";
    EXPECT_EQ(lines[1].find("(integer)"), std::string::npos);
    EXPECT_NE(lines[2].find("[-inf, inf]"), std::string::npos) << lines[2];
    // The range column is aligned too.
    EXPECT_EQ(lines[0].find('['), lines[1].find('['));
    EXPECT_EQ(lines[1].find('['), lines[2].find('['));
}

TEST(FormatParams, AnEmptyTableIsEmptyText) {
    EXPECT_EQ(format_params(core::ModelSpec{}), "");
}

TEST(UnknownPathMessage, SuggestsTheClosestPath) {
    const std::vector<std::string> paths = {"agents.UZB.sovereignty", "dynamics.rounds"};
    EXPECT_EQ(detail::unknown_path_message("agents.UZB.sovereingty", paths),
              "unknown parameter path 'agents.UZB.sovereingty'; did you mean "
              "'agents.UZB.sovereignty'?");
    EXPECT_EQ(detail::unknown_path_message("nothing.like.it", paths),
              "unknown parameter path 'nothing.like.it'; `sco-sim params SCENARIO` lists every "
              "path");
}

TEST(UnknownPathMessage, RelationPairsInTheWrongOrderOrNotListed) {
    const std::vector<std::string> paths = {"relations.tension.TJK-UZB",
                                            "relations.affinity.CHN-RUS"};
    EXPECT_EQ(detail::unknown_path_message("relations.tension.UZB-TJK", paths),
              "unknown parameter path 'relations.tension.UZB-TJK'; did you mean "
              "'relations.tension.TJK-UZB'? (the two ids go in alphabetical order)");
    EXPECT_EQ(detail::unknown_path_message("relations.affinity.RUS-CHN", paths),
              "unknown parameter path 'relations.affinity.RUS-CHN'; did you mean "
              "'relations.affinity.CHN-RUS'? (the two ids go in alphabetical order)");
    EXPECT_EQ(detail::unknown_path_message("relations.tension.IND-PAK", paths),
              "unknown parameter path 'relations.tension.IND-PAK'; only pairs listed under "
              "relations have a parameter");
    // A pair one typo away gets the typo's suggestion.
    EXPECT_EQ(detail::unknown_path_message("relations.tension.TJK-UZX", paths),
              "unknown parameter path 'relations.tension.TJK-UZX'; did you mean "
              "'relations.tension.TJK-UZB'?");
}

}  // namespace
}  // namespace sco::scenario
