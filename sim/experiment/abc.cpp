#include "sim/experiment/abc.h"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "sim/core/distribution.h"
#include "sim/core/rng.h"

namespace sco::experiment::abc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double log_beta_fn(double a, double b) {
    return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
}

/// The stream of uniforms for global point `point`.
core::Rng point_rng(std::uint64_t seed, std::int64_t point) {
    return core::Rng(core::RunKey{seed, static_cast<std::uint64_t>(point),
                                  std::numeric_limits<std::uint64_t>::max()});
}

double finish_value(const Prior& p, double x) {
    if (p.integer) x = std::round(x);
    const Support s = support(p);
    return std::clamp(x, s.lo, s.hi);
}

/// Normalising constant of the kernel centred at c, truncated to the supports.
double kernel_mass(const std::vector<Prior>& priors, const Kernel& k,
                   const std::vector<double>& c) {
    double z = 1.0;
    for (std::size_t j = 0; j < priors.size(); ++j) {
        const Support s = support(priors[j]);
        z *= core::normal_cdf((s.hi - c[j]) / k.sd[j]) - core::normal_cdf((s.lo - c[j]) / k.sd[j]);
    }
    return z;
}

}  // namespace

Support support(const Prior& p) {
    if (p.dist.kind == core::DistKind::Uniform) return {p.dist.a, p.dist.b};
    return {p.range.lo, p.range.hi};
}

std::string check_prior(const Prior& p) {
    if (p.dist.kind == core::DistKind::Fixed)
        return "is a fixed value in the scenario, not a distribution: give a range "
               "(PATH=LO:HI) for a uniform prior";
    if (p.dist.kind == core::DistKind::Empirical)
        return "is an empirical distribution in the scenario, which has no density to be a "
               "prior: give a range (PATH=LO:HI) for a uniform prior";
    const Support s = support(p);
    if (!std::isfinite(s.lo) || !std::isfinite(s.hi))
        return "needs a prior with a finite support; give a range (PATH=LO:HI)";
    if (!(s.lo < s.hi)) return "the prior's support is a single point; give a range with LO < HI";
    return core::validate(p.dist, p.range);
}

double prior_density(const Prior& p, double x) {
    const Support s = support(p);
    if (!(x >= s.lo && x <= s.hi)) return 0.0;
    const core::Distribution& d = p.dist;
    switch (d.kind) {
        case core::DistKind::Fixed:
        case core::DistKind::Empirical:
            return 0.0;
        case core::DistKind::Uniform:
            return 1.0 / (d.b - d.a);
        case core::DistKind::Beta: {
            const double w = s.hi - s.lo;
            // Keep the density finite at the ends for shapes below 1.
            const double u = std::clamp((x - s.lo) / w, 1e-12, 1.0 - 1e-12);
            return std::exp((d.a - 1.0) * std::log(u) + (d.b - 1.0) * std::log1p(-u) -
                            log_beta_fn(d.a, d.b)) /
                   w;
        }
        case core::DistKind::Normal: {
            const double z =
                core::normal_cdf((s.hi - d.a) / d.b) - core::normal_cdf((s.lo - d.a) / d.b);
            const double t = (x - d.a) / d.b;
            return std::exp(-0.5 * t * t) / (d.b * std::sqrt(2.0 * M_PI) * z);
        }
    }
    return 0.0;
}

std::vector<std::vector<double>> draw_prior(const std::vector<Prior>& priors, std::uint64_t seed,
                                            std::int64_t first, std::int64_t last) {
    std::vector<std::vector<double>> out;
    out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, last - first)));
    for (std::int64_t pt = first; pt < last; ++pt) {
        const core::Rng rng = point_rng(seed, pt);
        core::RngStream s(rng, core::Purpose::Design, kAbcStream);
        std::vector<double> th;
        for (const Prior& p : priors)
            th.push_back(finish_value(p, core::sample(p.dist, p.range, s)));
        out.push_back(std::move(th));
    }
    return out;
}

