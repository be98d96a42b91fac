// Known-answer attacks on the decision model (issue 11, final review): scenarios whose
// answer follows from spatial bargaining theory (veto players, the win-set of the status
// quo, random utility), run through the engine and the simulation. Statistical checks use
// fixed keys and tolerances from binomial (Wilson) intervals.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/simulate.h"
#include "support/resolve_once.h"
#include "support/simulate_once.h"
#include "support/spec_builder.h"
#include "support/wait_quadrature.h"

using namespace sco::core;
using sco::test::SpecBuilder;

namespace {

constexpr double kZ = 3.89;  // two-sided 99.99%

/// Wilson score interval of k successes in n trials.
struct Interval {
    double lo, hi;
};
Interval wilson(int k, int n, double z = kZ) {
    const double p = static_cast<double>(k) / n, z2 = z * z;
    const double c = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    const double h = z * std::sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n);
    return {c - h, c + h};
}
/// Two binomial counts are compatible when their Wilson intervals overlap.
bool compatible(int k1, int n1, int k2, int n2) {
    const Interval a = wilson(k1, n1), b = wilson(k2, n2);
    return a.lo <= b.hi && b.lo <= a.hi;
}

std::string path(const std::string& agent, const std::string& what) {
    return "agents." + agent + "." + what;
}

using sco::test::Resolved;

/// One run's World, proposal `p` resolved at summit 0 (this file's seed: 2026).
Resolved resolve_once(const ModelSpec& spec, std::uint64_t rep, int p = 0) {
    return sco::test::resolve_once(spec, rep, p, 2026);
}

RunRecord run(const ModelSpec& spec, std::uint64_t rep, std::uint64_t seed = 17) {
    return sco::test::simulate_once(spec, rep, seed);
}
using sco::test::outcome;
float text_of(const RunRecord& r, int t, int p, int d) {
    return r.text[(static_cast<std::size_t>(t) * r.shape.proposals + p) * r.shape.dims + d];
}
float sq(const RunRecord& r, int t, int d) {
    return r.status_quo[static_cast<std::size_t>(t) * r.shape.dims + d];
}
Flags flag(const RunRecord& r, int t, int p, int i) {
    return r.flags[(static_cast<std::size_t>(t) * r.shape.proposals + p) * r.shape.agents + i];
}

/// Sponsor AAA at 0.9 and two members at `opp` (salience 1) on one dimension whose status
/// quo is 0.5; the tabled text is at 0.9.
SpecBuilder opposed(double opp, int periods = 1) {
    SpecBuilder b(1, 0, periods);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB");
    b.agent("CCC");
    b.set("status_quo.d0", 0.5).set(path("AAA", "position.d0"), 0.9);
    for (const char* id : {"AAA", "BBB", "CCC"}) b.set(path(id, "salience.d0"), 1.0);
    b.set(path("BBB", "position.d0"), opp).set(path("CCC", "position.d0"), opp);
    b.proposal("text", Kind::Plan, 0);
    b.set("agenda.text.position.d0", 0.9);
    return b;
}

}  // namespace

// ---- 1. A text every veto holder opposes ----------------------------------------------

// Both non-sponsor members sit on the far side of the status quo (0.1 against q = 0.5) and
// lose 0.4 from the tabled text 0.9, four times the objection cost. Under deterministic
// and logit choice the text never passes as tabled and no amendment takes it past the
// status quo; what passes is only what each opponent loses less than objecting costs.
TEST(KnownAnswers, ATextEveryVetoHolderOpposesNeverPassesAsTabled) {
    for (const ChoiceRule rule : {ChoiceRule::Deterministic, ChoiceRule::Logit}) {
        SpecBuilder b = opposed(0.1, 6);
        b.spec().variants.choice = rule;
        b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
        for (int m = 0; m < 400; ++m) {
            const RunRecord r = run(b.spec(), m);
            for (int t = 0; t < 6; ++t) {
                const Outcome o = outcome(r, t, 0);
                if (o == Outcome::NotTabled) continue;
                const float y = text_of(r, t, 0, 0), q = sq(r, t, 0);
                ASSERT_NE(o, Outcome::Adopted) << "run " << m << " summit " << t;
                ASSERT_GE(y, q - 1e-6f) << "amended past the status quo";
                ASSERT_LE(y, 0.9f + 1e-6f);
                if (passed(o) && rule == ChoiceRule::Deterministic) {
                    // Each opponent's loss from the adopted text is at most the objection cost.
                    ASSERT_LE(y - q, 0.1f + 1e-6f) << "run " << m << " summit " << t;
                }
                ASSERT_GE(sq(r, t, 0), 0.5f - 1e-6f);  // the status quo never moves backwards
            }
        }
    }
}

// With objecting free (objection_cost 0), an opponent accepts no move away from its ideal:
// the win-set is empty and the text is blocked at every summit.
TEST(KnownAnswers, WithFreeObjectionTheOpposedTextIsBlockedAndTheWinSetEmpty) {
    SpecBuilder b = opposed(0.1);
    b.dyn(Dyn::ObjectionCost, 0.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Blocked);
    EXPECT_TRUE(r.res.win_set_empty);
    EXPECT_EQ(r.res.rounds, 1);
    b.spec().variants.choice = ChoiceRule::Logit;
    int pass = 0;
    for (int m = 0; m < 2000; ++m) pass += passed(resolve_once(b.spec(), m).res.outcome);
    EXPECT_EQ(pass, 0);
}

// ---- 2. Clones -------------------------------------------------------------------------

// Two identical members: every rate is the same for both within binomial intervals.
TEST(KnownAnswers, ClonesAreTreatedSymmetrically) {
    SpecBuilder b(1, 1, 1);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB");
    b.agent("CL1");
    b.agent("CL2");
    b.set(path("AAA", "position.d0"), 0.8).set(path("BBB", "position.d0"), 0.5);
    for (const char* id : {"AAA", "BBB", "CL1", "CL2"}) b.set(path(id, "salience.d0"), 1.0);
    for (const char* id : {"CL1", "CL2"})
        b.set(path(id, "position.d0"), 0.2)
            .set(path(id, "threat.h0"), 0.6)
            .set(path(id, "military_reluctance"), 0.3);
    b.susceptibility(2, 0, 0.5);
    b.susceptibility(3, 0, 0.5);
    b.relation(Field::Tension, 1, 2, 0.3);
    b.relation(Field::Tension, 1, 3, 0.3);
    b.proposal("ex", Kind::Exercise, 0, /*opt_out=*/true);
    b.set("agenda.ex.position.d0", 0.6).set("agenda.ex.relevance.h0", 0.8);
    b.set("agenda.ex.uncertainty", 0.4).dyn(Dyn::LogitPrecision, 8.0);
    const int M = 4000;
    int joined[2] = {0, 0}, objected[2] = {0, 0}, out[2] = {0, 0};
    for (int m = 0; m < M; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        for (int c = 0; c < 2; ++c) {
            const Flags f = r.flags[2 + c];
            joined[c] += passed(r.res.outcome) && (f & kJoined);
            objected[c] += (f & kObjected) != 0;
            out[c] += (f & kStayedOut) != 0;
        }
    }
    for (int c = 0; c < 2; ++c) {
        const std::string k = "CL" + std::to_string(c + 1);
        RecordProperty(k + "_joined", joined[c]);
        RecordProperty(k + "_objected", objected[c]);
        RecordProperty(k + "_stayed_out", out[c]);
    }
    EXPECT_TRUE(compatible(joined[0], M, joined[1], M)) << joined[0] << " " << joined[1];
    EXPECT_TRUE(compatible(objected[0], M, objected[1], M)) << objected[0] << " " << objected[1];
    EXPECT_TRUE(compatible(out[0], M, out[1], M)) << out[0] << " " << out[1];
    // The case is contested (the rates are not all 0 or 1, so the comparison has power).
    EXPECT_GT(objected[0], M / 50);
    EXPECT_GT(out[0], M / 50);
}

// Adding a clone of a member that supports the text does not lower its pass rate: under
// deterministic choice exactly, under logit within binomial intervals.
TEST(KnownAnswers, AddingACloneOfASupporterDoesNotLowerThePassRate) {
    auto build = [](bool clone, ChoiceRule rule) {
        SpecBuilder b(1, 0, 1);
        b.agent("AAA", Role::Member, 0.5, true);
        b.agent("SUP");
        b.agent("OPP");
        if (clone) b.agent("SU2");
        b.set(path("AAA", "position.d0"), 0.8).set(path("SUP", "position.d0"), 0.7);
        b.set(path("OPP", "position.d0"), 0.3);  // q = 0: OPP gains from a text up to 0.6
        for (const char* id : {"AAA", "SUP", "OPP"}) b.set(path(id, "salience.d0"), 1.0);
        if (clone) b.set(path("SU2", "position.d0"), 0.7).set(path("SU2", "salience.d0"), 1.0);
        b.proposal("text", Kind::Plan, 0);
        b.set("agenda.text.position.d0", 0.8);
        b.spec().variants.choice = rule;
        return b;
    };
    for (const ChoiceRule rule : {ChoiceRule::Deterministic, ChoiceRule::Logit}) {
        SpecBuilder without = build(false, rule), with = build(true, rule);
        const int M = rule == ChoiceRule::Logit ? 4000 : 20;
        int k0 = 0, k1 = 0;
        for (int m = 0; m < M; ++m) {
            k0 += passed(resolve_once(without.spec(), m).res.outcome);
            k1 += passed(resolve_once(with.spec(), m).res.outcome);
        }
        const std::string name = rule == ChoiceRule::Logit ? "logit" : "deterministic";
        RecordProperty(name + "_passed_without_clone", k0);
        RecordProperty(name + "_passed_with_clone", k1);
        if (rule == ChoiceRule::Deterministic)
            EXPECT_GE(k1, k0);
        else
            EXPECT_GE(wilson(k1, M).hi, wilson(k0, M).lo) << k0 << " -> " << k1;
    }
}

// ---- 3. Trivial texts ------------------------------------------------------------------

// A text that every member prefers to the status quo passes at once, as tabled.
TEST(KnownAnswers, ATextEveryMemberPrefersPassesAtOnce) {
    SpecBuilder b(2, 0, 1);
    for (const char* id : {"AAA", "BBB", "CCC", "DDD"}) {
        b.agent(id);
        b.set(path(id, "position.d0"), 0.7).set(path(id, "position.d1"), 0.4);
        b.set(path(id, "salience.d0"), 0.9).set(path(id, "salience.d1"), 0.6);
    }
    b.proposal("text", Kind::Institution, 0);
    b.set("agenda.text.position.d0", 0.7).set("agenda.text.position.d1", 0.4);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Adopted);
    EXPECT_EQ(r.res.rounds, 1);
    EXPECT_FLOAT_EQ(r.text[0], 0.7f);
    // Logit: each member gains 0.87 and supports with odds exp(40 x 0.97): never objects.
    b.spec().variants.choice = ChoiceRule::Logit;
    for (int m = 0; m < 2000; ++m) {
        const Resolved l = resolve_once(b.spec(), m);
        ASSERT_EQ(l.res.outcome, Outcome::Adopted);
        ASSERT_EQ(l.res.rounds, 1);
    }
}

// A text identical to the status quo, and a text that names no dimension: nobody gains or
// loses, so under deterministic choice they pass at once, leave the status quo where it
// is, and, as one-offs, are not tabled again.
TEST(KnownAnswers, ATextEqualToTheStatusQuoAndAnEmptyTextPassOnceAndMoveNothing) {
    SpecBuilder b(1, 0, 3);
    for (const char* id : {"AAA", "BBB", "CCC"}) b.agent(id);
    b.set("status_quo.d0", 0.4);
    b.set(path("BBB", "position.d0"), 1.0).set(path("BBB", "salience.d0"), 1.0);
    b.set(path("CCC", "position.d0"), 0.0).set(path("CCC", "salience.d0"), 1.0);
    b.proposal("same", Kind::Plan, 0);
    b.set("agenda.same.position.d0", 0.4);
    const int empty = b.proposal("empty", Kind::Declaration, 0);
    b.spec().proposals[empty].position[0] = kNoParam;
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord r = run(b.spec(), 0);
    for (int p = 0; p < 2; ++p) {
        EXPECT_EQ(outcome(r, 0, p), Outcome::Adopted) << p;
        EXPECT_EQ(r.rounds[p], 1);
        EXPECT_FLOAT_EQ(r.dilution[p], 0.0f);
        EXPECT_EQ(outcome(r, 1, p), Outcome::NotTabled) << p;
        EXPECT_EQ(outcome(r, 2, p), Outcome::NotTabled) << p;
    }
    for (int t = 0; t < 3; ++t) EXPECT_FLOAT_EQ(sq(r, t, 0), 0.4f);
}

// ---- 4. Extreme parameters -------------------------------------------------------------

namespace {
/// A small scenario that uses every mechanism: threats, uncertainty, relations, pressure,
/// an opt-out exercise, a declaration, a contested plan, several summits.
SpecBuilder rich(int periods = 4) {
    SpecBuilder b(2, 1, periods);
    b.agent("AAA", Role::Member, 0.6, true);
    b.agent("BBB", Role::Member, 0.4, true);
    b.agent("CCC");
    b.agent("DDD");
    b.agent("OBS", Role::Observer, 0.1);
    const char* ids[] = {"AAA", "BBB", "CCC", "DDD", "OBS"};
    const double x0[] = {0.9, 0.2, 0.6, 0.1, 0.5}, x1[] = {0.8, 0.3, 0.7, 0.2, 0.4};
    const double th[] = {0.7, 0.3, 0.8, 0.5, 0.2};
    for (int i = 0; i < 5; ++i) {
        b.set(path(ids[i], "position.d0"), x0[i]).set(path(ids[i], "position.d1"), x1[i]);
        b.set(path(ids[i], "salience.d0"), 0.8).set(path(ids[i], "salience.d1"), 0.5);
        b.set(path(ids[i], "threat.h0"), th[i]);
    }
    b.set(path("DDD", "military_reluctance"), 0.6).set("status_quo.d0", 0.3);
    b.set("status_quo.d1", 0.3);
    b.susceptibility(2, 0, 0.5);
    b.susceptibility(3, 0, 0.4);
    b.susceptibility(3, 1, 0.4);
    b.relation(Field::Tension, 2, 3, 0.6);
    b.relation(Field::Affinity, 0, 1, 0.4);
    b.proposal("plan", Kind::Plan, 0);
    b.spec().proposals[0].recurring = true;
    b.set("agenda.plan.position.d0", 0.8).set("agenda.plan.position.d1", 0.6);
    b.set("agenda.plan.relevance.h0", 0.9).set("agenda.plan.uncertainty", 0.6);
    b.proposal("ex", Kind::Exercise, 1, /*opt_out=*/true);
    b.set("agenda.ex.position.d0", 0.6).set("agenda.ex.relevance.h0", 0.5);
    b.proposal("decl", Kind::Declaration, 2);
    b.set("agenda.decl.position.d1", 0.8);
    return b;
}

struct Rates {
    int runs = 0, tabled = 0, passed = 0, blocked = 0, deferred = 0, objected = 0;
};
Rates rates(const ModelSpec& spec, int p, int M, int summits = 1) {
    Rates x;
    for (int m = 0; m < M; ++m) {
        const RunRecord r = run(spec, m);
        ++x.runs;
        for (int t = 0; t < summits; ++t) {
            const Outcome o = outcome(r, t, p);
            if (o == Outcome::NotTabled) continue;
            ++x.tabled;
            x.passed += passed(o);
            x.blocked += o == Outcome::Blocked;
            x.deferred += o == Outcome::Deferred;
            for (int i = 0; i < r.shape.agents; ++i) x.objected += (flag(r, t, p, i) & kVeto) != 0;
        }
    }
    return x;
}
bool finite_record(const RunRecord& r) {
    for (std::size_t k = 0; k < r.outcome.size(); ++k) {
        if (r.outcome[k] > static_cast<std::uint8_t>(Outcome::NotTabled)) return false;
        if (!std::isfinite(r.dilution[k]) || r.dilution[k] < 0.0f || r.dilution[k] > 1.0f)
            return false;
        const bool tabled = r.outcome[k] != static_cast<std::uint8_t>(Outcome::NotTabled);
        for (int d = 0; d < r.shape.dims; ++d) {
            const float y = r.text[k * r.shape.dims + d];
            if (tabled && !(y >= 0.0f && y <= 1.0f)) return false;
        }
    }
    for (const float v : r.status_quo)
        if (!(v >= 0.0f && v <= 1.0f)) return false;
    for (const float v : r.tension)
        if (!(v >= 0.0f && v <= 1.0f)) return false;
    return true;
}
}  // namespace

// Every dynamics parameter the review names, at both ends of its range: no crash, no NaN,
// every text and status quo inside [0, 1], under both choice rules.
TEST(KnownAnswers, ExtremeParametersGiveFiniteRecords) {
    const std::pair<Dyn, double> cases[] = {
        {Dyn::LogitPrecision, 0.0}, {Dyn::LogitPrecision, 1000.0}, {Dyn::ObjectionCost, 0.0},
        {Dyn::ObjectionCost, 10.0}, {Dyn::WaitValue, 0.0},         {Dyn::WaitValue, 10.0},
        {Dyn::DelayCost, 0.0},      {Dyn::DelayCost, 10.0},        {Dyn::AmendmentStep, 0.0},
        {Dyn::AmendmentStep, 1.0},  {Dyn::StayOutShare, 0.0},      {Dyn::StayOutShare, 1.0},
        {Dyn::Rounds, 1.0},         {Dyn::Rounds, 50.0},           {Dyn::PressureStrength, 100.0},
    };
    for (const auto& [d, v] : cases) {
        for (const double unc : {0.0, 1.0}) {
            for (const ChoiceRule rule : {ChoiceRule::Logit, ChoiceRule::Deterministic}) {
                SpecBuilder b = rich();
                b.dyn(d, v).set("agenda.plan.uncertainty", unc);
                b.spec().variants.choice = rule;
                for (int m = 0; m < 30; ++m) {
                    ASSERT_TRUE(finite_record(run(b.spec(), m)))
                        << kDynNames.name(d) << "=" << v << " uncertainty " << unc;
                }
            }
        }
    }
}

// logit_precision 0: every open option is equally likely. With one round and no
// amendment, each of the three non-sponsor members supports a binding text with
// probability 1/2, so the text passes with probability 1/8.
TEST(KnownAnswers, ZeroPrecisionMakesEveryOptionEquallyLikely) {
    SpecBuilder b = rich(1);
    b.dyn(Dyn::LogitPrecision, 0.0).dyn(Dyn::Rounds, 1);
    const int M = 4000;
    const Rates x = rates(b.spec(), 0, M);
    const Interval i = wilson(x.passed, M);
    RecordProperty("passed_of_4000", x.passed);
    EXPECT_LE(i.lo, 0.125);
    EXPECT_GE(i.hi, 0.125);
}

namespace {
/// One plan (q = 0.3 -> 0.6, uncertainty 0.6, relevance 0.8) and two members near the edge:
/// WAI gains on balance (spatial -0.18, threat benefit 0.2), so it objects only to wait;
/// SUB loses 0.15 on substance with no threat benefit, just above the objection cost.
SpecBuilder contested() {
    SpecBuilder b(1, 1, 1);
    b.agent("AAA", Role::Member, 0.5);
    b.agent("WAI");
    b.agent("SUB");
    b.set("status_quo.d0", 0.3).set(path("AAA", "position.d0"), 0.6);
    b.set(path("AAA", "salience.d0"), 1.0).set(path("AAA", "threat.h0"), 0.5);
    b.set(path("WAI", "position.d0"), 0.25).set(path("WAI", "salience.d0"), 0.6);
    b.set(path("WAI", "threat.h0"), 0.5);
    b.set(path("SUB", "position.d0"), 0.3).set(path("SUB", "salience.d0"), 0.5);
    b.proposal("plan", Kind::Plan, 0);
    b.set("agenda.plan.position.d0", 0.6).set("agenda.plan.relevance.h0", 0.8);
    b.set("agenda.plan.uncertainty", 0.6);
    return b;
}
}  // namespace

// Theory's directions on the contested plan (first summit, logit): a dearer objection
// never raises the failure rate; a larger value of waiting never lowers it and never
// lowers the share of failures that are deferrals; a dearer delay never raises it.
TEST(KnownAnswers, FailureRatesMoveInTheDirectionTheTheorySays) {
    const int M = 600;
    auto failed = [&](Dyn d, double v) {
        SpecBuilder b = contested();
        b.dyn(d, v);
        const Rates x = rates(b.spec(), 0, M);
        RecordProperty(std::string(kDynNames.name(d)) + "=" + std::to_string(v) + "_failed",
                       x.blocked + x.deferred);
        RecordProperty(std::string(kDynNames.name(d)) + "=" + std::to_string(v) + "_deferred",
                       x.deferred);
        return x.blocked + x.deferred;
    };
    auto non_increasing = [&](Dyn d, std::vector<double> vs) {
        int prev = M + 1;
        for (const double v : vs) {
            const int f = failed(d, v);
            EXPECT_LE(wilson(f, M).lo, wilson(std::min(prev, M), M).hi)
                << kDynNames.name(d) << "=" << v << ": " << f << " failures after " << prev;
            prev = f;
        }
    };
    non_increasing(Dyn::ObjectionCost, {0.0, 0.05, 0.1, 0.3, 1.0, 10.0});
    non_increasing(Dyn::DelayCost, {0.0, 0.3, 1.0, 10.0});
    // The value of waiting: failures non-decreasing.
    int prev = -1, first = 0, last = 0;
    for (const double v : {0.0, 1.0, 2.0, 5.0, 10.0}) {
        const int f = failed(Dyn::WaitValue, v);
        EXPECT_GE(wilson(f, M).hi, wilson(std::max(prev, 0), M).lo) << "wait_value " << v;
        if (prev < 0) first = f;
        prev = last = f;
    }
    EXPECT_GT(last, first);  // the case is sensitive to the value of waiting
    // Objecting at cost 10 is never worth it: nothing fails.
    EXPECT_EQ(failed(Dyn::ObjectionCost, 10.0), 0);
}

