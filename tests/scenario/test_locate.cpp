// sim/scenario/locate: where a parameter's value is written in a scenario's text. The span
// found is exactly the value: replacing it changes that parameter and nothing else, and
// keeps every comment. Paths the text does not write, or writes in a form the function
// does not handle, give nullopt.
#include "sim/scenario/locate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/scenario/loader.h"

namespace sco::scenario {
namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string at(const std::string& text, const ValueSpan& s) {
    return text.substr(s.begin, s.end - s.begin);
}

const std::string kText =
    "format: sco-sim/1\n"
    "dynamics:\n"
    "  rounds: 3          # a comment\n"
    "  dialogue_rate: {beta: [0.5, 3]}  # another\n"
    "  wait_value:\n"
    "    uniform: [1, 2]\n"
    "agents:\n"
    "  - id: UZB\n"
    "    sovereignty: 0.9\n"
    "    position: {military_integration: 0.1, expansion: \"0.2\"}\n"
    "  - id: KAZ\n"
    "    sovereignty: {uniform: [0.3, 0.5]}\n"
    "relations:\n"
    "  tension:\n"
    "    - [TJK, UZB, 0.7]   # Rogun\n";

TEST(LocateValue, FindsPlainFlowAndNestedValues) {
    auto s = locate_value(kText, "dynamics.rounds", "t.yaml");
    ASSERT_TRUE(s);
    EXPECT_EQ(at(kText, *s), "3");
    EXPECT_EQ(s->line, 3);
    EXPECT_EQ(s->column, 11);
    EXPECT_EQ(kText.substr(s->end, s->line_end - s->end), "          # a comment");

    s = locate_value(kText, "dynamics.dialogue_rate", "t.yaml");
    ASSERT_TRUE(s);
    EXPECT_EQ(at(kText, *s), "{beta: [0.5, 3]}");

    s = locate_value(kText, "agents.KAZ.sovereignty", "t.yaml");
    ASSERT_TRUE(s);
    EXPECT_EQ(at(kText, *s), "{uniform: [0.3, 0.5]}");
    EXPECT_EQ(s->line, 12);

    s = locate_value(kText, "agents.UZB.position.military_integration", "t.yaml");
    ASSERT_TRUE(s);
    EXPECT_EQ(at(kText, *s), "0.1") << "a value inside a flow map ends at its comma";

    s = locate_value(kText, "agents.UZB.position.expansion", "t.yaml");
    ASSERT_TRUE(s);
    EXPECT_EQ(at(kText, *s), "\"0.2\"");
}

TEST(LocateValue, RelationsAreFoundInEitherOrder) {
    for (const char* p : {"relations.tension.TJK-UZB", "relations.tension.UZB-TJK"}) {
        const auto s = locate_value(kText, p, "t.yaml");
        ASSERT_TRUE(s) << p;
        EXPECT_EQ(at(kText, *s), "0.7") << p;
        EXPECT_EQ(s->line, 15);
    }
    EXPECT_FALSE(locate_value(kText, "relations.tension.KAZ-UZB", "t.yaml"));
    EXPECT_FALSE(locate_value(kText, "relations.affinity.TJK-UZB", "t.yaml"));
    EXPECT_FALSE(locate_value(kText, "relations.tension.TJKUZB", "t.yaml"));
}

TEST(LocateValue, WhatIsNotWrittenOrNotHandledIsNullopt) {
    EXPECT_FALSE(locate_value(kText, "dynamics.incident_rate", "t.yaml")) << "left at its default";
    EXPECT_FALSE(locate_value(kText, "dynamics.wait_value", "t.yaml")) << "a block-style map";
    EXPECT_FALSE(locate_value(kText, "agents.TJK.sovereignty", "t.yaml")) << "no such agent";
    EXPECT_FALSE(locate_value(kText, "shocks.0.value", "t.yaml"));
    EXPECT_FALSE(locate_value(kText, "dynamics", "t.yaml"));
    EXPECT_FALSE(
        locate_value("extends: base.yaml\ndynamics: {rounds: 2}\n", "dynamics.rounds", "t.yaml"))
        << "a derived scenario's values live partly in its base";
    EXPECT_FALSE(locate_value("", "dynamics.rounds", "t.yaml"));
    EXPECT_FALSE(locate_value("- a\n- b\n", "dynamics.rounds", "t.yaml"));
}

TEST(LocateValue, CrlfLinesEndBeforeTheCarriageReturn) {
    const std::string t = "dynamics:\r\n  rounds: 4\r\n  incident_rate: 0.2\r\n";
    const auto s = locate_value(t, "dynamics.rounds", "t.yaml");
    ASSERT_TRUE(s);
    EXPECT_EQ(at(t, *s), "4");
    EXPECT_EQ(t[s->line_end], '\r');
}

TEST(LocateValue, TextThatIsNotYamlIsAScenarioErrorNamingTheFile) {
    try {
        (void)locate_value("a: [1, 2\nb: 3\n", "dynamics.rounds", "mine.yaml");
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.file, "mine.yaml");
        EXPECT_GT(e.line, 0);
        EXPECT_NE(e.message.find("YAML syntax error"), std::string::npos) << e.what();
    }
}

// On the baseline scenario: replacing each located value with another number changes that
// parameter, and only that one (the span is exactly the value, for every form written).
TEST(LocateValue, ReplacingEachLocatedValueOfTheBaselineChangesOnlyThatParameter) {
    const std::string path = std::string(SCO_SCENARIOS) + "/sco2014.yaml";
    const std::string text = read(path);
    const Scenario base = load_string(text, path);
    const auto& defs = base.spec.params.all();
    int located = 0, agents = 0, relations = 0, dynamics = 0, flow = 0;
    for (std::size_t i = 0; i < defs.size(); ++i) {
        const auto& d = defs[i];
        const auto s = locate_value(text, d.path, path);
        if (!s) continue;
        if (!std::isfinite(d.range.lo) || !std::isfinite(d.range.hi)) continue;
        double v = d.range.lo + 0.37 * (d.range.hi - d.range.lo);
        if (d.integer) v = std::ceil(d.range.lo + 0.5);
        if (d.dist.is_fixed() && d.dist.a == v) v = d.range.hi;
        std::ostringstream num;
        num.precision(17);
        num << v;
        const std::string changed = text.substr(0, s->begin) + num.str() + text.substr(s->end);
        const Scenario after = load_string(changed, path);
        const auto& now = after.spec.params.all();
        ASSERT_EQ(now.size(), defs.size()) << d.path;
        for (std::size_t j = 0; j < defs.size(); ++j) {
            if (j == i) {
                EXPECT_TRUE(now[j].dist.is_fixed()) << d.path;
                EXPECT_DOUBLE_EQ(now[j].dist.a, v) << d.path;
            } else {
                EXPECT_EQ(core::describe(now[j].dist), core::describe(defs[j].dist))
                    << "replacing " << d.path << " changed " << defs[j].path;
            }
        }
        ++located;
        agents += d.path.rfind("agents.", 0) == 0;
        relations += d.path.rfind("relations.", 0) == 0;
        dynamics += d.path.rfind("dynamics.", 0) == 0;
        flow += text[s->begin] == '{';
    }
    // The baseline writes values of every handled kind; the test must have seen them.
    EXPECT_GT(located, 50);
    EXPECT_GT(agents, 20);
    EXPECT_GT(relations, 3);
    EXPECT_GT(dynamics, 3);
    EXPECT_GT(flow, 1);
}

}  // namespace
}  // namespace sco::scenario
