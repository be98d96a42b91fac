#include "sim/experiment/score.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "sim/core/model.h"
#include "sim/experiment/abc.h"

using namespace sco;
using experiment::Observation;
using experiment::ObsKind;

namespace {

using O = core::Outcome;

// Two summits (2001, 2002), one proposal, two agents. Four runs:
//   run 1: 2001 adopted (agent 0 joined; agent 1 objected), 2002 not tabled
//   run 2: 2001 blocked (agent 1 objected),                  2002 coalition (agent 0 joined)
//   run 3: 2001 deferred,                                    2002 deferred
//   run 4: 2001 diluted (both joined),                       2002 not tabled
core::RecordShape shape() {
    core::RecordShape s;
    s.periods = 2;
    s.proposals = 1;
    s.agents = 2;
    s.dims = 1;
    s.pairs = 1;
    return s;
}

core::RunRecord run(O o0, O o1, core::Flags a0, core::Flags a1, core::Flags b0, core::Flags b1) {
    core::RunRecord r(shape());
    r.outcome = {static_cast<std::uint8_t>(o0), static_cast<std::uint8_t>(o1)};
    r.rounds = {1, static_cast<std::uint8_t>(o1 == O::NotTabled ? 0 : 1)};
    r.flags = {a0, a1, b0, b1};  // [t][p][i]
    return r;
}

experiment::Summary tiny() {
    experiment::Summary s(shape(), 3);
    s.add(run(O::Adopted, O::NotTabled, core::kJoined, core::kObjected, 0, 0));
    s.add(run(O::Blocked, O::Coalition, 0, core::kObjected, core::kJoined, 0));
    s.add(run(O::Deferred, O::Deferred, 0, 0, 0, 0));
    s.add(run(O::Diluted, O::NotTabled, core::kJoined, core::kJoined, 0, 0));
    return s;
}

Observation obs(const char* id, const char* cat, ObsKind k, int t, int agent, bool y, double w) {
    Observation o;
    o.event_id = id;
    o.what = id;
    o.category = cat;
    o.kind = k;
    o.period = t;
    o.proposal = 0;
    o.agent = agent;
    o.value = y;
    o.weight = w;
    return o;
}

/// Seven observations; model p (hand-counted from the four runs) in the comments.
std::vector<Observation> seven() {
    std::vector<Observation> v;
    v.push_back(obs("o1", "A", ObsKind::Passed, 0, -1, true, 1.0));  // 2/4
    auto o2 = obs("o2", "A", ObsKind::Outcome, 0, -1, true, 0.5);    // failed: 2/4
    o2.outcome_mask = (1u << static_cast<int>(O::Deferred)) | (1u << static_cast<int>(O::Blocked));
    v.push_back(o2);
    v.push_back(obs("o3", "B", ObsKind::StayedOut, 0, 1, true, 1.0));   // 3/4
    v.push_back(obs("o4", "B", ObsKind::Objected, 0, 1, true, 0.5));    // 2/4
    v.push_back(obs("o5", "C", ObsKind::Passed, 1, -1, false, 1.0));    // 1/4
    auto o6 = obs("o6", "C", ObsKind::PassedWithin, 0, -1, true, 1.0);  // 3/4
    o6.summits = 2;
    v.push_back(o6);
    v.push_back(obs("o7", "C", ObsKind::TookPart, 0, 1, true, 0.5));  // 1/4
    return v;
}

experiment::Labels labels() {
    experiment::Labels L;
    L.agents = {"CHN", "UZB"};
    L.agent_names = {"China", "Uzbekistan"};
    L.proposals = {"bank"};
    L.proposal_titles = {"Bank"};
    L.kinds = {"institution"};
    L.dimensions = {"d"};
    L.pairs = {"CHN-UZB"};
    L.periods = {2001, 2002};
    return L;
}

scenario::Event event(const char* id, int year, const char* proposal) {
    scenario::Event e;
    e.id = id;
    e.category = std::string(1, id[0]);
    e.year = year;
    e.proposal = proposal;
    e.source = "test";
    e.weight = 0.6;
    e.proposal_pos = {9, 15, std::string("events[") + id + "].proposal"};
    return e;
}

}  // namespace

TEST(Score, ProbabilitiesAreSharesOfAllRuns) {
    const auto s = tiny();
    const auto v = seven();
    const std::int64_t expect[] = {2, 2, 3, 2, 1, 3, 1};
    for (std::size_t j = 0; j < v.size(); ++j)
        EXPECT_EQ(experiment::successes(v[j], s), expect[j]) << v[j].event_id;
    auto within1 = obs("w", "C", ObsKind::PassedWithin, 1, -1, true, 1.0);
    within1.summits = 1;
    EXPECT_EQ(experiment::successes(within1, s), 1);  // first adopted in 2002: run 2 only
    const auto sc = experiment::score(v, s);
    ASSERT_EQ(sc.items.size(), 7u);
    EXPECT_EQ(sc.runs, 4);
    EXPECT_DOUBLE_EQ(sc.items[2].p, 0.75);
    const auto w = experiment::wilson(3, 4);
    EXPECT_DOUBLE_EQ(sc.items[2].ci.lo, w.lo);
    EXPECT_DOUBLE_EQ(sc.items[2].ci.hi, w.hi);
}

