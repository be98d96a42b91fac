// sim/io/calibration_writer: a calibration file (sco-sim-calibration/1) is written
// atomically, never over an existing file without force, read back field for field, and
// recognised (or not) by is_calibration_file; a foreign file is BadResults naming it.
#include "sim/io/calibration_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>

#include "io/synthetic.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/sha256.h"
#include "support/iso_time.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;

class CalibrationWriterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("sco-calw-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }
    [[nodiscard]] std::size_t n_files() const {
        return static_cast<std::size_t>(
            std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}));
    }

    /// Two parameters, three points of one generation, a final file.
    static CalibrationData sample() {
        CalibrationData d;
        d.kind = "final";
        d.tool_version = "0.1.0";
        d.git_commit = "abc123";
        d.command_line = "sco-sim calibrate s.yaml e.yaml";
        d.scenario_path = "s.yaml";
        d.scenario_text = "format: sco-sim/1\nname: tiny\n";
        d.scenario_name = "tiny";
        d.calibration_id = "c0ffee";
        d.method = "rejection";
        d.distance = "brier";
        d.quantile = 0.5;
        d.tolerance = std::nan("");
        d.points_per_generation = 3;
        d.replications = 20;
        d.seed = 18446744073709551557ULL;
        d.events_path = "e.yaml";
        d.events_text = "format: sco-sim-events/1\n";
        d.events_name = "events";
        d.observations = 7;
        d.skipped = {"A02 took_part:XYZ: no such agent"};
        d.paths = {"dynamics.wait_value", "agents.UZB.sovereignty"};
        d.prior_text = {"uniform(0, 4)", "beta(2, 5)"};
        d.prior_kind = {"uniform", "beta"};
        d.prior_a = {0, 2};
        d.prior_b = {4, 5};
        d.support_lo = {0, 0};
        d.support_hi = {4, 1};
        d.range_lo = {0, 0};
        d.range_hi = {8, 1};
        d.integer = {0, 0};
        d.total_points = 3;
        d.point_generation = {0, 0, 0};
        d.point_index = {0, 1, 2};
        d.theta = {0.5, 0.1, 1.5, 0.2, 2.5, 0.3};
        d.distance_value = {0.2, 0.1, 0.3};
        d.brier = {0.2, 0.1, 0.3};
        d.log_score = {0.6, 0.4, 0.9};
        d.skill = {0.1, 0.3, -0.1};
        d.weight = {0.5, 0.5, 0};
        d.accepted = {1, 1, 0};
        d.epsilon = {0.2};
        d.ess = {2};
        d.n_accepted = {2};
        d.candidates = {3};
        d.post_mean = {1.0, 0.15};
        d.post_sd = {0.5, 0.05};
        d.post_median = {1.0, 0.15};
        d.post_q05 = {0.5, 0.1};
        d.post_q95 = {1.5, 0.2};
        d.prior_median = {2, 0.26};
        d.prior_q05 = {0.2, 0.06};
        d.prior_q95 = {3.8, 0.58};
        return d;
    }

    fs::path dir_;
};

