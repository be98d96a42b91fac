#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "scenario_fixture.h"
#include "sim/scenario/loader.h"

namespace sco::scenario {
namespace {

using core::Field;
using testing::edited;
using testing::kBase;
using testing::line_of;
using testing::load_error;

// Checks the error of loading `text`: its line, key path and a part of the message.
#define EXPECT_LOAD_ERROR(text, expected_line, expected_key, message_part)               \
    do {                                                                                 \
        const ScenarioError err_ = load_error(text);                                     \
        EXPECT_EQ(err_.file, "t.yaml");                                                  \
        EXPECT_EQ(err_.line, (expected_line)) << err_.what();                            \
        EXPECT_EQ(err_.key, (expected_key)) << err_.what();                              \
        EXPECT_NE(err_.message.find(message_part), std::string::npos)                    \
            << "message: " << err_.message << "\nexpected to contain: " << message_part; \
    } while (false)

const core::ParamDef& param(const core::ModelSpec& s, const std::string& path) {
    const core::ParamId id = s.params.find(path);
    EXPECT_NE(id, core::kNoParam) << path;
    static const core::ParamDef missing{};
    return id == core::kNoParam ? missing : s.params[id];
}

// ---------------------------------------------------------------- valid input

TEST(Loader, BaseScenarioBuildsTheSpec) {
    const Scenario sc = load_string(kBase, "base.yaml");
    const core::ModelSpec& s = sc.spec;
    EXPECT_EQ(sc.path, "base.yaml");
    EXPECT_EQ(sc.text, kBase);
    EXPECT_EQ(s.name, "Test");
    EXPECT_EQ(s.first_period, 2014);
    EXPECT_EQ(s.periods, 3);
    EXPECT_EQ(s.dimensions, (std::vector<std::string>{"mil", "ct"}));
    EXPECT_EQ(s.threats, (std::vector<std::string>{"terror"}));
    ASSERT_EQ(s.n_agents(), 4);
    EXPECT_EQ(s.agents[0].id, "RUS");
    EXPECT_TRUE(s.agents[0].great_power);
    EXPECT_FALSE(s.agents[1].great_power);
    EXPECT_EQ(s.agents[3].role, core::Role::Candidate);
    EXPECT_EQ(s.agents[1].role, core::Role::Member);
    EXPECT_EQ(s.variants, core::Variants{});
    EXPECT_EQ(core::check_spec(s), "");
}

TEST(Loader, AgentParametersHavePathFieldIndicesAndRange) {
    const core::ModelSpec s = load_string(kBase, "t.yaml").spec;
    const core::ParamDef& sov = param(s, "agents.UZB.sovereignty");
    EXPECT_EQ(sov.field, Field::Sovereignty);
    EXPECT_EQ(sov.a, 1);
    EXPECT_EQ(sov.dist, core::Distribution::fixed(0.9));
    EXPECT_EQ(sov.range.lo, 0.0);
    EXPECT_EQ(sov.range.hi, 1.0);
    EXPECT_FALSE(sov.integer);
    EXPECT_EQ(s.agents[1].sovereignty, s.params.find("agents.UZB.sovereignty"));

    // Defaults are parameters too.
    const core::ParamDef& mil = param(s, "agents.UZB.military_reluctance");
    EXPECT_EQ(mil.field, Field::MilitaryReluctance);
    EXPECT_EQ(mil.dist, core::Distribution::fixed(0.0));
    const core::ParamDef& sal = param(s, "agents.TJK.salience.ct");
    EXPECT_EQ(sal.field, Field::Salience);
    EXPECT_EQ(sal.a, 2);
    EXPECT_EQ(sal.b, 1);
    const core::ParamDef& thr = param(s, "agents.PAK.threat.terror");
    EXPECT_EQ(thr.field, Field::Threat);
    EXPECT_EQ(thr.a, 3);
    EXPECT_EQ(thr.b, 0);
    const core::ParamDef& pos = param(s, "agents.RUS.position.ct");
    EXPECT_EQ(pos.field, Field::Position);
    EXPECT_EQ(pos.dist, core::Distribution::fixed(0.7));
    ASSERT_EQ(s.agents[0].position.size(), 2u);
    EXPECT_EQ(s.agents[0].position[1], s.params.find("agents.RUS.position.ct"));
    ASSERT_EQ(s.agents[2].threat.size(), 1u);

    // Susceptibility only where given: a = target, b = great power.
    const core::ParamDef& sus = param(s, "agents.UZB.susceptibility.RUS");
    EXPECT_EQ(sus.field, Field::Susceptibility);
    EXPECT_EQ(sus.a, 1);
    EXPECT_EQ(sus.b, 0);
    EXPECT_EQ(s.params.find("agents.TJK.susceptibility.RUS"), core::kNoParam);

    // Relation pairs: ids sorted in the path.
    const core::ParamDef& ten = param(s, "relations.tension.TJK-UZB");
    EXPECT_EQ(ten.field, Field::Tension);
    EXPECT_EQ(std::min(ten.a, ten.b), 1);
    EXPECT_EQ(std::max(ten.a, ten.b), 2);
    EXPECT_EQ(ten.dist, core::Distribution::fixed(0.7));
    EXPECT_EQ(s.params.find("relations.tension.UZB-TJK"), core::kNoParam);

    const core::ParamDef& sq = param(s, "status_quo.ct");
    EXPECT_EQ(sq.field, Field::StatusQuo);
    EXPECT_EQ(sq.a, 1);
    EXPECT_EQ(sq.dist, core::Distribution::fixed(0.4));
}

TEST(Loader, DynamicsAreAllCreatedWithDefaults) {
    const core::ModelSpec s = load_string(edited("agents:\n",
                                                 "dynamics: {rounds: 5, "
                                                 "logit_precision: {beta: [2, 3]}}\n"
                                                 "agents:\n"),
                                          "t.yaml")
                                  .spec;
    for (int d = 0; d < core::kDynCount; ++d) {
        const auto dyn = static_cast<core::Dyn>(d);
        const core::ParamDef& def = s.params[s.dynamics[d]];
        EXPECT_EQ(def.path, "dynamics." + std::string(core::kDynNames.name(dyn)));
        EXPECT_EQ(def.field, Field::Dynamics);
        EXPECT_EQ(def.a, d);
        EXPECT_EQ(def.range.lo, core::dyn_default(dyn).range.lo);
        EXPECT_EQ(def.range.hi, core::dyn_default(dyn).range.hi);
        EXPECT_EQ(def.integer, core::dyn_default(dyn).integer);
        if (dyn == core::Dyn::Rounds)
            EXPECT_EQ(def.dist, core::Distribution::fixed(5.0));
        else if (dyn == core::Dyn::LogitPrecision)
            EXPECT_EQ(def.dist, core::Distribution::beta(2.0, 3.0));
        else
            EXPECT_EQ(def.dist, core::Distribution::fixed(core::dyn_default(dyn).value));
    }
    EXPECT_TRUE(s.params[s.dynamics[static_cast<int>(core::Dyn::Rounds)]].integer);
}

TEST(Loader, ProposalDefaultsAndIndices) {
    const core::ModelSpec s = load_string(kBase, "t.yaml").spec;
    ASSERT_EQ(s.n_proposals(), 2);
    const core::ProposalSpec& ex = s.proposals[0];
    EXPECT_EQ(ex.id, "peace_mission_tjk");
    EXPECT_EQ(ex.title, "peace_mission_tjk");
    EXPECT_EQ(ex.kind, core::Kind::Exercise);
    EXPECT_EQ(ex.sponsor, 0);
    EXPECT_EQ(ex.host, 2);
    ASSERT_EQ(ex.transit.size(), 1u);
    EXPECT_EQ(ex.transit[0].from, 0);
    EXPECT_EQ(ex.transit[0].through, 1);
    EXPECT_TRUE(ex.opt_out);
    EXPECT_TRUE(ex.recurring);
    EXPECT_EQ(ex.first_period, 0);
    EXPECT_EQ(ex.last_period, 2);
    EXPECT_EQ(ex.position, (std::vector<core::ParamId>{core::kNoParam, core::kNoParam}));
    const core::ParamDef& mp = s.params[ex.min_participants];
    EXPECT_EQ(mp.path, "agenda.peace_mission_tjk.min_participants");
    EXPECT_EQ(mp.field, Field::MinParticipants);
    EXPECT_EQ(mp.a, 0);
    EXPECT_TRUE(mp.integer);
    EXPECT_EQ(mp.dist, core::Distribution::fixed(2.0));
    EXPECT_EQ(mp.range.lo, 1.0);
    EXPECT_EQ(mp.range.hi, 4096.0);
    const core::ParamDef& un = s.params[ex.uncertainty];
    EXPECT_EQ(un.path, "agenda.peace_mission_tjk.uncertainty");
    EXPECT_EQ(un.dist, core::Distribution::fixed(0.0));
    ASSERT_EQ(ex.relevance.size(), 1u);
    EXPECT_EQ(s.params[ex.relevance[0]].path, "agenda.peace_mission_tjk.relevance.terror");
    EXPECT_EQ(s.params[ex.relevance[0]].field, Field::Relevance);

    const core::ProposalSpec& mem = s.proposals[1];
    EXPECT_EQ(mem.kind, core::Kind::Membership);
    EXPECT_FALSE(mem.opt_out);
    EXPECT_FALSE(mem.recurring);
    EXPECT_EQ(mem.host, -1);
    EXPECT_EQ(mem.admit, std::vector<int>{3});
    EXPECT_EQ(s.params[mem.min_participants].dist, core::Distribution::fixed(1.0));
    EXPECT_EQ(s.params[mem.min_participants].a, 1);
}

TEST(Loader, ProposalExplicitFields) {
    const std::string text = edited("    admit: [PAK]\n",
                                    "    admit: [PAK]\n"
                                    "    title: Admit Pakistan\n"
                                    "    opt_out: true\n"
                                    "    recurring: true\n"
                                    "    min_participants: {uniform: [2, 3]}\n"
                                    "    periods: [2015, 2016]\n"
                                    "    uncertainty: {normal: [0.3, 0.1]}\n"
                                    "    position: {ct: 0.9}\n"
                                    "    relevance: {terror: 0.5}\n");
    const core::ModelSpec s = load_string(text, "t.yaml").spec;
    const core::ProposalSpec& p = s.proposals[1];
    EXPECT_EQ(p.title, "Admit Pakistan");
    EXPECT_TRUE(p.opt_out);
    EXPECT_TRUE(p.recurring);
    EXPECT_EQ(p.first_period, 1);
    EXPECT_EQ(p.last_period, 2);
    EXPECT_EQ(s.params[p.min_participants].dist, core::Distribution::uniform(2, 3));
    EXPECT_EQ(s.params[p.uncertainty].dist, core::Distribution::normal(0.3, 0.1));
    EXPECT_EQ(p.position[0], core::kNoParam);
    ASSERT_NE(p.position[1], core::kNoParam);
    const core::ParamDef& pos = s.params[p.position[1]];
    EXPECT_EQ(pos.path, "agenda.admit_pak.position.ct");
    EXPECT_EQ(pos.field, Field::ProposalPosition);
    EXPECT_EQ(pos.a, 1);
    EXPECT_EQ(pos.b, 1);
    EXPECT_EQ(s.params[p.relevance[0]].dist, core::Distribution::fixed(0.5));
}

TEST(Loader, DistributionsAreParsed) {
    const std::string text =
        edited("    sovereignty: 0.9\n",
               "    sovereignty: {beta: [8, 2]}\n    military_reluctance: {uniform: [0.2, 0.4]}\n"
               "    salience: {mil: {normal: [0.5, 0.1]}, ct: {fixed: 0.25}}\n");
    const core::ModelSpec s = load_string(text, "t.yaml").spec;
    EXPECT_EQ(param(s, "agents.UZB.sovereignty").dist, core::Distribution::beta(8, 2));
    EXPECT_EQ(param(s, "agents.UZB.military_reluctance").dist,
              core::Distribution::uniform(0.2, 0.4));
    EXPECT_EQ(param(s, "agents.UZB.salience.mil").dist, core::Distribution::normal(0.5, 0.1));
    EXPECT_EQ(param(s, "agents.UZB.salience.ct").dist, core::Distribution::fixed(0.25));
    EXPECT_EQ(s.params.random_ids().size(), 3u);
}

TEST(Loader, VariantsAreParsed) {
    const core::ModelSpec s =
        load_string(edited("agents:\n",
                           "model: {choice: deterministic, amendment: none, pressure: disabled,\n"
                           "        sponsor: expected_value}\n"
                           "agents:\n"),
                    "t.yaml")
            .spec;
    EXPECT_EQ(s.variants.choice, core::ChoiceRule::Deterministic);
    EXPECT_EQ(s.variants.amendment, core::AmendmentRule::None);
    EXPECT_EQ(s.variants.pressure, core::PressureRule::Disabled);
    EXPECT_EQ(s.variants.sponsor, core::SponsorRule::ExpectedValue);
    EXPECT_EQ(core::Variants{}.sponsor, core::SponsorRule::Likely);
    // A misspelt rule is named with its line and key, and the rules it could be.
    const std::string bad = edited("agents:\n", "model: {sponsor: expected}\nagents:\n");
    EXPECT_LOAD_ERROR(bad, line_of(bad, "model:"), "model.sponsor",
                      "unknown sponsor rule 'expected'");
}

TEST(Loader, ShocksBecomeParametersWithTheTargetsField) {
    const std::string text = kBase +
                             "shocks:\n"
                             "  - period: 2015\n"
                             "    set: {agents.UZB.sovereignty: {uniform: [0.5, 0.7]},\n"
                             "          dynamics.rounds: 4, relations.tension.TJK-UZB: 0.2}\n"
                             "  - {period: 2016, admit: [PAK]}\n";
    const core::ModelSpec s = load_string(text, "t.yaml").spec;
    ASSERT_EQ(s.shocks.size(), 2u);
    const core::Shock& a = s.shocks[0];
    EXPECT_EQ(a.period, 1);
    ASSERT_EQ(a.set.size(), 3u);
    ASSERT_EQ(a.targets.size(), 3u);
    EXPECT_EQ(a.targets[0], s.params.find("agents.UZB.sovereignty"));
    const core::ParamDef& p = s.params[a.set[0]];
    EXPECT_EQ(p.path, "shocks.0.agents.UZB.sovereignty");
    EXPECT_EQ(p.field, Field::Sovereignty);
    EXPECT_EQ(p.a, 1);
    EXPECT_EQ(p.dist, core::Distribution::uniform(0.5, 0.7));
    const core::ParamDef& r = s.params[a.set[1]];
    EXPECT_EQ(r.path, "shocks.0.dynamics.rounds");
    EXPECT_TRUE(r.integer);
    EXPECT_EQ(r.range.lo, 1.0);
    EXPECT_EQ(r.field, Field::Dynamics);
    EXPECT_EQ(s.params[a.set[2]].field, Field::Tension);
    EXPECT_EQ(s.shocks[1].period, 2);
    EXPECT_EQ(s.shocks[1].admit, std::vector<int>{3});
    EXPECT_TRUE(s.shocks[1].set.empty());
}

TEST(Loader, ParameterOrderIsDeterministic) {
    const core::ModelSpec a = load_string(kBase, "t.yaml").spec;
    const core::ModelSpec b = load_string(kBase, "t.yaml").spec;
    ASSERT_EQ(a.params.size(), b.params.size());
    for (int i = 0; i < a.params.size(); ++i) EXPECT_EQ(a.params[i].path, b.params[i].path);
    // Dynamics first, then status quo, then agents in file order.
    EXPECT_EQ(a.params[0].path, "dynamics.logit_precision");
    EXPECT_EQ(a.params[core::kDynCount].path, "status_quo.mil");
    EXPECT_EQ(a.params[core::kDynCount + 2].path, "agents.RUS.capability");
    EXPECT_LT(a.params.find("agents.TJK.capability"), a.params.find("agents.PAK.capability"));
}

TEST(Loader, AnchorsAndAliasesAreResolved) {
    const std::string text = edited("    position: {mil: 0.5, ct: 0.5}\n",
                                    "    position: &mid {mil: 0.5, ct: 0.5}\n"
                                    "    salience: *mid\n");
    const core::ModelSpec s = load_string(text, "t.yaml").spec;
    EXPECT_EQ(param(s, "agents.TJK.salience.ct").dist, core::Distribution::fixed(0.5));
}

TEST(LoaderFile, SmallFixtureLoads) {
    const std::string path = std::string(SCO_TEST_DATA) + "/scenario/small.yaml";
    const Scenario sc = load_file(path);
    const core::ModelSpec& s = sc.spec;
    EXPECT_EQ(sc.path, path);
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(sc.text, text);
    EXPECT_EQ(s.n_agents(), 4);
    EXPECT_EQ(s.n_dims(), 2);
    EXPECT_EQ(s.n_threats(), 1);
    ASSERT_EQ(s.n_proposals(), 3);
    int members = 0, great = 0;
    for (const auto& a : s.agents) {
        members += a.role == core::Role::Member;
        great += a.great_power;
    }
    EXPECT_EQ(members, 3);
    EXPECT_EQ(great, 1);
    EXPECT_EQ(s.proposals[0].kind, core::Kind::Exercise);
    EXPECT_GE(s.proposals[0].host, 0);
    EXPECT_FALSE(s.proposals[0].transit.empty());
    EXPECT_EQ(s.proposals[1].kind, core::Kind::Declaration);
    EXPECT_EQ(s.proposals[2].kind, core::Kind::Membership);
    EXPECT_EQ(s.proposals[2].admit, std::vector<int>{s.agent_index("IND")});
    EXPECT_EQ(param(s, "agents.UZB.military_reluctance").dist, core::Distribution::beta(8, 2));
    EXPECT_EQ(param(s, "dynamics.dialogue_rate").dist, core::Distribution::uniform(0.1, 0.2));
    EXPECT_EQ(s.shocks.size(), 1u);
    EXPECT_EQ(core::check_spec(s), "");
}

TEST(LoaderFile, MissingFileAndDirectory) {
    try {
        load_file("/nonexistent/dir/x.yaml");
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.file, "/nonexistent/dir/x.yaml");
        EXPECT_EQ(e.line, 0);
        EXPECT_EQ(std::string(e.what()), "/nonexistent/dir/x.yaml: no such file");
    }
    EXPECT_THROW(load_file(SCO_TEST_DATA), ScenarioError);
}

TEST(LoaderFile, RefusesFilesAbove16MiB) {
    const auto path = std::filesystem::temp_directory_path() / "sco_scenario_huge_test.yaml";
    { std::ofstream(path) << "format: sco-sim/1\n"; }
    std::filesystem::resize_file(path, kMaxScenarioBytes + 1);  // sparse: cheap
    try {
        load_file(path.string());
        ADD_FAILURE() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_NE(e.message.find(std::to_string(kMaxScenarioBytes + 1) + " bytes"),
                  std::string::npos)
            << e.message;
        EXPECT_NE(e.message.find("16 MiB"), std::string::npos);
    }
    std::filesystem::remove(path);
}

// ---------------------------------------------------------------- error format

TEST(LoaderErrors, WhatHasFileLineColumnKeyMessage) {
    const std::string text = edited("    sovereignty: 0.9", "    sovereingty: 0.9");
    const ScenarioError e = load_error(text);
    EXPECT_EQ(std::string(e.what()),
              "t.yaml:16:5: agents[UZB].sovereingty: unknown key 'sovereingty'; did you mean "
              "'sovereignty'?");
    EXPECT_EQ(e.line, 16);
    EXPECT_EQ(e.column, 5);
}

TEST(LoaderErrors, WhatOmitsPositionWhenUnknown) {
    EXPECT_EQ(std::string(ScenarioError("f", 0, 0, "k", "m").what()), "f: k: m");
    EXPECT_EQ(std::string(ScenarioError("f", 0, 0, "", "m").what()), "f: m");
    EXPECT_EQ(std::string(ScenarioError("f", 3, 7, "k", "m").what()), "f:3:7: k: m");
}

// ---------------------------------------------------------------- unknown and missing keys

TEST(LoaderErrors, UnknownKeys) {
    EXPECT_LOAD_ERROR(edited("threats:", "threads:"), 5, "threads", "did you mean 'threats'?");
    EXPECT_LOAD_ERROR(edited("    kind: exercise", "    knid: exercise"),
                      line_of(kBase, "    kind: exercise"), "agenda[peace_mission_tjk].knid",
                      "did you mean 'kind'?");
    EXPECT_LOAD_ERROR(edited("relations:\n  tension", "relations:\n  tensions"),
                      line_of(kBase, "  tension:"), "relations.tensions",
                      "did you mean 'tension'?");
    EXPECT_LOAD_ERROR(edited("periods: {first: 2014,", "periods: {start: 2014,"), 3,
                      "periods.start", "expected one of: first, count");
    EXPECT_LOAD_ERROR(edited("agents:\n", "model: {choise: logit}\nagents:\n"), 7, "model.choise",
                      "did you mean 'choice'?");
    EXPECT_LOAD_ERROR(edited("    transit: [{from: RUS,", "    transit: [{form: RUS,"),
                      line_of(kBase, "    transit"), "agenda[peace_mission_tjk].transit[0].form",
                      "did you mean 'from'?");
}

TEST(LoaderErrors, MissingRequiredKeys) {
    // Reported at the map that lacks the key.
    EXPECT_LOAD_ERROR(edited("    capability: 0.1\n    sovereignty", "    sovereignty"),
                      line_of(kBase, "  - id: UZB"), "agents[UZB].capability",
                      "missing required key 'capability'");
    EXPECT_LOAD_ERROR(edited("name: Test\n", ""), 1, "name", "missing required key 'name'");
    EXPECT_LOAD_ERROR(edited("    kind: membership\n", ""), line_of(kBase, "  - id: admit_pak"),
                      "agenda[admit_pak].kind", "missing required key 'kind'");
    EXPECT_LOAD_ERROR(edited("  - id: TJK\n", "  -\n"), line_of(kBase, "  - id: TJK") + 1,
                      "agents[2].id", "missing required key 'id'");
    EXPECT_LOAD_ERROR(edited("periods: {first: 2014, count: 3}", "periods: {first: 2014}"), 3,
                      "periods.count", "missing required key 'count'");
}

TEST(LoaderErrors, EveryDimensionNeedsAPositionAndStatusQuo) {
    EXPECT_LOAD_ERROR(edited("    position: {mil: 0.2, ct: 0.6}", "    position: {mil: 0.2}"),
                      line_of(kBase, "    position: {mil: 0.2, ct: 0.6}"),
                      "agents[UZB].position.ct", "missing dimension 'ct'");
    EXPECT_LOAD_ERROR(edited("status_quo: {mil: 0.3, ct: 0.4}", "status_quo: {mil: 0.3}"), 6,
                      "status_quo.ct", "missing dimension 'ct'");
}

TEST(LoaderErrors, UndeclaredDimensionsAndThreats) {
    EXPECT_LOAD_ERROR(
        edited("    position: {mil: 0.2, ct: 0.6}", "    position: {mli: 0.2, ct: 0.6}"),
        line_of(kBase, "    position: {mil: 0.2, ct: 0.6}"), "agents[UZB].position.mli",
        "unknown dimension 'mli'; did you mean 'mil'?");
    EXPECT_LOAD_ERROR(
        edited("    sovereignty: 0.9\n", "    sovereignty: 0.9\n    threat: {teror: 0.4}\n"),
        line_of(kBase, "    sovereignty: 0.9") + 1, "agents[UZB].threat.teror",
        "unknown threat 'teror'; did you mean 'terror'?");
    EXPECT_LOAD_ERROR(
        edited("    admit: [PAK]\n", "    admit: [PAK]\n    relevance: {drugs: 0.3}\n"),
        line_of(kBase, "    admit: [PAK]") + 1, "agenda[admit_pak].relevance.drugs",
        "unknown threat 'drugs'; declared: terror");
    EXPECT_LOAD_ERROR(edited("agents:\n", "dynamics: {tension_wieght: 2}\nagents:\n"), 7,
                      "dynamics.tension_wieght", "did you mean 'tension_weight'?");
}

// ---------------------------------------------------------------- types and values

TEST(LoaderErrors, WrongTypes) {
    const int cap = line_of(kBase, "    capability: 0.1");
    EXPECT_LOAD_ERROR(edited("    capability: 0.1", "    capability: high"), cap,
                      "agents[UZB].capability", "expected a number, got 'high'");
    EXPECT_LOAD_ERROR(edited("    capability: 0.1", "    capability: [0.1]"), cap,
                      "agents[UZB].capability", "got a list");
    EXPECT_LOAD_ERROR(edited("    capability: 0.1", "    capability: \"0.1\""), cap,
                      "agents[UZB].capability", "expected a number, got the quoted text '0.1'");
    EXPECT_LOAD_ERROR(edited("    capability: 0.1", "    capability:"), cap,
                      "agents[UZB].capability", "got nothing");
    EXPECT_LOAD_ERROR(edited("    position: {mil: 0.2, ct: 0.6}", "    position: [0.2, 0.6]"),
                      line_of(kBase, "    position: {mil: 0.2, ct: 0.6}"), "agents[UZB].position",
                      "expected a map {dimension: number}, got a list");
    EXPECT_LOAD_ERROR(edited("    great_power: true", "    great_power: yes"), 10,
                      "agents[RUS].great_power", "expected true or false");
    EXPECT_LOAD_ERROR(edited("dimensions: [mil, ct]", "dimensions: {mil: 1}"), 4, "dimensions",
                      "expected a list of dimensions, got a map");
    EXPECT_LOAD_ERROR("- format: sco-sim/1\n", 1, "",
                      "expected a map of scenario keys, got a list");
}

TEST(LoaderErrors, NonFiniteNumbers) {
    const int line = line_of(kBase, "    sovereignty: 0.9");
    for (const char* bad : {".nan", ".inf", "-.Inf", ".NaN", "1e999"}) {
        SCOPED_TRACE(bad);
        EXPECT_LOAD_ERROR(edited("    sovereignty: 0.9", std::string("    sovereignty: ") + bad),
                          line, "agents[UZB].sovereignty", "");
        const ScenarioError e =
            load_error(edited("    sovereignty: 0.9", std::string("    sovereignty: ") + bad));
        EXPECT_TRUE(e.message.find("finite") != std::string::npos ||
                    e.message.find("too large") != std::string::npos)
            << e.message;
    }
    EXPECT_LOAD_ERROR(edited("    sovereignty: 0.9", "    sovereignty: {uniform: [0, .inf]}"), line,
                      "agents[UZB].sovereignty.uniform[1]", "finite");
}

TEST(LoaderErrors, OutOfRangeValuesNameTheRange) {
    EXPECT_LOAD_ERROR(edited("    sovereignty: 0.9", "    sovereignty: 1.5"),
                      line_of(kBase, "    sovereignty: 0.9"), "agents[UZB].sovereignty",
                      "value 1.5 is outside the range [0, 1]");
    EXPECT_LOAD_ERROR(edited("tension: [[UZB, TJK, 0.7]]", "tension: [[UZB, TJK, -0.1]]"),
                      line_of(kBase, "  tension:"), "relations.tension[0][2]",
                      "outside the range [0, 1]");
    EXPECT_LOAD_ERROR(edited("agents:\n", "dynamics: {rounds: 0}\nagents:\n"), 7, "dynamics.rounds",
                      "value 0 is outside the range [1, 50]");
    EXPECT_LOAD_ERROR(edited("agents:\n", "dynamics: {rounds: 2.5}\nagents:\n"), 7,
                      "dynamics.rounds", "expected a whole number");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]\n", "    admit: [PAK]\n    min_participants: 0\n"),
                      line_of(kBase, "    admit: [PAK]") + 1, "agenda[admit_pak].min_participants",
                      "outside the range [1, 4096]");
    EXPECT_LOAD_ERROR(edited("count: 3", "count: 201"), 3, "periods.count",
                      "outside the range [1, 200]");
    EXPECT_LOAD_ERROR(edited("count: 3", "count: 2.5"), 3, "periods.count", "whole number");
}

