// Tests of sim/experiment/abc: prior sampling and densities, acceptance, the SMC kernel
// and importance weights, weighted quantiles, the effective sample size, and a full
// rejection / SMC on a toy problem whose posterior is known.
#include "sim/experiment/abc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "sim/core/rng.h"

namespace sco::experiment::abc {
namespace {

Prior uniform_prior(double lo, double hi, core::Range r = {0.0, 1.0}) {
    Prior p;
    p.path = "dynamics.x";
    p.dist = core::Distribution::uniform(lo, hi);
    p.range = r;
    return p;
}

double integrate(const Prior& p) {
    const Support s = support(p);
    const int n = 20000;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += prior_density(p, s.lo + (i + 0.5) * (s.hi - s.lo) / n);
    return sum * (s.hi - s.lo) / n;
}

TEST(Abc, PriorDensitiesIntegrateToOne) {
    Prior u = uniform_prior(0.2, 0.7);
    Prior b;
    b.dist = core::Distribution::beta(2.0, 5.0);
    b.range = {0.0, 10.0};
    Prior n;
    n.dist = core::Distribution::normal(0.3, 0.2);
    n.range = {0.0, 1.0};
    EXPECT_NEAR(integrate(u), 1.0, 1e-9);
    EXPECT_NEAR(integrate(b), 1.0, 1e-4);
    EXPECT_NEAR(integrate(n), 1.0, 1e-6);
    EXPECT_EQ(prior_density(u, 0.1), 0.0);  // outside the uniform's support
    EXPECT_EQ(prior_density(u, 0.8), 0.0);
}

TEST(Abc, CheckPriorRefusesFixedAndEmptySupports) {
    Prior f;
    f.dist = core::Distribution::fixed(0.3);
    EXPECT_NE(check_prior(f).find("fixed"), std::string::npos);
    EXPECT_FALSE(check_prior(uniform_prior(0.4, 0.4)).empty());
    EXPECT_TRUE(check_prior(uniform_prior(0.1, 0.4)).empty());
}

TEST(Abc, PriorDrawsDependOnlyOnSeedAndPoint) {
    const std::vector<Prior> priors{uniform_prior(0.0, 1.0), uniform_prior(0.2, 0.4)};
    const auto all = draw_prior(priors, 7, 0, 100);
    const auto slice = draw_prior(priors, 7, 40, 60);
    ASSERT_EQ(all.size(), 100u);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(slice[i], all[40 + i]);
    const auto other = draw_prior(priors, 8, 0, 100);
    EXPECT_NE(other[0], all[0]);
    for (const auto& th : all) {
        EXPECT_GE(th[1], 0.2);
        EXPECT_LE(th[1], 0.4);
    }
}

TEST(Abc, PriorDrawsFollowThePrior) {
    // Mean of 4000 uniform(0.2, 0.7) draws: sd of the mean 0.144/sqrt(4000) = 0.0023.
    const auto d = draw_prior({uniform_prior(0.2, 0.7)}, 11, 0, 4000);
    double m = 0.0;
    int below = 0;
    for (const auto& th : d) {
        m += th[0];
        below += th[0] < 0.3;
    }
    EXPECT_NEAR(m / 4000, 0.45, 0.01);
    // P(x < 0.3) = 0.2; 99.9% binomial interval of 4000 draws is about +-0.021.
    EXPECT_NEAR(below / 4000.0, 0.2, 0.021);
}

TEST(Abc, AcceptByQuantileAndTolerance) {
    const std::vector<double> d{0.5, 0.1, 0.3, NAN, 0.2, 0.4, 0.2};
    // ceil(0.3 * 7) = 3 smallest: 0.1 (1), 0.2 (4), 0.2 (6).
    EXPECT_EQ(accept(d, 0.3, NAN), (std::vector<std::size_t>{1, 4, 6}));
    EXPECT_EQ(accept(d, 1.0, NAN).size(), 6u);  // NaN never accepted
    EXPECT_EQ(accept(d, 0.1, 0.3), (std::vector<std::size_t>{1, 2, 4, 6}));
    EXPECT_DOUBLE_EQ(quantile_threshold(d, 0.3), 0.2);
}

TEST(Abc, WeightedQuantileAndEss) {
    const std::vector<double> v{1, 2, 3, 4, 5};
    const std::vector<double> w(5, 1.0);
    EXPECT_DOUBLE_EQ(weighted_quantile(v, w, 0.5), 3.0);
    EXPECT_DOUBLE_EQ(weighted_quantile(v, w, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(weighted_quantile(v, w, 1.0), 5.0);
    // All weight on 4: every quantile is 4.
    EXPECT_DOUBLE_EQ(weighted_quantile(v, {0, 0, 0, 1, 0}, 0.05), 4.0);
    EXPECT_DOUBLE_EQ(weighted_quantile(v, {0, 0, 0, 1, 0}, 0.95), 4.0);
    EXPECT_DOUBLE_EQ(effective_sample_size(w), 5.0);
    EXPECT_DOUBLE_EQ(effective_sample_size({1, 0, 0}), 1.0);
    EXPECT_NEAR(effective_sample_size({2, 1, 1}), 16.0 / 6.0, 1e-12);
}

TEST(Abc, KernelIsTwiceTheWeightedVariance) {
    Population pop;
    pop.theta = {{0.2}, {0.4}, {0.6}};
    pop.weight = {1, 1, 1};
    const Kernel k = make_kernel(pop, {uniform_prior(0, 1)});
    const double var = (0.04 + 0 + 0.04) / 3;
    EXPECT_NEAR(k.sd[0], std::sqrt(2 * var), 1e-12);
}

TEST(Abc, ProposalStaysInsideTheSupportAndWeightsAreImportanceRatios) {
    const std::vector<Prior> priors{uniform_prior(0.0, 1.0)};
    Population pop;
    pop.theta = {{0.02}, {0.05}};
    pop.weight = {1, 1};
    Kernel k{{0.2}};
    const auto th = draw_proposal(priors, pop, k, 3, 0, 2000);
    for (const auto& t : th) {
        EXPECT_GE(t[0], 0.0);
        EXPECT_LE(t[0], 1.0);
    }
    // With one particle the proposal is the truncated kernel around it; the weight is the
    // prior over its density.
    Population one;
    one.theta = {{0.5}};
    one.weight = {1};
    const double x = 0.6, sd = 0.1;
    const double z = std::erf(0.5 / sd / std::sqrt(2.0));  // mass of N(0.5, 0.1) on [0, 1]
    const double q =
        std::exp(-0.5 * (x - 0.5) * (x - 0.5) / (sd * sd)) / (sd * std::sqrt(2 * M_PI)) / z;
    EXPECT_NEAR(importance_weight(priors, one, Kernel{{sd}}, {x}), 1.0 / q, 1e-9);
    EXPECT_EQ(importance_weight(priors, one, Kernel{{sd}}, {1.5}), 0.0);
}

TEST(Abc, SummarizeGivesWeightedMarginals) {
    Population pop;
    for (int i = 0; i < 1001; ++i) {
        pop.theta.push_back({i / 1000.0});
        pop.weight.push_back(1.0);
    }
    const auto m = summarize(pop);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_NEAR(m[0].median, 0.5, 1e-9);
    EXPECT_NEAR(m[0].q05, 0.05, 1e-3);
    EXPECT_NEAR(m[0].q95, 0.95, 1e-3);
    const Marginal pm = prior_marginal(uniform_prior(0.2, 0.7));
    EXPECT_NEAR(pm.q05, 0.225, 1e-6);
    EXPECT_NEAR(pm.q95, 0.675, 1e-6);
    EXPECT_NEAR(pm.median, 0.45, 1e-6);
}

TEST(Abc, FitPosteriorFlagsWhatABetaCannotCarry) {
    const Prior prior = uniform_prior(0.0, 1.0);
    // Draws of Beta(4, 8): the fitted beta follows them closely.
    core::Rng rng(core::RunKey{5, 0, 0});
    core::RngStream s(rng, core::Purpose::Test, 0);
    std::vector<double> v, w;
    for (int i = 0; i < 2000; ++i) {
        v.push_back(core::sample(core::Distribution::beta(4, 8), {0, 1}, s));
        w.push_back(1.0);
    }
    const Fitted good = fit_posterior(v, w, prior);
    EXPECT_EQ(good.dist.kind, core::DistKind::Beta);
    EXPECT_NEAR(good.dist.a, 4.0, 0.5);
    EXPECT_NEAR(good.dist.b, 8.0, 1.0);
    EXPECT_LT(good.distortion, 0.1);
    // Two modes, three quarters at 0.2 and a quarter at 0.7: the beta of these moments,
    // Beta(1.2, 2.5), spreads its 5% quantile down to about 0.04.
    std::vector<double> two, w2;
    for (int i = 0; i < 200; ++i) {
        two.push_back(i % 4 ? 0.2 + 0.0001 * i : 0.7 + 0.0001 * i);
        w2.push_back(1.0);
    }
    EXPECT_GT(fit_posterior(two, w2, prior).distortion, 0.15);
}

// A toy model without the simulator: 40 Bernoulli(theta) observations with 24 ones. The
// distance is |mean of 40 simulated draws - 0.6|; as the tolerance shrinks the ABC
// posterior tends to Beta(25, 17) (mean 0.595, sd 0.075).
PointScore toy_score(const std::vector<double>& th, std::int64_t point) {
    const core::Rng rng(core::RunKey{99, static_cast<std::uint64_t>(point), 0});
    int ones = 0;
    for (int i = 0; i < 40; ++i)
        ones += core::Rng::to_unit(rng.words(core::Purpose::Test, i, 0)[0]) < th[0];
    const double d = std::abs(ones / 40.0 - 0.6);
    return {d, d, d, 0.0, 0.0, 0.0, {}, {}, {}, {}};
}

std::vector<PointResult> toy_points(const std::vector<std::vector<double>>& th,
                                    std::int64_t first) {
    std::vector<PointResult> out;
    for (std::size_t i = 0; i < th.size(); ++i)
        out.push_back({first + static_cast<std::int64_t>(i),
                       th[i],
                       toy_score(th[i], first + static_cast<std::int64_t>(i)),
                       {},
                       {},
                       {}});
    return out;
}

TEST(Abc, RejectionAndSmcRecoverAKnownPosterior) {
    const std::vector<Prior> priors{uniform_prior(0.0, 1.0)};
    const std::int64_t n = 4000;
    // Rejection: accept distance 0 (exactly 24 ones): the exact posterior Beta(25, 17).
    Generation rej = settle(toy_points(draw_prior(priors, 5, 0, n), 0), priors, 0.1, 0.0);
    const auto m = summarize(population_of(rej));
    ASSERT_GT(rej.n_accepted(), 100);
    // Beta(25, 17): mean 0.5952, sd 0.0748; the mean of >100 draws is within 0.03.
    EXPECT_NEAR(m[0].mean, 0.5952, 0.03);
    EXPECT_NEAR(m[0].sd, 0.0748, 0.02);

    // SMC, three generations of quantile 0.2; importance weights keep it unbiased.
    std::vector<Generation> gens;
    gens.push_back(settle(toy_points(draw_prior(priors, 5, 0, 1000), 0), priors, 0.2, NAN));
    for (int g = 1; g < 3; ++g) {
        const Population prev = population_of(gens.back());
        const Kernel k = make_kernel(prev, priors);
        const auto th = draw_proposal(priors, prev, k, 5, g * 1000, (g + 1) * 1000);
        gens.push_back(settle(toy_points(th, g * 1000), priors, 0.2, NAN, &prev, &k));
    }
    EXPECT_LE(gens[2].epsilon, gens[0].epsilon);
    EXPECT_GT(gens[2].ess, 50.0);
    const auto ms = summarize(population_of(gens[2]));
    EXPECT_NEAR(ms[0].mean, 0.595, 0.03);
    EXPECT_LT(ms[0].q95 - ms[0].q05, 0.9 * 0.9);  // narrower than the prior's 90% interval
    EXPECT_LT(ms[0].q05, 0.5952);
    EXPECT_GT(ms[0].q95, 0.5952);
}

// --posterior likelihood: the same toy with its exact log-likelihood, 24 ln t + 16 ln(1 - t),
// in place of the distance. Rejection weights the prior points by it; SMC's last generation
// weights its proposal points by it times prior / proposal. Both give Beta(25, 17) (mean
// 0.5952, sd 0.0748, 90% [0.4703, 0.7155]) up to sampling error: with ESS >= 300 the mean is
// within 4 sd / sqrt(300) = 0.017. Wrong weights fail: without prior / proposal the SMC
// posterior is the proposal times the likelihood, narrower than Beta(25, 17).
std::vector<PointResult> exact_points(const std::vector<std::vector<double>>& th,
                                      std::int64_t first) {
    auto out = toy_points(th, first);
    for (auto& p : out) {
        const double t = p.theta[0];
        p.score.log_lik = 24.0 * std::log(t) + 16.0 * std::log1p(-t);
    }
    return out;
}

TEST(Abc, LikelihoodWeightsGiveTheExactPosteriorInRejectionAndSmc) {
    const std::vector<Prior> priors{uniform_prior(0.0, 1.0)};
    const Generation rej = settle(exact_points(draw_prior(priors, 5, 0, 4000), 0), priors, 0.1, NAN,
                                  nullptr, nullptr, true, PosteriorKind::Likelihood);
    EXPECT_EQ(rej.n_accepted(), 4000);  // every point takes part, weighted
    EXPECT_TRUE(std::isnan(rej.epsilon));
    // the weights are exp(log_lik - max), normalised: the ratio of two points' weights is
    // the ratio of their likelihoods
    const double r = rej.weight[1] / rej.weight[2];
    EXPECT_NEAR(std::log(r), rej.points[1].score.log_lik - rej.points[2].score.log_lik, 1e-9);
    EXPECT_NEAR(std::accumulate(rej.weight.begin(), rej.weight.end(), 0.0), 1.0, 1e-12);
    ASSERT_GT(rej.ess, 300.0);
    const auto m = summarize(population_of(rej));
    EXPECT_NEAR(m[0].mean, 0.5952, 0.017);
    EXPECT_NEAR(m[0].sd, 0.0748, 0.01);
    EXPECT_NEAR(m[0].q05, 0.4703, 0.03);
    EXPECT_NEAR(m[0].q95, 0.7155, 0.03);

    // SMC: two distance generations shape the proposal, the last is likelihood-weighted.
    std::vector<Generation> gens;
    gens.push_back(settle(toy_points(draw_prior(priors, 5, 0, 1000), 0), priors, 0.2, NAN));
    Population prev = population_of(gens.back());
    Kernel k = make_kernel(prev, priors);
    gens.push_back(settle(toy_points(draw_proposal(priors, prev, k, 5, 1000, 2000), 1000), priors,
                          0.2, NAN, &prev, &k, false));
    prev = population_of(gens.back());
    k = make_kernel(prev, priors);
    const auto th = draw_proposal(priors, prev, k, 5, 2000, 3000);
    const Generation last = settle(exact_points(th, 2000), priors, 0.2, NAN, &prev, &k, true,
                                   PosteriorKind::Likelihood);
    ASSERT_GT(last.ess, 300.0);
    const auto ms = summarize(population_of(last));
    EXPECT_NEAR(ms[0].mean, 0.5952, 0.017);
    EXPECT_NEAR(ms[0].sd, 0.0748, 0.01);
    // each weight is the likelihood times the importance weight (prior / proposal)
    const double w0 = std::exp(last.points[0].score.log_lik) *
                      importance_weight(priors, prev, k, last.points[0].theta);
    const double w1 = std::exp(last.points[1].score.log_lik) *
                      importance_weight(priors, prev, k, last.points[1].theta);
    EXPECT_NEAR(last.weight[0] / last.weight[1], w0 / w1, 1e-9 * w0 / w1);
    // without prior / proposal (the proposal's own density left in) it is narrower
    const Generation bare = settle(exact_points(th, 2000), priors, 0.2, NAN, nullptr, nullptr, true,
                                   PosteriorKind::Likelihood);
    EXPECT_LT(summarize(population_of(bare))[0].sd, 0.9 * 0.0748);
}

TEST(Abc, LikelihoodSettleTakesOnlyFeasiblePointsAndSkipsUnderflow) {
    const std::vector<Prior> priors{uniform_prior(0.0, 1.0)};
    std::vector<PointResult> pts;
    for (int i = 0; i < 4; ++i) {
        PointResult p;
        p.point = i;
        p.theta = {0.2 * (i + 1)};
        p.score.log_lik = -1.0 * i;
        pts.push_back(p);
    }
    pts[1].required_held = {0};   // infeasible: never takes part
    pts[3].score.log_lik = -1e4;  // exp(-1e4 + 0) underflows: weight 0, not accepted
    const Generation g =
        settle(pts, priors, 0.5, NAN, nullptr, nullptr, true, PosteriorKind::Likelihood);
    EXPECT_EQ(g.accepted, (std::vector<int>{1, 0, 1, 0}));
    EXPECT_EQ(g.n_feasible, 3);
    EXPECT_EQ(g.n_feasible_accepted, 2);
    EXPECT_NEAR(g.weight[0], 1.0 / (1.0 + std::exp(-2.0)), 1e-12);
    EXPECT_NEAR(g.weight[2], std::exp(-2.0) / (1.0 + std::exp(-2.0)), 1e-12);
    // log space: log-likelihoods of -1e5 and -1e5 - 1 still give weights e : 1
    pts[0].score.log_lik = -1e5;
    pts[2].score.log_lik = -1e5 - 1.0;
    pts[3].score.log_lik = -1e5 - 2.0;
    const Generation h =
        settle(pts, priors, 0.5, NAN, nullptr, nullptr, true, PosteriorKind::Likelihood);
    EXPECT_NEAR(h.weight[0] / h.weight[2], std::exp(1.0), 1e-9);
    EXPECT_EQ(h.accepted, (std::vector<int>{1, 0, 1, 1}));  // point 3 now within range
}

TEST(Abc, LogLikelihoodIsThePlugInBernoulliLikelihood) {
    Score s;
    s.runs = 10;
    ScoredObservation a;  // observed true, 3 of 10 runs give it, weight 1
    a.obs.event_id = "A01";
    a.obs.value = true;
    a.obs.weight = 1.0;
    a.hits = 3;
    ScoredObservation b;  // observed false, every run gives it true, weight 0.5
    b.obs.event_id = "B01";
    b.obs.value = false;
    b.obs.weight = 0.5;
    b.hits = 10;
    s.items = {a, b};
    const LogLikelihood ll = log_likelihood(s);
    const double pa = 3.5 / 11.0, qb = 1.0 - 10.5 / 11.0;
    EXPECT_NEAR(ll.value, std::log(pa) + 0.5 * std::log(qb), 1e-12);
    EXPECT_TRUE(std::isfinite(ll.value));  // 10 of 10 against an observed false stays finite
    EXPECT_NEAR(ll.var, 10.0 * (1.0 - pa) / (121.0 * pa) + 0.25 * 10.0 * (1.0 - qb) / (121.0 * qb),
                1e-12);
    // Two observations of one event (passed and its outcome: one fact) count half each, so
    // that the fact's likelihood is counted once: the same as observing it once.
    ScoredObservation a2 = a;
    a2.obs.what = "outcome:adopted";
    s.items = {a, a2, b};
    const LogLikelihood twice = log_likelihood(s);
    EXPECT_NEAR(twice.value, ll.value, 1e-12);
    EXPECT_NEAR(twice.var,
                10.0 * (1.0 - pa) / (121.0 * pa) / 2.0 + 0.25 * 10.0 * (1.0 - qb) / (121.0 * qb),
                1e-12);
    s.runs = 0;
    EXPECT_TRUE(std::isnan(log_likelihood(s).value));
}

TEST(Abc, AnEmptyPosteriorIsSaidToBeEmpty) {
    // review of session 6, finding 7: no feasible point gave "rests on 0 points ... rough"
    const std::string none = posterior_warning(0.0, 0, 0, true);
    EXPECT_NE(none.find("the posterior is empty: no point holds every required observation"),
              std::string::npos)
        << none;
    EXPECT_EQ(none.find("rough"), std::string::npos);
    EXPECT_NE(posterior_warning(0.0, 100, 0, false, PosteriorKind::Likelihood)
                  .find("the posterior is empty: no point was accepted"),
              std::string::npos);
}

TEST(Abc, LikelihoodWarningNamesNoisyWeightsNotAnUncutPosterior) {
    // every feasible point is accepted by design: no "decided nothing"
    EXPECT_EQ(posterior_warning(100.0, 100, 100, true, PosteriorKind::Likelihood, 0.5), "");
    const std::string noisy =
        posterior_warning(100.0, 100, 100, false, PosteriorKind::Likelihood, 1.7);
    EXPECT_NE(noisy.find("Monte Carlo sd at the posterior's points is 1.7 (> 1)"),
              std::string::npos)
        << noisy;
    EXPECT_NE(noisy.find("raise -n"), std::string::npos);
    EXPECT_NE(
        posterior_warning(12.0, 100, 100, false, PosteriorKind::Likelihood, 0.5).find("ESS < 30"),
        std::string::npos);
}

// Several (scenario, events) pairs: pair 0 keeps the master seed (one pair is the plain
// calibration), the others get distinct seeds that depend only on (seed, pair).
TEST(Abc, PairSeedsKeepPairZeroAndSeparateTheOthers) {
    EXPECT_EQ(pair_seed(2014, 0), 2014u);
    EXPECT_EQ(pair_seed(2014, 1), pair_seed(2014, 1));
    EXPECT_NE(pair_seed(2014, 1), 2014u);
    EXPECT_NE(pair_seed(2014, 1), pair_seed(2014, 2));
    EXPECT_NE(pair_seed(2014, 1), pair_seed(2015, 1));
    EXPECT_NE(pair_seed(0, 1), 0u);
    // The SplitMix64 finaliser of seed + p * golden ratio, by hand for seed 0, pair 1
    // (the first output of SplitMix64 seeded with 0).
    EXPECT_EQ(pair_seed(0, 1), 0xE220A8397B1DCDAFULL);
}

TEST(Abc, MeanScoreIsTheMeanOfEachField) {
    const PointScore m = mean_score({{0.1, 0.2, 0.3, 0.4, 0.0, 0.0, {}, {}, {}, {}},
                                     {0.3, 0.4, 0.5, -0.2, 0.0, 0.0, {}, {}, {}, {}}});
    EXPECT_DOUBLE_EQ(m.distance, 0.2);
    EXPECT_DOUBLE_EQ(m.brier, 0.3);
    EXPECT_DOUBLE_EQ(m.log_score, 0.4);
    EXPECT_DOUBLE_EQ(m.skill, 0.1);
    // the log-likelihoods of independent pairs add
    const PointScore ll = mean_score({{0.1, 0.2, 0.3, 0.4, -2.0, 0.5, {}, {}, {}, {}},
                                      {0.3, 0.4, 0.5, -0.2, -3.0, 0.25, {}, {}, {}, {}}});
    EXPECT_DOUBLE_EQ(ll.log_lik, -5.0);
    EXPECT_DOUBLE_EQ(ll.log_lik_var, 0.75);
    const PointScore one = mean_score({{0.1, 0.2, 0.3, 0.4, 0.0, 0.0, {}, {}, {}, {}}});
    EXPECT_DOUBLE_EQ(one.distance, 0.1);
    EXPECT_DOUBLE_EQ(one.skill, 0.4);
}

TEST(Abc, RequiredObservationHoldsWhenItsShareReachesTheLevel) {
    // the default rule: k / n >= level, at every n
    EXPECT_FALSE(holds(49, 100, 0.5));
    EXPECT_TRUE(holds(50, 100, 0.5));
    EXPECT_TRUE(holds(100, 100, 0.5));
    EXPECT_FALSE(holds(0, 100, 0.5));
    EXPECT_TRUE(holds(60, 100, 0.6));  // a share written exactly is not lost to rounding
    EXPECT_FALSE(holds(94, 100, 0.95));
    EXPECT_TRUE(holds(95, 100, 0.95));
    // a fact the model never gives never holds, however few the runs (session 5, finding 3)
    for (std::int64_t n = 1; n <= 100; ++n) {
        EXPECT_FALSE(holds(0, n, 0.05)) << n;
        EXPECT_FALSE(vacuous(n, 0.05, RequireRule::Share)) << n;
    }
    EXPECT_FALSE(holds(1, 0, 0.5));  // no runs: nothing holds
    // the effective threshold is the level (rounded up to a share of n), at every n
    EXPECT_DOUBLE_EQ(effective_threshold(60, 0.5, RequireRule::Share), 0.5);
    EXPECT_DOUBLE_EQ(effective_threshold(1000, 0.5, RequireRule::Share), 0.5);
    EXPECT_DOUBLE_EQ(effective_threshold(7, 0.5, RequireRule::Share), 4.0 / 7.0);
}

TEST(Abc, TheWilsonRuleIsLenientDependsOnRunsAndIsVacuousWithFewRuns) {
    // 95% Wilson upper ends at n = 100: 40 hits -> 0.498, 41 -> 0.508.
    EXPECT_FALSE(holds(40, 100, 0.5, RequireRule::Wilson));
    EXPECT_TRUE(holds(41, 100, 0.5, RequireRule::Wilson));
    EXPECT_TRUE(holds(100, 100, 0.5, RequireRule::Wilson));
    EXPECT_FALSE(holds(0, 100, 0.5, RequireRule::Wilson));
    // the same share with more runs is cut: 4,000 of 10,000 lies wholly below 0.5
    EXPECT_FALSE(holds(4000, 10000, 0.5, RequireRule::Wilson));
    EXPECT_TRUE(holds(4950, 10000, 0.5, RequireRule::Wilson));
    EXPECT_FALSE(holds(80, 100, 0.95, RequireRule::Wilson));
    EXPECT_TRUE(holds(92, 100, 0.95, RequireRule::Wilson));
    // its effective threshold at level 0.5 (the attack's finding 2): 23 of 60 = 0.383
    EXPECT_DOUBLE_EQ(effective_threshold(60, 0.5, RequireRule::Wilson), 23.0 / 60.0);
    EXPECT_LT(effective_threshold(1000, 0.5, RequireRule::Wilson), 0.5);
    EXPECT_GT(effective_threshold(1000, 0.5, RequireRule::Wilson), 0.46);
    // vacuous where wilson(0, n).hi = z^2 / (n + z^2) >= level: n <= 3 at 0.5, n <= 72 at 0.05
    EXPECT_TRUE(vacuous(3, 0.5, RequireRule::Wilson));
    EXPECT_FALSE(vacuous(4, 0.5, RequireRule::Wilson));
    EXPECT_TRUE(vacuous(72, 0.05, RequireRule::Wilson));
    EXPECT_FALSE(vacuous(73, 0.05, RequireRule::Wilson));
    EXPECT_TRUE(holds(0, 3, 0.5, RequireRule::Wilson));
}

TEST(Abc, JudgeRequiredUsesTheObservedValue) {
    Score s;
    s.runs = 100;
    ScoredObservation yes, no;
    yes.obs.value = true;
    yes.hits = 30;  // observed true, p = 0.3: fails at 0.5
    no.obs.value = false;
    no.hits = 30;  // observed false, probability of the observed value 0.7: holds
    s.items = {yes, no};
    PointScore ps;
    judge_required(s, 0.5, ps);
    ASSERT_EQ(ps.observed_p.size(), 2u);
    EXPECT_DOUBLE_EQ(ps.observed_p[0], 0.3);
    EXPECT_DOUBLE_EQ(ps.observed_p[1], 0.7);
    EXPECT_EQ(ps.held, (std::vector<int>{0, 1}));
}

TEST(Abc, ComparisonReproducesNewcombesIntervalForOneObservationPerSide) {
    // Newcombe (1998, Stat. Med. 17:873), table II, example (a): 56/70 - 48/80 = 0.2, method
    // 10 (hybrid score interval) 0.0524 to 0.3339.
    const Comparison c = compare({{48}, 80}, {{56}, 70});
    EXPECT_DOUBLE_EQ(c.less, 0.6);
    EXPECT_DOUBLE_EQ(c.more, 0.8);
    EXPECT_NEAR(c.diff, 0.2, 1e-12);
    EXPECT_NEAR(c.lo, 0.0524, 5e-5);
    EXPECT_NEAR(c.hi, 0.3339, 5e-5);
    EXPECT_TRUE(c.held);
}

TEST(Abc, ComparisonFailsOnlyWhenSignificantlyTheWrongWay) {
    // Two scenarios whose rates are known (k of 100 runs), the wanted order less < more.
    const Comparison right = compare({{30}, 100}, {{50}, 100});  // 0.3 < 0.5: holds
    EXPECT_NEAR(right.lo, 0.064223, 1e-6);
    EXPECT_NEAR(right.hi, 0.325768, 1e-6);
    EXPECT_TRUE(right.held);
    const Comparison wrong = compare({{60}, 100}, {{40}, 100});  // 0.6 > 0.4: cut
    EXPECT_NEAR(wrong.diff, -0.2, 1e-12);
    EXPECT_NEAR(wrong.hi, -0.061411, 1e-6);
    EXPECT_FALSE(wrong.held);
    // the wrong way, but within the Monte Carlo error of 100 runs: not cut
    const Comparison close = compare({{50}, 100}, {{45}, 100});
    EXPECT_LT(close.diff, 0.0);
    EXPECT_NEAR(close.hi, 0.086986, 1e-6);
    EXPECT_TRUE(close.held);
    // the same shares with 100 times the runs are cut
    EXPECT_FALSE(compare({{5000}, 10000}, {{4500}, 10000}).held);
    // equal rates hold
    EXPECT_TRUE(compare({{7}, 10}, {{7}, 10}).held);
}

TEST(Abc, ComparisonOfMeansCombinesTheObservationsIntervals) {
    // two observations per side: the mean of each side, half-widths in quadrature over 2
    const Comparison c = compare({{30, 50}, 100}, {{50, 70}, 100});
    EXPECT_NEAR(c.less, 0.4, 1e-12);
    EXPECT_NEAR(c.more, 0.6, 1e-12);
    EXPECT_NEAR(c.lo, 0.103991, 1e-6);
    EXPECT_NEAR(c.hi, 0.288932, 1e-6);
    const Comparison w = compare({{40, 40}, 60}, {{20, 20}, 60});
    EXPECT_NEAR(w.diff, -1.0 / 3.0, 1e-12);
    EXPECT_NEAR(w.hi, -0.207235, 1e-6);
    EXPECT_FALSE(w.held);
    EXPECT_THROW(compare({{}, 100}, {{1}, 100}), std::invalid_argument);
    EXPECT_THROW(compare({{1}, 0}, {{1}, 100}), std::invalid_argument);
    EXPECT_THROW(compare({{101}, 100}, {{1}, 100}), std::invalid_argument);
}

TEST(Abc, SettleNeverAcceptsAPointThatFailsARequiredObservation) {
    const std::vector<Prior> priors = {
        Prior{"x", 0, core::Distribution::uniform(0.0, 1.0), core::Range{0.0, 1.0}, false}};
    std::vector<PointResult> pts;
    for (int i = 0; i < 10; ++i) {
        PointResult p;
        p.point = i;
        p.theta = {0.1 * i};
        p.score.distance = 0.01 * i;                // point 0 is the closest
        p.required_held = {i % 2 == 1 ? 1 : 0, 1};  // only odd points hold both
        pts.push_back(p);
    }
    // quantile 0.3 takes ceil(0.3 * 5) = 2 of the 5 feasible points, the 2 closest
    const Generation g = settle(pts, priors, 0.3, NAN);
    EXPECT_EQ(g.accepted, (std::vector<int>{0, 1, 0, 1, 0, 0, 0, 0, 0, 0}));
    EXPECT_DOUBLE_EQ(g.epsilon, 0.03);
    EXPECT_EQ(g.n_feasible, 5);
    EXPECT_EQ(g.n_feasible_accepted, 2);
    EXPECT_TRUE(g.distance_cut());
    // a tolerance accepts every feasible point below it, and no other
    const Generation t = settle(pts, priors, 0.1, 0.045);
    EXPECT_EQ(t.accepted, (std::vector<int>{0, 1, 0, 1, 0, 0, 0, 0, 0, 0}));
    // quantile 0.9 of the 5 feasible points: ceil(4.5) = 5, all of them, no infeasible one;
    // the distance cut none
    const Generation all = settle(pts, priors, 0.9, NAN);
    EXPECT_EQ(all.n_accepted(), 5);
    EXPECT_FALSE(all.distance_cut());
    for (std::size_t i = 0; i < pts.size(); ++i) {
        if (all.accepted[i]) {
            EXPECT_TRUE(pts[i].feasible());
        }
    }
    // feasibility first (SMC before its last generation): 5 points hold, the quantile asks
    // for 7 of all 10: the 5 feasible, then the 2 infeasible that fail the fewest (here 1
    // each; the closest of them by distance)
    std::vector<PointResult> soft = pts;
    soft[2].required_held = {0, 0};  // fails two: ranked after every one-failure point
    const Generation s = settle(soft, priors, 0.7, NAN, nullptr, nullptr, false);
    EXPECT_EQ(s.accepted, (std::vector<int>{1, 1, 0, 1, 1, 1, 0, 1, 0, 1}));
    EXPECT_DOUBLE_EQ(s.epsilon, 0.09);  // the largest plain distance accepted
    EXPECT_EQ(s.n_feasible_accepted, 5);
    // enough feasible points: ceil(0.3 * 10) = 3 of all points, the 3 closest feasible ones
    EXPECT_EQ(settle(pts, priors, 0.3, NAN, nullptr, nullptr, false).accepted,
              (std::vector<int>{0, 1, 0, 1, 0, 1, 0, 0, 0, 0}));
    // without required observations every point is feasible
    PointResult free;
    EXPECT_TRUE(free.feasible());
}

TEST(Abc, TheFilteredPosteriorDependsOnTheEventsWhenFewPointsAreFeasible) {
    // Session 5, finding 5: 4 of 20 points feasible, quantile 0.5 (10 of all points). The old
    // rule accepted all 4 whatever the distance, so events and their opposite (the distance
    // reversed) gave the same posterior. The quantile of the feasible points: 2 of 4, the
    // closest, which the events decide.
    const std::vector<Prior> priors = {
        Prior{"x", 0, core::Distribution::uniform(0.0, 1.0), core::Range{0.0, 1.0}, false}};
    std::vector<PointResult> data, flipped;
    for (int i = 0; i < 20; ++i) {
        PointResult p;
        p.point = i;
        p.theta = {0.05 * i};
        p.required_held = {i % 5 == 0 ? 1 : 0};  // points 0, 5, 10, 15
        p.score.distance = p.theta[0];           // the events favour small x
        data.push_back(p);
        p.score.distance = 1.0 - p.theta[0];  // the flipped events favour large x
        flipped.push_back(p);
    }
    const Generation a = settle(data, priors, 0.5, NAN);
    const Generation b = settle(flipped, priors, 0.5, NAN);
    EXPECT_EQ(a.n_feasible, 4);
    EXPECT_EQ(a.n_accepted(), 2);
    EXPECT_NE(a.accepted, b.accepted);
    EXPECT_EQ(a.accepted[0] + a.accepted[5], 2);
    EXPECT_EQ(b.accepted[10] + b.accepted[15], 2);
    EXPECT_LT(summarize(population_of(a))[0].median, summarize(population_of(b))[0].median);
}

TEST(Abc, PosteriorWarningNamesFewPointsAndAnUncutPosterior) {
    EXPECT_EQ(posterior_warning(30.0, 300, 30, true), "");
    EXPECT_EQ(posterior_warning(60.0, 300, 60, false), "");
    const std::string few = posterior_warning(2.98, 30, 3, true);
    EXPECT_NE(few.find("effective sample of 2.98 points (ESS < 30)"), std::string::npos) << few;
    EXPECT_EQ(few.find("decided nothing"), std::string::npos);
    const std::string uncut = posterior_warning(100.0, 100, 100, true);
    EXPECT_NE(uncut.find("every one of the 100 points that hold every required observation was "
                         "accepted: the distance to the events decided nothing"),
              std::string::npos)
        << uncut;
    EXPECT_EQ(uncut.find("ESS"), std::string::npos);
    const std::string both = posterior_warning(14.0, 14, 14, true);
    EXPECT_NE(both.find("ESS < 30"), std::string::npos);
    EXPECT_NE(both.find("decided nothing"), std::string::npos);
}

}  // namespace
}  // namespace sco::experiment::abc

namespace sco::experiment::abc {

TEST(Abc, JudgeRequiredJudgesEachEventOnItsJointShare) {
    // Two observations of one event, each holding in 50 of 100 runs (each holds at level
    // 0.5), never together (0 of 100): the event fails; a second event whose observations
    // hold together in 60 runs holds. Observation by observation both would hold.
    Score s;
    s.runs = 100;
    ScoredObservation a, b;
    a.obs.value = b.obs.value = true;
    a.hits = b.hits = 50;
    s.items = {a, b};
    ScoredEvent never, often;
    never.group.event_id = "X";
    never.hits = 0;
    never.p = 0.0;
    often.group.event_id = "E";
    often.hits = 60;
    often.p = 0.6;
    s.events = {never, often};
    PointScore ps;
    judge_required(s, 0.5, ps);
    EXPECT_EQ(ps.held, (std::vector<int>{1, 1}));  // each observation alone
    EXPECT_EQ(ps.event_held, (std::vector<int>{0, 1}));
    EXPECT_EQ(ps.event_p, (std::vector<double>{0.0, 0.6}));
    s.events[0].hits = -1;  // no joint count: never judged as held
    EXPECT_THROW(judge_required(s, 0.5, ps), std::invalid_argument);
}

TEST(Abc, TheModeRuleAsksForTheMostFrequentPattern) {
    // An event like F3 (one participation set of many): its observed pattern in 20 of 100
    // runs, the next most frequent in 18: the model's most likely outcome, so it holds under
    // mode, while the share rule at 0.5 (or any level above 0.2) cuts it. Ties hold (one
    // binary observation at 50 of 100 holds, as under share at 0.5); a pattern seen in no
    // run never holds; one the runner-up beats fails.
    Score s;
    s.runs = 100;
    ScoredEvent f3, tie, beaten, never;
    f3.hits = 20, f3.runner_up = 18;
    tie.hits = 50, tie.runner_up = 50;
    beaten.hits = 30, beaten.runner_up = 31;
    never.hits = 0, never.runner_up = 0;
    s.events = {f3, tie, beaten, never};
    PointScore ps;
    judge_required(s, 0.5, ps, RequireRule::Mode);
    EXPECT_EQ(ps.event_held, (std::vector<int>{1, 1, 0, 0}));
    judge_required(s, 0.5, ps, RequireRule::Share);
    EXPECT_EQ(ps.event_held, (std::vector<int>{0, 1, 0, 0}));
    // per observation (reports): the observed value is the mode of a binary, k >= n - k
    EXPECT_TRUE(holds(50, 100, 0.9, RequireRule::Mode));  // no level
    EXPECT_FALSE(holds(49, 100, 0.1, RequireRule::Mode));
    EXPECT_FALSE(vacuous(1, 0.5, RequireRule::Mode));
    EXPECT_DOUBLE_EQ(effective_threshold(7, 0.5, RequireRule::Mode), 4.0 / 7.0);
    // without pattern counts the mode cannot be judged
    s.events[0].runner_up = -1;
    EXPECT_THROW(judge_required(s, 0.5, ps, RequireRule::Mode), std::invalid_argument);
    EXPECT_EQ(kRequireRuleNames.parse("mode"), RequireRule::Mode);
}

}  // namespace sco::experiment::abc

namespace sco::experiment::abc {

TEST(Abc, TheLikelihoodOfAnEventIsTheShareOfRunsGivingItsWholePattern) {
    // Two observations of one event (weight 0.6), each true in 50 of 100 runs, never together:
    // log L = 0.6 ln((0 + 1/2) / 101). The composite likelihood of the observations (each
    // 1/2 of the weight) would give 0.6 ln(50.5 / 101), and independent observations 1.2 ln of
    // it: neither is the event's probability.
    Score s;
    s.runs = 100;
    ScoredObservation a, b;
    a.obs.event_id = b.obs.event_id = "X";
    a.obs.value = b.obs.value = true;
    a.obs.weight = b.obs.weight = 0.6;
    a.hits = b.hits = 50;
    s.items = {a, b};
    const LogLikelihood composite = log_likelihood(s);  // no joint counts: the fallback
    EXPECT_NEAR(composite.value, 0.6 * std::log(50.5 / 101.0), 1e-12);
    ScoredEvent ev;
    ev.group = EventGroup{"X", "", 0.6, {0, 1}};
    ev.hits = 0;
    s.events = {ev};
    const LogLikelihood joint = log_likelihood(s);
    const double q = 0.5 / 101.0;
    EXPECT_NEAR(joint.value, 0.6 * std::log(q), 1e-12);
    EXPECT_NEAR(joint.var, 0.36 * 100.0 * (1.0 - q) / (101.0 * 101.0 * q), 1e-9);
    // an event always given (100 of 100): ln((100.5) / 101), whatever its observations' counts
    s.events[0].hits = 100;
    EXPECT_NEAR(log_likelihood(s).value, 0.6 * std::log(100.5 / 101.0), 1e-12);
}

}  // namespace sco::experiment::abc
