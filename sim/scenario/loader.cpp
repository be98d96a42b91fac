#include "sim/scenario/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "sim/scenario/reader.h"

namespace sco::scenario {
namespace {

using core::ParamId;
using detail::Context;
using detail::fail;
using detail::MapReader;
using detail::Val;

const core::Range kUnit{0.0, 1.0};
const core::Range kParticipants{1.0, 4096.0};
constexpr std::size_t kMaxAgents = 4096;
constexpr std::size_t kMaxNames = 64;
constexpr std::size_t kMaxProposals = 4096;
constexpr std::size_t kMaxShocks = 4096;
constexpr long kMaxPeriods = 200;

const std::vector<std::string> kTopKeys = {
    "format",     "name",  "description", "periods", "dimensions", "threats", "regions",
    "status_quo", "model", "dynamics",    "agents",  "relations",  "agenda",  "shocks"};
// A derived scenario: a base file plus changes (docs/scenario-format.md, "Derived scenarios").
const std::vector<std::string> kDerivedKeys = {"format",      "extends", "name",
                                               "description", "set",     "shocks"};
constexpr int kMaxExtendsDepth = 8;

/// A key of a full scenario written in a derived one: why it cannot be there and what to
/// write instead (docs/scenario-format.md, "Derived scenarios"). Without this, the reader
/// said only "unknown key", as if the key were misspelt.
[[noreturn]] void fail_structure_in_derived(const Context& ctx, const YAML::Mark& mark,
                                            const std::string& key) {
    // Where the key's numbers have parameter paths, those values can still be changed.
    std::string example;
    if (key == "agents") example = "agents.UZB.sovereignty: 0.4";
    if (key == "relations") example = "relations.tension.KAZ-UZB: 0.3";
    if (key == "agenda") example = "agenda.ID.uncertainty: 0.5";
    if (key == "dynamics") example = "dynamics.wait_value: 3";
    if (key == "status_quo") example = "status_quo.DIMENSION: 0.4";
    const std::string by_path = "to change a value, give its parameter path under 'set:' (e.g. " +
                                example +
                                "; sco-sim params BASE lists the paths) or --set PATH=VALUE";
    if (key == "dynamics" || key == "status_quo")
        fail(ctx, mark, key,
             "a derived scenario (one with 'extends') takes its " + key + " from its base; " +
                 by_path);
    fail(ctx, mark, key,
         "a derived scenario (one with 'extends') cannot change the structure: periods, "
         "dimensions, threats, regions, agents, relations, the agenda and the model variants "
         "come from its base (docs/scenario-format.md, \"Derived scenarios\"); " +
             (example.empty() ? std::string() : by_path + "; ") +
             "to change the structure, write a full scenario: a copy of the base without "
             "'extends'");
}

const std::vector<std::string> kAgentKeys = {
    "id",          "name",     "role",     "great_power", "capability",     "military_reluctance",
    "sovereignty", "position", "salience", "threat",      "susceptibility", "regions"};
const std::vector<std::string> kProposalKeys = {
    "id",       "title",       "kind",     "sponsor",          "host",
    "transit",  "admit",       "opt_out",  "min_participants", "recurring",
    "periods",  "uncertainty", "position", "relevance",        "stage",
    "requires", "region",      "open_to"};

template <typename Table>
std::vector<std::string> table_names(const Table& t) {
    return {t.names.begin(), t.names.end()};
}

bool is_snake_case(const std::string& s) {
    if (s.empty() || s.size() > 64 || s[0] < 'a' || s[0] > 'z') return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

bool is_alpha3(const std::string& s) {
    return s.size() == 3 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i];
    return out;
}

/// Builds a ModelSpec from a parsed document. Parameters are created in a fixed order:
/// dynamics (table order), status_quo, agents (file order; per agent capability,
/// military_reluctance, sovereignty, position, salience, threat by declaration order,
/// susceptibility in agent order), relations (tension, then affinity, file order),
/// agenda (file order; uncertainty, min_participants, position, relevance), shocks.
class Builder {
  public:
    explicit Builder(const Context& ctx) : ctx_(ctx) {}

    core::ModelSpec build(const YAML::Node& root) {
        const Val doc{root, "", root.Mark()};
        // The format first: a file that is not a scenario should not get key suggestions.
        read_format(MapReader(ctx_, doc, {}, "a map of scenario keys", false)
                        .require("format", "write: format: sco-sim/1"));
        const MapReader top(ctx_, doc, kTopKeys, "a map of scenario keys");
        spec_.name = detail::read_text(ctx_, top.require("name", "a display name"));
        if (const Val* v = top.find("description"))
            spec_.description = v->node.IsNull() ? "" : detail::read_text(ctx_, *v);
        read_periods(top.require("periods", "e.g. periods: {first: 2014, count: 6}"));
        spec_.dimensions =
            read_names(top.require("dimensions", "a list of policy dimensions"), 1, "dimensions");
        spec_.threats =
            read_names(top.require("threats", "a list of threats; may be []"), 0, "threats");
        if (const Val* v = top.find("regions"))
            spec_.regions = read_names(*v, 0, "regions (at most 64)");
        if (const Val* v = top.find("model")) read_variants(*v);
        read_dynamics(top.find("dynamics"));
        read_status_quo(top.require("status_quo", "a number for every dimension"));
        read_agents(top.require("agents", "a list of at least two agents"));
        if (const Val* v = top.find("relations")) read_relations(*v);
        read_agenda(top.require("agenda", "a list of at least one proposal"));
        if (const Val* v = top.find("shocks")) read_shocks(*v);
        return std::move(spec_);
    }