TEST(Score, OverallScoresMatchHandComputedValues) {
    const auto sc = experiment::score(seven(), tiny(), {0.01, 4});
    const auto& s = sc.overall;
    EXPECT_EQ(s.count, 7);
    EXPECT_DOUBLE_EQ(s.weight, 5.5);
    // (0.25 + 0.5*0.25 + 0.0625 + 0.5*0.25 + 0.0625 + 0.0625 + 0.5*0.5625) / 5.5
    EXPECT_NEAR(s.brier, 0.96875 / 5.5, 1e-12);
    EXPECT_NEAR(s.base_rate, 4.5 / 5.5, 1e-12);
    // The base-rate predictor has one rate per family (PerCategoryWithOwnBaseRate works
    // it out): passed 1/2, participation 1/3, the other families one observation each.
    const double bb = (2.0 * 0.25 + 1.5 * 2.0 / 9.0) / 5.5;
    EXPECT_NEAR(s.brier_base, bb, 1e-12);
    EXPECT_NEAR(s.skill, 1.0 - (0.96875 / 5.5) / bb, 1e-12);
    // -[1 ln .5 + .5 ln .5 + ln .75 + .5 ln .5 + ln .75 + ln .75 + .5 ln .25] / 5.5
    EXPECT_NEAR(s.log_score,
                (2 * std::log(2.0) + 3 * std::log(4.0 / 3) + 0.5 * std::log(4.0)) / 5.5, 1e-12);
    // log of the base rates, clipped to [0.01, 0.99]: passed (2 x ln 2), participation
    // (1.5 x the entropy of 1/3), and -ln 0.99 for each of the three single-observation
    // families (weights 0.5, 0.5, 1).
    const double h3 = -(std::log(1.0 / 3) / 3 + 2 * std::log(2.0 / 3) / 3);
    EXPECT_NEAR(s.log_base, (2 * std::log(2.0) + 1.5 * h3 - 2.0 * std::log(0.99)) / 5.5, 1e-12);
}

TEST(Score, ReliabilityTable) {
    const auto sc = experiment::score(seven(), tiny(), {0.01, 4});
    const auto& r = sc.overall.reliability;
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0].count, 0);
    EXPECT_TRUE(std::isnan(r[0].mean_p));
    EXPECT_EQ(r[1].count, 2);  // p = 0.25: o5 (y 0, w 1), o7 (y 1, w .5)
    EXPECT_DOUBLE_EQ(r[1].weight, 1.5);
    EXPECT_DOUBLE_EQ(r[1].mean_p, 0.25);
    EXPECT_NEAR(r[1].observed, 0.5 / 1.5, 1e-12);
    EXPECT_EQ(r[2].count, 3);  // p = 0.5
    EXPECT_DOUBLE_EQ(r[2].observed, 1.0);
    EXPECT_EQ(r[3].count, 2);  // p = 0.75: the last bin is closed
    EXPECT_DOUBLE_EQ(r[3].lo, 0.75);
    EXPECT_DOUBLE_EQ(r[3].hi, 1.0);
}

TEST(Score, PerCategoryWithOwnBaseRate) {
    const auto sc = experiment::score(seven(), tiny());
    ASSERT_EQ(sc.categories.size(), 3u);
    EXPECT_EQ(sc.categories[0].first, "A");
    const auto& A = sc.categories[0].second;
    EXPECT_NEAR(A.brier, (0.25 + 0.125) / 1.5, 1e-12);
    EXPECT_DOUBLE_EQ(A.base_rate, 1.0);
    EXPECT_DOUBLE_EQ(A.brier_base, 0.0);
    EXPECT_TRUE(std::isnan(A.skill));  // every observation of A is true: no skill defined
    const auto& C = sc.categories[2].second;
    EXPECT_EQ(C.count, 3);
    EXPECT_NEAR(C.brier, (0.0625 + 0.0625 + 0.28125) / 2.5, 1e-12);
    EXPECT_NEAR(C.base_rate, 0.6, 1e-12);
    // One observation per family (passed, passed_within, participation): the base-rate
    // predictor knows each family's frequency, so it is perfect and the skill undefined.
    EXPECT_DOUBLE_EQ(C.brier_base, 0.0);
    EXPECT_TRUE(std::isnan(C.skill));
    // Overall, two families vary: passed (o1 true, o5 false, weight 1 each: rate 1/2) and
    // participation (o3 stayed out = did not take part, weight 1; o7 took part, weight
    // 0.5: rate 1/3). Brier of the base rates: (2 x 1/4 + 1.5 x 2/9) / 5.5.
    const double bb = (2.0 * 0.25 + 1.5 * 2.0 / 9.0) / 5.5;
    EXPECT_NEAR(sc.overall.brier_base, bb, 1e-12);
    EXPECT_NEAR(sc.overall.skill, 1.0 - sc.overall.brier / bb, 1e-12);
    // scores_of on the items of one category gives the same numbers.
    std::vector<experiment::ScoredObservation> c_items(sc.items.begin() + 4, sc.items.end());
    const auto again = experiment::scores_of(c_items, {});
    EXPECT_DOUBLE_EQ(again.brier, C.brier);
    EXPECT_DOUBLE_EQ(again.log_score, C.log_score);
}

