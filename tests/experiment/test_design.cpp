#include "sim/experiment/design.h"

#include <gtest/gtest.h>

#include <set>

using namespace sco::experiment;

namespace {
Factor factor(double lo, double hi, std::vector<double> levels = {}) {
    Factor f;
    f.lo = lo;
    f.hi = hi;
    f.levels = std::move(levels);
    return f;
}
}  // namespace

TEST(Design, GridIsFullFactorialFirstFactorSlowest) {
    Design d;
    d.factors = {factor(0, 1, {0.0, 0.5, 1.0}), factor(0, 1, {10, 20})};
    ASSERT_EQ(design_size(d), 6);
    const auto v = design_values(d);
    EXPECT_EQ(v[0], (std::vector<double>{0.0, 10}));
    EXPECT_EQ(v[1], (std::vector<double>{0.0, 20}));
    EXPECT_EQ(v[2], (std::vector<double>{0.5, 10}));
    EXPECT_EQ(v[5], (std::vector<double>{1.0, 20}));
}

TEST(Design, LatinHypercubeHasOnePointPerStratumAndDependsOnlyOnTheSeed) {
    Design d;
    d.kind = DesignKind::Lhs;
    d.samples = 50;
    d.seed = 3;
    d.factors = {factor(0, 1), factor(-2, 2)};
    const auto v = design_values(d);
    ASSERT_EQ(v.size(), 50u);
    for (int j = 0; j < 2; ++j) {
        std::set<int> strata;
        for (const auto& p : v) {
            const double u = (p[j] - d.factors[j].lo) / (d.factors[j].hi - d.factors[j].lo);
            strata.insert(static_cast<int>(u * 50));
        }
        EXPECT_EQ(strata.size(), 50u) << "factor " << j;
    }
    EXPECT_EQ(design_values(d), v);
    d.seed = 4;
    EXPECT_NE(design_values(d), v);
}

TEST(Design, SaltelliBlocksShareColumnsAsTheEstimatorsRequire) {
    Design d;
    d.kind = DesignKind::Sobol;
    d.samples = 16;
    d.factors = {factor(0, 1), factor(0, 1), factor(0, 1)};
    const auto v = design_values(d);
    ASSERT_EQ(v.size(), 16u * 5);
    for (int r = 0; r < 16; ++r)
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                EXPECT_EQ(v[(2 + i) * 16 + r][j], j == i ? v[16 + r][j] : v[r][j]);
}

TEST(Design, ShardsCoverEveryPointOnce) {
    for (int total : {0, 1, 7, 100}) {
        for (int count : {1, 3, 4, 9}) {
            std::int64_t next = 0;
            for (int k = 0; k < count; ++k) {
                const auto [a, b] = shard_range(total, k, count);
                EXPECT_EQ(a, next);
                EXPECT_GE(b, a);
                EXPECT_LE(b - a, total / count + 1);
                next = b;
            }
            EXPECT_EQ(next, total);
        }
    }
}

TEST(Design, PlanCarriesTheSliceOfPoints) {
    Design d;
    d.factors = {factor(0, 1, {0.1, 0.2, 0.3, 0.4})};
    d.factors[0].id = 7;
    const Plan p = make_plan(d, 1, 3);
    EXPECT_EQ(p.first_point, 1);
    EXPECT_EQ(p.total_points, 4);
    ASSERT_EQ(p.points.size(), 2u);
    EXPECT_EQ(p.points[0].overrides[0].first, 7);
    EXPECT_EQ(p.points[1].overrides[0].second.a, 0.3);
}

TEST(Design, ParseFactorValues) {
    Factor g = parse_factor_values("0:1:5", DesignKind::Grid);
    EXPECT_EQ(g.levels, (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
    g = parse_factor_values("0.2,0.9", DesignKind::Grid);
    EXPECT_EQ(g.levels, (std::vector<double>{0.2, 0.9}));
    const Factor l = parse_factor_values("0.1:0.4", DesignKind::Lhs);
    EXPECT_EQ(l.lo, 0.1);
    EXPECT_EQ(l.hi, 0.4);
    EXPECT_THROW(parse_factor_values("0:1", DesignKind::Grid), std::invalid_argument);
    EXPECT_THROW(parse_factor_values("1:0:3", DesignKind::Grid), std::invalid_argument);
    EXPECT_THROW(parse_factor_values("0:1:0", DesignKind::Grid), std::invalid_argument);
    EXPECT_THROW(parse_factor_values("a:1", DesignKind::Sobol), std::invalid_argument);
}
