// sim/core/summary_data.cpp: the plain counts a Summary is built on are sized from the
// record shape, every one zero, and tension pairs must be ascending indices of real pairs.
#include "sim/core/summary_data.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sco::core {
namespace {

const RecordShape kShape{/*periods=*/3,      /*proposals=*/5, /*agents=*/7,
                         /*dims=*/2,         /*pairs=*/21,
                         /*random_params=*/4};

TEST(SummaryData, CountsAreSizedFromTheShapeAndZero) {
    const SummaryCounts c(kShape, /*max_rounds=*/4, {2, 5, 20});
    const std::size_t T = 3, P = 5, N = 7, D = 2, K = 21, J = 3;
    EXPECT_EQ(c.outcome_counts.size(), T * P * kOutcomes);
    EXPECT_EQ(c.flag_counts.size(), T * P * N * kFlagBits);
    EXPECT_EQ(c.participated.size(), T * P * N);
    EXPECT_EQ(c.rounds_hist.size(), T * P * 5);  // rounds 0..4
    EXPECT_EQ(c.dilution_hist.size(), T * P * kDilutionBins);
    for (const auto* v :
         {&c.dilution_sum, &c.pressure_sum, &c.pressure_runs, &c.implemented, &c.lag_sum})
        EXPECT_EQ(v->size(), T * P);
    EXPECT_EQ(c.text_sum.size(), T * P * D);
    for (const auto* v : {&c.compromise_sum, &c.wmedian_sum, &c.status_quo_sum})
        EXPECT_EQ(v->size(), T * D);
    EXPECT_EQ(c.first_adoption.size(), P * (T + 1));
    EXPECT_EQ(c.tension_hist.size(), T * J * kTensionBins);  // tracked pairs only
    EXPECT_EQ(c.tension_sum.size(), T * K);                  // every pair
    EXPECT_EQ(c.runs, 0);
    for (auto x : c.outcome_counts) EXPECT_EQ(x, 0);
    for (auto x : c.tension_sum) EXPECT_EQ(x, 0);
    EXPECT_EQ(c, SummaryCounts(kShape, 4, {2, 5, 20}));
    EXPECT_NE(c, SummaryCounts(kShape, 4, {2, 5}));
}

TEST(SummaryData, TensionPairsMustBeAscendingIndicesOfRealPairs) {
    EXPECT_NO_THROW(SummaryCounts(kShape, 3, {}));
    EXPECT_NO_THROW(SummaryCounts(kShape, 3, {0, 20}));
    EXPECT_THROW(SummaryCounts(kShape, 3, {21}), std::invalid_argument);
    EXPECT_THROW(SummaryCounts(kShape, 3, {-1}), std::invalid_argument);
    EXPECT_THROW(SummaryCounts(kShape, 3, {5, 2}), std::invalid_argument);
    EXPECT_THROW(SummaryCounts(kShape, 3, {4, 4}), std::invalid_argument);
}

TEST(SummaryData, RequireShapeAcceptsItsOwnShapeAndNamesTheCallerOtherwise) {
    const SummaryCounts c(kShape, 4, {});
    EXPECT_NO_THROW(c.require_shape(kShape, "finish"));
    RecordShape other_draws = kShape;
    other_draws.random_params = 9;  // not an axis of the counts
    EXPECT_NO_THROW(c.require_shape(other_draws, "finish"));
    for (int axis = 0; axis < 5; ++axis) {
        RecordShape s = kShape;
        int* const field[] = {&s.periods, &s.proposals, &s.agents, &s.dims, &s.pairs};
        *field[axis] += 1;
        try {
            c.require_shape(s, "merge");
            ADD_FAILURE() << "axis " << axis << " differs and was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_STREQ(e.what(), "merge: a summary's shape differs from the model's");
        }
    }
}

TEST(SummaryData, AllPairsIsEveryIndexInOrder) {
    EXPECT_EQ(all_pairs(4), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_TRUE(all_pairs(0).empty());
    EXPECT_TRUE(all_pairs(-3).empty());
    EXPECT_EQ(SummaryCounts(kShape, 2, all_pairs(kShape.pairs)).tension_hist.size(),
              std::size_t{3} * 21 * kTensionBins);
}

}  // namespace
}  // namespace sco::core
