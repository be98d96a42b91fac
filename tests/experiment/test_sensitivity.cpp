#include "sim/experiment/sensitivity.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/experiment/design.h"

using namespace sco::experiment;

// The Ishigami function has known Sobol indices (a = 7, b = 0.1):
// S1 = 0.3139, S2 = 0.4424, S3 = 0; ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
TEST(Sensitivity, IshigamiIndicesAreRecovered) {
    Design d;
    d.kind = DesignKind::Sobol;
    d.samples = 8192;
    for (int i = 0; i < 3; ++i) {
        Factor f;
        f.lo = -M_PI;
        f.hi = M_PI;
        d.factors.push_back(f);
    }
    std::vector<double> y;
    for (const auto& x : design_values(d))
        y.push_back(std::sin(x[0]) + 7 * std::pow(std::sin(x[1]), 2) +
                    0.1 * std::pow(x[2], 4) * std::sin(x[0]));
    const SobolIndices s = sobol_indices(y, 3, d.samples, 200, 1);
    const double first[3] = {0.3139, 0.4424, 0.0}, total[3] = {0.5576, 0.4424, 0.2437};
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(s.first[i], first[i], 0.03) << i;
        EXPECT_NEAR(s.total[i], total[i], 0.03) << i;
        EXPECT_LE(s.first_lo[i], s.first[i]);
        EXPECT_GE(s.first_hi[i], s.first[i]);
        EXPECT_LT(s.first_hi[i] - s.first_lo[i], 0.1) << i;
    }
}

TEST(Sensitivity, ConstantOutputHasNoIndices) {
    const std::vector<double> y(10 * 4, 0.5);
    const SobolIndices s = sobol_indices(y, 2, 10, 20, 1);
    EXPECT_TRUE(std::isnan(s.first[0]));
    EXPECT_TRUE(std::isnan(s.total[1]));
}
