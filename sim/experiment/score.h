#pragma once
// Scoring a Summary against observed events (`sco-sim score`, and `sco-sim calibrate` per
// point): every observed fact becomes a binary observation whose model probability is a
// share of ALL runs of the point; then the weighted Brier score, the logarithmic score,
// the base-rate predictor, the Brier skill and a reliability table, overall and per
// category. docs/history-format.md gives every formula. No I/O: strings out.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/experiment/report.h"
#include "sim/experiment/summary.h"
#include "sim/scenario/events.h"  // plain data only (no link dependency on sco_scenario)

namespace sco::experiment {

/// What a binary observation asks of the runs.
enum class ObsKind : unsigned char {
    Passed,         ///< adopted in some form at the summit
    Outcome,        ///< the outcome is one of outcome_mask's forms
    TookPart,       ///< the agent joined and the proposal passed (Summary::participated)
    StayedOut,      ///< not TookPart
    Objected,       ///< the agent's flag `objected`
    TransitDenied,  ///< the agent's flag `transit_denied` (it refused a participant transit)
    PassedWithin    ///< first adopted at summits period .. period + summits - 1
};

/// One binary observation, resolved against a results file's labels (indices, not names).
struct Observation {
    std::string event_id;  ///< e.g. "A02"
    std::string what;      ///< passed, outcome:diluted|coalition, took_part:CHN, stayed_out:UZB,
                           ///< objected:RUS, transit_denied:UZB, passed_within:3
    std::string category;  ///< the event's category (A, B, C, ...)
    ObsKind kind = ObsKind::Passed;
    int period = 0;             ///< index into Labels::periods
    int proposal = 0;           ///< index into Labels::proposals
    int agent = -1;             ///< index into Labels::agents, -1 when the observation has no agent
    unsigned outcome_mask = 0;  ///< Outcome: bit o set for core::Outcome o
    int summits = 0;            ///< PassedWithin: the window's length
    bool value = false;         ///< what was observed (for Outcome always true)
    double weight = 1.0;        ///< the event's confidence weight, in (0, 1]
};

/// A name in the events file that the results do not have.
struct ResolveError : std::runtime_error {
    ResolveError(std::string file, const scenario::SourcePos& pos, std::string event_id,
                 std::string name, const std::string& message);
    std::string file;
    scenario::SourcePos pos;
    std::string event_id;
    std::string name;  ///< the missing name (a proposal, an agent or a year)
};

/// What --skip-missing left out: one event (what empty) or one observation of it.
struct Skipped {
    std::string event_id;
    std::string what;
    std::string reason;  ///< "proposal 'x' is not in the results"
};

/// Expands the events into binary observations against `labels` (docs/history-format.md,
/// "Expansion"). A year, proposal or agent not in the labels throws ResolveError naming
/// the event and the name, unless `skip_missing`: then the event (a missing year or
/// proposal) or the observation (a missing agent) is left out and listed in `skipped`
/// (when not null). Events of a passed_within whose window runs past the last period
/// count as a missing year.
std::vector<Observation> resolve(const scenario::Events& events, const Labels& labels,
                                 bool skip_missing = false,
                                 std::vector<Skipped>* skipped = nullptr);

/// Runs (out of summary.runs, all runs of the point) in which the observation is true.
std::int64_t successes(const Observation& o, const Summary& s);

/// Whether observation `o` gives its observed value in one run (the per-run form of
/// successes(): o.value true, the fact is true in the run; false, it is not). The record must
/// have the shape the observation was resolved against.
bool holds_in_run(const Observation& o, const core::RunRecord& r);

/// One observed event: its observations (indices into the observation list, in order).
struct EventGroup {
    std::string event_id;
    std::string category;
    double weight = 1.0;  ///< the event's confidence weight (its observations share it)
    std::vector<std::size_t> obs;
};

/// The events of a list of observations, in the order of their first observation (an
/// event's observations are consecutive in resolve()'s output, but need not be).
std::vector<EventGroup> events_of(const std::vector<Observation>& obs);

/// One variable of an event under the mode rule (docs/calibration.md, "The mode rule"): a
/// quantity of a run that the event's observations read, and the set of its values the
/// observations allow (the projection of the observed facts onto it). A run's cell is, for
/// each variable of the event, whether its value is in that set.
struct ModeVariable {
    enum class Kind : unsigned char {
        Outcome,        ///< the proposal's outcome code at the event's summit (7 values)
        Participation,  ///< an agent took part (Summary::participated): 0 or 1
        Flag,           ///< an agent's flag `flag` (objected, transit_denied): 0 or 1
        Window          ///< first adopted before (0), inside (1), after or never (2) the window
    };
    Kind kind = Kind::Outcome;
    int period = 0;
    int proposal = 0;
    int agent = -1;        ///< Participation, Flag
    unsigned flag = 0;     ///< Flag: the bit (core::kObjected, core::kTransitDenied)
    int summits = 0;       ///< Window: its length
    unsigned allowed = 0;  ///< bit v set: value v is consistent with the observations
    /// What the allowed values say: "outcome deferred", "outcome adopted|coalition|diluted"
    /// (the forms of passed), "took_part:CHN", "stayed_out:UZB", "objected:RUS",
    /// "passed_within:5", "contradictory".
    std::string label;
    /// The variable's value in one run (the record must have the event's shape).
    [[nodiscard]] unsigned value(const core::RunRecord& r) const;
};

/// The variables whose joint values the mode rule compares for event `g` of `obs`
/// (docs/calibration.md, "The mode rule"): the values of the proposal's outcome, of each named
/// agent's participation or flag and of a passed_within window that the observations allow
/// (their projection, under the vocabulary's definitions: took part implies passed, passed
/// implies not "first adopted after the window", a one-summit window implies passed), each
/// variable's values split into allowed and not; a variable the others' constraints already
/// fix (passed, given an agent took part) is left out. The result depends only on the set of
/// outcomes the observations allow, not on how they are written. Contradictory observations
/// give one variable that allows nothing. Throws std::invalid_argument when the event's
/// observations read more than one (summit, proposal) or windows of different lengths.
std::vector<ModeVariable> mode_variables(const std::vector<Observation>& obs, const EventGroup& g);

/// The per-event joint count (docs/history-format.md, "Events, jointly"): for each event of
/// `obs`, the runs in which ALL its observations give their observed values together.
/// O(observations) per run, no per-run storage: attach it to the summaries of a point
/// (RunnerHooks::counter) and read Summary::counted, one count per event (events_of order).
///
/// With `patterns`, it also counts, per event, the runs in each cell of its mode variables
/// (mode_variables(): 2^v slots for an event of v variables, bit i set when variable i has an
/// allowed value; the last slot is the observed cell, the runs of the joint count), after the
/// joint counts: what `calibrate --require-rule mode` judges (is the observed cell the most
/// frequent one?). Events of more than kMaxModeVariables variables are refused
/// (std::invalid_argument naming the event).
class EventCounter : public RunCounter {
  public:
    static constexpr std::size_t kMaxModeVariables = 12;
    explicit EventCounter(std::vector<Observation> obs, bool patterns = false);
    [[nodiscard]] std::size_t size() const override { return size_; }
    void count(const core::RunRecord& r, std::int64_t* hits) const override;
    [[nodiscard]] const std::vector<EventGroup>& groups() const { return groups_; }
    /// With patterns, each event's mode variables (groups() order); empty without.
    [[nodiscard]] const std::vector<std::vector<ModeVariable>>& mode() const { return mode_; }