// amendment_step 0: the sponsor never concedes, so no text is diluted; amendment_step 1:
// after a veto on substance the sponsor goes straight to its best offer in the win-set.
TEST(KnownAnswers, AmendmentStepZeroNeverDilutesAndOneReachesTheWinSetAtOnce) {
    SpecBuilder b = opposed(0.3);
    b.dyn(Dyn::AmendmentStep, 0.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Blocked);
    EXPECT_FLOAT_EQ(r.res.dilution, 0.0f);
    EXPECT_FLOAT_EQ(r.text[0], 0.9f);
    // Opponents at 0.3 lose y - 0.5 from a text y above q = 0.5 and accept y <= 0.6 (share
    // 0.25 of the way); the best point on the grid of tenths is share 0.2, text 0.58.
    b.dyn(Dyn::AmendmentStep, 1.0);
    r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Diluted);
    EXPECT_EQ(r.res.rounds, 2);
    EXPECT_NEAR(r.text[0], 0.58f, 1e-6);
}

// ---- 5. Deterministic choice -----------------------------------------------------------

// The same spec gives the same first summit whatever the run's key (there is nothing
// random to draw at the first summit under deterministic choice), and the same key gives
// the same record.
TEST(KnownAnswers, DeterministicChoiceGivesTheSameOutcomeEveryRun) {
    SpecBuilder b = rich();
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord first = run(b.spec(), 0);
    for (int m = 1; m < 50; ++m) {
        const RunRecord r = run(b.spec(), m);
        for (int p = 0; p < r.shape.proposals; ++p) {
            ASSERT_EQ(outcome(r, 0, p), outcome(first, 0, p));
            ASSERT_EQ(r.rounds[p], first.rounds[p]);
            for (int i = 0; i < r.shape.agents; ++i)
                ASSERT_EQ(flag(r, 0, p, i), flag(first, 0, p, i));
        }
    }
    const RunRecord again = run(b.spec(), 7), again2 = run(b.spec(), 7);
    EXPECT_EQ(again.outcome, again2.outcome);
    EXPECT_EQ(again.flags, again2.flags);
    EXPECT_EQ(again.status_quo, again2.status_quo);
}

// Ties go to the more cooperative option (docs/model.md III.4.2): a member whose loss is
// exactly the objection cost joins; on a declaration where a reservation gains exactly
// what it costs, it joins plainly.
TEST(KnownAnswers, DeterministicTiesGoToTheMoreCooperativeOption) {
    SpecBuilder b(1, 0, 1);
    b.agent("AAA");
    b.agent("BBB");
    b.set(path("AAA", "position.d0"), 0.5).set(path("AAA", "salience.d0"), 1.0);
    b.set(path("BBB", "salience.d0"), 0.2);  // BBB at 0 = q: loses 0.2 x 0.5 = 0.1
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 0.5);
    b.dyn(Dyn::ReservationGain, 0.0).dyn(Dyn::ReservationCost, 0.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.amendment = AmendmentRule::None;
    const Resolved r = resolve_once(b.spec(), 0);
    ASSERT_EQ(r.res.outcome, Outcome::Adopted);  // join = reserve = object = -0.1: join
    EXPECT_TRUE(r.flags[1] & kJoined);
    EXPECT_FALSE(r.flags[1] & kReserved);
}

// ---- 6. The win-set against a brute-force fine grid ------------------------------------

namespace {
/// Whether member j accepts the text at share w of the way (1-D, no threats, no relations,
/// no uncertainty): its spatial gain is at least minus the objection cost.
double gain_at(double x, double s, double q, double y) {
    return s * (std::abs(x - q) - std::abs(x - y));
}
}  // namespace

// Random one-dimension cases with amendment_step 1 and two rounds under deterministic
// choice: after the first round's veto the sponsor offers its best grid point of the
// win-set. Checked against a brute-force grid of 10,000 shares:
// - if no share in (0, 1] is acceptable to every member, the text fails;
// - if it passes, every member accepts the final text and the sponsor values it at least
//   as much as every acceptable point of the model's grid of tenths (its best offer);
// - the sponsor loses at most one grid step against the fine-grid optimum.
// Cases where a non-empty win-set lies wholly below the first grid point are counted.
TEST(KnownAnswers, TheWinSetOfferIsTheSponsorsBestAcceptablePoint) {
    std::mt19937_64 gen(12345);
    std::uniform_real_distribution<double> U(0.0, 1.0);
    int nonempty = 0, missed = 0, passed_cases = 0;
    for (int c = 0; c < 600; ++c) {
        const int n = 3 + static_cast<int>(U(gen) * 3);
        SpecBuilder b(1, 0, 1);
        const double q = U(gen), y0 = U(gen), cost = 0.02 + 0.2 * U(gen);
        std::vector<double> x(n), s(n);
        for (int i = 0; i < n; ++i) {
            b.agent("A" + std::to_string(i));
            x[i] = i == 0 ? y0 : U(gen);
            s[i] = 0.2 + 0.8 * U(gen);
            b.set(path("A" + std::to_string(i), "position.d0"), x[i]);
            b.set(path("A" + std::to_string(i), "salience.d0"), s[i]);
        }
        b.set("status_quo.d0", q);
        b.proposal("text", Kind::Institution, 0);
        b.set("agenda.text.position.d0", y0);
        b.dyn(Dyn::ObjectionCost, cost).dyn(Dyn::AmendmentStep, 1.0).dyn(Dyn::Rounds, 2);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.pressure = PressureRule::Disabled;
        auto ok = [&](double w) {
            const double y = q + w * (y0 - q);
            for (int i = 1; i < n; ++i)
                if (gain_at(x[i], s[i], q, y) < -cost) return false;
            return true;
        };
        auto sponsor = [&](double w) { return gain_at(x[0], s[0], q, q + w * (y0 - q)); };
        if (ok(1.0) || std::abs(y0 - q) < 0.05) continue;  // nothing to bargain over
        double fine_best = -1.0;
        bool any = false;
        for (int k = 1; k <= 10000; ++k)
            if (ok(k / 1e4)) {
                any = true;
                fine_best = std::max(fine_best, sponsor(k / 1e4));
            }
        const Resolved r = resolve_once(b.spec(), 0);
        if (!any) {
            ASSERT_FALSE(passed(r.res.outcome)) << "case " << c;
            continue;
        }
        ++nonempty;
        if (!passed(r.res.outcome)) {
            // Only where no point of the grid of tenths is in the win-set.
            for (int k = 1; k <= 10; ++k) ASSERT_FALSE(ok(k / 10.0)) << "case " << c;
            ++missed;
            continue;
        }
        ++passed_cases;
        const double w = (r.text[0] - q) / (y0 - q);
        ASSERT_TRUE(ok(w - 1e-6) || ok(w)) << "case " << c;
        for (int k = 1; k <= 10; ++k)
            if (ok(k / 10.0)) {
                ASSERT_GE(sponsor(w) + 1e-6, sponsor(k / 10.0)) << "case " << c;
            }
        // One grid step of the sponsor's own salience is all it can lose.
        ASSERT_GE(sponsor(w) + s[0] * std::abs(y0 - q) / 10.0 + 1e-6, fine_best) << "case " << c;
    }
    EXPECT_GT(passed_cases, 50);
    // The grid is the model (docs/model.md III.4.5): a win-set narrower than a tenth of the
    // offer is treated as empty. Record how often that happens in these cases.
    RecordProperty("nonempty", nonempty);
    RecordProperty("missed_narrow_win_sets", missed);
    EXPECT_LT(missed, nonempty);
}

// The same random cases with a sponsor floor F between the grid's points: in one dimension
// the members accept an interval of shares that starts at the status quo, so the text at
// exactly F is in the win-set whenever any text at F or above is, and then the text passes
// with at least F of its aim; otherwise it fails. Before the floor's own text was a
// candidate, the grid stepped from a share above F that some member refuses to one below F
// that the sponsor may not offer, and the text failed although texts between passed (the
// free trade zone of the record scenario at sponsor_floor 0.375, session 22's attack).
TEST(KnownAnswers, TheSponsorsFloorIsItselfACandidate) {
    std::mt19937_64 gen(2022);
    std::uniform_real_distribution<double> U(0.0, 1.0);
    int passed_cases = 0, only_at_floor = 0;
    for (int c = 0; c < 800; ++c) {
        const int n = 3 + static_cast<int>(U(gen) * 3);
        SpecBuilder b(1, 0, 1);
        const double q = U(gen), y0 = U(gen), cost = 0.02 + 0.2 * U(gen);
        const double F = 0.05 + 0.9 * U(gen);
        std::vector<double> x(n), s(n);
        for (int i = 0; i < n; ++i) {
            b.agent("A" + std::to_string(i));
            x[i] = i == 0 ? y0 : U(gen);
            s[i] = 0.2 + 0.8 * U(gen);
            b.set(path("A" + std::to_string(i), "position.d0"), x[i]);
            b.set(path("A" + std::to_string(i), "salience.d0"), s[i]);
        }
        b.set("status_quo.d0", q);
        b.proposal("text", Kind::Institution, 0);
        b.set("agenda.text.position.d0", y0);
        b.dyn(Dyn::ObjectionCost, cost).dyn(Dyn::AmendmentStep, 1.0).dyn(Dyn::Rounds, 2);
        b.dyn(Dyn::SponsorFloor, F);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.pressure = PressureRule::Disabled;
        auto margin = [&](double w) {
            const double y = q + w * (y0 - q);
            double m = 1.0;
            for (int i = 1; i < n; ++i) m = std::min(m, gain_at(x[i], s[i], q, y) + cost);
            return m;
        };
        if (margin(1.0) >= 0.0 || std::abs(y0 - q) < 0.05) continue;  // nothing to bargain
        if (std::abs(margin(F)) < 1e-9) continue;  // F on the win-set's edge: rounding decides
        const Resolved r = resolve_once(b.spec(), 0);
        ASSERT_EQ(passed(r.res.outcome), margin(F) > 0.0) << "case " << c;
        if (!passed(r.res.outcome)) continue;
        ++passed_cases;
        const double w = (r.text[0] - q) / (y0 - q);
        ASSERT_GE(w, F - 1e-6) << "case " << c;
        bool grid = false;
        for (int k = 1; k <= 10; ++k) grid = grid || (k / 10.0 >= F && margin(k / 10.0) >= 0.0);
        if (!grid) {
            ++only_at_floor;
            ASSERT_NEAR(w, F, 1e-6) << "case " << c;
        }
    }
    EXPECT_GT(passed_cases, 50);
    RecordProperty("only_at_floor", only_at_floor);
    EXPECT_GT(only_at_floor, 5);  // the cases the grid alone would have lost
}

// A floor just above a point of the grid (session 22's second attack): the grid point
// itself misses the floor by the rounding of its effect, and the floor's text was skipped as
// "on the grid" within 1e-9, so for floors in about (0.3 + 1e-12, 0.3 + 1e-10) neither was
// tried and the text was blocked, while floors 0.3 and 0.3 + 5e-10 passed. opposed(0.1) at
// objection cost 0.14: the opponents accept up to 0.35 of the way (0.4 w <= 0.14).
TEST(KnownAnswers, AFloorJustAboveAGridPointIsStillReached) {
    for (const double F : {0.3, 0.3 + 5e-11, 0.3 + 5e-10, 0.33, 0.36}) {
        SpecBuilder b = opposed(0.1);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.dyn(Dyn::ObjectionCost, 0.14).dyn(Dyn::AmendmentStep, 1.0).dyn(Dyn::Rounds, 2.0);
        b.dyn(Dyn::SponsorFloor, F);
        const Resolved r = resolve_once(b.spec(), 0);
        const std::string what = "floor " + std::to_string(F);
        if (F > 0.35) {
            EXPECT_EQ(r.res.outcome, Outcome::Blocked) << what;
            EXPECT_TRUE(r.res.win_set_empty) << what;
            continue;
        }
        ASSERT_EQ(r.res.outcome, Outcome::Diluted) << what;
        EXPECT_GE((r.text[0] - 0.5) / 0.4, F - 1e-6) << what;
        EXPECT_LE((r.text[0] - 0.5) / 0.4, 0.35 + 1e-9) << what;
    }
}

// Two dimensions (session 22's second attack): the opponents care about d0 alone and accept
// up to 0.35 of its way (objection cost 0.35, salience 1); the sponsor values d1 five times
// more than d0. The aim is 2 (both dimensions from 0 to 1), so on d0's line (d1 kept whole)
// the effect is (w0 + 1) / 2: the grid's 0.3 gives 0.65, its 0.4 is refused. At floor 0.66
// the text on d0's line at the floor (w0 = 0.32, effect 0.66) is the one the sponsor wants:
// it keeps d1 whole. With the floor's text on the even line only, (0.66, 0.66) was refused,
// the win-set counted as empty, and a higher floor could give a smaller text than a lower
// one (0.825 against 0.851 in the attack's scenario).
TEST(KnownAnswers, TheFloorIsReachedOnEachDimensionsLineToo) {
    for (const double F : {0.6, 0.66}) {
        SpecBuilder b(2, 0, 1);
        b.agent("AAA");
        b.agent("BBB");
        b.agent("CCC");
        b.set(path("AAA", "position.d0"), 1.0).set(path("AAA", "position.d1"), 1.0);
        b.set(path("AAA", "salience.d0"), 0.2).set(path("AAA", "salience.d1"), 1.0);
        for (const char* id : {"BBB", "CCC"}) {
            b.set(path(id, "position.d0"), 0.0).set(path(id, "salience.d0"), 1.0);
            b.set(path(id, "position.d1"), 1.0);
        }
        b.proposal("text", Kind::Plan, 0);
        b.set("agenda.text.position.d0", 1.0).set("agenda.text.position.d1", 1.0);
        b.dyn(Dyn::ObjectionCost, 0.35).dyn(Dyn::AmendmentStep, 1.0).dyn(Dyn::Rounds, 2.0);
        b.dyn(Dyn::SponsorFloor, F);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.pressure = PressureRule::Disabled;
        const Resolved r = resolve_once(b.spec(), 0);
        const std::string what = "floor " + std::to_string(F);
        ASSERT_EQ(r.res.outcome, Outcome::Diluted) << what;
        EXPECT_NEAR(r.text[1], 1.0f, 1e-6f) << what;  // d1 kept whole
        EXPECT_NEAR(r.text[0], F < 0.65 ? 0.3f : 0.32f, 1e-6f) << what;
        EXPECT_GE((r.text[0] + r.text[1]) / 2.0, F - 1e-6) << what;
    }
}

// ---- 7. Opt-out projects ---------------------------------------------------------------

namespace {
/// An opt-out plan on one dimension, q = 0.5 -> text 0.9, sponsor AAA and a member BBB that
/// supports it; LOS at 0.5 - `far` (salience 1) loses from it.
SpecBuilder opt_out_case(double far, double share) {
    SpecBuilder b(1, 0, 1);
    b.agent("AAA");
    b.agent("BBB");
    b.agent("LOS");
    b.set("status_quo.d0", 0.5);
    b.set(path("AAA", "position.d0"), 0.9).set(path("BBB", "position.d0"), 0.9);
    b.set(path("LOS", "position.d0"), 0.5 - far);
    for (const char* id : {"AAA", "BBB", "LOS"}) b.set(path(id, "salience.d0"), 1.0);
    b.proposal("proj", Kind::Plan, 0, /*opt_out=*/true);
    b.set("agenda.proj.position.d0", 0.9);
    b.dyn(Dyn::StayOutShare, share);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.amendment = AmendmentRule::None;
    b.spec().variants.pressure = PressureRule::Disabled;
    return b;
}
}  // namespace

// A member that loses L = 0.4 from the project (it lies on the status quo's far side)
// bears stay_out_share x L if it stays out: it vetoes exactly when that exceeds the
// objection cost, and otherwise stays out without blocking (the coalition goes ahead).
TEST(KnownAnswers, AnOptOutVetoComesOnlyFromALossAboveTheObjectionCost) {
    for (const double share : {0.0, 0.1, 0.2, 0.3, 0.5, 1.0})
        for (const double far : {0.0, 0.1, 0.3}) {
            const double loss = 0.4;  // LOS at or below q: the text moves it 0.4 away
            const Resolved r = resolve_once(opt_out_case(far, share).spec(), 0);
            const bool veto = (r.flags[2] & kVeto) != 0;
            const bool expect_veto = share * loss > 0.1 + 1e-12;
            EXPECT_EQ(veto, expect_veto) << "share " << share << " far " << far;
            if (!expect_veto) {
                EXPECT_EQ(r.res.outcome, Outcome::Coalition) << "share " << share;
                EXPECT_TRUE(r.flags[2] & kStayedOut);
            } else {
                EXPECT_EQ(r.res.outcome, Outcome::Blocked);
            }
        }
}

// Staying out is never a veto: with min_participants met, however many members stay out,
// the project passes; a member that stays out is never flagged as objecting.
TEST(KnownAnswers, StayingOutNeverBlocks) {
    SpecBuilder b = opt_out_case(0.0, 0.1);
    b.spec().proposals[0].kind = Kind::Exercise;
    b.set(path("BBB", "military_reluctance"), 0.4);
    b.spec().variants.choice = ChoiceRule::Logit;
    b.spec().variants.amendment = AmendmentRule::WinSet;
    b.set("agenda.proj.min_participants", 1.0);
    const int M = 3000;
    int out_and_failed_without_veto = 0, out_and_passed = 0;
    for (int m = 0; m < M; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        bool veto = false, out = false;
        for (int i = 0; i < 3; ++i) {
            veto = veto || (r.flags[i] & kVeto);
            out = out || (r.flags[i] & kStayedOut);
            ASSERT_FALSE((r.flags[i] & kStayedOut) && (r.flags[i] & kObjected));
        }
        if (!veto) out_and_failed_without_veto += !passed(r.res.outcome);
        out_and_passed += out && passed(r.res.outcome);
    }
    EXPECT_EQ(out_and_failed_without_veto, 0);
    EXPECT_GT(out_and_passed, M / 2);  // the case exercises staying out
}

// stay_out_share 1: joining and staying out differ only by costs and relations. With no
// cost and no relation the member is indifferent and joins (ties to cooperation); with an
// exercise cost it stays out; its veto does not depend on that cost.
TEST(KnownAnswers, WithFullStayOutShareJoiningAndStayingOutDifferOnlyByCostsAndRelations) {
    for (const double far : {0.0, 0.3}) {
        SpecBuilder b = opt_out_case(far, 1.0);
        b.set(path("LOS", "position.d0"), 0.8);  // gains 0.3 - |0.8 - 0.9| = 0.2: supports
        Resolved r = resolve_once(b.spec(), 0);
        EXPECT_TRUE(r.flags[2] & kJoined);
        b.set(path("LOS", "position.d0"), 0.5 - far);
        r = resolve_once(b.spec(), 0);
        const bool veto_plan = r.flags[2] & kVeto;
        // As an exercise with reluctance: the loss is the same, the cost only separates join
        // from stay out, so the veto is unchanged.
        b.spec().proposals[0].kind = Kind::Exercise;
        b.set(path("LOS", "military_reluctance"), 0.7);
        r = resolve_once(b.spec(), 0);
        EXPECT_EQ(static_cast<bool>(r.flags[2] & kVeto), veto_plan);
        EXPECT_TRUE(veto_plan);  // share 1: bears the whole loss 0.4 > 0.1
    }
    // No veto case with a cost: a gaining member with reluctance stays out.
    SpecBuilder b = opt_out_case(0.0, 1.0);
    b.spec().proposals[0].kind = Kind::Exercise;
    b.set(path("LOS", "position.d0"), 0.8).set(path("LOS", "military_reluctance"), 0.1);
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r.flags[2] & kStayedOut);
    EXPECT_EQ(r.res.outcome, Outcome::Coalition);
}

// ---- 8. Status quo dynamics ------------------------------------------------------------

namespace {
/// A recurring plan every member wants, implemented at once; q = 0.2 -> `target`.
SpecBuilder achieved(double target, int periods) {
    SpecBuilder b(1, 0, periods);
    for (const char* id : {"AAA", "BBB", "CCC"}) {
        b.agent(id);
        b.set(path(id, "position.d0"), target).set(path(id, "salience.d0"), 1.0);
    }
    b.set("status_quo.d0", 0.2);
    b.proposal("plan", Kind::Plan, 0);
    b.spec().proposals[0].recurring = true;
    b.set("agenda.plan.position.d0", target);
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    return b;
}
}  // namespace

// An adopted text moves the status quo by the change it made, from its implementation on;
// a recurring text whose aim is reached is not tabled again.
TEST(KnownAnswers, AnAchievedRecurringTextIsNotTabledAgain) {
    for (const double target : {0.3, 0.55, 0.7, 0.9, 0.95, 1.0}) {
        const RunRecord r = run(achieved(target, 4).spec(), 0);
        ASSERT_EQ(outcome(r, 0, 0), Outcome::Adopted) << target;
        EXPECT_FLOAT_EQ(sq(r, 1, 0), static_cast<float>(target));
        for (int t = 1; t < 4; ++t)
            EXPECT_EQ(outcome(r, t, 0), Outcome::NotTabled) << "target " << target << " t " << t;
    }
}

// A text adopted but never implemented lapses and, recurring, returns at the next summit
// against the unchanged status quo.
TEST(KnownAnswers, ALapsedRecurringTextReturns) {
    SpecBuilder b = achieved(0.7, 3);
    b.dyn(Dyn::ImplementationRate, 0.0);
    const RunRecord r = run(b.spec(), 0);
    for (int t = 0; t < 3; ++t) {
        EXPECT_EQ(outcome(r, t, 0), Outcome::Adopted) << t;
        EXPECT_FLOAT_EQ(sq(r, t, 0), 0.2f);
    }
}

// Two texts on the same dimension add up: each moves the status quo by the change it made.
TEST(KnownAnswers, TextsOnOneDimensionAddUp) {
    SpecBuilder b = opposed(0.1, 4);
    b.set(path("BBB", "position.d0"), 0.9).set(path("CCC", "position.d0"), 0.9);
    b.spec().proposals[0].recurring = false;
    b.proposal("more", Kind::Declaration, 1);
    b.spec().proposals[1].prerequisites = {0};
    b.set("agenda.more.position.d0", 1.0);
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord r = run(b.spec(), 0);
    ASSERT_EQ(outcome(r, 0, 0), Outcome::Adopted);
    EXPECT_NEAR(sq(r, 1, 0), 0.9f, 1e-6);
    // "more" is judged at t=1 against 0.9: every member (ideal 0.9) loses 0.1 from 1.0.
    ASSERT_EQ(outcome(r, 1, 1), Outcome::Adopted);
    EXPECT_NEAR(sq(r, 2, 0), 1.0f, 1e-6);
}

