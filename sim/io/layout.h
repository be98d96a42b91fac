#pragma once
// Internal to sim/io: names shared by the results writer and reader
// (docs/hdf5-format.md is the description for users).
#include <cstdint>
#include <vector>

#include "sim/core/summary_data.h"

namespace sco::io::layout {

inline constexpr const char* kLabels = "/labels";
inline constexpr const char* kRuns = "/runs";
inline constexpr const char* kSummary = "/summary";
inline constexpr const char* kRaw = "/summary/raw";
inline constexpr const char* kPoints = "/points";

/// Probabilities of the stored tension quantiles (experiment computes them).
inline constexpr const auto& kQuantiles = core::kTensionQuantiles;

/// One integer array of core::SummaryCounts (what experiment::Summary is built on), stored as
/// /summary/raw/<name> with a leading point axis. axes_code letters (after the point axis): t
/// period, p proposal, o outcome, i agent, b flag, d dimension, k pair, j tracked pair (the pairs
/// of /labels/tension_pairs), D dilution bin, T tension bin, R rounds bin (0..max_rounds), A
/// adoption bin (summit 0..periods-1, then never).
struct RawField {
    const char* name;
    std::vector<std::int64_t> core::SummaryCounts::*member;
    const char* axes;
    const char* axes_code;
    const char* description;
};

inline const std::vector<RawField>& raw_fields() {
    using S = core::SummaryCounts;
    static const std::vector<RawField> fields = {
        {"outcome_counts", &S::outcome_counts, "point,period,proposal,outcome", "tpo",
         "runs with each outcome"},
        {"flag_counts", &S::flag_counts, "point,period,proposal,agent,flag", "tpib",
         "runs with each agent flag bit set"},
        {"participated", &S::participated, "point,period,proposal,agent", "tpi",
         "runs where the agent took part in the adopted decision (joined and it passed)"},
        {"rounds_hist", &S::rounds_hist, "point,period,proposal,rounds_bin", "tpR",
         "runs by rounds used; bin 0 = not tabled"},
        {"dilution_hist", &S::dilution_hist, "point,period,proposal,dilution_bin", "tpD",
         "passed runs by dilution bin"},
        {"dilution_sum", &S::dilution_sum, "point,period,proposal", "tp",
         "sum of dilution over passed runs, fixed point (divide by fixed_scale)"},
        {"pressure_sum", &S::pressure_sum, "point,period,proposal", "tp",
         "sum of pressure applications"},
        {"pressure_runs", &S::pressure_runs, "point,period,proposal", "tp",
         "runs with any pressure"},
        {"implemented", &S::implemented, "point,period,proposal", "tp",
         "runs where the proposal was adopted and implemented"},
        {"lag_sum", &S::lag_sum, "point,period,proposal", "tp", "sum of implementation lags"},
        {"text_sum", &S::text_sum, "point,period,proposal,dimension", "tpd",
         "sum of final text positions over passed runs, fixed point"},
        {"compromise_sum", &S::compromise_sum, "point,period,dimension", "td",
         "sum of compromise-model positions, fixed point"},
        {"wmedian_sum", &S::wmedian_sum, "point,period,dimension", "td",
         "sum of weighted-median positions, fixed point"},
        {"tension_hist", &S::tension_hist, "point,period,tension_pair,tension_bin", "tjT",
         "runs by tension bin at the end of each period"},
        {"tension_sum", &S::tension_sum, "point,period,pair", "tk",
         "sum of end-of-period tension, fixed point"},
        {"status_quo_sum", &S::status_quo_sum, "point,period,dimension", "td",
         "sum of the status quo each summit judged texts against, fixed point"},
        {"first_adoption", &S::first_adoption, "point,proposal,adoption_bin", "pA",
         "runs by the summit of first adoption; last bin (= periods) never adopted"},
    };
    return fields;
}

}  // namespace sco::io::layout
