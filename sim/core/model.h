#pragma once
// The model declared as data: what a scenario says, before any number is sampled.
//
// Every number that can vary lives in the ParamTable under a dotted path (for example
// `agents.UZB.sovereignty`); the structures below refer to it by ParamId. A run
// samples the whole table once (sample_params) and builds its World from the values
// (simulate: CompiledModel::start_run, the same at less cost).
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/distribution.h"
#include "sim/core/names.h"

namespace sco::core {

using ParamId = std::int32_t;
inline constexpr ParamId kNoParam = -1;

enum class Role : unsigned char { Member, Observer, Candidate };
inline constexpr NameTable<Role, 3> kRoleNames{{"member", "observer", "candidate"}};

enum class Kind : unsigned char { Declaration, Institution, Plan, Exercise, Membership };
inline constexpr NameTable<Kind, 5> kKindNames{
    {"declaration", "institution", "plan", "exercise", "membership"}};

/// Stages of accession, each a consensus decision of its own (docs/model.md, III.4.6):
/// rules for admitting members (names no candidate), the start of the procedure for named
/// candidates, their memoranda of obligations, and membership itself. Only the last stage
/// makes a candidate a member; the procedure stage makes observers candidates.
enum class Stage : unsigned char { Rules, Procedure, Memorandum, Accession };
inline constexpr NameTable<Stage, 4> kStageNames{{"rules", "procedure", "memorandum", "accession"}};

/// How a summit ends for one proposal. The order is the results file's enum order.
enum class Outcome : unsigned char {
    Adopted,                  ///< every member agreed, no reservation, text unchanged
    AdoptedWithReservations,  ///< no objection; at least one member put a reservation on record
    Coalition,  ///< opt-out project carried by the interested members (Charter Art. 16)
    Diluted,    ///< adopted after the text was amended towards objectors
    Deferred,   ///< no consensus; postponed (more likely when uncertainty is high)
    Blocked,    ///< no consensus; at least one member's objection stood
    NotTabled,  ///< not on this summit's agenda (outside its periods, or already adopted)
};
inline constexpr NameTable<Outcome, 7> kOutcomeNames{{"adopted", "adopted_with_reservations",
                                                      "coalition", "diluted", "deferred", "blocked",
                                                      "not_tabled"}};
inline bool passed(Outcome o) {
    return o <= Outcome::Diluted;
}

// ---- model variants (recorded in the results file) ----
enum class ChoiceRule : unsigned char { Logit, Deterministic };
inline constexpr NameTable<ChoiceRule, 2> kChoiceRuleNames{{"logit", "deterministic"}};

/// How the sponsor amends a text that met objections (docs/model.md, III.4.5).
/// WinSet: the position closest to the sponsor's that every veto holder prefers to the
/// status quo; TowardsCompromise: a step towards the compromise model's position;
/// None: the text is never amended. No rule moves a text past the status quo.
enum class AmendmentRule : unsigned char { WinSet, TowardsCompromise, None };
inline constexpr NameTable<AmendmentRule, 3> kAmendmentRuleNames{
    {"win_set", "towards_compromise", "none"}};

enum class PressureRule : unsigned char { Enabled, Disabled };
inline constexpr NameTable<PressureRule, 2> kPressureRuleNames{{"enabled", "disabled"}};

/// How the sponsor weighs what a refusal showed when it picks its target in the win-set,
/// under logit choice after vetoes (docs/model.md, III.4.5). Likely: the best text that
/// makes every member that vetoed more likely than not to give way; ExpectedValue: the text
/// of the largest value times the chance that every member that vetoed gives way. Either
/// falls back to the best text of the margin test where no text gives them any chance
/// (Likely: more than even).
enum class SponsorRule : unsigned char { Likely, ExpectedValue };
inline constexpr NameTable<SponsorRule, 2> kSponsorRuleNames{{"likely", "expected_value"}};

struct Variants {
    ChoiceRule choice = ChoiceRule::Logit;
    AmendmentRule amendment = AmendmentRule::WinSet;
    PressureRule pressure = PressureRule::Enabled;
    SponsorRule sponsor = SponsorRule::Likely;
    bool operator==(const Variants&) const = default;
};

// ---- global dynamics and utility weights: `dynamics.<name>` ----
// ONE table, the only place a dynamics parameter is declared: enum name, scenario name,
// default value, range [lo, hi], integer, and a one-line doc. The enum Dyn, kDynTable,
// kDynNames and dyn_default() are all generated from it, and the static_asserts below
// check the generated table (length, order, unique non-empty names, default in range), so
// a row cannot go missing from one list only. The meaning and the reason for each default
// are in docs/model.md (section III) and docs/calibration.md (section 2), which, like the
// scenario loader and `--set`, use these names.
#define SCO_DYN_TABLE(X)                                                                           \
    X(LogitPrecision, "logit_precision", 40.0, 0.0, 1000.0, false,                                 \
      "beta of the logit rule; large = nearly deterministic")                                      \
    X(Rounds, "rounds", 3.0, 1.0, 50.0, true, "negotiation rounds per proposal and summit")        \
    X(AmendmentStep, "amendment_step", 0.2, 0.0, 1.0, false,                                       \
      "largest concession per round, as a share of the text's original ambition")                  \
    X(SponsorFloor, "sponsor_floor", 0.0, 0.0, 1.0, false,                                         \
      "smallest share of its aim a sponsor accepts in an amended text (else it keeps the text)")   \
    X(ThreatWeight, "threat_weight", 0.5, 0.0, 10.0, false,                                        \
      "weight of threat perception x relevance (x the text's effectiveness)")                      \
    X(MilitaryWeight, "military_weight", 1.0, 0.0, 10.0, false,                                    \
      "weight of military reluctance on joining an exercise")                                      \
    X(SovereigntyWeight, "sovereignty_weight", 0.5, 0.0, 10.0, false,                              \
      "weight of sovereignty on hosting or granting transit to foreign troops")                    \
    X(TensionWeight, "tension_weight", 0.5, 0.0, 10.0, false,                                      \
      "weight of tension with a principal (sponsor, host, candidate) of the text")                 \
    X(AffinityWeight, "affinity_weight", 0.15, 0.0, 10.0, false,                                   \
      "weight of affinity with a principal of the text")                                           \
    X(CoPartyWeight, "co_party_weight", 0.1, 0.0, 1.0, false,                                      \
      "relations with fellow participants of an opt-out project count this much of a principal's") \
    X(ObjectionCost, "objection_cost", 0.1, 0.0, 10.0, false,                                      \
      "cost of withholding consensus openly (the consensus norm)")                                 \
    X(ReservationGain, "reservation_gain", 0.5, 0.0, 1.0, false,                                   \
      "share of its spatial loss a member disowns by a reservation on a declaration")              \
    X(ReservationCost, "reservation_cost", 0.05, 0.0, 10.0, false,                                 \
      "fixed cost of recording a reservation")                                                     \
    X(StayOutShare, "stay_out_share", 0.3, 0.0, 1.0, false,                                        \
      "share of an opt-out project (policy change and threat benefit) reaching those who stay "    \
      "out")                                                                                       \
    X(RivalSpill, "rival_spill", 0.05, 0.0, 1.0, false,                                            \
      "share of the tension with a project's principals still borne by a member staying out")      \
    X(RemoteStake, "remote_stake", 0.3, 0.0, 1.0, false,                                           \
      "share of what taking part in an exercise in another region is worth to a participant")      \
    X(WaitValue, "wait_value", 2.0, 0.0, 10.0, false,                                              \
      "spread of a text's value per unit of uncertainty and stake (what waiting may reveal)")      \
    X(DelayCost, "delay_cost", 0.3, 0.0, 10.0, false,                                              \
      "cost of one summit's delay, as a share of the threat benefit the text would bring")         \
    X(RerouteCost, "reroute_cost", 0.3, 0.0, 10.0, false,                                          \
      "cost to a participant whose transit is denied")                                             \
    X(DenyCost, "deny_cost", 0.1, 0.0, 10.0, false, "cost of denying transit to a fellow member")  \
    X(PressureStrength, "pressure_strength", 2.0, 0.0, 100.0, false,                               \
      "leverage per unit capability x susceptibility over a pressured objector")                   \
    X(PressureCost, "pressure_cost", 0.3, 0.0, 10.0, false,                                        \
      "utility a great power needs from the text to press; it puts in at most its utility less "   \
      "this")                                                                                      \
    X(PressureTension, "pressure_tension", 0.05, 0.0, 1.0, false,                                  \
      "tension added between pressurer and target when it puts in its whole leverage")             \
    X(DialogueRate, "dialogue_rate", 0.15, 0.0, 1.0, false,                                        \
      "share of tension removed by one summit's dialogue")                                         \
    X(IncidentRate, "incident_rate", 0.3, 0.0, 1.0, false,                                         \
      "chance per pair and period of an incident, times tension")                                  \
    X(IncidentSize, "incident_size", 0.1, 0.0, 1.0, false, "tension added by an incident")         \
    X(ImplementationRate, "implementation_rate", 0.6, 0.0, 1.0, false,                             \
      "chance an adopted text (not a membership decision) is implemented")                         \
    X(ImplementationLag, "implementation_lag", 1.5, 1.0, std::numeric_limits<double>::infinity(),  \
      false, "mean lag (periods) before implementation, >= 1")

enum class Dyn : unsigned char {
#define SCO_DYN_ENUM(e, name, value, lo, hi, integer, doc) e,
    SCO_DYN_TABLE(SCO_DYN_ENUM)
#undef SCO_DYN_ENUM
        Count
};
inline constexpr int kDynCount = static_cast<int>(Dyn::Count);

/// Default value and range of one dynamics parameter.
struct DynDefault {
    double value;
    Range range;
    bool integer;
};

/// One row of the dynamics table.
struct DynDef {
    Dyn dyn;                ///< its enum value (row k holds Dyn k)
    std::string_view name;  ///< `dynamics.<name>` in a scenario, `--set` and the results file
    DynDefault def;         ///< default value, range, integer
    std::string_view doc;   ///< one line: what it is
};

inline constexpr std::array kDynTable{
#define SCO_DYN_ROW(e, name, value, lo, hi, integer, doc) \
    DynDef{Dyn::e, name, DynDefault{value, Range{lo, hi}, integer}, doc},
    SCO_DYN_TABLE(SCO_DYN_ROW)
#undef SCO_DYN_ROW
};

namespace detail {
/// The contract of kDynTable, checked at compile time (and again by tests/core/test_model.cpp).
constexpr bool dyn_rows_in_enum_order() {
    for (std::size_t k = 0; k < kDynTable.size(); ++k)
        if (static_cast<std::size_t>(kDynTable[k].dyn) != k) return false;
    return true;
}
constexpr bool dyn_names_nonempty_and_unique() {
    for (std::size_t k = 0; k < kDynTable.size(); ++k) {
        if (kDynTable[k].name.empty() || kDynTable[k].doc.empty()) return false;
        for (std::size_t j = 0; j < k; ++j)
            if (kDynTable[j].name == kDynTable[k].name) return false;
    }
    return true;
}
constexpr bool dyn_defaults_in_range() {
    for (const DynDef& r : kDynTable) {
        const DynDefault& d = r.def;
        if (!(d.range.lo < d.range.hi) || !(d.value >= d.range.lo && d.value <= d.range.hi))
            return false;
        if (d.integer && static_cast<double>(static_cast<long long>(d.value)) != d.value)
            return false;
    }
    return true;
}
template <std::size_t... I>
constexpr NameTable<Dyn, sizeof...(I)> dyn_names(std::index_sequence<I...>) {
    return {{kDynTable[I].name...}};
}
}  // namespace detail

static_assert(kDynTable.size() == static_cast<std::size_t>(kDynCount),
              "kDynTable needs exactly one row per Dyn");
static_assert(detail::dyn_rows_in_enum_order(), "kDynTable's row k must hold Dyn k");
static_assert(detail::dyn_names_nonempty_and_unique(),
              "every dynamics parameter needs a non-empty unique name and a doc line");
static_assert(detail::dyn_defaults_in_range(),
              "every dynamics default must lie in its (non-empty) range; integers integral");

inline constexpr NameTable<Dyn, static_cast<std::size_t>(Dyn::Count)> kDynNames =
    detail::dyn_names(std::make_index_sequence<kDynTable.size()>{});

/// Default value and range of each dynamics parameter (row `d` of kDynTable).
constexpr const DynDefault& dyn_default(Dyn d) {
    return kDynTable[static_cast<std::size_t>(d)].def;
}

/// Where a parameter's value goes in a World. `a` and `b` index agents, dimensions,
/// threats or proposals as the field requires.
enum class Field : unsigned char {
    Capability,          // a = agent
    MilitaryReluctance,  // a = agent
    Sovereignty,         // a = agent
    Position,            // a = agent, b = dimension
    Salience,            // a = agent, b = dimension
    Threat,              // a = agent, b = threat
    Susceptibility,      // a = target agent, b = great power
    Tension,             // a, b = agents (symmetric)
    Affinity,            // a, b = agents (symmetric)
    StatusQuo,           // a = dimension
    ProposalPosition,    // a = proposal, b = dimension
    Relevance,           // a = proposal, b = threat
    Uncertainty,         // a = proposal
    MinParticipants,     // a = proposal (integer)
    Dynamics,            // a = Dyn
};

struct ParamDef {
    std::string path;  ///< dotted path, e.g. agents.UZB.sovereignty
    Distribution dist;
    Range range;
    Field field = Field::Dynamics;
    int a = -1;
    int b = -1;
    bool integer = false;  ///< sampled values are rounded to the nearest integer
};

/// Every number of a scenario, by path. Order is the order of definition.
class ParamTable {
  public:
    ParamId add(ParamDef def);
    [[nodiscard]] const ParamDef& operator[](ParamId id) const { return defs_[id]; }
    ParamDef& operator[](ParamId id) { return defs_[id]; }
    [[nodiscard]] ParamId find(const std::string& path) const;  ///< kNoParam if absent
    [[nodiscard]] int size() const { return static_cast<int>(defs_.size()); }
    [[nodiscard]] const std::vector<ParamDef>& all() const { return defs_; }
    /// Indices of the parameters that are not fixed (the ones a run records).
    [[nodiscard]] std::vector<ParamId> random_ids() const;