// Two texts on one dimension adopted at the same summit are both judged against the same
// status quo, and each moves it by the change it made, but not past its own position
// (docs/model.md III.5): two texts that each aim at 0.6 from 0.2 take the status quo to
// 0.6, the level both set. Before session 20 the changes added up: 1.0 (0.2 + 0.4 + 0.4,
// clamped), beyond both texts and every member's ideal.
TEST(KnownAnswers, TwoTextsAdoptedAtOneSummitTowardsOneLevelReachItOnce) {
    SpecBuilder b(1, 0, 2);
    for (const char* id : {"AAA", "BBB"}) {
        b.agent(id);
        b.set(path(id, "position.d0"), 0.6).set(path(id, "salience.d0"), 1.0);
    }
    b.set("status_quo.d0", 0.2);
    b.proposal("one", Kind::Plan, 0);
    b.proposal("two", Kind::Institution, 1);
    b.set("agenda.one.position.d0", 0.6).set("agenda.two.position.d0", 0.6);
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord r = run(b.spec(), 0);
    ASSERT_EQ(outcome(r, 0, 0), Outcome::Adopted);
    ASSERT_EQ(outcome(r, 0, 1), Outcome::Adopted);
    EXPECT_FLOAT_EQ(sq(r, 1, 0), 0.6f);
}

// Texts implemented in one period take effect together: the status quo does not depend on
// their order on the agenda (session 20's attack: two texts at 0.9 and one at 0.1, from 0.5,
// all adopted, gave 0.6 or 0.9 by the order, one text at a time with a clamp). The rise to
// 0.9 counts once against the fall to 0.1: 0.5.
TEST(KnownAnswers, TheAgendasOrderDoesNotMoveTheImplementedStatusQuo) {
    float first = -1.0f;
    for (const auto& order :
         {std::vector<int>{0, 1, 2}, std::vector<int>{2, 0, 1}, std::vector<int>{0, 2, 1}}) {
        SpecBuilder b(1, 0, 2);
        for (const char* id : {"AAA", "BBB", "CCC"}) {
            b.agent(id);  // indifferent members (salience 0.1): every text passes
            b.set(path(id, "position.d0"), 0.5).set(path(id, "salience.d0"), 0.1);
        }
        b.set("status_quo.d0", 0.5);
        const char* names[] = {"up_a", "up_b", "down_c"};
        const double at[] = {0.9, 0.9, 0.1};
        for (const int k : order) {
            b.proposal(names[k], Kind::Plan, k);
            b.set(std::string("agenda.") + names[k] + ".position.d0", at[k]);
        }
        b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        const RunRecord r = run(b.spec(), 0);
        for (int p = 0; p < 3; ++p) ASSERT_EQ(outcome(r, 0, p), Outcome::Adopted);
        if (first < 0.0f) first = sq(r, 1, 0);
        EXPECT_EQ(sq(r, 1, 0), first);
    }
    EXPECT_FLOAT_EQ(first, 0.5f);
}

// A member exactly indifferent in decimal terms (its ideal at the status quo, a text 0.1
// away at salience 1, objection cost 0.1) ties, and ties go the cooperative way (III.4.2),
// wherever the status quo lies: the loss computed in floating point may round a hair above
// 0.1, and before session 20 the member then blocked (at 4 of 19 positions in session
// 20's attack). The win-set test reads the tie the same way: a text it accepts is adopted.
TEST(KnownAnswers, AMemberIndifferentInDecimalTermsLetsTheTextPass) {
    for (int k = 1; k <= 18; ++k) {
        const double q = 0.05 * k;
        SpecBuilder b(1, 0);
        b.agent("AAA");
        b.agent("BBB");
        b.set(path("AAA", "position.d0"), 1.0).set(path("AAA", "salience.d0"), 1.0);
        b.set(path("BBB", "position.d0"), q).set(path("BBB", "salience.d0"), 1.0);
        b.set("status_quo.d0", q);
        b.proposal("plan", Kind::Plan, 0);
        b.set("agenda.plan.position.d0", q + 0.1);
        b.dyn(Dyn::ObjectionCost, 0.1);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        const Resolved r = resolve_once(b.spec(), 0);
        EXPECT_EQ(r.res.outcome, Outcome::Adopted) << "status quo " << q;
        EXPECT_EQ(r.res.rounds, 1) << "status quo " << q;
        // Under uncertainty it objects to wait, and on substance it would not block (its best
        // support ties with objecting): its veto asks for time and the text is deferred
        // (session 20's third attack: blocked at 8 of 36 positions, the tie read exactly).
        b.set("agenda.plan.uncertainty", 0.5).dyn(Dyn::Rounds, 1);
        b.spec().variants.amendment = AmendmentRule::None;
        b.spec().variants.pressure = PressureRule::Disabled;
        const Resolved u = resolve_once(b.spec(), 0);
        EXPECT_EQ(u.res.outcome, Outcome::Deferred) << "status quo " << q;
        EXPECT_TRUE(u.flags[1] & kWaited) << "status quo " << q;
    }
}

// Deferred or blocked from the agents' reasons (III.4.8): a member that gains on balance
// but would wait defers the plan; one that loses on substance blocks it.
TEST(KnownAnswers, AWaitingVetoDefersAndASubstantiveVetoBlocks) {
    SpecBuilder b = contested();
    b.set(path("SUB", "salience.d0"), 0.0);  // SUB indifferent: WAI alone decides
    b.dyn(Dyn::WaitValue, 10.0).dyn(Dyn::Rounds, 1);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Deferred);
    EXPECT_TRUE(r.flags[1] & kWaited);
    b.dyn(Dyn::WaitValue, 0.0).set(path("SUB", "salience.d0"), 0.5);
    r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Blocked);
    EXPECT_TRUE(r.flags[2] & kVeto);
    EXPECT_FALSE(r.flags[2] & kWaited);
}

// Two dimensions: the offer is accepted by every member, and it is at least as good for
// the sponsor as every point of the search's own candidates (the line from the status quo
// and each dimension alone, on the grid of tenths). Against a full two-dimensional grid of
// 51 x 51 shares the sponsor may do better (the search does not cover every combination,
// docs/model.md III.4.5): the largest shortfall is recorded.
TEST(KnownAnswers, TheTwoDimensionWinSetOfferIsAcceptedAndBestOnItsCandidates) {
    std::mt19937_64 gen(777);
    std::uniform_real_distribution<double> U(0.0, 1.0);
    int passed_cases = 0, worse_than_full_grid = 0, worse_than_tenths = 0;
    double worst_gap = 0.0, worst_tenths_gap = 0.0;
    for (int c = 0; c < 300; ++c) {
        const int n = 3 + static_cast<int>(U(gen) * 2);
        SpecBuilder b(2, 0, 1);
        const double q[2] = {U(gen), U(gen)}, y0[2] = {U(gen), U(gen)};
        const double cost = 0.02 + 0.15 * U(gen);
        std::vector<std::array<double, 2>> x(n), s(n);
        for (int i = 0; i < n; ++i) {
            const std::string id = "A" + std::to_string(i);
            b.agent(id);
            for (int d = 0; d < 2; ++d) {
                x[i][d] = i == 0 ? y0[d] : U(gen);
                s[i][d] = 0.1 + 0.9 * U(gen);
                b.set(path(id, "position.d" + std::to_string(d)), x[i][d]);
                b.set(path(id, "salience.d" + std::to_string(d)), s[i][d]);
            }
        }
        if (std::abs(y0[0] - q[0]) < 0.05 || std::abs(y0[1] - q[1]) < 0.05) continue;
        b.set("status_quo.d0", q[0]).set("status_quo.d1", q[1]);
        b.proposal("text", Kind::Institution, 0);
        b.set("agenda.text.position.d0", y0[0]).set("agenda.text.position.d1", y0[1]);
        b.dyn(Dyn::ObjectionCost, cost).dyn(Dyn::AmendmentStep, 1.0).dyn(Dyn::Rounds, 2);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.pressure = PressureRule::Disabled;
        auto gain = [&](int i, double w0, double w1) {
            const double w[2] = {w0, w1};
            double g = 0.0;
            for (int d = 0; d < 2; ++d)
                g += gain_at(x[i][d], s[i][d], q[d], q[d] + w[d] * (y0[d] - q[d]));
            return g;
        };
        auto ok = [&](double w0, double w1) {
            for (int i = 1; i < n; ++i)
                if (gain(i, w0, w1) < -cost - 1e-9) return false;
            return true;
        };
        if (ok(1.0, 1.0)) continue;
        const Resolved r = resolve_once(b.spec(), 0);
        if (!passed(r.res.outcome)) continue;
        ++passed_cases;
        const double w0 = (r.text[0] - q[0]) / (y0[0] - q[0]);
        const double w1 = (r.text[1] - q[1]) / (y0[1] - q[1]);
        ASSERT_TRUE(ok(w0, w1)) << "case " << c;
        const double mine = gain(0, w0, w1);
        // The search's candidates: the line (k = 1..10) and each dimension alone (k = 0..9).
        std::vector<std::array<double, 2>> cands;
        for (int k = 0; k <= 10; ++k) {
            const double a = k / 10.0;
            if (k >= 1) cands.push_back({a, a});
            if (k <= 9) {
                cands.push_back({a, 1.0});
                cands.push_back({1.0, a});
            }
        }
        for (const auto& cw : cands) {
            if (ok(cw[0], cw[1])) {
                ASSERT_GE(mine + 1e-6, gain(0, cw[0], cw[1])) << "case " << c;
            }
        }
        double full = -1e9;
        for (int i = 0; i <= 50; ++i)
            for (int j = 0; j <= 50; ++j)
                if ((i || j) && ok(i / 50.0, j / 50.0))
                    full = std::max(full, gain(0, i / 50.0, j / 50.0));
        double tenths = -1e9;
        for (int i = 0; i <= 10; ++i)
            for (int j = 0; j <= 10; ++j)
                if ((i || j) && ok(i / 10.0, j / 10.0))
                    tenths = std::max(tenths, gain(0, i / 10.0, j / 10.0));
        if (tenths > mine + 1e-6) {
            ++worse_than_tenths;
            worst_tenths_gap = std::max(worst_tenths_gap, tenths - mine);
        }
        if (full > mine + 1e-6) {
            ++worse_than_full_grid;
            worst_gap = std::max(worst_gap, full - mine);
        }
    }
    EXPECT_GT(passed_cases, 30);
    RecordProperty("passed_cases", passed_cases);
    RecordProperty("worse_than_full_grid", worse_than_full_grid);
    RecordProperty("worst_gap_x1000", static_cast<int>(std::lround(1000 * worst_gap)));
    RecordProperty("worse_than_tenths_grid", worse_than_tenths);
    RecordProperty("worst_tenths_gap_x1000",
                   static_cast<int>(std::lround(1000 * worst_tenths_gap)));
}

// ---- Closed formats (open_to) and the sponsor's floor (issue 12, item 6) ---------------

// A text open to AAA and BBB only: CCC, outside the circle, never takes part and never
// vetoes, whatever it thinks of the text; BBB, inside, keeps its veto. Opened to all, the
// same CCC blocks or joins as its position says (the cases could fail both ways).
TEST(KnownAnswers, OutsideAClosedFormatAMemberNeverTakesPartNorVetoes) {
    for (const bool exercise : {false, true})
        for (const double bbb : {0.1, 0.9})
            for (const double ccc : {0.1, 0.9}) {
                SpecBuilder b = opposed(0.1);
                b.set(path("BBB", "position.d0"), bbb).set(path("CCC", "position.d0"), ccc);
                if (exercise) {
                    b.spec().proposals[0].kind = Kind::Exercise;
                    b.spec().proposals[0].opt_out = true;
                    b.set("agenda.text.min_participants", 2.0);
                }
                b.spec().variants.choice = ChoiceRule::Logit;
                int ccc_in_open = 0, bbb_veto = 0;
                const int M = 600;
                for (int m = 0; m < M; ++m) {
                    b.spec().proposals[0].open_to = {0, 1};
                    const Resolved r = resolve_once(b.spec(), m);
                    ASSERT_EQ(r.flags[2] & (kJoined | kObjected | kVeto | kWaited), 0)
                        << "CCC outside the circle, run " << m;
                    ASSERT_TRUE(r.flags[2] & kStayedOut);
                    bbb_veto += (r.flags[1] & kVeto) != 0;
                    // BBB agrees: nothing inside the circle stops the text, and CCC's staying
                    // out does not make it a coalition.
                    if (bbb > 0.5 && !(r.flags[1] & kVeto)) {
                        ASSERT_TRUE(passed(r.res.outcome)) << "run " << m;
                        ASSERT_NE(r.res.outcome, Outcome::Coalition);
                    }
                    b.spec().proposals[0].open_to.clear();
                    const Resolved o = resolve_once(b.spec(), m);
                    ccc_in_open += (o.flags[2] & (ccc > 0.5 ? kJoined : kVeto)) != 0;
                }
                if (bbb < 0.5) {
                    // On the plan BBB loses far more than objecting costs and vetoes to the
                    // end. On the opt-out exercise it is near indifference once the text is
                    // amended (staying out costs it 0.3 x 0.4 w), and vetoes in the last round
                    // only if its disposition lies in the objection band at the last offer:
                    // in 241 of these 600 runs since a refused text is not offered again (the
                    // sponsor concedes further), in more than half before.
                    EXPECT_GT(bbb_veto, exercise ? M / 4 : M / 2) << "BBB inside keeps its veto";
                } else {
                    EXPECT_EQ(bbb_veto, 0);
                }
                // Open to all, CCC acts on its position on the plan: joins at 0.9, vetoes at 0.1.
                if (!exercise) {
                    EXPECT_GT(ccc_in_open, M / 2) << ccc;
                }
            }
}

// Under towards_compromise the text steps towards the compromise of the format's members:
// where the outsider of a closed format stands changes nothing (III.4: outsiders hold no
// say). Session 20's attack: a bilateral plan of AAA (at 1.0) and BBB (at 0.6) passed
// diluted with an outsider of capability 1 at 0 and was blocked with it at 1, since the
// compromise was taken over every member.
TEST(KnownAnswers, TheCompromiseStepsOfAClosedFormatIgnoreItsOutsiders) {
    std::vector<Resolved> by_outsider;
    for (const double ccc : {0.0, 1.0}) {
        SpecBuilder b(1, 0);
        b.agent("AAA", Role::Member, 0.2);
        b.agent("BBB", Role::Member, 0.2);
        b.agent("CCC", Role::Member, 1.0);
        b.set(path("AAA", "position.d0"), 1.0).set(path("BBB", "position.d0"), 0.65);
        b.set(path("CCC", "position.d0"), ccc);
        for (const char* id : {"AAA", "BBB", "CCC"}) b.set(path(id, "salience.d0"), 1.0);
        b.set("status_quo.d0", 0.5);
        b.proposal("bilateral", Kind::Plan, 0);
        b.set("agenda.bilateral.position.d0", 1.0);
        b.spec().proposals[0].open_to = {0, 1};
        b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::AmendmentStep, 0.5).dyn(Dyn::Rounds, 3);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.amendment = AmendmentRule::TowardsCompromise;
        b.spec().variants.pressure = PressureRule::Disabled;
        by_outsider.push_back(resolve_once(b.spec(), 0));
    }
    // BBB (at 0.65) loses 0.2 from 1.0 and accepts once the text has stepped half way
    // towards the compromise of AAA and BBB (0.825) twice: 1.0 -> 0.9125 -> 0.86875, where
    // it loses 0.069, less than objecting costs. (Over every member the compromise was
    // 0.236 with CCC at 0, passed in round 2, and 0.95 with CCC at 1, blocked.)
    EXPECT_EQ(by_outsider[0].res.outcome, Outcome::Diluted);
    EXPECT_EQ(by_outsider[0].res.rounds, 3);
    EXPECT_EQ(by_outsider[1].res.outcome, by_outsider[0].res.outcome);
    EXPECT_EQ(by_outsider[1].res.rounds, by_outsider[0].res.rounds);
    EXPECT_EQ(by_outsider[1].res.dilution, by_outsider[0].res.dilution);
}

// opposed(0.1): each opponent loses 1.0 x 0.4 = 0.4 from the full text and accepts a text
// only if it loses at most the objection cost 0.1, i.e. one achieving at most 0.25 of the
// aim. With sponsor_floor 0 (the default) the sponsor dilutes to that and the text passes
// within six summits; with a floor of 0.2 it passes no smaller than 0.2 of the aim; with a
// floor of 0.3 the win-set holds no text the sponsor accepts, and it never passes.
TEST(KnownAnswers, ASponsorNeverAcceptsATextBelowItsFloor) {
    for (const double floor : {0.0, 0.2, 0.3, 0.6}) {
        SpecBuilder b = opposed(0.1, 6);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.dyn(Dyn::SponsorFloor, floor);
        const RunRecord r = run(b.spec(), 0);
        int first = -1;
        for (int t = 0; t < 6 && first < 0; ++t)
            if (passed(outcome(r, t, 0))) first = t;
        if (floor > 0.25) {
            EXPECT_EQ(first, -1) << "floor " << floor;
            const Resolved once = resolve_once(b.spec(), 0);
            EXPECT_TRUE(once.res.win_set_empty);
            EXPECT_EQ(once.res.outcome, Outcome::Blocked);
        } else {
            ASSERT_GE(first, 0) << "floor " << floor;
            const double share = (text_of(r, first, 0, 0) - 0.5) / 0.4;
            EXPECT_GE(share, floor - 1e-6) << "floor " << floor;
            EXPECT_LE(share, 0.25 + 1e-6) << "floor " << floor;
        }
    }
}

// ---- Attacks on open_to and sponsor_floor (issue 12, item 6, review) ------------------

namespace {

/// Everything one resolution decides for the agents 0..k-1, compared bit for bit.
void expect_same_for(const Resolved& a, const Resolved& b, int k, const std::string& what) {
    ASSERT_EQ(a.res.outcome, b.res.outcome) << what;
    ASSERT_EQ(a.res.rounds, b.res.rounds) << what;
    ASSERT_EQ(a.res.dilution, b.res.dilution) << what;
    ASSERT_EQ(a.res.pressure, b.res.pressure) << what;
    ASSERT_EQ(a.res.win_set_empty, b.res.win_set_empty) << what;
    ASSERT_EQ(a.text, b.text) << what;
    for (int d = 0; d < a.w.dims; ++d) ASSERT_EQ(a.w.offer(0, d), b.w.offer(0, d)) << what;
    for (int i = 0; i < k; ++i) {
        ASSERT_EQ(a.flags[i], b.flags[i]) << what << " agent " << i;
        for (int j = 0; j < k; ++j) ASSERT_EQ(a.w.tension(i, j), b.w.tension(i, j)) << what;
    }
}

/// A plan of great power AAA (0.9 against q = 0.5) with a mild supporter EEE (0.7) and an
/// opponent BBB (0.3) that AAA can press. With `outsiders`, two agents follow: CCC, an exact
/// clone of BBB, and DDD, a great power of the sponsor's view with affinity to BBB and
/// capability 1 (if it could act, it would press objectors and sway BBB as a co-party).
SpecBuilder circle(bool outsiders) {
    SpecBuilder b(1, 0);
    b.agent("AAA", Role::Member, 0.6, true);
    b.agent("BBB");
    b.agent("EEE");
    b.set("status_quo.d0", 0.5);
    b.set(path("AAA", "position.d0"), 0.9).set(path("BBB", "position.d0"), 0.3);
    b.set(path("EEE", "position.d0"), 0.7);
    b.susceptibility(1, 0, 1.0);
    b.relation(Field::Tension, 0, 2, 0.2);
    if (outsiders) {
        b.agent("CCC");
        b.agent("DDD", Role::Member, 1.0, true);
        b.set(path("CCC", "position.d0"), 0.3).set(path("DDD", "position.d0"), 0.9);
        b.susceptibility(3, 0, 1.0);
        b.susceptibility(1, 4, 1.0);
        b.susceptibility(3, 4, 1.0);
        b.relation(Field::Affinity, 1, 4, 1.0);
        b.relation(Field::Affinity, 3, 4, 1.0);
        b.relation(Field::Tension, 0, 3, 0.5);
        b.set(path("CCC", "salience.d0"), 1.0).set(path("DDD", "salience.d0"), 1.0);
    }
    for (const char* id : {"AAA", "BBB", "EEE"}) b.set(path(id, "salience.d0"), 1.0);
    b.proposal("text", Kind::Plan, 0);
    b.set("agenda.text.position.d0", 0.9);
    b.dyn(Dyn::Rounds, 5.0).dyn(Dyn::CoPartyWeight, 1.0);  // a co-party's relations count in full
    return b;
}

}  // namespace

