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

TEST(Plan, APlainRunHasOnePointWithoutOverrides) {
    const experiment::Plan plan;
    EXPECT_EQ(plan.n_points(), 1);
    EXPECT_TRUE(plan.points[0].overrides.empty());
    EXPECT_EQ(plan.first_point, 0);
    EXPECT_TRUE(plan.sweep.design.empty());
}

TEST(Plan, MaxRoundsIsTheTopOfTheRoundsRange) {
    EXPECT_EQ(sco::experiment::max_rounds(),
              static_cast<int>(sco::core::dyn_default(sco::core::Dyn::Rounds).range.hi));
    EXPECT_GE(sco::experiment::max_rounds(), 1);
}
