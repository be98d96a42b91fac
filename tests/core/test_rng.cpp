#include "sim/core/rng.h"

#include <gtest/gtest.h>

#include <set>

using sco::core::Purpose;
using sco::core::Rng;
using sco::core::RngStream;

TEST(Rng, SameKeyAndCounterGiveTheSameWords) {
    const Rng a({42, 3, 7}), b({42, 3, 7});
    EXPECT_EQ(a.words(Purpose::Choice, 5, 9), b.words(Purpose::Choice, 5, 9));
}

TEST(Rng, EveryKeyPartAndCounterPartChangesTheWords) {
    const auto base = Rng({42, 3, 7}).words(Purpose::Choice, 5, 9);
    EXPECT_NE(base, Rng({43, 3, 7}).words(Purpose::Choice, 5, 9));
    EXPECT_NE(base, Rng({42, 4, 7}).words(Purpose::Choice, 5, 9));
    EXPECT_NE(base, Rng({42, 3, 8}).words(Purpose::Choice, 5, 9));
    EXPECT_NE(base, Rng({42, 3, 7}).words(Purpose::Transit, 5, 9));
    EXPECT_NE(base, Rng({42, 3, 7}).words(Purpose::Choice, 6, 9));
    EXPECT_NE(base, Rng({42, 3, 7}).words(Purpose::Choice, 5, 10));
}

TEST(Rng, UnitIsStrictlyInsideZeroOne) {
    EXPECT_GT(Rng::to_unit(0), 0.0);
    EXPECT_LT(Rng::to_unit(~0ULL), 1.0);
}

TEST(Rng, PackKeepsIndicesApart) {
    std::set<std::uint64_t> seen;
    for (int t = 0; t < 10; ++t)
        for (int p = 0; p < 10; ++p)
            for (int r = 0; r < 10; ++r) seen.insert(Rng::pack(t, p, r));
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(Rng, StreamIsReproducibleAndUniform) {
    const Rng rng({1, 0, 0});
    RngStream s1(rng, Purpose::Test, 0), s2(rng, Purpose::Test, 0);
    const int n = 200000;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
        const double u = s1.uniform();
        ASSERT_EQ(u, s2.uniform());
        sum += u;
    }
    // Mean of U(0,1) has sd 1/sqrt(12 n); allow 4 sd.
    EXPECT_NEAR(sum / n, 0.5, 4.0 / std::sqrt(12.0 * n));
}
