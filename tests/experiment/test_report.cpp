// report_text / report_json on a Summary of hand-made runs with known statistics.
#include "sim/experiment/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/synthetic.h"

namespace sco::experiment {
namespace {

using Json = nlohmann::ordered_json;

Json parse(const std::string& text) {
    return Json::parse(text);  // strict: throws on anything that is not one JSON value
}

std::vector<std::string> keys(const Json& j) {
    std::vector<std::string> out;
    for (const auto& [k, v] : j.items()) out.push_back(k);
    return out;
}

/// Every number anywhere in `j` is finite (nulls stand for undefined values).
void expect_all_finite(const Json& j, const std::string& where = "$") {
    if (j.is_number()) {
        EXPECT_TRUE(std::isfinite(j.get<double>())) << where;
    } else if (j.is_object()) {
        for (const auto& [k, v] : j.items()) expect_all_finite(v, where + "." + k);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i)
            expect_all_finite(j[i], where + "[" + std::to_string(i) + "]");
    }
}

// ---- the fixture: four runs with known statistics ----
constexpr int kMaxRounds = 3;
constexpr auto kAdopted = static_cast<std::uint8_t>(core::Outcome::Adopted);
constexpr auto kBlocked = static_cast<std::uint8_t>(core::Outcome::Blocked);
constexpr auto kDiluted = static_cast<std::uint8_t>(core::Outcome::Diluted);
constexpr auto kNotTabled = static_cast<std::uint8_t>(core::Outcome::NotTabled);

class ReportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        spec_ = testing::make_spec();  // dimensions military_integration, expansion
        // peace_mission moves military_integration only; declaration moves both. The
        // report only asks whether a position is given (any parameter id will do).
        spec_.proposals[0].position = {0, core::kNoParam};
        spec_.proposals[1].position = {1, 2};
        labels_ = labels_of(spec_);
        moves_ = moves_of(spec_);
        const auto shape = core::shape_of(spec_);
        summary_ = Summary(shape, kMaxRounds);
        const int P = shape.proposals, N = shape.agents, K = shape.pairs, T = shape.periods,
                  D = shape.dims;
        // (2014, peace_mission): adopted, adopted, blocked, not tabled; the adopted texts
        // end at military_integration 0.5 and 0.75 (the blocked one at 0.125: not counted).
        // (2016, declaration): diluted by 0.25 in every run, text (0.25, 1).
        // Compromise in 2014 on military_integration: 0.25, 0.5, 0.75, 1 (mean 0.625);
        // weighted median 0.5 in every run. Everything else: not tabled, positions 0.
        const std::uint8_t first[] = {kAdopted, kAdopted, kBlocked, kNotTabled};
        const float text2014[] = {0.5f, 0.75f, 0.125f, 0.0f};
        for (int run = 0; run < 4; ++run) {
            core::RunRecord r(shape);
            std::fill(r.outcome.begin(), r.outcome.end(), kNotTabled);
            r.outcome[0] = first[run];
            if (first[run] != kNotTabled) r.rounds[0] = static_cast<std::uint8_t>(run + 1);
            r.text[0 * D + 0] = text2014[run];
            r.text[0 * D + 1] = 0.9f;  // peace_mission does not move expansion
            if (run < 2) {
                r.flags[0 * N + 0] = core::kJoined;  // UZB joins when it is adopted
                r.implemented[0] = 1;
            }
            if (run == 2) {
                r.flags[0 * N + 2] = core::kObjected | core::kVeto;  // TJK blocks
                r.flags[0 * N + 1] = core::kObjected;                // an objection without a veto
                r.pressure[0] = 2;
            }
            r.compromise[0 * D + 0] = 0.25f * static_cast<float>(run + 1);
            r.weighted_median[0 * D + 0] = 0.5f;
            const std::size_t tp = static_cast<std::size_t>(2) * P + 1;
            r.outcome[tp] = kDiluted;
            r.rounds[tp] = 3;
            r.dilution[tp] = 0.25f;
            r.text[tp * D + 0] = 0.25f;
            r.text[tp * D + 1] = 1.0f;
            r.tension[static_cast<std::size_t>(T - 1) * K + 0] = 0.5f;  // KAZ-UZB
            summary_.add(r);
        }
    }

    core::ModelSpec spec_;
    Labels labels_;
    Moves moves_;
    Summary summary_;
};