TEST(Score, ClipBoundsTheLogScore) {
    // Agent 1 never took part in 2002: p = 0 for an observed true.
    const std::vector<Observation> v{obs("x", "A", ObsKind::TookPart, 1, 1, true, 1.0)};
    EXPECT_NEAR(experiment::score(v, tiny(), {0.01, 10}).overall.log_score, std::log(100.0), 1e-12);
    EXPECT_NEAR(experiment::score(v, tiny(), {0.1, 10}).overall.log_score, std::log(10.0), 1e-12);
    EXPECT_DOUBLE_EQ(experiment::score(v, tiny(), {0.1, 10}).overall.brier, 1.0);  // not clipped
    EXPECT_THROW((void)experiment::score(v, tiny(), {0.5, 10}), std::invalid_argument);
    EXPECT_THROW((void)experiment::score(v, tiny(), {0.01, 0}), std::invalid_argument);
    auto bad = v;
    bad[0].agent = 5;
    EXPECT_THROW((void)experiment::score(bad, tiny()), std::invalid_argument);
}

// With --clip 0 a fact given probability 0 has an infinite log score: a computed value,
// not an undefined one. The text printed it as "-", the mark of a score that could not be
// computed (an empty category, a base rate of 0 or 1), so the two could not be told apart.
TEST(Score, AnInfiniteLogScoreIsNotPrintedAsUndefined) {
    const std::vector<Observation> v{obs("x", "A", ObsKind::TookPart, 1, 1, true, 1.0)};
    const auto sc = experiment::score(v, tiny(), {0.0, 10});
    ASSERT_TRUE(std::isinf(sc.overall.log_score) && sc.overall.log_score > 0);
    // The base rate of one observation is 1, and the base-rate predictor's log score is
    // -(1 ln 1 + 0 ln 0) = 0 (0 ln 0 = 0); unclipped, 0 x ln 0 gave NaN, printed "-".
    EXPECT_DOUBLE_EQ(sc.overall.log_base, 0.0);
    const std::string t = experiment::score_text(sc);
    // "all" row: n, weight, brier, log, base, brier_b, log_b, skill; the base rate of one
    // observation makes brier_b 0, so the skill (alone) is undefined.
    const auto at = t.find("\nall ");
    ASSERT_NE(at, std::string::npos) << t;
    const std::string row = t.substr(at + 1, t.find('\n', at + 1) - at - 1);
    EXPECT_NE(row.find(" inf "), std::string::npos) << row;
    EXPECT_EQ(row.substr(row.size() - 1), "-") << row;
    // JSON has no infinity: null, as documented (docs/cli.md, "score --json").
    const auto j = nlohmann::json::parse(experiment::score_json(sc, {}));
    EXPECT_TRUE(j["scores"]["log_score"].is_null());
}

TEST(Score, ResolveExpandsEvents) {
    scenario::Events ev;
    ev.path = "ev.yaml";
    auto e = event("A1", 2001, "bank");
    e.observed.has_passed = true;
    e.observed.passed = true;
    e.observed.outcomes = {"coalition", "diluted"};
    e.observed.took_part = {{"CHN", {}}};
    e.observed.stayed_out = {{"UZB", {}}};
    e.observed.objected = {{"UZB", {}}};
    e.observed.has_passed_within = true;
    e.observed.within_summits = 2;
    e.observed.within_value = true;
    ev.events.push_back(e);
    const auto v = experiment::resolve(ev, labels());
    ASSERT_EQ(v.size(), 6u);
    EXPECT_EQ(v[0].what, "passed");
    EXPECT_EQ(v[1].what, "outcome:coalition|diluted");
    EXPECT_EQ(v[1].outcome_mask,
              (1u << static_cast<int>(O::Coalition)) | (1u << static_cast<int>(O::Diluted)));
    EXPECT_EQ(v[2].what, "took_part:CHN");
    EXPECT_EQ(v[2].agent, 0);
    EXPECT_EQ(v[3].what, "stayed_out:UZB");
    EXPECT_EQ(v[3].agent, 1);
    EXPECT_EQ(v[4].kind, ObsKind::Objected);
    EXPECT_EQ(v[5].what, "passed_within:2");
    for (const auto& o : v) {
        EXPECT_EQ(o.event_id, "A1");
        EXPECT_EQ(o.category, "A");
        EXPECT_EQ(o.period, 0);
        EXPECT_DOUBLE_EQ(o.weight, 0.6);
    }
}

