#pragma once
// Events files (format sco-sim-events/1, docs/history-format.md): what was observed at the
// SCO's summits, as data for `sco-sim score` and `sco-sim calibrate`.
//
// The structs below are plain data (no YAML, no library symbols), so that the experiment
// layer's scoring (experiment/score.h) can take them without linking this layer; only
// load_events lives in sco_scenario. Names (years, proposal and agent ids) are not checked
// here: they are checked against a results file's labels by experiment::resolve.
#include <string>
#include <vector>

namespace sco::scenario {

/// Where a value was written in the events file (1-based; 0 = unknown), and its key path
/// ("events[A02].proposal"), for errors found after loading (a name not in the results).
struct SourcePos {
    int line = 0;
    int column = 0;
    std::string key;
};

/// A name with the place it was written.
struct NameAt {
    std::string name;
    SourcePos pos;
};

/// What was observed about one event; every part is optional, at least one is present.
struct Observed {
    bool has_passed = false;
    bool passed = false;                ///< adopted in some form at this summit
    std::vector<std::string> outcomes;  ///< the observed form(s): outcome names, or "failed"
    SourcePos outcome_pos;
    std::vector<NameAt> took_part;       ///< joined and the proposal passed
    std::vector<NameAt> stayed_out;      ///< did not take part
    std::vector<NameAt> objected;        ///< flag objected
    std::vector<NameAt> transit_denied;  ///< flag transit_denied (an exercise's transit state)
    bool has_passed_within = false;
    int within_summits = 0;  ///< first adopted at this summit or one of the next summits-1
    bool within_value = false;
    SourcePos within_pos;
};

struct Event {
    std::string id;          ///< unique; record row id, optionally with a suffix (C06a)
    std::string category;    ///< the id's leading letter (A exercises, B policy, C membership),
                             ///< or the optional `category:` key
    int year = 0;            ///< summit year
    std::string proposal;    ///< proposal id of the scenario
    std::string confidence;  ///< high | medium | low, or "" when `weight:` was given
    double weight = 1.0;     ///< in (0, 1]
    std::string source;      ///< required free text
    std::string note;        ///< optional free text
    Observed observed;
    SourcePos pos, year_pos, proposal_pos;  ///< the event's map, `year:`, `proposal:`
};

struct Events {
    std::string path;  ///< the file as named on the command line
    std::string text;  ///< as read (provenance)
    std::string format = "sco-sim-events/1";
    std::string name;
    std::string description;
    std::string record;  ///< informative: where the row ids come from
    double weight_high = 1.0, weight_medium = 0.6, weight_low = 0.3;
    std::vector<Event> events;
};

/// Reads and checks an events file. Throws ScenarioError ("FILE:LINE:COL: KEY: MESSAGE",
/// with did-you-mean for unknown keys and names), also when the file is missing,
/// unreadable, empty, too large or not text.
Events load_events(const std::string& path);

/// As load_events, for text already in memory; `display_name` stands for the file name.
Events load_events_string(const std::string& text, const std::string& display_name);

}  // namespace sco::scenario
