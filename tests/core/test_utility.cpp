#include "sim/core/utility.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "support/wait_quadrature.h"

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

namespace {
/// choose()'s logit rule as it was before the bounds (docs/performance.md, "At the
/// session-12 baseline"): the probabilities with exp, then the cumulative walk.
Choice choose_with_exp(const Options& o, double beta, double u) {
    const auto p = logit_probabilities(o, beta);
    double acc = 0.0;
    for (int k = 0; k < kChoices - 1; ++k) {
        acc += p[k];
        if (u < acc && p[k] > 0.0) return static_cast<Choice>(k);
    }
    for (int k = kChoices - 1; k > 0; --k)
        if (p[k] > 0.0) return static_cast<Choice>(k);
    return Choice::Join;
}
}  // namespace

// The bounds on e^x hold (checked against std::exp over [-700, 0), including the worst
// fraction f = -0.557 and both ends of the exponent's range).
TEST(Utility, ExpBoundsHoldAcrossTheirRange) {
    std::mt19937_64 gen(11);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    double widest = 1.0;
    for (int k = 0; k < 400000; ++k) {
        double x = -700.0 * unit(gen);
        if (k % 4 == 1) x = -unit(gen) * 3.0;
        if (k % 4 == 2) x = (-0.557 - std::floor(unit(gen) * 1000.0)) / 1.4426950408889634;
        if (k % 4 == 3) x = -std::ldexp(unit(gen), -static_cast<int>(unit(gen) * 60.0));
        if (!(x < 0.0)) continue;
        double lo = 0.0, hi = 0.0;
        detail::exp_bounds(x, lo, hi);
        const double e = std::exp(x);
        ASSERT_LE(lo, e) << x;
        ASSERT_GE(hi, e) << x;
        widest = std::max(widest, hi / lo);
    }
    for (const double x : {-700.0, -1e-300, -0.5 * 0.6931471805599453, -699.9999}) {
        double lo = 0.0, hi = 0.0;
        detail::exp_bounds(x, lo, hi);
        EXPECT_LE(lo, std::exp(x)) << x;
        EXPECT_GE(hi, std::exp(x)) << x;
    }
    EXPECT_LT(widest, 1.062);  // the chord's ratio, so the bounds decide most draws
}