  private:
    std::vector<ParamDef> defs_;
};

struct AgentSpec {
    std::string id;    ///< ISO 3166 alpha-3
    std::string name;  ///< display name
    Role role = Role::Member;
    bool great_power = false;  ///< may apply pressure
    ParamId capability = kNoParam;
    ParamId military_reluctance = kNoParam;
    ParamId sovereignty = kNoParam;
    std::vector<ParamId> position;  ///< per dimension
    std::vector<ParamId> salience;  ///< per dimension
    std::vector<ParamId> threat;    ///< per threat
    std::uint64_t regions = 0;      ///< bit r: the agent's security lies in ModelSpec::regions[r]
};

struct Transit {
    int from = -1;     ///< participant whose troops travel
    int through = -1;  ///< state whose consent is needed
};

struct ProposalSpec {
    std::string id;  ///< snake_case
    std::string title;
    Kind kind = Kind::Declaration;
    int sponsor = -1;
    int host = -1;  ///< -1: none
    std::vector<Transit> transit;
    std::vector<int> admit;          ///< membership proposals: the candidates the stage concerns
    Stage stage = Stage::Accession;  ///< membership proposals only
    std::vector<int> prerequisites;  ///< proposals that must have been adopted at an earlier summit
    int region = -1;  ///< exercises: index into ModelSpec::regions of the venue; -1: everywhere
    bool opt_out = false;  ///< members may stay out (Charter Art. 16)
    /// A closed format (a bilateral drill): the only agents that may take part and hold a
    /// say; empty = open to every member. Lists the sponsor and the host (docs/model.md III.4).
    std::vector<int> open_to;
    bool recurring = false;  ///< tabled again at every summit even after adoption
    int first_period = 0;    ///< index of the first summit it is tabled at
    int last_period = -1;    ///< index of the last summit (inclusive)
    ParamId min_participants = kNoParam;
    ParamId uncertainty = kNoParam;
    std::vector<ParamId> position;   ///< per dimension; kNoParam = stays at the status quo
    std::vector<ParamId> relevance;  ///< per threat
};

/// Scheduled change at the start of a period.
struct Shock {
    int period = 0;                ///< index of the period it takes effect in
    std::vector<ParamId> set;      ///< parameters (path shocks.<i>.<target path>) whose
    std::vector<ParamId> targets;  ///< values replace these targets' values
    std::vector<int> admit;        ///< agents who become members
};

struct ModelSpec {
    std::string name;
    std::string description;
    int first_period = 2014;  ///< calendar year of the first summit
    int periods = 1;
    std::vector<std::string> dimensions;
    std::vector<std::string> threats;
    std::vector<std::string> regions;  ///< names of security regions (at most 64)
    std::vector<ParamId> status_quo;   ///< per dimension
    std::vector<AgentSpec> agents;
    std::vector<ProposalSpec> proposals;
    std::vector<Shock> shocks;
    ParamId dynamics[kDynCount] = {};
    Variants variants;
    ParamTable params;

