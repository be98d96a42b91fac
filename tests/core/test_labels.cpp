// sim/core/labels.cpp: labels_of names every axis of a run record from a ModelSpec, in the
// spec's order, with sizes that match the record's shape.
#include "sim/core/labels.h"

#include <gtest/gtest.h>

#include <utility>

#include "sim/core/record.h"

namespace sco::core {
namespace {

ModelSpec three_agents() {
    ModelSpec s;
    s.name = "labels";
    s.first_period = 2009;
    s.periods = 3;
    s.dimensions = {"security", "economy"};
    s.threats = {"terrorism"};
    // Ids deliberately not in alphabetical order: a pair is named with its ids sorted.
    for (const auto& [id, name] :
         {std::pair{"UZB", "Uzbekistan"}, std::pair{"CHN", "China"}, std::pair{"RUS", "Russia"}}) {
        AgentSpec agent;
        agent.id = id;
        agent.name = name;
        s.agents.push_back(agent);
    }
    ProposalSpec a;
    a.id = "peace_mission";
    a.title = "Peace Mission";
    a.kind = Kind::Exercise;
    ProposalSpec b;
    b.id = "bank";
    b.title = "Development Bank";
    b.kind = Kind::Institution;
    s.proposals = {a, b};
    return s;
}

TEST(Labels, NameEveryAxisInTheSpecsOrder) {
    const Labels L = labels_of(three_agents());
    EXPECT_EQ(L.agents, (std::vector<std::string>{"UZB", "CHN", "RUS"}));
    EXPECT_EQ(L.agent_names, (std::vector<std::string>{"Uzbekistan", "China", "Russia"}));
    EXPECT_EQ(L.proposals, (std::vector<std::string>{"peace_mission", "bank"}));
    EXPECT_EQ(L.proposal_titles, (std::vector<std::string>{"Peace Mission", "Development Bank"}));
    EXPECT_EQ(L.kinds, (std::vector<std::string>{"exercise", "institution"}));
    EXPECT_EQ(L.dimensions, (std::vector<std::string>{"security", "economy"}));
    EXPECT_EQ(L.threats, (std::vector<std::string>{"terrorism"}));
    EXPECT_EQ(L.periods, (std::vector<int>{2009, 2010, 2011}));
}

TEST(Labels, PairsFollowTheUpperTriangleWithSortedIds) {
    const ModelSpec s = three_agents();
    const Labels L = labels_of(s);
    // Pairs (0,1), (0,2), (1,2) of UZB, CHN, RUS; each named with its ids sorted.
    EXPECT_EQ(L.pairs, (std::vector<std::string>{"CHN-UZB", "RUS-UZB", "CHN-RUS"}));
    EXPECT_EQ(L.pairs[static_cast<std::size_t>(pair_index(2, 0, s.n_agents()))], "RUS-UZB");
}

TEST(Labels, SizesMatchTheRecordShape) {
    const ModelSpec s = three_agents();
    const Labels L = labels_of(s);
    const RecordShape shape = shape_of(s);
    EXPECT_EQ(static_cast<int>(L.periods.size()), shape.periods);
    EXPECT_EQ(static_cast<int>(L.proposals.size()), shape.proposals);
    EXPECT_EQ(static_cast<int>(L.kinds.size()), shape.proposals);
    EXPECT_EQ(static_cast<int>(L.agents.size()), shape.agents);
    EXPECT_EQ(static_cast<int>(L.dimensions.size()), shape.dims);
    EXPECT_EQ(static_cast<int>(L.pairs.size()), shape.pairs);
}

TEST(Labels, AnEmptySpecHasEmptyLabelsAndEqualityComparesEveryField) {
    ModelSpec s;
    s.periods = 0;
    EXPECT_EQ(labels_of(s), Labels{});
    Labels a = labels_of(three_agents()), b = a;
    EXPECT_EQ(a, b);
    b.threats.clear();
    EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sco::core