// choose() decides most draws from bounds of the logit weights, without exp: it is the
// choice computed with exp, bit for bit, for random utilities (some options closed, ties,
// precisions from 0 to 1e4) at random dispositions and at the dispositions nearest the
// cumulative probabilities (the computed ones and a few ulps either side), where only exp
// decides. A margin of 0 instead of 1e-9, or the chord taken as a lower bound, fails.
TEST(Utility, ChooseByBoundsIsTheChoiceComputedWithExp) {
    constexpr double kNo = -std::numeric_limits<double>::infinity();
    std::mt19937_64 gen(2014);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double betas[] = {0.0, 0.5, 1.0, 4.0, 40.0, 400.0, 1e4};
    long decided = 0, random = 0;
    for (int k = 0; k < 200000; ++k) {
        Options o;
        for (double& v : o.v) v = unit(gen) * 2.0 - 1.0;
        if (k % 3 == 0) o.v[2] = kNo;  // no opt-out
        if (k % 7 == 0) o.v[0] = o.v[1] = kNo;
        if (k % 11 == 0) o.v[3] = kNo;
        if (k % 13 == 0) o.v[2] = o.v[3];  // a tie
        const double beta = betas[k % 7];
        const auto p = logit_probabilities(o, beta);
        const double acc1 = p[0] + p[1], acc2 = acc1 + p[2];
        std::vector<double> us = {unit(gen), std::max(0x1p-53, unit(gen) * 1e-3)};
        for (const double a : {acc1, acc2})
            for (double x = a, y = a, i = 0; i < 3; ++i) {
                us.push_back(x);
                us.push_back(y);
                x = std::nextafter(x, 0.0);
                y = std::nextafter(y, 1.0);
            }
        for (std::size_t j = 0; j < us.size(); ++j) {
            const double u = us[j];
            if (!(u > 0.0 && u < 1.0)) continue;
            if (j == 0) {
                ++random;
                decided += detail::choose_by_bounds(o, beta, u) >= 0;
            }
            ASSERT_EQ(choose(o, beta, false, u), choose_with_exp(o, beta, u))
                << "k " << k << " beta " << beta << " u " << u;
        }
    }
    EXPECT_GT(decided, random * 3 / 4);  // the bounds decide most random draws
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

// options() skips the value of waiting (exp and erfc) where spread * phi(0) - delay <= 0,
// because the computed option value never exceeds fl(spread * phi(0)). Against the
// unconditional computation, bit for bit, on random members whose delay cost sits close to
// that bound (the cases a bound too low, e.g. 0.39 x spread, would get wrong: the option
// value at small z lies between 0.39 and 0.3989 x spread) and on arbitrary ones.
TEST(Utility, TheValueOfWaitingIsSkippedOnlyWhereItCannotChangeTheOptions) {
    World w;
    std::uint64_t state = 12345;
    auto unit = [&] {  // xorshift64*: a fixed sequence, enough for a test's inputs
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return static_cast<double>((state * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
    };
    int near_bound = 0, changed = 0;
    for (int c = 0; c < 200000; ++c) {
        w.dyn[static_cast<int>(Dyn::WaitValue)] = 2.0 * unit();
        w.dyn[static_cast<int>(Dyn::ObjectionCost)] = 0.3 * unit();
        w.dyn[static_cast<int>(Dyn::ReservationGain)] = unit();
        w.dyn[static_cast<int>(Dyn::ReservationCost)] = 0.1 * unit();
        Spatial sp;
        sp.stake = unit();
        sp.loss = 0.5 * unit();
        AgentTerms at;
        at.threat = unit() - 0.5;
        const Relations rel{0.2 * (unit() - 0.5), 0.0};
        const double effect = unit(), uncertainty = unit();
        const double spread = waiting_spread(w, sp, uncertainty);
        // Support close to the objection (z near 0, option value near spread * phi(0)).
        const double obj = -w.d(Dyn::ObjectionCost);
        sp.gain = obj + rel.all - effect * at.threat + (unit() - 0.5) * 0.02 * spread;
        // The delay cost: half the cases just below or above the bound, half anywhere.
        const double benefit = std::abs(effect * at.threat);
        const double target = c % 2 == 0 ? spread * (0.38 + 0.02 * unit()) : spread * unit();
        w.dyn[static_cast<int>(Dyn::DelayCost)] = benefit > 0.0 ? target / benefit : 0.0;
        const Options got = options(w, sp, at, rel, effect, 0.0, uncertainty, Kind::Plan, false);
        Options want = options_now(w, sp, at, rel, effect, 0.0, Kind::Plan, false);
        const double support = std::max({want.v[0], want.v[1], want.v[2]}), object = want.v[3];
        const double net =
            option_value(support - object, spread) - delay_cost(w, effect * at.threat);
        if (net > 0.0) {
            want.wait = net;
            want.for_time = support >= -w.d(Dyn::ObjectionCost);
            want.v[3] = object + net;
            ++changed;
        }
        near_bound += std::abs(delay_cost(w, effect * at.threat) - 0.3989422804014327 * spread) <
                      0.01 * spread;
        ASSERT_EQ(got.v, want.v) << "case " << c;
        ASSERT_EQ(got.wait, want.wait) << "case " << c;
        ASSERT_EQ(got.for_time, want.for_time) << "case " << c;
    }
    // The cases do reach both sides of the bound.
    EXPECT_GT(near_bound, 10000);
    EXPECT_GT(changed, 10000);
    EXPECT_LT(changed, 190000);
}

namespace {
// Compiled for a target with FMA, so that the compiler may fuse the multiply-add unless
// -ffp-contract=off (CMakeLists.txt) forbids it.
[[gnu::target("fma"), gnu::noinline]] double mul_add_on_fma_target(double a, double b, double c) {
    return a * b + c;
}
}  // namespace

TEST(Build, MultiplyAddsAreRoundedTwiceWhereTheTargetHasFma) {
    if (!__builtin_cpu_supports("fma")) GTEST_SKIP() << "this CPU has no FMA instructions";
    // (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60: rounded, the product loses its 2^-60, so adding
    // -(1 + 2^-29) gives 0; fused, it gives 2^-60.
    volatile double a = 1.0 + 0x1.0p-30, c = -(1.0 + 0x1.0p-29);
    EXPECT_EQ(mul_add_on_fma_target(a, a, c), 0.0)
        << "a * b + c was fused: the numbers would depend on the CPU the binary was built for";
}

using sco::test::wait_by_quadrature;

// The value of waiting where staying out is open (docs/model.md III.4.3): the closed form of
// wait_terms_open against quadrature, on cases where each of the three options tops the
// envelope somewhere, where staying out never does, at stay_out_share 0 and 1, and at a
// remote share.
TEST(Utility, WaitTermsOpenIsTheExpectedBestOptionAfterTheNews) {
    struct Case {
        double support, stay, object, s, rho, sigma;
    };
    for (const Case c :
         {Case{-0.6, 0.12, -0.1, 1.2, 1.0, 0.3}, Case{0.4, 0.12, -0.1, 1.2, 1.0, 0.3},
          Case{0.0, 0.12, -0.1, 1.2, 1.0, 0.3}, Case{-0.6, -0.5, -0.1, 0.7, 0.5, 0.3},
          Case{0.2, 0.05, -0.1, 2.0, 0.5, 0.0}, Case{0.2, -0.3, -0.1, 2.0, 0.5, 0.0},
          Case{-0.2, 0.3, -0.1, 0.9, 1.0, 1.0}, Case{0.1, 0.1, 0.1, 1.0, 0.8, 0.5}}) {
        const WaitTerms t = wait_terms_open(c.support, c.stay, c.object, c.s, c.rho, c.sigma);
        const auto [value, exposure] =
            wait_by_quadrature(c.support, c.stay, c.object, c.s, c.rho, c.sigma);
        EXPECT_NEAR(t.value, value, 1e-8) << c.support << " " << c.stay << " " << c.sigma;
        // The slope is a step function: the midpoint rule is off by up to a step's density
        // mass at each kink (about 3e-6 here).
        EXPECT_NEAR(t.exposure, exposure, 1e-5) << c.support << " " << c.stay << " " << c.sigma;
    }
    // Nothing to learn without news or without a share of the text.
    EXPECT_EQ(wait_terms_open(0.2, 0.1, -0.1, 0.0, 1.0, 0.3).value, 0.0);
    EXPECT_EQ(wait_terms_open(0.2, 0.1, -0.1, 1.0, 0.0, 0.3).value, 0.0);
}

// Continuous where two options trade places (session 19's attacks): joining and staying out
// (the value jumped under a rule that took the exposure of the best option now), and, at
// stay_out_share 0, staying out and objecting, which then have one slope (the delay's
// exposure jumped under a rule that weighted only the options short of objecting).
TEST(Utility, WaitTermsOpenIsContinuousWhereOptionsTradePlaces) {
    const double eps = 1e-9;
    for (const double sigma : {0.0, 0.3}) {
        // staying out (0.12) against joining, across 0.12
        const WaitTerms a = wait_terms_open(0.12 - eps, 0.12, -0.1, 1.2, 0.5, sigma);
        const WaitTerms b = wait_terms_open(0.12 + eps, 0.12, -0.1, 1.2, 0.5, sigma);
        EXPECT_NEAR(a.value, b.value, 1e-7) << sigma;
        EXPECT_NEAR(a.exposure, b.exposure, 1e-7) << sigma;
        // staying out against objecting (-0.1), across -0.1
        const WaitTerms c = wait_terms_open(0.05, -0.1 - eps, -0.1, 1.2, 0.5, sigma);
        const WaitTerms d = wait_terms_open(0.05, -0.1 + eps, -0.1, 1.2, 0.5, sigma);
        EXPECT_NEAR(c.value, d.value, 1e-7) << sigma;
        EXPECT_NEAR(c.exposure, d.exposure, 1e-7) << sigma;
    }
}