    /// A derived scenario: `base` (already loaded from the `extends` file) changed by this
    /// document's `set` (parameter path -> value) and extended by its `shocks`.
    core::ModelSpec derive(const YAML::Node& root, core::ModelSpec base) {
        spec_ = std::move(base);
        agent_ids_.clear();
        for (const auto& a : spec_.agents) agent_ids_.push_back(a.id);
        const Val doc{root, "", root.Mark()};
        const MapReader top(ctx_, doc, kDerivedKeys, "a map of derived-scenario keys");
        spec_.name = detail::read_text(ctx_, top.require("name", "a display name"));
        if (const Val* v = top.find("description"))
            spec_.description = v->node.IsNull() ? "" : detail::read_text(ctx_, *v);
        if (const Val* v = top.find("set")) {
            std::vector<std::string> paths;
            for (const auto& d : spec_.params.all()) paths.push_back(d.path);
            const MapReader sm(ctx_, *v, {}, "a map {PARAMETER_PATH: number}");
            for (const auto& e : sm.entries()) {
                const ParamId id = spec_.params.find(e.key);
                if (id == core::kNoParam)
                    fail(ctx_, e.key_mark, e.value.path,
                         detail::unknown_path_message(e.key, paths));
                core::ParamDef& def = spec_.params[id];
                def.dist = detail::read_distribution(ctx_, e.value, def.range, def.integer);
            }
        }
        if (const Val* v = top.find("shocks")) read_shocks(*v);
        return std::move(spec_);
    }

  private:
    const Context& ctx_;
    core::ModelSpec spec_;
    std::vector<std::string> agent_ids_;

    ParamId add(std::string path, core::Distribution d, core::Range r, core::Field f, int a,
                int b = -1, bool integer = false) {
        return spec_.params.add(core::ParamDef{std::move(path), d, r, f, a, b, integer});
    }

    /// Adds the parameter at `v` (or with value `dflt` if v is null) under `path`.
    ParamId add_number(const Val* v, double dflt, const std::string& path, core::Range r,
                       core::Field f, int a, int b = -1, bool integer = false) {
        const core::Distribution d =
            v ? detail::read_distribution(ctx_, *v, r, integer) : core::Distribution::fixed(dflt);
        return add(path, d, r, f, a, b, integer);
    }

    void read_format(const Val& v) {
        const std::string f = detail::read_text(ctx_, v);
        if (f != "sco-sim/1")
            fail(ctx_, v, "unsupported format '" + f + "'; this version reads 'sco-sim/1'");
    }

    int year_index(const Val& v) {
        const long last = spec_.first_period + spec_.periods - 1;
        const long year = detail::read_integer(ctx_, v, -100000, 100000, "a calendar year");
        if (year < spec_.first_period || year > last)
            fail(ctx_, v,
                 "year " + std::to_string(year) + " lies outside the scenario's periods " +
                     std::to_string(spec_.first_period) + "-" + std::to_string(last));
        return static_cast<int>(year - spec_.first_period);
    }

    void read_periods(const Val& v) {
        const MapReader m(ctx_, v, {"first", "count"}, "a map {first: YEAR, count: N}");
        spec_.first_period = static_cast<int>(
            detail::read_integer(ctx_, m.require("first", "the calendar year of the first summit"),
                                 1, 9999, "the first year"));
        spec_.periods = static_cast<int>(detail::read_integer(
            ctx_, m.require("count", "the number of summits"), 1, kMaxPeriods, "the count"));
    }

    std::vector<std::string> read_names(const Val& v, std::size_t min_count, const char* what) {
        std::vector<std::string> names;
        for (const Val& e : detail::read_list(ctx_, v, min_count, kMaxNames, what)) {
            const std::string s = detail::read_text(ctx_, e, "a snake_case name");
            if (!is_snake_case(s))
                fail(ctx_, e,
                     "'" + s + "' is not a snake_case name (lower-case letters, digits, _)");
            if (std::find(names.begin(), names.end(), s) != names.end())
                fail(ctx_, e, "'" + s + "' is listed twice");
            names.push_back(s);
        }
        return names;
    }

    template <typename E, std::size_t N>
    E read_choice(const Val& v, const core::NameTable<E, N>& table, const char* what) {
        const std::string s = detail::read_text(ctx_, v, what);
        if (auto e = table.parse(s)) return *e;
        const std::vector<std::string> all = table_names(table);
        std::string hint = suggestion_text(s, all);
        if (hint.empty()) hint = "; expected one of: " + join(all);
        fail(ctx_, v, "unknown " + std::string(what) + " '" + s + "'" + hint);
    }

    void read_variants(const Val& v) {
        const MapReader m(ctx_, v, {"choice", "amendment", "pressure", "sponsor"},
                          "a map of model variants");
        if (const Val* c = m.find("choice"))
            spec_.variants.choice = read_choice(*c, core::kChoiceRuleNames, "choice rule");
        if (const Val* a = m.find("amendment"))
            spec_.variants.amendment = read_choice(*a, core::kAmendmentRuleNames, "amendment rule");
        if (const Val* p = m.find("pressure"))
            spec_.variants.pressure = read_choice(*p, core::kPressureRuleNames, "pressure rule");
        if (const Val* sp = m.find("sponsor"))
            spec_.variants.sponsor = read_choice(*sp, core::kSponsorRuleNames, "sponsor rule");
    }

