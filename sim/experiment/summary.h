#pragma once
// Running summaries of many runs, kept as integer counts and fixed-point sums so that
// they are exact, bounded in memory, and identical however the runs were split across
// threads, shards or processes (merging is integer addition).
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/record.h"
#include "sim/core/summary_data.h"
#include "sim/experiment/statistics.h"  // Proportion, wilson: for the users of summaries

namespace sco::experiment {

// The counts and their constants are plain data in core (core/summary_data.h), which io
// stores and loads; Summary adds how runs are counted in and merged, and the queries.
using core::kDilutionBins;
using core::kFixedScale;
using core::kOutcomes;
using core::kTensionBins;

/// What a Summary's fixed arrays cannot count: per run, tests over the whole record of the
/// run (score.h's EventCounter: per event of an events file, whether all its observations
/// hold together in the run). count() adds 1 to hits[j] for every test j the run passes; it
/// is called by Summary::add on the runner's threads, so it must be const and keep no state.
/// The counts are integers like the Summary's and merge by addition (any thread or shard
/// count gives the same). They are not part of core::SummaryCounts: io neither stores nor
/// reads them (a results file has no per-event counts).
struct RunCounter {
    virtual ~RunCounter() = default;
    [[nodiscard]] virtual std::size_t size() const = 0;
    virtual void count(const core::RunRecord& r, std::int64_t* hits) const = 0;
};

struct Summary : core::SummaryCounts {
    Summary() = default;
    /// A Summary that keeps the tension histogram of every pair.
    Summary(const core::RecordShape& s, int max_rounds);
    /// A Summary that keeps the tension histograms of `tension_pairs` only (ascending pair
    /// indices below s.pairs; throws std::invalid_argument otherwise).
    Summary(const core::RecordShape& s, int max_rounds, std::vector<int> tension_pairs);
    /// The Summary of counts read back (io::read_results): takes them over without copying.
    explicit Summary(core::SummaryCounts&& counts) : core::SummaryCounts(std::move(counts)) {}
    void add(const core::RunRecord& r);
    /// Counts `c`'s tests in every run added from now on (counted: c->size() zeros); null
    /// detaches. Attach before the first add: merge needs equal counters on both sides.
    void attach(std::shared_ptr<const RunCounter> c);
    /// The counter's tests passed, by test (empty without a counter).
    std::vector<std::int64_t> counted;
    std::shared_ptr<const RunCounter> counter;
    /// Every count array, in a fixed order (serialization and merging walk it).
    std::vector<std::vector<std::int64_t>*> arrays();
    /// Adds another summary of the same shape (and as many counted tests, if `o` has any);
    /// throws std::invalid_argument otherwise.
    void merge(const Summary& o);
    /// Back to zero runs (every count 0), keeping the shape and the allocations.
    void clear();
    bool operator==(const Summary&) const = default;

    // ---- derived statistics ----
    [[nodiscard]] std::int64_t outcome_count(int t, int p, int o) const;
    [[nodiscard]] std::int64_t tabled(int t, int p) const;  ///< runs where p was on the agenda
    [[nodiscard]] std::int64_t passed(int t, int p) const;  ///< runs with any adopted form
    [[nodiscard]] std::int64_t flag_count(int t, int p, int i, int bit) const;
    [[nodiscard]] double rounds_mean(int t, int p) const;    ///< over tabled runs
    [[nodiscard]] double dilution_mean(int t, int p) const;  ///< over passed runs
    [[nodiscard]] double tension_mean(int t, int k) const;
    /// Runs in which proposal p was first adopted at summit t (t = periods: never).
    [[nodiscard]] std::int64_t first_adopted(int p, int t) const;
    /// Position of pair k in tension_pairs, -1 if its histogram is not kept.
    [[nodiscard]] int tension_slot(int k) const;
    /// Standard deviation of tension across runs, from the histogram (Sheppard-corrected
    /// for the bin width); for the confidence interval of the mean. 0 for an untracked pair
    /// (its tension is 0 in every run: tension_pairs_of).
    [[nodiscard]] double tension_sd(int t, int k) const;
    /// Quantile q in [0,1] of tension from the histogram (bin midpoint, 1/kTensionBins wide).
    /// An untracked pair's tension is the same (0) in every run: every quantile is then the
    /// midpoint of the bin that holds its mean, what its histogram would give.
    [[nodiscard]] double tension_quantile(int t, int k, double q) const;
};

/// The queries of Summary on plain counts (the same functions: Summary's members call
/// them), for statistics.h, which computes from the counts io hands over.
std::int64_t outcome_count(const core::SummaryCounts& s, int t, int p, int o);
std::int64_t tabled(const core::SummaryCounts& s, int t, int p);
std::int64_t passed(const core::SummaryCounts& s, int t, int p);
std::int64_t flag_count(const core::SummaryCounts& s, int t, int p, int i, int bit);
double rounds_mean(const core::SummaryCounts& s, int t, int p);
double dilution_mean(const core::SummaryCounts& s, int t, int p);
double tension_mean(const core::SummaryCounts& s, int t, int k);
std::int64_t first_adopted(const core::SummaryCounts& s, int p, int t);
int tension_slot(const core::SummaryCounts& s, int k);
double tension_sd(const core::SummaryCounts& s, int t, int k);
double tension_quantile(const core::SummaryCounts& s, int t, int k, double q);

/// Every pair index 0 .. pairs - 1.
using core::all_pairs;

/// Pointers to the counts of `summaries`, in order: what io::Sink::finish and
/// statistics.h's functions on plain counts take.
std::vector<const core::SummaryCounts*> count_pointers(std::span<const Summary> summaries);

/// The pairs whose tension can be nonzero in some run of `spec`, ascending: a pair with a
/// tension parameter (a `relations.tension` entry, which shocks may also set), and, when
/// the pressure variant is enabled, a pair of a great power and another agent (pressure
/// adds tension between the pressurer and its target). Every other pair starts at 0 and
/// nothing in the model moves it (dialogue scales tension, incidents need some), so its
/// tension is 0 in every run (tests/experiment/test_summary.cpp checks it). With `all`:
/// every pair (`--tension-histograms all`).
std::vector<int> tension_pairs_of(const core::ModelSpec& spec, bool all = false);

}  // namespace sco::experiment