Kernel make_kernel(const Population& pop, const std::vector<Prior>& priors) {
    Kernel k;
    const double W = std::accumulate(pop.weight.begin(), pop.weight.end(), 0.0);
    for (std::size_t j = 0; j < priors.size(); ++j) {
        double m = 0.0, v = 0.0;
        if (W > 0) {
            for (std::size_t i = 0; i < pop.size(); ++i) m += pop.weight[i] * pop.theta[i][j];
            m /= W;
            for (std::size_t i = 0; i < pop.size(); ++i)
                v += pop.weight[i] * (pop.theta[i][j] - m) * (pop.theta[i][j] - m);
            v /= W;
        }
        const Support s = support(priors[j]);
        const double floor = 1e-12 * (s.hi - s.lo) * (s.hi - s.lo);
        k.sd.push_back(std::sqrt(std::max(2.0 * v, floor)));
    }
    return k;
}

std::vector<std::vector<double>> draw_proposal(const std::vector<Prior>& priors,
                                               const Population& prev, const Kernel& k,
                                               std::uint64_t seed, std::int64_t first,
                                               std::int64_t last) {
    const double W = std::accumulate(prev.weight.begin(), prev.weight.end(), 0.0);
    if (prev.size() == 0 || !(W > 0))
        throw std::invalid_argument("ABC-SMC: the previous generation accepted no weighted point");
    std::vector<double> cum(prev.size());
    std::partial_sum(prev.weight.begin(), prev.weight.end(), cum.begin());
    std::vector<std::vector<double>> out;
    for (std::int64_t pt = first; pt < last; ++pt) {
        const core::Rng rng = point_rng(seed, pt);
        core::RngStream s(rng, core::Purpose::Design, kAbcStream);
        const double u = s.uniform() * W;
        const std::size_t anc = std::min<std::size_t>(
            static_cast<std::size_t>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin()),
            prev.size() - 1);
        std::vector<double> th(priors.size());
        for (std::size_t j = 0; j < priors.size(); ++j) {
            const Support sp = support(priors[j]);
            const double c = prev.theta[anc][j];
            // Inverse-CDF draw from the kernel truncated to the support: one uniform.
            const double plo = core::normal_cdf((sp.lo - c) / k.sd[j]);
            const double phi = core::normal_cdf((sp.hi - c) / k.sd[j]);
            const double q = plo + (phi - plo) * s.uniform();
            const double z = std::sqrt(2.0) * boost::math::erf_inv(2.0 * q - 1.0);
            const double x = c + k.sd[j] * z;
            th[j] = finish_value(priors[j], x);
        }
        out.push_back(std::move(th));
    }
    return out;
}

double importance_weight(const std::vector<Prior>& priors, const Population& prev, const Kernel& k,
                         const std::vector<double>& theta) {
    double prior = 1.0;
    for (std::size_t j = 0; j < priors.size(); ++j) prior *= prior_density(priors[j], theta[j]);
    if (!(prior > 0)) return 0.0;
    const double W = std::accumulate(prev.weight.begin(), prev.weight.end(), 0.0);
    double q = 0.0;
    for (std::size_t i = 0; i < prev.size(); ++i) {
        if (!(prev.weight[i] > 0)) continue;
        double logk = 0.0;
        for (std::size_t j = 0; j < priors.size(); ++j) {
            const double t = (theta[j] - prev.theta[i][j]) / k.sd[j];
            logk += -0.5 * t * t - std::log(k.sd[j] * std::sqrt(2.0 * M_PI));
        }
        q += prev.weight[i] / W * std::exp(logk) / kernel_mass(priors, k, prev.theta[i]);
    }
    return q > 0 ? prior / q : 0.0;
}

double quantile_threshold(const std::vector<double>& distances, double q) {
    std::vector<double> d;
    for (double x : distances)
        if (!std::isnan(x)) d.push_back(x);
    if (d.empty()) return -kInf;
    if (q >= 1.0) return kInf;
    const auto n =
        static_cast<std::size_t>(std::ceil(q * static_cast<double>(distances.size()) - 1e-9));
    if (n == 0) return -kInf;
    const std::size_t at = std::min(n, d.size()) - 1;
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(at), d.end());
    return d[at];
}

