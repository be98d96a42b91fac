#include "sim/core/model.h"

#include <gtest/gtest.h>

#include "support/spec_builder.h"

using namespace sco::core;

TEST(Model, ParamTableFindsByPathAndListsRandomOnes) {
    sco::test::SpecBuilder b(1, 0);
    b.agent("AAA");
    b.agent("BBB");
    b.proposal("p", Kind::Plan, 0);
    const ParamTable& t = b.spec().params;
    const ParamId id = t.find("agents.BBB.sovereignty");
    ASSERT_NE(id, kNoParam);
    EXPECT_EQ(t[id].field, Field::Sovereignty);
    EXPECT_EQ(t[id].a, 1);
    EXPECT_EQ(t.find("agents.CCC.sovereignty"), kNoParam);
    EXPECT_TRUE(t.random_ids().empty());
    b.set("agents.BBB.sovereignty", Distribution::beta(2, 2));
    EXPECT_EQ(b.spec().params.random_ids(), std::vector<ParamId>{id});
}

TEST(Model, PairIndexAndPairNamesAgree) {
    sco::test::SpecBuilder b(1, 0);
    for (const char* id : {"UZB", "KAZ", "TJK", "CHN"}) b.agent(id);
    const ModelSpec& s = b.spec();
    ASSERT_EQ(s.n_pairs(), 6);
    std::vector<int> seen(6, 0);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            if (i == j) continue;
            const int k = pair_index(i, j, 4);
            ASSERT_GE(k, 0);
            ASSERT_LT(k, 6);
            EXPECT_EQ(k, pair_index(j, i, 4));
            ++seen[k];
            // Names put the ids in alphabetical order whatever the agent order.
            const std::string a = s.agents[i].id, c = s.agents[j].id;
            EXPECT_EQ(s.pair_name(k), a < c ? a + "-" + c : c + "-" + a);
        }
    for (int n : seen) EXPECT_EQ(n, 2);
}

TEST(Model, NameTablesRoundTrip) {
    for (std::size_t i = 0; i < kOutcomeNames.size(); ++i)
        EXPECT_EQ(static_cast<std::size_t>(*kOutcomeNames.parse(kOutcomeNames.names[i])), i);
    EXPECT_FALSE(kKindNames.parse("treaty").has_value());
    EXPECT_TRUE(passed(Outcome::Diluted));
    EXPECT_FALSE(passed(Outcome::Deferred));
}

TEST(Model, DynamicsDefaultsLieInTheirRanges) {
    for (int d = 0; d < kDynCount; ++d) {
        const DynDefault& dd = dyn_default(static_cast<Dyn>(d));
        EXPECT_TRUE(dd.range.contains(dd.value)) << kDynNames.names[d];
    }
}

TEST(Model, CheckSpecReportsBrokenReferences) {
    sco::test::SpecBuilder b(1, 0);
    b.agent("AAA");
    b.agent("BBB");
    const int p = b.proposal("p", Kind::Exercise, 0, true);
    EXPECT_EQ(check_spec(b.spec()), "");
    b.spec().proposals[p].transit.push_back({1, 1});
    EXPECT_NE(check_spec(b.spec()).find("invalid transit"), std::string::npos);
    b.spec().proposals[p].transit.clear();
    b.spec().proposals[p].last_period = 5;
    EXPECT_NE(check_spec(b.spec()).find("period window"), std::string::npos);
    b.spec().proposals[p].last_period = 0;
    b.set("agents.AAA.capability", 2.0);
    EXPECT_NE(check_spec(b.spec()).find("agents.AAA.capability"), std::string::npos);
}
