#include "sim/core/reference.h"

#include <gtest/gtest.h>

#include "sim/core/simulate.h"
#include "support/spec_builder.h"

using namespace sco::core;

namespace {
// Three members and an observer; positions, saliences, capabilities worked by hand.
struct Fixture {
    sco::test::SpecBuilder b{1, 0};
    World w;
    Fixture() {
        b.agent("AAA", Role::Member, 0.5);
        b.agent("BBB", Role::Member, 0.3);
        b.agent("CCC", Role::Member, 0.2);
        b.agent("OBS", Role::Observer, 1.0);
        b.set("agents.AAA.position.d0", 0.2).set("agents.AAA.salience.d0", 1.0);
        b.set("agents.BBB.position.d0", 0.6).set("agents.BBB.salience.d0", 0.5);
        b.set("agents.CCC.position.d0", 0.9).set("agents.CCC.salience.d0", 1.0);
        b.set("agents.OBS.position.d0", 1.0).set("agents.OBS.salience.d0", 1.0);
        b.proposal("p", Kind::Declaration, 0);
        Workspace ws(b.spec());
        sample_params(b.spec(), Rng({1, 0, 0}), ws.values);
        w = ws.world;
        w.reset(b.spec(), ws.values, std::vector<unsigned char>(b.spec().params.size(), 0));
    }
};
}  // namespace

TEST(Reference, CompromiseModelByHand) {
    Fixture f;
    // weights c*s: 0.5, 0.15, 0.2 (observer excluded); (0.1 + 0.09 + 0.18) / 0.85
    EXPECT_NEAR(compromise_position(f.w, 0), 0.37 / 0.85, 1e-12);
}

TEST(Reference, WeightedMedianByHand) {
    Fixture f;
    std::vector<std::pair<double, double>> buf;
    // Sorted: 0.2 (0.5), 0.6 (0.15), 0.9 (0.2); half the weight (0.425) is reached at 0.2.
    EXPECT_DOUBLE_EQ(weighted_median_position(f.w, 0, buf), 0.2);
    f.w.capability(0) = 0.1;  // now 0.05, 0.15, 0.2: half (0.2) is reached at 0.6
    EXPECT_DOUBLE_EQ(weighted_median_position(f.w, 0, buf), 0.6);
}

TEST(Reference, NoWeightFallsBackToStatusQuo) {
    Fixture f;
    f.w.salience.setZero();
    f.w.status_quo(0) = 0.33;
    std::vector<std::pair<double, double>> buf;
    EXPECT_DOUBLE_EQ(compromise_position(f.w, 0), 0.33);
    EXPECT_DOUBLE_EQ(weighted_median_position(f.w, 0, buf), 0.33);
}