    /// A `{name: value}` map whose names must come from `names`. Returns, per name, the
    /// value or nullptr. `required` names every missing one as an error.
    std::vector<const Val*> read_named(const MapReader& m, const std::vector<std::string>& names,
                                       const char* what, bool required) {
        std::vector<const Val*> out(names.size(), nullptr);
        for (const auto& e : m.entries()) {
            const auto it = std::find(names.begin(), names.end(), e.key);
            if (it == names.end()) {
                std::string hint = suggestion_text(e.key, names);
                if (hint.empty())
                    hint = names.empty() ? std::string("; none are declared")
                                         : "; declared: " + join(names);
                fail(ctx_, e.key_mark, e.value.path,
                     "unknown " + std::string(what) + " '" + e.key + "'" + hint);
            }
            out[static_cast<std::size_t>(it - names.begin())] = &e.value;
        }
        if (required)
            for (std::size_t i = 0; i < names.size(); ++i)
                if (!out[i])
                    fail(ctx_, m.self().mark, detail::child_path(m.self().path, names[i]),
                         "missing " + std::string(what) + " '" + names[i] +
                             "'; give a value for every " + what);
        return out;
    }

    void read_dynamics(const Val* v) {
        const std::vector<std::string> names = table_names(core::kDynNames);
        std::vector<const Val*> given(names.size(), nullptr);
        std::optional<MapReader> m;
        if (v) {
            m.emplace(ctx_, *v, std::vector<std::string>{}, "a map {name: number}");
            given = read_named(*m, names, "dynamics parameter", false);
        }
        for (int d = 0; d < core::kDynCount; ++d) {
            const core::DynDefault& def = core::dyn_default(static_cast<core::Dyn>(d));
            spec_.dynamics[d] =
                add_number(given[static_cast<std::size_t>(d)], def.value, "dynamics." + names[d],
                           def.range, core::Field::Dynamics, d, -1, def.integer);
        }
    }

    void read_status_quo(const Val& v) {
        const MapReader m(ctx_, v, {}, "a map {dimension: number}");
        const auto given = read_named(m, spec_.dimensions, "dimension", true);
        for (int d = 0; d < spec_.n_dims(); ++d)
            spec_.status_quo.push_back(add_number(given[d], 0.0,
                                                  "status_quo." + spec_.dimensions[d], kUnit,
                                                  core::Field::StatusQuo, d));
    }

    /// Resolves an agent id; unknown ids get a did-you-mean.
    /// A declared region (top-level `regions`), by name.
    int region_ref(const Val& v) {
        const std::string s = detail::read_text(ctx_, v, "a region name");
        for (std::size_t r = 0; r < spec_.regions.size(); ++r)
            if (spec_.regions[r] == s) return static_cast<int>(r);
        std::string hint = suggestion_text(s, spec_.regions);
        if (hint.empty())
            hint = spec_.regions.empty() ? "; declare it in the top-level 'regions' list"
                                         : "; declared regions: " + join(spec_.regions);
        fail(ctx_, v, "unknown region '" + s + "'" + hint);
    }

    int agent_ref(const Val& v) {
        const std::string id = detail::read_text(ctx_, v, "an agent id");
        const int i = spec_.agent_index(id);
        if (i < 0) {
            std::string hint = suggestion_text(id, agent_ids_);
            if (hint.empty()) hint = "; agents: " + join(agent_ids_);
            fail(ctx_, v, "unknown agent '" + id + "'" + hint);
        }
        return i;
    }

    void require_member(const Val& v, int agent, const char* what) {
        if (spec_.agents[agent].role != core::Role::Member)
            fail(ctx_, v,
                 std::string(what) + " must be a member, but " + spec_.agents[agent].id + " is " +
                     std::string(core::kRoleNames.name(spec_.agents[agent].role)));
    }

    void read_agents(const Val& v) {
        const std::vector<Val> list = detail::read_list(ctx_, v, 2, kMaxAgents, "agents");
        // Pass 1: identities, so later fields (and other agents) can refer to any agent.
        std::vector<MapReader> maps;
        maps.reserve(list.size());
        for (std::size_t i = 0; i < list.size(); ++i) {
            // Read the id first, so that the key paths can name it: agents[UZB].capability.
            const MapReader peek(ctx_, list[i], {}, "an agent map", false);
            const Val& idv = peek.require("id", "ISO 3166 alpha-3 code, e.g. UZB");
            core::AgentSpec a;
            a.id = detail::read_text(ctx_, idv, "an agent id");
            if (!is_alpha3(a.id))
                fail(ctx_, idv,
                     "agent id '" + a.id + "' must be three capital letters (ISO 3166 alpha-3)");
            const int previous = spec_.agent_index(a.id);
            if (previous >= 0)
                fail(ctx_, idv,
                     "duplicate agent id '" + a.id + "' (also agents[" + std::to_string(previous) +
                         "]); ids must be unique");
            Val named = list[i];
            named.path = "agents[" + a.id + "]";
            maps.emplace_back(ctx_, named, kAgentKeys, "an agent map");
            const MapReader& m = maps.back();
            a.name = detail::read_text(ctx_, m.require("name", "display name"));
            if (const Val* r = m.find("role")) a.role = read_choice(*r, core::kRoleNames, "role");
            if (const Val* g = m.find("great_power")) a.great_power = detail::read_bool(ctx_, *g);
            if (const Val* r = m.find("regions"))
                for (const Val& e : detail::read_list(ctx_, *r, 1, kMaxNames, "region names"))
                    a.regions |= std::uint64_t{1} << region_ref(e);
            spec_.agents.push_back(a);
            agent_ids_.push_back(a.id);
        }
        // Pass 2: numbers, in file order.
        for (std::size_t i = 0; i < list.size(); ++i)
            read_agent_numbers(maps[i], static_cast<int>(i));
    }

