#include <gtest/gtest.h>

#include <sstream>

#include "scenario_fixture.h"
#include "sim/scenario/loader.h"

namespace sco::scenario {
namespace {

using testing::kBase;

core::ModelSpec base_spec() {
    return load_string(kBase, "t.yaml").spec;
}

ScenarioError set_error(core::ModelSpec& s, const std::string& assignment) {
    try {
        apply_set(s, assignment);
    } catch (const ScenarioError& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "non-ScenarioError escaped: " << e.what();
        return ScenarioError("", 0, 0, "", "");
    }
    ADD_FAILURE() << "no error for " << assignment;
    return ScenarioError("", 0, 0, "", "");
}

TEST(ApplySet, FixedValue) {
    core::ModelSpec s = base_spec();
    apply_set(s, "agents.UZB.sovereignty=0.4");
    EXPECT_EQ(s.params[s.params.find("agents.UZB.sovereignty")].dist,
              core::Distribution::fixed(0.4));
}

TEST(ApplySet, DistributionAndSpaces) {
    core::ModelSpec s = base_spec();
    apply_set(s, " relations.tension.TJK-UZB = {beta: [2, 3]} ");
    EXPECT_EQ(s.params[s.params.find("relations.tension.TJK-UZB")].dist,
              core::Distribution::beta(2, 3));
    apply_set(s, "dynamics.rounds={uniform: [2, 6]}");
    EXPECT_EQ(s.params[s.params.find("dynamics.rounds")].dist, core::Distribution::uniform(2, 6));
    apply_set(s, "dynamics.implementation_lag=1000");
    EXPECT_EQ(s.params[s.params.find("dynamics.implementation_lag")].dist,
              core::Distribution::fixed(1000));
}

TEST(ApplySet, ErrorsNameSetAndThePath) {
    core::ModelSpec s = base_spec();
    const core::ModelSpec before = base_spec();

    ScenarioError e = set_error(s, "agents.UZB.sovereingty=0.4");
    EXPECT_EQ(e.file, "--set");
    EXPECT_EQ(e.line, 0);
    EXPECT_EQ(e.key, "agents.UZB.sovereingty");
    EXPECT_NE(e.message.find("did you mean 'agents.UZB.sovereignty'?"), std::string::npos)
        << e.message;
    EXPECT_EQ(std::string(e.what()).rfind("--set: agents.UZB.sovereingty: unknown parameter", 0),
              0u)
        << e.what();

    e = set_error(s, "agents.UZB.sovereignty=1.4");
    EXPECT_EQ(e.key, "agents.UZB.sovereignty");
    EXPECT_NE(e.message.find("outside the range [0, 1]"), std::string::npos) << e.message;

    e = set_error(s, "agents.UZB.sovereignty={beta: [2,");
    EXPECT_NE(e.message.find("cannot read the value"), std::string::npos) << e.message;

    e = set_error(s, "agents.UZB.sovereignty={gamma: [2, 3]}");
    EXPECT_NE(e.message.find("unknown key 'gamma'"), std::string::npos) << e.message;

    e = set_error(s, "agents.UZB.sovereignty=high");
    EXPECT_NE(e.message.find("expected a number"), std::string::npos) << e.message;

    e = set_error(s, "agents.UZB.sovereignty=");
    EXPECT_NE(e.message.find("empty"), std::string::npos) << e.message;

    e = set_error(s, "agents.UZB.sovereignty");
    EXPECT_NE(e.message.find("expected PATH=VALUE"), std::string::npos) << e.message;

    e = set_error(s, "=0.3");
    EXPECT_NE(e.message.find("path before '=' is empty"), std::string::npos) << e.message;

    e = set_error(s, "dynamics.rounds=2.5");
    EXPECT_NE(e.message.find("whole number"), std::string::npos) << e.message;

    e = set_error(s, "relations.tension.UZB-TJK=0.3");
    EXPECT_NE(e.message.find("'relations.tension.TJK-UZB'"), std::string::npos) << e.message;

    e = set_error(s, "agents.UZB.sovereignty=.nan");
    EXPECT_NE(e.message.find("finite"), std::string::npos) << e.message;

    // Nothing was changed by the failed assignments.
    for (int i = 0; i < s.params.size(); ++i) EXPECT_EQ(s.params[i].dist, before.params[i].dist);
}

TEST(ParseDistributionText, UsesTheParameterRange) {
    core::ParamDef def;
    def.path = "dynamics.implementation_lag";
    def.range = {1.0, HUGE_VAL};
    EXPECT_EQ(parse_distribution_text("{normal: [2, 1]}", def, "sweep"),
              core::Distribution::normal(2, 1));
    try {
        parse_distribution_text("{beta: [2, 2]}", def, "sweep");
        FAIL() << "beta on an infinite range was accepted";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.file, "sweep");
        EXPECT_EQ(e.key, "dynamics.implementation_lag");
        EXPECT_NE(e.message.find("finite range"), std::string::npos) << e.message;
    }
    EXPECT_THROW(parse_distribution_text("0.5", def, "sweep"), ScenarioError);
}

TEST(FormatParams, ListsEveryPathAlignedWithIntegerMarks) {
    const core::ModelSpec s =
        load_string(testing::edited("    sovereignty: 0.9", "    sovereignty: {beta: [8, 2]}"),
                    "t.yaml")
            .spec;
    const std::string out = format_params(s);
    std::istringstream in(out);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    ASSERT_EQ(static_cast<int>(lines.size()), s.params.size());
    std::size_t value_column = std::string::npos;
    for (int i = 0; i < s.params.size(); ++i) {
        const core::ParamDef& d = s.params[i];
        EXPECT_EQ(lines[i].rfind(d.path + " ", 0), 0u) << lines[i];
        EXPECT_NE(lines[i].find(core::describe(d.dist)), std::string::npos) << lines[i];
        EXPECT_EQ(lines[i].find("(integer)") != std::string::npos, d.integer) << lines[i];
        const std::size_t col = lines[i].find_first_not_of(' ', d.path.size());
        if (value_column == std::string::npos) value_column = col;
        EXPECT_EQ(col, value_column) << lines[i];
    }
    EXPECT_NE(out.find("agents.UZB.sovereignty"), std::string::npos);
    EXPECT_NE(out.find("beta(8, 2)"), std::string::npos);
    EXPECT_NE(out.find("[1, inf]"), std::string::npos);  // implementation_lag
    EXPECT_NE(out.find("[1, 50]"), std::string::npos);   // rounds
}

}  // namespace
}  // namespace sco::scenario
