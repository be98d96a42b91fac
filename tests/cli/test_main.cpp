// sim/cli/main.cpp: the executable hands its arguments to sco::cli::main and returns its
// status unchanged (MPI_Init/MPI_Finalize around it in the MPI build). So the binary and
// an in-process call of cli::main give the same exit status and the same output, for the
// paths main itself decides: no command, --version, help, an unknown command or option.
#include <string>
#include <vector>

#include "capture.h"
#include "sim/cli/app.h"

using sco::testing::capture;

namespace {

sco::testing::Captured run_in_process(std::vector<std::string> args) {
    args.insert(args.begin(), SCO_SIM_BIN);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return capture([&] { return sco::cli::main(static_cast<int>(argv.size()), argv.data()); });
}

struct Case {
    std::string args;
    std::vector<std::string> argv;
    int status;
};

TEST(Main, TheBinaryIsCliMainForTheCommandLinesMainDecides) {
    const std::vector<Case> cases = {
        {"", {}, sco::cli::kExitBadInput},
        {"--version", {"--version"}, sco::cli::kExitOk},
        {"-V", {"-V"}, sco::cli::kExitOk},
        {"help", {"help"}, sco::cli::kExitOk},
        {"frobnicate", {"frobnicate"}, sco::cli::kExitBadInput},
        {"sumary", {"sumary"}, sco::cli::kExitBadInput},
        {"--bogus", {"--bogus"}, sco::cli::kExitBadInput},
    };
    for (const Case& c : cases) {
        const auto b = sco::testing::run_binary(c.args);
        const auto in = run_in_process(c.argv);
        EXPECT_EQ(b.status, c.status) << c.args;
        EXPECT_EQ(in.status, c.status) << c.args;
        EXPECT_EQ(b.out, in.out + in.err) << c.args;
    }
}

TEST(Main, VersionAndUnknownCommandsSayWhatTheyAre) {
    const auto v = run_in_process({"--version"});
    EXPECT_EQ(v.out, sco::cli::version_string() + "\n");
    EXPECT_EQ(v.out.rfind("sco-sim ", 0), 0u);
    const auto u = run_in_process({"sumary"});
    EXPECT_EQ(u.out, "");
    EXPECT_NE(u.err.find("unknown command 'sumary'; did you mean 'summary'?"), std::string::npos)
        << u.err;
    const auto o = run_in_process({"--bogus"});
    EXPECT_NE(o.err.find("unknown option '--bogus' (options go after the command)"),
              std::string::npos)
        << o.err;
}

}  // namespace