  private:
    std::vector<Observation> obs_;
    std::vector<EventGroup> groups_;
    std::vector<std::vector<ModeVariable>> mode_;
    bool patterns_ = false;
    std::size_t size_ = 0;
};

/// The length of Summary::counted an EventCounter of `obs` with patterns fills: one joint
/// count per event, then 2^v cell counts per event of v mode variables (0 when an event has
/// more than EventCounter::kMaxModeVariables, or its mode variables cannot be formed).
std::size_t pattern_counter_size(const std::vector<Observation>& obs);

struct ScoreOptions {
    double clip = 0.01;  ///< log score: probabilities clipped to [clip, 1 - clip]; in [0, 0.5)
    int bins = 10;       ///< reliability table: equal-width bins of the model probability
};

struct ScoredObservation {
    Observation obs;
    std::int64_t hits = 0;  ///< runs in which it is true
    double p = 0.0;         ///< hits / runs (unclipped)
    Proportion ci;          ///< 95% Wilson interval of p over the runs (Monte Carlo error)
};

/// One event scored jointly: the share of runs that give its whole observed pattern.
struct ScoredEvent {
    EventGroup group;
    /// Runs giving every observation of the event at once; -1 when the summary has no
    /// joint counts (a Summary without an EventCounter, e.g. one read from a results file).
    std::int64_t hits = -1;
    double p = 0.0;  ///< hits / runs (NaN when hits is -1)
    Proportion ci;   ///< 95% Wilson interval of p
    /// The product of the observations' probabilities of their observed values: what the
    /// event's probability would be were its observations independent (for comparison).
    double p_independent = 0.0;
    /// The most runs any OTHER cell of the event's mode variables got (EventCounter with
    /// patterns; mode_variables()); -1 without pattern counts. The observed cell is the
    /// model's most likely one (a mode) when hits >= runner_up.
    std::int64_t runner_up = -1;
    /// The number of mode variables the cells are formed of (0 without pattern counts), and
    /// what each allows (ModeVariable::label).
    int mode_variables = 0;
    std::vector<std::string> mode_labels;
    /// Whether the observed cell is the most frequent one (ties hold; a cell no run gives
    /// never is); meaningful only with pattern counts (runner_up >= 0).
    [[nodiscard]] bool is_mode() const { return hits > 0 && hits >= runner_up; }
};

/// One bin of the reliability table: [lo, hi) ([lo, 1] for the last).
struct ReliabilityBin {
    double lo = 0.0, hi = 0.0;
    int count = 0;          ///< observations whose p falls in the bin
    double weight = 0.0;    ///< their total weight
    double mean_p = 0.0;    ///< weighted mean model probability (NaN when empty)
    double observed = 0.0;  ///< weighted observed frequency (NaN when empty)
};

/// Scores of a set of observations (all, or one category). NaN where undefined: every
/// number of an empty set; the skill when brier_base is 0 (all values alike).
struct Scores {
    int count = 0;
    double weight = 0.0;      ///< sum of weights
    double brier = 0.0;       ///< sum w (p - y)^2 / sum w, p unclipped
    double log_score = 0.0;   ///< -sum w ln q / sum w, q = clipped p if y else 1 - clipped p
    double base_rate = 0.0;   ///< sum w y / sum w: the weighted observed frequency
    double brier_base = 0.0;  ///< Brier score of predicting base_rate for every observation
    double log_base = 0.0;    ///< log score of that predictor (same clip)
    double skill = 0.0;       ///< 1 - brier / brier_base
    std::vector<ReliabilityBin> reliability;
};

struct Score {
    double clip = 0.01;
    int bins = 10;
    std::int64_t runs = 0;                 ///< runs of the point the probabilities come from
    std::vector<ScoredObservation> items;  ///< in the order of the observations
    /// The events, jointly (events_of order); hits -1 without joint counts in the summary.
    std::vector<ScoredEvent> events;
    [[nodiscard]] bool has_joint() const { return !events.empty() && events.front().hits >= 0; }
    Scores overall;
    std::vector<std::pair<std::string, Scores>> categories;  ///< by category, sorted by name
};

/// Scores `obs` against `s`; the events jointly when s.counted holds one count per event of
/// `obs` (an EventCounter of `obs` attached to the summary). Pure and cheap (no allocation beyond
/// the result): calibrate calls it once per point. Throws std::invalid_argument for options out of
/// range (clip not in [0, 0.5), bins < 1) or an observation whose indices do not fit `s`.
Score score(const std::vector<Observation>& obs, const Summary& s, const ScoreOptions& opt = {});

/// The scores of already-scored items (pass a subset: one category, or all but one for a
/// leave-one-category-out check). Same formulas as score(); throws as score() for options.
Scores scores_of(const std::vector<ScoredObservation>& items, const ScoreOptions& opt);

/// `sco-sim score`: the per-observation table and the scores, as text.
std::string score_text(const Score& sc, const std::vector<Skipped>& skipped = {});

/// The same as one JSON object on one line (fields in docs/cli.md, "score --json").
std::string score_json(const Score& sc, const std::vector<Skipped>& skipped = {});

}  // namespace sco::experiment
