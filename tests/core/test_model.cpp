#include "sim/core/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

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

// The contract of the one dynamics table (sim/core/model.h, SCO_DYN_TABLE): the static_asserts
// there check it when the header compiles; these check it again through the public names, so
// that removing an assert, or a row that compiles (a zero-filled default, an empty or repeated
// name, a default outside its range), fails here.
TEST(Model, EveryDynHasOneRowInEnumOrder) {
    ASSERT_EQ(kDynTable.size(), static_cast<std::size_t>(kDynCount));
    ASSERT_EQ(kDynNames.size(), static_cast<std::size_t>(kDynCount));
    for (int d = 0; d < kDynCount; ++d) {
        EXPECT_EQ(static_cast<int>(kDynTable[d].dyn), d) << "row " << d;
        // dyn_default and kDynNames read the same row.
        EXPECT_EQ(&dyn_default(static_cast<Dyn>(d)), &kDynTable[d].def);
        EXPECT_EQ(kDynNames.name(static_cast<Dyn>(d)), kDynTable[d].name);
        EXPECT_FALSE(kDynTable[d].doc.empty()) << kDynTable[d].name;
    }
}

TEST(Model, DynNamesAreNonEmptyUniqueAndRoundTrip) {
    std::set<std::string_view> seen;
    for (int d = 0; d < kDynCount; ++d) {
        const Dyn dyn = static_cast<Dyn>(d);
        const std::string_view name = kDynNames.name(dyn);
        EXPECT_FALSE(name.empty()) << "Dyn " << d;
        EXPECT_TRUE(seen.insert(name).second) << "repeated name " << name;
        // Scenario paths are dynamics.<name>: lower snake case only.
        for (const char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
        const auto back = kDynNames.parse(name);
        ASSERT_TRUE(back.has_value()) << name;
        EXPECT_EQ(*back, dyn);
    }
    EXPECT_FALSE(kDynNames.parse("").has_value());
    EXPECT_FALSE(kDynNames.parse("Rounds").has_value());
}

TEST(Model, DynDefaultsLieInNonEmptyRanges) {
    for (int d = 0; d < kDynCount; ++d) {
        const DynDefault& dd = dyn_default(static_cast<Dyn>(d));
        const std::string_view name = kDynNames.names[d];
        // A zero-filled row ({0, [0, 0]}) has an empty range: it fails here.
        EXPECT_LT(dd.range.lo, dd.range.hi) << name;
        EXPECT_TRUE(dd.range.contains(dd.value)) << name;
        if (dd.integer) {
            EXPECT_EQ(dd.value, std::round(dd.value)) << name;
        }
    }
}

TEST(Model, DynTableKeepsTheDocumentedValues) {
    // Spot checks of rows other code and docs/calibration.md (section 2) rely on.
    EXPECT_EQ(kDynNames.name(Dyn::LogitPrecision), "logit_precision");
    EXPECT_EQ(dyn_default(Dyn::LogitPrecision).value, 40.0);
    EXPECT_EQ(dyn_default(Dyn::Rounds).value, 3.0);
    EXPECT_EQ(dyn_default(Dyn::Rounds).range.hi, 50.0);
    EXPECT_TRUE(dyn_default(Dyn::Rounds).integer);
    EXPECT_EQ(kDynNames.name(Dyn::ImplementationLag), "implementation_lag");
    EXPECT_EQ(dyn_default(Dyn::ImplementationLag).range.lo, 1.0);
    EXPECT_TRUE(std::isinf(dyn_default(Dyn::ImplementationLag).range.hi));
    int integers = 0;
    for (const DynDef& r : kDynTable) integers += r.def.integer;
    EXPECT_EQ(integers, 1);  // rounds only
}

TEST(Model, TheDynamicsTableOfTheScenarioFormatDocMatchesTheTable) {
    // docs/scenario-format.md, "## Dynamics": one row per Dyn, in table order, with the
    // table's name, default, range and integer flag (`| `name` | 3 | [1, 50], integer | ...`).
    std::ifstream in(std::string(SCO_SCENARIOS) + "/../docs/scenario-format.md");
    ASSERT_TRUE(in) << "docs/scenario-format.md not found";
    std::string line;
    bool inside = false;
    int row = 0;
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            if (inside) break;
            inside = line == "## Dynamics";
            continue;
        }
        if (!inside || line.rfind("| `", 0) != 0) continue;
        ASSERT_LT(row, kDynCount) << "extra row: " << line;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        for (std::string c; std::getline(ss, c, '|');) cells.push_back(c);
        ASSERT_GE(cells.size(), 3u) << line;
        const DynDef& d = kDynTable[row];
        EXPECT_EQ(cells[0], " `" + std::string(d.name) + "` ") << "row " << row;
        EXPECT_EQ(std::stod(cells[1]), d.def.value) << d.name;
        const std::string& range = cells[2];
        const auto comma = range.find(',');
        ASSERT_NE(comma, std::string::npos) << range;
        EXPECT_EQ(std::stod(range.substr(range.find('[') + 1)), d.def.range.lo) << d.name;
        const std::string hi = range.substr(comma + 1);
        if (std::isinf(d.def.range.hi)) {
            EXPECT_NE(hi.find("inf)"), std::string::npos) << d.name;
        } else {
            EXPECT_EQ(std::stod(hi), d.def.range.hi) << d.name;
        }
        EXPECT_EQ(range.find("integer") != std::string::npos, d.def.integer) << d.name;
        ++row;
    }
    EXPECT_EQ(row, kDynCount);
}

TEST(Model, CheckSpecReportsBrokenReferences) {
    sco::test::SpecBuilder b(1, 0);
    b.agent("AAA");
    b.agent("BBB");
    const int p = b.proposal("p", Kind::Exercise, 0, true);
    EXPECT_EQ(check_spec(b.spec()), "");
    b.spec().proposals[p].transit.push_back({1, 1});
    EXPECT_NE(check_spec(b.spec()).find("invalid transit"), std::string::npos);
    // The host's troops need no transit (the loader refuses it too: model.md III.4.7).
    b.spec().proposals[p].transit = {{1, 0}};
    EXPECT_EQ(check_spec(b.spec()), "");
    b.spec().proposals[p].host = 1;
    EXPECT_NE(check_spec(b.spec()).find("invalid transit"), std::string::npos);
    b.spec().proposals[p].host = -1;
    b.spec().proposals[p].transit.clear();
    b.spec().proposals[p].last_period = 5;
    EXPECT_NE(check_spec(b.spec()).find("period window"), std::string::npos);
    b.spec().proposals[p].last_period = 0;
    b.set("agents.AAA.capability", 2.0);
    EXPECT_NE(check_spec(b.spec()).find("agents.AAA.capability"), std::string::npos);
}
