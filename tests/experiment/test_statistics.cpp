#include "sim/experiment/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <vector>

#include "sim/core/model.h"
#include "sim/experiment/summary.h"

using namespace sco;
using namespace sco::core;

namespace {

RecordShape shape() {
    RecordShape s;
    s.periods = 1;
    s.proposals = 2;
    s.agents = 2;
    s.dims = 1;
    s.pairs = 1;
    return s;
}

RunRecord record(Outcome o0, float dil, float tension, Flags flags0, std::uint8_t rounds) {
    RunRecord r(shape());
    r.outcome = {static_cast<std::uint8_t>(o0), static_cast<std::uint8_t>(Outcome::NotTabled)};
    r.rounds = {rounds, 0};
    r.dilution = {dil, 0};
    r.flags = {flags0, 0, 0, 0};
    r.text = {0.5f, 0.0f};
    r.tension = {tension};
    return r;
}

const experiment::DerivedArray& find(const std::vector<experiment::DerivedArray>& v,
                                     const std::string& name) {
    for (const auto& a : v)
        if (a.name == name) return a;
    throw std::logic_error("no derived array " + name);
}

}  // namespace

TEST(Statistics, WilsonKnownAnswers) {
    const auto p = experiment::wilson(80, 100);
    EXPECT_DOUBLE_EQ(p.p, 0.8);
    EXPECT_NEAR(p.lo, 0.7112, 1e-4);  // reference values of the 95% Wilson interval
    EXPECT_NEAR(p.hi, 0.8666, 1e-4);
    const double z2 = 1.959963984540054 * 1.959963984540054;
    const auto none = experiment::wilson(0, 10);
    EXPECT_EQ(none.lo, 0.0);
    EXPECT_NEAR(none.hi, z2 / (10 + z2), 1e-12);  // closed form at k = 0
    const auto all = experiment::wilson(10, 10);
    EXPECT_EQ(all.hi, 1.0);
    EXPECT_NEAR(all.lo, 10 / (10 + z2), 1e-12);  // closed form at k = n
    const auto empty = experiment::wilson(0, 0);
    EXPECT_EQ(empty.p, 0.0);
    EXPECT_EQ(empty.lo, 0.0);
    EXPECT_EQ(empty.hi, 1.0);
}

TEST(Statistics, DerivedArraysKnownAnswers) {
    experiment::Summary s(shape(), 5);
    s.add(record(Outcome::Adopted, 0.0f, 0.1f, kJoined, 1));
    s.add(record(Outcome::Diluted, 0.5f, 0.3f, kJoined | kReserved, 3));
    s.add(record(Outcome::Blocked, 0.25f, 0.5f, kObjected, 2));
    s.add(record(Outcome::Adopted, 0.0f, 0.5f, kJoined, 2));
    const std::vector<experiment::Summary> block{s};
    const auto d = experiment::derived_arrays(shape(), 6, block);
    EXPECT_EQ(find(d, "tabled").ints, (std::vector<std::int64_t>{4, 0}));
    EXPECT_EQ(find(d, "passed").ints, (std::vector<std::int64_t>{3, 0}));
    const auto& pp = find(d, "passed_p").reals;
    EXPECT_DOUBLE_EQ(pp[0], 0.75);
    EXPECT_TRUE(std::isnan(pp[1]));  // never tabled
    EXPECT_DOUBLE_EQ(find(d, "passed_lo").reals[0], experiment::wilson(3, 4).lo);
    EXPECT_DOUBLE_EQ(find(d, "passed_hi").reals[0], experiment::wilson(3, 4).hi);
    EXPECT_DOUBLE_EQ(find(d, "rounds_mean").reals[0], 2.0);
    EXPECT_DOUBLE_EQ(find(d, "dilution_mean").reals[0], 0.5 / 3);  // over passed runs
    // Outcome probabilities over tabled runs; the not_tabled column is 0.
    const auto& op = find(d, "outcome_p").reals;
    EXPECT_DOUBLE_EQ(op[static_cast<int>(Outcome::Adopted)], 0.5);
    EXPECT_DOUBLE_EQ(op[static_cast<int>(Outcome::NotTabled)], 0.0);
    // objection is the 'objected' column of flag_p.
    EXPECT_DOUBLE_EQ(find(d, "objection").reals[0], 0.25);
    // Tension 0.1, 0.3, 0.5, 0.5: bins 20, 60, 100, 100; median goal 2 reached at bin 60.
    const auto& q = find(d, "tension_quantiles").reals;
    ASSERT_EQ(q.size(), 3u);
    EXPECT_DOUBLE_EQ(q[0], 20.5 / experiment::kTensionBins);
    EXPECT_DOUBLE_EQ(q[1], 60.5 / experiment::kTensionBins);
    EXPECT_DOUBLE_EQ(q[2], 100.5 / experiment::kTensionBins);
    EXPECT_NEAR(find(d, "tension_mean").reals[0], 0.35, 1e-7);  // floats 0.1f, 0.3f, 0.5f
    // Dims and names without values for an empty block.
    const auto shapes =
        experiment::derived_arrays(shape(), 6, std::span<const experiment::Summary>{});
    ASSERT_EQ(shapes.size(), d.size());
    EXPECT_EQ(find(shapes, "rounds_p").dims, (std::vector<std::size_t>{1, 2, 5}));
    EXPECT_TRUE(find(shapes, "rounds_p").reals.empty());
    // More rounds than the file holds: refused.
    EXPECT_THROW(experiment::derived_arrays(shape(), 3, block), std::invalid_argument);
}

