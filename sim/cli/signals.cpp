#include "sim/cli/signals.h"

#include <csignal>
#include <ostream>

namespace sco::cli {
namespace {

// The one piece of process-wide state in the program: a signal handler can reach
// nothing else. It lives in the command-line layer only; the model has no globals.
std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_old_int {};
struct sigaction g_old_term {};

extern "C" void on_signal(int sig) {
    g_signal = sig;
    g_stop.store(true);
}

}  // namespace

SignalGuard::SignalGuard() {
    // A command starts unstopped: a signal caught under an earlier guard of this process
    // (before it, the default handler ends the process) is not this command's. Guards are
    // never nested: one per command.
    g_signal = 0;
    g_stop.store(false);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

SignalGuard::~SignalGuard() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<bool>* stop_flag() {
    return &g_stop;
}

int caught_signal() {
    return g_signal ? static_cast<int>(g_signal) : SIGINT;
}

int report_interrupted(std::ostream& err, const std::string& out, bool sharded) {
    err << "sco-sim: interrupted; "
        << (sharded ? "nothing written to " + out
                    : "finished parts are kept in " + out +
                          ".parts; run the same command with --resume to finish")
        << "\n";
    return 128 + caught_signal();
}

}  // namespace sco::cli