TEST_F(ReportTest, LabelsOfFollowTheSpec) {
    EXPECT_EQ(labels_.agents, (std::vector<std::string>{"UZB", "KAZ", "TJK"}));
    EXPECT_EQ(labels_.agent_names[1], "Kazakhstan");
    EXPECT_EQ(labels_.pairs, (std::vector<std::string>{"KAZ-UZB", "TJK-UZB", "KAZ-TJK"}));
    EXPECT_EQ(labels_.periods, (std::vector<int>{2014, 2015, 2016}));
    EXPECT_EQ(labels_.kinds, (std::vector<std::string>{"exercise", "declaration"}));
    EXPECT_EQ(labels_.proposal_titles[0], "Peace Mission exercise");
    EXPECT_EQ(labels_.threats, (std::vector<std::string>{"terrorism"}));
}

TEST_F(ReportTest, MovesOfFollowTheGivenPositions) {
    EXPECT_EQ(moves_, (Moves{{0}, {0, 1}}));
    spec_.proposals[0].position.clear();
    spec_.proposals[1].position = {core::kNoParam, core::kNoParam};
    EXPECT_EQ(moves_of(spec_), (Moves{{}, {}}));
}

TEST_F(ReportTest, JsonHasTheDocumentedShapeAndValues) {
    const Json j = parse(report_json(labels_, summary_, moves_));
    // Field names and order as listed in docs/cli.md.
    EXPECT_EQ(keys(j), (std::vector<std::string>{"runs", "proposals", "time_to_adoption",
                                                 "tension_final_mean", "tension_final"}));
    // Time to adoption of peace_mission: 2014 in 2 of 4 runs, never in 2.
    const Json& tta = j.at("time_to_adoption").at("peace_mission");
    EXPECT_DOUBLE_EQ(tta.at("2014").at("p").get<double>(), 0.5);
    EXPECT_DOUBLE_EQ(tta.at("never").at("p").get<double>(), 0.5);
    EXPECT_EQ(j.at("runs"), 4);
    EXPECT_TRUE(j.at("runs").is_number_integer());
    const Json& props = j.at("proposals");
    ASSERT_EQ(props.size(), 2u) << "only tabled (period, proposal) entries";
    const Json& a = props[0];
    EXPECT_EQ(keys(a), (std::vector<std::string>{
                           "id", "period", "tabled", "outcome", "passed", "participation",
                           "objection", "veto", "waited", "transit_denied", "dropped", "pressure",
                           "rounds_mean", "dilution_mean", "implemented", "positions"}));
    EXPECT_EQ(a.at("id"), "peace_mission");
    EXPECT_EQ(a.at("period"), 2014);
    EXPECT_EQ(a.at("tabled"), 3);
    const Json& outcome = a.at("outcome");
    EXPECT_EQ(keys(outcome),
              (std::vector<std::string>{"adopted", "adopted_with_reservations", "coalition",
                                        "diluted", "deferred", "blocked"}));
    EXPECT_DOUBLE_EQ(outcome.at("adopted").at("p").get<double>(), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(outcome.at("blocked").at("p").get<double>(), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(outcome.at("deferred").at("p").get<double>(), 0.0);
    EXPECT_EQ(keys(outcome.at("adopted")), (std::vector<std::string>{"p", "ci"}));
    const Json& passed = a.at("passed");
    EXPECT_DOUBLE_EQ(passed.at("p").get<double>(), 2.0 / 3.0);
    ASSERT_EQ(passed.at("ci").size(), 2u);
    const Proportion w = wilson(2, 3);
    EXPECT_DOUBLE_EQ(passed.at("ci")[0].get<double>(), w.lo);
    EXPECT_DOUBLE_EQ(passed.at("ci")[1].get<double>(), w.hi);
    EXPECT_LT(w.lo, 2.0 / 3.0);
    EXPECT_GT(w.hi, 2.0 / 3.0);
    EXPECT_EQ(keys(a.at("participation")), labels_.agents);
    EXPECT_DOUBLE_EQ(a.at("participation").at("UZB").get<double>(), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.at("participation").at("KAZ").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(a.at("objection").at("TJK").get<double>(), 1.0 / 3.0);
    EXPECT_EQ(keys(a.at("transit_denied")), labels_.agents);
    EXPECT_EQ(keys(a.at("dropped")), labels_.agents);
    EXPECT_EQ(keys(a.at("pressure")), (std::vector<std::string>{"p", "mean"}));
    EXPECT_DOUBLE_EQ(a.at("pressure").at("p").get<double>(), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.at("pressure").at("mean").get<double>(), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.at("rounds_mean").get<double>(), 2.0);  // rounds 1, 2, 3
    EXPECT_DOUBLE_EQ(a.at("dilution_mean").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(a.at("implemented").get<double>(), 2.0 / 3.0);

    const Json& b = props[1];
    EXPECT_EQ(b.at("id"), "declaration");
    EXPECT_EQ(b.at("period"), 2016);
    EXPECT_EQ(b.at("tabled"), 4);
    EXPECT_DOUBLE_EQ(b.at("outcome").at("diluted").at("p").get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(b.at("dilution_mean").get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(b.at("rounds_mean").get<double>(), 3.0);

    const Json& ten = j.at("tension_final_mean");
    EXPECT_EQ(keys(ten), labels_.pairs);
    EXPECT_DOUBLE_EQ(ten.at("KAZ-UZB").get<double>(), 0.5);
    EXPECT_DOUBLE_EQ(ten.at("KAZ-TJK").get<double>(), 0.0);
    const Json& fin = j.at("tension_final");
    EXPECT_EQ(keys(fin), labels_.pairs);
    EXPECT_EQ(keys(fin.at("KAZ-UZB")),
              (std::vector<std::string>{"mean", "ci", "q05", "q50", "q95"}));
    EXPECT_DOUBLE_EQ(fin.at("KAZ-UZB").at("mean").get<double>(), 0.5);
    EXPECT_NEAR(fin.at("KAZ-UZB").at("q50").get<double>(), 0.5, 0.005);
    expect_all_finite(j);
}

TEST_F(ReportTest, JsonPositionsOnTheDimensionsAProposalMoves) {
    const Json j = parse(report_json(labels_, summary_, moves_));
    const Json& a = j.at("proposals")[0].at("positions");
    EXPECT_EQ(keys(a), (std::vector<std::string>{"military_integration"}))
        << "peace_mission does not move expansion";
    const Json& mi = a.at("military_integration");
    EXPECT_EQ(keys(mi), (std::vector<std::string>{"text", "compromise", "weighted_median"}));
    EXPECT_NEAR(mi.at("text").get<double>(), (0.5 + 0.75) / 2, 1e-9) << "passed runs only";
    EXPECT_NEAR(mi.at("compromise").get<double>(), 0.625, 1e-9) << "the 2014 summit, all runs";
    EXPECT_NEAR(mi.at("weighted_median").get<double>(), 0.5, 1e-9);

    const Json& b = j.at("proposals")[1].at("positions");
    EXPECT_EQ(keys(b), labels_.dimensions);
    EXPECT_NEAR(b.at("military_integration").at("text").get<double>(), 0.25, 1e-9);
    EXPECT_NEAR(b.at("expansion").at("text").get<double>(), 1.0, 1e-9);
    EXPECT_NEAR(b.at("expansion").at("compromise").get<double>(), 0.0, 1e-9) << "2016's";
}

TEST_F(ReportTest, JsonShowsEveryDimensionWhenWhatMovesIsNotKnown) {
    const Json j = parse(report_json(labels_, summary_, Moves{}));
    const Json& a = j.at("proposals")[0].at("positions");
    EXPECT_EQ(keys(a), labels_.dimensions);
    EXPECT_NEAR(a.at("expansion").at("text").get<double>(), 0.9, 1e-6);
}

TEST_F(ReportTest, JsonNullsWhereUndefinedWhenNeverPassed) {
    Summary s(core::shape_of(spec_), kMaxRounds);
    core::RunRecord r(core::shape_of(spec_));
    std::fill(r.outcome.begin(), r.outcome.end(), kNotTabled);
    r.outcome[0] = kBlocked;
    r.rounds[0] = 1;
    r.text[0] = 0.3f;
    r.compromise[0] = 0.4f;
    s.add(r);
    const Json j = parse(report_json(labels_, s, moves_));
    ASSERT_EQ(j.at("proposals").size(), 1u);
    const Json& e = j.at("proposals")[0];
    EXPECT_TRUE(e.at("dilution_mean").is_null());
    EXPECT_TRUE(e.at("positions").at("military_integration").at("text").is_null());
    EXPECT_NEAR(e.at("positions").at("military_integration").at("compromise").get<double>(), 0.4,
                1e-6);
    expect_all_finite(j);
}

TEST_F(ReportTest, JsonEscapesStringsAndReplacesBytesThatAreNotUtf8) {
    Labels odd = labels_;
    odd.proposals[0] = "quote\" back\\slash\nnew\x01line \xc3\xa9t\xc3\xa9";
    odd.agents[0] = "U\"Z";
    odd.dimensions[0] = "bad\xff";
    const std::string text = report_json(odd, summary_, moves_);
    const Json j = parse(text);
    EXPECT_EQ(j.at("proposals")[0].at("id"), odd.proposals[0]);
    EXPECT_TRUE(j.at("proposals")[0].at("participation").contains("U\"Z"));
    EXPECT_TRUE(j.at("proposals")[0].at("positions").contains("bad\xef\xbf\xbd"))
        << "an invalid byte becomes U+FFFD";
    EXPECT_EQ(text.find('\n'), std::string::npos) << "one line";
}

TEST_F(ReportTest, JsonOfAnEmptySummaryIsValid) {
    Summary empty(core::shape_of(spec_), kMaxRounds);
    const Json j = parse(report_json(labels_, empty, moves_));
    EXPECT_EQ(j.at("runs"), 0);
    EXPECT_TRUE(j.at("proposals").is_array());
    EXPECT_TRUE(j.at("proposals").empty());
    EXPECT_EQ(j.at("tension_final_mean").size(), 3u);
    expect_all_finite(j);
}

TEST_F(ReportTest, TextShowsTheTableAndNonzeroTension) {
    const std::string text = report_text(labels_, summary_, moves_);
    EXPECT_NE(text.find("2014"), std::string::npos);
    EXPECT_NE(text.find("peace_mission"), std::string::npos);
    EXPECT_NE(text.find("66.7%"), std::string::npos) << text;  // pass probability
    EXPECT_NE(text.find("adopted 66.7%, blocked 33.3%"), std::string::npos) << text;
    EXPECT_NE(text.find("TJK 33.3%"), std::string::npos) << text;  // the only veto
    EXPECT_NE(text.find("top veto"), std::string::npos) << text;
    // Time to adoption: peace_mission first adopted in 2014 in 2 of 4 runs, never in 2.
    EXPECT_NE(text.find("Time to adoption"), std::string::npos) << text;
    EXPECT_NE(text.find("0.250"), std::string::npos) << text;  // dilution 2016
    EXPECT_NE(text.find("2015: nothing tabled"), std::string::npos) << text;
    EXPECT_NE(text.find("KAZ-UZB  0.500"), std::string::npos) << text;
    EXPECT_EQ(text.find("TJK-UZB"), std::string::npos) << "zero-tension pairs are left out";
}

// Refused transit gets a line below the summit's table: who refused and who left, as
// shares of the tabled runs; a participant that left is no veto (session 21). Without any
// refusal there is no such line.
TEST_F(ReportTest, TextAndJsonShowRefusedTransitAndDropOutsApartFromVetoes) {
    EXPECT_EQ(report_text(labels_, summary_, moves_).find("transit:"), std::string::npos);
    const auto shape = core::shape_of(spec_);
    Summary s(shape, kMaxRounds);
    const int N = shape.agents;
    // peace_mission in 2014, four runs: TJK refuses KAZ's troops in three; KAZ leaves in
    // one of them (blocked, its objection no veto), UZB vetoes in another.
    for (int run = 0; run < 4; ++run) {
        core::RunRecord r(shape);
        std::fill(r.outcome.begin(), r.outcome.end(), kNotTabled);
        r.outcome[0] = run < 2 ? kBlocked : kAdopted;
        r.rounds[0] = 1;
        if (run < 3) r.flags[0 * N + 2] = core::kTransitDenied;
        if (run == 0) r.flags[0 * N + 1] = core::kObjected | core::kDropped;
        if (run == 1) r.flags[0 * N + 0] = core::kObjected | core::kVeto;
        s.add(r);
    }
    const std::string text = report_text(labels_, s, moves_);
    EXPECT_NE(text.find("transit: peace_mission: denied by TJK 75.0%; dropped out KAZ 25.0%\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("UZB 25.0%\n"), std::string::npos) << "the top veto is UZB's:\n" << text;
    const Json a = parse(report_json(labels_, s, moves_)).at("proposals")[0];
    EXPECT_DOUBLE_EQ(a.at("transit_denied").at("TJK").get<double>(), 0.75);
    EXPECT_DOUBLE_EQ(a.at("dropped").at("KAZ").get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(a.at("dropped").at("UZB").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(a.at("veto").at("KAZ").get<double>(), 0.0);
}

TEST_F(ReportTest, TextShowsThePositionsOfWhatEachProposalMoves) {
    const std::string text = report_text(labels_, summary_, moves_);
    const auto y2014 = text.find("\n2014\n"), y2016 = text.find("\n2016\n");
    ASSERT_NE(y2014, std::string::npos);
    ASSERT_NE(y2016, std::string::npos);
    const std::string s2014 = text.substr(y2014, y2016 - y2014), s2016 = text.substr(y2016);
    EXPECT_NE(s2014.find("adopted text"), std::string::npos) << text;
    // text 0.625 (passed runs), compromise 0.625, weighted median 0.500
    EXPECT_NE(s2014.find("peace_mission  military_integration         0.625       0.625"),
              std::string::npos)
        << text;
    EXPECT_NE(s2014.find("0.500\n"), std::string::npos) << text;
    EXPECT_EQ(s2014.find("expansion"), std::string::npos) << "peace_mission moves no expansion";
    EXPECT_NE(s2016.find("declaration    military_integration         0.250"), std::string::npos)
        << text;
    EXPECT_NE(s2016.find("               expansion                    1.000"), std::string::npos)
        << text;
}

TEST_F(ReportTest, TextShowsADashForATextThatNeverPassed) {
    Summary s(core::shape_of(spec_), kMaxRounds);
    core::RunRecord r(core::shape_of(spec_));
    std::fill(r.outcome.begin(), r.outcome.end(), kNotTabled);
    r.outcome[0] = kBlocked;
    r.rounds[0] = 1;
    r.compromise[0] = 0.5f;
    s.add(r);
    const std::string text = report_text(labels_, s, moves_);
    EXPECT_NE(text.find("military_integration             -       0.500"), std::string::npos)
        << text;
}

/// `runs` runs in which (2014, peace_mission) is adopted in the first `tabled2014` and not
/// tabled in the rest, and (2016, declaration) is adopted in the first `tabled2016`.
Summary adopted_in(const core::ModelSpec& spec, int runs, int tabled2014, int tabled2016) {
    const auto shape = core::shape_of(spec);
    Summary s(shape, kMaxRounds);
    for (int run = 0; run < runs; ++run) {
        core::RunRecord r(shape);
        std::fill(r.outcome.begin(), r.outcome.end(), kNotTabled);
        const std::size_t p2014 = 0, p2016 = static_cast<std::size_t>(2) * shape.proposals + 1;
        if (run < tabled2014) {
            r.outcome[p2014] = kAdopted;
            r.rounds[p2014] = 1;
        }
        if (run < tabled2016) {
            r.outcome[p2016] = kAdopted;
            r.rounds[p2016] = 1;
        }
        s.add(r);
    }
    return s;
}

/// The lines of `text` from the line `from` to the next empty line.
std::vector<std::string> table_after(const std::string& text, const std::string& from) {
    std::vector<std::string> out;
    std::size_t at = text.find("\n" + from + "\n");
    if (at == std::string::npos) return out;
    at += from.size() + 2;
    while (at < text.size() && text[at] != '\n') {
        const std::size_t end = text.find('\n', at);
        out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

TEST_F(ReportTest, RowsFromFewerThanTheReportsMinimumOfTabledRunsAreMarked) {
    // scripts/report.py's rule (MIN_TABLED in scripts/sco_results.py): fewer than 200.
    static_assert(kMinTabled == 200);
    const std::string text =
        report_text(labels_, adopted_in(spec_, kMinTabled, kMinTabled - 1, kMinTabled), moves_);
    const auto t2014 = table_after(text, "2014"), t2016 = table_after(text, "2016");
    ASSERT_EQ(t2014.size(), 4u) << text;  // header, rule, the row, the legend
    EXPECT_EQ(t2014[2].rfind("peace_mission *  ", 0), 0u) << text;
    EXPECT_EQ(t2014[3],
              "* tabled in fewer than 200 runs: rough estimates (docs/figures.md, "
              "\"the 200-run rule\")")
        << text;
    ASSERT_EQ(t2016.size(), 3u) << text;  // no legend: the row is not thin
    EXPECT_EQ(t2016[2].rfind("declaration      ", 0), 0u) << text;
    EXPECT_EQ(t2016[2].find('*'), std::string::npos) << text;
    // The id column is widened for the mark in every table alike.
    EXPECT_EQ(t2014[0], t2016[0]) << text;
    EXPECT_EQ(t2014[2].find("[98.1%"), t2016[2].find("[98.1%")) << text;
    // Without a thin row, nothing is marked and the column is as wide as the ids.
    const std::string full =
        report_text(labels_, adopted_in(spec_, kMinTabled, kMinTabled, kMinTabled), moves_);
    EXPECT_EQ(full.find('*'), std::string::npos) << full;
    const auto f2016 = table_after(full, "2016");
    ASSERT_EQ(f2016.size(), 3u) << full;
    EXPECT_EQ(f2016[2].find("[98.1%") + 2, t2016[2].find("[98.1%")) << full;
}

TEST_F(ReportTest, AWholeIntervalAtOneHundredPercentKeepsTheColumns) {
    // [100.0%, 100.0%] needs a lower Wilson bound of at least 99.95%: 7,680 of 7,680 runs or more.
    const std::string text = report_text(labels_, adopted_in(spec_, 8000, 0, 8000), moves_);
    const auto rows = table_after(text, "2016");
    ASSERT_EQ(rows.size(), 3u) << text;
    ASSERT_NE(rows[2].find("[100.0%, 100.0%]"), std::string::npos) << text;
    EXPECT_EQ(rows[0].find("most likely outcomes"), rows[2].find("adopted 100.0%")) << text;
    EXPECT_EQ(rows[0].find("top veto"), rows[2].rfind("-")) << text;
}

TEST_F(ReportTest, MismatchedLabelsOrMovesAreRefused) {
    Labels bad = labels_;
    bad.agents.pop_back();
    EXPECT_THROW((void)report_json(bad, summary_, moves_), std::invalid_argument);
    EXPECT_THROW((void)report_text(bad, summary_, moves_), std::invalid_argument);
    Moves wrong = moves_;
    wrong.pop_back();
    EXPECT_THROW((void)report_json(labels_, summary_, wrong), std::invalid_argument);
    wrong = moves_;
    wrong[0] = {2};  // there are two dimensions
    EXPECT_THROW((void)report_text(labels_, summary_, wrong), std::invalid_argument);
}

}  // namespace
}  // namespace sco::experiment