// Outsiders of a closed format change nothing: AAA, BBB and EEE resolve the text open to
// them exactly (bit for bit: outcome, rounds, text, carried offer, flags, pressure, tension)
// as if CCC and DDD did not exist, though CCC is BBB's clone and DDD a great power that
// backs the text and is BBB's friend. CCC is never pressed, whatever its susceptibility,
// and its tension with AAA is untouched. Opened to all, CCC vetoes as often as its clone BBB
// (Wilson) and DDD's presence changes outcomes (the comparison can fail).
TEST(KnownAnswers, OutsidersOfAClosedFormatChangeNothingAndAreNeverPressed) {
    for (const ChoiceRule rule : {ChoiceRule::Logit, ChoiceRule::Deterministic}) {
        SpecBuilder with = circle(true), without = circle(false);
        with.spec().variants.choice = without.spec().variants.choice = rule;
        with.spec().proposals[0].open_to = {0, 1, 2};
        SpecBuilder open = circle(true);
        open.spec().variants.choice = rule;
        const int M = rule == ChoiceRule::Logit ? 1500 : 1;
        int bbb_veto = 0, bbb_pressed = 0, open_bbb = 0, open_ccc = 0, open_differs = 0;
        // Flags keep only the last round's choice but keep kPressured: a veto in round 1
        // shows as a second round.
        for (int m = 0; m < M; ++m) {
            const Resolved a = resolve_once(with.spec(), m), b = resolve_once(without.spec(), m);
            expect_same_for(a, b, 3, "run " + std::to_string(m));
            ASSERT_EQ(a.flags[3], kStayedOut) << "CCC, run " << m;
            ASSERT_EQ(a.flags[4], kStayedOut) << "DDD, run " << m;
            ASSERT_EQ(a.w.tension(0, 3), 0.5f) << "CCC was pressed by AAA";
            ASSERT_EQ(a.w.tension(4, 3), 0.0f) << "CCC was pressed by DDD";
            bbb_veto += a.res.rounds > 1;
            bbb_pressed += (a.flags[1] & kPressured) != 0;
            const Resolved o = resolve_once(open.spec(), m);
            open_bbb += (o.flags[1] & kPressured) != 0;
            open_ccc += (o.flags[3] & kPressured) != 0;
            open_differs += o.res.pressure != a.res.pressure || o.text != a.text;
        }
        EXPECT_GT(bbb_veto, 0) << "BBB inside keeps its veto";
        EXPECT_GT(bbb_pressed, 0) << "pressure works inside the circle";
        EXPECT_GT(open_ccc, 0) << "opened to all, CCC is pressed";
        EXPECT_GT(open_differs, 0);
        if (rule == ChoiceRule::Logit) {
            EXPECT_TRUE(compatible(open_bbb, M, open_ccc, M)) << open_bbb << " " << open_ccc;
        }
    }
}

// A closed format every listed member but the sponsor opposes, with objecting free: it is
// blocked at once (the win-set is empty) in every run, however strongly the outsider CCC
// backs it; opened to all, the same CCC does not rescue it either, and with BBB outside
// instead it passes as tabled at once (AAA and CCC, both for it, are the whole circle).
TEST(KnownAnswers, AClosedFormatItsListedMembersOpposeNeverPasses) {
    for (const ChoiceRule rule : {ChoiceRule::Deterministic, ChoiceRule::Logit}) {
        SpecBuilder b = opposed(0.1);
        b.set(path("CCC", "position.d0"), 0.9).set(path("CCC", "salience.d0"), 1.0);
        b.dyn(Dyn::ObjectionCost, 0.0);
        b.spec().variants.choice = rule;
        const int M = rule == ChoiceRule::Logit ? 1000 : 1;
        for (int m = 0; m < M; ++m) {
            b.spec().proposals[0].open_to = {0, 1};
            const Resolved r = resolve_once(b.spec(), m);
            ASSERT_EQ(r.res.outcome, Outcome::Blocked) << "run " << m;
            ASSERT_TRUE(r.res.win_set_empty);
            ASSERT_TRUE(r.flags[1] & kVeto);
            ASSERT_EQ(r.flags[2], kStayedOut);
            b.spec().proposals[0].open_to = {0, 2};
            const Resolved s = resolve_once(b.spec(), m);
            ASSERT_EQ(s.res.rounds, 1) << "run " << m;
            ASSERT_TRUE(passed(s.res.outcome)) << "run " << m;
            ASSERT_EQ(s.res.dilution, 0.0);
            ASSERT_NE(s.res.outcome, Outcome::Diluted);
            ASSERT_NE(s.res.outcome, Outcome::Coalition);
            ASSERT_EQ(s.flags[1], kStayedOut);
        }
    }
}

// open_to listing every member is the open text, bit for bit (plan, opt-out exercise,
// with pressure, relations, uncertainty and several rounds), over 1,000 logit runs each.
TEST(KnownAnswers, OpenToEveryMemberEqualsNoOpenTo) {
    for (const bool exercise : {false, true}) {
        SpecBuilder b = circle(true);
        b.set("agenda.text.uncertainty", 0.4);
        if (exercise) {
            b.spec().proposals[0].kind = Kind::Exercise;
            b.spec().proposals[0].opt_out = true;
            b.set("agenda.text.min_participants", 3.0);
        }
        SpecBuilder all = b;
        all.spec().proposals[0].open_to = {4, 2, 0, 3, 1};  // any order
        int passes = 0, vetoes = 0;
        for (int m = 0; m < 1000; ++m) {
            const Resolved x = resolve_once(b.spec(), m), y = resolve_once(all.spec(), m);
            expect_same_for(
                x, y, 5, std::string(exercise ? "exercise" : "plan") + " run " + std::to_string(m));
            passes += passed(x.res.outcome);
            vetoes += x.res.rounds > 1;
        }
        EXPECT_GT(passes, 0);
        EXPECT_GT(vetoes, 0);
    }
}

// A circle of the sponsor alone: a plan passes as tabled at once whatever every other member
// thinks; an opt-out exercise needing two participants can never pass, one needing one passes
// as adopted (not a coalition: no listed member stayed out).
TEST(KnownAnswers, ACircleOfTheSponsorAlone) {
    SpecBuilder b = opposed(0.1);
    b.dyn(Dyn::ObjectionCost, 0.0);
    b.spec().proposals[0].open_to = {0};
    for (int m = 0; m < 200; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        ASSERT_EQ(r.res.outcome, Outcome::Adopted) << m;
        ASSERT_EQ(r.res.rounds, 1);
        ASSERT_EQ(r.res.pressure, 0);
    }
    b.spec().proposals[0].kind = Kind::Exercise;
    b.spec().proposals[0].opt_out = true;
    for (const double need : {1.0, 2.0}) {
        b.set("agenda.text.min_participants", need);
        for (int m = 0; m < 200; ++m) {
            const Resolved r = resolve_once(b.spec(), m);
            if (need > 1.0) {
                ASSERT_EQ(r.res.outcome, Outcome::Blocked) << m;
                ASSERT_FALSE(r.res.win_set_empty) << "no veto: no amendment, no win-set";
            } else {
                ASSERT_EQ(r.res.outcome, Outcome::Adopted) << m;
            }
        }
    }
}

// sponsor_floor 0 is the model before the floor: its default is 0, and a floor below every
// candidate the search can form at one summit (offers 1, 0.8, 0.6, 0.4 scaled by k/10 >= 0.04)
// gives bit-identical results to floor 0 over 1,500 logit runs of 4 rounds.
TEST(KnownAnswers, SponsorFloorZeroIsTheModelBeforeTheFloor) {
    EXPECT_EQ(dyn_default(Dyn::SponsorFloor).value, 0.0);
    SpecBuilder b = opposed(0.1);
    b.dyn(Dyn::ObjectionCost, 0.2).dyn(Dyn::Rounds, 4.0);
    b.set(path("CCC", "position.d0"), 0.45);
    SpecBuilder low = b;
    low.dyn(Dyn::SponsorFloor, 0.039);
    int diluted = 0;
    for (int m = 0; m < 1500; ++m) {
        const Resolved x = resolve_once(b.spec(), m), y = resolve_once(low.spec(), m);
        expect_same_for(x, y, 3, "run " + std::to_string(m));
        diluted += x.res.outcome == Outcome::Diluted;
    }
    EXPECT_GT(diluted, 0);
}

// Deterministic choice, worked by hand. opposed(0.1): BBB and CCC accept a text only up to
// 0.25 of the aim (0.4 w <= 0.1), so the win-set's best grid point is 0.2.
// - step 1, floor 0 or exactly 0.2: round 1 vetoed, round 2 at text 0.58 (each opponent
//   loses 0.08 < 0.1) passes: diluted, dilution 0.8, two rounds.
// - step 1, floor just above 0.2 (0.2 + 1e-9, 0.25): no grid point lies in [floor, 0.25],
//   but the text at the floor itself does (since session 22): diluted at text 0.5 + 0.4 x
//   floor in round 2 (before, the win-set counted as empty and the text was blocked).
// - step 1, floor just above 0.25 (and 1): the win-set above the floor is empty: blocked
//   in round 1, win_set_empty, the offer carried unchanged (1).
// - the same with objection cost 0.22 (acceptable up to 0.55): floor exactly 0.5 passes at
//   text 0.7, dilution 0.5, and so does a floor just above it, at its own text; a floor
//   just above 0.55 is blocked at once.
// - step 0.2, floor 0.2: the sponsor concedes 0.8, 0.6, the third round still vetoed:
//   blocked when the rounds run out (not an empty win-set), offer 0.6 carried.
TEST(KnownAnswers, TheSponsorsFloorByHand) {
    struct Case {
        double cost, step, floor;
        Outcome outcome;
        int rounds;
        bool empty;
        double offer, text;
    };
    const Case cases[] = {
        {0.1, 1.0, 0.0, Outcome::Diluted, 2, false, 1.0, 0.58},
        {0.1, 1.0, 0.2, Outcome::Diluted, 2, false, 1.0, 0.58},
        {0.1, 1.0, 0.2 + 1e-9, Outcome::Diluted, 2, false, 1.0, 0.58},
        {0.1, 1.0, 0.25, Outcome::Diluted, 2, false, 1.0, 0.6},
        {0.1, 1.0, 0.25 + 1e-6, Outcome::Blocked, 1, true, 1.0, 0.9},
        {0.1, 1.0, 1.0, Outcome::Blocked, 1, true, 1.0, 0.9},
        {0.1, 0.2, 0.2, Outcome::Blocked, 3, false, 0.6, 0.74},
        {0.1, 0.2, 0.7, Outcome::Blocked, 1, true, 1.0, 0.9},
        // Objection cost 0.22: acceptable up to 0.55, best grid point 0.5, whose effect
        // rounds to 0.4999999999999999: a floor of exactly 0.5 must still admit it.
        {0.22, 1.0, 0.5, Outcome::Diluted, 2, false, 1.0, 0.7},
        {0.22, 1.0, 0.5 + 1e-9, Outcome::Diluted, 2, false, 1.0, 0.7},
        {0.22, 1.0, 0.55 + 1e-6, Outcome::Blocked, 1, true, 1.0, 0.9},
    };
    for (const Case& c : cases) {
        SpecBuilder b = opposed(0.1);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.dyn(Dyn::AmendmentStep, c.step).dyn(Dyn::SponsorFloor, c.floor);
        b.dyn(Dyn::ObjectionCost, c.cost);
        const Resolved r = resolve_once(b.spec(), 0);
        const std::string what =
            "step " + std::to_string(c.step) + " floor " + std::to_string(c.floor);
        EXPECT_EQ(r.res.outcome, c.outcome) << what;
        EXPECT_EQ(r.res.rounds, c.rounds) << what;
        EXPECT_EQ(r.res.win_set_empty, c.empty) << what;
        EXPECT_NEAR(r.w.offer(0, 0), c.offer, 1e-9) << what;
        EXPECT_NEAR(r.text[0], c.text, 1e-6) << what;
        if (c.outcome == Outcome::Diluted) {
            EXPECT_NEAR(r.res.dilution, 1.0 - (c.text - 0.5) / 0.4, 1e-6) << what;
        }
    }
}

// sponsor_floor 1: no amended text is ever offered, so whatever passes is the tabled text
// (0.9, dilution 0, never `diluted`), over 500 logit runs of four summits; with floor 0 the
// same runs adopt diluted texts (the check can fail). Each opponent loses 0.4 from the full
// text against an objection cost of 0.38 and vetoes it in about 69% of draws (logit 40);
// half the text (step 0.5) it accepts.
TEST(KnownAnswers, SponsorFloorOneNeverAmends) {
    for (const double floor : {0.0, 1.0}) {
        SpecBuilder b = opposed(0.1, 4);
        b.dyn(Dyn::ObjectionCost, 0.38).dyn(Dyn::SponsorFloor, floor);
        b.dyn(Dyn::AmendmentStep, 0.5);
        int diluted = 0, passes = 0;
        for (int m = 0; m < 500; ++m) {
            const RunRecord r = run(b.spec(), m);
            for (int t = 0; t < 4; ++t) {
                const Outcome o = outcome(r, t, 0);
                diluted += o == Outcome::Diluted;
                if (!passed(o)) continue;
                ++passes;
                if (floor == 1.0) {
                    ASSERT_NE(o, Outcome::Diluted) << "run " << m << " summit " << t;
                    ASSERT_FLOAT_EQ(text_of(r, t, 0, 0), 0.9f) << "run " << m;
                }
            }
        }
        EXPECT_GT(passes, 0) << floor;
        if (floor == 0.0) {
            EXPECT_GT(diluted, 0);
        } else {
            EXPECT_EQ(diluted, 0);
        }
    }
}

// Raising the floor never raises dilution. On one dimension, with the sponsor at its tabled
// text, a higher floor leaves it fewer and larger offers. In every run (same key, logit), a
// text adopted under a higher floor is adopted under every lower floor, diluted no less, and
// an adopted text's dilution is at most 1 - floor. Higher floors must block some runs lower
// ones pass. (Until session 17 the sponsor's best offer was the largest acceptable share, and
// the same text was adopted under every lower floor; since its offer must make the members
// that vetoed likely to give way where some text can, III.4.5, a lower floor can let it
// settle for a smaller, safer text where a higher one leaves only larger ones.)
// Objection cost 0.2: the win-set ends at half the aim (0.4 w <= 0.2); logit precision 10 lets
// the full text pass by chance (each opponent supports it with probability 0.12).
TEST(KnownAnswers, RaisingTheSponsorFloorNeverRaisesDilution) {
    const std::array<double, 6> floors{0.0, 0.2, 0.4, 0.5, 0.7, 1.0};
    std::array<SpecBuilder, 6> specs{opposed(0.1), opposed(0.1), opposed(0.1),
                                     opposed(0.1), opposed(0.1), opposed(0.1)};
    for (std::size_t f = 0; f < floors.size(); ++f)
        specs[f]
            .dyn(Dyn::ObjectionCost, 0.2)
            .dyn(Dyn::AmendmentStep, 0.3)
            .dyn(Dyn::Rounds, 4.0)
            .dyn(Dyn::SponsorFloor, floors[f])
            .dyn(Dyn::LogitPrecision, 10.0);
    std::array<int, 6> passes{};
    for (int m = 0; m < 1500; ++m) {
        std::vector<Resolved> r;
        for (std::size_t f = 0; f < floors.size(); ++f)
            r.push_back(resolve_once(specs[f].spec(), m));
        for (std::size_t f = 0; f < floors.size(); ++f) {
            if (!passed(r[f].res.outcome)) continue;
            ++passes[f];
            ASSERT_LE(r[f].res.dilution, 1.0 - floors[f] + 1e-9) << "run " << m;
            for (std::size_t g = 0; g < f; ++g) {
                ASSERT_TRUE(passed(r[g].res.outcome)) << "run " << m << " floor " << floors[g];
                ASSERT_LE(r[f].res.dilution, r[g].res.dilution + 1e-9) << "run " << m;
            }
        }
    }
    for (std::size_t f = 1; f < floors.size(); ++f) EXPECT_LE(passes[f], passes[f - 1]);
    EXPECT_LT(passes[4], passes[0]);
    EXPECT_GT(passes[5], 0);
}

// The floor is a share of the proposal's whole aim, measured from the run's first status
// quo (III.4.5, effect), not of what is left of it when the status quo has moved. opposed(0.1)
// with the status quo moved from 0.5 to 0.7 by earlier texts: each opponent loses 0.2 w from
// the text 0.7 + 0.2 w and, at objection cost 0.11, accepts up to w = 0.55; the best grid
// point w = 0.5 (deterministic, step 1) achieves
// 0.1 / 0.4 = 0.25 of the aim. Floor 0.25 admits it (diluted, text 0.8); floor 0.3 does not
// (blocked, win-set empty), though the offer keeps half of what is left to do. With floor
// 0.6 the tabled text itself achieves only 0.5 of the aim: it is still voted as tabled, and
// is adopted where nobody objects (judgement call, docs/model.md "Known limitations").
TEST(KnownAnswers, TheSponsorsFloorIsAShareOfTheWholeAim) {
    struct Case {
        double floor, cost;
        Outcome outcome;
        bool empty;
        double text;
    };
    const Case cases[] = {
        {0.25, 0.11, Outcome::Diluted, false, 0.8},
        {0.3, 0.11, Outcome::Blocked, true, 0.9},
        {0.6, 0.3, Outcome::Adopted, false, 0.9},
    };
    for (const Case& c : cases) {
        SpecBuilder b = opposed(0.1);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.dyn(Dyn::AmendmentStep, 1.0).dyn(Dyn::SponsorFloor, c.floor);
        b.dyn(Dyn::ObjectionCost, c.cost);
        const ModelSpec& spec = b.spec();
        Workspace ws(spec);
        const Rng rng({2026, 0, 0});
        sample_params(spec, rng, ws.values);
        ws.world.reset(spec, ws.values, std::vector<unsigned char>(spec.params.size(), 0));
        ws.world.status_quo(0) = 0.7;  // earlier texts moved it; the first status quo stays 0.5
        std::vector<Flags> flags(spec.n_agents());
        float text = 0.0f;
        const ProposalResult res =
            ConsensusEngine(spec.variants)
                .resolve(ws.world, spec.proposals[0], 0, 0, rng, ws.engine, flags.data(), &text);
        EXPECT_EQ(res.outcome, c.outcome) << c.floor;
        EXPECT_EQ(res.win_set_empty, c.empty) << c.floor;
        EXPECT_NEAR(text, c.text, 1e-6) << c.floor;
    }
}

// Extremes of the floor's reach. With one round there is no amendment, so any floor is the
// model without one, bit for bit; under `towards_compromise` the floor does not apply (its
// steps are not offers the sponsor chooses, III.4.5): floor 1 still dilutes there.
TEST(KnownAnswers, TheFloorActsOnlyThroughWinSetOffers) {
    SpecBuilder b = opposed(0.1);
    b.dyn(Dyn::ObjectionCost, 0.38).dyn(Dyn::Rounds, 1.0);
    SpecBuilder top = b;
    top.dyn(Dyn::SponsorFloor, 1.0);
    int passes = 0;
    for (int m = 0; m < 1000; ++m) {
        const Resolved x = resolve_once(b.spec(), m), y = resolve_once(top.spec(), m);
        expect_same_for(x, y, 3, "run " + std::to_string(m));
        passes += passed(x.res.outcome);
    }
    EXPECT_GT(passes, 0);
    EXPECT_LT(passes, 1000);
    top.dyn(Dyn::Rounds, 3.0).dyn(Dyn::ObjectionCost, 0.1);
    top.spec().variants.amendment = AmendmentRule::TowardsCompromise;
    top.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(top.spec(), 0);
    EXPECT_FALSE(r.res.win_set_empty);
    EXPECT_LT(r.text[0], 0.9f - 1e-3f) << "towards_compromise stepped the text back";
}

// ---- A refused text is not offered again (issue 12, policy review) ---------------------

namespace {

/// AAA's plan moves d0 from 0.5 to 0.9; BBB sits at the status quo with salience 0.2, so a
/// text of share w of the way costs it 0.08 w, and its margin over objecting (cost 0.1) is
/// 0.1 - 0.08 w > 0 at every share: every text is in the win-set. No pressure, no relations.
/// (With BBB's salience `sal`, the cost is 0.4 sal w.)
SpecBuilder near_indifferent(bool great_power = false, double sal = 0.2) {
    SpecBuilder b(1, 0);
    b.agent("AAA", Role::Member, 0.5, great_power);
    b.agent("BBB");
    b.set("status_quo.d0", 0.5).set(path("AAA", "position.d0"), 0.9);
    b.set(path("AAA", "salience.d0"), 1.0);
    b.set(path("BBB", "position.d0"), 0.5).set(path("BBB", "salience.d0"), sal);
    b.proposal("text", Kind::Plan, 0);
    b.set("agenda.text.position.d0", 0.9);
    b.spec().variants.amendment = AmendmentRule::WinSet;
    return b;
}

}  // namespace

// Under logit choice (precision 40) BBB objects to a text of share w with probability
// p(w) = 1/(1 + e^(40 (0.1 - 0.08 w))): p(1) = 0.3100 to the tabled text in round 1, and it
// keeps its disposition through the summit. Every text is in the win-set by BBB's mean
// margin, so before issue 12 the sponsor offered the full text again, BBB refused again,
// and the text was blocked with probability 0.3100. Since session 17 the sponsor reads the
// refusal (model.md III.4.5): BBB's disposition lies in its objection's range, so it gives
// way on a candidate with probability 1 - p(candidate) / p(refused), and the candidate must
// make that more likely than not. After round 1: p <= 0.1550 first at 0.7 (p(0.8) =
// 0.1915), and the offer moves at most amendment_step 0.2: to 0.8. If BBB refuses 0.8 as
// well, its disposition lies in the narrower range: p <= 0.0958 first at 0.48 of the way
// (0.8 x 6/10; p(0.56) = 0.0990), and the offer moves to 0.6. The text is blocked where
// BBB's disposition lies in its objection band at 0.6, probability p(0.6) = 0.1110; it
// passes diluted (at 0.8 or 0.6) with probability 0.3100 - 0.1110. (Issue 12's rule, which
// left out only the refused text itself, conceded to 0.9 and 0.81 and was blocked with
// probability p(0.81) = 0.1966.) Under deterministic choice BBB never objects and nothing
// changes.
TEST(KnownAnswers, ARefusedTextIsNotOfferedAgain) {
    SpecBuilder b = near_indifferent();
    b.spec().variants.choice = ChoiceRule::Logit;
    const int M = 6000;
    int blocked = 0, diluted = 0, adopted = 0;
    for (int m = 0; m < M; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        const double share = (r.text[0] - 0.5) / 0.4;
        switch (r.res.outcome) {
            case Outcome::Blocked:
                ++blocked;
                ASSERT_EQ(r.res.rounds, 3) << "run " << m;
                ASSERT_NEAR(share, 0.6, 1e-5) << "run " << m;
                break;
            case Outcome::Diluted:
                ++diluted;
                ASSERT_TRUE(std::abs(share - 0.8) < 1e-5 || std::abs(share - 0.6) < 1e-5)
                    << "run " << m << " share " << share;
                break;
            case Outcome::Adopted:
                ++adopted;
                ASSERT_EQ(r.res.rounds, 1) << "run " << m;
                break;
            default:
                FAIL() << "run " << m << " outcome " << static_cast<int>(r.res.outcome);
        }
    }
    const auto contains = [&](int k, double p) {
        const Interval i = wilson(k, M);
        return i.lo <= p && p <= i.hi;
    };
    const double p_round1 = 1.0 / (1.0 + std::exp(40.0 * 0.02));
    const double p_last = 1.0 / (1.0 + std::exp(40.0 * (0.1 - 0.08 * 0.6)));
    const double p_issue12 = 1.0 / (1.0 + std::exp(40.0 * (0.1 - 0.08 * 0.81)));
    EXPECT_TRUE(contains(blocked, p_last)) << blocked << " of " << M << ", expected " << p_last;
    EXPECT_FALSE(contains(blocked, p_round1)) << "the refused text was offered again";
    EXPECT_FALSE(contains(blocked, p_issue12)) << "the refusal was not read";
    EXPECT_TRUE(contains(diluted, p_round1 - p_last)) << diluted;
    EXPECT_TRUE(contains(adopted, 1.0 - p_round1)) << adopted;

    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved d = resolve_once(b.spec(), 0);
    EXPECT_EQ(d.res.outcome, Outcome::Adopted);
    EXPECT_EQ(d.res.rounds, 1);
}

