#include "sim/experiment/plan.h"

#include <gtest/gtest.h>

#include "support/spec_builder.h"

using namespace sco;

TEST(Plan, ApplyPointReplacesOnlyItsParameters) {
    test::SpecBuilder b(1, 0);
    b.agent("AAA");
    b.agent("BBB");
    b.proposal("p", core::Kind::Plan, 0);
    const core::ModelSpec& spec = b.spec();
    const core::ParamId id = spec.params.find("agents.BBB.sovereignty");
    experiment::Point pt{{{id, core::Distribution::uniform(0.1, 0.2)}}};
    const core::ModelSpec s2 = experiment::apply_point(spec, pt);
    EXPECT_EQ(s2.params[id].dist, core::Distribution::uniform(0.1, 0.2));
    EXPECT_TRUE(spec.params[id].dist.is_fixed());  // the original is untouched
    for (int k = 0; k < spec.params.size(); ++k)
        if (k != id) {
            EXPECT_EQ(s2.params[k].dist, spec.params[k].dist);
        }
}

TEST(Plan, ApplyPointKeepsEverythingButTheDistributions) {
    // A point replaces distributions only: ranges, fields, paths, the agenda and the
    // variants are the scenario's, and an empty point gives the scenario back unchanged.
    test::SpecBuilder b(2, 1);
    b.agent("AAA");
    b.agent("BBB");
    b.proposal("p", core::Kind::Exercise, 0, true);
    b.spec().variants.amendment = core::AmendmentRule::None;
    const core::ModelSpec& spec = b.spec();
    const core::ParamId pos = spec.params.find("agents.AAA.position.d1");
    const core::ParamId rounds = spec.params.find("dynamics.rounds");
    ASSERT_NE(pos, core::kNoParam);
    ASSERT_NE(rounds, core::kNoParam);
    const experiment::Point pt{
        {{pos, core::Distribution::beta(2, 5)}, {rounds, core::Distribution::fixed(7)}}};
    const core::ModelSpec s2 = experiment::apply_point(spec, pt);
    ASSERT_EQ(s2.params.size(), spec.params.size());
    for (int k = 0; k < spec.params.size(); ++k) {
        EXPECT_EQ(s2.params[k].path, spec.params[k].path);
        EXPECT_EQ(s2.params[k].range.lo, spec.params[k].range.lo);
        EXPECT_EQ(s2.params[k].range.hi, spec.params[k].range.hi);
        EXPECT_EQ(s2.params[k].field, spec.params[k].field);
        EXPECT_EQ(s2.params[k].integer, spec.params[k].integer);
    }
    EXPECT_EQ(s2.params[pos].dist, core::Distribution::beta(2, 5));
    EXPECT_EQ(s2.params[rounds].dist, core::Distribution::fixed(7));
    EXPECT_EQ(s2.variants, spec.variants);
    EXPECT_EQ(s2.n_proposals(), spec.n_proposals());
    EXPECT_TRUE(s2.proposals[0].opt_out);
    // The random parameters a run records follow the point: here the beta one only.
    EXPECT_EQ(s2.params.random_ids(), std::vector<core::ParamId>{pos});
    const core::ModelSpec same = experiment::apply_point(spec, experiment::Point{});
    for (int k = 0; k < spec.params.size(); ++k)
        EXPECT_EQ(same.params[k].dist, spec.params[k].dist) << spec.params[k].path;
}

TEST(Plan, ApplyPointLetsTheLastOverrideOfAParameterWin) {
    // Overrides apply in their order: a parameter named twice takes the second.
    test::SpecBuilder b(1, 0);
    b.agent("AAA");
    b.agent("BBB");
    b.proposal("p", core::Kind::Plan, 0);
    const core::ParamId id = b.spec().params.find("agents.AAA.sovereignty");
    const experiment::Point pt{
        {{id, core::Distribution::fixed(0.1)}, {id, core::Distribution::uniform(0.3, 0.4)}}};
    EXPECT_EQ(experiment::apply_point(b.spec(), pt).params[id].dist,
              core::Distribution::uniform(0.3, 0.4));
}

TEST(Plan, MaxRoundsIsTheTopOfTheRoundsRange) {
    EXPECT_EQ(sco::experiment::max_rounds(),
              static_cast<int>(sco::core::dyn_default(sco::core::Dyn::Rounds).range.hi));
    EXPECT_GE(sco::experiment::max_rounds(), 1);
}
