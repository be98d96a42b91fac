#pragma once
// The fixture the results-file tests share: a fresh folder per test, and the synthetic
// model, plan, configuration, provenance, runs and summaries they write (synthetic.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "io/synthetic.h"
#include "sim/io/sink.h"

namespace sco::testing {

class ResultsFileTest : public ::testing::Test {
  protected:
    /// Makes the empty folder <tmp>/sco-PREFIX-PID-TEST and the synthetic model.
    void make_dir(const std::string& prefix) {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("sco-" + prefix + "-" + std::to_string(::getpid()) + "-" + info->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        spec_ = make_spec();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }

    std::filesystem::path dir_;
    core::ModelSpec spec_;
    experiment::Plan plan_;
    experiment::RunConfig cfg_;
    io::Provenance prov_;
    std::vector<core::RunRecord> runs_;
    std::vector<experiment::Summary> sums_;
};

}  // namespace sco::testing
