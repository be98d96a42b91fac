// sim/cli/options.cpp: option parsing shared by the subcommands (the library, not the binary).
#include "sim/cli/options.h"

#include <gtest/gtest.h>

#include "sim/cli/app.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/sweep_file.h"

namespace po = boost::program_options;
using namespace sco;

namespace {

std::string usage_message(const std::function<void()>& f) {
    try {
        f();
    } catch (const cli::UsageError& e) {
        return e.what();
    }
    return "(no UsageError)";
}

po::variables_map parse(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("set", po::value<std::vector<std::string>>()->composing(), "set")(
        "quiet,q", "quiet")("progress", "progress");
    auto vm = cli::parse_command("test", "SCENARIO", "about", args, desc, {"scenario"}, 1);
    EXPECT_TRUE(vm.has_value());
    return vm ? *vm : po::variables_map{};
}

double fixed_value(const core::ModelSpec& spec, const std::string& path) {
    const auto& d = spec.params[scenario::resolve_path(spec, path, "test")].dist;
    EXPECT_EQ(d.kind, core::DistKind::Fixed);
    return d.a;
}

}  // namespace

TEST(Options, CheckThreadsAcceptsZeroToFourTimesTheCores) {
    EXPECT_EQ(cli::check_threads("run", 0, cli::ThreadsMessage::Plain, 3), 0);
    EXPECT_EQ(cli::check_threads("run", 12, cli::ThreadsMessage::Plain, 3), 12);
    EXPECT_EQ(cli::check_threads("run", 1, cli::ThreadsMessage::NameCores, 1), 1);
}

TEST(Options, CheckThreadsMessagesAreThoseInErrorsMd) {
    EXPECT_EQ(usage_message([] { cli::check_threads("sweep", 13, cli::ThreadsMessage::Plain, 3); }),
              "sweep: --threads must be between 0 (all cores) and 12, got 13");
    EXPECT_EQ(
        usage_message([] { cli::check_threads("run", -1, cli::ThreadsMessage::NameCores, 2); }),
        "run: --threads must be between 0 (all cores) and 8 (4 x the 2 cores here), got -1");
}

TEST(Options, HardwareThreadsIsAtLeastOne) {
    EXPECT_GE(cli::hardware_threads(), 1);
}

TEST(Options, ApplySetOptionsAppliesEveryOverrideInOrder) {
    auto sc = scenario::load_file(SCO_SCENARIOS "/sco2014.yaml");
    ASSERT_DOUBLE_EQ(fixed_value(sc.spec, "agents.CHN.sovereignty"), 0.4);
    const auto sets = cli::apply_set_options(parse({"x.yaml", "--set", "agents.CHN.sovereignty=0.7",
                                                    "--set", "agents.CHN.capability=0.5"}),
                                             sc.spec);
    EXPECT_DOUBLE_EQ(fixed_value(sc.spec, "agents.CHN.sovereignty"), 0.7);
    EXPECT_DOUBLE_EQ(fixed_value(sc.spec, "agents.CHN.capability"), 0.5);
    ASSERT_EQ(sets.size(), 2u);
    EXPECT_EQ(sets[0].id, sc.spec.params.find("agents.CHN.sovereignty"));
    EXPECT_EQ(sets[0].path, "agents.CHN.sovereignty");
    EXPECT_EQ(sets[1].text, "--set agents.CHN.capability=0.5");
}