TEST(LoaderErrors, InvalidDistributions) {
    const int line = line_of(kBase, "    sovereignty: 0.9");
    const std::string key = "agents[UZB].sovereignty";
    auto with = [](const std::string& v) {
        return edited("    sovereignty: 0.9", "    sovereignty: " + v);
    };
    EXPECT_LOAD_ERROR(with("{beta: [0, 2]}"), line, key, "beta needs two positive shapes");
    EXPECT_LOAD_ERROR(with("{beta: [2, -1]}"), line, key, "beta needs two positive shapes");
    EXPECT_LOAD_ERROR(with("{uniform: [0.9, 0.2]}"), line, key, "lo <= hi");
    EXPECT_LOAD_ERROR(with("{uniform: [0.5, 1.5]}"), line, key, "outside the range [0, 1]");
    EXPECT_LOAD_ERROR(with("{normal: [0.5, 0]}"), line, key, "positive standard deviation");
    EXPECT_LOAD_ERROR(with("{normal: [2, 0.1]}"), line, key, "outside the range [0, 1]");
    EXPECT_LOAD_ERROR(with("{fixed: 3}"), line, key, "outside the range [0, 1]");
    EXPECT_LOAD_ERROR(with("{}"), line, key, "needs exactly one key");
    EXPECT_LOAD_ERROR(with("{uniform: [0.1, 0.2], beta: [2, 2]}"), line, key,
                      "needs exactly one key");
    EXPECT_LOAD_ERROR(with("{betta: [2, 2]}"), line, key + ".betta",
                      "unknown key 'betta'; did you mean 'beta'?");
    EXPECT_LOAD_ERROR(with("{gauss: [2, 2]}"), line, key + ".gauss",
                      "expected one of: fixed, uniform, beta, normal");
    EXPECT_LOAD_ERROR(with("{uniform: [0.1]}"), line, key + ".uniform",
                      "expected 2 numbers, got 1");
    EXPECT_LOAD_ERROR(with("{uniform: 0.1}"), line, key + ".uniform", "expected a list of numbers");
    EXPECT_LOAD_ERROR(with("[0.1, 0.2]"), line, key, "or a distribution such as");
    // empirical: a list of values, or values with weights
    EXPECT_LOAD_ERROR(with("{empirical: []}"), line, key + ".empirical", "expected");
    EXPECT_LOAD_ERROR(with("{empirical: [0.2, 1.2]}"), line, key + ".empirical[1]",
                      "outside the range [0, 1]");
    EXPECT_LOAD_ERROR(with("{empirical: {values: [0.2, 0.3], weights: [1]}}"), line,
                      key + ".empirical", "one weight per value");
    EXPECT_LOAD_ERROR(with("{empirical: {values: [0.2], weights: [-1]}}"), line,
                      key + ".empirical.weights[0]", "positive");
    EXPECT_LOAD_ERROR(with("{empirical: {value: [0.2]}}"), line, key + ".empirical.value",
                      "did you mean 'values'?");
}