std::vector<std::size_t> accept(const std::vector<double>& distances, double q, double tolerance) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < distances.size(); ++i)
        if (!std::isnan(distances[i])) idx.push_back(i);
    if (!std::isnan(tolerance)) {
        std::vector<std::size_t> out;
        for (std::size_t i : idx)
            if (distances[i] <= tolerance) out.push_back(i);
        return out;
    }
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return distances[a] < distances[b]; });
    const auto n = static_cast<std::size_t>(
        std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(distances.size()) - 1e-9));
    idx.resize(std::min(n, idx.size()));
    std::sort(idx.begin(), idx.end());
    return idx;
}

double weighted_quantile(std::vector<double> values, std::vector<double> weights, double q) {
    if (values.size() != weights.size())
        throw std::invalid_argument("weighted_quantile: values and weights differ in size");
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (weights[i] > 0) order.push_back(i);
    if (order.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    double W = 0.0;
    for (std::size_t i : order) W += weights[i];
    std::vector<double> c;
    double run = 0.0;
    for (std::size_t i : order) {
        c.push_back((run + 0.5 * weights[i]) / W);
        run += weights[i];
    }
    if (q <= c.front()) return values[order.front()];
    if (q >= c.back()) return values[order.back()];
    const auto it = std::upper_bound(c.begin(), c.end(), q);
    const std::size_t hi = static_cast<std::size_t>(it - c.begin()), lo = hi - 1;
    const double t = (q - c[lo]) / (c[hi] - c[lo]);
    return values[order[lo]] + t * (values[order[hi]] - values[order[lo]]);
}

double effective_sample_size(const std::vector<double>& weights) {
    double s = 0.0, s2 = 0.0;
    for (double w : weights) {
        s += w;
        s2 += w * w;
    }
    return s2 > 0 ? s * s / s2 : 0.0;
}

std::vector<Marginal> summarize(const Population& pop) {
    std::vector<Marginal> out;
    if (pop.size() == 0) return out;
    const std::size_t k = pop.theta.front().size();
    const double W = std::accumulate(pop.weight.begin(), pop.weight.end(), 0.0);
    for (std::size_t j = 0; j < k; ++j) {
        std::vector<double> v;
        for (const auto& th : pop.theta) v.push_back(th[j]);
        Marginal m;
        for (std::size_t i = 0; i < v.size(); ++i) m.mean += pop.weight[i] * v[i];
        m.mean = W > 0 ? m.mean / W : std::numeric_limits<double>::quiet_NaN();
        double var = 0.0;
        for (std::size_t i = 0; i < v.size(); ++i)
            var += pop.weight[i] * (v[i] - m.mean) * (v[i] - m.mean);
        m.sd = W > 0 ? std::sqrt(var / W) : std::numeric_limits<double>::quiet_NaN();
        m.median = weighted_quantile(v, pop.weight, 0.5);
        m.q05 = weighted_quantile(v, pop.weight, 0.05);
        m.q95 = weighted_quantile(v, pop.weight, 0.95);
        out.push_back(m);
    }
    return out;
}

Marginal prior_marginal(const Prior& p) {
    const Support s = support(p);
    constexpr int kGrid = 20000;
    const double h = (s.hi - s.lo) / kGrid;
    std::vector<double> cdf(kGrid + 1, 0.0);
    double m1 = 0.0, m2 = 0.0;
    for (int i = 1; i <= kGrid; ++i) {
        const double a = s.lo + (i - 1) * h, b = s.lo + i * h, mid = 0.5 * (a + b);
        const double mass = prior_density(p, mid) * h;  // midpoint rule
        cdf[i] = cdf[i - 1] + mass;
        m1 += mass * mid;
        m2 += mass * mid * mid;
    }
    const double total = cdf.back();
    auto quant = [&](double q) {
        const double target = q * total;
        const auto it = std::lower_bound(cdf.begin(), cdf.end(), target);
        const auto i = static_cast<int>(std::clamp<std::ptrdiff_t>(it - cdf.begin(), 1, kGrid));
        const double f0 = cdf[i - 1], f1 = cdf[i];
        const double t = f1 > f0 ? (target - f0) / (f1 - f0) : 0.0;
        return s.lo + (i - 1 + t) * h;
    };
    Marginal m;
    m.mean = m1 / total;
    m.sd = std::sqrt(std::max(0.0, m2 / total - m.mean * m.mean));
    m.median = quant(0.5);
    m.q05 = quant(0.05);
    m.q95 = quant(0.95);
    return m;
}

std::vector<PointResult> evaluate_points(const core::ModelSpec& spec,
                                         const std::vector<Prior>& priors,
                                         const std::vector<std::vector<double>>& theta,
                                         std::int64_t first, std::int64_t total_points,
                                         const RunConfig& cfg, const Scorer& scorer,
                                         const RunnerHooks& hooks) {
    // A few points per call of the runner: its summaries are dropped once scored.
    constexpr std::int64_t kChunk = 8;
    const auto n = static_cast<std::int64_t>(theta.size());
    std::vector<PointResult> out;
    out.reserve(theta.size());
    std::int64_t done = 0;
    for (std::int64_t a = 0; a < n; a += kChunk) {
        const std::int64_t b = std::min(n, a + kChunk);
        Plan plan;
        plan.points.clear();
        plan.first_point = first + a;
        plan.total_points = total_points;
        for (std::int64_t i = a; i < b; ++i) {
            Point pt;
            for (std::size_t j = 0; j < priors.size(); ++j)
                pt.overrides.emplace_back(priors[j].id, core::Distribution::fixed(theta[i][j]));
            plan.points.push_back(std::move(pt));
        }
        RunnerHooks h;
        h.stop = hooks.stop;
        h.counter = hooks.counter;
        if (hooks.progress)
            h.progress = [&](std::int64_t d, std::int64_t) {
                hooks.progress(done + d, n * cfg.replications);
            };
        const std::vector<Summary> sums = run_plan(spec, plan, cfg, nullptr, Provenance{}, h);
        for (std::int64_t i = a; i < b; ++i)
            out.push_back(PointResult{first + i, theta[i], scorer(sums[i - a]), {}, {}, {}});
        done += (b - a) * cfg.replications;
    }
    return out;
}

std::uint64_t pair_seed(std::uint64_t seed, std::size_t pair) {
    if (pair == 0) return seed;
    std::uint64_t z = seed + static_cast<std::uint64_t>(pair) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

bool holds(std::int64_t hits, std::int64_t runs, double level, RequireRule rule) {
    if (runs <= 0) return false;
    if (rule == RequireRule::Wilson) return wilson(hits, runs).hi >= level;
    // one binary observation: its observed value is the mode (ties hold); no level
    if (rule == RequireRule::Mode) return 2 * hits >= runs;
    // hits / runs >= level, with a relative slack of 1e-12 so that a share written exactly
    // (60 of 100 at level 0.6) is not lost to rounding
    return static_cast<double>(hits) >= level * static_cast<double>(runs) * (1.0 - 1e-12);
}

double effective_threshold(std::int64_t runs, double level, RequireRule rule) {
    if (runs <= 0) return std::numeric_limits<double>::quiet_NaN();
    for (std::int64_t k = 0; k <= runs; ++k)
        if (holds(k, runs, level, rule)) return static_cast<double>(k) / static_cast<double>(runs);
    return 1.0 + 1e-9;
}

bool vacuous(std::int64_t runs, double level, RequireRule rule) {
    return runs > 0 && holds(0, runs, level, rule);
}

void judge_required(const Score& s, double level, PointScore& out, RequireRule rule, double floor) {
    // Mode's floor: the share reaches it (the share rule's comparison, at the floor)
    const auto above_floor = [&](std::int64_t hits) {
        return !(floor > 0.0) || holds(hits, s.runs, floor, RequireRule::Share);
    };
    out.observed_p.clear();
    out.held.clear();
    for (const auto& it : s.items) {
        const std::int64_t hits = it.obs.value ? it.hits : s.runs - it.hits;
        out.observed_p.push_back(
            s.runs > 0 ? static_cast<double>(hits) / static_cast<double>(s.runs) : std::nan(""));
        out.held.push_back(holds(hits, s.runs, level, rule) &&
                                   (rule != RequireRule::Mode || above_floor(hits))
                               ? 1
                               : 0);
    }
    out.event_p.clear();
    out.event_held.clear();
    for (const auto& ev : s.events) {
        if (ev.hits < 0)
            throw std::invalid_argument("judge_required: event " + ev.group.event_id +
                                        " has no joint count (no EventCounter in the summary)");
        out.event_p.push_back(ev.p);
        if (rule == RequireRule::Mode) {
            if (ev.runner_up < 0)
                throw std::invalid_argument("judge_required: event " + ev.group.event_id +
                                            " has no pattern counts (an EventCounter without "
                                            "patterns), which --require-rule mode needs");
            out.event_held.push_back(ev.is_mode() && above_floor(ev.hits) ? 1 : 0);
        } else {
            out.event_held.push_back(holds(ev.hits, s.runs, level, rule) ? 1 : 0);
        }
    }
}

namespace {
struct SideMean {
    double p = 0.0, lower = 0.0, upper = 0.0;  // mean and its lower and upper half-widths
};
SideMean side_mean(const ComparisonSide& s, const char* which) {
    if (s.hits.empty() || s.runs <= 0)
        throw std::invalid_argument(std::string("compare: the ") + which +
                                    " side has no observation or no runs");
    SideMean m;
    for (const auto k : s.hits) {
        if (k < 0 || k > s.runs)
            throw std::invalid_argument(std::string("compare: the ") + which + " side has " +
                                        std::to_string(k) + " hits of " + std::to_string(s.runs) +
                                        " runs");
        const auto w = wilson(k, s.runs);
        m.p += w.p;
        m.lower += (w.p - w.lo) * (w.p - w.lo);
        m.upper += (w.hi - w.p) * (w.hi - w.p);
    }
    const auto n = static_cast<double>(s.hits.size());
    m.p /= n;
    m.lower = std::sqrt(m.lower) / n;
    m.upper = std::sqrt(m.upper) / n;
    return m;
}
}  // namespace

Comparison compare(const ComparisonSide& less, const ComparisonSide& more) {
    const SideMean a = side_mean(less, "less"), b = side_mean(more, "more");
    Comparison c;
    c.less = a.p;
    c.more = b.p;
    c.diff = b.p - a.p;
    c.lo = c.diff - std::hypot(b.lower, a.upper);
    c.hi = c.diff + std::hypot(b.upper, a.lower);
    c.held = c.hi >= 0.0;
    return c;
}

PointScore mean_score(const std::vector<PointScore>& pairs) {
    PointScore m{0.0, 0.0, 0.0, 0.0, 0.0, 0.0, {}, {}, {}, {}};
    if (pairs.empty()) return m;
    for (const auto& p : pairs) {
        m.distance += p.distance;
        m.brier += p.brier;
        m.log_score += p.log_score;
        m.skill += p.skill;
        m.log_lik += p.log_lik;
        m.log_lik_var += p.log_lik_var;
    }
    const auto n = static_cast<double>(pairs.size());
    return PointScore{m.distance / n,
                      m.brier / n,
                      m.log_score / n,
                      m.skill / n,
                      m.log_lik,
                      m.log_lik_var,
                      {},
                      {},
                      {},
                      {}};
}

double debiased_brier(const Score& s) {
    double num = 0.0, den = 0.0;
    const double n = static_cast<double>(s.runs);
    for (const auto& it : s.items) {
        const double y = it.obs.value ? 1.0 : 0.0;
        double e = (it.p - y) * (it.p - y);
        if (n > 1) e -= it.p * (1.0 - it.p) / (n - 1.0);
        num += it.obs.weight * e;
        den += it.obs.weight;
    }
    return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

LogLikelihood log_likelihood(const Score& s) {
    if (s.runs <= 0)
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    const double n = static_cast<double>(s.runs);
    LogLikelihood out;
    if (s.has_joint()) {
        // An event is one fact: its probability is the share of runs giving all its observed
        // values together (the joint count; review of session 6, finding 1), weighted by the
        // event's confidence weight.
        for (const auto& ev : s.events) {
            const double q = (static_cast<double>(ev.hits) + 0.5) / (n + 1.0);
            const double w = ev.group.weight;
            out.value += w * std::log(q);
            out.var += w * w * n * (1.0 - q) / ((n + 1.0) * (n + 1.0) * q);
        }
        return out;
    }
    // Without joint counts (a summary without an EventCounter): an event's observations are
    // not independent (passed: false and outcome: blocked are one fact), so each counts 1/m of
    // its weight, m the event's scored observations (a composite likelihood).
    std::map<std::string, int> per_event;
    for (const auto& it : s.items) ++per_event[it.obs.event_id];
    for (const auto& it : s.items) {
        const double p = (static_cast<double>(it.hits) + 0.5) / (n + 1.0);
        const double w = it.obs.weight / static_cast<double>(per_event[it.obs.event_id]);
        // the probability the model gives the observed value, and Var(ln of it) by the delta
        // method: Var(p) / p^2 with Var(p) = n p (1 - p) / (n + 1)^2
        const double q = it.obs.value ? p : 1.0 - p;
        out.value += w * std::log(q);
        out.var += w * w * n * (1.0 - q) / ((n + 1.0) * (n + 1.0) * q);
    }
    return out;
}

std::int64_t Generation::n_accepted() const {
    return std::count(accepted.begin(), accepted.end(), 1);
}

namespace {

/// settle() for a likelihood-weighted posterior: every feasible point, weighted by
/// exp(log_lik - max) x prior / proposal, in log space.
Generation settle_likelihood(std::vector<PointResult> points, const std::vector<Prior>& priors,
                             const Population* prev, const Kernel* kernel) {
    Generation g;
    g.accepted.assign(points.size(), 0);
    g.weight.assign(points.size(), 0.0);
    std::vector<double> logw(points.size(), -kInf);
    double top = -kInf;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        if (!p.feasible()) continue;
        ++g.n_feasible;
        if (std::isnan(p.score.log_lik)) continue;
        double lw = p.score.log_lik;
        if (prev && kernel) {
            const double iw = importance_weight(priors, *prev, *kernel, p.theta);
            if (!(iw > 0)) continue;
            lw += std::log(iw);
        }
        logw[i] = lw;
        top = std::max(top, lw);
    }
    constexpr double kFloor = -700.0;  // exp(-700) of the largest weight: 0
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!std::isfinite(logw[i]) || logw[i] - top < kFloor) continue;
        g.weight[i] = std::exp(logw[i] - top);
        g.accepted[i] = 1;
        ++g.n_feasible_accepted;
    }
    const double W = std::accumulate(g.weight.begin(), g.weight.end(), 0.0);
    if (W > 0)
        for (double& w : g.weight) w /= W;
    g.ess = effective_sample_size(g.weight);
    g.epsilon = std::numeric_limits<double>::quiet_NaN();
    g.points = std::move(points);
    return g;
}

}  // namespace