TEST(Statistics, PassProbabilitiesAndSensitivityShapes) {
    experiment::Summary a(shape(), 5), b(shape(), 5);
    a.add(record(Outcome::Adopted, 0.0f, 0.0f, kJoined, 1));
    b.add(record(Outcome::Blocked, 0.0f, 0.0f, kObjected, 1));
    std::vector<double> y;
    std::vector<char> tabled;
    experiment::append_pass_probabilities(std::vector<experiment::Summary>{a, b}, y, tabled);
    EXPECT_EQ(y, (std::vector<double>{1.0, 0.0, 0.0, 0.0}));
    EXPECT_EQ(tabled, (std::vector<char>{1, 0}));
    // One factor, N = 2: 2 x (1 + 2) = 6 points are needed, 2 are refused.
    EXPECT_THROW(experiment::sensitivity_arrays(1, 2, 7, shape(), y, tabled),
                 std::invalid_argument);
    std::vector<double> six;
    for (int k = 0; k < 6; ++k) six.insert(six.end(), {0.1 * k, 0.0});
    const auto s = experiment::sensitivity_arrays(1, 2, 7, shape(), six, tabled);
    EXPECT_EQ(s.first.size(), 2u);
    EXPECT_TRUE(std::isnan(s.first[1]));  // proposal 1 never tabled
    EXPECT_EQ(s.bootstrap, experiment::kSensitivityBootstrap);
}

// What io's writers store comes from here: stored_statistics() on plain counts gives what
// the functions above give on the Summaries built on them (io computes nothing itself).
TEST(Statistics, StoredStatisticsAreTheseFunctionsOnPlainCounts) {
    experiment::Summary a(shape(), 5), b(shape(), 5);
    a.add(record(Outcome::Adopted, 0.0f, 0.2f, kJoined, 1));
    a.add(record(Outcome::Diluted, 0.5f, 0.4f, kJoined | kReserved, 3));
    b.add(record(Outcome::Blocked, 0.25f, 0.6f, kObjected, 2));
    const std::vector<experiment::Summary> block{a, b};
    const core::SummaryCounts ca = a, cb = b;  // the counts alone, as io reads them back
    const std::vector<const core::SummaryCounts*> counts{&ca, &cb};
    const core::SummaryStatistics& st = experiment::stored_statistics();
    const auto want = experiment::derived_arrays(shape(), 6, block);
    const auto got = st.derived(shape(), 6, counts);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].name, want[i].name);
        EXPECT_EQ(got[i].ints, want[i].ints) << got[i].name;
        ASSERT_EQ(got[i].reals.size(), want[i].reals.size()) << got[i].name;
        for (std::size_t k = 0; k < got[i].reals.size(); ++k) {
            if (std::isnan(want[i].reals[k]))
                EXPECT_TRUE(std::isnan(got[i].reals[k])) << got[i].name;
            else
                EXPECT_EQ(got[i].reals[k], want[i].reals[k]) << got[i].name;
        }
    }
    std::vector<double> y1, y2;
    std::vector<char> t1, t2;
    st.append_pass_probabilities(counts, y1, t1);
    experiment::append_pass_probabilities(block, y2, t2);
    EXPECT_EQ(y1, y2);
    EXPECT_EQ(t1, t2);
    EXPECT_EQ(y1, (std::vector<double>{1.0, 0.0, 0.0, 0.0}));
}