TEST(Loader, EmpiricalDistribution) {
    const auto sc = load_string(
        edited("    sovereignty: 0.9", "    sovereignty: {empirical: [0.2, 0.4, 0.9]}"), "t.yaml");
    const auto& d = sc.spec.params[sc.spec.params.find("agents.UZB.sovereignty")].dist;
    EXPECT_EQ(d.kind, sco::core::DistKind::Empirical);
    EXPECT_EQ(d.values, (std::vector<double>{0.2, 0.4, 0.9}));
    const auto w =
        load_string(edited("    sovereignty: 0.9",
                           "    sovereignty: {empirical: {values: [0.2, 0.4], weights: [3, 1]}}"),
                    "t.yaml");
    const auto& dw = w.spec.params[w.spec.params.find("agents.UZB.sovereignty")].dist;
    EXPECT_DOUBLE_EQ(dw.cumulative[0], 0.75);
    EXPECT_DOUBLE_EQ(dw.cumulative[1], 1.0);
}

// ---------------------------------------------------------------- identities and references

TEST(LoaderErrors, DuplicateIds) {
    EXPECT_LOAD_ERROR(edited("  - id: TJK", "  - id: UZB"), line_of(kBase, "  - id: TJK"),
                      "agents[2].id", "duplicate agent id 'UZB'");
    EXPECT_LOAD_ERROR(edited("  - id: admit_pak", "  - id: peace_mission_tjk"),
                      line_of(kBase, "  - id: admit_pak"), "agenda[1].id",
                      "duplicate proposal id 'peace_mission_tjk'");
    EXPECT_LOAD_ERROR(edited("dimensions: [mil, ct]", "dimensions: [mil, mil]"), 4, "dimensions[1]",
                      "listed twice");
}

