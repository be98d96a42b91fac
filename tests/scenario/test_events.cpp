#include "sim/scenario/events.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/scenario/loader.h"

using sco::scenario::Events;
using sco::scenario::load_events;
using sco::scenario::load_events_string;
using sco::scenario::ScenarioError;

namespace {

const char* kGood = R"(format: sco-sim-events/1
name: Test record
description: two events
weights: {medium: 0.5}
events:
  - id: A02
    year: 2003
    proposal: coalition_2003
    confidence: high
    source: "record A02"
    note: "a note"
    observed:
      passed: true
      outcome: [coalition, diluted]
      took_part: [CHN, KGZ]
      stayed_out: [UZB]
      objected: [RUS]
      passed_within: {summits: 3, value: true}
  - id: c06a
    year: 2010
    proposal: enlargement
    weight: 0.25
    source: "record C06"
    observed:
      outcome: failed
  - id: B01
    year: 2004
    proposal: ftz
    confidence: medium
    source: "record B01"
    observed: {passed: false}
)";

/// The error a text raises, or "" if it loads.
ScenarioError error_of(const std::string& text) {
    try {
        (void)load_events_string(text, "ev.yaml");
    } catch (const ScenarioError& e) {
        return e;
    }
    ADD_FAILURE() << "loaded without error:\n" << text;
    return ScenarioError("", 0, 0, "", "");
}

