// End-to-end tests of the sco-sim command line: the real binary, real files.
#include "sim/cli/app.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "capture.h"
#include "sim/io/results_reader.h"

namespace fs = std::filesystem;

namespace {

using Result = sco::testing::BinaryResult;

Result run_sco(const std::string& args) {
    return sco::testing::run_binary(args);
}

std::string read(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

class Cli : public ::testing::Test {
  protected:
    fs::path dir;
    void SetUp() override {
        dir = fs::temp_directory_path() /
              ("sco-cli-" + std::to_string(::getpid()) + "-" +
               std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string small() const { return std::string(SCO_TEST_DATA) + "/scenario/small.yaml"; }
};

}  // namespace

TEST_F(Cli, VersionNamesTheGitCommit) {
    const Result r = run_sco("--version");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("sco-sim "), std::string::npos);
    EXPECT_NE(r.out.find("(git "), std::string::npos);
}

TEST_F(Cli, HelpAtEveryLevel) {
    for (const char* c :
         {"--help", "run --help", "check --help", "params --help", "summary --help"}) {
        const Result r = run_sco(c);
        EXPECT_EQ(r.status, 0) << c;
        EXPECT_NE(r.out.find("usage: sco-sim"), std::string::npos) << c;
    }
}

TEST_F(Cli, UnknownCommandOrOptionExitsTwoWithAMessage) {
    Result r = run_sco("rnu x.yaml");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("unknown command 'rnu'"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("did you mean 'run'"), std::string::npos) << r.out;
    r = run_sco("run " + small() + " --bogus");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("bogus"), std::string::npos) << r.out;
    r = run_sco("");
    EXPECT_EQ(r.status, 2);
    r = run_sco("run");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("missing scenario"), std::string::npos) << r.out;
}

TEST_F(Cli, AbsurdCountsAreRefusedUpFront) {
    for (const char* a : {"-n 0", "-n -5", "-n abc", "-j 10000", "--seed -1"}) {
        const Result r = run_sco("run " + small() + " " + a + " -o " + (dir / "x.h5").string());
        EXPECT_EQ(r.status, 2) << a << "\n" << r.out;
        EXPECT_FALSE(fs::exists(dir / "x.h5")) << a;
    }
}

TEST_F(Cli, NumbersAreDecimalAndALeadingZeroIsRefused) {
    const std::string out = (dir / "x.h5").string();
    // `run --seed 010` was read as octal 8; now it is refused, with the decimal reading.
    Result r = run_sco("run " + small() + " -n 5 --seed 010 -q -o " + out);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("run: --seed must be written without leading zeros (numbers are "
                         "decimal), got '010'; write '10'"),
              std::string::npos)
        << r.out;
    EXPECT_FALSE(fs::exists(out));
    for (const char* a : {"-n 05", "--seed 0x10", "--seed 00", "--replay 07", "--seed +3",
                          "--seed 18446744073709551616"}) {
        r = run_sco("run " + small() + " -q " + a + " -o " + out);
        EXPECT_EQ(r.status, 2) << a << "\n" << r.out;
        EXPECT_FALSE(fs::exists(out)) << a;
    }
    r = run_sco("sweep " + small() + " --vary dynamics.rounds=1,2 -n 5 --seed 010 -q -o " + out);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("sweep: --seed must be written without leading zeros"), std::string::npos)
        << r.out;
    r = run_sco("sweep " + small() + " --vary dynamics.rounds=1,2 -n 5 --seed -1 -q -o " + out);
    EXPECT_EQ(r.status, 2) << "a negative seed wrapped around to 2^64 - 1\n" << r.out;
    EXPECT_FALSE(fs::exists(out));

    // Plain decimal numbers are read as written, by run and by sweep alike.
    ASSERT_EQ(run_sco("run " + small() + " -n 5 --seed 10 -q -o " + out).status, 0);
    EXPECT_EQ(sco::io::read_results(out).seed, 10u);
    ASSERT_EQ(run_sco("run " + small() + " -n 5 --seed 0 -q --force -o " + out).status, 0);
    EXPECT_EQ(sco::io::read_results(out).seed, 0u);
    ASSERT_EQ(
        run_sco("run " + small() + " -n 5 --seed 18446744073709551615 -q --force -o " + out).status,
        0);
    EXPECT_EQ(sco::io::read_results(out).seed, 18446744073709551615u);
    ASSERT_EQ(run_sco("sweep " + small() +
                      " --vary dynamics.rounds=1,2 -n 5 --seed 10 -q --force -o " + out)
                  .status,
              0);
    EXPECT_EQ(sco::io::read_results(out).seed, 10u);
}

TEST_F(Cli, CheckAcceptsAValidScenario) {
    const Result r = run_sco("check " + small());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("OK"), std::string::npos);
}