Generation settle(std::vector<PointResult> points, const std::vector<Prior>& priors, double q,
                  double tolerance, const Population* prev, const Kernel* kernel, bool hard,
                  PosteriorKind posterior) {
    if (hard && posterior == PosteriorKind::Likelihood)
        return settle_likelihood(std::move(points), priors, prev, kernel);
    Generation g;
    std::vector<double> d, dacc;
    std::vector<std::size_t> feasible;  // hard: the points that take part, in order
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        d.push_back(p.score.distance);
        if (p.feasible()) ++g.n_feasible;
        if (hard) {
            if (p.feasible()) {
                feasible.push_back(i);
                dacc.push_back(p.score.distance);
            }
        } else {
            // A debiased Brier score lies in (-1, 1]: a penalty of 4 per failed observation
            // ranks by failures first, then by distance.
            dacc.push_back(p.score.distance + 4.0 * static_cast<double>(p.n_failed()));
        }
    }
    auto acc = accept(dacc, q, tolerance);
    if (hard)  // indices among the feasible points -> indices among all points
        for (std::size_t& i : acc) i = feasible[i];
    g.accepted.assign(points.size(), 0);
    g.weight.assign(points.size(), 0.0);
    g.epsilon = -kInf;
    for (std::size_t i : acc) {
        g.accepted[i] = 1;
        if (points[i].feasible()) ++g.n_feasible_accepted;
        g.epsilon = std::max(g.epsilon, d[i]);
        g.weight[i] =
            (prev && kernel) ? importance_weight(priors, *prev, *kernel, points[i].theta) : 1.0;
    }
    if (!std::isnan(tolerance)) g.epsilon = tolerance;
    const double W = std::accumulate(g.weight.begin(), g.weight.end(), 0.0);
    if (W > 0)
        for (double& w : g.weight) w /= W;
    g.ess = effective_sample_size(g.weight);
    g.points = std::move(points);
    return g;
}

