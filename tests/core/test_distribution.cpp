#include "sim/core/distribution.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace sco::core;

namespace {

struct Moments {
    double mean = 0, var = 0, min = 1e300, max = -1e300;
};

Moments draw(const Distribution& d, const Range& r, int n, std::uint64_t seed) {
    const Rng rng({seed, 0, 0});
    RngStream s(rng, Purpose::Test, 0);
    double sum = 0, sum2 = 0;
    Moments m;
    for (int i = 0; i < n; ++i) {
        const double x = sample(d, r, s);
        sum += x;
        sum2 += x * x;
        m.min = std::min(m.min, x);
        m.max = std::max(m.max, x);
    }
    m.mean = sum / n;
    m.var = sum2 / n - m.mean * m.mean;
    return m;
}

constexpr int kN = 200000;
// 4.5 standard errors: a fixed-seed test that would still catch a biased sampler.
double tol(double var) {
    return 4.5 * std::sqrt(var / kN);
}

}  // namespace

TEST(Distribution, FixedIsTheValue) {
    const Moments m = draw(Distribution::fixed(0.3), {0, 1}, 100, 1);
    EXPECT_EQ(m.min, 0.3);
    EXPECT_EQ(m.max, 0.3);
}

TEST(Distribution, UniformMoments) {
    const Moments m = draw(Distribution::uniform(0.2, 0.6), {0, 1}, kN, 2);
    const double var = 0.4 * 0.4 / 12.0;
    EXPECT_NEAR(m.mean, 0.4, tol(var));
    EXPECT_NEAR(m.var, var, 0.02 * var);
    EXPECT_GE(m.min, 0.2);
    EXPECT_LE(m.max, 0.6);
}

TEST(Distribution, BetaMomentsIncludingShapesBelowOne) {
    for (auto [a, b] : {std::pair{8.0, 2.0}, std::pair{2.0, 5.0}, std::pair{0.5, 0.7}}) {
        const Moments m = draw(Distribution::beta(a, b), {0, 1}, kN, 3);
        const double mu = a / (a + b);
        const double var = a * b / ((a + b) * (a + b) * (a + b + 1));
        EXPECT_NEAR(m.mean, mu, tol(var)) << a << "," << b;
        EXPECT_NEAR(m.var, var, 0.03 * var) << a << "," << b;
        EXPECT_EQ(mean(Distribution::beta(a, b), {0, 1}), mu);
    }
}

TEST(Distribution, BetaIsScaledToTheRange) {
    const Moments m = draw(Distribution::beta(2, 2), {1, 3}, kN, 4);
    EXPECT_NEAR(m.mean, 2.0, tol(4 * 0.05));
    EXPECT_GE(m.min, 1.0);
    EXPECT_LE(m.max, 3.0);
}

TEST(Distribution, NormalIsTruncatedToTheRangeWithTheRightMean) {
    const Distribution d = Distribution::normal(0.9, 0.2);
    const Range r{0, 1};
    const Moments m = draw(d, r, kN, 5);
    EXPECT_GE(m.min, 0.0);
    EXPECT_LE(m.max, 1.0);
    const double mu = mean(d, r);
    EXPECT_LT(mu, 0.9);  // truncation at 1 pulls the mean down
    EXPECT_NEAR(m.mean, mu, tol(0.04));
}

TEST(Distribution, UntruncatedNormalMoments) {
    const Moments m = draw(Distribution::normal(0.5, 0.01), {0, 1}, kN, 6);
    EXPECT_NEAR(m.mean, 0.5, tol(1e-4));
    EXPECT_NEAR(m.var, 1e-4, 0.02 * 1e-4);
}

TEST(Distribution, ValidateNamesTheProblem) {
    EXPECT_EQ(validate(Distribution::fixed(0.5), {0, 1}), "");
    EXPECT_NE(validate(Distribution::fixed(1.5), {0, 1}).find("outside the range"),
              std::string::npos);
    EXPECT_NE(validate(Distribution::uniform(0.6, 0.2), {0, 1}).find("lo <= hi"),
              std::string::npos);
    EXPECT_NE(validate(Distribution::uniform(0.2, 1.2), {0, 1}).find("outside"), std::string::npos);
    EXPECT_NE(validate(Distribution::beta(-1, 2), {0, 1}).find("positive"), std::string::npos);
    EXPECT_NE(validate(Distribution::beta(1, 2), {0, HUGE_VAL}).find("finite range"),
              std::string::npos);
    EXPECT_NE(validate(Distribution::normal(0.5, 0), {0, 1}).find("standard deviation"),
              std::string::npos);
    EXPECT_NE(validate(Distribution::fixed(NAN), {0, 1}).find("finite"), std::string::npos);
}

TEST(Distribution, Describe) {
    EXPECT_EQ(describe(Distribution::beta(8, 2)), "beta(8, 2)");
    EXPECT_EQ(describe(Distribution::uniform(0.2, 0.4)), "uniform(0.2, 0.4)");
    EXPECT_EQ(describe(Distribution::fixed(0.25)), "0.25");
}

TEST(Distribution, EmpiricalDrawsItsValuesByWeight) {
    // Values 0.1, 0.5, 0.9 with weights 1, 2, 1: mean 0.5, variance 0.08.
    const Distribution d = Distribution::empirical({0.1, 0.5, 0.9}, {1, 2, 1});
    EXPECT_TRUE(validate(d, {0, 1}).empty());
    EXPECT_NEAR(mean(d, {0, 1}), 0.5, 1e-12);
    const Moments m = draw(d, {0, 1}, kN, 17);
    EXPECT_NEAR(m.mean, 0.5, tol(0.08));
    EXPECT_NEAR(m.var, 0.08, 0.003);
    EXPECT_EQ(m.min, 0.1);
    EXPECT_EQ(m.max, 0.9);
    // Equal weights without a list; one value is a point mass.
    EXPECT_NEAR(mean(Distribution::empirical({0.2, 0.4}), {0, 1}), 0.3, 1e-12);
    EXPECT_EQ(draw(Distribution::empirical({0.7}), {0, 1}, 100, 3).min, 0.7);
    EXPECT_EQ(describe(d), "empirical(3 values, mean 0.5)");
}

TEST(Distribution, EmpiricalValidation) {
    EXPECT_NE(validate(Distribution::empirical({}), {0, 1}).find("at least one value"),
              std::string::npos);
    EXPECT_NE(validate(Distribution::empirical({0.2, 1.5}), {0, 1}).find("outside the range"),
              std::string::npos);
    EXPECT_NE(validate(Distribution::empirical({0.2, 0.3}, {1}), {0, 1}).find("one weight per"),
              std::string::npos);
    EXPECT_NE(validate(Distribution::empirical({0.2, 0.3}, {1, 0}), {0, 1}).find("positive"),
              std::string::npos);
}
