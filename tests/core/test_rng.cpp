#include "sim/core/rng.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

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

TEST(Rng, PackKeepsIndicesApartAtTheLimits) {
    // The values next to each slot's edges, in every slot: all combinations distinct,
    // and each slot reads back unchanged.
    const std::uint64_t edge[] = {0, 1, 0xfffe, Rng::kPackMax};
    std::set<std::uint64_t> seen;
    for (auto a : edge)
        for (auto b : edge)
            for (auto c : edge)
                for (auto d : edge) {
                    const std::uint64_t w = Rng::pack(a, b, c, d);
                    seen.insert(w);
                    EXPECT_EQ(w & 0xffff, a);
                    EXPECT_EQ((w >> 16) & 0xffff, b);
                    EXPECT_EQ((w >> 32) & 0xffff, c);
                    EXPECT_EQ(w >> 48, d);
                }
    EXPECT_EQ(seen.size(), 256u);
    static_assert(Rng::pack(Rng::kPackMax, Rng::kPackMax, Rng::kPackMax, Rng::kPackMax) == ~0ULL);
}

TEST(Rng, PackRejectsAnIndexBeyondSixteenBitsInEverySlot) {
    // Before, 65536 was masked to 0 and drew the same numbers as index 0.
    const std::uint64_t over = Rng::kPackMax + 1;
    EXPECT_THROW((void)Rng::pack(over), std::out_of_range);
    EXPECT_THROW((void)Rng::pack(0, over), std::out_of_range);
    EXPECT_THROW((void)Rng::pack(0, 0, over), std::out_of_range);
    EXPECT_THROW((void)Rng::pack(0, 0, 0, over), std::out_of_range);
    EXPECT_THROW((void)Rng::pack(~0ULL), std::out_of_range);
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