TEST(Score, ResolveErrorsNameTheEventAndTheName) {
    scenario::Events ev;
    ev.path = "ev.yaml";
    ev.events.push_back(event("B3", 2001, "bnak"));
    ev.events.back().observed.has_passed = true;
    try {
        (void)experiment::resolve(ev, labels());
        FAIL() << "no error";
    } catch (const experiment::ResolveError& e) {
        EXPECT_EQ(e.event_id, "B3");
        EXPECT_EQ(e.name, "bnak");
        const std::string m = e.what();
        EXPECT_EQ(m.rfind("ev.yaml:9:15: events[B3].proposal: event B3: proposal 'bnak'", 0), 0u)
            << m;
        EXPECT_NE(m.find("did you mean 'bank'"), std::string::npos) << m;
    }
    ev.events[0] = event("B3", 2005, "bank");
    ev.events[0].observed.has_passed = true;
    EXPECT_THROW((void)experiment::resolve(ev, labels()), experiment::ResolveError);
    ev.events[0] = event("C1", 2001, "bank");
    ev.events[0].observed.took_part = {{"KAZ", {}}, {"CHN", {}}};
    try {
        (void)experiment::resolve(ev, labels());
        FAIL() << "no error";
    } catch (const experiment::ResolveError& e) {
        EXPECT_EQ(e.name, "KAZ");
    }
    ev.events[0].observed.has_passed_within = true;
    ev.events[0].observed.within_summits = 3;  // 2001-2003, the results end in 2002
    std::vector<experiment::Skipped> skipped;
    const auto v = experiment::resolve(ev, labels(), true, &skipped);
    ASSERT_EQ(v.size(), 1u);  // took_part:CHN only
    EXPECT_EQ(v[0].what, "took_part:CHN");
    ASSERT_EQ(skipped.size(), 2u);
    EXPECT_EQ(skipped[0].what, "took_part:KAZ");
    EXPECT_EQ(skipped[1].what, "passed_within:3");
}

TEST(Score, JsonAndTextCarryTheScores) {
    const auto sc = experiment::score(seven(), tiny(), {0.02, 5});
    const auto j = nlohmann::json::parse(experiment::score_json(sc, {{"Z9", "", "gone"}}));
    EXPECT_EQ(j["format"], "sco-sim-score/1");
    EXPECT_EQ(j["runs"], 4);
    EXPECT_DOUBLE_EQ(j["clip"].get<double>(), 0.02);
    EXPECT_EQ(j["observations"].size(), 7u);
    EXPECT_DOUBLE_EQ(j["observations"][2]["p"].get<double>(), 0.75);
    EXPECT_EQ(j["observations"][2]["hits"], 3);
    EXPECT_DOUBLE_EQ(j["scores"]["brier"].get<double>(), sc.overall.brier);
    EXPECT_TRUE(j["categories"]["A"]["skill"].is_null());
    EXPECT_EQ(j["scores"]["reliability"].size(), 5u);
    EXPECT_EQ(j["skipped"][0]["event"], "Z9");
    const std::string t = experiment::score_text(sc);
    EXPECT_NE(t.find("[0.02, 0.98]"), std::string::npos) << t;
    EXPECT_NE(t.find("cat C"), std::string::npos);
}

// transit_denied:AGENT counts the runs with the agent's flag transit_denied (bit 4) at the
// event's summit; the events key transit_denied expands to one observation per agent.
TEST(Score, TransitDeniedCountsTheFlag) {
    experiment::Summary s(shape(), 3);
    s.add(run(O::Adopted, O::NotTabled, core::kJoined, core::kTransitDenied, 0, 0));
    s.add(run(O::Adopted, O::NotTabled, core::kJoined, core::kTransitDenied | core::kStayedOut, 0,
              0));
    s.add(run(O::Adopted, O::NotTabled, core::kJoined, core::kObjected, 0, 0));
    const auto o = obs("t", "F", ObsKind::TransitDenied, 0, 1, true, 1.0);
    EXPECT_EQ(experiment::successes(o, s), 2);
    EXPECT_EQ(experiment::successes(obs("t", "F", ObsKind::Objected, 0, 1, true, 1.0), s), 1);
    scenario::Events ev;
    auto e = event("F2", 2001, "bank");
    e.observed.transit_denied = {{"UZB", {}}};
    ev.events.push_back(e);
    const auto v = experiment::resolve(ev, labels());
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].kind, ObsKind::TransitDenied);
    EXPECT_EQ(v[0].what, "transit_denied:UZB");
    EXPECT_EQ(v[0].agent, 1);
}

namespace {

/// The four runs of tiny(), one by one.
std::vector<core::RunRecord> four_runs() {
    return {run(O::Adopted, O::NotTabled, core::kJoined, core::kObjected, 0, 0),
            run(O::Blocked, O::Coalition, 0, core::kObjected, core::kJoined, 0),
            run(O::Deferred, O::Deferred, 0, 0, 0, 0),
            run(O::Diluted, O::NotTabled, core::kJoined, core::kJoined, 0, 0)};
}

Observation of_event(Observation o, const char* event) {
    o.event_id = event;
    return o;
}

/// Events E (2001 passed, UZB out), X (2001 passed, CHN out) and S (2002 not passed), their
/// observations interleaved, for the joint-count tests.
std::vector<Observation> three_events() {
    return {of_event(obs("e1", "A", ObsKind::Passed, 0, -1, true, 0.6), "E"),
            of_event(obs("x1", "A", ObsKind::Passed, 0, -1, true, 1.0), "X"),
            of_event(obs("s1", "C", ObsKind::Passed, 1, -1, false, 1.0), "S"),
            of_event(obs("e2", "A", ObsKind::StayedOut, 0, 1, true, 0.6), "E"),
            of_event(obs("x2", "A", ObsKind::StayedOut, 0, 0, true, 1.0), "X")};
}

}  // namespace

