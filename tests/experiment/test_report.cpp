// report_text / report_json on a Summary of hand-made runs with known statistics.
#include "sim/experiment/report.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/io/synthetic.h"

namespace sco::experiment {
namespace {

// ---- a strict little JSON parser, enough to check the report's structure ----
struct Json {
    enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
    double number = 0.0;
    bool boolean = false;
    std::string string;
    std::vector<Json> array;
    std::vector<std::pair<std::string, Json>> object;

    [[nodiscard]] const Json& at(const std::string& key) const {
        if (type != Type::Object) throw std::runtime_error("not an object looking up " + key);
        for (const auto& [k, v] : object)
            if (k == key) return v;
        throw std::runtime_error("no key " + key);
    }
    [[nodiscard]] bool has(const std::string& key) const {
        for (const auto& [k, v] : object)
            if (k == key) return true;
        return false;
    }
    [[nodiscard]] double num() const {
        if (type != Type::Number) throw std::runtime_error("not a number");
        return number;
    }
};

class JsonParser {
  public:
    explicit JsonParser(std::string text) : s_(std::move(text)) {}
    Json parse() {
        Json v = value();
        ws();
        if (i_ != s_.size()) fail("trailing characters");
        return v;
    }

  private:
    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error("JSON error at " + std::to_string(i_) + ": " + why);
    }
    void ws() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    void expect(char c) {
        ws();
        if (i_ >= s_.size() || s_[i_] != c) fail(std::string("expected ") + c);
        ++i_;
    }
    bool literal(const char* w) {
        const std::string word(w);
        if (s_.compare(i_, word.size(), word) == 0) {
            i_ += word.size();
            return true;
        }
        return false;
    }
    std::string str() {
        expect('"');
        std::string out;
        while (true) {
            if (i_ >= s_.size()) fail("unterminated string");
            const char c = s_[i_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) fail("bad escape");
            const char e = s_[i_++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    if (i_ + 4 > s_.size()) fail("bad \\u escape");
                    const long cp = std::strtol(s_.substr(i_, 4).c_str(), nullptr, 16);
                    i_ += 4;
                    if (cp >= 0x80) fail("test parser handles ASCII \\u escapes only");
                    out += static_cast<char>(cp);
                    break;
                }
                default:
                    fail("bad escape");
            }
        }
    }
    Json value() {
        ws();
        if (i_ >= s_.size()) fail("unexpected end");
        Json v;
        const char c = s_[i_];
        if (c == '{') {
            v.type = Json::Type::Object;
            ++i_;
            ws();
            if (s_[i_] == '}') {
                ++i_;
                return v;
            }
            while (true) {
                std::string k = str();
                expect(':');
                v.object.emplace_back(std::move(k), value());
                ws();
                if (s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                expect('}');
                return v;
            }
        }
        if (c == '[') {
            v.type = Json::Type::Array;
            ++i_;
            ws();
            if (s_[i_] == ']') {
                ++i_;
                return v;
            }
            while (true) {
                v.array.push_back(value());
                ws();
                if (s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                expect(']');
                return v;
            }
        }
        if (c == '"') {
            v.type = Json::Type::String;
            v.string = str();
            return v;
        }
        if (literal("null")) return v;
        if (literal("true") || literal("false")) {
            v.type = Json::Type::Bool;
            v.boolean = s_[i_ - 1] == 'e' && s_[i_ - 2] == 'u';
            return v;
        }
        const char* begin = s_.c_str() + i_;
        char* end = nullptr;
        if (!(c == '-' || std::isdigit(static_cast<unsigned char>(c))))
            fail("unexpected character");
        v.type = Json::Type::Number;
        v.number = std::strtod(begin, &end);
        if (end == begin || !std::isfinite(v.number)) fail("bad number");
        i_ += static_cast<std::size_t>(end - begin);
        return v;
    }
    std::string s_;
    std::size_t i_ = 0;
};

// ---- the fixture: four runs with known statistics ----
constexpr int kMaxRounds = 3;
constexpr auto kAdopted = static_cast<std::uint8_t>(core::Outcome::Adopted);
constexpr auto kBlocked = static_cast<std::uint8_t>(core::Outcome::Blocked);
constexpr auto kDiluted = static_cast<std::uint8_t>(core::Outcome::Diluted);
constexpr auto kNotTabled = static_cast<std::uint8_t>(core::Outcome::NotTabled);

class ReportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        spec_ = testing::make_spec();
        labels_ = labels_of(spec_);
        const auto shape = core::shape_of(spec_);
        summary_ = Summary(shape, kMaxRounds);
        const int P = shape.proposals, N = shape.agents, K = shape.pairs, T = shape.periods;
        // (2014, peace_mission): adopted, adopted, blocked, not tabled.
        // (2016, declaration): diluted by 0.25 in every run. Everything else: not tabled.
        const std::uint8_t first[] = {kAdopted, kAdopted, kBlocked, kNotTabled};
        for (int run = 0; run < 4; ++run) {
            core::RunRecord r(shape);
            std::fill(r.outcome.begin(), r.outcome.end(), kNotTabled);
            r.outcome[0] = first[run];
            if (first[run] != kNotTabled) r.rounds[0] = static_cast<std::uint8_t>(run + 1);
            if (run < 2) {
                r.flags[0 * N + 0] = core::kJoined;  // UZB joins when it is adopted
                r.implemented[0] = 1;
            }
            if (run == 2) {
                r.flags[0 * N + 2] = core::kObjected;  // TJK blocks
                r.pressure[0] = 2;
            }
            const std::size_t tp = static_cast<std::size_t>(2) * P + 1;
            r.outcome[tp] = kDiluted;
            r.rounds[tp] = 3;
            r.dilution[tp] = 0.25f;
            r.tension[static_cast<std::size_t>(T - 1) * K + 0] = 0.5f;  // KAZ-UZB
            summary_.add(r);
        }
    }

