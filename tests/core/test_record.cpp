// sim/core/record.cpp: the per-run output table, the record it shapes, and the one size
// estimate.
#include "sim/core/record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>

namespace sco::core {
namespace {

const RecordShape kShape{/*periods=*/3,      /*proposals=*/5, /*agents=*/7,
                         /*dims=*/2,         /*pairs=*/21,
                         /*random_params=*/4};

TEST(Record, TableNamesAreUniqueAndTheArraysComeFirst) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < kRunOutputCount; ++i) {
        EXPECT_TRUE(names.insert(kRunOutputs[i].name).second) << kRunOutputs[i].name;
        EXPECT_EQ(kRunOutputs[i].in_record, i < kRunArrayCount) << kRunOutputs[i].name;
        EXPECT_GT(std::strlen(kRunOutputs[i].doc), 10u);
        EXPECT_GT(std::strlen(kRunOutputs[i].unit), 2u);
    }
    EXPECT_EQ(kRunArrayCount, 12u);
    EXPECT_EQ(std::string(kRunOutputs[kRunArrayCount].name), "point");
    EXPECT_EQ(std::string(kRunOutputs[kRunArrayCount + 1].name), "replication");
}

TEST(Record, ResizeGivesEveryArrayItsExtentAndInitialValue) {
    RunRecord r(kShape);
    EXPECT_EQ(r.shape, kShape);
    std::size_t i = 0;
    r.each_array([&](const RunOutput& o, const auto& v) {
        EXPECT_EQ(&o, &kRunOutputs[i]);
        EXPECT_EQ(static_cast<std::int64_t>(v.size()), extent_size(o.extent, kShape)) << o.name;
        EXPECT_EQ(sizeof(v[0]), elem_size(o.elem)) << o.name;
        for (const auto& x : v) EXPECT_EQ(x, std::string(o.name) == "implemented" ? -1 : 0);
        ++i;
    });
    EXPECT_EQ(i, kRunArrayCount);
    EXPECT_EQ(r.flags.size(), 3u * 5 * 7);
    EXPECT_EQ(r.text.size(), 3u * 5 * 2);
    EXPECT_EQ(r.status_quo.size(), 3u * 2);
    EXPECT_EQ(r.tension.size(), 3u * 21);
    EXPECT_EQ(r.params.size(), 4u);
}

TEST(Record, ResizeToAnotherShapeResetsTheValues) {
    RunRecord r(kShape);
    r.implemented[0] = 3;
    r.dilution[1] = 0.5f;
    RecordShape small = kShape;
    small.agents = 2;
    r.resize(small);
    EXPECT_EQ(r.flags.size(), 3u * 5 * 2);
    EXPECT_EQ(r.implemented[0], -1);
    EXPECT_EQ(r.dilution[1], 0.0f);
}

TEST(Record, ExtentsAndAxesAgree) {
    EXPECT_EQ(extent_size(Extent::Run, kShape), 1);
    EXPECT_EQ(extent_size(Extent::PeriodProposal, kShape), 15);
    EXPECT_EQ(extent_size(Extent::PeriodProposalAgent, kShape), 105);
    EXPECT_EQ(extent_size(Extent::PeriodProposalDim, kShape), 30);
    EXPECT_EQ(extent_size(Extent::PeriodDim, kShape), 6);
    EXPECT_EQ(extent_size(Extent::PeriodPair, kShape), 63);
    EXPECT_EQ(extent_size(Extent::Param, kShape), 4);
    EXPECT_STREQ(extent_axes(Extent::Run), "");
    EXPECT_STREQ(extent_axes(Extent::PeriodProposalAgent), "period,proposal,agent");
    EXPECT_STREQ(extent_axes(Extent::PeriodPair), "period,pair");
}

TEST(Record, RecordBytesIsTheStoredSizeByHand) {
    // outcome, rounds, pressure, implemented: 1 byte; dilution 4; flags 2 per agent; text,
    // compromise, weighted median, status quo 4; params 8; point, replication 8.
    const std::int64_t tp = 15, td = 6;
    const std::int64_t without =
        tp * (1 + 1 + 4 + 1 + 1) + tp * 7 * 2 + tp * 2 * 4 + 3 * td * 4 + 4 * 8 + 2 * 8;
    EXPECT_EQ(record_bytes(kShape, false), without);
    EXPECT_EQ(record_bytes(kShape, true), without + 63 * 4);
}

TEST(Record, ArrayBytesIsTheMembersMemory) {
    RunRecord r(kShape);
    r.text[3] = 1.5f;
    const auto b = array_bytes(r, 6);  // text
    ASSERT_EQ(std::string(kRunOutputs[6].name), "text");
    EXPECT_EQ(b.data(), reinterpret_cast<const std::byte*>(r.text.data()));
    EXPECT_EQ(b.size(), r.text.size() * sizeof(float));
    EXPECT_TRUE(array_bytes(r, kRunArrayCount).empty());  // point: not in the record
}

TEST(Record, OnlyTensionDependsOnTheTensionOption) {
    for (const RunOutput& o : kRunOutputs) {
        EXPECT_TRUE(stored(o, true));
        EXPECT_EQ(stored(o, false), std::string(o.name) != "tension") << o.name;
    }
}

}  // namespace
}  // namespace sco::core