TEST_F(Cli, CheckNamesFileLineAndSuggestionForAMisspelledKey) {
    std::string text = read(small());
    const auto at = text.find("sovereignty:");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 12, "sovreignty:");
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
    const fs::path bad = dir / "bad.yaml";
    std::ofstream(bad) << text;
    const Result r = run_sco("check " + bad.string());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find(bad.string() + ":" + std::to_string(line) + ":"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("did you mean 'sovereignty'"), std::string::npos) << r.out;
}

TEST_F(Cli, RunWritesAFileAndNeverOverwritesWithoutForce) {
    const fs::path out = dir / "r.h5";
    Result r = run_sco("run " + small() + " -n 200 --seed 3 -q -o " + out.string());
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(fs::exists(out));
    const auto size = fs::file_size(out);
    const auto mtime = fs::last_write_time(out);
    r = run_sco("run " + small() + " -n 50 -q -o " + out.string());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
    EXPECT_EQ(fs::file_size(out), size);
    EXPECT_EQ(fs::last_write_time(out), mtime);
    r = run_sco("run " + small() + " -n 50 -q --force -o " + out.string());
    EXPECT_EQ(r.status, 0) << r.out;
    // No temporary files are left beside the output.
    int files = 0;
    for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
    EXPECT_EQ(files, 1);
}

TEST_F(Cli, RunResultsDoNotDependOnThreads) {
    const fs::path a = dir / "a.h5", b = dir / "b.h5";
    ASSERT_EQ(run_sco("run " + small() + " -n 700 --seed 9 -q -j 1 -o " + a.string()).status, 0);
    ASSERT_EQ(run_sco("run " + small() + " -n 700 --seed 9 -q -j 2 -o " + b.string()).status, 0);
    const Result sa = run_sco("summary --json " + a.string()),
                 sb = run_sco("summary --json " + b.string());
    ASSERT_EQ(sa.status, 0) << sa.out;
    EXPECT_EQ(sa.out, sb.out);
    EXPECT_NE(sa.out.find("\"passed\""), std::string::npos);
}

TEST_F(Cli, SummaryOfAMissingOrForeignFileExitsTwo) {
    Result r = run_sco("summary " + (dir / "none.h5").string());
    EXPECT_EQ(r.status, 2) << r.out;
    const fs::path txt = dir / "notes.h5";
    std::ofstream(txt) << "not hdf5";
    r = run_sco("summary " + txt.string());
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find(txt.string()), std::string::npos) << r.out;
}

TEST_F(Cli, SetOverridesAndUnknownPathsAreReported) {
    Result r = run_sco("params " + small());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("dynamics.logit_precision"), std::string::npos);
    r = run_sco("params " + small() + " --set dynamics.logit_precison=3");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("did you mean 'dynamics.logit_precision'"), std::string::npos) << r.out;
    r = run_sco("params " + small() + " --set dynamics.dialogue_rate=7");
    EXPECT_EQ(r.status, 2);
    r = run_sco("params " + small() + " --set 'dynamics.dialogue_rate={uniform: [0.1, 0.2]}'");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("uniform(0.1, 0.2)"), std::string::npos) << r.out;
}

TEST_F(Cli, ReplayPrintsOneRunWithoutWriting) {
    // With -o naming a file in an empty folder: a replay prints and writes nothing, not
    // even the file -o names.
    const std::string out = (dir / "x.h5").string();
    const Result r = run_sco("run " + small() + " --replay 5 -o " + out);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(fs::is_empty(dir)) << "a replay wrote into " << dir;
    // One run: every proposal of the agenda once per summit, with the Charter rule applied.
    EXPECT_NE(r.out.find("2014  peace_mission_uzb (exercise, sponsor RUS): "), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("rule: "), std::string::npos) << r.out;
    EXPECT_EQ(run_sco("run " + small() + " --replay 5 -o " + out).out, r.out);
    EXPECT_TRUE(fs::is_empty(dir));
}

TEST_F(Cli, SweepErrorLevelIsCheckedAndChangesNothingWithoutFailures) {
    const std::string base = "sweep " + small() + " --vary dynamics.rounds=1,2,3 -n 7 -q -o ";
    auto r = run_sco(base + (dir / "x.h5").string() + " --error-level sometimes");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("sweep: --error-level must be off, slow or fast, got 'sometimes'"),
              std::string::npos)
        << r.out;
    EXPECT_FALSE(fs::exists(dir / "x.h5"));
    const std::string fast = (dir / "fast.h5").string();
    ASSERT_EQ(run_sco(base + fast).status, 0);
    const auto ref = sco::io::read_results(fast);
    for (const std::string level : {"slow", "off"}) {
        const std::string out = (dir / (level + ".h5")).string();
        r = run_sco(base + out + " --error-level " + level);
        ASSERT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(r.out, "");  // -q: no warning, nothing failed
        const auto got = sco::io::read_results(out);
        EXPECT_EQ(got.sweep_id, ref.sweep_id);
        ASSERT_EQ(got.summaries.size(), 3u);
        EXPECT_TRUE(got.summaries == ref.summaries) << level;
        EXPECT_FALSE(fs::exists(out + ".parts"));
    }
}
