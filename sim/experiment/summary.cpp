#include "sim/experiment/summary.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/model.h"

namespace sco::experiment {
namespace {

// Values are floats in [0, 1] (or just beyond by rounding): x * 2^32 is exact and
// non-negative, so adding one half and truncating rounds like llround, only faster.
std::int64_t fixed_point(double x) {
    const double y = x * kFixedScale;
    return y >= 0.0 ? static_cast<std::int64_t>(y + 0.5) : std::llround(y);
}

int bin_of(double x, int bins) {
    const int b = static_cast<int>(x * bins);
    return std::clamp(b, 0, bins - 1);
}

}  // namespace

std::vector<int> tension_pairs_of(const core::ModelSpec& spec, bool all) {
    if (all) return all_pairs(spec.n_pairs());
    const int n = spec.n_agents();
    std::vector<char> keep(static_cast<std::size_t>(spec.n_pairs()), 0);
    for (const core::ParamDef& d : spec.params.all())
        if (d.field == core::Field::Tension && d.a >= 0 && d.b >= 0 && d.a != d.b && d.a < n &&
            d.b < n)
            keep[static_cast<std::size_t>(core::pair_index(d.a, d.b, n))] = 1;
    if (spec.variants.pressure == core::PressureRule::Enabled)
        for (int g = 0; g < n; ++g)
            if (spec.agents[static_cast<std::size_t>(g)].great_power)
                for (int j = 0; j < n; ++j)
                    if (j != g) keep[static_cast<std::size_t>(core::pair_index(g, j, n))] = 1;
    std::vector<int> out;
    for (std::size_t k = 0; k < keep.size(); ++k)
        if (keep[k]) out.push_back(static_cast<int>(k));
    return out;
}

Summary::Summary(const core::RecordShape& s, int max_rounds_)
    : Summary(s, max_rounds_, all_pairs(s.pairs)) {}

Summary::Summary(const core::RecordShape& s, int max_rounds_, std::vector<int> tension_pairs_)
    : core::SummaryCounts(s, max_rounds_, std::move(tension_pairs_)) {}

void Summary::attach(std::shared_ptr<const RunCounter> c) {
    counter = std::move(c);
    counted.assign(counter ? counter->size() : 0, 0);
}

void Summary::add(const core::RunRecord& r) {
    if (counter) counter->count(r, counted.data());
    const int T = shape.periods, P = shape.proposals, N = shape.agents, D = shape.dims,
              K = shape.pairs;
    ++runs;
    for (int t = 0; t < T; ++t) {
        for (int p = 0; p < P; ++p) {
            const std::size_t tp = static_cast<std::size_t>(t) * P + p;
            const int o = r.outcome[tp];
            ++outcome_counts[tp * kOutcomes + o];
            ++rounds_hist[tp * (max_rounds + 1) + std::min<int>(r.rounds[tp], max_rounds)];
            pressure_sum[tp] += r.pressure[tp];
            pressure_runs[tp] += r.pressure[tp] > 0;
            // Only the set bits: the same counts as testing every bit, fewer operations; and
            // nothing where no agent has a flag (every proposal not tabled: about half).
            const core::Flags* fl = &r.flags[tp * N];
            if (std::any_of(fl, fl + N, [](core::Flags f) { return f != 0; }))
                for (int i = 0; i < N; ++i) {
                    auto f = static_cast<unsigned>(fl[i]) & ((1u << core::kFlagBits) - 1);
                    std::int64_t* counts = &flag_counts[(tp * N + i) * core::kFlagBits];
                    for (; f != 0; f &= f - 1) ++counts[std::countr_zero(f)];
                }
            if (core::passed(static_cast<core::Outcome>(o))) {
                for (int i = 0; i < N; ++i)
                    participated[tp * N + i] += (r.flags[tp * N + i] & core::kJoined) != 0;
                ++dilution_hist[tp * kDilutionBins + bin_of(r.dilution[tp], kDilutionBins)];
                dilution_sum[tp] += fixed_point(r.dilution[tp]);
                for (int d = 0; d < D; ++d) text_sum[tp * D + d] += fixed_point(r.text[tp * D + d]);
                if (r.implemented[tp] > 0) {
                    ++implemented[tp];
                    lag_sum[tp] += r.implemented[tp];
                }
            }
        }
        for (int d = 0; d < D; ++d) {
            compromise_sum[t * D + d] += fixed_point(r.compromise[t * D + d]);
            wmedian_sum[t * D + d] += fixed_point(r.weighted_median[t * D + d]);
            status_quo_sum[t * D + d] += fixed_point(r.status_quo[t * D + d]);
        }
        const float* ten = &r.tension[static_cast<std::size_t>(t) * K];
        for (int k = 0; k < K; ++k)
            tension_sum[static_cast<std::size_t>(t) * K + k] += fixed_point(ten[k]);
        const std::size_t J = tension_pairs.size();
        for (std::size_t j = 0; j < J; ++j)
            ++tension_hist[(static_cast<std::size_t>(t) * J + j) * kTensionBins +
                           bin_of(ten[tension_pairs[j]], kTensionBins)];
    }
    for (int p = 0; p < P; ++p) {
        int first = T;
        for (int t = 0; t < T && first == T; ++t)
            if (core::passed(
                    static_cast<core::Outcome>(r.outcome[static_cast<std::size_t>(t) * P + p])))
                first = t;
        ++first_adoption[static_cast<std::size_t>(p) * (T + 1) + first];
    }
}

std::vector<std::vector<std::int64_t>*> Summary::arrays() {
    return {&outcome_counts, &flag_counts,    &participated,  &rounds_hist,  &dilution_hist,
            &dilution_sum,   &pressure_sum,   &pressure_runs, &implemented,  &lag_sum,
            &text_sum,       &compromise_sum, &wmedian_sum,   &tension_hist, &tension_sum,
            &status_quo_sum, &first_adoption};
}

void Summary::merge(const Summary& o) {
    if (!(o.shape == shape && o.max_rounds == max_rounds && o.tension_pairs == tension_pairs))
        throw std::invalid_argument("summaries of different shapes cannot be merged");
    if (!o.counted.empty() && o.counted.size() != counted.size())
        throw std::invalid_argument("summaries with different run counters cannot be merged");
    runs += o.runs;
    for (std::size_t j = 0; j < o.counted.size(); ++j) counted[j] += o.counted[j];
    const auto mine = arrays();
    const auto theirs = const_cast<Summary&>(o).arrays();
    for (std::size_t k = 0; k < mine.size(); ++k)
        for (std::size_t i = 0; i < mine[k]->size(); ++i) (*mine[k])[i] += (*theirs[k])[i];
}

void Summary::clear() {
    runs = 0;
    for (std::vector<std::int64_t>* a : arrays()) std::fill(a->begin(), a->end(), 0);
    std::fill(counted.begin(), counted.end(), 0);
}

std::int64_t outcome_count(const core::SummaryCounts& s, int t, int p, int o) {
    return s.outcome_counts[(static_cast<std::size_t>(t) * s.shape.proposals + p) * kOutcomes + o];
}

std::int64_t first_adopted(const core::SummaryCounts& s, int p, int t) {
    return s.first_adoption[static_cast<std::size_t>(p) * (s.shape.periods + 1) + t];
}

std::int64_t tabled(const core::SummaryCounts& s, int t, int p) {
    return s.runs - outcome_count(s, t, p, static_cast<int>(core::Outcome::NotTabled));
}

std::int64_t passed(const core::SummaryCounts& s, int t, int p) {
    std::int64_t n = 0;
    for (int o = 0; o <= static_cast<int>(core::Outcome::Diluted); ++o)
        n += outcome_count(s, t, p, o);
    return n;
}

std::int64_t flag_count(const core::SummaryCounts& s, int t, int p, int i, int bit) {
    const std::size_t tp = static_cast<std::size_t>(t) * s.shape.proposals + p;
    return s.flag_counts[(tp * s.shape.agents + i) * core::kFlagBits + bit];
}

double rounds_mean(const core::SummaryCounts& s, int t, int p) {
    const std::size_t tp = static_cast<std::size_t>(t) * s.shape.proposals + p;
    std::int64_t n = 0, sum = 0;
    for (int r = 1; r <= s.max_rounds; ++r) {
        n += s.rounds_hist[tp * (s.max_rounds + 1) + r];
        sum += r * s.rounds_hist[tp * (s.max_rounds + 1) + r];
    }
    return n > 0 ? static_cast<double>(sum) / n : 0.0;
}

double dilution_mean(const core::SummaryCounts& s, int t, int p) {
    const std::int64_t n = passed(s, t, p);
    const std::size_t tp = static_cast<std::size_t>(t) * s.shape.proposals + p;
    return n > 0 ? static_cast<double>(s.dilution_sum[tp]) / kFixedScale / n : 0.0;
}

double tension_mean(const core::SummaryCounts& s, int t, int k) {
    return s.runs > 0 ? static_cast<double>(
                            s.tension_sum[static_cast<std::size_t>(t) * s.shape.pairs + k]) /
                            kFixedScale / s.runs
                      : 0.0;
}

int tension_slot(const core::SummaryCounts& s, int k) {
    const auto it = std::lower_bound(s.tension_pairs.begin(), s.tension_pairs.end(), k);
    return it != s.tension_pairs.end() && *it == k ? static_cast<int>(it - s.tension_pairs.begin())
                                                   : -1;
}

double tension_sd(const core::SummaryCounts& s, int t, int k) {
    if (s.runs < 2) return 0.0;
    // A pair without rivalry stays at exactly zero in every run: no spread.
    if (s.tension_sum[static_cast<std::size_t>(t) * s.shape.pairs + k] == 0) return 0.0;
    const int j = tension_slot(s, k);
    if (j < 0) return 0.0;  // untracked: the same tension in every run
    const std::size_t base =
        (static_cast<std::size_t>(t) * s.tension_pairs.size() + j) * kTensionBins;
    const double m = tension_mean(s, t, k);
    double ss = 0.0;
    for (int b = 0; b < kTensionBins; ++b) {
        const double mid = (b + 0.5) / kTensionBins - m;
        ss += mid * mid * static_cast<double>(s.tension_hist[base + b]);
    }
    const double width = 1.0 / kTensionBins;
    return std::sqrt(std::max(0.0, ss / (s.runs - 1) - width * width / 12.0));
}

double tension_quantile(const core::SummaryCounts& s, int t, int k, double q) {
    if (s.runs == 0) return 0.0;
    const int j = tension_slot(s, k);
    if (j < 0) return (bin_of(tension_mean(s, t, k), kTensionBins) + 0.5) / kTensionBins;
    const std::size_t base =
        (static_cast<std::size_t>(t) * s.tension_pairs.size() + j) * kTensionBins;
    const double goal = q * s.runs;
    std::int64_t acc = 0;
    for (int b = 0; b < kTensionBins; ++b) {
        acc += s.tension_hist[base + b];
        if (acc >= goal && acc > 0) return (b + 0.5) / kTensionBins;
    }
    return (kTensionBins - 0.5) / kTensionBins;
}

std::int64_t Summary::outcome_count(int t, int p, int o) const {
    return experiment::outcome_count(*this, t, p, o);
}

std::int64_t Summary::first_adopted(int p, int t) const {
    return experiment::first_adopted(*this, p, t);
}

std::int64_t Summary::tabled(int t, int p) const {
    return experiment::tabled(*this, t, p);
}

std::int64_t Summary::passed(int t, int p) const {
    return experiment::passed(*this, t, p);
}

std::int64_t Summary::flag_count(int t, int p, int i, int bit) const {
    return experiment::flag_count(*this, t, p, i, bit);
}

double Summary::rounds_mean(int t, int p) const {
    return experiment::rounds_mean(*this, t, p);
}

double Summary::dilution_mean(int t, int p) const {
    return experiment::dilution_mean(*this, t, p);
}

double Summary::tension_mean(int t, int k) const {
    return experiment::tension_mean(*this, t, k);
}

int Summary::tension_slot(int k) const {
    return experiment::tension_slot(*this, k);
}

double Summary::tension_sd(int t, int k) const {
    return experiment::tension_sd(*this, t, k);
}

double Summary::tension_quantile(int t, int k, double q) const {
    return experiment::tension_quantile(*this, t, k, q);
}
std::vector<const core::SummaryCounts*> count_pointers(std::span<const Summary> summaries) {
    std::vector<const core::SummaryCounts*> out;
    out.reserve(summaries.size());
    for (const Summary& s : summaries) out.push_back(&s);
    return out;
}

}  // namespace sco::experiment