TEST(JointCount, OneRunAtATimeAgreesWithTheSummaryForEveryKind) {
    // holds_in_run is successes() run by run: for each observation kind, the runs in which it
    // gives its observed value are the summary's count (or its complement when observed false)
    const auto s = tiny();
    auto v = seven();
    auto within1 = obs("w", "C", ObsKind::PassedWithin, 1, -1, true, 1.0);
    within1.summits = 1;
    v.push_back(within1);
    auto denied = obs("d", "C", ObsKind::TransitDenied, 0, 0, false, 1.0);
    v.push_back(denied);
    for (const auto& o : v) {
        std::int64_t n = 0;
        for (const auto& r : four_runs()) n += experiment::holds_in_run(o, r) ? 1 : 0;
        const std::int64_t k = experiment::successes(o, s);
        EXPECT_EQ(n, o.value ? k : s.runs - k) << o.event_id;
    }
}

TEST(JointCount, AnEventIsCountedWhenAllItsObservationsHoldInOneRun) {
    // Event E: passed in 2001 and UZB (agent 1) stayed out: runs 1 (adopted, UZB objected)
    // only; the marginals are 2/4 and 3/4 (product 0.375), the joint share 1/4.
    // Event X: passed in 2001 and CHN (agent 0) stayed out: CHN joins whatever passes, so no
    // run gives both, while each holds in 2 of 4 runs (what --require judged before).
    // Event S: one observation (2002 not passed): its joint count is its own count, 3 of 4.
    const std::vector<Observation> v = three_events();
    const auto counter = std::make_shared<const experiment::EventCounter>(v);
    ASSERT_EQ(counter->size(), 3u);
    const auto& g = counter->groups();
    EXPECT_EQ(g[0].event_id, "E");
    EXPECT_EQ(g[0].obs, (std::vector<std::size_t>{0, 3}));  // grouped though not consecutive
    EXPECT_DOUBLE_EQ(g[0].weight, 0.6);
    EXPECT_EQ(g[1].event_id, "X");
    EXPECT_EQ(g[2].event_id, "S");

    experiment::Summary s(shape(), 3);
    s.attach(counter);
    for (const auto& r : four_runs()) s.add(r);
    EXPECT_EQ(s.counted, (std::vector<std::int64_t>{1, 0, 3}));

    const auto sc = experiment::score(v, s);
    ASSERT_TRUE(sc.has_joint());
    ASSERT_EQ(sc.events.size(), 3u);
    EXPECT_EQ(sc.events[0].hits, 1);
    EXPECT_DOUBLE_EQ(sc.events[0].p, 0.25);
    EXPECT_DOUBLE_EQ(sc.events[0].p_independent, 0.5 * 0.75);
    EXPECT_DOUBLE_EQ(sc.events[0].ci.lo, experiment::wilson(1, 4).lo);
    EXPECT_EQ(sc.events[1].hits, 0);
    EXPECT_DOUBLE_EQ(sc.events[1].p_independent, 0.25);
    EXPECT_EQ(sc.events[2].hits, 3);
    EXPECT_DOUBLE_EQ(sc.events[2].p, sc.events[2].p_independent);  // one observation
}

TEST(JointCount, WithPatternsEveryPatternOfAnEventIsCounted) {
    // The events of the test above, with every pattern counted (bit i: observation i of the
    // event gives its observed value). E (e1 passed, e2 UZB out): runs 1 both (11), run 4
    // passed with UZB in (01), runs 2 and 3 neither passed nor UZB in (10): the observed
    // pattern (1 run) is not the mode (2 runs). X: 01 twice, 10 twice, never 11. S: its one
    // observation holds in 3 runs, fails in 1: the mode.
    const std::vector<Observation> v = three_events();
    const auto counter = std::make_shared<const experiment::EventCounter>(v, true);
    ASSERT_EQ(counter->size(), 3u + 4u + 4u + 2u);
    EXPECT_EQ(experiment::pattern_counter_size(v), counter->size());
    experiment::Summary s(shape(), 3);
    s.attach(counter);
    for (const auto& r : four_runs()) s.add(r);
    //                       joint     E: 00 01 10 11  X: 00 01 10 11  S: 0 1
    EXPECT_EQ(s.counted, (std::vector<std::int64_t>{1, 0, 3, 0, 1, 2, 1, 0, 2, 2, 0, 1, 3}));
    const auto sc = experiment::score(v, s);
    ASSERT_TRUE(sc.has_joint());
    EXPECT_EQ(sc.events[0].hits, 1);
    EXPECT_EQ(sc.events[0].runner_up, 2);
    EXPECT_EQ(sc.events[1].hits, 0);
    EXPECT_EQ(sc.events[1].runner_up, 2);
    EXPECT_EQ(sc.events[2].hits, 3);
    EXPECT_EQ(sc.events[2].runner_up, 1);
    // the text and JSON say whether the observed pattern is the mode
    const std::string t = experiment::score_text(sc);
    EXPECT_NE(t.find("next p"), std::string::npos) << t;
    const std::string j = experiment::score_json(sc);
    EXPECT_NE(j.find("\"p_runner_up\":0.5,\"mode\":false"), std::string::npos) << j;
    EXPECT_NE(j.find("\"p_runner_up\":0.25,\"mode\":true"), std::string::npos) << j;
    // without patterns the same counter layout as before, and no runner-up
    experiment::Summary plain(shape(), 3);
    plain.attach(std::make_shared<const experiment::EventCounter>(v));
    for (const auto& r : four_runs()) plain.add(r);
    EXPECT_EQ(experiment::score(v, plain).events[0].runner_up, -1);
    EXPECT_EQ(experiment::score_text(experiment::score(v, plain)).find("next p"),
              std::string::npos);
}

