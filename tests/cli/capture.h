#pragma once
// In-process calls of the command functions of sim/cli (cmd_run, cmd_sweep, ...) with their
// standard output and error captured, for the tests of each command's own contract. The
// commands throw what cli::main turns into a message and an exit status (app.cpp); the
// tests check those exceptions directly. tests/cli/test_app.cpp and tests/python run the
// binary instead.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/app.h"

namespace sco::testing {

struct Captured {
    int status = -1;
    std::string out;  ///< what the command wrote to std::cout
    std::string err;  ///< and to std::cerr
};

/// Calls fn() (which returns an exit status) with std::cout and std::cerr captured; an
/// exception propagates, and the streams are restored either way.
template <typename F>
Captured capture(F&& fn) {
    std::ostringstream out, err;
    struct Restore {
        std::streambuf* o;
        std::streambuf* e;
        ~Restore() {
            std::cout.rdbuf(o);
            std::cerr.rdbuf(e);
        }
    } restore{std::cout.rdbuf(out.rdbuf()), std::cerr.rdbuf(err.rdbuf())};
    Captured c;
    c.status = fn();
    c.out = out.str();
    c.err = err.str();
    return c;
}

/// The status and output (stdout and stderr together) of the real binary.
struct BinaryResult {
    int status = -1;
    std::string out;
};

/// Runs `SCO_SIM_BIN ARGS` through the shell.
inline BinaryResult run_binary(const std::string& args) {
    const std::string cmd = std::string(SCO_SIM_BIN) + " " + args + " 2>&1";
    BinaryResult r;
    FILE* p = popen(cmd.c_str(), "r");
    std::array<char, 4096> buf{};
    while (fgets(buf.data(), buf.size(), p)) r.out += buf.data();
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

/// A fresh folder named after the running test, removed afterwards.
class CliTest : public ::testing::Test {
  protected:
    std::filesystem::path dir;
    void SetUp() override {
        dir = std::filesystem::temp_directory_path() /
              ("sco-cmd-" + std::to_string(::getpid()) + "-" +
               std::string(::testing::UnitTest::GetInstance()->current_test_suite()->name()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    [[nodiscard]] std::string path(const std::string& name) const { return (dir / name).string(); }
    static std::string small() { return std::string(SCO_TEST_DATA) + "/scenario/small.yaml"; }
    static std::string events() { return std::string(SCO_TEST_DATA) + "/events/small_events.yaml"; }
    /// `run` of the small scenario, `runs` runs on one thread, into `name` in the folder.
    std::string write_run(const std::string& name, int runs) const {
        const std::string out = path(name);
        const auto c = capture([&] {
            return cli::cmd_run({small(), "-n", std::to_string(runs), "-j", "1", "-o", out, "-q"},
                                "sco-sim run");
        });
        EXPECT_EQ(c.status, cli::kExitOk);
        return out;
    }
    /// The arguments of a grid `sweep` of the small scenario over dynamics.threat_weight.
    std::vector<std::string> sweep_args(const std::string& out, const std::string& levels,
                                        int runs) const {
        return {small(),
                "--vary",
                "dynamics.threat_weight=" + levels,
                "-n",
                std::to_string(runs),
                "-j",
                "1",
                "-o",
                out,
                "-q"};
    }
};

}  // namespace sco::testing
