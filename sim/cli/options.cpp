#include "sim/cli/options.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>
#include <thread>
#include <utility>

#include "sim/cli/app.h"
#include "sim/scenario/loader.h"

namespace po = boost::program_options;

namespace sco::cli {

std::optional<po::variables_map> parse_command(
    const std::string& command, const std::string& synopsis, const std::string& about,
    const std::vector<std::string>& args, po::options_description desc,
    const std::vector<std::string>& positional, std::size_t required_positionals,
    bool repeat_last_positional) {
    // The help is laid out 100 characters wide, as wide as the usage lines: at Boost's
    // default 80 a long description broke in the middle of a default's file name.
    po::options_description shown("options", kHelpWidth);
    for (const auto& o : desc.options()) shown.add(o);
    shown.add_options()("help,h", "show this help and exit");
    po::options_description hidden;
    po::positional_options_description pos;
    for (std::size_t i = 0; i < positional.size(); ++i) {
        const bool many = repeat_last_positional && i + 1 == positional.size();
        if (many)
            hidden.add_options()(positional[i].c_str(), po::value<std::vector<std::string>>());
        else
            hidden.add_options()(positional[i].c_str(), po::value<std::string>());
        pos.add(positional[i].c_str(), many ? -1 : 1);
    }
    po::options_description all;
    all.add(shown).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: sco-sim " << command << " " << synopsis << "\n\n"
                      << about << "\n\n"
                      << shown << "\n";
            return std::nullopt;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(command + ": " + e.what() + "\nusage: sco-sim " + command + " " +
                         synopsis);
    }
    for (std::size_t i = 0; i < required_positionals; ++i)
        if (!vm.count(positional[i]))
            throw UsageError(command + ": missing " + positional[i] + "\nusage: sco-sim " +
                             command + " " + synopsis);
    return vm;
}

std::uint64_t parse_whole(const std::string& command, const std::string& option,
                          const std::string& text) {
    const std::string head = command + ": " + option;
    if (text.empty() || !std::all_of(text.begin(), text.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; }))
        throw UsageError(head + " must be a non-negative whole number, got '" + text + "'");
    if (text.size() > 1 && text[0] == '0') {
        const auto nonzero = text.find_first_not_of('0');
        throw UsageError(head + " must be written without leading zeros (numbers are decimal), " +
                         "got '" + text + "'; write '" +
                         (nonzero == std::string::npos ? "0" : text.substr(nonzero)) + "'");
    }
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
    if (ec != std::errc() || end != text.data() + text.size())
        throw UsageError(head + " must be at most 18446744073709551615, got '" + text + "'");
    return v;
}

Shard parse_shard(const std::string& command, const std::string& text) {
    const auto slash = text.find('/');
    int k = 0, n = 0;
    try {
        if (slash == std::string::npos) throw std::invalid_argument("no slash");
        std::size_t a = 0, b = 0;
        k = std::stoi(text.substr(0, slash), &a);
        n = std::stoi(text.substr(slash + 1), &b);
        if (a != slash || b != text.size() - slash - 1) throw std::invalid_argument("junk");
    } catch (const std::exception&) {
        throw UsageError(command + ": --shard takes K/N (shard K of N, 1 <= K <= N), got '" + text +
                         "'");
    }
    if (n < 1 || n > 100000 || k < 1 || k > n)
        throw UsageError(command + ": --shard K/N needs 1 <= K <= N <= 100000, got '" + text + "'");
    return {k - 1, n};
}

int hardware_threads() {
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int check_threads(const std::string& command, int threads, ThreadsMessage style, int hardware) {
    hardware = std::max(1, hardware);
    if (threads >= 0 && threads <= 4 * hardware) return threads;
    throw UsageError(command + ": --threads must be between 0 (all cores) and " +
                     std::to_string(4 * hardware) +
                     (style == ThreadsMessage::NameCores
                          ? " (4 x the " + std::to_string(hardware) + " cores here)"
                          : std::string()) +
                     ", got " + std::to_string(threads));
}

namespace {

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::vector<SetOption> apply_set_options(const po::variables_map& vm, core::ModelSpec& spec,
                                         std::vector<SetOption> fixed) {
    std::vector<SetOption> done = std::move(fixed);
    if (!vm.count("set")) return done;
    for (const auto& s : vm["set"].as<std::vector<std::string>>()) {
        scenario::apply_set(spec, s);  // refuses a malformed assignment or an unknown path
        const std::string path = trimmed(s.substr(0, s.find('=')));
        const core::ParamId id = spec.params.find(path);
        // A path given twice is an error, as a repeated key in a scenario file is: the
        // last value winning silently hides a typo in a long command line.
        for (const SetOption& d : done)
            if (d.id == id)
                throw scenario::ScenarioError(
                    "--set", 0, 0, path,
                    "is given twice (" + d.text + ", then --set " + s + "); give each path once");
        done.push_back({id, path, "--set " + s});
    }
    return done;
}

void refuse_set_and_vary(const std::vector<SetOption>& sets, core::ParamId id,
                         const std::string& path, const std::string& where, int line) {
    for (const SetOption& d : sets)
        if (d.id == id)
            throw scenario::ScenarioError(where, line, line > 0 ? 1 : 0, path,
                                          "is also fixed by " + d.text +
                                              "; a path is either fixed or varied, "
                                              "not both");
}

bool progress_wanted(const po::variables_map& vm, int stderr_is_terminal) {
    if (vm.count("quiet")) return false;
    if (vm.count("progress")) return true;
    return stderr_is_terminal < 0 ? isatty(STDERR_FILENO) != 0 : stderr_is_terminal != 0;
}

}  // namespace sco::cli