TEST(JointCount, PatternsOfTooManyVariablesAreRefused) {
    // The limit is on the variables the observations read (2^v cells), not on the number of
    // observations: 13 agents' participation is refused, 13 times "passed" is one variable.
    std::vector<Observation> v;
    for (int a = 0; a < 13; ++a)
        v.push_back(of_event(obs("b", "A", ObsKind::StayedOut, 0, a, true, 1.0), "B"));
    EXPECT_NO_THROW(experiment::EventCounter(v, false));
    EXPECT_EQ(experiment::pattern_counter_size(v), 0u);
    try {
        experiment::EventCounter c(v, true);
        ADD_FAILURE() << "13 variables accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("event B reads 13 variables"), std::string::npos)
            << e.what();
    }
    v.pop_back();
    EXPECT_EQ(experiment::EventCounter(v, true).size(), 1u + 4096u);
    std::vector<Observation> same(13,
                                  of_event(obs("b", "A", ObsKind::Passed, 0, -1, true, 1.0), "B"));
    EXPECT_EQ(experiment::EventCounter(same, true).size(), 1u + 2u);
}

TEST(JointCount, MergedPartsGiveTheCountsOfOneSummary) {
    // how the runner adds the threads' partial summaries: any split gives the same counts
    const std::vector<Observation> v = {
        of_event(obs("e1", "A", ObsKind::Passed, 0, -1, true, 1.0), "E"),
        of_event(obs("e2", "A", ObsKind::StayedOut, 0, 1, true, 1.0), "E")};
    const auto counter = std::make_shared<const experiment::EventCounter>(v);
    const auto runs = four_runs();
    experiment::Summary whole(shape(), 3), a(shape(), 3), b(shape(), 3);
    for (auto* s : {&whole, &a, &b}) s->attach(counter);
    for (std::size_t k = 0; k < runs.size(); ++k) {
        whole.add(runs[k]);
        (k % 2 ? a : b).add(runs[k]);
    }
    experiment::Summary m(shape(), 3);
    m.attach(counter);
    m.merge(b);
    m.merge(a);
    EXPECT_EQ(m.counted, whole.counted);
    EXPECT_EQ(m.runs, whole.runs);
    m.clear();
    EXPECT_EQ(m.counted, (std::vector<std::int64_t>{0}));
    // summaries with different counters do not merge
    experiment::Summary other(shape(), 3);
    other.attach(std::make_shared<const experiment::EventCounter>(seven()));
    EXPECT_THROW(m.merge(other), std::invalid_argument);
}

TEST(JointCount, WithoutACounterTheEventsHaveNoJointCount) {
    // a Summary read from a results file has no per-event counts: the events are listed with
    // their independent products, and no joint probability is made up
    const auto sc = experiment::score(seven(), tiny());
    ASSERT_EQ(sc.events.size(), 7u);
    EXPECT_FALSE(sc.has_joint());
    EXPECT_EQ(sc.events[0].hits, -1);
    EXPECT_TRUE(std::isnan(sc.events[0].p));
}

namespace {

/// `k` copies of one run.
void add_runs(std::vector<core::RunRecord>& v, std::size_t k, const core::RunRecord& r) {
    v.insert(v.end(), k, r);
}

/// The events of `v` scored on `runs` with every cell of their mode variables counted.
experiment::Score with_cells(const std::vector<Observation>& v,
                             const std::vector<core::RunRecord>& runs) {
    experiment::Summary s(shape(), 3);
    s.attach(std::make_shared<const experiment::EventCounter>(v, true));
    for (const auto& r : runs) s.add(r);
    return experiment::score(v, s);
}

Observation outcome_is(const char* event, O o, bool y = true) {
    auto x = of_event(obs("o", "A", ObsKind::Outcome, 0, -1, y, 1.0), event);
    x.outcome_mask = 1u << static_cast<int>(o);
    return x;
}

Observation passed_is(const char* event, bool y) {
    return of_event(obs("p", "A", ObsKind::Passed, 0, -1, y, 1.0), event);
}

}  // namespace

