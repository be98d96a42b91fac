#include "sim/core/summary_data.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sco::core {

std::vector<int> all_pairs(int pairs) {
    std::vector<int> out(static_cast<std::size_t>(std::max(pairs, 0)));
    for (int k = 0; k < pairs; ++k) out[static_cast<std::size_t>(k)] = k;
    return out;
}

SummaryCounts::SummaryCounts(const RecordShape& s, int max_rounds_, std::vector<int> tension_pairs_)
    : shape(s), max_rounds(max_rounds_), tension_pairs(std::move(tension_pairs_)) {
    for (std::size_t j = 0; j < tension_pairs.size(); ++j)
        if (tension_pairs[j] < 0 || tension_pairs[j] >= s.pairs ||
            (j > 0 && tension_pairs[j] <= tension_pairs[j - 1]))
            throw std::invalid_argument("tension pairs must be ascending pair indices below " +
                                        std::to_string(s.pairs));
    const std::size_t T = s.periods, P = s.proposals, N = s.agents, D = s.dims, K = s.pairs,
                      J = tension_pairs.size();
    outcome_counts.assign(T * P * kOutcomes, 0);
    flag_counts.assign(T * P * N * kFlagBits, 0);
    participated.assign(T * P * N, 0);
    rounds_hist.assign(T * P * (max_rounds + 1), 0);
    dilution_hist.assign(T * P * kDilutionBins, 0);
    dilution_sum.assign(T * P, 0);
    pressure_sum.assign(T * P, 0);
    pressure_runs.assign(T * P, 0);
    implemented.assign(T * P, 0);
    lag_sum.assign(T * P, 0);
    text_sum.assign(T * P * D, 0);
    compromise_sum.assign(T * D, 0);
    wmedian_sum.assign(T * D, 0);
    status_quo_sum.assign(T * D, 0);
    first_adoption.assign(P * (T + 1), 0);
    tension_hist.assign(T * J * kTensionBins, 0);
    tension_sum.assign(T * K, 0);
}

void SummaryCounts::require_shape(const RecordShape& s, const std::string& what) const {
    const RecordShape& a = shape;
    if (a.periods != s.periods || a.proposals != s.proposals || a.agents != s.agents ||
        a.dims != s.dims || a.pairs != s.pairs)
        throw std::invalid_argument(what + ": a summary's shape differs from the model's");
}

}  // namespace sco::core
