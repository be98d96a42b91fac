#include "sim/core/engine.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/core/simulate.h"
#include "support/spec_builder.h"

using namespace sco::core;
using sco::test::SpecBuilder;

namespace {

// Three members (AAA a great power) and an observer on one dimension, no threats.
SpecBuilder three_members(int periods = 1) {
    SpecBuilder b(1, 0, periods);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB", Role::Member, 0.3);
    b.agent("CCC", Role::Member, 0.2);
    b.agent("OBS", Role::Observer, 0.1);
    for (const char* id : {"AAA", "BBB", "CCC", "OBS"})
        b.set(std::string("agents.") + id + ".salience.d0", 1.0);
    b.set("agents.AAA.position.d0", 0.8).set("agents.BBB.position.d0", 0.3);
    b.set("agents.CCC.position.d0", 0.1).set("agents.OBS.position.d0", 0.0);
    return b;
}

struct Resolved {
    World w;
    EngineScratch s;
    std::vector<std::uint8_t> flags;
    std::vector<float> text;
    ProposalResult res;
};

/// Builds the World for one run of the spec and resolves proposal 0 at summit 0.
Resolved resolve_once(const ModelSpec& spec, std::uint64_t rep) {
    Workspace ws(spec);
    const Rng rng({99, 0, rep});
    sample_params(spec, rng, ws.values);
    ws.world.reset(spec, ws.values, std::vector<unsigned char>(spec.params.size(), 0));
    Resolved r{ws.world,
               ws.engine,
               std::vector<std::uint8_t>(spec.n_agents()),
               std::vector<float>(spec.n_dims()),
               {}};
    r.res = ConsensusEngine(spec.variants)
                .resolve(r.w, spec.proposals[0], 0, 0, rng, r.s, r.flags.data(), r.text.data());
    return r;
}

double support_probability(const World& w, const ProposalSpec& prop, int i, double beta) {
    std::vector<double> text{w.prop_position(0, 0)};
    const Options o = options(w, spatial(w, i, text.data()), agent_terms(w, prop, 0, i), 0.0,
                              w.uncertainty(0), prop.opt_out);
    const auto p = logit_probabilities(o, beta);
    return p[0] + p[1];
}

}  // namespace

// With one round, no bargaining and independent choices, adoption in the first round has
// the product of the members' chances of support (Charter Art. 16:
// no objection means adoption); the observer's choice must not matter.
TEST(Engine, FirstRoundAdoptionIsTheProductOfSupportProbabilities) {
    SpecBuilder b = three_members();
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 0.6).dyn(Dyn::Rounds, 1).dyn(Dyn::LogitPrecision, 3.0);
    b.spec().variants.amendment = AmendmentRule::None;
    b.spec().variants.pressure = PressureRule::Disabled;
    const ModelSpec& spec = b.spec();

    const Resolved probe = resolve_once(spec, 0);
    double expected = 1.0;
    // The sponsor (AAA) always supports its own text; the others choose by the logit rule.
    for (int i = 1; i < 3; ++i) expected *= support_probability(probe.w, spec.proposals[0], i, 3.0);
    ASSERT_GT(expected, 0.2);
    ASSERT_LT(expected, 0.85);

    const int M = 20000;
    int passed_runs = 0;
    for (int m = 0; m < M; ++m) passed_runs += passed(resolve_once(spec, m).res.outcome);
    // 99.99% binomial interval (z = 3.89) around the analytic value.
    const double sd = std::sqrt(expected * (1 - expected) / M);
    EXPECT_NEAR(static_cast<double>(passed_runs) / M, expected, 3.89 * sd);
}

TEST(Engine, VeryLargePrecisionMakesTheOutcomeDeterministic) {
    SpecBuilder b = three_members();
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 0.6).dyn(Dyn::LogitPrecision, 1e4);
    const Outcome first = resolve_once(b.spec(), 0).res.outcome;
    for (int m = 1; m < 300; ++m) ASSERT_EQ(resolve_once(b.spec(), m).res.outcome, first);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    EXPECT_EQ(resolve_once(b.spec(), 12345).res.outcome, first);
}

TEST(Engine, ReluctantMemberStaysOutAndTheCoalitionGoesAhead) {
    SpecBuilder b = three_members();
    b.proposal("ex", Kind::Exercise, 0, /*opt_out=*/true);
    b.set("agenda.ex.position.d0", 0.4).set("agents.CCC.military_reluctance", 1.0);
    b.dyn(Dyn::MilitaryWeight, 3.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Coalition);
    EXPECT_TRUE(r.flags[2] & kStayedOut);
    EXPECT_FALSE(r.flags[2] & kObjected);
    EXPECT_TRUE(r.flags[0] & kJoined);
    EXPECT_TRUE(r.flags[1] & kJoined);
}