TEST_F(CalibrationWriterTest, WhatIsWrittenIsReadBack) {
    const CalibrationData d = sample();
    write_calibration(path("c.h5"), d, false);
    EXPECT_EQ(n_files(), 1u) << "a temporary file was left behind";
    const CalibrationData r = read_calibration(path("c.h5"));
    EXPECT_EQ(r.kind, d.kind);
    EXPECT_EQ(r.tool_version, d.tool_version);
    EXPECT_EQ(r.git_commit, d.git_commit);
    EXPECT_EQ(r.command_line, d.command_line);
    EXPECT_TRUE(sco::test::is_iso8601_utc(r.created)) << r.created;
    EXPECT_EQ(r.scenario_path, d.scenario_path);
    EXPECT_EQ(r.scenario_text, d.scenario_text);
    EXPECT_EQ(r.scenario_sha256, sha256_hex(d.scenario_text)) << "computed by the writer";
    EXPECT_EQ(r.events_sha256, sha256_hex(d.events_text));
    EXPECT_EQ(r.scenario_name, d.scenario_name);
    EXPECT_EQ(r.calibration_id, d.calibration_id);
    EXPECT_EQ(r.method, d.method);
    EXPECT_EQ(r.distance, d.distance);
    EXPECT_EQ(r.quantile, d.quantile);
    EXPECT_TRUE(std::isnan(r.tolerance));
    EXPECT_EQ(r.generations, d.generations);
    EXPECT_EQ(r.points_per_generation, d.points_per_generation);
    EXPECT_EQ(r.replications, d.replications);
    EXPECT_EQ(r.seed, d.seed);
    EXPECT_EQ(r.clip, d.clip);
    EXPECT_EQ(r.events_path, d.events_path);
    EXPECT_EQ(r.events_text, d.events_text);
    EXPECT_EQ(r.events_name, d.events_name);
    EXPECT_EQ(r.observations, d.observations);
    EXPECT_EQ(r.skipped, d.skipped);
    EXPECT_EQ(r.paths, d.paths);
    EXPECT_EQ(r.prior_text, d.prior_text);
    EXPECT_EQ(r.prior_kind, d.prior_kind);
    EXPECT_EQ(r.prior_a, d.prior_a);
    EXPECT_EQ(r.prior_b, d.prior_b);
    EXPECT_EQ(r.support_hi, d.support_hi);
    EXPECT_EQ(r.range_hi, d.range_hi);
    EXPECT_EQ(r.integer, d.integer);
    EXPECT_EQ(r.total_points, d.total_points);
    EXPECT_EQ(r.point_generation, d.point_generation);
    EXPECT_EQ(r.point_index, d.point_index);
    EXPECT_EQ(r.theta, d.theta);
    EXPECT_EQ(r.distance_value, d.distance_value);
    EXPECT_EQ(r.brier, d.brier);
    EXPECT_EQ(r.log_score, d.log_score);
    EXPECT_EQ(r.skill, d.skill);
    EXPECT_EQ(r.weight, d.weight);
    EXPECT_EQ(r.accepted, d.accepted);
    EXPECT_EQ(r.epsilon, d.epsilon);
    EXPECT_EQ(r.ess, d.ess);
    EXPECT_EQ(r.n_accepted, d.n_accepted);
    EXPECT_EQ(r.candidates, d.candidates);
    EXPECT_EQ(r.post_mean, d.post_mean);
    EXPECT_EQ(r.post_q95, d.post_q95);
    EXPECT_EQ(r.prior_q05, d.prior_q05);
}

TEST_F(CalibrationWriterTest, TheLikelihoodPosteriorRoundTripsAndMissingLogLikelihoodsAreNaN) {
    CalibrationData d = sample();
    EXPECT_EQ(d.posterior, "distance");  // the default
    d.posterior = "likelihood";
    d.log_likelihood = {-3.5, -1.25, -700.0};
    d.log_likelihood_sd = {0.5, 0.25, 2.0};
    d.posterior_loglik_sd = 0.375;
    write_calibration(path("l.h5"), d, false);
    const CalibrationData r = read_calibration(path("l.h5"));
    EXPECT_EQ(r.posterior, "likelihood");
    EXPECT_EQ(r.log_likelihood, d.log_likelihood);
    EXPECT_EQ(r.log_likelihood_sd, d.log_likelihood_sd);
    EXPECT_EQ(r.posterior_loglik_sd, 0.375);
    // not given: NaN per point (as a file written before them reads)
    d.log_likelihood.clear();
    d.log_likelihood_sd.clear();
    write_calibration(path("m.h5"), d, false);
    const CalibrationData m = read_calibration(path("m.h5"));
    ASSERT_EQ(m.log_likelihood.size(), 3u);
    EXPECT_TRUE(std::isnan(m.log_likelihood[2]) && std::isnan(m.log_likelihood_sd[0]));
    // a wrong length is refused, nothing written
    d.log_likelihood = {1.0};
    EXPECT_THROW(write_calibration(path("n.h5"), d, false), std::runtime_error);
    EXPECT_FALSE(fs::exists(path("n.h5")));
}

TEST_F(CalibrationWriterTest, MissingPosteriorsAreStoredAsNaN) {
    CalibrationData d = sample();
    d.kind = "part";
    d.post_mean.clear();
    d.prior_median.clear();
    write_calibration(path("p.h5"), d, false);
    const CalibrationData r = read_calibration(path("p.h5"));
    ASSERT_EQ(r.post_mean.size(), 2u);
    EXPECT_TRUE(std::isnan(r.post_mean[0]) && std::isnan(r.post_mean[1]));
    EXPECT_TRUE(std::isnan(r.prior_median[1]));
    EXPECT_EQ(r.post_sd, d.post_sd);
}