TEST(ModeRule, AnImpliedObservationDoesNotChangeTheVerdict) {
    // Review 7, finding 3: each pair below writes one fact two ways (the second adds what the
    // first implies). Under the old indicator patterns "adopted" (9 of 20) failed alone (9
    // against 11 not adopted) but held with passed: true (9 against 6 diluted and 5 deferred).
    // Over the variables read, both are the outcome, allowed {adopted} or not: 9 against 11.
    std::vector<core::RunRecord> fewer, more;  // agent 0 joins what passes; agent 1 never
    add_runs(fewer, 9, run(O::Adopted, O::NotTabled, core::kJoined, 0, 0, 0));
    add_runs(fewer, 6, run(O::Diluted, O::NotTabled, core::kJoined, 0, 0, 0));
    add_runs(fewer, 5, run(O::Deferred, O::NotTabled, 0, 0, 0, 0));
    add_runs(more, 12, run(O::Adopted, O::Adopted, core::kJoined, 0, 0, 0));
    add_runs(more, 3, run(O::Diluted, O::NotTabled, core::kJoined, 0, 0, 0));
    add_runs(more, 5, run(O::Deferred, O::Deferred, 0, 0, 0, 0));
    auto within = [](const char* event, int summits) {
        auto w = of_event(obs("w", "C", ObsKind::PassedWithin, 0, -1, true, 1.0), event);
        w.summits = summits;
        return w;
    };
    const auto took = [](const char* e, int a) {
        return of_event(obs("t", "A", ObsKind::TookPart, 0, a, true, 1.0), e);
    };
    const auto out = [](const char* e, int a) {
        return of_event(obs("s", "A", ObsKind::StayedOut, 0, a, true, 1.0), e);
    };
    const std::vector<Observation> v = {
        outcome_is("ADa", O::Adopted),  // adopted
        passed_is("ADb", true),
        outcome_is("ADb", O::Adopted),
        outcome_is("DEa", O::Deferred),  // deferred
        passed_is("DEb", false),
        outcome_is("DEb", O::Deferred),
        took("PTa", 0),
        out("PTa", 1),  // agent 0 took part, agent 1 stayed out
        passed_is("PTb", true),
        took("PTb", 0),
        out("PTb", 1),
        passed_is("NPa", false),  // not passed (and so agent 1 stayed out)
        passed_is("NPb", false),
        out("NPb", 1),
        within("W1a", 1),  // first adopted at the summit (so passed there)
        passed_is("W1b", true),
        within("W1b", 1)};
    const std::vector<int> nvars = {1, 1, 2, 1, 1};
    for (const auto* runs : {&fewer, &more}) {
        const auto sc = with_cells(v, *runs);
        ASSERT_EQ(sc.events.size(), 10u);
        for (std::size_t k = 0; k < 10; k += 2) {
            const auto& a = sc.events[k];
            const auto& b = sc.events[k + 1];
            SCOPED_TRACE(a.group.event_id + " / " + b.group.event_id);
            EXPECT_EQ(a.hits, b.hits);
            EXPECT_EQ(a.runner_up, b.runner_up);
            EXPECT_EQ(a.is_mode(), b.is_mode());
            EXPECT_EQ(a.mode_variables, nvars[k / 2]);
            EXPECT_EQ(b.mode_variables, nvars[k / 2]);
            // every run is in some cell; the observed cell's runs are the joint count
            EXPECT_GE(a.hits + a.runner_up, 1);
        }
    }
    const auto sf = with_cells(v, fewer);
    EXPECT_EQ(sf.events[0].hits, 9);
    EXPECT_EQ(sf.events[0].runner_up, 11);  // one cell: not adopted
    EXPECT_FALSE(sf.events[1].is_mode());   // the old rule held this one (9 >= 6, 5)
    EXPECT_EQ(sf.events[2].runner_up, 15);
    EXPECT_EQ(sf.events[4].hits, 15);  // passed with agent 0 in; passed is implied, left out
    EXPECT_EQ(sf.events[4].runner_up, 5);
    EXPECT_TRUE(sf.events[5].is_mode());
    EXPECT_NE(experiment::score_json(sf).find("\"mode_variables\":[\"outcome adopted\"]"),
              std::string::npos);
    const auto sm = with_cells(v, more);
    EXPECT_TRUE(sm.events[0].is_mode());  // 12 against 8
    EXPECT_TRUE(sm.events[1].is_mode());
    EXPECT_EQ(sm.events[8].hits, 15);  // first adopted in 2001: the runs that passed there
    // what the variables are
    const auto groups = experiment::events_of(v);
    const auto adb = experiment::mode_variables(v, groups[1]);
    ASSERT_EQ(adb.size(), 1u);
    EXPECT_EQ(adb[0].label, "outcome adopted");
    const auto npb = experiment::mode_variables(v, groups[7]);
    ASSERT_EQ(npb.size(), 1u);
    EXPECT_EQ(npb[0].label, "not passed");  // stayed_out is implied by not passed
    // an allowed value the other observations exclude is not allowed: adopted|deferred with
    // agent 0 taking part is adopted (took part implies passed)
    auto either = outcome_is("E", O::Adopted);
    either.outcome_mask |= 1u << static_cast<int>(O::Deferred);
    const std::vector<Observation> w = {either, took("E", 0)};
    const auto ev = experiment::mode_variables(w, experiment::events_of(w)[0]);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].label, "outcome adopted");
    EXPECT_EQ(ev[1].label, "took_part:agent 0");
}