    core::ModelSpec spec_;
    Labels labels_;
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

TEST_F(ReportTest, JsonHasTheDocumentedShapeAndValues) {
    const Json j = JsonParser(report_json(labels_, summary_)).parse();
    EXPECT_EQ(j.at("runs").num(), 4);
    const auto& props = j.at("proposals").array;
    ASSERT_EQ(props.size(), 2u) << "only tabled (period, proposal) entries";
    const Json& a = props[0];
    EXPECT_EQ(a.at("id").string, "peace_mission");
    EXPECT_EQ(a.at("period").num(), 2014);
    EXPECT_EQ(a.at("tabled").num(), 3);
    const Json& outcome = a.at("outcome");
    ASSERT_EQ(outcome.object.size(), static_cast<std::size_t>(kOutcomes - 1));
    EXPECT_FALSE(outcome.has("not_tabled"));
    EXPECT_DOUBLE_EQ(outcome.at("adopted").at("p").num(), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(outcome.at("blocked").at("p").num(), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(outcome.at("deferred").at("p").num(), 0.0);
    const Json& passed = a.at("passed");
    EXPECT_DOUBLE_EQ(passed.at("p").num(), 2.0 / 3.0);
    ASSERT_EQ(passed.at("ci").array.size(), 2u);
    const Proportion w = wilson(2, 3);
    EXPECT_DOUBLE_EQ(passed.at("ci").array[0].num(), w.lo);
    EXPECT_DOUBLE_EQ(passed.at("ci").array[1].num(), w.hi);
    EXPECT_LT(w.lo, 2.0 / 3.0);
    EXPECT_GT(w.hi, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.at("participation").at("UZB").num(), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.at("participation").at("KAZ").num(), 0.0);
    EXPECT_DOUBLE_EQ(a.at("objection").at("TJK").num(), 1.0 / 3.0);
    EXPECT_EQ(a.at("transit_denied").object.size(), 3u);
    EXPECT_DOUBLE_EQ(a.at("pressure").at("p").num(), 1.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.at("pressure").at("mean").num(), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(a.at("rounds_mean").num(), 2.0);  // rounds 1, 2, 3
    EXPECT_DOUBLE_EQ(a.at("dilution_mean").num(), 0.0);
    EXPECT_DOUBLE_EQ(a.at("implemented").num(), 2.0 / 3.0);

    const Json& b = props[1];
    EXPECT_EQ(b.at("id").string, "declaration");
    EXPECT_EQ(b.at("period").num(), 2016);
    EXPECT_EQ(b.at("tabled").num(), 4);
    EXPECT_DOUBLE_EQ(b.at("outcome").at("diluted").at("p").num(), 1.0);
    EXPECT_DOUBLE_EQ(b.at("dilution_mean").num(), 0.25);
    EXPECT_DOUBLE_EQ(b.at("rounds_mean").num(), 3.0);

    const Json& ten = j.at("tension_final_mean");
    ASSERT_EQ(ten.object.size(), 3u);
    EXPECT_DOUBLE_EQ(ten.at("KAZ-UZB").num(), 0.5);
    EXPECT_DOUBLE_EQ(ten.at("KAZ-TJK").num(), 0.0);
}

TEST_F(ReportTest, JsonDilutionMeanIsNullWhenNeverPassed) {
    Summary s(core::shape_of(spec_), kMaxRounds);
    core::RunRecord r(core::shape_of(spec_));
    std::fill(r.outcome.begin(), r.outcome.end(), kNotTabled);
    r.outcome[0] = kBlocked;
    r.rounds[0] = 1;
    s.add(r);
    const Json j = JsonParser(report_json(labels_, s)).parse();
    ASSERT_EQ(j.at("proposals").array.size(), 1u);
    EXPECT_EQ(j.at("proposals").array[0].at("dilution_mean").type, Json::Type::Null);
}

TEST_F(ReportTest, JsonEscapesStrings) {
    Labels odd = labels_;
    odd.proposals[0] = "quote\" back\\slash\nnew\x01line";
    odd.agents[0] = "U\"Z";
    const Json j = JsonParser(report_json(odd, summary_)).parse();
    EXPECT_EQ(j.at("proposals").array[0].at("id").string, odd.proposals[0]);
    EXPECT_TRUE(j.at("proposals").array[0].at("participation").has("U\"Z"));
}

TEST_F(ReportTest, JsonOfAnEmptySummaryIsValid) {
    Summary empty(core::shape_of(spec_), kMaxRounds);
    const Json j = JsonParser(report_json(labels_, empty)).parse();
    EXPECT_EQ(j.at("runs").num(), 0);
    EXPECT_TRUE(j.at("proposals").array.empty());
    EXPECT_EQ(j.at("tension_final_mean").object.size(), 3u);
}

TEST_F(ReportTest, TextShowsTheTableAndNonzeroTension) {
    const std::string text = report_text(labels_, summary_);
    EXPECT_NE(text.find("2014"), std::string::npos);
    EXPECT_NE(text.find("peace_mission"), std::string::npos);
    EXPECT_NE(text.find("66.7%"), std::string::npos) << text;  // pass probability
    EXPECT_NE(text.find("adopted 66.7%, blocked 33.3%"), std::string::npos) << text;
    EXPECT_NE(text.find("TJK 33.3%"), std::string::npos) << text;  // objects most
    EXPECT_NE(text.find("0.250"), std::string::npos) << text;      // dilution 2016
    EXPECT_NE(text.find("2015: nothing tabled"), std::string::npos) << text;
    EXPECT_NE(text.find("KAZ-UZB  0.500"), std::string::npos) << text;
    EXPECT_EQ(text.find("TJK-UZB"), std::string::npos) << "zero-tension pairs are left out";
}

TEST_F(ReportTest, MismatchedLabelsAreRefused) {
    Labels bad = labels_;
    bad.agents.pop_back();
    EXPECT_THROW((void)report_json(bad, summary_), std::invalid_argument);
    EXPECT_THROW((void)report_text(bad, summary_), std::invalid_argument);
}

}  // namespace
}  // namespace sco::experiment