std::string posterior_warning(double ess, std::int64_t feasible, std::int64_t feasible_accepted,
                              bool required, PosteriorKind posterior, double loglik_sd) {
    std::ostringstream os;
    os.precision(3);
    if (!(ess > 0)) {  // review of session 6, finding 7: say so, not "rough"
        if (required && feasible == 0)
            return "the posterior is empty: no point holds every required observation (its "
                   "medians and intervals are NaN); see which observations the points fail, "
                   "and run more points or revise the requirements";
        return "the posterior is empty: no point was accepted (its medians and intervals are "
               "NaN)";
    }
    if (!(ess >= kMinEss))
        os << "the posterior rests on an effective sample of " << ess << " points (ESS < "
           << kMinEss << "): its medians and 90% intervals are rough; run more points";
    if (posterior == PosteriorKind::Likelihood) {
        if (loglik_sd > kMaxLogLikSd) {
            if (os.tellp() > 0) os << "; and ";
            os << "the estimated log-likelihood's Monte Carlo sd at the posterior's points is "
               << loglik_sd << " (> " << kMaxLogLikSd
               << "): the weights are mostly run-to-run noise, which flattens the posterior; "
                  "raise -n";
        }
        return os.str();
    }
    if (feasible > 0 && feasible_accepted >= feasible) {
        if (os.tellp() > 0) os << "; and ";
        os << "every one of the " << feasible
           << (required ? " points that hold every required observation" : " points")
           << " was accepted: the distance to the events decided nothing (the posterior is the "
              "prior"
           << (required ? " restricted to those points)" : ")");
    }
    return os.str();
}