TEST(ModeRule, OneObservationIsTheShareRuleAtOneHalf) {
    // An event of one observation reads one variable, allowed or not: two cells, so the mode
    // is k >= n - k (k > 0), the share rule at 0.5, for every kind and either observed value.
    auto v = seven();
    auto denied = obs("d", "C", ObsKind::TransitDenied, 0, 0, true, 1.0);
    v.push_back(denied);
    auto within1 = obs("w", "C", ObsKind::PassedWithin, 1, -1, true, 1.0);
    within1.summits = 1;
    v.push_back(within1);
    int checked = 0;
    for (const bool flip : {false, true})
        for (auto o : v) {
            if (o.kind == ObsKind::Outcome && flip) continue;  // an outcome is observed true
            o.value = flip ? !o.value : o.value;
            o.event_id = "E";
            const auto sc = with_cells({o}, four_runs());
            ASSERT_EQ(sc.events.size(), 1u);
            const auto& ev = sc.events[0];
            SCOPED_TRACE(o.what + (flip ? " flipped" : ""));
            EXPECT_EQ(ev.mode_variables, 1);
            EXPECT_EQ(ev.hits + ev.runner_up, 4);
            EXPECT_EQ(ev.is_mode(),
                      experiment::abc::holds(ev.hits, 4, 0.5, experiment::abc::RequireRule::Mode));
            ++checked;
        }
    EXPECT_EQ(checked, 17);
}

TEST(ModeRule, ContradictoryObservationsNeverHold) {
    const std::vector<Observation> v = {passed_is("X", true), outcome_is("X", O::Deferred)};
    const auto vars = experiment::mode_variables(v, experiment::events_of(v)[0]);
    ASSERT_EQ(vars.size(), 1u);
    EXPECT_EQ(vars[0].label, "contradictory");
    const auto sc = with_cells(v, four_runs());
    EXPECT_EQ(sc.events[0].hits, 0);
    EXPECT_EQ(sc.events[0].runner_up, 4);
    EXPECT_FALSE(sc.events[0].is_mode());
}

TEST(ModeRule, TheFloorAsksTheObservedCellsShareToo) {
    // Passed and agent 1 objected: 9 of 20 runs, against 6 (passed, no objection) and 5 (not
    // passed): the mode at a share of 0.45. Review 7, finding 4: without a floor a mode holds
    // whatever its share; with --require-floor P it needs a share of at least P too.
    std::vector<core::RunRecord> runs;
    add_runs(runs, 9, run(O::Adopted, O::NotTabled, 0, core::kObjected, 0, 0));
    add_runs(runs, 6, run(O::Adopted, O::NotTabled, 0, 0, 0, 0));
    add_runs(runs, 5, run(O::Deferred, O::NotTabled, 0, 0, 0, 0));
    const std::vector<Observation> v = {
        passed_is("E", true), of_event(obs("x", "A", ObsKind::Objected, 0, 1, true, 1.0), "E")};
    const auto sc = with_cells(v, runs);
    ASSERT_EQ(sc.events[0].hits, 9);
    ASSERT_EQ(sc.events[0].runner_up, 6);
    using experiment::abc::RequireRule;
    const auto held = [&](RequireRule rule, double floor) {
        experiment::abc::PointScore ps;
        experiment::abc::judge_required(sc, 0.5, ps, rule, floor);
        return std::make_pair(ps.event_held.at(0), ps.held);
    };
    EXPECT_EQ(held(RequireRule::Mode, 0.0).first, 1);   // no floor
    EXPECT_EQ(held(RequireRule::Mode, 0.45).first, 1);  // exactly at it
    EXPECT_EQ(held(RequireRule::Mode, 0.46).first, 0);
    EXPECT_EQ(held(RequireRule::Mode, 0.5).first, 0);
    // per observation: passed (15 of 20) is a mode above 0.7, not above 0.8; objected (9)
    // is not a mode
    EXPECT_EQ(held(RequireRule::Mode, 0.7).second, (std::vector<int>{1, 0}));
    EXPECT_EQ(held(RequireRule::Mode, 0.8).second, (std::vector<int>{0, 0}));
    // the floor is the mode rule's: the share rule has its level
    EXPECT_EQ(held(RequireRule::Share, 0.99).first, 0);  // 0.45 < 0.5
    EXPECT_EQ(held(RequireRule::Share, 0.99).second, (std::vector<int>{1, 0}));
}