    void read_agent_numbers(const MapReader& m, int i) {
        core::AgentSpec& a = spec_.agents[i];
        const std::string base = "agents." + a.id + ".";
        a.capability = add_number(&m.require("capability", "a number in [0, 1]"), 0.0,
                                  base + "capability", kUnit, core::Field::Capability, i);
        a.military_reluctance =
            add_number(m.find("military_reluctance"), 0.0, base + "military_reluctance", kUnit,
                       core::Field::MilitaryReluctance, i);
        a.sovereignty = add_number(m.find("sovereignty"), 0.0, base + "sovereignty", kUnit,
                                   core::Field::Sovereignty, i);
        const MapReader pos(ctx_, m.require("position", "a number for every dimension"), {},
                            "a map {dimension: number}");
        const auto position = read_named(pos, spec_.dimensions, "dimension", true);
        for (int d = 0; d < spec_.n_dims(); ++d)
            a.position.push_back(add_number(position[d], 0.0,
                                            base + "position." + spec_.dimensions[d], kUnit,
                                            core::Field::Position, i, d));
        std::vector<const Val*> salience(spec_.dimensions.size(), nullptr);
        std::optional<MapReader> sal;
        if (const Val* s = m.find("salience")) {
            sal.emplace(ctx_, *s, std::vector<std::string>{}, "a map {dimension: number}");
            salience = read_named(*sal, spec_.dimensions, "dimension", false);
        }
        for (int d = 0; d < spec_.n_dims(); ++d)
            a.salience.push_back(add_number(salience[d], 0.0,
                                            base + "salience." + spec_.dimensions[d], kUnit,
                                            core::Field::Salience, i, d));
        std::vector<const Val*> threat(spec_.threats.size(), nullptr);
        std::optional<MapReader> thr;
        if (const Val* t = m.find("threat")) {
            thr.emplace(ctx_, *t, std::vector<std::string>{}, "a map {threat: number}");
            threat = read_named(*thr, spec_.threats, "threat", false);
        }
        for (int k = 0; k < spec_.n_threats(); ++k)
            a.threat.push_back(add_number(threat[k], 0.0, base + "threat." + spec_.threats[k],
                                          kUnit, core::Field::Threat, i, k));
        if (const Val* s = m.find("susceptibility")) read_susceptibility(*s, i);
    }

    void read_susceptibility(const Val& v, int target) {
        const MapReader m(ctx_, v, {}, "a map {GREAT_POWER_ID: number}");
        std::vector<const Val*> given(spec_.agents.size(), nullptr);
        for (const auto& e : m.entries()) {
            const int gp = agent_ref(Val{YAML::Node(e.key), e.value.path, e.key_mark});
            if (gp == target)
                fail(ctx_, e.key_mark, e.value.path,
                     "an agent cannot be susceptible to its own pressure; remove this entry");
            if (!spec_.agents[gp].great_power)
                fail(ctx_, e.key_mark, e.value.path,
                     e.key +
                         " is not a great power; only agents with great_power: true "
                         "apply pressure");
            given[gp] = &e.value;
        }
        const std::string base = "agents." + spec_.agents[target].id + ".susceptibility.";
        for (int gp = 0; gp < spec_.n_agents(); ++gp)
            if (given[gp])
                add_number(given[gp], 0.0, base + spec_.agents[gp].id, kUnit,
                           core::Field::Susceptibility, target, gp);
    }

    void read_relations(const Val& v) {
        const MapReader m(ctx_, v, {"tension", "affinity"}, "a map with tension and affinity");
        for (const auto& e : m.entries()) {
            const core::Field field =
                e.key == "tension" ? core::Field::Tension : core::Field::Affinity;
            std::set<std::string> seen;
            for (const Val& t : detail::read_list(ctx_, e.value, 0, kMaxAgents * kMaxAgents,
                                                  "[A, B, number] triples")) {
                const std::vector<Val> triple =
                    detail::read_list(ctx_, t, 3, 3, "entries in [A, B, number]");
                const int x = agent_ref(triple[0]);
                const int y = agent_ref(triple[1]);
                if (x == y)
                    fail(ctx_, triple[1],
                         "a relation needs two different agents, got " + agent_ids_[x] + " twice");
                const std::string& ix = agent_ids_[x];
                const std::string& iy = agent_ids_[y];
                const std::string pair = ix < iy ? ix + "-" + iy : iy + "-" + ix;
                if (!seen.insert(pair).second)
                    fail(ctx_, t,
                         "the pair " + pair + " is listed twice (relations are symmetric)");
                add_number(&triple[2], 0.0, "relations." + e.key + "." + pair, kUnit, field, x, y);
            }
        }
    }

