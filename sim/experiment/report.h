#pragma once
// Human- and machine-readable reports of a Summary (`sco-sim summary [--json]`).
// No I/O library here: the labels come from a ModelSpec (labels_of) or from a results
// file (io::read_results), the moves from a ModelSpec (moves_of; `sco-sim summary` reads
// the scenario stored in the file), and the output is a string.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/labels.h"
#include "sim/core/model.h"
#include "sim/experiment/summary.h"

namespace sco::experiment {

/// The names along the axes of a Summary (core/labels.h, shared with io).
using Labels = core::Labels;
using core::labels_of;

/// Throws std::invalid_argument if the labels do not fit the summary's shape.
void check_labels(const Labels& labels, const Summary& s);

/// Per proposal, the dimensions (indices, ascending) its text moves: those it gives a
/// position on (on the others it stays at the status quo). Empty when not known (a results
/// file whose scenario this version cannot read): the reports then show every dimension.
using Moves = std::vector<std::vector<int>>;

Moves moves_of(const core::ModelSpec& spec);

/// A row of the outcome table from fewer tabled runs than this is marked thin: its
/// estimates are rough. The rule of scripts/report.py's dagger (`MIN_TABLED` in
/// scripts/sco_results.py; docs/figures.md, "the 200-run rule").
inline constexpr std::int64_t kMinTabled = 200;

/// Fixed-width tables, one per period: for every tabled proposal the pass probability with
/// its 95% Wilson interval, the two most likely outcomes, mean rounds, mean dilution and
/// the agent that objects most, a row from fewer than kMinTabled tabled runs marked `*`
/// after its id, with a legend line below the table; below it, on every dimension each tabled
/// proposal moves, the mean adopted text beside the summit's mean compromise and weighted-median
/// positions; then the mean final tension of every pair with nonzero tension, highest
/// first.
/// Throws std::invalid_argument if the labels or moves (empty, or one list of dimension
/// indices per proposal) do not fit the summary's shape.
std::string report_text(const Labels& labels, const Summary& s, const Moves& moves = {});

/// The same as one JSON object on one line (nlohmann-json); the fields are documented in
/// docs/cli.md ("summary --json"). Every number is finite or null.
std::string report_json(const Labels& labels, const Summary& s, const Moves& moves = {});

}  // namespace sco::experiment