Population population_of(const Generation& g) {
    Population pop;
    for (std::size_t i = 0; i < g.points.size(); ++i)
        if (g.accepted[i] && g.weight[i] > 0) {
            pop.theta.push_back(g.points[i].theta);
            pop.weight.push_back(g.weight[i]);
        }
    return pop;
}

Fitted fit_posterior(const std::vector<double>& values, const std::vector<double>& weights,
                     const Prior& prior) {
    Population pop;
    for (std::size_t i = 0; i < values.size(); ++i) {
        pop.theta.push_back({values[i]});
        pop.weight.push_back(weights[i]);
    }
    const Marginal m = summarize(pop).at(0);
    Fitted f;
    const core::Range& r = prior.range;
    const double sd = std::max(m.sd, 1e-9);
    bool beta = false;
    if (r.finite() && r.hi > r.lo) {
        const double w = r.hi - r.lo;
        const double mu = std::clamp((m.mean - r.lo) / w, 1e-6, 1.0 - 1e-6);
        const double var = (sd / w) * (sd / w);
        const double common = mu * (1.0 - mu) / var - 1.0;
        if (common > 0) {
            f.dist = core::Distribution::beta(mu * common, (1.0 - mu) * common);
            beta = true;
        }
    }
    if (!beta) f.dist = core::Distribution::normal(std::clamp(m.mean, r.lo, r.hi), sd);
    Prior fp = prior;
    fp.dist = f.dist;
    if (r.finite()) {
        const Marginal q = prior_marginal(fp);
        f.q05 = q.q05;
        f.median = q.median;
        f.q95 = q.q95;
    } else {
        // Not truncated in practice: the normal's own quantiles.
        f.q05 = m.mean - 1.6448536269514722 * sd;
        f.median = m.mean;
        f.q95 = m.mean + 1.6448536269514722 * sd;
    }
    const double width = std::max(m.q95 - m.q05, 1e-12);
    f.distortion = std::max({std::abs(f.q05 - m.q05), std::abs(f.median - m.median),
                             std::abs(f.q95 - m.q95)}) /
                   width;
    return f;
}

std::string describe_priors(const std::vector<Prior>& priors) {
    std::ostringstream os;
    os.precision(17);
    for (const Prior& p : priors)
        os << p.path << " ~ " << core::kind_name(p.dist.kind) << ' ' << p.dist.a << ' ' << p.dist.b
           << " range " << p.range.lo << ' ' << p.range.hi << (p.integer ? " integer" : "") << '\n';
    return os.str();
}

}  // namespace sco::experiment::abc