// The two sponsor rules (model.md III.4.5) on one refuser, worked by hand. BBB at salience
// 0.3 loses 0.12 w from a text of share w, against an objection cost of 0.1: it objects with
// probability p(w) = 1/(1 + e^(beta (0.1 - 0.12 w))), and only texts with w < 0.833 pass the
// margin test. AAA's value of a text is proportional to w. Its disposition is kept, so the
// text passes with probability 1 - p(w3), w3 the share offered in round 3; the offer moves
// at most 0.2 a round, so w2 >= 0.8 and w3 >= 0.6.
//   beta 150: p(1) = 0.9526. Round 2, `likely`: the largest w with p(w) <= 0.4763 is 0.8;
// `expected_value`: w (1 - p(w)/0.9526) is largest at 0.7 (0.8: 0.8 x 0.628 = 0.502, 0.7:
// 0.7 x 0.913 = 0.639, 0.6: 0.6 x 0.984 = 0.591); both offer 0.8 (the step). Round 3 (p_ref =
// p(0.8) = 0.3543, candidates 0.08 k): `likely` takes 0.72 (p = 0.1151 <= 0.1771) and the
// text is blocked with probability 0.1151; `expected_value` takes 0.64 (0.72 x 0.675 = 0.486,
// 0.64 x 0.916 = 0.586, 0.56 x 0.980 = 0.549) and it is blocked with probability p(0.64) =
// 0.0299.
//   beta 100: both offer 0.8 in round 2 (p(1) = 0.8808); in round 3 (p_ref = p(0.8) = 0.4013)
// `likely` takes 0.64 (p = 0.0895 <= 0.2007; p(0.72) = 0.2042) and `expected_value` 0.56
// (0.64 x 0.777 = 0.497, 0.56 x 0.910 = 0.509, 0.48 x 0.965 = 0.463), so 0.6, the step.
// Blocked with probability 0.0895 and p(0.6) = 0.0573.
// So as BBB becomes easier to move (beta 100 -> 150), `likely` passes the text less often
// (0.9105 -> 0.8849: the less generous 0.72 just clears the threshold) and `expected_value`
// more often (0.9427 -> 0.9701) here (it has jumps of its own, where two texts' worth
// nearly tie: model.md III.4.5).
//   A sponsor that values every text alike (AAA's salience 0: every value 0) offers, under
// `expected_value`, the text likeliest to be accepted: the smallest, so the step's 0.8 and
// 0.6, blocked with probability p(0.6) = 0.0148 at beta 150 (ranked by size alone, the
// largest text with any chance, 0.72 in round 3, would be blocked with 0.1151).
TEST(KnownAnswers, TheExpectedValueSponsorWeighsTheChanceOfGivingWay) {
    const auto p = [](double beta, double w) {
        return 1.0 / (1.0 + std::exp(beta * (0.1 - 0.12 * w)));
    };
    struct Case {
        double beta;
        SponsorRule rule;
        double w3;
        double sponsor_salience = 1.0;
    };
    const Case cases[] = {{150.0, SponsorRule::Likely, 0.72},
                          {150.0, SponsorRule::ExpectedValue, 0.64},
                          {100.0, SponsorRule::Likely, 0.64},
                          {100.0, SponsorRule::ExpectedValue, 0.6},
                          {150.0, SponsorRule::ExpectedValue, 0.6, 0.0}};
    const int M = 20000;  // the two likely rates, 0.0256 apart, need it
    int passes[5] = {};
    for (int c = 0; c < 5; ++c) {
        SpecBuilder b = near_indifferent(false, 0.3);
        b.set(path("AAA", "salience.d0"), cases[c].sponsor_salience);
        b.dyn(Dyn::LogitPrecision, cases[c].beta);
        b.spec().variants.choice = ChoiceRule::Logit;
        b.spec().variants.sponsor = cases[c].rule;
        int blocked = 0;
        for (int m = 0; m < M; ++m) {
            const Resolved r = resolve_once(b.spec(), m);
            const double share = (r.text[0] - 0.5) / 0.4;
            if (r.res.outcome == Outcome::Blocked) {
                ++blocked;
                ASSERT_EQ(r.res.rounds, 3) << "case " << c << " run " << m;
                ASSERT_NEAR(share, cases[c].w3, 1e-5) << "case " << c << " run " << m;
            } else {
                ASSERT_TRUE(passed(r.res.outcome)) << "case " << c << " run " << m;
            }
        }
        passes[c] = M - blocked;
        const Interval i = wilson(blocked, M);
        const double expected = p(cases[c].beta, cases[c].w3);
        EXPECT_TRUE(i.lo <= expected && expected <= i.hi)
            << "case " << c << ": blocked " << blocked << " of " << M << ", expected " << expected;
    }
    // The comparative static in the precision, each side beyond the other's interval.
    EXPECT_LT(wilson(passes[0], M).hi, wilson(passes[2], M).lo) << "likely, 150 against 100";
    EXPECT_LT(wilson(passes[3], M).hi, wilson(passes[1], M).lo) << "expected_value, 100 and 150";
}

// A refuser pressed just past indifference is not counted as won (model.md III.4.5, "A
// refusal is read as what it shows"). AAA, a great power (capability 0.5, leverage 1 over
// BBB), tables a plan moving d0 from 0.5 to its ideal 1.0, worth 0.5 to it; pressure_cost
// 0.448 leaves it a budget of 0.052. BBB, at 0 with salience 0.3, loses 0.15 w from a text of
// share w against an objection cost of 0.1: at logit precision 40 it objects to the tabled
// text with probability p_ref = 1/(1 + e^(40 x (0.1 - 0.15))) = 0.8808. After its veto AAA
// presses it with the whole budget, 0.052: its margin on the tabled text is then 0.002, and
// it would object with probability 0.4800. It objected, so its disposition lies in the top
// 0.8808 of its range: on the tabled text it would give way with probability
// 1 - 0.4800 / 0.8808 = 0.455, less than even, so the sponsor concedes: the largest grid
// text with p <= 0.8808 / 2 is 0.9 (p = 0.3363), and BBB gives way there with probability
// 0.618. Two rounds: the text passes with probability 0.1192 + 0.8808 x 0.618 = 0.6637,
// at 0.9 of the way where it passes in round 2. Counted as won, the pressed refuser was
// offered the tabled text again and the text passed with probability 0.5200.
TEST(KnownAnswers, APressedRefuserIsCountedWonOnlyWhenItIsLikelyToGiveWay) {
    SpecBuilder b(1, 0);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB");
    b.set("status_quo.d0", 0.5).set(path("AAA", "position.d0"), 1.0);
    b.set(path("AAA", "salience.d0"), 1.0).set(path("BBB", "salience.d0"), 0.3);
    b.susceptibility(1, 0, 1.0);
    b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::PressureCost, 0.448).dyn(Dyn::PressureTension, 0.0);
    b.dyn(Dyn::LogitPrecision, 40.0).dyn(Dyn::Rounds, 2.0);
    b.proposal("text", Kind::Plan, 0);
    b.set("agenda.text.position.d0", 1.0);
    b.spec().variants.choice = ChoiceRule::Logit;
    b.spec().variants.amendment = AmendmentRule::WinSet;
    const int M = 6000;
    int passed_runs = 0;
    for (int m = 0; m < M; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        if (!passed(r.res.outcome)) continue;
        ++passed_runs;
        const double share = (r.text[0] - 0.5) / 0.5;
        if (r.res.rounds == 1) {
            ASSERT_NEAR(share, 1.0, 1e-6) << "run " << m;
        } else {
            ASSERT_EQ(r.res.pressure, 1) << "run " << m;
            ASSERT_NEAR(share, 0.9, 1e-6) << "run " << m << ": the pressed refuser counted as won";
        }
    }
    const auto p = [](double w) { return 1.0 / (1.0 + std::exp(40.0 * (0.152 - 0.15 * w))); };
    const double p_ref = 1.0 / (1.0 + std::exp(40.0 * (0.1 - 0.15)));
    const double want = (1.0 - p_ref) + p_ref - p(0.9), before = (1.0 - p_ref) + p_ref - p(1.0);
    const Interval i = wilson(passed_runs, M);
    EXPECT_TRUE(i.lo <= want && want <= i.hi)
        << passed_runs << " of " << M << ", expected " << want;
    EXPECT_FALSE(i.lo <= before && before <= i.hi) << "as when the refuser was counted won";
}

// At logit precision 0 a refusal shows nothing a text can change: every option is equally
// likely on every text, so a kept disposition that objected objects to every text, and no
// candidate makes the refuser likely to give way. The sponsor then offers the best text the
// margin test admits, as before session 17 (model.md III.4.5), rather than give up: as
// near_indifferent, BBB objects in round 1 with probability 1/2 (join against object; no
// stay-out), the sponsor concedes to 0.9 and 0.81, BBB objects again, and the text is
// blocked after three rounds at 0.81; otherwise it is adopted at once. Requiring the
// threshold without the fallback ended every such negotiation after round 1.
TEST(KnownAnswers, AtZeroPrecisionTheSponsorStillAmends) {
    SpecBuilder b = near_indifferent();
    b.spec().variants.choice = ChoiceRule::Logit;
    b.dyn(Dyn::LogitPrecision, 0.0);
    const int M = 4000;
    int blocked = 0;
    for (int m = 0; m < M; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        if (r.res.outcome == Outcome::Adopted) {
            ASSERT_EQ(r.res.rounds, 1) << "run " << m;
            continue;
        }
        ASSERT_EQ(r.res.outcome, Outcome::Blocked) << "run " << m;
        ++blocked;
        ASSERT_EQ(r.res.rounds, 3) << "run " << m << ": the sponsor gave up";
        ASSERT_NEAR((r.text[0] - 0.5) / 0.4, 0.81, 1e-5) << "run " << m;
    }
    const Interval i = wilson(blocked, M);
    EXPECT_TRUE(i.lo <= 0.5 && 0.5 <= i.hi) << blocked << " of " << M;
}

namespace {
/// Resolves b 600 times: every run must adopt the text as tabled (0.9), in one round where
/// nobody was pressed and, where BBB was, in `rounds_when_pressed` (0: not checked).
/// Returns how many runs had pressure.
int adopted_as_tabled(SpecBuilder& b, int rounds_when_pressed) {
    int pressed = 0;
    for (int m = 0; m < 600; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        EXPECT_EQ(r.res.outcome, Outcome::Adopted) << "run " << m;
        EXPECT_NEAR(r.text[0], 0.9, 1e-6) << "run " << m;
        if (rounds_when_pressed > 0) {
            EXPECT_EQ(r.res.rounds, r.res.pressure > 0 ? rounds_when_pressed : 1) << "run " << m;
        }
        pressed += r.res.pressure > 0;
    }
    return pressed;
}
}  // namespace

// A refusal under pressure is not a refusal that stands: when a great power presses the
// objector after round 1, its options on the same text have changed, and the sponsor may
// offer the same text again. BBB (as above, but susceptible to AAA, a great power of
// capability 0.5 that supports its own text) is pressed after a round-1 objection with
// 0.4: AAA's leverage is 2 x 0.5 x 1 = 1, and it puts in what the text is worth to it
// (0.4; pressure_cost 0 here, model.md III.4.4), far more than BBB's margin: BBB then
// accepts the full text in round 2 in every run, and the text is adopted undiluted.
TEST(KnownAnswers, APressedObjectorMayBeOfferedTheSameTextAgain) {
    SpecBuilder b = near_indifferent(true);
    b.spec().variants.choice = ChoiceRule::Logit;
    b.susceptibility(1, 0, 1.0);
    b.dyn(Dyn::PressureCost, 0.0);
    EXPECT_GT(adopted_as_tabled(b, 0), 100);  // BBB objected in round 1 in about 31% of runs
}

// An objector pressed while the text stays as it was decides again: resolve keeps an agent's
// options and choice from one round to the next only where its text, relations and pressure
// are all unchanged. As above, with no amendment (the text is the same in every round) and
// no tension added by pressure (pressure_tension 0: BBB's relations do not change either),
// so the pressure of 0.4 is the only input that changes: BBB, objecting in round 1 in about
// 31% of runs, accepts in round 2, and the text is adopted as tabled in every run. Were the
// choice kept regardless of pressure, those runs would be blocked.
TEST(KnownAnswers, APressedObjectorDecidesAgainOnAnUnchangedText) {
    SpecBuilder b = near_indifferent(true);
    b.spec().variants.choice = ChoiceRule::Logit;
    b.spec().variants.amendment = AmendmentRule::None;
    b.dyn(Dyn::PressureTension, 0.0);
    b.susceptibility(1, 0, 1.0);
    b.dyn(Dyn::PressureCost, 0.0);  // the pressure of 0.4, as above
    EXPECT_GT(adopted_as_tabled(b, 2), 100);
}

// Pressure is bounded by what the text is worth to the great power that presses (model.md
// III.4.4): over a summit a great power puts in at most that worth less pressure_cost, one
// budget shared among its targets in proportion to its leverage. AAA, a great power of
// capability 0.4, sponsors a plan moving the status quo 0.5 -> 1.0 (its ideal, salience 1:
// a policy gain of 0.5) that answers a threat only AAA perceives (benefit threat_weight x
// 1 x 1). BBB and CCC sit at 0 (salience 1) and lose 0.5 each, five times the objection
// cost 0.1; each yields only to more than 0.4 of pressure. Both are fully susceptible to
// AAA: 2 x 0.4 x 1 = 0.8 of leverage over each, 1.6 in all.
// - threat_weight 0 (worth 0.5, budget 0.2): 0.1 on each; blocked. Before the bound the
//   whole 0.8 on each carried the plan undiluted in round 2 (session 15's attack).
// - threat_weight 0.4 (worth 0.9, budget 0.6): 0.3 on each; blocked. A bound per target
//   (0.6 on each, session 16's first version, found wanting by its own attack) passed it:
//   AAA would have put in twice what the plan is worth to it.
// - threat_weight 1.5 (worth 2.0, budget 1.7): the whole 0.8 on each; adopted in round 2.
TEST(KnownAnswers, PressureIsBoundedByWhatTheTextIsWorthToTheGreatPower) {
    auto pressed = [](double threat_weight) {
        SpecBuilder b(1, 1, 1);
        b.agent("AAA", Role::Member, 0.4, true);
        b.agent("BBB");
        b.agent("CCC");
        b.set("status_quo.d0", 0.5).set(path("AAA", "position.d0"), 1.0);
        b.set(path("AAA", "salience.d0"), 1.0).set(path("AAA", "threat.h0"), 1.0);
        for (const char* id : {"BBB", "CCC"})
            b.set(path(id, "position.d0"), 0.0).set(path(id, "salience.d0"), 1.0);
        b.susceptibility(1, 0, 1.0);
        b.susceptibility(2, 0, 1.0);
        b.dyn(Dyn::PressureTension, 0.0).dyn(Dyn::Rounds, 3.0);
        b.dyn(Dyn::ThreatWeight, threat_weight);
        b.proposal("text", Kind::Plan, 0);
        b.set("agenda.text.position.d0", 1.0).set("agenda.text.relevance.h0", 1.0);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.amendment = AmendmentRule::None;
        return resolve_once(b.spec(), 0);
    };
    for (const double tw : {0.0, 0.4}) {
        const Resolved r = pressed(tw);
        EXPECT_EQ(r.res.outcome, Outcome::Blocked) << "threat_weight " << tw;
        EXPECT_EQ(r.res.pressure, 2) << "both objectors are pressed, with what AAA's stake allows";
        EXPECT_EQ(r.res.rounds, 3);
    }
    const Resolved large = pressed(1.5);
    EXPECT_EQ(large.res.outcome, Outcome::Adopted);
    EXPECT_EQ(large.res.rounds, 2);
    EXPECT_NEAR(large.text[0], 1.0, 1e-6);
}

namespace {
/// AAA (a great power of capability 0.4, pressure_strength 0.625) sponsors a plan moving d0
/// from 0.5 to its ideal 1.0, worth 0.5 to it; pressure_cost 0.34 leaves it a budget of
/// 0.16. BBB and CCC, at 0 with saliences 0.32 and 0.26, lose 0.16 and 0.13 against an
/// objection cost of 0.1: they lack 0.06 and 0.03. Their susceptibilities to AAA are
/// kappa_b and kappa_c (leverage 0.25 x kappa); deterministic choice, no amendment, two
/// rounds.
SpecBuilder two_objectors(double kappa_b, double kappa_c, double pressure_tension) {
    SpecBuilder b(1, 0, 1);
    b.agent("AAA", Role::Member, 0.4, true);
    b.agent("BBB");
    b.agent("CCC");
    b.set("status_quo.d0", 0.5).set(path("AAA", "position.d0"), 1.0);
    b.set(path("AAA", "salience.d0"), 1.0);
    b.set(path("BBB", "salience.d0"), 0.32).set(path("CCC", "salience.d0"), 0.26);
    b.susceptibility(1, 0, kappa_b);
    b.susceptibility(2, 0, kappa_c);
    b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::PressureStrength, 0.625);
    b.dyn(Dyn::PressureCost, 0.34).dyn(Dyn::PressureTension, pressure_tension);
    b.dyn(Dyn::Rounds, 2.0);
    b.proposal("text", Kind::Plan, 0);
    b.set("agenda.text.position.d0", 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.amendment = AmendmentRule::None;
    return b;
}
}  // namespace

// A budget that does not cover the leverage goes where the targets lack most (model.md
// III.4.4, session 17). AAA (capability 0.4, pressure_strength 0.625) sponsors a plan
// moving d0 from 0.5 to its ideal 1.0, worth 0.5 to it: with pressure_cost 0.34 its budget
// is 0.16. BBB and CCC, at 0 with saliences 0.32 and 0.26, lose 0.16 and 0.13 against an
// objection cost of 0.1: they lack 0.06 and 0.03. AAA's leverage is 0.1 over BBB
// (susceptibility 0.4) and 0.25 k over CCC (susceptibility k). The needs add up to 0.09, so
// the budget flips both wherever CCC can be flipped at all (0.25 k >= 0.03): the rest, 0.07,
// raises both margins by 0.035 (BBB 0.095 of its 0.1, CCC 0.065), or, where the leverage
// over CCC is less than 0.065, fills it and goes to BBB. Shared in proportion to leverage (the rule
// of session 16), the budget flipped both at k = 0.2 (0.100 and 0.050) and neither at k = 1 (0.046
// and 0.114): the pass rate fell from 100% to 0% as CCC became more susceptible.
TEST(KnownAnswers, PressureGoesWhereTheTargetsLackMost) {
    auto resolved = [](double k) { return resolve_once(two_objectors(0.4, k, 0.0).spec(), 0); };
    for (int step = 1; step <= 10; ++step) {
        const double k = 0.1 * step;
        const Resolved r = resolved(k);
        ASSERT_EQ(r.res.pressure, 2) << "k " << k;
        EXPECT_NEAR(r.s.need[1], 0.06, 1e-12);
        EXPECT_NEAR(r.s.need[2], 0.03, 1e-12);
        EXPECT_NEAR(r.s.pressure[1] + r.s.pressure[2], std::min(0.16, 0.1 + 0.25 * k), 1e-12)
            << "k " << k << ": the budget, or the whole leverage where it covers it";
        if (0.25 * k < 0.03) {
            EXPECT_EQ(r.res.outcome, Outcome::Blocked) << "k " << k << ": CCC cannot be flipped";
            continue;
        }
        EXPECT_EQ(r.res.outcome, Outcome::Adopted) << "k " << k;
        if (0.1 + 0.25 * k > 0.16) {
            // Both below their leverage: equal margins. CCC at its leverage: BBB the rest.
            const double bbb = 0.25 * k >= 0.065 ? 0.095 : 0.16 - 0.25 * k;
            EXPECT_NEAR(r.s.pressure[1], bbb, 1e-12) << "k " << k;
            EXPECT_NEAR(r.s.pressure[2], 0.16 - bbb, 1e-12) << "k " << k;
        }
    }
}

