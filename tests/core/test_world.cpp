#include "sim/core/world.h"

#include <gtest/gtest.h>

#include "support/spec_builder.h"

using namespace sco::core;

namespace {
World built(sco::test::SpecBuilder& b) {
    World w;
    w.resize(b.spec());
    std::vector<double> values;
    for (const auto& d : b.spec().params.all()) values.push_back(d.dist.a);
    w.reset(b.spec(), values, std::vector<unsigned char>(values.size(), 0));
    return w;
}
}  // namespace

TEST(World, ParametersLandWhereTheirFieldSays) {
    sco::test::SpecBuilder b(2, 1);
    b.agent("AAA", Role::Member, 0.3);
    b.agent("BBB", Role::Observer, 0.2);
    b.proposal("p", Kind::Plan, 0);
    b.relation(Field::Tension, 0, 1, 0.7);
    b.relation(Field::Affinity, 0, 1, 0.4);
    b.susceptibility(1, 0, 0.6);
    b.set("agents.BBB.position.d1", 0.9).set("agents.AAA.threat.h0", 0.8);
    b.set("agenda.p.position.d0", 0.65).set("agenda.p.uncertainty", 0.25);
    b.set("status_quo.d1", 0.35).dyn(Dyn::Rounds, 4);
    const World w = built(b);
    EXPECT_DOUBLE_EQ(w.capability(0), 0.3);
    EXPECT_DOUBLE_EQ(w.position(1, 1), 0.9);
    EXPECT_DOUBLE_EQ(w.threat(0, 0), 0.8);
    EXPECT_DOUBLE_EQ(w.tension(0, 1), 0.7);
    EXPECT_DOUBLE_EQ(w.tension(1, 0), 0.7);  // relations are symmetric
    EXPECT_DOUBLE_EQ(w.affinity(1, 0), 0.4);
    EXPECT_DOUBLE_EQ(w.susceptibility(1, 0), 0.6);
    EXPECT_DOUBLE_EQ(w.susceptibility(0, 1), 0.0);  // susceptibility is not
    EXPECT_DOUBLE_EQ(w.prop_position(0, 0), 0.65);
    EXPECT_DOUBLE_EQ(w.uncertainty(0), 0.25);
    EXPECT_DOUBLE_EQ(w.d(Dyn::Rounds), 4.0);
    EXPECT_EQ(w.role[1], Role::Observer);
    EXPECT_TRUE(w.member(0));
    EXPECT_FALSE(w.member(1));
}

TEST(World, DimensionsAProposalLeavesAloneStayAtTheStatusQuo) {
    sco::test::SpecBuilder b(2, 0);
    b.agent("AAA");
    b.agent("BBB");
    b.proposal("p", Kind::Plan, 0);
    b.spec().proposals[0].position[1] = kNoParam;
    b.set("status_quo.d1", 0.35);
    const World w = built(b);
    EXPECT_DOUBLE_EQ(w.prop_position(0, 1), 0.35);
}

TEST(World, ResetClearsTheStateOfThePreviousRun) {
    sco::test::SpecBuilder b(1, 0);
    b.agent("AAA");
    b.agent("BBB", Role::Candidate);
    b.proposal("p", Kind::Plan, 0);
    World w = built(b);
    w.role[1] = Role::Member;
    w.adopted_at[0] = 0;
    w.pending_at[0] = 1;
    w.status_quo(0) = 0.7;
    w.tension(0, 1) = w.tension(1, 0) = 0.9;
    std::vector<double> values;
    for (const auto& d : b.spec().params.all()) values.push_back(d.dist.a);
    w.reset(b.spec(), values, std::vector<unsigned char>(values.size(), 0));
    EXPECT_EQ(w.role[1], Role::Candidate);
    EXPECT_EQ(w.adopted_at[0], -1);
    EXPECT_EQ(w.pending_at[0], -1);
    EXPECT_DOUBLE_EQ(w.status_quo(0), 0.0);
    EXPECT_DOUBLE_EQ(w.status_quo0(0), 0.0);
    EXPECT_DOUBLE_EQ(w.tension(0, 1), 0.0);
}