    void read_agenda(const Val& v) {
        const std::vector<Val> list = detail::read_list(ctx_, v, 1, kMaxProposals, "proposals");
        for (const Val& item : list) {
            // Read the id first, so that the key paths can name it: agenda[id].host.
            const MapReader m(ctx_, item, {}, "a proposal map", false);
            const Val& idv = m.require("id", "a snake_case id");
            const std::string id = detail::read_text(ctx_, idv, "a proposal id");
            if (!is_snake_case(id))
                fail(ctx_, idv,
                     "proposal id '" + id + "' must be snake_case (lower-case letters, digits, _)");
            if (spec_.proposal_index(id) >= 0)
                fail(ctx_, idv, "duplicate proposal id '" + id + "'; ids must be unique");
            Val named = item;
            named.path = "agenda[" + id + "]";
            read_proposal(MapReader(ctx_, named, kProposalKeys, "a proposal map"), id);
        }
    }

    void read_proposal(const MapReader& m, const std::string& id) {
        const int p = spec_.n_proposals();
        spec_.proposals.emplace_back();
        core::ProposalSpec& ps = spec_.proposals.back();
        ps.id = id;
        ps.title = id;
        if (const Val* t = m.find("title")) ps.title = detail::read_text(ctx_, *t);
        const Val& kindv =
            m.require("kind", "declaration, institution, plan, exercise or membership");
        ps.kind = read_choice(kindv, core::kKindNames, "kind");
        const Val& sponsorv = m.require("sponsor", "the member that tables it");
        ps.sponsor = agent_ref(sponsorv);
        require_member(sponsorv, ps.sponsor, "the sponsor");

        const bool located = ps.kind == core::Kind::Exercise || ps.kind == core::Kind::Institution;
        if (const Val* h = m.find("host")) {
            if (!located)
                fail(ctx_, *h,
                     "only exercises and institutions have a host; remove it or change kind");
            ps.host = agent_ref(*h);
            require_member(*h, ps.host, "the host");
        }
        if (const Val* t = m.find("transit")) read_transit(*t, ps);
        if (const Val* o = m.find("open_to")) read_open_to(*o, ps);
        if (const Val* r = m.find("region")) {
            if (ps.kind != core::Kind::Exercise)
                fail(ctx_, *r, "only exercises have a region (their venue); remove it");
            ps.region = region_ref(*r);
        }
        const Val* stage = m.find("stage");
        if (stage) {
            if (ps.kind != core::Kind::Membership)
                fail(ctx_, *stage, "only membership proposals have a stage; remove it");
            ps.stage = read_choice(*stage, core::kStageNames, "stage");
        }
        const Val* admit = m.find("admit");
        if (ps.kind == core::Kind::Membership && ps.stage == core::Stage::Rules) {
            if (admit)
                fail(ctx_, *admit,
                     "the rules stage names no candidate; remove 'admit' or change the stage");
        } else if (ps.kind == core::Kind::Membership) {
            if (!admit)
                fail(ctx_, m.self().mark, detail::child_path(m.self().path, "admit"),
                     "a membership proposal needs 'admit': the non-members it concerns");
            ps.admit = read_admit(*admit);
        } else if (admit) {
            fail(ctx_, *admit, "only membership proposals admit agents; remove 'admit'");
        }
        if (const Val* rq = m.find("requires")) {
            for (const Val& e :
                 detail::read_list(ctx_, *rq, 1, kMaxProposals, "ids of earlier proposals")) {
                const std::string q = detail::read_text(ctx_, e, "a proposal id");
                const int qi = spec_.proposal_index(q);
                if (qi < 0 || qi == p) {
                    std::vector<std::string> ids;
                    for (int k = 0; k < p; ++k) ids.push_back(spec_.proposals[k].id);
                    std::string hint = suggestion_text(q, ids);
                    fail(ctx_, e,
                         "'" + q + "' is not a proposal listed before this one" +
                             (hint.empty() ? "; 'requires' names earlier agenda items" : hint));
                }
                ps.prerequisites.push_back(qi);
            }
        }
        ps.opt_out = ps.kind == core::Kind::Exercise;
        if (const Val* o = m.find("opt_out")) ps.opt_out = detail::read_bool(ctx_, *o);
        ps.recurring = ps.kind == core::Kind::Exercise;
        if (const Val* r = m.find("recurring")) ps.recurring = detail::read_bool(ctx_, *r);
        ps.first_period = 0;
        ps.last_period = spec_.periods - 1;
        if (const Val* w = m.find("periods")) {
            const std::vector<Val> years =
                detail::read_list(ctx_, *w, 2, 2, "years [first_year, last_year]");
            ps.first_period = year_index(years[0]);
            ps.last_period = year_index(years[1]);
            if (ps.first_period > ps.last_period)
                fail(ctx_, *w, "the first year comes after the last year");
        }

        const std::string base = "agenda." + id + ".";
        ps.uncertainty = add_number(m.find("uncertainty"), 0.0, base + "uncertainty", kUnit,
                                    core::Field::Uncertainty, p);
        ps.min_participants = add_number(m.find("min_participants"), ps.opt_out ? 2.0 : 1.0,
                                         base + "min_participants", kParticipants,
                                         core::Field::MinParticipants, p, -1, true);
        if (const Val* mp = m.find("min_participants"); mp && !ps.open_to.empty()) {
            // A quorum larger than the circle the text is open to can never be reached.
            const core::Distribution& d = spec_.params[ps.min_participants].dist;
            double least = kParticipants.lo;  // beta, normal: anywhere in the range
            if (d.kind == core::DistKind::Fixed || d.kind == core::DistKind::Uniform)
                least = d.a;
            else if (d.kind == core::DistKind::Empirical && !d.values.empty())
                least = *std::min_element(d.values.begin(), d.values.end());
            const auto circle = static_cast<double>(ps.open_to.size());
            if (std::round(least) > circle)
                fail(ctx_, *mp,
                     "min_participants " +
                         std::to_string(static_cast<long long>(std::round(least))) +
                         " is more than the " + std::to_string(ps.open_to.size()) +
                         " agents in 'open_to': the text could never reach its quorum; lower "
                         "min_participants or open the text to more agents");
        }
        ps.position.assign(spec_.dimensions.size(), core::kNoParam);
        if (const Val* pv = m.find("position")) {
            const MapReader pm(ctx_, *pv, {}, "a map {dimension: number}");
            const auto given = read_named(pm, spec_.dimensions, "dimension", false);
            for (int d = 0; d < spec_.n_dims(); ++d)
                if (given[d])
                    ps.position[d] =
                        add_number(given[d], 0.0, base + "position." + spec_.dimensions[d], kUnit,
                                   core::Field::ProposalPosition, p, d);
            if (!ps.admit.empty()) check_one_enlargement(ps, p, given);
        }
        std::vector<const Val*> relevance(spec_.threats.size(), nullptr);
        std::optional<MapReader> rm;
        if (const Val* rv = m.find("relevance")) {
            rm.emplace(ctx_, *rv, std::vector<std::string>{}, "a map {threat: number}");
            relevance = read_named(*rm, spec_.threats, "threat", false);
        }
        for (int k = 0; k < spec_.n_threats(); ++k)
            ps.relevance.push_back(add_number(relevance[k], 0.0,
                                              base + "relevance." + spec_.threats[k], kUnit,
                                              core::Field::Relevance, p, k));
    }