// Two great powers count each other's pressure (model.md III.4.4, session 17's attack). AAA
// sponsors a plan moving d0 from 0.5 to 1.0; AAA and DDD (capability 0.4, salience 0.84 at
// 1.0) each value it at 0.42, a budget of 0.12 beyond pressure_cost 0.3. TAA and TBB, at 0
// with salience 0.4, lose 0.2 against an objection cost of 0.1: each lacks 0.1. DDD can
// press only TAA (leverage 2 x 0.4 x 0.5 = 0.4), AAA presses TBB (0.4) and TAA (0.8 k).
// Split against the needs alone, AAA put part of its budget into TAA, which DDD covers
// anyway, and left TBB short: the text passed at k = 0.01 and was blocked at k = 0.1 (100%
// to 0%). Each split now counts what the other great powers put in: AAA puts its whole
// budget into TBB and the text passes at every k.
TEST(KnownAnswers, TwoGreatPowersCountEachOthersPressure) {
    for (const double k : {0.01, 0.05, 0.1, 0.2, 0.5, 1.0}) {
        SpecBuilder b(1, 0, 1);
        b.agent("AAA", Role::Member, 0.4, true);
        b.agent("DDD", Role::Member, 0.4, true);
        b.agent("TAA");
        b.agent("TBB");
        b.set("status_quo.d0", 0.5);
        for (const char* id : {"AAA", "DDD"})
            b.set(path(id, "position.d0"), 1.0).set(path(id, "salience.d0"), 0.84);
        for (const char* id : {"TAA", "TBB"}) b.set(path(id, "salience.d0"), 0.4);
        b.susceptibility(2, 0, k);
        b.susceptibility(2, 1, 0.5);
        b.susceptibility(3, 0, 0.5);
        b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::PressureStrength, 2.0);
        b.dyn(Dyn::PressureCost, 0.3).dyn(Dyn::PressureTension, 0.0).dyn(Dyn::Rounds, 3.0);
        b.proposal("text", Kind::Plan, 0);
        b.set("agenda.text.position.d0", 1.0);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.amendment = AmendmentRule::None;
        const Resolved r = resolve_once(b.spec(), 0);
        EXPECT_EQ(r.res.outcome, Outcome::Adopted) << "k " << k;
        EXPECT_NEAR(r.s.pressure[3], 0.12, 1e-12) << "k " << k << ": AAA's budget, on TBB";
        EXPECT_NEAR(r.s.pressure[2], 0.12, 1e-12) << "k " << k << ": DDD's budget, on TAA";
    }
}

// A push that costs the target's support more than its objection is not made (model.md
// III.4.4). AAA (capability 0.4, pressure_strength 0.625, budget 0.16) sponsors the text;
// BBB lacks 0.06 and AAA's leverage over it is 0.25, CCC lacks 0.03 and the leverage is
// 0.1. With pressure_tension 0.3 and tension_weight 0.5, a push of the whole leverage adds
// 0.3 of tension with AAA, which costs the target 0.15 of its support for AAA's text: a
// unit of push takes 1 - 0.15 / leverage off its margin of objection (0.4 for BBB, -0.5
// for CCC). Pressing CCC would only harden it, and AAA does not; BBB gets the whole budget,
// 0.16, and gives way (margin 0.4 x 0.16 - 0.06 = 0.004). CCC's veto stands: blocked, with
// one pressing. Both earlier rules pressed CCC too.
TEST(KnownAnswers, APushThatWouldHardenTheTargetIsNotMade) {
    SpecBuilder b = two_objectors(1.0, 0.4, 0.3);
    b.dyn(Dyn::TensionWeight, 0.5);
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.pressure, 1);
    EXPECT_FALSE(r.flags[2] & kPressured);
    EXPECT_NEAR(r.s.pressure[1], 0.16, 1e-12);
    EXPECT_TRUE(r.flags[1] & kJoined) << "BBB gives way";
    EXPECT_EQ(r.res.outcome, Outcome::Blocked) << "CCC's veto stands";
    // Tension stops at 1: with CCC's tension with AAA already at 0.99 a push of the whole
    // leverage adds 0.01, which costs CCC 0.005 of support: a unit of push takes 0.95 off its
    // margin, and AAA presses it (session 17's second attack: counted as if tension could
    // pass 1, the push was withheld).
    b.relation(Field::Tension, 0, 2, 0.99);
    const Resolved near1 = resolve_once(b.spec(), 0);
    EXPECT_TRUE(near1.flags[2] & kPressured);
    EXPECT_EQ(near1.res.pressure, 2);
}

// The great powers' turns in splitting their budgets go by id, not by the file's order
// (model.md III.4.4): two great powers, three objectors each can press, budgets and
// susceptibilities drawn, written in both orders; what each objector gets and the outcome
// are the same (the sums may differ in the last bit). Before, the turns followed the file's
// order, and session 17's second attack found pushes that differed in 269 of 750 cases with
// the great powers' order reversed, and 3 adoptions that became blocks.
TEST(KnownAnswers, TheGreatPowersOrderInTheFileChangesNoPressure) {
    std::mt19937_64 gen(1711);
    std::uniform_real_distribution<double> sal(0.25, 0.6), kap(0.05, 1.0), cost(0.3, 0.48);
    int splitting = 0;
    for (int t = 0; t < 200; ++t) {
        const std::array<double, 3> s3{sal(gen), sal(gen), sal(gen)};
        const std::array<double, 6> k6{kap(gen), kap(gen), kap(gen), kap(gen), kap(gen), kap(gen)};
        const double cost_a = cost(gen), cost_d = cost(gen);
        auto resolved = [&](bool reversed) {
            SpecBuilder b(1, 0, 1);
            const int a = reversed ? 1 : 0, d = reversed ? 0 : 1;
            b.agent(reversed ? "DDD" : "AAA", Role::Member, 0.4, true);
            b.agent(reversed ? "AAA" : "DDD", Role::Member, 0.4, true);
            const char* ids[] = {"TAA", "TBB", "TCC"};
            for (int j = 0; j < 3; ++j) {
                b.agent(ids[j]);
                b.set(path(ids[j], "salience.d0"), s3[j]);
                b.susceptibility(2 + j, a, k6[j]);
                b.susceptibility(2 + j, d, k6[3 + j]);
            }
            b.set("status_quo.d0", 0.5);
            for (const char* id : {"AAA", "DDD"})
                b.set(path(id, "position.d0"), 1.0).set(path(id, "salience.d0"), 1.0);
            // Each great power's budget: 0.5 less its own pressure cost (as a threat term).
            b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::PressureStrength, 0.5);
            b.dyn(Dyn::PressureCost, 0.3).dyn(Dyn::PressureTension, 0.1).dyn(Dyn::Rounds, 2.0);
            b.set(path("AAA", "salience.d0"), 1.0 - 2 * (cost_a - 0.3));
            b.set(path("DDD", "salience.d0"), 1.0 - 2 * (cost_d - 0.3));
            b.proposal("text", Kind::Plan, a);
            b.set("agenda.text.position.d0", 1.0);
            b.spec().variants.choice = ChoiceRule::Deterministic;
            b.spec().variants.amendment = AmendmentRule::None;
            return resolve_once(b.spec(), 0);
        };
        const Resolved x = resolved(false), y = resolved(true);
        ASSERT_EQ(x.res.outcome, y.res.outcome) << "case " << t;
        ASSERT_EQ(x.res.pressure, y.res.pressure) << "case " << t;
        for (int j = 2; j < 5; ++j)
            ASSERT_NEAR(x.s.pressure[j], y.s.pressure[j], 1e-12) << "case " << t << " target " << j;
        splitting += x.res.pressure >= 4;
    }
    EXPECT_GT(splitting, 20) << "too few cases where both great powers press several targets";
}

// The split of the budget, on random cases (model.md III.4.4): AAA's plan as above, its budget
// 0.5 - pressure_cost, and three objectors at 0 whose saliences, susceptibilities and the
// budget are drawn. Deterministic choice, no amendment, two rounds: the round-1 objectors are
// pressed once. What each target lacks is read from the engine
// (EngineScratch::need), what it got from its pressure. Checked: the budget, or the whole
// leverage, is put in, no target gets more than the leverage over it, and the split is the
// water-filling one (every target pressed below its leverage is left with the same margin m,
// one not pressed lacks no more than -m, one at its leverage is left with no more than m);
// and a text adopted stays adopted when one target becomes more susceptible or the budget
// grows. Shares in proportion to leverage (session 16's rule) fail both checks: the split's
// at the first draw that needs a split, the monotonicity at one draw of the 600.
TEST(KnownAnswers, PressureSplitRaisesTheSmallestMarginAndIsMonotone) {
    struct Case {
        std::array<double, 3> salience, kappa;
        double cost, tension;
    };
    auto resolved = [](const Case& c) {
        SpecBuilder b(1, 0, 1);
        b.agent("AAA", Role::Member, 0.4, true);
        const char* ids[] = {"BBB", "CCC", "DDD"};
        for (int j = 0; j < 3; ++j) {
            b.agent(ids[j]);
            b.set(path(ids[j], "salience.d0"), c.salience[j]);
            b.susceptibility(j + 1, 0, c.kappa[j]);
        }
        b.set("status_quo.d0", 0.5).set(path("AAA", "position.d0"), 1.0);
        b.set(path("AAA", "salience.d0"), 1.0);
        b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::PressureStrength, 1.0);
        b.dyn(Dyn::PressureCost, c.cost).dyn(Dyn::PressureTension, c.tension).dyn(Dyn::Rounds, 2.0);
        b.proposal("text", Kind::Plan, 0);
        b.set("agenda.text.position.d0", 1.0);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.amendment = AmendmentRule::None;
        return resolve_once(b.spec(), 0);
    };
    std::mt19937_64 gen(20261130);
    std::uniform_real_distribution<double> sal(0.2, 0.8), kap(0.05, 1.0), cost(0.2, 0.49);
    const double tw = dyn_default(Dyn::TensionWeight).value;
    int split = 0, checked = 0, hardened = 0;
    for (int t = 0; t < 600; ++t) {
        // Half the draws with a tension cost (0.3): a push of x then also lowers the target's
        // support for AAA's text by tension_weight x 0.3 x x / leverage, so a unit of it takes
        // eff = 1 - 0.3 tension_weight / leverage off the target's margin of objection; a
        // target with eff <= 0 is not pressed.
        Case c{{sal(gen), sal(gen), sal(gen)},
               {kap(gen), kap(gen), kap(gen)},
               cost(gen),
               t % 2 ? 0.3 : 0.0};
        const Resolved r = resolved(c);
        const double budget = 0.5 - c.cost;
        double lev_sum = 0.0, put_sum = 0.0, level = std::numeric_limits<double>::quiet_NaN();
        double smallest = std::numeric_limits<double>::infinity();
        std::vector<int> eligible;
        int pressed = 0;
        for (int j = 1; j <= 3; ++j) {
            const double lev = 0.4 * c.kappa[j - 1], n = r.s.need[j], x = r.s.pressure[j];
            if (!(n > 0.0)) continue;  // no round-1 objector (deterministic choice)
            const double eff = 1.0 - c.tension * tw / lev;
            if (!(eff > 0.0)) {
                ++hardened;
                ASSERT_FALSE(r.flags[j] & kPressured) << "case " << t << ": pressed, hardened";
                smallest = std::min(smallest, -n);
                continue;
            }
            eligible.push_back(j);
            lev_sum += lev;
            put_sum += x;
            pressed += (r.flags[j] & kPressured) != 0;
            ASSERT_GE(x, 0.0) << "case " << t;
            ASSERT_LE(x, lev * (1 + 1e-12)) << "case " << t;
            const double margin = eff * x - n;
            smallest = std::min(smallest, margin);
            if (x > 1e-12 && x < lev * (1 - 1e-12)) {
                if (std::isnan(level)) level = margin;
                ASSERT_NEAR(margin, level, 1e-12) << "case " << t << " target " << j;
            }
        }
        ASSERT_EQ(pressed, r.res.pressure) << "case " << t;
        if (eligible.empty()) continue;
        ASSERT_NEAR(put_sum, std::min(budget, lev_sum), 1e-12) << "case " << t;
        if (budget < lev_sum && eligible.size() > 1) {
            ++split;
            if (!std::isnan(level))
                for (const int j : eligible) {
                    const double lev = 0.4 * c.kappa[j - 1], x = r.s.pressure[j];
                    const double eff = 1.0 - c.tension * tw / lev, margin = eff * x - r.s.need[j];
                    if (x <= 1e-12) {
                        ASSERT_LE(r.s.need[j], -level + 1e-12) << "case " << t;
                    }
                    if (x >= lev * (1 - 1e-12)) {
                        ASSERT_LE(margin, level + 1e-12) << "case " << t;
                    }
                }
        }
        // The margins are the model's: the text passes exactly where every round-1 objector
        // is left with a positive one (draws within rounding of 0 aside).
        if (std::abs(smallest) < 1e-9) continue;
        ASSERT_EQ(r.res.outcome == Outcome::Adopted, smallest > 0.0) << "case " << t;
        // Monotone: more susceptibility or a larger budget never turns adoption into a block.
        const bool adopted = r.res.outcome == Outcome::Adopted;
        for (int j = 0; j < 4; ++j) {
            Case more = c;
            if (j < 3)
                more.kappa[j] = std::min(1.0, c.kappa[j] + 0.3);
            else
                more.cost = c.cost - 0.05;
            const Resolved m = resolved(more);
            ++checked;
            if (adopted) {
                EXPECT_EQ(m.res.outcome, Outcome::Adopted)
                    << "case " << t << (j < 3 ? ": a target more susceptible" : ": more budget");
            }
        }
    }
    EXPECT_GT(split, 100) << "too few draws where the budget has to be split";
    EXPECT_GT(checked, 1000);
    EXPECT_GT(hardened, 20) << "too few draws with a target pressing would harden";
}

// A member whose relations change while the text stays as it was decides again. An opt-out
// plan (opt_out_case: deterministic, no amendment, no pressure) needing two participants;
// BBB gains 0.4 from it but is in full tension with LOS (co_party_weight 1): while LOS is
// expected to take part, joining is worth 0.4 - 0.5 = -0.1 to BBB against 0.1 x 0.4 = 0.04
// for staying out. LOS stays out (-0.04 against -0.1 for objecting), so round 1 has one
// participant and no veto: the text is not amended, and the parties are now those who
// joined. BBB's relations lose LOS, joining is worth 0.4, and round 2 passes as a coalition.
// Were BBB's round-1 choice kept on the unchanged text, the plan would be blocked.
TEST(KnownAnswers, AMemberWhoseRelationsChangeDecidesAgainOnAnUnchangedText) {
    SpecBuilder b = opt_out_case(0.0, 0.1);
    b.dyn(Dyn::CoPartyWeight, 1.0);
    b.relation(Field::Tension, 1, 2, 1.0);
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Coalition);
    EXPECT_EQ(r.res.rounds, 2);
    EXPECT_TRUE(r.flags[1] & kJoined);
    EXPECT_TRUE(r.flags[2] & kStayedOut);
}

// A text that changes only what the refuser does not weigh is, for it, the refused text.
// As near_indifferent, on two dimensions: AAA's plan moves d0 and d1 from 0.5 to 0.9; AAA
// weighs d0 1.0 and d1 0.1; BBB weighs d0 0.2 and d1 not at all. Every text is in the
// win-set (BBB's margin 0.1 - 0.08 w0 > 0), and the sponsor's cheapest concession is d1
// alone (0.1 x 0.04 of its value against 0.4 x 0.1 for d0). Conceding d1 leaves BBB's four
// utilities as they were, so by its kept disposition BBB refuses again: before the fix the
// sponsor conceded d1 twice and the text was blocked with BBB's round-1 probability
// 1/(1 + e^(40 x 0.02)) = 0.3100, as if III.4.5 did not exist (CLI: 0.312 of 6000 runs). A
// candidate on which a standing refuser's utilities are unchanged is now no offer either,
// and since session 17 a candidate must make BBB more likely than not to give way, given
// that it refused (ARefusedTextIsNotOfferedAgain): the sponsor concedes d0 alone (0.8,
// then 0.6; d1 kept whole), and the text is blocked with probability
// 1/(1 + e^(40 x (0.1 - 0.048))) = 0.1110, as in the one-dimensional case. Under
// deterministic choice BBB never objects and nothing changes. The same holds when the text
// names d1 at its status quo: a concession of d1 is then no change of the text at all.
TEST(KnownAnswers, ARefusedTextIsNotOfferedAgainUnderAnotherDimension) {
    // null: the text names d1 at the status quo, so "conceding" d1 changes no word of it (the
    // baseline's Afghan plan once its status quo reached the text on military_integration).
    for (const bool null : {false, true}) {
        SpecBuilder b(2, 0);
        b.agent("AAA", Role::Member, 0.5);
        b.agent("BBB");
        b.set("status_quo.d0", 0.5).set("status_quo.d1", 0.5);
        b.set(path("AAA", "position.d0"), 0.9).set(path("AAA", "position.d1"), 0.9);
        b.set(path("AAA", "salience.d0"), 1.0).set(path("AAA", "salience.d1"), 0.1);
        b.set(path("BBB", "position.d0"), 0.5).set(path("BBB", "position.d1"), 0.5);
        b.set(path("BBB", "salience.d0"), 0.2).set(path("BBB", "salience.d1"), null ? 0.3 : 0.0);
        b.proposal("text", Kind::Plan, 0);
        b.set("agenda.text.position.d0", 0.9).set("agenda.text.position.d1", null ? 0.5 : 0.9);
        b.spec().variants.amendment = AmendmentRule::WinSet;
        b.spec().variants.choice = ChoiceRule::Logit;
        const int M = 6000;
        int blocked = 0;
        for (int m = 0; m < M; ++m) {
            const Resolved r = resolve_once(b.spec(), m);
            if (r.res.outcome != Outcome::Blocked) continue;
            ++blocked;
            ASSERT_EQ(r.res.rounds, 3) << "run " << m << " null " << null;
            ASSERT_NEAR((r.text[0] - 0.5) / 0.4, 0.6, 1e-5)
                << "run " << m << " null " << null << ": d0 not conceded";
            if (!null) {
                ASSERT_NEAR(r.text[1], 0.9, 1e-5) << "run " << m << ": d1 conceded";
            }
        }
        const Interval i = wilson(blocked, M);
        const double p_last = 1.0 / (1.0 + std::exp(40.0 * (0.1 - 0.08 * 0.6)));
        EXPECT_TRUE(i.lo <= p_last && p_last <= i.hi)
            << blocked << " of " << M << ", expected " << p_last << " null " << null;

        b.spec().variants.choice = ChoiceRule::Deterministic;
        const Resolved d = resolve_once(b.spec(), 0);
        EXPECT_EQ(d.res.outcome, Outcome::Adopted);
        EXPECT_EQ(d.res.rounds, 1);
    }
}

// ---- A known limitation of the value of waiting (model.md, "Known limitations") ---------

// Pinned so that a change to III.4.3 cannot pass unnoticed; not a property the model should
// keep. Three members at 1.0 (salience 1, no threat stake, so no cost of delay) and a plan
// moving the status quo 0.5 towards them, under uncertainty 1, one round, deterministic
// choice, objection cost 0.0959 (the baseline's). Each member's gain equals its stake
// t - 0.5, the net value of supporting is v = (t - 0.5) + 0.0959 and the spread
// s = wait_value x 1 x (t - 0.5). At wait_value 8.12 (the baseline's) the spread grows with
// the stake as fast as v does, so only the objection cost favours support: a small step
// (t = 0.52: s = 0.162, OV(v, s) = 0.023 < v) is adopted, the whole way to their ideal
// (t = 1: s = 4.06, z = v / s = 0.147, OV = 1.34 > v = 0.596) is deferred, every member
// asking for time. With a spread no larger than the stake (wait_value 1: OV = 0.029) it
// passes.
TEST(KnownAnswers, UnderUncertaintyAMemberAsksForTimeEvenOnTheTextItWants) {
    auto liked = [](double text, double wait_value) {
        SpecBuilder b(1, 0, 1);
        for (const char* id : {"AAA", "BBB", "CCC"}) {
            b.agent(id);
            b.set(path(id, "position.d0"), 1.0).set(path(id, "salience.d0"), 1.0);
        }
        b.set("status_quo.d0", 0.5);
        b.proposal("text", Kind::Plan, 0);
        b.set("agenda.text.position.d0", text).set("agenda.text.uncertainty", 1.0);
        b.dyn(Dyn::WaitValue, wait_value).dyn(Dyn::ObjectionCost, 0.0959);
        b.dyn(Dyn::Rounds, 1.0);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        return resolve_once(b.spec(), 0);
    };
    const Resolved small = liked(0.52, 8.12);
    EXPECT_EQ(small.res.outcome, Outcome::Adopted);
    const Resolved whole = liked(1.0, 8.12);
    EXPECT_EQ(whole.res.outcome, Outcome::Deferred);
    for (int i = 1; i < 3; ++i) EXPECT_TRUE(whole.flags[i] & kWaited) << i;
    const Resolved bounded = liked(1.0, 1.0);
    EXPECT_EQ(bounded.res.outcome, Outcome::Adopted);
}