TEST(LoaderErrors, BadIds) {
    EXPECT_LOAD_ERROR(edited("  - id: TJK", "  - id: Tjk"), line_of(kBase, "  - id: TJK"),
                      "agents[2].id", "three capital letters");
    EXPECT_LOAD_ERROR(edited("  - id: admit_pak", "  - id: Admit-PAK"),
                      line_of(kBase, "  - id: admit_pak"), "agenda[1].id", "snake_case");
}

TEST(LoaderErrors, UnknownAgentReferences) {
    EXPECT_LOAD_ERROR(edited("    sponsor: RUS", "    sponsor: RUZ"),
                      line_of(kBase, "    sponsor: RUS"), "agenda[peace_mission_tjk].sponsor",
                      "unknown agent 'RUZ'; did you mean 'RUS'?");
    EXPECT_LOAD_ERROR(edited("    host: TJK", "    host: TKJ"), line_of(kBase, "    host: TJK"),
                      "agenda[peace_mission_tjk].host", "did you mean 'TJK'?");
    EXPECT_LOAD_ERROR(edited("through: UZB", "through: UBZ"), line_of(kBase, "    transit"),
                      "agenda[peace_mission_tjk].transit[0].through", "did you mean 'UZB'?");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]", "    admit: [PAQ]"),
                      line_of(kBase, "    admit: [PAK]"), "agenda[admit_pak].admit[0]",
                      "did you mean 'PAK'?");
    EXPECT_LOAD_ERROR(edited("[[UZB, TJK, 0.7]]", "[[UZB, TJJ, 0.7]]"),
                      line_of(kBase, "  tension:"), "relations.tension[0][1]",
                      "did you mean 'TJK'?");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]", "    admit: [XYZ]"),
                      line_of(kBase, "    admit: [PAK]"), "agenda[admit_pak].admit[0]",
                      "agents: RUS, UZB, TJK, PAK");
    EXPECT_LOAD_ERROR(kBase + "shocks:\n  - {period: 2015, admit: [PAKK]}\n",
                      line_of(kBase, "    admit: [PAK]") + 2, "shocks[0].admit[0]",
                      "did you mean 'PAK'?");
}