    /// Membership stages of different candidates must not move the same dimension: a dimension
    /// measures one enlargement, and a text is not tabled once the status quo has reached its aim
    /// (docs/model.md III.3, rule 7), so one enlargement's stages would carry the status quo past
    /// the other's aims and leave its stages off the agenda for good (III.4.6; session 19's
    /// attack). Allowed: stages of the same candidates (one enlargement, in steps or tabled
    /// twice), and a stage that requires, directly or not, a stage it shares a candidate with
    /// (a chain that narrows or widens).
    void check_one_enlargement(const core::ProposalSpec& ps, int p,
                               const std::vector<const Val*>& given) {
        std::vector<unsigned char> required(static_cast<std::size_t>(p), 0);
        std::vector<int> todo = ps.prerequisites;
        while (!todo.empty()) {
            const int q = todo.back();
            todo.pop_back();
            if (required[q]) continue;
            required[q] = 1;
            for (const int r : spec_.proposals[q].prerequisites) todo.push_back(r);
        }
        auto sorted = [](std::vector<int> v) {
            std::sort(v.begin(), v.end());
            return v;
        };
        auto names = [&](const std::vector<int>& v) {
            std::string out;
            for (const int a : v) out += (out.empty() ? "" : ", ") + agent_ids_[a];
            return out;
        };
        const std::vector<int> mine = sorted(ps.admit);
        for (int q = 0; q < p; ++q) {
            const core::ProposalSpec& o = spec_.proposals[q];
            if (o.admit.empty()) continue;
            const std::vector<int> theirs = sorted(o.admit);
            if (theirs == mine) continue;
            const bool shared = std::any_of(mine.begin(), mine.end(), [&](int a) {
                return std::binary_search(theirs.begin(), theirs.end(), a);
            });
            if (required[q] && shared) continue;
            for (int d = 0; d < spec_.n_dims(); ++d) {
                if (!given[d] || o.position[d] == core::kNoParam) continue;
                fail(ctx_, *given[d],
                     "this stage (" + names(ps.admit) + ") and agenda[" + o.id + "] (" +
                         names(o.admit) +
                         ") are stages of different enlargements that both move '" +
                         spec_.dimensions[d] +
                         "': a dimension measures one enlargement, and a stage is not tabled once "
                         "the status quo has reached its aim, so one enlargement would leave the "
                         "other's stages off the agenda for good (docs/model.md III.4.6); give "
                         "each enlargement its own dimension, or admit the candidates together");
            }
        }
    }

    void read_transit(const Val& v, core::ProposalSpec& ps) {
        if (ps.kind != core::Kind::Exercise)
            fail(ctx_, v, "only exercises have transit; remove it or change kind to exercise");
        for (const Val& t : detail::read_list(ctx_, v, 0, kMaxAgents, "{from, through} maps")) {
            const MapReader m(ctx_, t, {"from", "through"}, "a map {from: ID, through: ID}");
            const Val& fromv = m.require("from", "the participant whose troops travel");
            const Val& throughv = m.require("through", "the state they cross");
            core::Transit tr{agent_ref(fromv), agent_ref(throughv)};
            if (tr.from == tr.through)
                fail(ctx_, throughv, "'from' and 'through' must be different agents");
            if (tr.from == ps.host)
                fail(ctx_, fromv,
                     agent_ids_[tr.from] + " is the host; the host's troops need no transit");
            ps.transit.push_back(tr);
        }
    }

