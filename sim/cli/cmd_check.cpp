#include <iostream>

#include "sim/cli/app.h"
#include "sim/cli/options.h"
#include "sim/scenario/loader.h"

namespace po = boost::program_options;

namespace sco::cli {

int cmd_check(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("set",
                       po::value<std::vector<std::string>>()->composing()->value_name("PATH=VALUE"),
                       "override one parameter (repeatable; a path once)");
    const auto vm = parse_command("check", "SCENARIO [--set PATH=VALUE ...]",
                                  "Validate a scenario file and describe it; nothing is run.", args,
                                  desc, {"scenario"}, 1);
    if (!vm) return kExitOk;
    auto sc = scenario::load_file((*vm)["scenario"].as<std::string>());
    apply_set_options(*vm, sc.spec);
    const auto& s = sc.spec;
    int members = 0;
    for (const auto& a : s.agents) members += a.role == core::Role::Member;
    std::cout << sc.path << ": OK\n"
              << "  name        " << s.name << "\n"
              << "  summits     " << s.periods << " (" << s.first_period << "-"
              << s.first_period + s.periods - 1 << ")\n"
              << "  agents      " << s.n_agents() << " (" << members << " members with a veto)\n"
              << "  agenda      " << s.n_proposals() << " proposals\n"
              << "  dimensions  " << s.n_dims() << ", threats " << s.n_threats() << "\n"
              << "  shocks      " << s.shocks.size() << "\n"
              << "  parameters  " << s.params.size() << " (" << s.params.random_ids().size()
              << " drawn from distributions)\n"
              << "  variants    choice=" << core::kChoiceRuleNames.name(s.variants.choice)
              << " amendment=" << core::kAmendmentRuleNames.name(s.variants.amendment)
              << " pressure=" << core::kPressureRuleNames.name(s.variants.pressure)
              << " sponsor=" << core::kSponsorRuleNames.name(s.variants.sponsor) << "\n";
    for (const auto& p : s.proposals)
        std::cout << "    " << p.id << " (" << core::kKindNames.name(p.kind) << ", sponsor "
                  << s.agents[p.sponsor].id << (p.opt_out ? ", opt-out" : "") << ")\n";
    return kExitOk;
}

int cmd_params(const std::vector<std::string>& args) {
    po::options_description desc("options");
    desc.add_options()("set",
                       po::value<std::vector<std::string>>()->composing()->value_name("PATH=VALUE"),
                       "override one parameter (repeatable; a path once)");
    const auto vm = parse_command(
        "params", "SCENARIO [--set PATH=VALUE ...]",
        "List every parameter of a scenario: its dotted path (for --set and sweeps), its value\n"
        "or distribution, and its valid range.",
        args, desc, {"scenario"}, 1);
    if (!vm) return kExitOk;
    auto sc = scenario::load_file((*vm)["scenario"].as<std::string>());
    apply_set_options(*vm, sc.spec);
    std::cout << scenario::format_params(sc.spec);
    return kExitOk;
}

}  // namespace sco::cli
