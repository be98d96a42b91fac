#pragma once
// Human- and machine-readable reports of a Summary (`sco-sim summary [--json]`).
// No I/O library here: the labels come from a ModelSpec (labels_of) or from a results
// file (io::read_results), and the output is a string.
#include <string>
#include <vector>

#include "sim/core/model.h"
#include "sim/experiment/summary.h"

namespace sco::experiment {

/// The names along the axes of a Summary. Sizes match its RecordShape:
/// agents/agent_names: agents; proposals/proposal_titles/kinds: proposals;
/// dimensions: dims; pairs: pairs (ModelSpec pair order, "TJK-UZB"); periods: calendar years.
struct Labels {
    std::vector<std::string> agents, agent_names, proposals, proposal_titles, kinds, dimensions,
        threats, pairs;
    std::vector<int> periods;
    bool operator==(const Labels&) const = default;
};

Labels labels_of(const core::ModelSpec& spec);

/// Throws std::invalid_argument if the labels do not fit the summary's shape.
void check_labels(const Labels& labels, const Summary& s);

/// Fixed-width tables, one per period: for every tabled proposal the pass probability with
/// its 95% Wilson interval, the two most likely outcomes, mean rounds, mean dilution and
/// the agent that objects most; then the mean final tension of every pair with nonzero
/// tension, highest first.
std::string report_text(const Labels& labels, const Summary& s);

/// The same as one JSON object; the shape is documented in docs/cli.md ("summary --json").
std::string report_json(const Labels& labels, const Summary& s);

}  // namespace sco::experiment