    /// A closed format: the members that may take part, each once, including the sponsor
    /// and the host (docs/scenario-format.md, "open_to"; docs/model.md III.4).
    void read_open_to(const Val& v, core::ProposalSpec& ps) {
        if (ps.kind == core::Kind::Membership)
            fail(ctx_, v, "a membership text binds every member; remove 'open_to'");
        for (const Val& e : detail::read_list(ctx_, v, 2, kMaxAgents, "member ids")) {
            const int a = agent_ref(e);
            require_member(e, a, "an agent in 'open_to'");
            if (std::find(ps.open_to.begin(), ps.open_to.end(), a) != ps.open_to.end())
                fail(ctx_, e, agent_ids_[a] + " is listed twice");
            ps.open_to.push_back(a);
        }
        auto listed = [&](int a) {
            return std::find(ps.open_to.begin(), ps.open_to.end(), a) != ps.open_to.end();
        };
        if (!listed(ps.sponsor))
            fail(ctx_, v, "the sponsor " + agent_ids_[ps.sponsor] + " must be in 'open_to'");
        if (ps.host >= 0 && !listed(ps.host))
            fail(ctx_, v, "the host " + agent_ids_[ps.host] + " must be in 'open_to'");
        for (const core::Transit& tr : ps.transit)
            if (!listed(tr.from))
                fail(ctx_, v,
                     "the transit participant " + agent_ids_[tr.from] + " must be in 'open_to'");
    }

    /// Agents to admit: known, not members, each once.
    std::vector<int> read_admit(const Val& v) {
        std::vector<int> out;
        for (const Val& e : detail::read_list(ctx_, v, 1, kMaxAgents, "agent ids")) {
            const int a = agent_ref(e);
            if (spec_.agents[a].role == core::Role::Member)
                fail(ctx_, e,
                     agent_ids_[a] + " is already a member; admit names observers or candidates");
            if (std::find(out.begin(), out.end(), a) != out.end())
                fail(ctx_, e, agent_ids_[a] + " is listed twice");
            out.push_back(a);
        }
        return out;
    }