TEST(Engine, TooSmallACoalitionCannotAct) {
    SpecBuilder b = three_members();
    b.proposal("ex", Kind::Exercise, 0, true);
    b.set("agenda.ex.position.d0", 0.4).set("agenda.ex.min_participants", 3.0);
    b.set("agents.CCC.military_reluctance", 1.0).dyn(Dyn::MilitaryWeight, 3.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_FALSE(passed(r.res.outcome));
    EXPECT_EQ(r.res.rounds, 3);
}

TEST(Engine, TransitDeniedIsRecordedAndCanMakeTheParticipantDropOut) {
    SpecBuilder b = three_members();
    const int ex = b.proposal("ex", Kind::Exercise, 0, true);
    b.spec().proposals[ex].transit.push_back({1, 2});  // BBB's troops through CCC
    b.set("agenda.ex.position.d0", 0.4).set("agents.CCC.sovereignty", 1.0);
    b.dyn(Dyn::SovereigntyWeight, 1.0).dyn(Dyn::RerouteCost, 5.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r.flags[2] & kTransitDenied);
    EXPECT_TRUE(r.flags[1] & kDropped);
    EXPECT_TRUE(r.flags[1] & kStayedOut);
    EXPECT_FALSE(r.flags[1] & kJoined);
    // With a cheap detour the participant stays in.
    b.dyn(Dyn::RerouteCost, 0.0);
    const Resolved r2 = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r2.flags[2] & kTransitDenied);
    EXPECT_TRUE(r2.flags[1] & kJoined);
}

TEST(Engine, ObserverObjectionDoesNotBlock) {
    SpecBuilder b = three_members();
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 0.25)
        .set("agents.BBB.position.d0", 0.3)
        .set("agents.CCC.position.d0", 0.3);
    b.set("agents.OBS.position.d0", 0.0).set("agents.OBS.salience.d0", 1.0);
    b.relation(Field::Tension, 0, 3, 1.0);  // the observer dislikes the sponsor
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(r.flags[3] & kObjected);
    EXPECT_TRUE(passed(r.res.outcome));
}

TEST(Engine, PressureWinsOverASusceptibleObjectorAndCostsThePressurer) {
    SpecBuilder b = three_members();
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 0.6)
        .set("agents.BBB.position.d0", 0.6)
        .set("agents.CCC.position.d0", 0.0);
    b.relation(Field::Tension, 0, 2, 0.5);  // CCC objects: joining costs it 0.5 more
    b.susceptibility(2, 0, 1.0);
    b.dyn(Dyn::PressureStrength, 10.0).dyn(Dyn::PressureCost, 0.0).dyn(Dyn::PressureTension, 0.2);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.amendment = AmendmentRule::None;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_TRUE(passed(r.res.outcome));
    EXPECT_EQ(r.res.rounds, 2);
    EXPECT_EQ(r.res.pressure, 1);
    EXPECT_TRUE(r.flags[2] & kPressured);
    EXPECT_TRUE(r.flags[0] & kPressurer);
    EXPECT_NEAR(r.w.tension(0, 2), 0.7, 1e-12);
    // Without pressure the objection stands.
    b.spec().variants.pressure = PressureRule::Disabled;
    EXPECT_EQ(resolve_once(b.spec(), 0).res.outcome, Outcome::Blocked);
}

TEST(Engine, AmendmentMovesTheTextTowardsTheObjectorAndMeasuresDilution) {
    SpecBuilder b = three_members();
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 1.0)
        .set("agents.BBB.position.d0", 1.0)
        .set("agents.CCC.position.d0", 0.0);
    b.relation(Field::Tension, 0, 2, 1.0);  // CCC objects whatever the text
    b.dyn(Dyn::Rounds, 2).dyn(Dyn::AmendmentStep, 0.5).dyn(Dyn::TensionWeight, 5.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.pressure = PressureRule::Disabled;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Blocked);
    EXPECT_FLOAT_EQ(r.text[0], 0.5f);
    EXPECT_DOUBLE_EQ(r.res.dilution, 0.5);
}

TEST(Engine, DilutedTextThatWinsConsensusIsRecordedAsDiluted) {
    SpecBuilder b = three_members();
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.decl.position.d0", 1.0)
        .set("agents.BBB.position.d0", 0.9)
        .set("agents.CCC.position.d0", 0.3);
    b.set("agents.CCC.salience.d0", 1.0).dyn(Dyn::ObjectionCost, 0.1).dyn(Dyn::AmendmentStep, 0.5);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::Diluted);
    EXPECT_GT(r.res.dilution, 0.0);
    EXPECT_LT(r.text[0], 1.0f);
}

TEST(Engine, UncertaintyTurnsAFailureIntoDeferral) {
    SpecBuilder b = three_members();
    b.proposal("plan", Kind::Plan, 0);
    b.set("agenda.plan.position.d0", 0.8).relation(Field::Tension, 0, 2, 1.0);
    b.dyn(Dyn::TensionWeight, 5.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    EXPECT_EQ(resolve_once(b.spec(), 0).res.outcome, Outcome::Blocked);
    b.set("agenda.plan.uncertainty", 1.0);
    EXPECT_EQ(resolve_once(b.spec(), 0).res.outcome, Outcome::Deferred);
}

TEST(Engine, ReservationDoesNotBlock) {
    SpecBuilder b = three_members();
    b.proposal("decl", Kind::Declaration, 0);
    // CCC loses on the text but values the threat it answers: it accepts with a reservation.
    b.set("agenda.decl.position.d0", 0.6)
        .set("agents.CCC.position.d0", 0.2)
        .set("agents.BBB.position.d0", 0.6);
    b.dyn(Dyn::ReservationGain, 1.0).dyn(Dyn::ReservationCost, 0.0).dyn(Dyn::ObjectionCost, 1.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    const Resolved r = resolve_once(b.spec(), 0);
    EXPECT_EQ(r.res.outcome, Outcome::AdoptedWithReservations);
    EXPECT_TRUE(r.flags[2] & kReserved);
}
