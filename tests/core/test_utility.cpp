#include "sim/core/utility.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace sco::core;

TEST(Utility, LogitProbabilitiesSumToOneAndFollowUtilities) {
    Options o;
    o.v = {0.5, 0.2, -std::numeric_limits<double>::infinity(), -0.6};
    const auto p = logit_probabilities(o, 4.0);
    EXPECT_NEAR(p[0] + p[1] + p[2] + p[3], 1.0, 1e-12);
    EXPECT_EQ(p[2], 0.0);  // staying out is not an option here
    EXPECT_EQ(p[1], 0.0);  // plain support beats a reservation
    EXPECT_GT(p[0], p[3]);
    // Ratio of two options is exp(beta * difference).
    EXPECT_NEAR(p[0] / p[3], std::exp(4.0 * 1.1), 1e-9);
}

TEST(Utility, ZeroPrecisionIsUniformOverSupportStayOutObject) {
    Options o;
    o.v = {5.0, -3.0, 1.0, 0.0};
    const auto p = logit_probabilities(o, 0.0);
    EXPECT_NEAR(p[0], 1.0 / 3, 1e-12);
    EXPECT_EQ(p[1], 0.0);  // plain support is worth more than a reservation
    EXPECT_NEAR(p[2], 1.0 / 3, 1e-12);
    EXPECT_NEAR(p[3], 1.0 / 3, 1e-12);
}

TEST(Utility, ReservationIsTakenWhenWorthMoreAndDoesNotInflateSupport) {
    Options a, b;
    a.v = {0.2, 0.1, -std::numeric_limits<double>::infinity(), -0.5};
    b.v = {0.2, 0.3, -std::numeric_limits<double>::infinity(), -0.5};
    const auto pa = logit_probabilities(a, 2.0), pb = logit_probabilities(b, 2.0);
    EXPECT_EQ(pa[1], 0.0);
    EXPECT_EQ(pb[0], 0.0);
    // Support's share follows the better of the two, not their sum.
    EXPECT_NEAR(pa[0], 1.0 / (1.0 + std::exp(2.0 * (-0.5 - 0.2))), 1e-12);
    EXPECT_NEAR(pb[1], 1.0 / (1.0 + std::exp(2.0 * (-0.5 - 0.3))), 1e-12);
}

TEST(Utility, ChooseFollowsCumulativeProbabilitiesFromCooperativeToNot) {
    Options o;
    o.v = {0.0, -1.0, 0.0, 0.0};  // a third each: join, stay out, object
    EXPECT_EQ(choose(o, 1.0, false, 0.1), Choice::Join);
    EXPECT_EQ(choose(o, 1.0, false, 0.5), Choice::StayOut);
    EXPECT_EQ(choose(o, 1.0, false, 0.9), Choice::Object);
    // A higher utility of joining moves the same disposition u towards cooperation.
    o.v[0] = 1.0;
    EXPECT_EQ(choose(o, 1.0, false, 0.5), Choice::Join);
}

TEST(Utility, DeterministicRulePicksTheBestOption) {
    Options o;
    o.v = {0.1, 0.3, 0.2, -1.0};
    for (double u : {0.01, 0.5, 0.99}) EXPECT_EQ(choose(o, 1.0, true, u), Choice::Reserve);
}

TEST(Utility, VeryLargePrecisionApproachesTheDeterministicRule) {
    Options o;
    o.v = {0.1, 0.11, 0.05, -1.0};
    const auto p = logit_probabilities(o, 5000.0);
    EXPECT_GT(p[1], 1.0 - 1e-12);
}

TEST(Utility, BinaryProbability) {
    EXPECT_DOUBLE_EQ(binary_probability(1.0, 1.0, 3.0), 0.5);
    EXPECT_NEAR(binary_probability(1.0, 0.0, 2.0), 1.0 / (1.0 + std::exp(-2.0)), 1e-15);
    EXPECT_NEAR(binary_probability(0.0, 1.0, 2.0) + binary_probability(1.0, 0.0, 2.0), 1.0, 1e-15);
}