TEST(Options, ApplySetOptionsRefusesAPathGivenTwice) {
    // A repeated key in a scenario file is an error; a repeated --set path used to keep the
    // last value silently. Spaces around the path do not make it another.
    auto sc = scenario::load_file(SCO_SCENARIOS "/sco2014.yaml");
    try {
        (void)cli::apply_set_options(
            parse({"x.yaml", "--set", "agents.CHN.sovereignty=0.7", "--set",
                   "agents.CHN.capability=0.5", "--set", " agents.CHN.sovereignty =0.25"}),
            sc.spec);
        FAIL() << "a path given twice was accepted";
    } catch (const scenario::ScenarioError& e) {
        EXPECT_EQ(e.file, "--set");
        EXPECT_EQ(e.key, "agents.CHN.sovereignty");
        EXPECT_NE(std::string(e.what()).find("is given twice (--set agents.CHN.sovereignty=0.7, "
                                             "then --set  agents.CHN.sovereignty =0.25); give "
                                             "each path once"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Options, APathBothSetAndVariedIsRefused) {
    auto sc = scenario::load_file(SCO_SCENARIOS "/sco2014.yaml");
    const auto sets = cli::apply_set_options(
        parse({"x.yaml", "--set", "dynamics.wait_value=3", "--set", "dynamics.rounds=2"}), sc.spec);
    const core::ParamId wait = sc.spec.params.find("dynamics.wait_value");
    const core::ParamId other = sc.spec.params.find("dynamics.amendment_step");
    EXPECT_NO_THROW(cli::refuse_set_and_vary(sets, other, "dynamics.amendment_step"));
    try {
        cli::refuse_set_and_vary(sets, wait, "dynamics.wait_value", "sweep.yaml", 7);
        FAIL() << "a path both fixed and varied was accepted";
    } catch (const scenario::ScenarioError& e) {
        EXPECT_EQ(e.file, "sweep.yaml");
        EXPECT_EQ(e.line, 7);
        EXPECT_NE(std::string(e.what()).find("is also fixed by --set dynamics.wait_value=3"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Options, ApplySetOptionsWithoutSetChangesNothing) {
    auto sc = scenario::load_file(SCO_SCENARIOS "/sco2014.yaml");
    const std::string before = scenario::format_params(sc.spec);
    cli::apply_set_options(parse({"x.yaml"}), sc.spec);
    EXPECT_EQ(scenario::format_params(sc.spec), before);
}

TEST(Options, ApplySetOptionsReportsABadPathAsAScenarioError) {
    auto sc = scenario::load_file(SCO_SCENARIOS "/sco2014.yaml");
    EXPECT_THROW(
        cli::apply_set_options(parse({"x.yaml", "--set", "agents.CHN.sovereinty=0.7"}), sc.spec),
        scenario::ScenarioError);
}

TEST(Options, ProgressWantedFollowsQuietProgressAndTheTerminal) {
    EXPECT_FALSE(cli::progress_wanted(parse({"x.yaml"}), 0));
    EXPECT_TRUE(cli::progress_wanted(parse({"x.yaml"}), 1));
    EXPECT_TRUE(cli::progress_wanted(parse({"x.yaml", "--progress"}), 0));
    EXPECT_FALSE(cli::progress_wanted(parse({"x.yaml", "-q"}), 1));
    EXPECT_FALSE(cli::progress_wanted(parse({"x.yaml", "-q", "--progress"}), 1));
}

TEST(Options, ParseWholeRefusesLeadingZerosAndSigns) {
    EXPECT_EQ(cli::parse_whole("run", "--seed", "10"), 10u);
    EXPECT_EQ(usage_message([] { cli::parse_whole("run", "--seed", "010"); }),
              "run: --seed must be written without leading zeros (numbers are decimal), got "
              "'010'; write '10'");
    EXPECT_THROW(cli::parse_whole("run", "--seed", "-1"), cli::UsageError);
    EXPECT_THROW(cli::parse_whole("run", "--seed", "18446744073709551616"), cli::UsageError);
}

TEST(Options, ParseShardIsZeroBased) {
    const auto s = cli::parse_shard("sweep", "2/5");
    EXPECT_EQ(s.index, 1);
    EXPECT_EQ(s.count, 5);
    EXPECT_THROW(cli::parse_shard("sweep", "6/5"), cli::UsageError);
    EXPECT_THROW(cli::parse_shard("sweep", "1/5x"), cli::UsageError);
}