TEST(LoaderErrors, SusceptibilityKeysMustBeGreatPowers) {
    const int line = line_of(kBase, "    susceptibility");
    EXPECT_LOAD_ERROR(edited("susceptibility: {RUS: 0.3}", "susceptibility: {RSU: 0.3}"), line,
                      "agents[UZB].susceptibility.RSU", "did you mean 'RUS'?");
    EXPECT_LOAD_ERROR(edited("susceptibility: {RUS: 0.3}", "susceptibility: {TJK: 0.3}"), line,
                      "agents[UZB].susceptibility.TJK", "TJK is not a great power");
    EXPECT_LOAD_ERROR(edited("    position: {mil: 0.8, ct: 0.7}\n",
                             "    position: {mil: 0.8, ct: 0.7}\n    susceptibility: {RUS: 0.1}\n"),
                      line_of(kBase, "    position: {mil: 0.8, ct: 0.7}") + 1,
                      "agents[RUS].susceptibility.RUS", "its own pressure");
}

TEST(LoaderErrors, RelationsPairs) {
    const int line = line_of(kBase, "  tension:");
    EXPECT_LOAD_ERROR(edited("[[UZB, TJK, 0.7]]", "[[UZB, UZB, 0.7]]"), line,
                      "relations.tension[0][1]", "two different agents");
    EXPECT_LOAD_ERROR(edited("[[UZB, TJK, 0.7]]", "[[UZB, TJK, 0.7], [TJK, UZB, 0.2]]"), line,
                      "relations.tension[1]", "the pair TJK-UZB is listed twice");
    EXPECT_LOAD_ERROR(edited("[[UZB, TJK, 0.7]]", "[[UZB, TJK]]"), line, "relations.tension[0]",
                      "expected 3 entries in [A, B, number], got 2");
}

