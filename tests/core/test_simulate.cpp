#include "sim/core/simulate.h"

#include <gtest/gtest.h>

#include "support/spec_builder.h"

using namespace sco::core;
using sco::test::SpecBuilder;

namespace {
RunRecord run(const ModelSpec& spec, std::uint64_t rep, std::uint64_t seed = 11) {
    CompiledModel m(spec);
    Workspace ws(spec);
    RunRecord r(m.shape());
    simulate(m, {seed, 0, rep}, ws, r);
    return r;
}
Outcome outcome(const RunRecord& r, int t, int p) {
    return static_cast<Outcome>(r.outcome[static_cast<std::size_t>(t) * r.shape.proposals + p]);
}
}  // namespace

TEST(Simulate, SameKeySameRecordDifferentKeyDifferentRecord) {
    SpecBuilder b(2, 1, 3);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB");
    b.agent("CCC");
    b.proposal("p", Kind::Plan, 0);
    b.set("agenda.p.position.d0", {DistKind::Uniform, 0.2, 0.9});
    b.set("agents.BBB.position.d0", {DistKind::Beta, 2, 2}).set("agents.BBB.salience.d0", 1.0);
    b.relation(Field::Tension, 1, 2, 0.5);
    const RunRecord a = run(b.spec(), 3), a2 = run(b.spec(), 3), c = run(b.spec(), 4);
    EXPECT_EQ(a.outcome, a2.outcome);
    EXPECT_EQ(a.tension, a2.tension);
    EXPECT_EQ(a.params, a2.params);
    ASSERT_EQ(a.params.size(), 2u);
    EXPECT_NE(a.params, c.params);
}

TEST(Simulate, AdmittedMemberGetsAVetoFromTheNextSummit) {
    SpecBuilder b(1, 0, 2);
    b.agent("AAA", Role::Member, 0.5);
    b.agent("BBB");
    b.agent("ZZZ", Role::Candidate);
    const int adm = b.proposal("admit_zzz", Kind::Membership, 0);
    b.spec().proposals[adm].admit = {2};
    const int decl = b.proposal("decl", Kind::Declaration, 0);
    b.spec().proposals[decl].recurring = true;
    b.set("agenda.decl.position.d0", 1.0);
    for (const char* id : {"AAA", "BBB"})
        b.set(std::string("agents.") + id + ".position.d0", 1.0)
            .set(std::string("agents.") + id + ".salience.d0", 1.0);
    b.set("agents.ZZZ.salience.d0", 1.0);   // ZZZ sits at 0 and loses 1 if the declaration passes
    b.relation(Field::Tension, 0, 2, 1.0);  // mild rivalry: weighs 0.2, not enough to keep ZZZ out
    b.dyn(Dyn::TensionWeight, 0.2).dyn(Dyn::DialogueRate, 0.0).dyn(Dyn::IncidentRate, 0.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    b.spec().variants.amendment = AmendmentRule::None;
    const RunRecord r = run(b.spec(), 0);
    ASSERT_TRUE(passed(outcome(r, 0, adm)));
    EXPECT_TRUE(passed(outcome(r, 0, decl)));  // ZZZ not yet a member: its objection does not count
    EXPECT_EQ(outcome(r, 1, adm), Outcome::NotTabled);  // adopted once, not tabled again
    EXPECT_FALSE(passed(outcome(r, 1, decl)));          // now a member: its objection blocks
}

TEST(Simulate, ShocksChangeParametersFromTheirPeriodOn) {
    SpecBuilder b(1, 0, 3);
    b.agent("AAA", Role::Member, 0.5);
    b.agent("BBB");
    const int p = b.proposal("plan", Kind::Plan, 0);
    b.spec().proposals[p].recurring = true;
    b.set("agenda.plan.position.d0", 0.5).set("agenda.plan.uncertainty", 1.0);
    b.relation(Field::Tension, 0, 1, 1.0);
    b.dyn(Dyn::TensionWeight, 5.0).dyn(Dyn::DialogueRate, 0.0).dyn(Dyn::IncidentRate, 0.0);
    b.spec().variants.choice = ChoiceRule::Deterministic;
    // From period 1 on the plan's uncertainty is 0: a failure is a block, not a deferral.
    ParamDef d = b.spec().params[b.spec().proposals[p].uncertainty];
    d.path = "shocks.0." + d.path;
    d.dist = Distribution::fixed(0.0);
    Shock sh;
    sh.period = 1;
    sh.set.push_back(b.spec().params.add(d));
    sh.targets.push_back(b.spec().proposals[p].uncertainty);
    b.spec().shocks.push_back(sh);
    const RunRecord r = run(b.spec(), 0);
    EXPECT_EQ(outcome(r, 0, p), Outcome::Deferred);
    EXPECT_EQ(outcome(r, 1, p), Outcome::Blocked);
    EXPECT_EQ(outcome(r, 2, p), Outcome::Blocked);
}

TEST(Simulate, RecordsReferencePredictionsAndTension) {
    SpecBuilder b(1, 0, 2);
    b.agent("AAA", Role::Member, 0.5);
    b.agent("BBB", Role::Member, 0.5);
    b.set("agents.AAA.position.d0", 0.2).set("agents.AAA.salience.d0", 1.0);
    b.set("agents.BBB.position.d0", 0.6).set("agents.BBB.salience.d0", 1.0);
    b.proposal("p", Kind::Declaration, 0);
    b.relation(Field::Tension, 0, 1, 0.5);
    b.dyn(Dyn::DialogueRate, 0.5).dyn(Dyn::IncidentRate, 0.0);
    const RunRecord r = run(b.spec(), 0);
    EXPECT_FLOAT_EQ(r.compromise[0], 0.4f);
    EXPECT_FLOAT_EQ(r.weighted_median[0], 0.2f);
    EXPECT_FLOAT_EQ(r.tension[0], 0.25f);
    EXPECT_FLOAT_EQ(r.tension[1], 0.125f);
}
