#pragma once
// The names along the axes of a run record and of its summaries, as plain data: from a
// ModelSpec (labels_of) or from a results file (io::read_results). In core so that io
// (which stores them) and experiment (whose reports print them) share them without io
// depending on experiment.
#include <string>
#include <vector>

#include "sim/core/model.h"

namespace sco::core {

/// Sizes match a RecordShape: agents/agent_names: agents; proposals/proposal_titles/kinds:
/// proposals; dimensions: dims; pairs: pairs (ModelSpec pair order, "TJK-UZB"); periods:
/// calendar years.
struct Labels {
    std::vector<std::string> agents, agent_names, proposals, proposal_titles, kinds, dimensions,
        threats, pairs;
    std::vector<int> periods;
    bool operator==(const Labels&) const = default;
};

Labels labels_of(const ModelSpec& spec);

}  // namespace sco::core
