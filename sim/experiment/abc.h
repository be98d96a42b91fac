#pragma once
// Approximate Bayesian computation (ABC) for `sco-sim calibrate` (docs/calibration.md,
// "Method"): prior sampling, rejection, ABC-SMC (Toni et al. 2009; Beaumont et al. 2009)
// with a Gaussian perturbation kernel truncated to the prior's support and importance
// weights, and posterior summaries (weighted quantiles, 90% intervals, effective sample
// size). Pure: no I/O. Every draw is counter-based and keyed by (seed, global point
// index), so a point's parameters do not depend on the shard or the thread that runs it.
//
// evaluate_points runs prior or proposal points as sweep points (key (seed, point, rep))
// and keeps per point only its parameters and scores, never its Summary.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/names.h"
#include "sim/experiment/plan.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/score.h"
#include "sim/experiment/summary.h"

namespace sco::experiment::abc {

enum class Method : unsigned char { Rejection, Smc };
inline constexpr core::NameTable<Method, 2> kMethodNames{{"rejection", "smc"}};

/// Which posterior the last generation holds (`calibrate --posterior`; docs/calibration.md,
/// "The likelihood-weighted posterior").
enum class PosteriorKind : unsigned char {
    /// the points within the distance cut (--quantile or --tolerance), equal weights in
    /// rejection, importance weights in ABC-SMC: a neighbourhood of the minimum-Brier region
    /// whose width depends on -n and the quantile (the default)
    Distance,
    /// every (feasible) point, weighted by its estimated likelihood of the observed events
    /// times prior / proposal: the Bayesian posterior under independent Bernoulli
    /// observations, with the likelihood estimated from the point's n runs
    Likelihood,
};
inline constexpr core::NameTable<PosteriorKind, 2> kPosteriorNames{{"distance", "likelihood"}};

/// One calibrated parameter and its prior.
struct Prior {
    std::string path;
    core::ParamId id = core::kNoParam;
    core::Distribution dist;  ///< uniform, beta (scaled to range) or normal (truncated)
    core::Range range;        ///< the parameter's range
    bool integer = false;     ///< values are rounded when run
};

/// The prior's support [lo, hi]: a uniform's ends, the range otherwise.
struct Support {
    double lo = 0.0;
    double hi = 1.0;
};
Support support(const Prior& p);

/// Why `p` cannot be a prior (a fixed value, an empty support), or "".
std::string check_prior(const Prior& p);

/// Prior density at x (0 outside the support). Proper densities, so that products over
/// parameters are comparable between points.
double prior_density(const Prior& p, double x);

/// The generator every ABC draw of global point `point` uses: key (seed, point), purpose
/// Design with a = kAbcStream, replication 2^64-1 (never a simulated replication).
inline constexpr std::uint64_t kAbcStream = 0xABC;

/// Parameters of the global points [first, last) drawn from the priors ([point][param]).
std::vector<std::vector<double>> draw_prior(const std::vector<Prior>& priors, std::uint64_t seed,
                                            std::int64_t first, std::int64_t last);

/// A weighted set of particles (an ABC posterior at some tolerance).
struct Population {
    std::vector<std::vector<double>> theta;  ///< [particle][param]
    std::vector<double> weight;              ///< unnormalised, >= 0
    [[nodiscard]] std::size_t size() const { return theta.size(); }
};

/// Beaumont et al. (2009): a Gaussian kernel per parameter with variance twice the
/// population's weighted variance (floored at 1e-12 of the support's width squared).
struct Kernel {
    std::vector<double> sd;
};
Kernel make_kernel(const Population& pop, const std::vector<Prior>& priors);

/// Parameters of the global points [first, last) drawn from the SMC proposal: an ancestor
/// by weight, then the kernel, redrawn until inside every prior's support (a truncated
/// kernel). Throws std::invalid_argument if the population is empty or has no weight.
std::vector<std::vector<double>> draw_proposal(const std::vector<Prior>& priors,
                                               const Population& prev, const Kernel& k,
                                               std::uint64_t seed, std::int64_t first,
                                               std::int64_t last);

/// Importance weight of a proposal point: prior(theta) / sum_j w_j K_trunc(theta | theta_j),
/// with the previous population's normalised weights w_j and the truncated kernel's exact
/// normalisation. 0 outside the support.
double importance_weight(const std::vector<Prior>& priors, const Population& prev, const Kernel& k,
                         const std::vector<double>& theta);

/// The distance threshold that accepts the ceil(q * n) smallest of `distances`
/// (q in (0, 1]); NaN distances are never accepted. Returns +inf for q = 1.
double quantile_threshold(const std::vector<double>& distances, double q);

/// Indices of the accepted points: the ceil(q * n) smallest distances (ties broken by
/// index) when tolerance is NaN, else every distance <= tolerance.
std::vector<std::size_t> accept(const std::vector<double>& distances, double q, double tolerance);

/// Weighted quantile (q in [0, 1]) by the interpolated weighted CDF at the midpoints of
/// the sorted values' weights (equal weights give the usual type-5 sample quantile).
double weighted_quantile(std::vector<double> values, std::vector<double> weights, double q);

/// Kish's effective sample size (sum w)^2 / sum w^2.
double effective_sample_size(const std::vector<double>& weights);

struct Marginal {
    double mean = 0.0;
    double median = 0.0;
    double q05 = 0.0;  ///< the 90% interval
    double q95 = 0.0;
    double sd = 0.0;
};

/// Per parameter, the weighted marginal summaries of a population.
std::vector<Marginal> summarize(const Population& pop);

/// The prior's 5%, 50% and 95% quantiles (numerically, on a fine grid of its CDF).
Marginal prior_marginal(const Prior& p);

/// What a point scored against the observations. distance is what ABC compares.
struct PointScore {
    double distance = 0.0;
    double brier = 0.0;
    double log_score = 0.0;
    double skill = 0.0;
    /// The estimated log-likelihood of the observed events (log_likelihood()) and the
    /// delta-method variance of that estimate over the point's runs; with several pairs, the
    /// sums over the pairs that make the distance (independent data).
    double log_lik = 0.0;
    double log_lik_var = 0.0;
    /// A required pair's observations (--require; docs/calibration.md, "Pattern-filtered
    /// calibration"): per observation the model's probability of the observed value and
    /// whether it holds (holds()). Empty for the pairs that make the distance.
    std::vector<double> observed_p;
    std::vector<int> held;
    /// The same per event (Score::events order), jointly: the share of runs giving the
    /// event's whole observed pattern, and whether that share holds. Feasibility is judged on
    /// these (docs/calibration.md, "The acceptance rule").
    std::vector<double> event_p;
    std::vector<int> event_held;
};

/// One evaluated point: its global index, parameters and scores.
struct PointResult {
    std::int64_t point = 0;
    std::vector<double> theta;
    PointScore score;
    /// With several (scenario, events) pairs: each pair's score; `score` is the mean of
    /// the pairs that make the distance (not of the required pairs).
    std::vector<PointScore> pairs;
    /// The required observations of every required pair, in order (--require): the model's
    /// probability of the observed value and 1 where it holds.
    std::vector<double> required_p;
    std::vector<int> required_held;
    /// Pattern-oriented filtering (Grimm et al. 2005): a point may be accepted only if
    /// every required observation holds.
    [[nodiscard]] bool feasible() const {
        return std::all_of(required_held.begin(), required_held.end(),
                           [](int h) { return h != 0; });
    }
    [[nodiscard]] std::int64_t n_failed() const {
        return std::count(required_held.begin(), required_held.end(), 0);
    }
};

/// How a required observation is judged (`calibrate --require-rule`; docs/calibration.md,
/// "Pattern-filtered calibration", "The acceptance rule").
enum class RequireRule : unsigned char {
    /// k / n >= level: the point estimate of the model's probability of the observed value
    /// reaches the level. The boundary of the feasible set is the level at every n; more runs
    /// only sharpen it (the default).
    Share,
    /// the upper end of the 95% Wilson interval of k / n reaches the level (the rule before
    /// the attack of session 5): lenient, and its effective threshold depends on n (at 60
    /// runs and level 0.5 a share of 0.383 holds); vacuous when wilson(0, n).hi >= level.
    Wilson,
    /// the event's observed pattern is the most frequent pattern of its observations among
    /// the point's runs (ties hold): the model's most likely outcome, whatever its share
    /// (calibration.md, "The mode rule"). No level: for an event of one observation it is the
    /// share rule at 0.5 (k >= n - k); for an event of m observations the observed pattern is
    /// compared with the 2^m - 1 others (counted by an EventCounter with patterns).
    Mode,
};
inline constexpr core::NameTable<RequireRule, 3> kRequireRuleNames{{"share", "wilson", "mode"}};

/// Whether a required observation holds at a point (pattern-oriented filtering): the model
/// gives the observed value probability `hits / runs`; Share: hits / runs >= level; Wilson:
/// the 95% Wilson interval of that probability does not lie wholly below `level` (its upper
/// end is >= level). runs <= 0 never holds.
bool holds(std::int64_t hits, std::int64_t runs, double level,
           RequireRule rule = RequireRule::Share);

/// The smallest share k / n that holds at `runs` runs and `level` under `rule` (1.0 + tiny
/// if none does): the rule's effective threshold (Share: ceil(level * n) / n).
double effective_threshold(std::int64_t runs, double level, RequireRule rule);

/// Whether the rule is vacuous at `runs` runs: an observation the model never gives (0 of
/// n) holds. Never for Share (level > 0); for Wilson when wilson(0, n).hi >= level, i.e.
/// n <= z^2 (1 - level) / level.
bool vacuous(std::int64_t runs, double level, RequireRule rule);

/// The verdicts of a scored required pair: per observation observed_p (p if the observed
/// value is true, else 1 - p) and held (holds() at `level` under `rule`), kept for reports and
/// comparisons; per event (s.events) event_p, the share of runs giving the whole observed
/// pattern, and event_held (holds() on the joint count; Mode: the observed cell is a mode,
/// ScoredEvent::is_mode()), which is what --require judges. Under Mode, `floor` (0: none;
/// `calibrate --require-floor`) is also asked of every share: an observation or event holds
/// only if its share is at least the floor too (docs/calibration.md, "The mode rule"). Throws
/// std::invalid_argument when s has events without joint counts (hits -1), or, under Mode,
/// without pattern counts (runner_up -1).
void judge_required(const Score& s, double level, PointScore& out,
                    RequireRule rule = RequireRule::Share, double floor = 0.0);

/// One side of a required comparison (`calibrate --require-less LESS --than MORE`;
/// docs/calibration.md, "Required comparisons"): per chosen observation of a pair, the runs
/// (of `runs`) that give the observed value.
struct ComparisonSide {
    std::vector<std::int64_t> hits;
    std::int64_t runs = 0;
};

/// The verdict on a required comparison. Each side's probability is the mean over its
/// observations of the model's probability of the observed value (one observation: that
/// probability); diff = more - less is wanted > 0. Its 95% interval is the MOVER interval
/// (Zou and Donner 2008) built from the observations' Wilson intervals, which for one
/// observation per side is Newcombe's hybrid score interval (1998, method 10), the one
/// tests/python/test_patterns.py uses: lo = diff - sqrt(L_more^2 + U_less^2), hi = diff +
/// sqrt(U_more^2 + L_less^2), where a side's L and U are the root sum of squares of its
/// observations' lower and upper Wilson half-widths over their count (observations of one side
/// treated as independent). The comparison holds unless the interval lies wholly below 0
/// (hi < 0): a point is cut only when its runs show, beyond their Monte Carlo error, that the
/// difference goes the wrong way, the rule of holds() for one observation.
struct Comparison {
    double less = 0.0, more = 0.0;
    double diff = 0.0, lo = 0.0, hi = 0.0;
    bool held = false;
};

/// Judges a comparison (above). Throws std::invalid_argument when a side has no observation,
/// no runs, or a count of hits outside [0, runs].
Comparison compare(const ComparisonSide& less, const ComparisonSide& more);

/// The master seed of pair `pair`'s runs in a calibration over several (scenario, events)
/// pairs (docs/calibration.md, "Several scenarios at once"): pair 0 keeps `seed` (so one
/// pair is the plain calibration), pair p > 0 gets the SplitMix64 finaliser of
/// seed + p * 0x9E3779B97F4A7C15, so each pair's runs are independent of the others' and
/// reproducible from the master seed alone.
std::uint64_t pair_seed(std::uint64_t seed, std::size_t pair);

/// The mean of the pairs' scores, field by field (the distance ABC compares is the mean
/// of the pairs' distances: every pair counts alike, whatever its number of observations),
/// except log_lik and log_lik_var, which are summed: the pairs are independent data, and
/// their likelihood is the product of theirs.
PointScore mean_score(const std::vector<PointScore>& pairs);

using Scorer = std::function<PointScore(const Summary&)>;

/// The ABC distance: the weighted Brier score with its Monte Carlo bias removed,
/// sum w [(p - y)^2 - p (1 - p) / (n - 1)] / sum w over the scored observations, p the
/// share of the point's n runs. (p - y)^2 of an estimated p overstates the squared error by
/// the variance p (1 - p) / n on average, which would favour points whose probabilities
/// are near 0 or 1; the correction is the unbiased estimate of that variance. With n = 1
/// it is the plain Brier score.
double debiased_brier(const Score& s);

/// The estimated log-likelihood of the observed events (`calibrate --posterior likelihood`).
/// With joint counts (s.has_joint(): calibrate attaches an EventCounter to every point's
/// summary): sum over events of w_e ln p_e, p_e = (j_e + 1/2) / (n + 1), j_e of the point's n
/// runs giving ALL the event's observed values together, w_e the event's confidence weight;
/// `var` = sum w_e^2 n (1 - p_e) / ((n + 1)^2 p_e) (delta method). Events are treated as
/// independent given the parameters (docs/calibration.md). Without joint counts, the
/// composite likelihood:
/// sum (w / m) [y ln p + (1 - y) ln(1 - p)] over the scored observations with p = (k + 1/2) /
/// (n + 1), k of the point's n runs giving the observation (the +1/2 keeps it finite when
/// the runs never or always give it, and makes the estimate's first-order bias, -1/(2n) per
/// observation, the same at every p), w the event's weight and m the number of the event's
/// observations scored: the observations of one event are one fact or nearly (passed: false
/// and outcome: blocked), and counting each fully would multiply that fact's likelihood m
/// times (a posterior too narrow by up to sqrt(m)); with 1/m it is a composite likelihood,
/// exact where the observations are one fact and flatter than the exact one where they are
/// independent. `var` is the delta-method variance of the estimate over the runs,
/// sum (w / m)^2 Var(ln p): n (1 - p) / ((n + 1)^2 p) where y = 1, n p / ((n + 1)^2 (1 - p))
/// where y = 0. No runs: value NaN.
struct LogLikelihood {
    double value = 0.0;
    double var = 0.0;
};
LogLikelihood log_likelihood(const Score& s);

/// Runs the global points first.. (theta[i] is point first + i) with cfg.replications runs
/// each, keyed (cfg.seed, point, rep), in chunks of a few points so that memory does not
/// grow with the number of points; scores each point's Summary and drops it. `hooks`
/// as for run_plan (progress counts the runs of this call; hooks.counter, e.g. an
/// EventCounter of the scorer's observations, is counted in every point's Summary, so
/// that the scorer sees the per-event joint counts).
std::vector<PointResult> evaluate_points(const core::ModelSpec& spec,
                                         const std::vector<Prior>& priors,
                                         const std::vector<std::vector<double>>& theta,
                                         std::int64_t first, std::int64_t total_points,
                                         const RunConfig& cfg, const Scorer& scorer,
                                         const RunnerHooks& hooks = {});

/// One generation after acceptance: its points, threshold, accepted flags and normalised
/// posterior weights (0 for rejected points).
struct Generation {
    std::vector<PointResult> points;
    double epsilon = 0.0;
    std::vector<int> accepted;
    std::vector<double> weight;
    double ess = 0.0;
    std::int64_t n_feasible = 0;           ///< points that hold every required observation
    std::int64_t n_feasible_accepted = 0;  ///< of them, accepted
    [[nodiscard]] std::int64_t n_accepted() const;
    /// Whether the distance rejected any feasible point (false: every feasible point was
    /// accepted, and the distance to the events decided nothing in this generation).
    [[nodiscard]] bool distance_cut() const { return n_feasible_accepted < n_feasible; }
};

/// Accepts the points and weights them: equal weights without a previous generation
/// (rejection, or SMC's first generation), else the importance weights against `prev` and
/// its kernel. Weights are normalised to sum 1.
///
/// `hard` true (rejection, and ABC-SMC's last generation, the posterior): only the points
/// that hold every required observation (feasible()) take part; accept(q, tolerance) is
/// applied to them alone, so the quantile takes ceil(q * n_feasible) of the feasible points
/// (all points without --require). Taking ceil(q * n) of all n points among the feasible
/// ones, as before session 5's attack, accepted every feasible point whenever fewer than
/// q * n were feasible, and the events then decided nothing (the posterior was the prior
/// restricted to the feasible set; docs/calibration.md, "Pattern-filtered calibration").
/// Its importance weights make the posterior a sample of the prior restricted to the
/// feasible points within the threshold, whatever the earlier generations accepted.
///
/// `posterior` Likelihood (with `hard` only; `q` and `tolerance` are then not used): every
/// feasible point is accepted with the weight exp(log_lik - max) x (prior / proposal: the
/// importance weight against `prev`, 1 without it), computed in log space; a weight below
/// exp(-700) of the largest is 0 (not accepted). epsilon is NaN (no threshold).
///
/// `hard` false (ABC-SMC's generations before the last, which only shape the next proposal):
/// feasibility first (Deb 2000): the points are ranked by the number of required
/// observations they fail, then by distance, and the ceil(q * n) first are accepted, so that
/// a generation in which fewer points hold every observation still passes on those that fail
/// the fewest.
Generation settle(std::vector<PointResult> points, const std::vector<Prior>& priors, double q,
                  double tolerance, const Population* prev = nullptr,
                  const Kernel* kernel = nullptr, bool hard = true,
                  PosteriorKind posterior = PosteriorKind::Distance);

/// Below this effective sample size the posterior's 90% intervals rest on too few points to
/// be read: calibrate and summary warn (docs/calibration.md, "Posterior summaries").
inline constexpr double kMinEss = 30.0;

/// Above this Monte Carlo standard deviation of the estimated log-likelihood (at the
/// posterior's points) the likelihood weights are mostly noise: calibrate and summary warn
/// (docs/calibration.md, "The likelihood-weighted posterior": choosing -n).
inline constexpr double kMaxLogLikSd = 1.0;

/// The warning for a posterior (the last generation): its ESS is below kMinEss, or the
/// distance rejected no feasible point (every feasible point accepted: the events decided
/// nothing; not for a likelihood-weighted posterior, which accepts every feasible point by
/// design), or the estimated log-likelihood's Monte Carlo sd `loglik_sd` exceeds
/// kMaxLogLikSd (likelihood only); "" if none. `feasible`, `feasible_accepted` as in
/// Generation; `required`: the calibration has required observations (--require). An empty
/// posterior (ESS 0) is said to be empty, and why, instead.
std::string posterior_warning(double ess, std::int64_t feasible, std::int64_t feasible_accepted,
                              bool required, PosteriorKind posterior = PosteriorKind::Distance,
                              double loglik_sd = 0.0);

/// The accepted points of a generation with their weights.
Population population_of(const Generation& g);

/// A distribution of the scenario format that carries a posterior: a beta on the parameter's
/// range fitted by the weighted moments (a truncated normal where the range is not finite
/// or the moments admit no beta), with its 5%, 50% and 95% quantiles and the distortion:
/// the largest gap between those and the posterior's, as a share of the posterior's 90%
/// interval (0 = the same three quantiles).
struct Fitted {
    core::Distribution dist;
    double q05 = 0.0, median = 0.0, q95 = 0.0;
    double distortion = 0.0;
};
Fitted fit_posterior(const std::vector<double>& values, const std::vector<double>& weights,
                     const Prior& prior);

/// A canonical text of the priors for the calibration's fingerprint.
std::string describe_priors(const std::vector<Prior>& priors);

}  // namespace sco::experiment::abc