TEST(LoaderErrors, RolesOfSponsorHostTransit) {
    EXPECT_LOAD_ERROR(edited("    sponsor: RUS\n    admit", "    sponsor: PAK\n    admit"),
                      line_of(kBase, "    sponsor: RUS\n    admit"), "agenda[admit_pak].sponsor",
                      "the sponsor must be a member, but PAK is candidate");
    EXPECT_LOAD_ERROR(edited("    host: TJK", "    host: PAK"), line_of(kBase, "    host: TJK"),
                      "agenda[peace_mission_tjk].host", "the host must be a member");
    EXPECT_LOAD_ERROR(edited("through: UZB", "through: RUS"), line_of(kBase, "    transit"),
                      "agenda[peace_mission_tjk].transit[0].through", "must be different");
    EXPECT_LOAD_ERROR(edited("{from: RUS, through: UZB}", "{from: TJK, through: UZB}"),
                      line_of(kBase, "    transit"), "agenda[peace_mission_tjk].transit[0].from",
                      "TJK is the host");
    EXPECT_LOAD_ERROR(edited("    kind: exercise", "    kind: declaration"),
                      line_of(kBase, "    host: TJK"), "agenda[peace_mission_tjk].host",
                      "only exercises and institutions have a host");
    EXPECT_LOAD_ERROR(edited("    kind: exercise", "    kind: exercize"),
                      line_of(kBase, "    kind: exercise"), "agenda[peace_mission_tjk].kind",
                      "unknown kind 'exercize'; did you mean 'exercise'?");
    EXPECT_LOAD_ERROR(edited("    role: candidate", "    role: candidat"),
                      line_of(kBase, "    role: candidate"), "agents[PAK].role",
                      "did you mean 'candidate'?");
}

TEST(LoaderErrors, MembershipAdmit) {
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]\n", ""), line_of(kBase, "  - id: admit_pak"),
                      "agenda[admit_pak].admit", "needs 'admit'");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]", "    admit: [UZB]"),
                      line_of(kBase, "    admit: [PAK]"), "agenda[admit_pak].admit[0]",
                      "UZB is already a member");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]", "    admit: []"),
                      line_of(kBase, "    admit: [PAK]"), "agenda[admit_pak].admit",
                      "expected at least 1 agent ids, got 0");
    EXPECT_LOAD_ERROR(edited("    host: TJK\n", "    host: TJK\n    admit: [PAK]\n"),
                      line_of(kBase, "    host: TJK") + 1, "agenda[peace_mission_tjk].admit",
                      "only membership proposals admit");
}

// Two enlargements on one dimension: once one has carried the status quo to a stage's aim,
// that stage is never tabled (docs/model.md III.3, rule 7), so the other enlargement would
// silently never happen (session 19's attack). Refused where the candidates differ and the
// stages are not one chain that shares a candidate; allowed otherwise.
TEST(LoaderErrors, TwoEnlargementsOnOneDimension) {
    const std::string ind =
        "  - id: IND\n    name: India\n    role: candidate\n    capability: 0.2\n"
        "    position: {mil: 0.4, ct: 0.5}\nrelations:\n";
    auto scenario = [&](const std::string& second) {
        return edited("relations:\n", ind,
                      edited("    admit: [PAK]\n", "    admit: [PAK]\n    position: {ct: 0.6}\n")) +
               second;
    };
    const std::string parallel =
        "  - id: admit_ind\n    kind: membership\n    sponsor: RUS\n    admit: [IND]\n"
        "    position: {ct: 0.7}\n";
    const std::string text = scenario(parallel);
    EXPECT_LOAD_ERROR(text, line_of(text, "    position: {ct: 0.7}"),
                      "agenda[admit_ind].position.ct",
                      "this stage (IND) and agenda[admit_pak] (PAK) are stages of different "
                      "enlargements that both move 'ct'");
    EXPECT_LOAD_ERROR(text, line_of(text, "    position: {ct: 0.7}"),
                      "agenda[admit_ind].position.ct",
                      "give each enlargement its own dimension, or admit the candidates together");
    // After the other one, by `requires`: still two enlargements (no candidate shared).
    const std::string after =
        edited("    admit: [IND]\n", "    admit: [IND]\n    requires: [admit_pak]\n", parallel);
    EXPECT_LOAD_ERROR(scenario(after), line_of(scenario(after), "    position: {ct: 0.7}"),
                      "agenda[admit_ind].position.ct", "stages of different enlargements");
    // Candidates that overlap but differ, not chained: the one would stop the other.
    EXPECT_LOAD_ERROR(scenario(edited("[IND]", "[IND, PAK]", parallel)),
                      line_of(scenario(parallel), "    position: {ct: 0.7}"),
                      "agenda[admit_ind].position.ct", "stages of different enlargements");
    // Allowed: the same candidates again (one enlargement tabled twice, as sco2001.yaml does),
    // a chain that widens from a shared candidate, and another dimension.
    EXPECT_NO_THROW(load_string(scenario(edited("[IND]", "[PAK]", parallel)), "t.yaml"));
    EXPECT_NO_THROW(load_string(scenario(edited("[IND]", "[IND, PAK]", after)), "t.yaml"));
    EXPECT_NO_THROW(load_string(scenario(edited("{ct: 0.7}", "{mil: 0.7}", parallel)), "t.yaml"));
    // Without positions the stages move nothing, and nothing is refused.
    EXPECT_NO_THROW(load_string(
        edited("relations:\n", ind) +
            "  - id: admit_ind\n    kind: membership\n    sponsor: RUS\n    admit: [IND]\n",
        "t.yaml"));
}

