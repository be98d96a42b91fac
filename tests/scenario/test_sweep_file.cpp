#include "sim/scenario/sweep_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/scenario/loader.h"

namespace fs = std::filesystem;
using sco::scenario::ScenarioError;

namespace {
fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = fs::temp_directory_path() / ("sco-sweep-" + name);
    std::ofstream(p) << text;
    return p;
}
const char* kGood = R"(format: sco-sim-sweep/1
scenario: small.yaml
design: grid
replications: 50
seed: 9
vary:
  agents.UZB.military_reluctance: {range: [0.2, 0.8], steps: 4}
  relations.tension.TJK-UZB: {levels: [0.1, 0.5]}
set:
  dynamics.rounds: 2
output: results/x.h5
)";
}  // namespace

TEST(SweepFile, ReadsEveryKey) {
    const auto sw = sco::scenario::load_sweep_file(write("good.yaml", kGood).string());
    EXPECT_EQ(fs::path(sw.scenario).filename(), "small.yaml");
    EXPECT_EQ(sw.design, "grid");
    EXPECT_EQ(sw.replications, 50);
    EXPECT_EQ(sw.seed, 9u);
    ASSERT_EQ(sw.vary.size(), 2u);
    EXPECT_EQ(sw.vary[0].path, "agents.UZB.military_reluctance");
    EXPECT_EQ(sw.vary[0].steps, 4);
    EXPECT_EQ(sw.vary[0].line, 7);
    EXPECT_EQ(sw.vary[1].levels, (std::vector<double>{0.1, 0.5}));
    ASSERT_EQ(sw.set.size(), 1u);
    EXPECT_EQ(sw.set[0].first, "dynamics.rounds");
    EXPECT_EQ(sw.output, "results/x.h5");
}

TEST(SweepFile, ErrorsNameTheLine) {
    struct Case {
        std::string from, to, needle;
        int line;
    };
    const Case cases[] = {
        {"design: grid", "design: gird", "did you mean 'grid'", 3},
        {"replications: 50", "replicatoins: 50", "did you mean 'replications'", 4},
        {"{range: [0.2, 0.8], steps: 4}", "{range: [0.8, 0.2], steps: 4}", "lo must not exceed hi",
         7},
        {"design: grid", "design: lhs", "steps are for grid designs", 7},
        {"format: sco-sim-sweep/1", "format: sco-sim/1", "unsupported format", 1},
    };
    for (const Case& c : cases) {
        std::string text = kGood;
        text.replace(text.find(c.from), c.from.size(), c.to);
        if (c.to == "design: lhs") text += "samples: 10\n";
        try {
            sco::scenario::load_sweep_file(write("bad.yaml", text).string());
            ADD_FAILURE() << "no error for " << c.to;
        } catch (const ScenarioError& e) {
            EXPECT_EQ(e.line, c.line) << e.what();
            EXPECT_NE(std::string(e.what()).find(c.needle), std::string::npos) << e.what();
        }
    }
}

TEST(SweepFile, TextLevelErrors) {
    struct Case {
        std::string text, needle;
        int line;
    };
    const Case cases[] = {
        {std::string(kGood) + "---\nformat: sco-sim-sweep/1\n", "holds one YAML document", 13},
        {"\"a\",\n", "unexpected ','", 1},
        {"format: sco-sim-sweep/1\nscenario: a\x01b\n", "not UTF-8 text", 2},
        {"# only a comment\n", "the file is empty", 0},
        {"- a\n- b\n", "a sweep file is a map", 1},
    };
    for (const Case& c : cases) {
        try {
            sco::scenario::load_sweep_file(write("text.yaml", c.text).string());
            ADD_FAILURE() << "no error for " << c.text;
        } catch (const ScenarioError& e) {
            EXPECT_EQ(e.line, c.line) << e.what();
            EXPECT_NE(std::string(e.what()).find(c.needle), std::string::npos) << e.what();
        }
    }
    try {
        sco::scenario::load_sweep_file(fs::temp_directory_path().string());
        ADD_FAILURE() << "a directory loaded";
    } catch (const ScenarioError& e) {
        EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
    }
}

TEST(SweepFile, ResolvePathSuggests) {
    const auto sc = sco::scenario::load_file(std::string(SCO_TEST_DATA) + "/scenario/small.yaml");
    EXPECT_NE(sco::scenario::resolve_path(sc.spec, "dynamics.rounds", "x"), sco::core::kNoParam);
    try {
        sco::scenario::resolve_path(sc.spec, "dynamics.rouns", "sweep.yaml", 4);
        ADD_FAILURE();
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.line, 4);
        EXPECT_NE(std::string(e.what()).find("did you mean 'dynamics.rounds'"), std::string::npos)
            << e.what();
    }
}