    void read_shocks(const Val& v) {
        // Shocks may set any parameter defined by the scenario itself, not another shock's.
        const int n_base = spec_.params.size();
        const std::size_t first_index = spec_.shocks.size();  // a derived scenario appends
        std::vector<std::string> paths;
        for (int id = 0; id < n_base; ++id) paths.push_back(spec_.params[id].path);
        std::vector<int> admitted;
        const std::vector<Val> list = detail::read_list(ctx_, v, 0, kMaxShocks, "shocks");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const MapReader m(ctx_, list[i], {"period", "set", "admit"}, "a shock map");
            core::Shock sh;
            sh.period = year_index(m.require("period", "the calendar year it takes effect"));
            const Val* set = m.find("set");
            const Val* admit = m.find("admit");
            if (!set && !admit) fail(ctx_, list[i], "a shock needs 'set', 'admit' or both");
            if (set) {
                const MapReader sm(ctx_, *set, {}, "a map {PARAMETER_PATH: number}");
                for (const auto& e : sm.entries()) {
                    const auto it = std::find(paths.begin(), paths.end(), e.key);
                    if (it == paths.end())
                        fail(ctx_, e.key_mark, e.value.path,
                             detail::unknown_path_message(e.key, paths));
                    const ParamId target = static_cast<ParamId>(it - paths.begin());
                    const core::ParamDef def = spec_.params[target];
                    sh.set.push_back(add_number(
                        &e.value, 0.0, "shocks." + std::to_string(first_index + i) + "." + def.path,
                        def.range, def.field, def.a, def.b, def.integer));
                    sh.targets.push_back(target);
                }
            }
            if (admit) {
                sh.admit = read_admit(*admit);
                const std::vector<Val> ids =
                    detail::read_list(ctx_, *admit, 1, kMaxAgents, "agent ids");
                for (std::size_t k = 0; k < sh.admit.size(); ++k) {
                    if (std::find(admitted.begin(), admitted.end(), sh.admit[k]) != admitted.end())
                        fail(ctx_, ids[k],
                             agent_ids_[sh.admit[k]] + " is already admitted by an earlier shock");
                    admitted.push_back(sh.admit[k]);
                }
            }
            spec_.shocks.push_back(std::move(sh));
        }
    }
};

/// The files being loaded, outermost first: a derived scenario's chain of bases.
struct Chain {
    std::vector<std::string> canonical;  ///< for cycle detection
    std::vector<std::string> shown;      ///< as named, for messages
};

Scenario load_file_in_chain(const std::string& path, Chain chain);

void read_derived_format(const Context& ctx, const MapReader& top) {
    const Val& v = top.require("format", "write: format: sco-sim/1");
    const std::string f = detail::read_text(ctx, v);
    if (f != "sco-sim/1")
        fail(ctx, v, "unsupported format '" + f + "'; this version reads 'sco-sim/1'");
}

std::string canonical_name(const std::string& path) {
    std::error_code ec;
    const auto c = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : c.string();
}

Scenario load_checked(const std::string& text, const std::string& file, Chain chain) {
    if (text.size() > kMaxScenarioBytes)
        throw ScenarioError(file, 0, 0, "",
                            "the file is " + std::to_string(text.size()) +
                                " bytes; scenario files are limited to 16 MiB");
    detail::check_text(text, file);
    const Context ctx{file, true};
    const YAML::Node root = detail::load_document(ctx, text, "a scenario file");
    if (root.IsNull())
        throw ScenarioError(file, 0, 0, "",
                            "the file is empty; a scenario starts with format: sco-sim/1");
    chain.canonical.push_back(canonical_name(file));
    chain.shown.push_back(file);
    Scenario sc;
    if (root.IsMap() && root["extends"]) {
        for (const auto& kv : root) {
            const YAML::Node k = kv.first;
            if (!k.IsScalar()) continue;  // the reader below says what is wrong
            const std::string key = k.Scalar();
            if (std::find(kTopKeys.begin(), kTopKeys.end(), key) != kTopKeys.end() &&
                std::find(kDerivedKeys.begin(), kDerivedKeys.end(), key) == kDerivedKeys.end())
                fail_structure_in_derived(ctx, k.Mark(), key);
        }
        const Val doc{root, "", root.Mark()};
        const MapReader top(ctx, doc, kDerivedKeys, "a map of derived-scenario keys");
        read_derived_format(ctx, top);
        const Val& ext = top.require("extends", "the base scenario file");
        const std::string rel = detail::read_text(ctx, ext, "a file name");
        if (rel.empty()) fail(ctx, ext, "expected the base scenario's file name, got ''");
        const std::filesystem::path base_path =
            std::filesystem::path(file).parent_path() / std::filesystem::path(rel);
        std::error_code ec;
        const auto status = std::filesystem::status(base_path, ec);
        if (!std::filesystem::exists(status))
            fail(ctx, ext, "the base scenario " + base_path.string() + " does not exist");
        if (std::filesystem::is_directory(status))
            fail(ctx, ext,
                 "the base scenario " + base_path.string() + " is a directory, not a file");
        if (!std::filesystem::is_regular_file(status))
            fail(ctx, ext, "the base scenario " + base_path.string() + " is not a regular file");
        const std::string canon = canonical_name(base_path.string());
        const auto seen = std::find(chain.canonical.begin(), chain.canonical.end(), canon);
        if (seen != chain.canonical.end()) {
            std::string cycle;
            for (auto i = static_cast<std::size_t>(seen - chain.canonical.begin());
                 i < chain.shown.size(); ++i)
                cycle += chain.shown[i] + " -> ";
            fail(ctx, ext,
                 "'extends' makes a cycle: " + cycle + base_path.string() +
                     "; a scenario cannot be its own base");
        }
        if (chain.canonical.size() >= static_cast<std::size_t>(kMaxExtendsDepth))
            fail(ctx, ext,
                 "'extends' goes " + std::to_string(kMaxExtendsDepth) + " files deep; at most " +
                     std::to_string(kMaxExtendsDepth) + " are allowed");
        Scenario base = load_file_in_chain(base_path.string(), chain);
        sc.spec = Builder(ctx).derive(root, std::move(base.spec));
        // Provenance keeps every file the scenario is made of.
        sc.text = text + "\n# ---- extends " + base.path + " ----\n" + base.text;
    } else {
        sc.spec = Builder(ctx).build(root);
        sc.text = text;
    }
    const std::string problems = core::check_spec(sc.spec);
    if (!problems.empty())
        throw ScenarioError(file, 0, 0, "", "inconsistent scenario: " + problems);
    sc.path = file;
    return sc;
}

Scenario load_string_in_chain(const std::string& text, const std::string& display_name,
                              Chain chain) {
    try {
        return load_checked(text, display_name, std::move(chain));
    } catch (const ScenarioError&) {
        throw;
    } catch (const YAML::Exception& e) {
        const bool known = !e.mark.is_null() && e.mark.line >= 0;
        throw ScenarioError(display_name, known ? e.mark.line + 1 : 0,
                            known ? e.mark.column + 1 : 0, "", e.msg);
    } catch (const std::bad_alloc&) {
        throw ScenarioError(display_name, 0, 0, "", "out of memory while reading the file");
    } catch (const std::exception& e) {
        throw ScenarioError(display_name, 0, 0, "", std::string("cannot load: ") + e.what());
    }
}

Scenario load_file_in_chain(const std::string& path, Chain chain) {
    std::error_code ec;
    const std::filesystem::path p(path);
    if (!std::filesystem::exists(p, ec)) throw ScenarioError(path, 0, 0, "", "no such file");
    if (std::filesystem::is_directory(p, ec))
        throw ScenarioError(path, 0, 0, "", "is a directory, not a scenario file");
    const auto size = std::filesystem::file_size(p, ec);
    if (!ec && size > kMaxScenarioBytes)
        throw ScenarioError(
            path, 0, 0, "",
            "the file is " + std::to_string(size) + " bytes; scenario files are limited to 16 MiB");
    std::ifstream in(p, std::ios::binary);
    if (!in) throw ScenarioError(path, 0, 0, "", "cannot open the file for reading");
    std::string text;
    std::array<char, 65536> buf{};
    while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
        text.append(buf.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxScenarioBytes)
            throw ScenarioError(
                path, 0, 0, "",
                "the file is larger than 16 MiB; scenario files are limited to 16 MiB");
    }
    if (in.bad()) throw ScenarioError(path, 0, 0, "", "read error");
    return load_string_in_chain(text, path, std::move(chain));
}

}  // namespace

Scenario load_string(const std::string& text, const std::string& display_name) {
    return load_string_in_chain(text, display_name, Chain{});
}

Scenario load_file(const std::string& path) {
    return load_file_in_chain(path, Chain{});
}

}  // namespace sco::scenario