TEST(LoaderErrors, PeriodWindows) {
    const std::string add = "    admit: [PAK]\n    periods: ";
    const int line = line_of(kBase, "    admit: [PAK]") + 1;
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]\n", add + "[2015, 2017]\n"), line,
                      "agenda[admit_pak].periods[1]",
                      "year 2017 lies outside the scenario's periods 2014-2016");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]\n", add + "[2013, 2015]\n"), line,
                      "agenda[admit_pak].periods[0]", "outside the scenario's periods");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]\n", add + "[2016, 2015]\n"), line,
                      "agenda[admit_pak].periods", "first year comes after the last");
    EXPECT_LOAD_ERROR(kBase + "shocks:\n  - {period: 2020, admit: [PAK]}\n",
                      line_of(kBase, "    admit: [PAK]") + 2, "shocks[0].period",
                      "outside the scenario's periods");
}

TEST(LoaderErrors, Shocks) {
    const int line = line_of(kBase, "    admit: [PAK]") + 2;
    EXPECT_LOAD_ERROR(kBase + "shocks:\n  - {period: 2015, set: {agents.UZB.sovereingty: 1}}\n",
                      line, "shocks[0].set.agents.UZB.sovereingty",
                      "unknown parameter path 'agents.UZB.sovereingty'; did you mean "
                      "'agents.UZB.sovereignty'?");
    EXPECT_LOAD_ERROR(kBase + "shocks:\n  - {period: 2015, set: {relations.tension.UZB-TJK: 1}}\n",
                      line, "shocks[0].set.relations.tension.UZB-TJK",
                      "did you mean 'relations.tension.TJK-UZB'? (the two ids go in alphabetical");
    EXPECT_LOAD_ERROR(kBase + "shocks:\n  - {period: 2015, set: {agents.UZB.sovereignty: 2}}\n",
                      line, "shocks[0].set.agents.UZB.sovereignty", "outside the range [0, 1]");
    EXPECT_LOAD_ERROR(kBase + "shocks:\n  - {period: 2015}\n", line, "shocks[0]",
                      "needs 'set', 'admit' or both");
    EXPECT_LOAD_ERROR(kBase + "shocks:\n  - {period: 2015, admit: [UZB]}\n", line,
                      "shocks[0].admit[0]", "already a member");
    EXPECT_LOAD_ERROR(
        kBase + "shocks:\n  - {period: 2015, admit: [PAK]}\n  - {period: 2016, admit: [PAK]}\n",
        line + 1, "shocks[1].admit[0]", "already admitted by an earlier shock");
}

TEST(LoaderErrors, FormatMustBeScoSim1) {
    EXPECT_LOAD_ERROR(edited("format: sco-sim/1", "format: sco-sim/2"), 1, "format",
                      "unsupported format 'sco-sim/2'; this version reads 'sco-sim/1'");
    EXPECT_LOAD_ERROR(edited("format: sco-sim/1\n", ""), 1, "format",
                      "missing required key 'format'");
    // A file that is not a scenario at all hears about the format, not its keys.
    EXPECT_LOAD_ERROR("runs: 100\nseed: 4\n", 1, "format", "missing required key 'format'");
}

// ---------------------------------------------------------------- YAML level

TEST(LoaderErrors, SyntaxErrorsHaveAPosition) {
    const ScenarioError e =
        load_error(edited("    position: {mil: 0.5, ct: 0.5}", "    position: {mil: 0.5, ct: 0.5"));
    EXPECT_GT(e.line, line_of(kBase, "  - id: TJK"));
    EXPECT_NE(e.message.find("YAML syntax error"), std::string::npos) << e.message;
    const ScenarioError tab = load_error(edited("    name: Tajikistan", "\tname: Tajikistan"));
    EXPECT_EQ(tab.line, line_of(kBase, "    name: Tajikistan"));
    EXPECT_NE(tab.message.find("YAML syntax error"), std::string::npos) << tab.message;
}

TEST(LoaderErrors, DuplicateKeysInAMap) {
    EXPECT_LOAD_ERROR(
        edited("    sovereignty: 0.9\n", "    sovereignty: 0.9\n    sovereignty: 0.8\n"),
        line_of(kBase, "    sovereignty: 0.9") + 1, "agents[UZB].sovereignty",
        "duplicate key 'sovereignty' (first given on line 16)");
}

TEST(LoaderErrors, EmptyAndNonTextInput) {
    EXPECT_LOAD_ERROR("", 0, "", "the file is empty");
    EXPECT_LOAD_ERROR("# only a comment\n\n", 0, "", "the file is empty");
    EXPECT_LOAD_ERROR(std::string("format: sco-sim/1\nname: \x01\x02", 26), 2, "",
                      "not UTF-8 text (binary data at byte 24)");
    EXPECT_LOAD_ERROR(std::string("format: sco-sim/1\nna\xff\xfe", 22), 2, "", "binary data");
    EXPECT_LOAD_ERROR(std::string("a\0b", 3), 1, "", "binary data");
    // Valid UTF-8 outside ASCII is fine in text fields.
    const Scenario sc = load_string(edited("name: Test", "name: Шанхай 上海"), "t.yaml");
    EXPECT_EQ(sc.spec.name, "Шанхай 上海");
}

TEST(LoaderErrors, TwoDocumentsAreRefused) {
    EXPECT_LOAD_ERROR(kBase + "---\nformat: sco-sim/1\n", line_of(kBase + "---", "---") + 1, "",
                      "one YAML document");
}