// What waiting may reveal reaches a member in the measure the text does under the option it
// takes after the news (III.4.3): joining moves one for one with the text's value, staying
// out by stay_out_share, objecting not at all, and waiting is worth E[the best of the three
// after the news] - the best now. CCC's ideal is the exercise's text (0.9, status quo 0.5:
// gain and stake 0.4); military reluctance r makes joining worth 0.4 - r, staying out is
// 0.3 x 0.4 = 0.12, objecting -0.1; wait_value 3, uncertainty 1: the news has sd 1.2. The
// expectation is integrated here numerically (an independent check of the closed form).
// Before session 19 the whole stake counted whatever CCC would do: at r = 1 the option value
// was 0.3768 and CCC deferred the exercise; then the exposure of its best option now (0.3)
// made it 0.0596, with a jump where staying out overtakes joining (r = 0.28: from 0.3768 to
// 0.0596; session 19's second attack). Now it is continuous there, highest at the switch,
// and at r = 1 about 0.151: CCC stays out, the exercise goes ahead as a coalition.
TEST(KnownAnswers, WaitingCountsTheOptionTakenAfterTheNews) {
    auto spec = [](double r) {
        SpecBuilder b(1, 0, 1);
        for (const char* id : {"AAA", "BBB", "CCC"}) {
            b.agent(id);
            b.set(path(id, "position.d0"), 0.9).set(path(id, "salience.d0"), 1.0);
        }
        b.set(path("CCC", "military_reluctance"), r).set("status_quo.d0", 0.5);
        b.proposal("ex", Kind::Exercise, 0, /*opt_out=*/true);
        b.set("agenda.ex.position.d0", 0.9).set("agenda.ex.uncertainty", 1.0);
        b.dyn(Dyn::WaitValue, 3.0).dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::Rounds, 1.0);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.amendment = AmendmentRule::None;
        b.spec().variants.pressure = PressureRule::Disabled;
        return b;
    };
    // E[max(join + d, stay + 0.3 d, object)] - max(join, stay, object), d ~ N(0, 1.2^2), by
    // quadrature (tests/support/wait_quadrature.h).
    auto by_hand = [](double r) {  // r = 0: BBB
        return sco::test::wait_by_quadrature(0.4 - r, 0.12, -0.1, 1.2, 1.0, 0.3).first;
    };
    const Resolved at1 = resolve_once(spec(1.0).spec(), 0);
    EXPECT_NEAR(at1.s.opts[2].wait, by_hand(1.0), 1e-7);
    EXPECT_NEAR(at1.s.opts[2].wait, 0.151, 1e-3);
    EXPECT_TRUE(at1.flags[2] & kStayedOut);
    EXPECT_FALSE(at1.flags[2] & kWaited);
    EXPECT_EQ(at1.res.outcome, Outcome::Coalition);
    // Across the switch (r = 0.28) the value is continuous, and largest at the switch.
    double at_switch = 0.0;
    for (const double r : {0.1, 0.2, 0.27, 0.28 - 1e-9, 0.28 + 1e-9, 0.29, 0.4, 0.6}) {
        const double v = resolve_once(spec(r).spec(), 0).s.opts[2].wait;
        EXPECT_NEAR(v, by_hand(r), 1e-7) << "r " << r;
        if (r == 0.28 - 1e-9) at_switch = v;
        if (r == 0.28 + 1e-9) {
            EXPECT_NEAR(v, at_switch, 1e-6);
        }
    }
    for (const double r : {0.1, 0.2, 0.27, 0.29, 0.4, 0.6})
        EXPECT_LT(resolve_once(spec(r).spec(), 0).s.opts[2].wait, at_switch) << "r " << r;
    // BBB joins with a margin (0.4 against 0.12): the two-option value (join or object) would
    // be 0.2696 (v = 0.5, sd 1.2); staying out after bad news adds 0.0036.
    EXPECT_NEAR(at1.s.opts[1].wait, by_hand(0.0), 1e-7);
    EXPECT_NEAR(at1.s.opts[1].wait, 0.2732, 1e-4);
}

// The value of waiting grows with the text's uncertainty and nothing else in a decision
// does (III.4.3), so, with the text fixed (no amendment) and no pressure, raising the
// uncertainty can only turn supporters into members that ask for time: in every run, a
// text that fails at one uncertainty fails at every higher one (the same dispositions:
// runs are keyed by replication, not by the parameters). A plan like the Afghan one on two
// dimensions: BBB loses on the first (its ideal 0 against a move 0.3 -> 0.5) and gains the
// threat benefit, CCC gains on both; a grid of uncertainties 0, 0.05, ..., 1, 300 runs
// under the logit rule and the deterministic rule. Session 15's attack asked for this
// check (model.md, "Known limitations": with amendment the pass rate is not monotone).
TEST(KnownAnswers, AFixedTextNeverPassesMoreOftenWhenItIsMoreUncertain) {
    auto at = [](double u, ChoiceRule rule) {
        SpecBuilder b(2, 1, 1);
        b.agent("AAA");
        b.agent("BBB");
        b.agent("CCC");
        b.set("status_quo.d0", 0.3).set("status_quo.d1", 0.1);
        b.set(path("AAA", "position.d0"), 0.6).set(path("AAA", "position.d1"), 0.9);
        b.set(path("BBB", "position.d0"), 0.0).set(path("BBB", "position.d1"), 0.4);
        b.set(path("CCC", "position.d0"), 0.7).set(path("CCC", "position.d1"), 0.9);
        for (const char* id : {"AAA", "BBB", "CCC"}) {
            b.set(path(id, "salience.d0"), 0.8).set(path(id, "salience.d1"), 0.6);
            b.set(path(id, "threat.h0"), 0.7);
        }
        b.proposal("plan", Kind::Plan, 0);
        b.set("agenda.plan.position.d0", 0.5).set("agenda.plan.position.d1", 0.8);
        b.set("agenda.plan.relevance.h0", 1.0).set("agenda.plan.uncertainty", u);
        b.dyn(Dyn::WaitValue, 8.0);
        b.spec().variants.choice = rule;
        b.spec().variants.amendment = AmendmentRule::None;
        b.spec().variants.pressure = PressureRule::Disabled;
        return b;
    };
    for (const ChoiceRule rule : {ChoiceRule::Deterministic, ChoiceRule::Logit}) {
        const int runs = rule == ChoiceRule::Deterministic ? 1 : 300;
        std::vector<int> passes(21, 0);
        std::vector<unsigned char> passed_before(runs, 1);
        for (int k = 0; k <= 20; ++k) {
            SpecBuilder b = at(0.05 * k, rule);
            for (int m = 0; m < runs; ++m) {
                const bool ok = passed(resolve_once(b.spec(), m).res.outcome);
                ASSERT_FALSE(ok && !passed_before[m]) << "run " << m << " passes at uncertainty "
                                                      << 0.05 * k << " but failed at a lower one";
                passed_before[m] = ok;
                passes[k] += ok;
            }
        }
        // Not vacuous: the plan passes when nothing is uncertain and stalls when much is.
        EXPECT_GT(passes[0], passes[20]) << "rule " << static_cast<int>(rule);
        EXPECT_EQ(passes[20], 0) << "rule " << static_cast<int>(rule);
    }
}

// ---- The win-set and a participant refused transit (session 21) ----------------------

namespace {
// A closed exercise of AAA's, hosted by BBB (both at 0.9, threat 0.5), that CCC (at the
// status quo 0.5, salience 0.4) vetoes as tabled; EEE refuses AAA's troops transit. On a
// text t, AAA's join is (t - 0.5) + 0.25 (t - 0.5) / 0.4 = 1.625 (t - 0.5), and CCC accepts
// only while its loss 0.4 (t - 0.5) is at most the objection cost 0.1: t <= 0.75.
SpecBuilder refused_sponsor(double reroute_cost) {
    SpecBuilder b(1, 1, 3);
    for (const char* id : {"AAA", "BBB", "CCC", "EEE"}) b.agent(id, Role::Member, 0.3);
    b.set("status_quo.d0", 0.5);
    for (const char* id : {"AAA", "BBB"})
        b.set(path(id, "position.d0"), 0.9)
            .set(path(id, "salience.d0"), 1.0)
            .set(path(id, "threat.h0"), 0.5);
    b.set(path("CCC", "position.d0"), 0.5).set(path("CCC", "salience.d0"), 0.4);
    b.set(path("EEE", "position.d0"), 0.5).set(path("EEE", "sovereignty"), 1.0);
    const int ex = b.proposal("drill", Kind::Exercise, 0, /*opt_out=*/false);
    b.spec().proposals[ex].host = 1;
    b.spec().proposals[ex].transit.push_back({0, 3});
    b.set("agenda.drill.position.d0", 0.9).set("agenda.drill.relevance.h0", 1.0);
    b.dyn(Dyn::SovereigntyWeight, 1.0).dyn(Dyn::RerouteCost, reroute_cost);
    b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::Rounds, 4);
    b.dyn(Dyn::AmendmentStep, 0.2);
    b.spec().variants.pressure = PressureRule::Disabled;
    return b;
}
}  // namespace

// The win-set search knows what a participant refused transit will do (docs/model.md
// III.4.5): a candidate every veto holder accepts, but on which the sponsor would withdraw
// its closed exercise rather than pay the detour, is no offer. With reroute_cost 0.5 AAA
// stays in only where 1.625 (t - 0.5) >= 0.5, from t = 0.808, and CCC accepts only up to
// 0.75: no text does both, so the summit ends at once with the text unchanged. Before
// session 21 AAA conceded 0.9 -> 0.82 -> 0.74, withdrew there, and the text came back at
// 0.74 at every later summit to be withdrawn again. With reroute_cost 0.3 AAA stays in
// from t = 0.685: it concedes to 0.74 (share 0.6 of the way, the largest on the grid that
// CCC accepts), reroutes, and the exercise is held.
TEST(KnownAnswers, TheWinSetKeepsASponsorRefusedTransitInItsClosedExercise) {
    SpecBuilder b = refused_sponsor(0.5);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r.flags[3] & kTransitDenied);
    EXPECT_EQ(r.res.outcome, Outcome::Blocked);
    EXPECT_TRUE(r.res.win_set_empty);
    EXPECT_EQ(r.res.rounds, 1);
    EXPECT_FALSE(r.flags[0] & kDropped) << "the sponsor rerouted on the tabled text";
    EXPECT_TRUE(r.flags[2] & kVeto);
    // Every later summit the same: the tabled text, never a withdrawal.
    const RunRecord run3 = run(b.spec(), 0);
    for (int t = 0; t < 3; ++t) {
        EXPECT_EQ(outcome(run3, t, 0), Outcome::Blocked) << "summit " << t;
        EXPECT_FALSE(flag(run3, t, 0, 0) & kDropped) << "summit " << t;
    }

    b.dyn(Dyn::RerouteCost, 0.3);
    const Resolved r2 = resolve_once(b.spec(), 0);
    EXPECT_EQ(r2.res.outcome, Outcome::Diluted);
    EXPECT_EQ(r2.res.rounds, 3);
    EXPECT_NEAR(r2.text[0], 0.74f, 1e-6f);
    EXPECT_TRUE(r2.flags[0] & kJoined);
    EXPECT_FALSE(r2.flags[0] & kDropped);
}

// Under logit choice the sponsor's reroute is drawn once per summit and kept, and the
// win-set reads that draw: so the sponsor never concedes its way to a text it then
// withdraws (with pressure off, the refusal and the relations stand between rounds). In
// 2,000 runs (reroute_cost 0.4), no withdrawal after the first round; before session 21,
// 1,247, and 713 passes, many at 0.82 on the way to a text the sponsor would not keep (a
// sponsor with a floor never concedes towards a text below it either); now 560 (429 before
// the previous round's target was tried again, below).
TEST(KnownAnswers, UnderLogitASponsorNeverWithdrawsTheTextItConcededTo) {
    SpecBuilder b = refused_sponsor(0.4);  // on 0.74, rerouting and leaving about tie
    b.spec().variants.choice = ChoiceRule::Logit;
    int refused = 0, conceded = 0, first_round = 0, later = 0, passed_runs = 0;
    for (int m = 0; m < 2000; ++m) {
        const Resolved r = resolve_once(b.spec(), m);
        refused += (r.flags[3] & kTransitDenied) != 0;
        passed_runs += passed(r.res.outcome);
        conceded += r.res.rounds > 1;
        if (!(r.flags[0] & kDropped)) continue;
        (r.res.rounds == 1 ? first_round : later) += 1;
    }
    RecordProperty("refused", refused);
    RecordProperty("conceded", conceded);
    RecordProperty("withdrawn_first_round", first_round);
    RecordProperty("withdrawn_later", later);
    RecordProperty("passed", passed_runs);
    // The test means something: transit is refused, and the sponsor concedes and the text
    // passes in some runs.
    EXPECT_GT(refused, 1000);
    EXPECT_GT(conceded, 50);
    EXPECT_GT(passed_runs, 50);
    EXPECT_EQ(later, 0);
}

// A participant other than the sponsor, refused transit, that would leave on every
// candidate (its join 1.625 (t - 0.5) less reroute_cost 1 is below its objection's -0.1
// for every t up to 0.9): it blocks the closed exercise, as an objection, but is no veto
// (flagged dropped; session 21), and the win-set, which must keep it in, is empty at once.
// Before session 21 it was flagged veto, and the sponsor "amended" the text to itself
// until the rounds ran out.
TEST(KnownAnswers, AParticipantThatLeavesAClosedExerciseBlocksItWithoutAVeto) {
    SpecBuilder b = refused_sponsor(1.0);
    b.spec().proposals[0].transit = {{2, 3}};  // CCC's troops through EEE
    b.set(path("CCC", "position.d0"), 0.9).set(path("CCC", "salience.d0"), 1.0);
    b.set(path("CCC", "threat.h0"), 0.5);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r.flags[3] & kTransitDenied);
    EXPECT_EQ(r.flags[2] & (kObjected | kDropped | kVeto), kObjected | kDropped);
    EXPECT_EQ(r.res.outcome, Outcome::Blocked);
    EXPECT_TRUE(r.res.win_set_empty);
    EXPECT_EQ(r.res.rounds, 1);
    // Rerouting cheaply, it takes part and the exercise is held as tabled.
    b.dyn(Dyn::RerouteCost, 0.1);
    const Resolved r2 = resolve_once(b.spec(), 0);
    EXPECT_EQ(r2.res.outcome, Outcome::Adopted);
    EXPECT_TRUE(r2.flags[2] & kJoined);
}

// A text tabled for the rest of its aim holds a dimension whose aim the status quo has
// already reached where it stands (III.3; session 20's third attack). Three members that
// accept anything (objection cost 10); one text raises d0 from 0.5 to 0.9 at the first
// summit, a second (d0 at 0.7, d1 at 0.9, both raising from 0.5) comes at the next: its aim
// on d0 is passed, so it moves d1 only, and d0 stays at 0.9. Before session 21 it pulled d0
// back to 0.7, against its own aim.
TEST(KnownAnswers, ATextHoldsADimensionWhoseAimIsReached) {
    SpecBuilder b(2, 0, 3);
    for (const char* id : {"AAA", "BBB", "CCC"}) {
        b.agent(id);
        for (const char* d : {"position.d0", "position.d1"}) b.set(path(id, d), 0.9);
        for (const char* d : {"salience.d0", "salience.d1"}) b.set(path(id, d), 0.1);
    }
    b.set("status_quo.d0", 0.5).set("status_quo.d1", 0.5);
    const int t1 = b.proposal("raise_d0", Kind::Plan, 0);
    const int t2 = b.proposal("both", Kind::Plan, 1);
    b.spec().proposals[t1].first_period = b.spec().proposals[t1].last_period = 0;
    b.spec().proposals[t2].first_period = b.spec().proposals[t2].last_period = 1;
    b.spec().proposals[t1].position[1] = kNoParam;  // raise_d0 names d0 only
    b.set("agenda.raise_d0.position.d0", 0.9);
    b.set("agenda.both.position.d0", 0.7).set("agenda.both.position.d1", 0.9);
    b.dyn(Dyn::ObjectionCost, 10.0).dyn(Dyn::IncidentRate, 0.0);
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord r = run(b.spec(), 0);
    ASSERT_EQ(outcome(r, 0, t1), Outcome::Adopted);
    ASSERT_FLOAT_EQ(sq(r, 1, 0), 0.9f);
    ASSERT_EQ(outcome(r, 1, t2), Outcome::Adopted);
    EXPECT_FLOAT_EQ(text_of(r, 1, t2, 0), 0.9f) << "d0 held where it stands";
    EXPECT_FLOAT_EQ(text_of(r, 1, t2, 1), 0.9f);
    EXPECT_FLOAT_EQ(sq(r, 2, 0), 0.9f);
    EXPECT_FLOAT_EQ(sq(r, 2, 1), 0.9f);
}

// ---- Session 21's second attack: what the first fixes left ---------------------------

namespace {
/// resolve_once with the round-by-round explanation.
struct Explained {
    ProposalResult res;
    ProposalExplain ex;
};
Explained resolve_explained(const ModelSpec& spec, std::uint64_t rep, int p = 0) {
    Workspace ws(spec);
    const Rng rng({2026, 0, rep});
    sample_params(spec, rng, ws.values);
    ws.world.reset(spec, ws.values, std::vector<unsigned char>(spec.params.size(), 0));
    std::vector<Flags> flags(spec.n_agents());
    std::vector<float> text(spec.n_dims());
    Explained e;
    e.res = ConsensusEngine(spec.variants)
                .resolve(ws.world, spec.proposals[p], p, 0, rng, ws.engine, flags.data(),
                         text.data(), &e.ex);
    return e;
}
}  // namespace

// The win-set's grid scales the current offer, so after a step it can pass over the one
// text every test passes: at reroute_cost 0.37 the sponsor keeps a text from t = 0.728 and
// CCC accepts up to 0.75; round 1 aims at 0.74 (share 0.6) and steps to 0.82, whose grid
// (0.788, 0.756, 0.724, ...) holds no such text. The previous round's target is then tried
// (docs/model.md III.4.5): the exercise is held at 0.74 in round 3. Before, the win-set was
// empty in round 2, and at every later summit, whose grid scales the carried 0.8. The same
// with no transit and sponsor_floor 0.58 (0.74 achieves 0.6 of the aim, 0.724 only 0.56).
TEST(KnownAnswers, TheWinSetTriesTheTargetItSteppedTowards) {
    SpecBuilder b = refused_sponsor(0.37);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Diluted);
    EXPECT_EQ(r.res.rounds, 3);
    EXPECT_NEAR(r.text[0], 0.74f, 1e-6f);
    EXPECT_FALSE(r.flags[0] & kDropped);

    b.spec().proposals[0].transit.clear();
    b.dyn(Dyn::SponsorFloor, 0.58);
    const Resolved f = resolve_once(b.spec(), 0);
    EXPECT_EQ(f.res.outcome, Outcome::Diluted);
    EXPECT_EQ(f.res.rounds, 3);
    EXPECT_NEAR(f.text[0], 0.74f, 1e-6f);
}

// A participant other than the sponsor (DDD, at 0.8) whose troops EEE refuses, under logit
// choice: a candidate must keep it in by its kept disposition and reroute draw, so a member
// that was willing to go (it supported, or left only for the refused transit) never leaves
// in the round after a concession. (A member that vetoed the text is won over by the other
// tests, and its route is weighed once it is willing: it may still leave then, docs/model.md
// III.4.5.) Before the fix a participant that would object on the candidate passed the test:
// 53 of 4,000 runs left after a concession.
TEST(KnownAnswers, UnderLogitAWillingParticipantRefusedTransitIsKeptInByTheWinSet) {
    SpecBuilder b = refused_sponsor(0.4);
    const int ddd = b.agent("DDD", Role::Member, 0.3);
    const int fff = b.agent("FFF", Role::Member, 0.3);
    b.set(path("DDD", "position.d0"), 0.8).set(path("DDD", "salience.d0"), 0.8);
    b.set(path("DDD", "threat.h0"), 0.3);
    b.set(path("EEE", "sovereignty"), 0.1);
    b.set(path("FFF", "position.d0"), 0.5).set(path("FFF", "sovereignty"), 0.05);
    (void)fff;
    b.spec().proposals[0].transit = {{ddd, 3}};
    b.dyn(Dyn::LogitPrecision, 20.0);
    b.spec().variants.choice = ChoiceRule::Logit;
    int willing_then_left = 0, left = 0, conceded = 0;
    for (int m = 0; m < 4000; ++m) {
        const Explained e = resolve_explained(b.spec(), m);
        const auto& rounds = e.ex.rounds;
        conceded += rounds.size() > 1;
        for (std::size_t k = 0; k < rounds.size(); ++k) {
            const AgentExplain& a = rounds[k].agents[static_cast<std::size_t>(ddd)];
            if (!(a.flags & kDropped)) continue;
            ++left;
            if (k == 0) continue;
            const AgentExplain& before = rounds[k - 1].agents[static_cast<std::size_t>(ddd)];
            const bool vetoed = before.choice == Choice::Object && !(before.flags & kDropped);
            willing_then_left += !vetoed;
        }
    }
    RecordProperty("left", left);
    RecordProperty("conceded", conceded);
    EXPECT_GT(left, 400);
    EXPECT_GT(conceded, 400);
    EXPECT_EQ(willing_then_left, 0);
}

// Pressure can turn a transit state between rounds (the tension it adds lowers the grant's
// value): the win-set reads each route's grant again, with tension as the round's pressure
// left it, at the summit's kept draw. AAA presses CCC, which granted its troops transit in
// round 1 and would refuse them after; the text CCC would accept (0.74 and below) AAA would
// not keep with the detour (reroute_cost 0.6): the summit ends at once, with no
// withdrawal. Before, AAA conceded to 0.82 and withdrew there, in every run, and the 0.82
// text came back at the next summits to be withdrawn again. Under logit choice (4,000 runs)
// no withdrawal after the first round (before: 899).
TEST(KnownAnswers, PressureThatTurnsATransitStateIsForeseenByTheWinSet) {
    SpecBuilder b(1, 1, 3);
    b.agent("AAA", Role::Member, 1.0, true);
    b.agent("BBB", Role::Member, 0.3);
    b.agent("CCC", Role::Member, 0.3);
    b.set("status_quo.d0", 0.5);
    for (const char* id : {"AAA", "BBB"})
        b.set(path(id, "position.d0"), 0.9)
            .set(path(id, "salience.d0"), 1.0)
            .set(path(id, "threat.h0"), 0.5);
    b.set(path("CCC", "position.d0"), 0.5).set(path("CCC", "salience.d0"), 0.4);
    b.set(path("CCC", "sovereignty"), 0.18);
    b.susceptibility(2, 0, 0.015);
    const int ex = b.proposal("drill", Kind::Exercise, 0, /*opt_out=*/false);
    b.spec().proposals[ex].host = 1;
    b.spec().proposals[ex].transit = {{0, 2}};
    b.set("agenda.drill.position.d0", 0.9).set("agenda.drill.relevance.h0", 1.0);
    b.dyn(Dyn::SovereigntyWeight, 0.5).dyn(Dyn::DenyCost, 0.1).dyn(Dyn::PressureTension, 0.05);
    b.dyn(Dyn::PressureStrength, 2.0).dyn(Dyn::RerouteCost, 0.6).dyn(Dyn::IncidentRate, 0.0);
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::Rounds, 4).dyn(Dyn::AmendmentStep, 0.2);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r.flags[2] & kPressured) << "the pressure that turns CCC";
    EXPECT_EQ(r.res.outcome, Outcome::Blocked);
    EXPECT_EQ(r.res.rounds, 1);
    EXPECT_TRUE(r.res.win_set_empty);
    EXPECT_FALSE(r.flags[0] & kDropped);

    b.spec().variants.choice = ChoiceRule::Logit;
    int later = 0, pressed = 0, passed_runs = 0;
    for (int m = 0; m < 4000; ++m) {
        const Resolved l = resolve_once(b.spec(), m);
        later += (l.flags[0] & kDropped) && l.res.rounds > 1;
        pressed += (l.flags[2] & kPressured) != 0;
        passed_runs += passed(l.res.outcome);
    }
    RecordProperty("pressed", pressed);
    RecordProperty("passed", passed_runs);
    EXPECT_GT(pressed, 1000);
    EXPECT_GT(passed_runs, 200);
    EXPECT_EQ(later, 0);
}

