#pragma once
// The model declared as data: what a scenario says, before any number is sampled.
//
// Every number that can vary lives in the ParamTable under a dotted path (for example
// `agents.UZB.sovereignty`); the structures below refer to it by ParamId. A run
// samples the whole table once (sample_params) and builds its World from the values.
#include <cstdint>
#include <string>
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

enum class AmendmentRule : unsigned char { TowardsObjectors, TowardsCompromise, None };
inline constexpr NameTable<AmendmentRule, 3> kAmendmentRuleNames{
    {"towards_objectors", "towards_compromise", "none"}};

enum class PressureRule : unsigned char { Enabled, Disabled };
inline constexpr NameTable<PressureRule, 2> kPressureRuleNames{{"enabled", "disabled"}};

struct Variants {
    ChoiceRule choice = ChoiceRule::Logit;
    AmendmentRule amendment = AmendmentRule::TowardsObjectors;
    PressureRule pressure = PressureRule::Enabled;
    bool operator==(const Variants&) const = default;
};

// ---- global dynamics and utility weights: `dynamics.<name>` ----
enum class Dyn : unsigned char {
    LogitPrecision,     ///< beta of the logit rule; large = nearly deterministic
    Rounds,             ///< negotiation rounds per proposal and summit (integer)
    AmendmentStep,      ///< share of the distance to the target moved per amendment
    ThreatWeight,       ///< weight of threat perception x relevance in utility
    MilitaryWeight,     ///< weight of military reluctance on joining an exercise
    SovereigntyWeight,  ///< weight of sovereignty on hosting or granting transit to foreign troops
    TensionWeight,      ///< weight of tension with the sponsor / host / beneficiaries
    AffinityWeight,     ///< weight of affinity with the sponsor
    ObjectionCost,      ///< cost of breaking consensus openly (the consensus norm)
    ReservationGain,    ///< share of a member's losses recovered by a reservation on record
    ReservationCost,    ///< fixed cost of recording a reservation
    StayOutShare,       ///< share of a project's benefit a member keeps when it stays out
    RivalSpill,         ///< share of the tension cost a member still bears when it stays out
    UncertaintyWeight,  ///< how strongly uncertainty discounts a proposal's benefit
    WaitValue,    ///< value of waiting for clarity: x uncertainty x stake, added to withholding
                  ///< consensus
    RerouteCost,  ///< cost to a participant whose transit is denied
    DenyCost,     ///< cost of denying transit to a fellow member
    PressureStrength,    ///< penalty per unit capability x susceptibility on a pressured objector
    PressureCost,        ///< utility a great power needs before it applies pressure
    PressureTension,     ///< tension added between pressurer and target (the cost of pressure)
    DialogueRate,        ///< share of tension removed by one summit's dialogue
    IncidentRate,        ///< chance per pair and period of an incident, times tension
    IncidentSize,        ///< tension added by an incident
    ImplementationRate,  ///< chance an adopted decision is implemented
    ImplementationLag,   ///< mean lag (periods) before implementation, >= 1
    Count
};
inline constexpr NameTable<Dyn, static_cast<std::size_t>(Dyn::Count)> kDynNames{
    {"logit_precision",   "rounds",
     "amendment_step",    "threat_weight",
     "military_weight",   "sovereignty_weight",
     "tension_weight",    "affinity_weight",
     "objection_cost",    "reservation_gain",
     "reservation_cost",  "stay_out_share",
     "rival_spill",       "uncertainty_weight",
     "wait_value",        "reroute_cost",
     "deny_cost",         "pressure_strength",
     "pressure_cost",     "pressure_tension",
     "dialogue_rate",     "incident_rate",
     "incident_size",     "implementation_rate",
     "implementation_lag"}};
inline constexpr int kDynCount = static_cast<int>(Dyn::Count);

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
    std::vector<int> admit;  ///< membership proposals: who becomes a member
    bool opt_out = false;    ///< members may stay out (Charter Art. 16)
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
    std::vector<ParamId> status_quo;  ///< per dimension
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

/// Default value and range of each dynamics parameter.
struct DynDefault {
    double value;
    Range range;
    bool integer;
};
const DynDefault& dyn_default(Dyn d);

}  // namespace sco::core