TEST_F(CalibrationWriterTest, NoParametersAndNoPointsRoundTrip) {
    CalibrationData d = sample();
    d.paths = d.prior_text = d.prior_kind = {};
    d.prior_a = d.prior_b = d.support_lo = d.support_hi = d.range_lo = d.range_hi = {};
    d.integer = {};
    d.point_generation = d.accepted = {};
    d.point_index = {};
    d.theta = d.distance_value = d.brier = d.log_score = d.skill = d.weight = {};
    d.post_mean = d.post_sd = d.post_median = d.post_q05 = d.post_q95 = {};
    d.prior_median = d.prior_q05 = d.prior_q95 = {};
    write_calibration(path("e.h5"), d, false);
    const CalibrationData r = read_calibration(path("e.h5"));
    EXPECT_EQ(r.n_params(), 0u);
    EXPECT_EQ(r.n_points(), 0u);
    EXPECT_TRUE(r.theta.empty());
}

TEST_F(CalibrationWriterTest, AnExistingFileIsKeptWithoutForceAndReplacedWithIt) {
    std::ofstream(path("c.h5")) << "mine";
    EXPECT_THROW(write_calibration(path("c.h5"), sample(), false), OutputExists);
    EXPECT_EQ(n_files(), 1u);
    {
        std::ifstream in(path("c.h5"));
        std::string s;
        in >> s;
        EXPECT_EQ(s, "mine");
    }
    write_calibration(path("c.h5"), sample(), true);
    EXPECT_EQ(read_calibration(path("c.h5")).calibration_id, "c0ffee");
    EXPECT_EQ(n_files(), 1u);
}

TEST_F(CalibrationWriterTest, AVectorOfTheWrongSizeIsRefusedBeforeAnythingIsWritten) {
    CalibrationData d = sample();
    d.theta.pop_back();
    try {
        write_calibration(path("c.h5"), d, false);
        FAIL() << "a theta of 5 values for 3 points x 2 parameters was written";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("theta has 5 entries, expected 6"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(n_files(), 0u);
    d = sample();
    d.accepted.push_back(1);
    EXPECT_ANY_THROW(write_calibration(path("c.h5"), d, false));
    EXPECT_EQ(n_files(), 0u);
}

TEST_F(CalibrationWriterTest, AWrongSizeErrorIsARuntimeErrorNamingTheFile) {
    // calibration_writer.h promises a std::runtime_error naming the file for a wrong size too.
    CalibrationData d = sample();
    d.theta.pop_back();
    try {
        write_calibration(path("c.h5"), d, false);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path("c.h5")), std::string::npos) << e.what();
    }
}

TEST_F(CalibrationWriterTest, AFailedWriteNamesTheFileAndLeavesNothing) {
    try {
        write_calibration(path("missing/c.h5"), sample(), false);
        FAIL() << "written into a missing directory";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(
                      path("missing/c.h5") + ": cannot write the calibration file: ", 0),
                  0u)
            << e.what();
    }
    EXPECT_EQ(n_files(), 0u);
}

TEST_F(CalibrationWriterTest, OnlyCalibrationFilesAreRecognised) {
    write_calibration(path("c.h5"), sample(), false);
    EXPECT_TRUE(is_calibration_file(path("c.h5")));
    EXPECT_TRUE(is_calibration_file_unguarded(path("c.h5")));
    // A results file is HDF5 too, with another format.
    {
        const core::ModelSpec spec = testing::make_spec();
        experiment::Plan plan;
        experiment::RunConfig cfg;
        cfg.replications = 2;
        cfg.summary_only = true;
        const auto runs = testing::make_runs(spec, plan, 2, 3);
        Hdf5Sink sink(sco::experiment::stored_statistics(), path("r.h5"), false);
        sink.begin(spec, plan, cfg, {"0.1.0", "abc", "cmd", "x.yaml", "text"});
        sink.write_block(0, std::span<const core::RunRecord>(runs.data(), runs.size()));
        sink.finish(experiment::count_pointers(testing::summarise(spec, plan, runs, 2, 3)));
    }
    std::ofstream(path("t.txt")) << "format: sco-sim-calibration/1\n";
    for (const std::string& p : {path("r.h5"), path("t.txt"), path("none.h5"), dir_.string()}) {
        EXPECT_FALSE(is_calibration_file(p)) << p;
        EXPECT_FALSE(is_calibration_file_unguarded(p)) << p;
    }
}

TEST_F(CalibrationWriterTest, ReadingAForeignFileIsBadResultsNamingIt) {
    std::ofstream(path("t.h5")) << "not hdf5";
    const std::pair<std::string, std::string> cases[] = {
        {path("none.h5"), "no such file"},
        {dir_.string(), "is a directory"},
        {path("t.h5"), "not an HDF5 file"},
    };
    for (const auto& [p, part] : cases) {
        try {
            (void)read_calibration(p);
            ADD_FAILURE() << p << " was read";
        } catch (const BadResults& e) {
            EXPECT_EQ(e.path, p);
            EXPECT_NE(e.problem.find(part), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace sco::io