// A dimension the text holds where it stands keeps its share, so a candidate that concedes
// every other dimension is the status quo itself: no offer (III.4.5). t2 {x 0.7, z 0.9}
// comes after x has reached 0.9; CCC accepts z only up to about 0.51 and the sponsor's
// win-set holds nothing but "z conceded to 0". Before, that text, equal to the status quo,
// was adopted (diluted by 1), and t2 left the agenda; now t2 is blocked at every summit,
// as the same text without x is.
TEST(KnownAnswers, AHeldDimensionIsNoOfferOfTheStatusQuo) {
    SpecBuilder b(2, 0, 4);
    for (const char* id : {"AAA", "BBB", "CCC"}) b.agent(id, Role::Member, 0.3);
    for (const char* id : {"AAA", "BBB"})
        for (const char* d : {"d0", "d1"})
            b.set(path(id, std::string("position.") + d), 0.9)
                .set(path(id, std::string("salience.") + d), 0.5);
    b.set(path("CCC", "position.d0"), 0.9).set(path("CCC", "salience.d0"), 0.1);
    b.set(path("CCC", "position.d1"), 0.5).set(path("CCC", "salience.d1"), 1.0);
    b.set("status_quo.d0", 0.5).set("status_quo.d1", 0.5);
    const int t1 = b.proposal("t1", Kind::Plan, 0);
    const int t2 = b.proposal("t2", Kind::Plan, 1);
    b.spec().proposals[t1].first_period = b.spec().proposals[t1].last_period = 0;
    b.spec().proposals[t2].first_period = 1;
    b.spec().proposals[t2].last_period = 3;
    b.spec().proposals[t1].position[1] = kNoParam;  // t1 names d0 only
    b.set("agenda.t1.position.d0", 0.9);
    b.set("agenda.t2.position.d0", 0.7).set("agenda.t2.position.d1", 0.9);
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
    b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::Rounds, 3).dyn(Dyn::AmendmentStep, 1.0);
    b.dyn(Dyn::ObjectionCost, 0.01);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.pressure = PressureRule::Disabled;
    const RunRecord r = run(b.spec(), 0);
    ASSERT_EQ(outcome(r, 0, t1), Outcome::Adopted);
    for (int t = 1; t < 4; ++t) EXPECT_EQ(outcome(r, t, t2), Outcome::Blocked) << "summit " << t;
}

// A text has no aim on a dimension where its position is the run's first status quo: held
// there too (the status quo moved by another text stays where it is); an exercise, an event
// that moves no status quo, is never held (III.3).
TEST(KnownAnswers, NoAimMeansHeldAndAnExerciseIsNeverHeld) {
    SpecBuilder b(2, 1, 3);
    for (const char* id : {"AAA", "BBB", "CCC"}) {
        b.agent(id);
        for (const char* d : {"position.d0", "position.d1"}) b.set(path(id, d), 0.9);
        for (const char* d : {"salience.d0", "salience.d1"}) b.set(path(id, d), 0.1);
    }
    b.set("status_quo.d0", 0.5).set("status_quo.d1", 0.5);
    const int t1 = b.proposal("raise_d0", Kind::Plan, 0);
    const int t2 = b.proposal("keep_d0", Kind::Plan, 1);
    const int ex = b.proposal("drill", Kind::Exercise, 0, /*opt_out=*/false);
    b.spec().proposals[t1].first_period = b.spec().proposals[t1].last_period = 0;
    b.spec().proposals[t2].first_period = b.spec().proposals[t2].last_period = 1;
    b.spec().proposals[ex].first_period = b.spec().proposals[ex].last_period = 1;
    b.spec().proposals[ex].host = 1;
    b.spec().proposals[t1].position[1] = kNoParam;  // raise_d0 and the drill name d0 only
    b.spec().proposals[ex].position[1] = kNoParam;
    b.set("agenda.raise_d0.position.d0", 0.9);
    b.set("agenda.keep_d0.position.d0", 0.5).set("agenda.keep_d0.position.d1", 0.9);
    b.set("agenda.drill.position.d0", 0.7).set("agenda.drill.relevance.h0", 1.0);
    b.dyn(Dyn::ObjectionCost, 10.0).dyn(Dyn::IncidentRate, 0.0);
    b.dyn(Dyn::ImplementationRate, 1.0).dyn(Dyn::ImplementationLag, 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord r = run(b.spec(), 0);
    ASSERT_FLOAT_EQ(sq(r, 1, 0), 0.9f);
    ASSERT_EQ(outcome(r, 1, t2), Outcome::Adopted);
    EXPECT_FLOAT_EQ(text_of(r, 1, t2, 0), 0.9f) << "no aim on d0: held";
    EXPECT_FLOAT_EQ(sq(r, 2, 0), 0.9f);
    ASSERT_TRUE(passed(outcome(r, 1, ex)));
    EXPECT_FLOAT_EQ(text_of(r, 1, ex, 0), 0.7f) << "an exercise is tabled as it stands";
}

// ---- Session 21's third attack: what the second fixes left ---------------------------

// A text that moves nothing (its every dimension at the status quo: no aim, or held) has
// nothing to amend, as a text naming no dimension (session 20): the win-set is not searched,
// the text stands, and pressure carries it. AAA's declaration sits at the status quo; CCC
// objects only from its tension with AAA, and AAA's pressure wins it in round 2. After the
// first fixes every candidate "moved nothing", the win-set was empty at once, and pressure
// never acted (7 of 4,000 passed under logit choice; all do now).
TEST(KnownAnswers, ATextThatMovesNothingStandsAndPressureCarriesIt) {
    SpecBuilder b(1, 1);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB", Role::Member, 0.3);
    b.agent("CCC", Role::Member, 0.2);
    b.set("status_quo.d0", 0.5);
    for (const char* id : {"AAA", "BBB", "CCC"})
        b.set(path(id, "position.d0"), 0.5).set(path(id, "salience.d0"), 0.5);
    b.set(path("AAA", "threat.h0"), 1.0).set(path("BBB", "threat.h0"), 1.0);
    b.susceptibility(2, 0, 1.0);
    b.relation(Field::Tension, 0, 2, 0.5);
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 0.5).set("agenda.decl.relevance.h0", 1.0);
    b.dyn(Dyn::PressureStrength, 1.1).dyn(Dyn::PressureCost, 0.0).dyn(Dyn::PressureTension, 0.2);
    b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::Rounds, 3);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r.flags[2] & kPressured);
    EXPECT_TRUE(passed(r.res.outcome));
    EXPECT_EQ(r.res.rounds, 2);
    EXPECT_FALSE(r.res.win_set_empty);
}

// Held dimensions add nothing to a candidate's size (the tie rule's second criterion): a
// dimension on which the declaration has no aim (d2) made the one-dimension concession
// (0.58, 0.9) look larger than the even one (0.74, 0.74); without d2 the even one is
// chosen, and now with it too (III.4.5, ties).
TEST(KnownAnswers, AHeldDimensionDoesNotMakeAConcessionLarger) {
    for (const bool with_d2 : {false, true}) {
        SCOPED_TRACE(with_d2 ? "with d2" : "without d2");
        SpecBuilder b(3, 1);
        b.agent("AAA", Role::Member, 0.5);
        b.agent("BBB", Role::Member, 0.5);
        for (const char* d : {"d0", "d1", "d2"}) {
            b.set(std::string("status_quo.") + d, 0.5);
            b.set(path("AAA", std::string("position.") + d), std::string(d) == "d2" ? 0.5 : 0.9);
            b.set(path("AAA", std::string("salience.") + d), std::string(d) == "d2" ? 0.0 : 1.0);
            b.set(path("BBB", std::string("position.") + d), 0.5);
            b.set(path("BBB", std::string("salience.") + d), std::string(d) == "d2" ? 0.0 : 0.2);
        }
        const int p = b.proposal("decl", Kind::Declaration, 0);
        b.set("agenda.decl.position.d0", 0.9).set("agenda.decl.position.d1", 0.9);
        if (with_d2)
            b.set("agenda.decl.position.d2", 0.5);
        else
            b.spec().proposals[p].position[2] = kNoParam;
        b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::Rounds, 3).dyn(Dyn::AmendmentStep, 1.0);
        b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::ReservationGain, 0.0);
        b.spec().variants.choice = ChoiceRule::Deterministic;
        b.spec().variants.pressure = PressureRule::Disabled;
        const Resolved r = resolve_once(b.spec(), 0);
        EXPECT_EQ(r.res.outcome, Outcome::Diluted);
        EXPECT_NEAR(r.text[0], 0.74f, 1e-6f);
        EXPECT_NEAR(r.text[1], 0.74f, 1e-6f);
    }
}

// A member that vetoed and whose troops are then refused transit: its route is weighed
// from the round it vetoes, so the sponsor concedes to where it both accepts the text and
// reroutes (CCC at 0.6, reroute_cost 0.05: 0.74, in 3 rounds). Before, CCC was won at 0.72
// and left at once for the refused transit: blocked at every summit whose offer started at
// 1. Under logit choice no participant leaves in the summit's last round (before: 1,678
// of 4,000 left in a later round), since the win-set also reads it on the step that round
// makes, not only on the candidate.
TEST(KnownAnswers, AVetoerWhoseTroopsAreRefusedIsWonWhereItAlsoReroutes) {
    SpecBuilder b = refused_sponsor(0.05);
    b.spec().proposals[0].transit = {{2, 3}};  // CCC's troops through EEE
    b.set(path("CCC", "position.d0"), 0.6).set(path("CCC", "salience.d0"), 1.0);
    b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::Rounds, 3);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord r = run(b.spec(), 0);
    for (int t = 0; t < 3; ++t) {
        EXPECT_EQ(outcome(r, t, 0), Outcome::Diluted) << "summit " << t;
        EXPECT_NEAR(text_of(r, t, 0, 0), 0.74f, 1e-6f) << "summit " << t;
        EXPECT_FALSE(flag(r, t, 0, 2) & kDropped) << "summit " << t;
    }
    b.spec().variants.choice = ChoiceRule::Logit;
    int left_later = 0, left = 0, passed_runs = 0;
    for (int m = 0; m < 4000; ++m) {
        const Resolved l = resolve_once(b.spec(), m);
        left += (l.flags[2] & kDropped) != 0;
        // Leaving in a round before the last only fails that round (the next win-set reads
        // it again); in the last round it fails the summit, which the win-set foresees.
        left_later += (l.flags[2] & kDropped) && l.res.rounds == 3;
        passed_runs += passed(l.res.outcome);
    }
    RecordProperty("left", left);
    RecordProperty("passed", passed_runs);
    EXPECT_GT(passed_runs, 400);
    EXPECT_EQ(left_later, 0);
}

// An offer that had conceded every dimension the text can still move (the others held
// since) would table the status quo itself: the rest of the aim is tabled afresh. Two texts
// raise d0; p_main also d1, which XXX opposes, and conceding d1 carries (1, 0); once q_push
// has taken d0 past p_main's position, the carried text equalled the status quo (tabled
// in 1,041 of 2,082 runs at the second summit, 255 adopted as "diluted" by 1). Now no
// tabled text equals the status quo.
TEST(KnownAnswers, ACarriedOfferNeverTablesTheStatusQuo) {
    SpecBuilder b(2, 1, 4);
    b.agent("AAA", Role::Member, 0.4);
    b.agent("BBB", Role::Member, 0.3);
    b.agent("XXX", Role::Member, 0.3);
    b.set("status_quo.d0", 0.5).set("status_quo.d1", 0.5);
    b.set(path("AAA", "position.d0"), 0.9).set(path("AAA", "position.d1"), 0.8);
    b.set(path("AAA", "salience.d0"), 1.0).set(path("AAA", "salience.d1"), 0.05);
    b.set(path("BBB", "position.d0"), 0.9).set(path("BBB", "position.d1"), 0.8);
    b.set(path("BBB", "salience.d0"), 1.0).set(path("BBB", "salience.d1"), 0.1);
    b.set(path("XXX", "position.d0"), 0.5).set(path("XXX", "position.d1"), 0.5);
    b.set(path("XXX", "salience.d1"), 1.0);
    const int main = b.proposal("p_main", Kind::Institution, 0);
    const int push = b.proposal("q_push", Kind::Institution, 1);
    b.spec().proposals[push].first_period = b.spec().proposals[push].last_period = 0;
    b.spec().proposals[push].position[1] = kNoParam;
    b.set("agenda.p_main.position.d0", 0.8).set("agenda.p_main.position.d1", 0.8);
    b.set("agenda.q_push.position.d0", 0.9);
    b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::ImplementationRate, 1.0);
    b.dyn(Dyn::ImplementationLag, 1.0).dyn(Dyn::Rounds, 2).dyn(Dyn::AmendmentStep, 1.0);
    b.dyn(Dyn::LogitPrecision, 10.0).dyn(Dyn::ObjectionCost, 0.001);
    b.spec().variants.choice = ChoiceRule::Logit;
    b.spec().variants.pressure = PressureRule::Disabled;
    int tabled_later = 0, at_sq = 0;
    for (int m = 0; m < 2000; ++m) {
        const RunRecord r = run(b.spec(), static_cast<std::uint64_t>(m));
        for (int t = 1; t < 4; ++t) {
            if (outcome(r, t, main) == Outcome::NotTabled) continue;
            ++tabled_later;
            bool same = true;
            for (int d = 0; d < 2; ++d)
                same = same && std::abs(text_of(r, t, main, d) - sq(r, t, d)) < 1e-6f;
            at_sq += same;
        }
    }
    RecordProperty("tabled_later", tabled_later);
    EXPECT_GT(tabled_later, 500);
    EXPECT_EQ(at_sq, 0);
}

// A recurring text adopted in full leaves the status quo a rounding residue short of its
// position (0.05 + (0.21 - 0.05) = 0.20999999999999996): the dimension is held within
// 1e-9, the agenda's own tolerance, so "concede everything else" is no offer of a text 3e-17
// from the status quo. Before, that text was adopted at the next summit, diluted by 1.
TEST(KnownAnswers, ARoundingResidueIsNoAimLeft) {
    SpecBuilder b(2, 1, 3);
    b.agent("AAA", Role::Member, 0.5);
    b.agent("XXX", Role::Member, 0.5);
    b.set("status_quo.d0", 0.05).set("status_quo.d1", 0.5);
    b.set(path("AAA", "position.d0"), 0.21).set(path("AAA", "position.d1"), 0.8);
    b.set(path("AAA", "salience.d0"), 1.0).set(path("AAA", "salience.d1"), 0.3);
    b.set(path("XXX", "position.d0"), 0.05).set(path("XXX", "position.d1"), 0.5);
    b.set(path("XXX", "salience.d1"), 0.5);
    const int plan = b.proposal("plan", Kind::Plan, 0);
    b.spec().proposals[plan].recurring = true;
    b.set("agenda.plan.position.d0", 0.21).set("agenda.plan.position.d1", 0.8);
    b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::ImplementationRate, 1.0);
    b.dyn(Dyn::ImplementationLag, 1.0).dyn(Dyn::Rounds, 3).dyn(Dyn::AmendmentStep, 1.0);
    b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::ReservationGain, 0.0);
    b.shock(1, b.spec().params.find("dynamics.objection_cost"), Distribution::fixed(0.0001));
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.pressure = PressureRule::Disabled;
    const RunRecord r = run(b.spec(), 0);
    ASSERT_TRUE(passed(outcome(r, 0, plan)));
    for (int t = 1; t < 3; ++t) {
        if (outcome(r, t, plan) == Outcome::NotTabled) continue;
        const bool at_sq = std::abs(text_of(r, t, plan, 0) - sq(r, t, 0)) < 1e-6f &&
                           std::abs(text_of(r, t, plan, 1) - sq(r, t, 1)) < 1e-6f;
        EXPECT_FALSE(passed(outcome(r, t, plan)) && at_sq) << "summit " << t;
    }
}

// The previous round's target is tried whenever no candidate of the grid passes both tests
// (not only when none passes the margin test): an objector that accepts more (up to 0.64
// of the way rather than 0.635) must not make the text pass less. Before, at 0.64 the grid
// point 0.64 passed the margin test only, the previous target 0.6 (which passes both) was
// never tried, and the pass rate fell from 59.3% to 50.0% (4,000 runs, logit precision 50).
TEST(KnownAnswers, AMoreAccommodatingObjectorNeverLowersThePassRate) {
    int pass[2] = {0, 0};
    const double w0[2] = {0.635, 0.64};
    for (int k = 0; k < 2; ++k) {
        SpecBuilder b(1, 1);
        b.agent("AAA", Role::Member, 0.4);
        b.agent("BBB", Role::Member, 0.3);
        b.agent("XXX", Role::Member, 0.3);
        b.set("status_quo.d0", 0.5);
        for (const char* id : {"AAA", "BBB"})
            b.set(path(id, "position.d0"), 0.9).set(path(id, "salience.d0"), 1.0);
        b.set(path("XXX", "position.d0"), 0.5).set(path("XXX", "salience.d0"), 0.5);
        b.proposal("text", Kind::Institution, 0);
        b.set("agenda.text.position.d0", 0.9);
        b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::Rounds, 3).dyn(Dyn::AmendmentStep, 0.2);
        b.dyn(Dyn::LogitPrecision, 50.0).dyn(Dyn::ObjectionCost, 0.2 * w0[k]);
        b.dyn(Dyn::SponsorFloor, 0.58).dyn(Dyn::ReservationCost, 0.05);
        b.spec().variants.choice = ChoiceRule::Logit;
        b.spec().variants.pressure = PressureRule::Disabled;
        for (int m = 0; m < 4000; ++m) pass[k] += passed(resolve_once(b.spec(), m).res.outcome);
    }
    RecordProperty("pass_0635", pass[0]);
    RecordProperty("pass_064", pass[1]);
    EXPECT_TRUE(pass[1] >= pass[0] || compatible(pass[0], 4000, pass[1], 4000))
        << pass[0] << " then " << pass[1];
}

// ---- Session 21's third attack -------------------------------------------------------

// The step the next round makes is read for a refused participant only where that round
// is the summit's last: before it, a drop-out on the step only fails that round, and the
// next win-set reads the member again. CCC (at 0.6) vetoes, its troops are refused
// (reroute_cost 0.1), amendment_step 0.4: the sponsor steps 1 -> 0.6 of the way (CCC leaves
// there), then to 0.48 (0.692), adopted in round 3 at every summit. Reading every step
// emptied the win-set in round 1: blocked at every summit.
TEST(KnownAnswers, AStepBeforeTheLastRoundMayLoseARefusedParticipant) {
    SpecBuilder b = refused_sponsor(0.1);
    b.spec().proposals[0].transit = {{2, 3}};  // CCC's troops through EEE
    b.set(path("CCC", "position.d0"), 0.6).set(path("CCC", "salience.d0"), 1.0);
    b.dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::Rounds, 3).dyn(Dyn::AmendmentStep, 0.4);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const RunRecord r = run(b.spec(), 0);
    for (int t = 0; t < 3; ++t) EXPECT_TRUE(passed(outcome(r, t, 0))) << "summit " << t;
}

// An even concession scales only the dimensions the text can move: a held dimension keeps
// its share, for when the status quo moves back. q_up raises d1 to 0.8 and q_down lowers it
// to 0.4 a summit later; XXX (indifferent on d1) makes p_main concede d0 meanwhile. When
// p_main is tabled again d1's share is still whole: adopted at its position 0.8 on d1.
// Before, the even concession of the summit where d1 was held cut it to 0.8 of the way, and
// the text came back diluted there (d1 0.72).
TEST(KnownAnswers, AnEvenConcessionLeavesAHeldDimensionWhole) {
    SpecBuilder b(2, 1, 5);
    b.agent("AAA", Role::Member, 0.4);
    b.agent("BBB", Role::Member, 0.3);
    b.agent("XXX", Role::Member, 0.3);
    b.set("status_quo.d0", 0.5).set("status_quo.d1", 0.5);
    for (const char* id : {"AAA", "BBB"})
        b.set(path(id, "position.d0"), 0.9)
            .set(path(id, "position.d1"), 0.8)
            .set(path(id, "salience.d0"), 1.0)
            .set(path(id, "salience.d1"), 0.2);
    b.set(path("XXX", "position.d0"), 0.5).set(path("XXX", "position.d1"), 0.5);
    b.set(path("XXX", "salience.d0"), 1.0);
    const int up = b.proposal("q_up", Kind::Institution, 1);
    const int main = b.proposal("p_main", Kind::Institution, 0);
    const int down = b.proposal("q_down", Kind::Institution, 2);
    b.spec().proposals[up].position[0] = kNoParam;
    b.spec().proposals[down].position[0] = kNoParam;
    b.spec().proposals[up].first_period = b.spec().proposals[up].last_period = 0;
    b.spec().proposals[main].first_period = 1;
    b.spec().proposals[main].last_period = 4;
    b.spec().proposals[down].first_period = b.spec().proposals[down].last_period = 1;
    b.set("agenda.q_up.position.d1", 0.8).set("agenda.q_down.position.d1", 0.4);
    b.set("agenda.p_main.position.d0", 0.9).set("agenda.p_main.position.d1", 0.8);
    b.dyn(Dyn::IncidentRate, 0.0).dyn(Dyn::ImplementationRate, 1.0);
    b.dyn(Dyn::ImplementationLag, 1.0).dyn(Dyn::Rounds, 2).dyn(Dyn::AmendmentStep, 0.2);
    b.dyn(Dyn::ObjectionCost, 0.1);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.pressure = PressureRule::Disabled;
    const RunRecord r = run(b.spec(), 0);
    int adopted_at = -1;
    for (int t = 1; t < 5 && adopted_at < 0; ++t)
        if (passed(outcome(r, t, main))) adopted_at = t;
    ASSERT_GE(adopted_at, 2);
    EXPECT_NEAR(text_of(r, adopted_at, main, 1), 0.8f, 1e-6f);
}