TEST(LoaderErrors, StrayTokensAfterTheDocumentDoNotHang) {
    // yaml-cpp 0.7's LoadAll loops forever, allocating, on these (found by fuzz_scenario).
    EXPECT_LOAD_ERROR("\"a\",\n", 1, "", "unexpected ','");
    EXPECT_LOAD_ERROR("[a], b\n", 1, "", "after the end of the document");
    EXPECT_LOAD_ERROR(kBase + "\"x\",\n", line_of(kBase + "\"x\"", "\"x\""), "",
                      "YAML syntax error");
    EXPECT_LOAD_ERROR(std::string(60, '"') + ",# x\n", 1, "", "YAML syntax error");
}

TEST(LoaderErrors, AnUnclosedQuoteIsNamed) {
    const ScenarioError e = load_error(edited("name: Test", "name: \"Test"));
    EXPECT_NE(e.message.find("is its closing quote missing?"), std::string::npos) << e.message;
}

TEST(LoaderErrors, ExtendsCyclesAreNamed) {
    const auto dir = std::filesystem::temp_directory_path() / "sco-extends-cycle";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "a.yaml") << "format: sco-sim/1\nextends: b.yaml\nname: a\n";
    std::ofstream(dir / "b.yaml") << "format: sco-sim/1\nextends: a.yaml\nname: b\n";
    std::ofstream(dir / "self.yaml") << "format: sco-sim/1\nextends: self.yaml\nname: s\n";
    try {
        load_file((dir / "a.yaml").string());
        ADD_FAILURE() << "a cycle loaded";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.line, 2);
        EXPECT_NE(e.message.find("makes a cycle"), std::string::npos) << e.what();
        EXPECT_NE(e.message.find("a.yaml -> "), std::string::npos) << e.what();
    }
    try {
        load_file((dir / "self.yaml").string());
        ADD_FAILURE() << "a self-extending scenario loaded";
    } catch (const ScenarioError& e) {
        EXPECT_NE(e.message.find("makes a cycle"), std::string::npos) << e.what();
    }
    std::ofstream(dir / "dir.yaml") << "format: sco-sim/1\nextends: .\nname: d\n";
    try {
        load_file((dir / "dir.yaml").string());
        ADD_FAILURE() << "a directory as base loaded";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.line, 2);
        EXPECT_NE(e.message.find("is a directory"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}

TEST(LoaderErrors, TooLargeText) {
    const std::string big(kMaxScenarioBytes + 1, ' ');
    EXPECT_LOAD_ERROR(big, 0, "", "16777217 bytes");
}

TEST(LoaderErrors, DeepNestingIsRefused) {
    const std::string deep = "format: " + std::string(100000, '[') + std::string(100000, ']');
    EXPECT_LOAD_ERROR(deep, 1, "", "nested too deeply");
    std::string block = "format: sco-sim/1\nname:\n";
    for (int i = 1; i < 5000; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "- \n";
    const ScenarioError e = load_error(block);
    EXPECT_GT(e.line, 2);
}

TEST(LoaderErrors, SelfReferencingAliasesDoNotCrash) {
    EXPECT_LOAD_ERROR(edited("tension: [[UZB, TJK, 0.7]]", "tension: &t [*t]"),
                      line_of(kBase, "  tension:"), "relations.tension[0]", "expected 3 entries");
    const ScenarioError e =
        load_error(edited("status_quo: {mil: 0.3, ct: 0.4}", "status_quo: &s {mil: *s, ct: 0.4}"));
    EXPECT_EQ(e.line, 6);
    EXPECT_EQ(e.key.rfind("status_quo.mil", 0), 0u) << e.key;
    const ScenarioError u = load_error(edited("name: Test", "name: *undefined"));
    EXPECT_EQ(u.line, 2);
    EXPECT_NE(u.message.find("anchor"), std::string::npos) << u.message;
}

TEST(LoaderErrors, NoOtherExceptionEscapesOnTruncatedOrMangledInput) {
    // Every prefix of a valid file, and the file with each line dropped, loads or throws
    // ScenarioError; nothing else.
    int errors = 0;
    for (std::size_t n = 0; n < kBase.size(); n += 3) {
        try {
            load_string(kBase.substr(0, n), "t.yaml");
        } catch (const ScenarioError&) {
            ++errors;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "prefix " << n << ": " << e.what();
        }
    }
    EXPECT_GT(errors, 0);
    std::size_t start = 0;
    while (start < kBase.size()) {
        const std::size_t end = kBase.find('\n', start) + 1;
        const std::string text = kBase.substr(0, start) + kBase.substr(end);
        try {
            load_string(text, "t.yaml");
        } catch (const ScenarioError& e) {
            EXPECT_FALSE(e.message.empty());
        } catch (const std::exception& e) {
            ADD_FAILURE() << "dropping line at " << start << ": " << e.what();
        }
        start = end;
    }
}

// A closed format (open_to): members only, each once, including the sponsor, the host and
// every transit participant; never on a membership text.
TEST(Loader, OpenToListsTheCircle) {
    const Scenario sc =
        load_string(edited("    transit: [{from: RUS, through: UZB}]",
                           "    transit: [{from: RUS, through: UZB}]\n    open_to: [TJK, RUS]"),
                    "t.yaml");
    EXPECT_EQ(sc.spec.proposals[0].open_to, (std::vector<int>{2, 0}));
    EXPECT_TRUE(sc.spec.proposals[1].open_to.empty());
}

TEST(LoaderErrors, OpenTo) {
    const std::string at = "    transit: [{from: RUS, through: UZB}]";
    auto with = [&](const std::string& list) { return edited(at, at + "\n    open_to: " + list); };
    const int line = line_of(kBase, at) + 1;
    EXPECT_LOAD_ERROR(with("[RUS, TJK, UBZ]"), line, "agenda[peace_mission_tjk].open_to[2]",
                      "did you mean 'UZB'?");
    EXPECT_LOAD_ERROR(with("[RUS, TJK, RUS]"), line, "agenda[peace_mission_tjk].open_to[2]",
                      "RUS is listed twice");
    EXPECT_LOAD_ERROR(with("[RUS, TJK, PAK]"), line, "agenda[peace_mission_tjk].open_to[2]",
                      "must be a member");
    EXPECT_LOAD_ERROR(with("[TJK, UZB]"), line, "agenda[peace_mission_tjk].open_to",
                      "the sponsor RUS must be in 'open_to'");
    EXPECT_LOAD_ERROR(edited(at, "    open_to: [RUS, UZB]"), line_of(kBase, at),
                      "agenda[peace_mission_tjk].open_to", "the host TJK must be in 'open_to'");
    EXPECT_LOAD_ERROR(with("[RUS]"), line, "agenda[peace_mission_tjk].open_to", "at least 2");
    EXPECT_LOAD_ERROR(edited("    admit: [PAK]", "    admit: [PAK]\n    open_to: [RUS, UZB]"),
                      line_of(kBase, "    admit: [PAK]") + 1, "agenda[admit_pak].open_to",
                      "a membership text binds every member");
}

}  // namespace
}  // namespace sco::scenario