/// kGood with `from` replaced by `to` (which must occur).
std::string edit(const std::string& from, const std::string& to) {
    std::string s = kGood;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST(Events, ReadsEveryKey) {
    const Events ev = load_events_string(kGood, "ev.yaml");
    EXPECT_EQ(ev.name, "Test record");
    EXPECT_EQ(ev.description, "two events");
    EXPECT_DOUBLE_EQ(ev.weight_high, 1.0);
    EXPECT_DOUBLE_EQ(ev.weight_medium, 0.5);
    EXPECT_DOUBLE_EQ(ev.weight_low, 0.3);
    ASSERT_EQ(ev.events.size(), 3u);
    const auto& a = ev.events[0];
    EXPECT_EQ(a.id, "A02");
    EXPECT_EQ(a.category, "A");
    EXPECT_EQ(a.year, 2003);
    EXPECT_EQ(a.proposal, "coalition_2003");
    EXPECT_EQ(a.confidence, "high");
    EXPECT_DOUBLE_EQ(a.weight, 1.0);
    EXPECT_EQ(a.source, "record A02");
    EXPECT_EQ(a.note, "a note");
    EXPECT_TRUE(a.observed.has_passed);
    EXPECT_TRUE(a.observed.passed);
    EXPECT_EQ(a.observed.outcomes, (std::vector<std::string>{"coalition", "diluted"}));
    ASSERT_EQ(a.observed.took_part.size(), 2u);
    EXPECT_EQ(a.observed.took_part[1].name, "KGZ");
    EXPECT_EQ(a.observed.took_part[1].pos.line, 15);
    EXPECT_EQ(a.observed.took_part[1].pos.key, "events[A02].observed.took_part[1]");
    EXPECT_EQ(a.observed.stayed_out[0].name, "UZB");
    EXPECT_EQ(a.observed.objected[0].name, "RUS");
    EXPECT_TRUE(a.observed.has_passed_within);
    EXPECT_EQ(a.observed.within_summits, 3);
    EXPECT_TRUE(a.observed.within_value);
    EXPECT_EQ(a.proposal_pos.line, 8);
    EXPECT_EQ(a.proposal_pos.key, "events[A02].proposal");
    const auto& c = ev.events[1];
    EXPECT_EQ(c.category, "C");  // the id's first letter, upper-cased
    EXPECT_DOUBLE_EQ(c.weight, 0.25);
    EXPECT_EQ(c.confidence, "");
    EXPECT_FALSE(c.observed.has_passed);
    EXPECT_EQ(c.observed.outcomes, (std::vector<std::string>{"failed"}));
    EXPECT_DOUBLE_EQ(ev.events[2].weight, 0.5);  // medium, as the file's weights say
}

TEST(Events, UnknownKeyWithDidYouMeanAndPosition) {
    const auto e = error_of(edit("      took_part:", "      tookpart:"));
    EXPECT_EQ(e.file, "ev.yaml");
    EXPECT_EQ(e.line, 15);
    EXPECT_EQ(e.column, 7);
    EXPECT_EQ(e.key, "events[A02].observed.tookpart");
    EXPECT_NE(e.message.find("did you mean 'took_part'"), std::string::npos) << e.message;
    const auto top = error_of(edit("description:", "descripton:"));
    EXPECT_EQ(top.key, "descripton");
    EXPECT_NE(top.message.find("did you mean 'description'"), std::string::npos);
    const auto ev = error_of(edit("    source: \"record A02\"", "    sorce: \"record A02\""));
    EXPECT_EQ(ev.key, "events[A02].sorce");
    EXPECT_NE(ev.message.find("did you mean 'source'"), std::string::npos) << ev.message;
}

TEST(Events, MissingKeys) {
    const auto e = error_of(edit("    source: \"record A02\"\n", ""));
    EXPECT_EQ(e.key, "events[A02].source");
    EXPECT_NE(e.message.find("missing required key 'source'"), std::string::npos) << e.message;
    const auto f = error_of(edit("format: sco-sim-events/1\n", ""));
    EXPECT_NE(f.message.find("missing required key 'format'"), std::string::npos);
    const auto y = error_of(edit("    year: 2003\n", ""));
    EXPECT_EQ(y.key, "events[A02].year");
    const auto c = error_of(edit("    confidence: high\n", ""));
    EXPECT_EQ(c.key, "events[A02].confidence");
    EXPECT_NE(c.message.find("weight"), std::string::npos) << c.message;
    const auto o = error_of(edit("    observed: {passed: false}", "    observed: {}"));
    EXPECT_EQ(o.key, "events[B01].observed");
    EXPECT_NE(o.message.find("at least one"), std::string::npos) << o.message;
}

TEST(Events, BadYear) {
    const auto e = error_of(edit("year: 2003", "year: 2003.5"));
    EXPECT_EQ(e.key, "events[A02].year");
    EXPECT_EQ(e.line, 7);
    EXPECT_NE(e.message.find("whole number"), std::string::npos) << e.message;
    const auto r = error_of(edit("year: 2003", "year: 203"));
    EXPECT_NE(r.message.find("outside the range"), std::string::npos) << r.message;
    const auto t = error_of(edit("year: 2003", "year: soon"));
    EXPECT_NE(t.message.find("expected a number"), std::string::npos) << t.message;
}

TEST(Events, ConfidenceAndWeightNotBoth) {
    const auto e = error_of(edit("    weight: 0.25\n", "    weight: 0.25\n    confidence: low\n"));
    EXPECT_EQ(e.key, "events[c06a].weight");
    EXPECT_NE(e.message.find("not both"), std::string::npos) << e.message;
    const auto w = error_of(edit("weight: 0.25", "weight: 1.5"));
    EXPECT_NE(w.message.find("(0, 1]"), std::string::npos) << w.message;
    const auto z = error_of(edit("weight: 0.25", "weight: 0"));
    EXPECT_NE(z.message.find("(0, 1]"), std::string::npos) << z.message;
    const auto c = error_of(edit("confidence: high", "confidence: hihg"));
    EXPECT_NE(c.message.find("did you mean 'high'"), std::string::npos) << c.message;
}

TEST(Events, BadValues) {
    const auto o = error_of(edit("outcome: failed", "outcome: faild"));
    EXPECT_EQ(o.key, "events[c06a].observed.outcome");
    EXPECT_NE(o.message.find("did you mean 'failed'"), std::string::npos) << o.message;
    const auto d = error_of(edit("- id: B01", "- id: A02"));
    EXPECT_NE(d.message.find("duplicate event id 'A02'"), std::string::npos) << d.message;
    const auto f = error_of(edit("format: sco-sim-events/1", "format: sco-sim-events/2"));
    EXPECT_NE(f.message.find("unsupported format"), std::string::npos);
    const auto tw = error_of(edit("took_part: [CHN, KGZ]", "took_part: [CHN, CHN]"));
    EXPECT_NE(tw.message.find("listed twice"), std::string::npos) << tw.message;
    const auto both = error_of(edit("stayed_out: [UZB]", "stayed_out: [KGZ]"));
    EXPECT_EQ(both.key, "events[A02].observed.stayed_out[0]");
    EXPECT_NE(both.message.find("both took_part and stayed_out"), std::string::npos);
    const auto pw = error_of(edit("{summits: 3, value: true}", "{summits: 0, value: true}"));
    EXPECT_EQ(pw.key, "events[A02].observed.passed_within.summits");
    const auto pv = error_of(edit("{summits: 3, value: true}", "{summits: 3}"));
    EXPECT_NE(pv.message.find("missing required key 'value'"), std::string::npos);
    const auto num = error_of(edit("- id: B01", "- id: 7"));
    EXPECT_NE(num.message.find("category"), std::string::npos) << num.message;
}

TEST(Events, Contradictions) {
    const auto a = error_of(edit("observed: {passed: false}",
                                 "observed: {passed: false, "
                                 "outcome: adopted}"));
    EXPECT_EQ(a.key, "events[B01].observed.outcome");
    EXPECT_NE(a.message.find("contradicts passed: false"), std::string::npos) << a.message;
    const auto b = error_of(edit("observed: {passed: false}",
                                 "observed: {passed: false, "
                                 "took_part: [CHN]}"));
    EXPECT_NE(b.message.find("contradicts passed: false"), std::string::npos) << b.message;
    const auto c = error_of(edit("outcome: [coalition, diluted]", "outcome: blocked"));
    EXPECT_NE(c.message.find("contradicts passed: true"), std::string::npos) << c.message;
}

TEST(Events, FileErrors) {
    EXPECT_THROW((void)load_events("/nonexistent/events.yaml"), ScenarioError);
    EXPECT_THROW((void)load_events_string("", "empty.yaml"), ScenarioError);
    EXPECT_THROW((void)load_events_string("- a\n- b\n", "list.yaml"), ScenarioError);
    EXPECT_THROW((void)load_events_string("format: [\n", "syntax.yaml"), ScenarioError);
}

TEST(Events, TheFixtureLoads) {
    const Events ev = load_events(std::string(SCO_TEST_DATA) + "/events/small_events.yaml");
    EXPECT_EQ(ev.events.size(), 3u);
}