    [[nodiscard]] int n_agents() const { return static_cast<int>(agents.size()); }
    [[nodiscard]] int n_proposals() const { return static_cast<int>(proposals.size()); }
    [[nodiscard]] int n_dims() const { return static_cast<int>(dimensions.size()); }
    [[nodiscard]] int n_threats() const { return static_cast<int>(threats.size()); }
    [[nodiscard]] int agent_index(const std::string& id) const;     ///< -1 if absent
    [[nodiscard]] int proposal_index(const std::string& id) const;  ///< -1 if absent
    /// Agent pairs i < j in row-major order; the tension summaries use this order.
    [[nodiscard]] int n_pairs() const { return n_agents() * (n_agents() - 1) / 2; }
    [[nodiscard]] std::string pair_name(int pair) const;  ///< "TJK-UZB" (ids sorted)
};

/// Pair index of agents i != j in the upper-triangle order of ModelSpec::n_pairs.
inline int pair_index(int i, int j, int n) {
    if (i > j) std::swap(i, j);
    return i * n - i * (i + 1) / 2 + (j - i - 1);
}

/// Checks the cross-references and ranges of a spec built in code; empty if valid.
/// (The scenario loader reports errors with file positions before it gets here.)
std::string check_spec(const ModelSpec& spec);

}  // namespace sco::core
