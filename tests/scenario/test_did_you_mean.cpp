#include <gtest/gtest.h>

#include "sim/scenario/loader.h"

namespace sco::scenario {
namespace {

using Words = std::vector<std::string>;

TEST(DidYouMean, TranspositionIsOneEdit) {
    EXPECT_EQ(did_you_mean("sovereingty", {"capability", "sovereignty", "salience"}),
              Words{"sovereignty"});
    EXPECT_EQ(did_you_mean("KZA", {"KAZ", "RUS", "UZB"}), Words{"KAZ"});
}

TEST(DidYouMean, BestFirstThenCandidateOrder) {
    EXPECT_EQ(did_you_mean("tension_wieght", {"affinity_weight", "tension", "tension_weight"}),
              Words{"tension_weight"});
    // "bta": beta is one insertion away, "bat" one transposition; "bet" needs two edits.
    EXPECT_EQ(did_you_mean("bta", {"normal", "bet", "beta", "bat"}), (Words{"beta", "bat"}));
    EXPECT_EQ(
        did_you_mean("agents.UZB.sovereigntyy", {"agents.UZB.sovereign", "agents.UZB.sovereignty"}),
        (Words{"agents.UZB.sovereignty", "agents.UZB.sovereign"}));
}

TEST(DidYouMean, IgnoresCase) {
    EXPECT_EQ(did_you_mean("Member", {"member", "observer"}), Words{"member"});
    EXPECT_EQ(did_you_mean("uzb", {"UZB", "TJK"}), Words{"UZB"});
}

TEST(DidYouMean, OnlyPlausibleCandidates) {
    EXPECT_TRUE(did_you_mean("gauss", {"fixed", "uniform", "beta", "normal"}).empty());
    EXPECT_TRUE(did_you_mean("x", {"ab", "cd"}).empty());
    EXPECT_TRUE(did_you_mean("anything", {}).empty());
    EXPECT_TRUE(did_you_mean("same", {"same"}).empty());  // an exact match is no correction
}

TEST(DidYouMean, SuggestionText) {
    EXPECT_EQ(suggestion_text("betta", {"beta", "normal"}), "; did you mean 'beta'?");
    EXPECT_EQ(suggestion_text("bta", {"beta", "bat"}), "; did you mean 'beta' or 'bat'?");
    EXPECT_EQ(suggestion_text("bta", {"beta", "bat", "btx", "bt"}),
              "; did you mean 'beta', 'bat' or 'btx'?");
    EXPECT_EQ(suggestion_text("zzzzzz", {"beta"}), "");
}

}  // namespace
}  // namespace sco::scenario
