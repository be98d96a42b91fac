#include "sim/experiment/summary.h"

#include <gtest/gtest.h>

#include "sim/core/model.h"

using namespace sco;

namespace {
core::RecordShape shape() {
    core::RecordShape s;
    s.periods = 1;
    s.proposals = 2;
    s.agents = 2;
    s.dims = 1;
    s.pairs = 1;
    return s;
}
core::RunRecord record(core::Outcome o0, float dil, float tension, core::Flags flags0) {
    core::RunRecord r(shape());
    r.outcome = {static_cast<std::uint8_t>(o0),
                 static_cast<std::uint8_t>(core::Outcome::NotTabled)};
    r.rounds = {2, 0};
    r.dilution = {dil, 0};
    r.flags = {flags0, 0, 0, 0};
    r.text = {0.5f, 0.0f};
    r.tension = {tension};
    return r;
}
}  // namespace

TEST(Summary, CountsAndMeans) {
    experiment::Summary s(shape(), 5);
    s.add(record(core::Outcome::Adopted, 0.0f, 0.1f, core::kJoined));
    s.add(record(core::Outcome::Diluted, 0.5f, 0.3f, core::kJoined | core::kReserved));
    s.add(record(core::Outcome::Blocked, 0.25f, 0.5f, core::kObjected));
    EXPECT_EQ(s.runs, 3);
    EXPECT_EQ(s.tabled(0, 0), 3);
    EXPECT_EQ(s.tabled(0, 1), 0);
    EXPECT_EQ(s.passed(0, 0), 2);
    EXPECT_EQ(s.flag_count(0, 0, 0, 0), 2);  // joined
    EXPECT_EQ(s.flag_count(0, 0, 0, 3), 1);  // objected
    EXPECT_DOUBLE_EQ(s.rounds_mean(0, 0), 2.0);
    EXPECT_DOUBLE_EQ(s.dilution_mean(0, 0), 0.25);  // over passed runs: (0 + 0.5) / 2
    EXPECT_NEAR(s.tension_mean(0, 0), 0.3, 1e-6);
    EXPECT_NEAR(s.tension_quantile(0, 0, 0.5), 0.3, 1.0 / experiment::kTensionBins);
}

TEST(Summary, MergeIsExactAndOrderFree) {
    experiment::Summary a(shape(), 5), b(shape(), 5), all(shape(), 5), rev(shape(), 5);
    for (int i = 0; i < 50; ++i) {
        const auto r = record(i % 3 ? core::Outcome::Adopted : core::Outcome::Blocked, 0.013f * i,
                              0.017f * i, core::kJoined);
        (i < 20 ? a : b).add(r);
        all.add(r);
    }
    rev.merge(b);
    rev.merge(a);
    a.merge(b);
    EXPECT_EQ(a, all);
    EXPECT_EQ(rev, all);
    experiment::Summary other(shape(), 7);
    EXPECT_THROW(a.merge(other), std::invalid_argument);
}

TEST(Summary, WilsonInterval) {
    const auto p = experiment::wilson(80, 100);
    EXPECT_DOUBLE_EQ(p.p, 0.8);
    // Reference values of the Wilson 95% interval for 80/100.
    EXPECT_NEAR(p.lo, 0.7112, 1e-4);
    EXPECT_NEAR(p.hi, 0.8666, 1e-4);
    const auto z = experiment::wilson(0, 50);
    EXPECT_EQ(z.lo, 0.0);
    EXPECT_GT(z.hi, 0.0);
}

TEST(Summary, ArraysListEveryCountOnce) {
    experiment::Summary s(shape(), 5);
    const auto a = s.arrays();
    EXPECT_EQ(a.size(), 17u);
    std::size_t words = 0;
    for (auto* v : a) words += v->size();
    // Every int64 vector member is listed: their sizes add up to the summary's size.
    std::size_t expected = s.outcome_counts.size() + s.flag_counts.size() + s.participated.size() +
                           s.rounds_hist.size() + s.dilution_hist.size() + s.dilution_sum.size() +
                           s.pressure_sum.size() + s.pressure_runs.size() + s.implemented.size() +
                           s.lag_sum.size() + s.text_sum.size() + s.compromise_sum.size() +
                           s.wmedian_sum.size() + s.tension_hist.size() + s.tension_sum.size() +
                           s.status_quo_sum.size() + s.first_adoption.size();
    EXPECT_EQ(words, expected);
}
