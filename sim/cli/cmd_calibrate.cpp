// `sco-sim calibrate`: approximate Bayesian computation against an events file
// (docs/cli.md, "calibrate"; docs/calibration.md, "Method"). Thin: the maths is in
// experiment/abc, the file in io/calibration_writer, the scoring in experiment/score.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sco/version.h"
#include "sim/cli/app.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/cli/signals.h"
#include "sim/experiment/abc.h"
#include "sim/experiment/design.h"
#include "sim/experiment/report.h"
#include "sim/experiment/score.h"
#include "sim/io/calibration_writer.h"
#include "sim/io/merge.h"
#include "sim/io/sha256.h"
#include "sim/scenario/events.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/locate.h"
#include "sim/scenario/sweep_file.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace sco::cli {
namespace {

namespace abc = experiment::abc;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kRunsPerPart = 20'000;
constexpr int kMaxParts = 256;
/// --write-scenario: a fitted beta whose 5%, 50% or 95% quantile misses the posterior's by
/// more than this share of the posterior's 90% interval is replaced by the empirical sample.
constexpr double kMaxDistortion = 0.15;

double parse_number(const std::string& option, const std::string& text) {
    std::size_t used = 0;
    double v = 0.0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || text.empty() || !std::isfinite(v))
        throw UsageError("calibrate: " + option + " takes a number, got '" + text + "'");
    return v;
}

/// One --vary: PATH (the scenario's distribution is the prior) or PATH=LO:HI (uniform).
abc::Prior make_prior(const core::ModelSpec& spec, const std::string& arg) {
    const auto eq = arg.find('=');
    const std::string path = arg.substr(0, eq);
    abc::Prior p;
    p.id = scenario::resolve_path(spec, path, "--vary", 0);
    const core::ParamDef& def = spec.params[p.id];
    p.path = path;
    p.range = def.range;
    p.integer = def.integer;
    if (eq == std::string::npos) {
        p.dist = def.dist;
        if (p.dist.is_fixed())
            throw scenario::ScenarioError(
                "--vary", 0, 0, path,
                "is a fixed value (" + core::describe(def.dist) +
                    ") in the scenario, not a distribution: give a range, " + path +
                    "=LO:HI, for a uniform prior, or write a distribution in the scenario");
    } else {
        const std::string rhs = arg.substr(eq + 1);
        const auto colon = rhs.find(':');
        if (colon == std::string::npos || rhs.find(':', colon + 1) != std::string::npos)
            throw scenario::ScenarioError(
                "--vary", 0, 0, path,
                "takes PATH or PATH=LO:HI (a uniform prior), got '" + rhs + "'");
        double lo = 0, hi = 0;
        try {
            lo = parse_number("--vary", rhs.substr(0, colon));
            hi = parse_number("--vary", rhs.substr(colon + 1));
        } catch (const UsageError&) {
            throw scenario::ScenarioError("--vary", 0, 0, path,
                                          "LO:HI must be two numbers, got '" + rhs + "'");
        }
        p.dist = core::Distribution::uniform(lo, hi);
        if (const auto why = core::validate(p.dist, p.range); !why.empty())
            throw scenario::ScenarioError("--vary", 0, 0, path, why);
    }
    if (const auto why = abc::check_prior(p); !why.empty())
        throw scenario::ScenarioError("--vary", 0, 0, path, why);
    return p;
}

std::string part_name(std::int64_t gen, std::int64_t first, std::int64_t last) {
    std::ostringstream os;
    os << "gen-" << std::setw(3) << std::setfill('0') << gen << "-points-" << std::setw(8)
       << std::setfill('0') << first << "-" << std::setw(8) << std::setfill('0') << last - 1
       << ".h5";
    return os.str();
}

/// Why the calibration file at `path` is not the complete slice [first, first + n) of
/// generation `gen` of the calibration `id`, or "" if it is.
std::string not_this_slice(const std::string& path, const std::string& id, std::int64_t gen,
                           std::int64_t first, std::int64_t n, bool need_loglik = false) {
    if (!fs::is_regular_file(path)) return "it is not a regular file";
    try {
        const io::CalibrationData d = io::read_calibration(path);
        if (d.calibration_id != id)
            return "it belongs to another calibration (different scenario, events, priors, "
                   "method, points, runs or seed)";
        if (d.generation != gen || d.first_point != first ||
            static_cast<std::int64_t>(d.n_points()) != n)
            return "it holds other points";
        if (need_loglik && std::any_of(d.log_likelihood.begin(), d.log_likelihood.end(),
                                       [](double x) { return std::isnan(x); }))
            return "it was written without the points' log-likelihoods (by an earlier sco-sim), "
                   "which --posterior likelihood needs";
        return "";
    } catch (const std::exception& e) {
        return e.what();
    }
}

/// Everything a calibration file records besides its points.
struct Settings {
    io::CalibrationData head;  ///< provenance, settings, events, priors
    std::vector<abc::Prior> priors;
};

void put_points(io::CalibrationData& d, const std::vector<abc::PointResult>& pts, int gen) {
    const std::size_t m = d.n_pairs();
    for (const auto& p : pts) {
        for (std::size_t q = 0; q < m; ++q) {
            const abc::PointScore& ps = p.pairs.size() == m ? p.pairs[q] : p.score;
            d.pair_distance.push_back(ps.distance);
            d.pair_brier.push_back(ps.brier);
            d.pair_log_score.push_back(ps.log_score);
            d.pair_skill.push_back(ps.skill);
        }
        d.point_generation.push_back(gen);
        d.point_index.push_back(p.point);
        d.theta.insert(d.theta.end(), p.theta.begin(), p.theta.end());
        d.distance_value.push_back(p.score.distance);
        d.brier.push_back(p.score.brier);
        d.log_score.push_back(p.score.log_score);
        d.skill.push_back(p.score.skill);
        d.log_likelihood.push_back(p.score.log_lik);
        d.log_likelihood_sd.push_back(std::sqrt(p.score.log_lik_var));
        d.weight.push_back(0.0);
        d.accepted.push_back(0);
        for (std::size_t r = 0; r < d.n_required(); ++r) {
            d.required_p.push_back(r < p.required_p.size() ? p.required_p[r] : kNaN);
            d.required_held.push_back(r < p.required_held.size() ? p.required_held[r] : 0);
        }
    }
}

std::vector<abc::PointResult> get_points(const io::CalibrationData& d) {
    std::vector<abc::PointResult> out;
    const std::size_t k = d.n_params();
    for (std::size_t i = 0; i < d.n_points(); ++i) {
        abc::PointResult p;
        p.point = d.point_index[i];
        p.theta.assign(d.theta.begin() + static_cast<std::ptrdiff_t>(i * k),
                       d.theta.begin() + static_cast<std::ptrdiff_t>((i + 1) * k));
        p.score = {d.distance_value[i],
                   d.brier[i],
                   d.log_score[i],
                   d.skill[i],
                   d.log_likelihood[i],
                   d.log_likelihood_sd[i] * d.log_likelihood_sd[i],
                   {},
                   {},
                   {},
                   {}};
        const std::size_t m = d.n_pairs();
        if (d.pair_distance.size() == d.n_points() * m)
            for (std::size_t q = 0; q < m; ++q) {
                const std::size_t at = i * m + q;
                p.pairs.push_back(abc::PointScore{d.pair_distance[at],
                                                  d.pair_brier[at],
                                                  d.pair_log_score[at],
                                                  d.pair_skill[at],
                                                  kNaN,
                                                  kNaN,
                                                  {},
                                                  {},
                                                  {},
                                                  {}});
            }
        const std::size_t r = d.n_required();
        if (d.required_held.size() == d.n_points() * r) {
            p.required_p.assign(d.required_p.begin() + static_cast<std::ptrdiff_t>(i * r),
                                d.required_p.begin() + static_cast<std::ptrdiff_t>((i + 1) * r));
            p.required_held.assign(
                d.required_held.begin() + static_cast<std::ptrdiff_t>(i * r),
                d.required_held.begin() + static_cast<std::ptrdiff_t>((i + 1) * r));
        }
        out.push_back(std::move(p));
    }
    return out;
}

/// The priors recorded in a calibration file (for merge, summary and --write-scenario).
std::vector<abc::Prior> priors_of(const io::CalibrationData& d) {
    std::vector<abc::Prior> out;
    for (std::size_t j = 0; j < d.n_params(); ++j) {
        abc::Prior p;
        p.path = d.paths[j];
        const std::string& k = d.prior_kind[j];
        const core::DistKind kind = k == "uniform" ? core::DistKind::Uniform
                                    : k == "beta"  ? core::DistKind::Beta
                                                   : core::DistKind::Normal;
        p.dist = core::Distribution{kind, d.prior_a[j], d.prior_b[j]};
        p.range = core::Range{d.range_lo[j], d.range_hi[j]};
        p.integer = d.integer[j] != 0;
        out.push_back(p);
    }
    return out;
}

/// The final file from the settled generations.
io::CalibrationData final_data(const Settings& st, const std::vector<abc::Generation>& gens) {
    io::CalibrationData d = st.head;
    d.kind = "final";
    d.generation = static_cast<std::int64_t>(gens.size()) - 1;
    d.first_point = 0;
    d.total_points = 0;
    for (std::size_t g = 0; g < gens.size(); ++g) {
        const auto& G = gens[g];
        const std::size_t at = d.n_points();
        put_points(d, G.points, static_cast<int>(g));
        for (std::size_t i = 0; i < G.points.size(); ++i) {
            d.weight[at + i] = G.weight[i];
            d.accepted[at + i] = G.accepted[i];
        }
        d.total_points += static_cast<std::int64_t>(G.points.size());
        d.epsilon.push_back(G.epsilon);
        d.ess.push_back(G.ess);
        d.n_accepted.push_back(G.n_accepted());
        d.candidates.push_back(static_cast<std::int64_t>(G.points.size()));
        d.n_feasible.push_back(G.n_feasible);
        d.n_feasible_accepted.push_back(G.n_feasible_accepted);
    }
    const bool likelihood = d.posterior == "likelihood";
    d.posterior_loglik_sd = kNaN;
    if (likelihood && !gens.empty()) {
        // how noisy the weights are where the posterior is: the weighted median of the
        // points' Monte Carlo sd of their log-likelihood
        std::vector<double> sd, w;
        const auto& G = gens.back();
        for (std::size_t i = 0; i < G.points.size(); ++i)
            if (G.accepted[i] && G.weight[i] > 0) {
                sd.push_back(std::sqrt(G.points[i].score.log_lik_var));
                w.push_back(G.weight[i]);
            }
        if (!sd.empty()) d.posterior_loglik_sd = abc::weighted_quantile(sd, w, 0.5);
    }
    if (!gens.empty())
        d.warning = abc::posterior_warning(
            gens.back().ess, gens.back().n_feasible, gens.back().n_feasible_accepted,
            d.n_required() > 0,
            likelihood ? abc::PosteriorKind::Likelihood : abc::PosteriorKind::Distance,
            d.posterior_loglik_sd);
    const auto post = abc::summarize(abc::population_of(gens.back()));
    for (std::size_t j = 0; j < st.priors.size(); ++j) {
        const abc::Marginal pm = abc::prior_marginal(st.priors[j]);
        d.prior_median.push_back(pm.median);
        d.prior_q05.push_back(pm.q05);
        d.prior_q95.push_back(pm.q95);
        const abc::Marginal m =
            j < post.size() ? post[j] : abc::Marginal{kNaN, kNaN, kNaN, kNaN, kNaN};
        d.post_mean.push_back(m.mean);
        d.post_sd.push_back(m.sd);
        d.post_median.push_back(m.median);
        d.post_q05.push_back(m.q05);
        d.post_q95.push_back(m.q95);
    }
    return d;
}

void fill_priors(io::CalibrationData& d, const std::vector<abc::Prior>& priors) {
    for (const auto& p : priors) {
        const abc::Support s = abc::support(p);
        d.paths.push_back(p.path);
        d.prior_text.push_back(core::describe(p.dist));
        d.prior_kind.push_back(core::kind_name(p.dist.kind));
        d.prior_a.push_back(p.dist.a);
        d.prior_b.push_back(p.dist.b);
        d.support_lo.push_back(s.lo);
        d.support_hi.push_back(s.hi);
        d.range_lo.push_back(p.range.lo);
        d.range_hi.push_back(p.range.hi);
        d.integer.push_back(p.integer ? 1 : 0);
    }
}

/// Merges rejection shards (any order) into the final file.
int merge_shards(const std::vector<std::string>& inputs, const std::string& out, bool force,
                 bool rule_given, double quantile, double tolerance, bool quiet,
                 const std::string& command_line, const std::string& write_scenario,
                 const std::string& posterior);

int write_scenario_file(const io::CalibrationData& d, const std::string& out, bool force,
                        bool quiet);

}  // namespace

std::string calibration_report(const io::CalibrationData& d) {
    std::ostringstream os;
    os << "calibration (" << d.kind << "): " << d.method << ", " << d.points_per_generation
       << " points" << (d.method == "smc" ? " per generation, " : ", ")
       << (d.method == "smc" ? std::to_string(d.generations) + " generations, " : "")
       << d.replications << " runs each, seed " << d.seed << "\n";
    os << "scenario " << d.scenario_path << "; events " << d.events_path << " (" << d.observations
       << " observations, sha256 " << d.events_sha256.substr(0, 12) << ")\n";
    for (std::size_t q = 1; q < d.n_pairs(); ++q)
        os << (q < d.pair_required.size() && d.pair_required[q] == 2   ? "compared: scenario "
               : q < d.pair_required.size() && d.pair_required[q] != 0 ? "required: scenario "
                                                                       : "also: scenario ")
           << d.pair_scenario_path[q] << "; events " << d.pair_events_path[q] << " ("
           << d.pair_observations[q] << " observations, sha256 "
           << d.pair_events_sha256[q].substr(0, 12) << ", seed " << d.pair_seed[q] << ")\n";
    std::size_t in_distance = 0;
    for (std::size_t q = 0; q < d.n_pairs(); ++q)
        in_distance += q < d.pair_required.size() && d.pair_required[q] ? 0 : 1;
    const bool likelihood = d.posterior == "likelihood";
    if (likelihood) {
        os << "posterior: likelihood-weighted (every " << (d.n_required() > 0 ? "feasible " : "")
           << "point of the " << (d.method == "smc" ? "last generation" : "calibration")
           << " weighted by its estimated likelihood of the observed events"
           << (in_distance > 1 ? ", the product over the pairs," : "")
           << (d.method == "smc" ? " x prior / proposal" : "") << ")\n";
        if (d.method == "smc")
            os << "generations before the last: distance the "
               << (in_distance > 1 ? "mean over the pairs of their weighted Brier scores"
                                   : "weighted Brier score")
               << "; quantile " << d.quantile << "\n";
    } else {
        os << (in_distance > 1
                   ? "distance: the mean over the pairs of their weighted Brier scores; "
                   : "distance: the weighted Brier score; ");
        if (!std::isnan(d.tolerance))
            os << "tolerance " << d.tolerance << "\n";
        else
            os << "quantile " << d.quantile << "\n";
        os << "posterior: distance (the points within the distance cut"
           << (d.method == "smc" ? ", importance-weighted" : "")
           << "; not a Bayesian posterior: --posterior likelihood is one)\n";
    }
    if (const std::size_t r = d.n_required(); r > 0 && d.required_held.size() == d.n_points() * r) {
        // Pattern-oriented filtering: how many points held every required observation, per
        // generation, and which observations the first generation's points (the prior's, in
        // rejection and in SMC's generation 0) failed.
        std::size_t npairs = 0, ncomp = 0;
        for (const auto q : d.pair_required) npairs += q == 1 ? 1 : 0;
        for (const auto& l : d.required_label) ncomp += l.rfind("comparison ", 0) == 0 ? 1 : 0;
        if (r > ncomp) {
            os << "required: " << r - ncomp << " events of " << npairs << " pair(s) must hold ("
               << (d.require_rule == "wilson"
                       ? "95% Wilson interval of the share of runs giving the event's whole "
                         "observed pattern reaches "
                   : d.require_rule == "mode"
                       ? "the event's observed pattern is the most frequent pattern of the "
                         "variables its observations read (allowed or not) in the point's "
                         "runs, ties holding"
                       : "the share of the point's runs giving the event's whole observed "
                         "pattern reaches ");
            if (d.require_rule != "mode") os << d.require_level;
            if (d.require_rule == "mode" && d.require_floor > 0)
                os << ", and its share at least " << d.require_floor;
            if (d.required_level.size() == r)
                for (std::size_t k = 0; k + ncomp < r; ++k)
                    if (d.required_level[k] != d.require_level &&
                        (k == 0 || d.required_level[k] != d.required_level[k - 1]))
                        os << (d.require_rule == "mode" ? "; the share reaching " : "; ")
                           << d.required_level[k] << " for the pair of "
                           << d.required_label[k].substr(d.required_label[k].rfind(" (") + 1);
            os << ")\n";
        }
        if (ncomp > 0)
            os << "required: " << ncomp
               << " comparison(s) must hold (the 95% interval of the difference, the --than side "
                  "minus the --require-less side, reaches 0)\n";
        std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> by_gen;  // points, feasible
        std::int32_t first_gen = std::numeric_limits<std::int32_t>::max();
        for (std::size_t i = 0; i < d.n_points(); ++i) {
            bool ok = true;
            for (std::size_t k = 0; k < r; ++k) ok = ok && d.required_held[i * r + k] != 0;
            auto& c = by_gen[d.point_generation[i]];
            ++c.first;
            c.second += ok ? 1 : 0;
            first_gen = std::min(first_gen, d.point_generation[i]);
        }
        for (const auto& [g, c] : by_gen)
            os << "  generation " << g << ": " << c.second << " of " << c.first
               << " points hold every required event\n";
        os << "  failed by the points of generation " << first_gen << ":\n";
        for (std::size_t k = 0; k < r; ++k) {
            std::int64_t fails = 0, n = 0;
            for (std::size_t i = 0; i < d.n_points(); ++i)
                if (d.point_generation[i] == first_gen) {
                    ++n;
                    fails += d.required_held[i * r + k] == 0 ? 1 : 0;
                }
            os << "    " << d.required_label[k] << ": " << fails << " of " << n << "\n";
        }
    }
    if (d.kind != "final") {
        os << "points " << d.first_point << "-" << d.first_point + d.n_points() - 1
           << " of generation " << d.generation << " (" << d.total_points
           << " points); a shard or part has no posterior: merge the shards\n";
        return os.str();
    }
    const bool per_gen =
        d.n_feasible.size() == d.epsilon.size() && d.n_feasible_accepted.size() == d.epsilon.size();
    for (std::size_t g = 0; g < d.epsilon.size(); ++g) {
        os << "generation " << g << ": " << d.candidates[g] << " points, ";
        if (per_gen && d.n_required() > 0) os << d.n_feasible[g] << " feasible, ";
        os << d.n_accepted[g] << " accepted";
        if (per_gen && d.n_required() > 0 && d.n_accepted[g] != d.n_feasible_accepted[g])
            os << " (" << d.n_feasible_accepted[g] << " feasible)";
        const bool weighted = likelihood && g + 1 == d.epsilon.size();
        if (weighted)
            os << ", likelihood-weighted";
        else if (per_gen)
            os << (d.n_feasible_accepted[g] < d.n_feasible[g]
                       ? ", the distance cut " +
                             std::to_string(d.n_feasible[g] - d.n_feasible_accepted[g])
                       : std::string(", the distance cut none"));
        if (!weighted) os << ", epsilon " << std::setprecision(4) << d.epsilon[g];
        os << ", ESS " << std::setprecision(4) << d.ess[g] << "\n";
    }
    if (likelihood && !std::isnan(d.posterior_loglik_sd))
        os << "log-likelihood: Monte Carlo sd " << std::setprecision(3) << d.posterior_loglik_sd
           << " at the posterior's points (weighted median; above " << abc::kMaxLogLikSd
           << " the weights are mostly noise)\n";
    if (!d.warning.empty()) os << "WARNING: " << d.warning << "\n";
    double best = kNaN, best_skill = kNaN, best_log = kNaN;
    std::size_t best_i = 0;
    const std::size_t nreq =
        d.required_held.size() == d.n_points() * d.n_required() ? d.n_required() : 0;
    for (std::size_t i = 0; i < d.n_points(); ++i) {
        bool ok = true;  // with --require: the best of the points that hold every observation
        for (std::size_t k = 0; k < nreq; ++k) ok = ok && d.required_held[i * nreq + k] != 0;
        if (ok && (std::isnan(best) || d.distance_value[i] < best)) {
            best = d.distance_value[i];
            best_skill = d.skill[i];
            best_log = d.log_score[i];
            best_i = i;
        }
    }
    os << "best point" << (nreq ? " (of those holding every required event)" : "") << ": Brier "
       << std::setprecision(4) << best << ", log score " << best_log << ", skill " << best_skill
       << (in_distance > 1 ? " (means over the pairs in the distance)" : "") << "\n";
    if (const std::size_t m = d.n_pairs(); m > 1 && !std::isnan(best) && d.n_points() > 0 &&
                                           d.pair_distance.size() == d.n_points() * m)
        for (std::size_t q = 0; q < m; ++q)
            os << "  pair " << q << " (" << d.pair_events_name[q] << "): Brier "
               << std::setprecision(4) << d.pair_brier[best_i * m + q] << ", log score "
               << d.pair_log_score[best_i * m + q] << ", skill " << d.pair_skill[best_i * m + q]
               << "\n";
    os << "\n";
    std::size_t w = 9;
    for (const auto& p : d.paths) w = std::max(w, p.size());
    os << std::left << std::setw(static_cast<int>(w)) << "parameter"
       << "  " << std::setw(22) << "prior" << std::setw(20) << "prior 90%" << std::setw(11)
       << "post. med"
       << "posterior 90%\n";
    auto iv = [](double a, double b) {
        std::ostringstream t;
        t << std::setprecision(3) << "[" << a << ", " << b << "]";
        return t.str();
    };
    for (std::size_t j = 0; j < d.n_params(); ++j) {
        std::ostringstream med;
        med << std::setprecision(4) << d.post_median[j];
        os << std::left << std::setw(static_cast<int>(w)) << d.paths[j] << "  " << std::setw(22)
           << d.prior_text[j] << std::setw(20) << iv(d.prior_q05[j], d.prior_q95[j])
           << std::setw(11) << med.str() << iv(d.post_q05[j], d.post_q95[j]) << "\n";
    }
    return os.str();
}

std::string calibration_json(const io::CalibrationData& d) {
    using Json = nlohmann::ordered_json;
    auto num = [](double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); };
    Json j;
    j["format"] = io::kCalibrationFormat;
    j["kind"] = d.kind;
    j["method"] = d.method;
    j["distance"] = d.distance;
    j["posterior"] = d.posterior;
    j["log_likelihood_sd"] = num(d.posterior_loglik_sd);
    j["quantile"] = num(d.quantile);
    j["tolerance"] = num(d.tolerance);
    j["points_per_generation"] = d.points_per_generation;
    j["generations"] = d.generations;
    j["runs_per_point"] = d.replications;
    j["seed"] = d.seed;
    j["scenario"] = d.scenario_path;
    j["events"] = {{"path", d.events_path},
                   {"name", d.events_name},
                   {"sha256", d.events_sha256},
                   {"observations", d.observations}};
    Json pairs = Json::array();
    for (std::size_t q = 0; q < d.n_pairs(); ++q)
        pairs.push_back({{"scenario", d.pair_scenario_path[q]},
                         {"scenario_name", d.pair_scenario_name[q]},
                         {"scenario_sha256", d.pair_scenario_sha256[q]},
                         {"events", d.pair_events_path[q]},
                         {"events_name", d.pair_events_name[q]},
                         {"events_sha256", d.pair_events_sha256[q]},
                         {"observations", d.pair_observations[q]},
                         {"seed", d.pair_seed[q]},
                         {"required", q < d.pair_required.size() && d.pair_required[q] == 1},
                         {"compared", q < d.pair_required.size() && d.pair_required[q] == 2}});
    j["pairs"] = pairs;
    j["require_level"] = num(d.require_level);
    j["require_rule"] = d.n_required() > 0 ? Json(d.require_rule) : Json(nullptr);
    j["require_floor"] =
        d.n_required() > 0 && d.require_floor > 0 ? Json(d.require_floor) : Json(nullptr);
    j["warning"] = d.warning.empty() ? Json(nullptr) : Json(d.warning);
    if (const std::size_t r = d.n_required(); r > 0 && d.required_held.size() == d.n_points() * r) {
        Json req = Json::array();
        for (std::size_t k = 0; k < r; ++k) {
            std::int64_t fails = 0;
            for (std::size_t i = 0; i < d.n_points(); ++i)
                fails += d.required_held[i * r + k] == 0 ? 1 : 0;
            req.push_back({{"observation", d.required_label[k]},
                           {"pair", d.required_pair[k]},
                           {"points_failing", fails}});
        }
        j["required"] = req;
    }
    Json gens = Json::array();
    for (std::size_t g = 0; g < d.epsilon.size(); ++g) {
        Json e = {{"points", d.candidates[g]},
                  {"accepted", d.n_accepted[g]},
                  {"epsilon", num(d.epsilon[g])},
                  {"ess", num(d.ess[g])}};
        if (d.n_feasible.size() == d.epsilon.size() &&
            d.n_feasible_accepted.size() == d.epsilon.size()) {
            e["feasible"] = d.n_feasible[g];
            e["feasible_accepted"] = d.n_feasible_accepted[g];
            e["distance_cut"] = d.n_feasible_accepted[g] < d.n_feasible[g];
        }
        gens.push_back(e);
    }
    j["generation"] = gens;
    Json params = Json::array();
    for (std::size_t k = 0; k < d.n_params(); ++k)
        params.push_back({{"path", d.paths[k]},
                          {"prior", d.prior_text[k]},
                          {"prior_q05", num(d.prior_q05[k])},
                          {"prior_median", num(d.prior_median[k])},
                          {"prior_q95", num(d.prior_q95[k])},
                          {"mean", num(d.post_mean[k])},
                          {"sd", num(d.post_sd[k])},
                          {"median", num(d.post_median[k])},
                          {"q05", num(d.post_q05[k])},
                          {"q95", num(d.post_q95[k])}});
    j["parameters"] = params;
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

int cmd_calibrate(const std::vector<std::string>& args, const std::string& command_line) {
    po::options_description desc("options");
    using Strings = std::vector<std::string>;
    const std::string seed_help = "master seed (runs and the ABC draws; default " +
                                  std::to_string(experiment::RunConfig{}.seed) + ")";
    desc.add_options()(
        "vary", po::value<Strings>()->composing()->value_name("PATH[=LO:HI]"),
        "PATH (the scenario's distribution is the prior) or PATH=LO:HI (uniform prior); "
        "repeatable, a path once")("points",
                                   po::value<std::int64_t>()->default_value(1000)->value_name("N"),
                                   "prior points (SMC: points per generation)")(
        "runs,n", po::value<std::int64_t>()->default_value(100)->value_name("RUNS"),
        "runs per point")(
        "method", po::value<std::string>()->default_value("rejection")->value_name("rejection|smc"),
        "rejection or smc")("quantile", po::value<std::string>()->value_name("Q"),
                            "accept this share of the points with the smallest distance "
                            "(default 0.1)")(
        "tolerance", po::value<std::string>()->value_name("T"),
        "accept points with distance <= T (SMC: in the last generation)")(
        "posterior", po::value<std::string>()->value_name("distance|likelihood"),
        "distance (the points within the distance cut, the default) or likelihood (every point "
        "weighted by its estimated likelihood of the events: a Bayesian posterior)")(
        "generations", po::value<std::int64_t>()->default_value(3)->value_name("G"),
        "SMC generations")("seed", po::value<std::string>()->value_name("S"), seed_help.c_str())(
        "threads,j", po::value<int>()->default_value(0)->value_name("THREADS"),
        "threads (0: all cores)")("output,o", po::value<std::string>()->value_name("FILE"),
                                  "output file (default results/<scenario>-calibration.h5)")(
        "force", "overwrite an existing output; discard an interrupted calibration's parts")(
        "shard", po::value<std::string>()->value_name("K/N"),
        "rejection only: run shard K of N of the points")(
        "resume", "finish an interrupted calibration: keep the parts (or shard) already complete")(
        "merge", "merge calibration shards: the positional arguments are the shard files")(
        "skip-missing", "leave out events naming a year, proposal or agent the scenario lacks")(
        "write-scenario", po::value<std::string>()->value_name("OUT.yaml"),
        "also write the scenario with the posterior as distributions")(
        "set", po::value<Strings>()->composing()->value_name("PATH=VALUE"),
        "fix a parameter for every point (in every scenario); repeatable, a path once, and not "
        "one --vary varies")("also",
                             po::value<Strings>()->composing()->value_name("SCENARIO:EVENTS"),
                             "one more (scenario, events) pair, run and scored at every point; "
                             "repeatable")(
        "require", po::value<Strings>()->composing()->value_name("SCENARIO:EVENTS[:LEVEL]"),
        "a required pair, run at every point: a point is accepted only if each of its events "
        "holds (pattern-oriented filtering); not part of the distance; repeatable")(
        "require-less", po::value<Strings>()->composing()->value_name("SCENARIO:EVENTS[:ID,...]"),
        "a required comparison with the next --than: the probability of the observed values "
        "(mean over the named events' observations, or all) must not be significantly higher "
        "here than there; repeatable")(
        "than", po::value<Strings>()->composing()->value_name("SCENARIO:EVENTS[:ID,...]"),
        "the other side of the matching --require-less")(
        "require-level", po::value<std::string>()->value_name("P"),
        "a required event holds when the share of the point's runs giving all its observations "
        "together reaches this level (default 0.5); "
        "--require SCENARIO:EVENTS:LEVEL gives one pair its own")(
        "require-rule", po::value<std::string>()->value_name("share|wilson|mode"),
        "share (k/n >= level, the default), wilson (the 95% Wilson interval's upper end "
        "reaches the level: lenient, the rule before session 5) or mode (the observed pattern "
        "is the most frequent cell of the variables the event's observations read; no level)")(
        "require-floor", po::value<std::string>()->value_name("P"),
        "with --require-rule mode: a required event also needs its observed cell's share of the "
        "point's runs to be at least this (in (0, 1]; default none)")("quiet,q",
                                                                      "print nothing but errors")(
        "progress", "report progress on stderr even when it is not a terminal");
    const bool merging = std::find(args.begin(), args.end(), std::string("--merge")) != args.end();
    const auto vmo = parse_command(
        "calibrate",
        "SCENARIO EVENTS [--also SCENARIO:EVENTS ...]\n"
        "           [--require SCENARIO:EVENTS[:LEVEL] ...] [--require-level P]\n"
        "           [--require-rule share|wilson|mode] [--require-floor P]\n"
        "           [--require-less SCENARIO:EVENTS[:ID,...] --than SCENARIO:EVENTS[:ID,...] ...]\n"
        "           --vary PATH[=LO:HI] ... [--points N] [-n RUNS] [--method rejection|smc]\n"
        "           [--quantile Q | --tolerance T] [--generations G] [--posterior "
        "distance|likelihood]\n"
        "           [--seed S] [-j THREADS] [-o FILE] [--force] [--shard K/N] [--resume]\n"
        "           [--skip-missing] [--write-scenario OUT.yaml] [--set PATH=VALUE ...] [-q] "
        "[--progress]\n"
        "       sco-sim calibrate --merge SHARD.h5 ... -o FILE\n"
        "           [--quantile Q | --tolerance T | --posterior distance|likelihood]\n"
        "           [--write-scenario OUT.yaml] [--force] [-q]",
        "Approximate Bayesian computation: draw points from the priors, run each as a sweep\n"
        "point (run r of point k keyed by (seed, k, r)), score it against the events (the\n"
        "weighted Brier score is the distance) and keep the closest points as the posterior,\n"
        "or (--posterior likelihood) weight every point by its estimated likelihood.",
        args, desc,
        merging ? std::vector<std::string>{"inputs"}
                : std::vector<std::string>{"scenario", "events"},
        merging ? 1 : 2, merging);
    if (!vmo) return kExitOk;
    const auto& vm = *vmo;
    const bool quiet = vm.count("quiet") > 0, force = vm.count("force") > 0,
               resume = vm.count("resume") > 0;
    double quantile = 0.1, tolerance = kNaN;
    // Both only in smc: the quantile cuts the generations before the last, the tolerance the
    // last (a small quantile keeps the earlier populations in the feasible region).
    if (vm.count("quantile") && vm.count("tolerance") &&
        (merging || vm["method"].as<std::string>() != "smc"))
        throw UsageError(
            "calibrate: give --quantile or --tolerance, not both (both only with --method smc: "
            "the quantile for the generations before the last, the tolerance for the last)");
    if (vm.count("quantile")) {
        quantile = parse_number("--quantile", vm["quantile"].as<std::string>());
        if (!(quantile > 0 && quantile <= 1))
            throw UsageError("calibrate: --quantile must be in (0, 1], got " +
                             vm["quantile"].as<std::string>());
    }
    if (vm.count("tolerance")) {
        tolerance = parse_number("--tolerance", vm["tolerance"].as<std::string>());
        if (tolerance < 0)
            throw UsageError("calibrate: --tolerance must be >= 0, got " +
                             vm["tolerance"].as<std::string>());
    }
    abc::PosteriorKind posterior = abc::PosteriorKind::Distance;
    if (vm.count("posterior")) {
        const auto pk = abc::kPosteriorNames.parse(vm["posterior"].as<std::string>());
        if (!pk)
            throw UsageError("calibrate: unknown --posterior '" +
                             vm["posterior"].as<std::string>() + "'; one of distance, likelihood");
        posterior = *pk;
    }
    const bool likelihood = posterior == abc::PosteriorKind::Likelihood;
    if (likelihood && vm.count("tolerance"))
        throw UsageError(
            "calibrate: --tolerance cuts the posterior by distance; --posterior likelihood "
            "weights every point instead (give one of them)");
    const std::string write_scenario =
        vm.count("write-scenario") ? vm["write-scenario"].as<std::string>() : "";
    double require_level = 0.5;
    if (vm.count("require-level")) {
        require_level = parse_number("--require-level", vm["require-level"].as<std::string>());
        if (!(require_level > 0 && require_level < 1))
            throw UsageError("calibrate: --require-level must be in (0, 1), got " +
                             vm["require-level"].as<std::string>());
        if (!vm.count("require") && !merging)
            throw UsageError("calibrate: --require-level applies to --require pairs; none given");
    }
    abc::RequireRule require_rule = abc::RequireRule::Share;
    if (vm.count("require-rule")) {
        const auto r = abc::kRequireRuleNames.parse(vm["require-rule"].as<std::string>());
        if (!r)
            throw UsageError("calibrate: unknown --require-rule '" +
                             vm["require-rule"].as<std::string>() +
                             "'; one of share, wilson, mode");
        require_rule = *r;
        if (!vm.count("require") && !merging)
            throw UsageError("calibrate: --require-rule applies to --require pairs; none given");
        if (require_rule == abc::RequireRule::Mode && vm.count("require-level"))
            throw UsageError(
                "calibrate: --require-level does not apply to --require-rule mode (an event "
                "holds when its observed pattern is the most frequent one; there is no level)");
    }
    double require_floor = 0.0;  // none
    if (vm.count("require-floor")) {
        require_floor = parse_number("--require-floor", vm["require-floor"].as<std::string>());
        if (!(require_floor > 0 && require_floor <= 1))
            throw UsageError("calibrate: --require-floor must be in (0, 1], got " +
                             vm["require-floor"].as<std::string>());
        if (!merging && require_rule != abc::RequireRule::Mode)
            throw UsageError(
                "calibrate: --require-floor applies to --require-rule mode (the share and "
                "wilson rules have their level, --require-level)");
    }

    if (merging) {
        if (!vm.count("output")) throw UsageError("calibrate --merge: -o FILE is required");
        for (const char* o : {"vary", "shard", "resume", "set", "also", "require", "require-level",
                              "require-rule", "require-floor", "require-less", "than"})
            if (vm.count(o))
                throw UsageError(std::string("calibrate --merge: --") + o +
                                 " does not apply to a merge");
        if (likelihood && vm.count("quantile"))
            throw UsageError(
                "calibrate --merge: --quantile cuts the posterior by distance; --posterior "
                "likelihood weights every point instead (give one of them)");
        return merge_shards(
            vm["inputs"].as<std::vector<std::string>>(), vm["output"].as<std::string>(), force,
            vm.count("quantile") || vm.count("tolerance"), vm.count("tolerance") ? kNaN : quantile,
            tolerance, quiet, command_line, write_scenario,
            vm.count("posterior") ? std::string(abc::kPosteriorNames.name(posterior)) : "");
    }

    if (!vm.count("vary"))
        throw UsageError("calibrate: nothing to calibrate; give --vary PATH[=LO:HI] at least once");
    const auto method = abc::kMethodNames.parse(vm["method"].as<std::string>());
    if (!method)
        throw UsageError("calibrate: unknown method '" + vm["method"].as<std::string>() +
                         "'; one of rejection, smc");
    const std::int64_t points = vm["points"].as<std::int64_t>();
    if (points < 1 || points > 10'000'000)
        throw UsageError("calibrate: --points must be between 1 and 10000000");
    if (likelihood && *method == abc::Method::Rejection && vm.count("quantile"))
        throw UsageError(
            "calibrate: --quantile cuts the posterior by distance; with --method rejection "
            "--posterior likelihood weights every point instead (with smc, --quantile shapes "
            "the generations before the last)");
    const std::int64_t gens =
        *method == abc::Method::Smc ? vm["generations"].as<std::int64_t>() : 1;
    if (gens < 1 || gens > 100)
        throw UsageError("calibrate: --generations must be between 1 and 100");
    experiment::RunConfig cfg;
    cfg.replications = vm["runs"].as<std::int64_t>();
    if (cfg.replications < 1 || cfg.replications > 100'000'000)
        throw UsageError("calibrate: -n must be between 1 and 100000000");
    if (vm.count("seed"))
        cfg.seed = parse_whole("calibrate", "--seed", vm["seed"].as<std::string>());
    cfg.summary_only = true;
    cfg.threads = check_threads("calibrate", vm["threads"].as<int>());
    const Shard shard =
        vm.count("shard") ? parse_shard("calibrate", vm["shard"].as<std::string>()) : Shard{};
    if (shard.count > 1 && *method != abc::Method::Rejection)
        throw UsageError(
            "calibrate: --shard is for --method rejection (the generations of smc depend on "
            "each other); run smc in one job, or shard a rejection calibration");
    if (shard.count > points)
        throw UsageError("calibrate: --shard " + std::to_string(shard.index + 1) + "/" +
                         std::to_string(shard.count) + ": only " + std::to_string(points) +
                         " points");
    if (shard.count > 1 && !write_scenario.empty())
        throw UsageError(
            "calibrate: --write-scenario needs the whole posterior: give it to the merge");

    // ---- the scenarios, the priors, the events: pair 0 and the --also pairs ----
    struct Pair {
        scenario::Scenario sc;
        std::vector<abc::Prior> priors;  ///< the primary's priors, ids resolved in sc
        scenario::Events events;
        std::string events_path;
        std::vector<experiment::Observation> obs;
        std::uint64_t seed = 0;
        bool required = false;  ///< --require: filters the points, not in the distance
        bool compared = false;  ///< a side of --require-less/--than: not in the distance
        double level = 0.5;     ///< --require: the level its observations are judged at
        /// how its events are judged: --require-rule, except that under mode a pair given its
        /// own level (SCENARIO:EVENTS:LEVEL) is judged by the share rule at that level
        abc::RequireRule rule = abc::RequireRule::Share;
    };
    struct PairFiles {
        std::string scenario, events;
        bool required = false;
        bool compared = false;
        double level = kNaN;  ///< --require SCENARIO:EVENTS:LEVEL; NaN: --require-level
    };
    // --require-less LESS --than MORE: each side SCENARIO:EVENTS[:ID,...] (docs/cli.md).
    struct Side {
        std::string text, scenario, events;
        std::vector<std::string> ids;  ///< empty: every observation of the events file
        std::size_t pair = 0;
        std::vector<std::size_t> obs;  ///< indices into the pair's observations
    };
    std::vector<std::pair<Side, Side>> comparisons;
    {
        const auto list = [&](const char* o) {
            return vm.count(o) ? vm[o].as<std::vector<std::string>>() : std::vector<std::string>{};
        };
        const auto less = list("require-less"), more = list("than");
        if (less.size() != more.size())
            throw UsageError("calibrate: " + std::to_string(less.size()) + " --require-less but " +
                             std::to_string(more.size()) +
                             " --than; give each --require-less LESS its --than MORE");
        const auto side = [](const std::string& a, const char* opt) {
            // SCENARIO:EVENTS or SCENARIO:EVENTS:ID,...: the last part is the ids unless it
            // names a YAML file (events files end in .yaml or .yml).
            Side s;
            s.text = a;
            std::string rest = a;
            const auto last = rest.rfind(':');
            if (last != std::string::npos && last + 1 < rest.size()) {
                const std::string tail = rest.substr(last + 1);
                const auto ends = [&](const std::string& x) {
                    return tail.size() >= x.size() &&
                           tail.compare(tail.size() - x.size(), x.size(), x) == 0;
                };
                if (!ends(".yaml") && !ends(".yml")) {
                    std::stringstream ss(tail);
                    for (std::string id; std::getline(ss, id, ',');)
                        if (!id.empty()) s.ids.push_back(id);
                    rest = rest.substr(0, last);
                }
            }
            const auto colon = rest.rfind(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
                throw UsageError(std::string("calibrate: --") + opt +
                                 " takes SCENARIO:EVENTS or SCENARIO:EVENTS:ID[,ID...], got '" + a +
                                 "'");
            s.scenario = rest.substr(0, colon);
            s.events = rest.substr(colon + 1);
            return s;
        };
        for (std::size_t c = 0; c < less.size(); ++c)
            comparisons.emplace_back(side(less[c], "require-less"), side(more[c], "than"));
    }
    std::vector<PairFiles> files{
        {vm["scenario"].as<std::string>(), vm["events"].as<std::string>(), false}};
    for (const char* opt : {"also", "require"})
        if (vm.count(opt))
            for (const auto& arg : vm[opt].as<std::vector<std::string>>()) {
                // SCENARIO:EVENTS, split at the last ':' (a scenario path may hold one; an
                // events path may not). --require SCENARIO:EVENTS:LEVEL: a last part that is
                // a number is the pair's own level.
                std::string a = arg;
                double level = kNaN;
                if (const auto last = a.rfind(':');
                    std::string(opt) == "require" && last != std::string::npos) {
                    const std::string tail = a.substr(last + 1);
                    std::size_t used = 0;
                    double v = kNaN;
                    try {
                        v = std::stod(tail, &used);
                    } catch (const std::exception&) {
                        used = 0;
                    }
                    if (used == tail.size() && !tail.empty()) {
                        if (!(v > 0 && v < 1))
                            throw UsageError("calibrate: --require " + arg +
                                             ": the level after the last ':' must be in (0, 1)");
                        level = v;
                        a = a.substr(0, last);
                    }
                }
                const auto colon = a.rfind(':');
                if (colon == std::string::npos || colon == 0 || colon + 1 == a.size())
                    throw UsageError(std::string("calibrate: --") + opt +
                                     " takes SCENARIO:EVENTS (two files joined by "
                                     "':'), got '" +
                                     arg + "'");
                files.push_back({a.substr(0, colon), a.substr(colon + 1),
                                 std::string(opt) == "require", false, level});
            }
    // The comparisons' sides run as pairs of their own (one per distinct scenario and events).
    const auto same_file = [](const std::string& a, const std::string& b) {
        std::error_code ec1, ec2;
        const auto ca = fs::weakly_canonical(a, ec1), cb = fs::weakly_canonical(b, ec2);
        return ec1 || ec2 ? a == b : ca == cb;
    };
    for (auto& [l, m] : comparisons)
        for (Side* s : {&l, &m}) {
            std::size_t q = 0;
            while (q < files.size() &&
                   !(files[q].compared && same_file(files[q].scenario, s->scenario) &&
                     same_file(files[q].events, s->events)))
                ++q;
            if (q == files.size()) files.push_back({s->scenario, s->events, false, true});
            s->pair = q;
        }
    std::vector<Pair> pairs;
    Settings st;
    for (std::size_t q = 0; q < files.size(); ++q) {
        Pair P;
        P.sc = scenario::load_file(files[q].scenario);
        P.required = files[q].required;
        P.compared = files[q].compared;
        P.level = std::isnan(files[q].level) ? require_level : files[q].level;
        P.rule = require_rule == abc::RequireRule::Mode && !std::isnan(files[q].level)
                     ? abc::RequireRule::Share
                     : require_rule;
        if (P.required && abc::vacuous(cfg.replications, P.level, P.rule)) {
            // Finding 3 of session 5: the Wilson upper end of 0 of n reaches the level, so
            // every observation would hold, even one the model never gives.
            std::int64_t n_min = cfg.replications;
            while (abc::vacuous(n_min, P.level, P.rule)) ++n_min;
            std::ostringstream m;
            m << "calibrate: with -n " << cfg.replications
              << " runs every required observation holds under --require-rule wilson at level "
              << P.level << ", even one the model never gives (the 95% Wilson interval of 0 of "
              << cfg.replications << " reaches " << experiment::wilson(0, cfg.replications).hi
              << "); give -n " << n_min
              << " or more, a higher --require-level, or "
                 "--require-rule share";
            throw UsageError(m.str());
        }
        const std::vector<SetOption> sets = apply_set_options(vm, P.sc.spec);
        if (q == 0) {
            for (const auto& v : vm["vary"].as<std::vector<std::string>>()) {
                st.priors.push_back(make_prior(P.sc.spec, v));
                refuse_set_and_vary(sets, st.priors.back().id, st.priors.back().path);
                for (std::size_t j = 0; j + 1 < st.priors.size(); ++j)
                    if (st.priors[j].id == st.priors.back().id)
                        throw scenario::ScenarioError("--vary", 0, 0, st.priors.back().path,
                                                      "is varied twice");
            }
        }
        // The primary's priors; each path must name a parameter of this scenario too.
        P.priors = st.priors;
        if (q > 0)
            for (auto& pr : P.priors) {
                try {
                    pr.id = scenario::resolve_path(P.sc.spec, pr.path, "--vary", 0);
                } catch (const scenario::ScenarioError& e) {
                    throw scenario::ScenarioError(
                        "--vary", 0, 0, pr.path,
                        "is not a parameter of " + P.sc.path +
                            (P.compared   ? " (a --require-less/--than side "
                             : P.required ? " (the --require pair "
                                          : " (the --also pair ") +
                            files[q].scenario + ":" + files[q].events +
                            "); every varied parameter must exist in every scenario: " + e.message);
                }
            }
        P.events_path = files[q].events;
        P.events = scenario::load_events(P.events_path);
        std::vector<experiment::Skipped> skipped;
        try {
            P.obs = experiment::resolve(P.events, experiment::labels_of(P.sc.spec),
                                        vm.count("skip-missing") > 0, &skipped);
        } catch (const experiment::ResolveError& e) {
            std::cerr << "sco-sim: error: " << e.what()
                      << (q > 0 ? " (scored against " + P.sc.path + ")" : std::string())
                      << "\n(--skip-missing leaves such events out and lists them)\n";
            return kExitBadInput;
        }
        if (!skipped.empty() && !quiet) {
            std::cerr << "sco-sim: --skip-missing left out " << skipped.size() << " item(s)"
                      << (q > 0 ? " of " + P.events_path : std::string()) << ":\n";
            for (const auto& s : skipped)
                std::cerr << "  " << s.event_id << (s.what.empty() ? "" : " " + s.what) << ": "
                          << s.reason << "\n";
        }
        for (const auto& s : skipped)
            st.head.skipped.push_back((q > 0 ? P.events_path + ": " : std::string()) + s.event_id +
                                      (s.what.empty() ? "" : " " + s.what) + ": " + s.reason);
        if (P.obs.empty())
            throw UsageError("calibrate: " + P.events_path + " gives no observation " + P.sc.path +
                             " can be scored on");
        if ((P.required || P.compared) && P.rule == abc::RequireRule::Mode)
            for (const auto& g : experiment::events_of(P.obs)) {
                std::size_t v = 0;
                try {
                    v = experiment::mode_variables(P.obs, g).size();
                } catch (const std::invalid_argument& e) {
                    throw UsageError("calibrate: --require-rule mode: " + P.events_path + ": " +
                                     e.what());
                }
                if (v > experiment::EventCounter::kMaxModeVariables)
                    throw UsageError(
                        "calibrate: --require-rule mode: event " + g.event_id + " of " +
                        P.events_path + " reads " + std::to_string(v) +
                        " variables (its outcome, agents' participation or flags); the cells of "
                        "at most " +
                        std::to_string(experiment::EventCounter::kMaxModeVariables) +
                        " are counted (split the event, or use --require-rule share)");
            }
        P.seed = abc::pair_seed(cfg.seed, q);
        pairs.push_back(std::move(P));
    }
    // Each side's observations: the named events' (all of them without ids).
    for (auto& [l, m] : comparisons) {
        for (Side* s : {&l, &m}) {
            const Pair& P = pairs[s->pair];
            const char* opt = s == &l ? "--require-less" : "--than";
            std::vector<std::string> known;
            for (const auto& e : P.events.events) known.push_back(e.id);
            for (const auto& id : s->ids) {
                if (std::find(known.begin(), known.end(), id) == known.end())
                    throw scenario::ScenarioError(P.events_path, 0, 0, opt,
                                                  "no event '" + id + "' in this file" +
                                                      scenario::suggestion_text(id, known) +
                                                      " (in '" + s->text + "')");
                const auto before = s->obs.size();
                for (std::size_t k = 0; k < P.obs.size(); ++k)
                    if (P.obs[k].event_id == id) s->obs.push_back(k);
                if (s->obs.size() == before)
                    throw scenario::ScenarioError(P.events_path, 0, 0, opt,
                                                  "event '" + id + "' gives no observation " +
                                                      P.sc.path + " can be scored on (in '" +
                                                      s->text + "')");
            }
            if (s->ids.empty())
                for (std::size_t k = 0; k < P.obs.size(); ++k) s->obs.push_back(k);
        }
        auto sorted = [](std::vector<std::string> v) {
            std::sort(v.begin(), v.end());
            return v;
        };
        if (l.pair == m.pair && sorted(l.ids) == sorted(m.ids))
            throw UsageError("calibrate: --require-less " + l.text + " --than " + m.text +
                             " compares a pair with itself (the same scenario, events and "
                             "event ids on both sides): it can never differ");
    }
    const auto& sc = pairs.front().sc;
    const experiment::ScoreOptions sopt;
    auto scorer_of = [&](const Pair& P) -> abc::Scorer {
        const auto* obs = &P.obs;
        const bool required = P.required || P.compared;
        const double level = P.level;
        const abc::RequireRule rule = P.rule;
        return [obs, &sopt, required, level, rule, require_floor](const experiment::Summary& s) {
            const experiment::Score r = experiment::score(*obs, s, sopt);
            const abc::LogLikelihood ll = abc::log_likelihood(r);
            abc::PointScore ps{abc::debiased_brier(r),
                               r.overall.brier,
                               r.overall.log_score,
                               r.overall.skill,
                               ll.value,
                               ll.var,
                               {},
                               {},
                               {},
                               {}};
            if (required) abc::judge_required(r, level, ps, rule, require_floor);
            return ps;
        };
    };

    // ---- what the file records ----
    io::CalibrationData& h = st.head;
    h.tool_version = kVersion;
    h.git_commit = kGitCommit;
    h.command_line = command_line;
    h.scenario_path = sc.path;
    h.scenario_text = sc.text;
    h.scenario_name = sc.spec.name;
    h.method = std::string(abc::kMethodNames.name(*method));
    h.distance = "brier";
    h.posterior = std::string(abc::kPosteriorNames.name(posterior));
    h.quantile = quantile;
    h.tolerance = tolerance;
    if (!std::isnan(tolerance)) h.quantile = *method == abc::Method::Smc ? quantile : kNaN;
    if (likelihood && *method == abc::Method::Rejection) h.quantile = kNaN;  // not used
    h.generations = gens;
    h.points_per_generation = points;
    h.replications = cfg.replications;
    h.seed = cfg.seed;
    h.clip = sopt.clip;
    h.events_path = pairs.front().events_path;
    h.events_text = pairs.front().events.text;
    h.events_sha256 = io::sha256_hex(h.events_text);
    h.events_name = pairs.front().events.name;
    h.observations = static_cast<std::int64_t>(pairs.front().obs.size());
    for (const auto& P : pairs) {
        h.pair_scenario_path.push_back(P.sc.path);
        h.pair_scenario_name.push_back(P.sc.spec.name);
        h.pair_scenario_sha256.push_back(io::sha256_hex(P.sc.text));
        h.pair_events_path.push_back(P.events_path);
        h.pair_events_name.push_back(P.events.name);
        h.pair_events_sha256.push_back(io::sha256_hex(P.events.text));
        h.pair_observations.push_back(static_cast<std::int64_t>(P.obs.size()));
        h.pair_seed.push_back(P.seed);
        h.pair_required.push_back(P.compared ? 2 : P.required ? 1 : 0);
    }
    h.require_level = kNaN;
    h.require_rule = std::string(abc::kRequireRuleNames.name(require_rule));
    h.require_floor = require_floor;
    for (std::size_t q = 0; q < pairs.size(); ++q) {
        if (!pairs[q].required) continue;
        h.require_level = require_level;
        // One required row per event: its observations hold together or not (the share of
        // runs giving the whole observed pattern; docs/calibration.md, "The acceptance rule").
        for (const auto& ev : experiment::events_of(pairs[q].obs)) {
            std::string what;
            for (const auto k : ev.obs) what += (what.empty() ? "" : " & ") + pairs[q].obs[k].what;
            h.required_level.push_back(pairs[q].level);
            h.required_label.push_back(ev.event_id + " " + what + " (" + pairs[q].events_path +
                                       ")");
            h.required_pair.push_back(static_cast<std::int32_t>(q));
        }
    }
    // One required row per comparison, after the required observations (docs/hdf5-format.md):
    // required_p holds the difference (the --than side's probability minus the other's).
    for (const auto& [l, m] : comparisons) {
        h.required_label.push_back("comparison " + l.text + " < " + m.text);
        h.required_pair.push_back(static_cast<std::int32_t>(l.pair));
        h.required_level.push_back(0.0);  // the difference's interval must reach 0
    }
    fill_priors(h, st.priors);
    {
        // What the points' scores depend on. Rejection: not the acceptance rule, so that
        // shards merged with another quantile still match.
        std::ostringstream id;
        id.precision(17);
        id << "sco-sim-calibration-id/1\n"
           << io::sha256_hex(sc.text) << "\n"
           << experiment::sweep_fingerprint(sc.spec, experiment::Design{}, cfg) << "\n"
           << abc::describe_priors(st.priors) << "events " << h.events_sha256 << " skip "
           << (vm.count("skip-missing") ? 1 : 0) << "\nmethod " << h.method << " points " << points
           << " generations " << gens;
        if (*method == abc::Method::Smc)
            id << " quantile " << quantile << " tolerance " << tolerance;
        for (std::size_t q = 1; q < pairs.size(); ++q)  // one pair: the id as before pairs
            id << "\npair " << q << " " << h.pair_scenario_sha256[q] << " "
               << experiment::sweep_fingerprint(pairs[q].sc.spec, experiment::Design{}, cfg)
               << " events " << h.pair_events_sha256[q]
               << (pairs[q].compared   ? " compared "
                   : pairs[q].required ? " required "
                                       : "");
        for (const auto& [l, m] : comparisons) {
            id << "\ncompare " << l.pair << " <";
            for (const auto k : l.obs) id << " " << k;
            id << " than " << m.pair << " <";
            for (const auto k : m.obs) id << " " << k;
        }
        if (!std::isnan(h.require_level)) {
            // "events": an event is judged jointly (its runs giving the whole pattern), not
            // observation by observation as before session 6's review
            id << "\nrequire level " << h.require_level << " events";
            // the rule and the pairs' own levels (not in the ids of calibrations before them)
            if (require_rule != abc::RequireRule::Wilson) id << " rule " << h.require_rule;
            // the floor (not in the ids of calibrations without one)
            if (require_floor > 0) id << " floor " << require_floor;
            for (std::size_t q = 0; q < pairs.size(); ++q)
                if (pairs[q].required && pairs[q].level != require_level)
                    id << " pair " << q << " level " << pairs[q].level;
        }
        h.calibration_id = io::sha256_hex(id.str());
    }

    const std::string stem = fs::path(sc.path).stem().string();
    std::string out = vm.count("output") ? vm["output"].as<std::string>() : "";
    if (out.empty())
        out = "results/" + stem + "-calibration" +
              (shard.count > 1 ? ".shard-" + std::to_string(shard.index + 1) + "-of-" +
                                     std::to_string(shard.count)
                               : "") +
              ".h5";
    if (const auto dir = fs::path(out).parent_path(); !dir.empty()) fs::create_directories(dir);
    if (!write_scenario.empty() && fs::exists(write_scenario) && !force)
        throw io::OutputExists(write_scenario);

    // ---- progress and signals ----
    const std::int64_t all_runs =
        (shard.count > 1 ? experiment::shard_range(points, shard.index, shard.count).second -
                               experiment::shard_range(points, shard.index, shard.count).first
                         : points * gens) *
        cfg.replications * static_cast<std::int64_t>(pairs.size());
    Progress progress(progress_wanted(vm), all_runs, std::cerr);
    experiment::RunnerHooks hooks;
    hooks.stop = stop_flag();
    hooks.progress = progress.hook();
    SignalGuard guard;

    // Evaluates the points [a, b) of generation g into a part or shard file.
    auto run_slice = [&](const std::string& path, std::int64_t g, std::int64_t a, std::int64_t b,
                         const std::vector<std::vector<double>>& theta, bool overwrite,
                         const char* kind) {
        std::vector<abc::PointResult> res;
        for (std::size_t q = 0; q < pairs.size(); ++q) {
            experiment::RunConfig cq = cfg;
            cq.seed = pairs[q].seed;
            // Per event, the runs giving all its observations at once, counted as the runs
            // are summarised (no per-run storage): what --require judges.
            experiment::RunnerHooks hq = hooks;
            // --require-rule mode: also every pattern of each event's observations.
            hq.counter = std::make_shared<const experiment::EventCounter>(
                pairs[q].obs, (pairs[q].required || pairs[q].compared) &&
                                  pairs[q].rule == abc::RequireRule::Mode);
            auto got =
                abc::evaluate_points(pairs[q].sc.spec, pairs[q].priors, theta, g * points + a,
                                     gens * points, cq, scorer_of(pairs[q]), hq);
            progress.advance((b - a) * cfg.replications);
            if (q == 0) {
                res = std::move(got);
                for (auto& r : res) r.pairs.push_back(r.score);
            } else {
                for (std::size_t i = 0; i < res.size(); ++i) {
                    auto& sc_q = got[i].score;
                    if (pairs[q].required) {
                        res[i].required_p.insert(res[i].required_p.end(), sc_q.event_p.begin(),
                                                 sc_q.event_p.end());
                        res[i].required_held.insert(res[i].required_held.end(),
                                                    sc_q.event_held.begin(), sc_q.event_held.end());
                    }
                    res[i].pairs.push_back(std::move(sc_q));
                }
            }
        }
        // The comparisons: one required row each, after the required observations.
        for (auto& r : res)
            for (const auto& [l, m] : comparisons) {
                const auto side = [&](const Side& s) {
                    abc::ComparisonSide cs;
                    cs.runs = cfg.replications;
                    for (const auto k : s.obs)
                        cs.hits.push_back(std::llround(r.pairs[s.pair].observed_p[k] *
                                                       static_cast<double>(cfg.replications)));
                    return cs;
                };
                const abc::Comparison c = abc::compare(side(l), side(m));
                r.required_p.push_back(c.diff);
                r.required_held.push_back(c.held ? 1 : 0);
            }
        // The distance: the mean over the pairs that are neither required nor compared (pair 0
        // always is one).
        if (pairs.size() > 1)
            for (auto& r : res) {
                std::vector<abc::PointScore> in;
                for (std::size_t q = 0; q < pairs.size(); ++q)
                    if (!pairs[q].required && !pairs[q].compared) in.push_back(r.pairs[q]);
                r.score = in.size() == 1 ? in.front() : abc::mean_score(in);
                r.score.observed_p.clear();
                r.score.held.clear();
            }
        io::CalibrationData d = st.head;
        d.kind = kind;
        d.generation = g;
        d.first_point = a;
        d.total_points = points;
        put_points(d, res, static_cast<int>(g));
        io::write_calibration(path, d, overwrite);
        return res;
    };

    try {
        if (shard.count > 1) {
            const auto [a, b] = experiment::shard_range(points, shard.index, shard.count);
            if (resume && fs::exists(out)) {
                const std::string why = not_this_slice(out, h.calibration_id, 0, a, b - a);
                if (!why.empty())
                    throw UsageError("calibrate: --resume: " + out +
                                     " is not this shard of this calibration: " + why +
                                     "; remove it or run without --resume and with --force");
                if (!quiet) std::cout << out << " is already complete; nothing to do\n";
                return kExitOk;
            }
            if (fs::exists(out) && !force) throw io::OutputExists(out);
            run_slice(out, 0, a, b, abc::draw_prior(st.priors, cfg.seed, a, b), force, "shard");
            progress.end();
            if (!quiet)
                std::cout << "wrote " << out << ": calibration shard, points " << a << "-" << b - 1
                          << " of " << points << ", " << cfg.replications << " runs each\n";
            return kExitOk;
        }

        if (fs::exists(out) && !force) throw io::OutputExists(out);
        const fs::path parts = out + ".parts";
        if (fs::exists(parts) && !resume) {
            if (!force)
                throw UsageError("calibrate: " + parts.string() +
                                 " holds the parts of an interrupted calibration; run the same "
                                 "command with --resume to finish it, or with --force to start "
                                 "over");
            fs::remove_all(parts);
        }
        fs::create_directories(parts);
        const std::int64_t per_part = std::max<std::int64_t>(
            {1, kRunsPerPart / cfg.replications, (points + kMaxParts - 1) / kMaxParts});
        std::vector<abc::Generation> settled;
        int reused = 0, total_parts = 0;
        for (std::int64_t g = 0; g < gens; ++g) {
            abc::Population prev;
            abc::Kernel kernel;
            if (g > 0) {
                prev = abc::population_of(settled.back());
                if (prev.size() == 0)
                    throw UsageError(
                        "calibrate: generation " + std::to_string(g - 1) +
                        " accepted no point; raise --quantile or --tolerance" +
                        (h.n_required() > 0
                             ? std::string(" (or no point held every --require observation: "
                                           "sco-sim summary of a part in ") +
                                   parts.string() + " lists which failed)"
                             : std::string()));
                kernel = abc::make_kernel(prev, st.priors);
            }
            std::vector<abc::PointResult> gen_points;
            for (std::int64_t a = 0; a < points; a += per_part) {
                const std::int64_t b = std::min(points, a + per_part);
                const std::string part = (parts / part_name(g, a, b)).string();
                ++total_parts;
                if (resume && fs::exists(part) &&
                    not_this_slice(part, h.calibration_id, g, a, b - a, likelihood).empty()) {
                    auto got = get_points(io::read_calibration(part));
                    gen_points.insert(gen_points.end(), got.begin(), got.end());
                    ++reused;
                    progress.skip((b - a) * cfg.replications *
                                  static_cast<std::int64_t>(pairs.size()));
                    continue;
                }
                const auto theta =
                    g == 0 ? abc::draw_prior(st.priors, cfg.seed, g * points + a, g * points + b)
                           : abc::draw_proposal(st.priors, prev, kernel, cfg.seed, g * points + a,
                                                g * points + b);
                auto res = run_slice(part, g, a, b, theta, true, "part");
                gen_points.insert(gen_points.end(), res.begin(), res.end());
            }
            const bool last = g + 1 == gens;
            const double tol = last ? tolerance : kNaN;
            // --require: hard in the last generation only; before it, feasibility first
            // (abc::settle), so that the filter cannot stop the sequence before its end.
            // --posterior likelihood: the last generation is weighted by the likelihood.
            const auto post = last ? posterior : abc::PosteriorKind::Distance;
            settled.push_back(g == 0 ? abc::settle(std::move(gen_points), st.priors, quantile, tol,
                                                   nullptr, nullptr, last, post)
                                     : abc::settle(std::move(gen_points), st.priors, quantile, tol,
                                                   &prev, &kernel, last, post));
        }
        if (resume && !quiet)
            std::cout << "resumed: " << reused << " of " << total_parts << " parts were complete\n";
        const io::CalibrationData fin = final_data(st, settled);
        io::write_calibration(out, fin, force);
        fs::remove_all(parts);
        progress.end();
        if (!quiet) std::cout << calibration_report(fin) << "wrote " << out << "\n";
        // On stderr (not with -q; the file and `summary` keep it): the posterior may not
        // mean what its table suggests.
        if (!fin.warning.empty() && !quiet)
            std::cerr << "sco-sim: warning: " << fin.warning << "\n";
        if (!write_scenario.empty()) return write_scenario_file(fin, write_scenario, force, quiet);
    } catch (const experiment::Interrupted&) {
        progress.end();
        return report_interrupted(std::cerr, out, shard.count > 1);
    }
    return kExitOk;
}

namespace {

int merge_shards(const std::vector<std::string>& inputs, const std::string& out, bool force,
                 bool rule_given, double quantile, double tolerance, bool quiet,
                 const std::string& command_line, const std::string& write_scenario,
                 const std::string& posterior) {
    if (fs::exists(out) && !force) throw io::OutputExists(out);
    if (!write_scenario.empty() && fs::exists(write_scenario) && !force)
        throw io::OutputExists(write_scenario);
    std::vector<io::CalibrationData> shards;
    for (const auto& p : inputs) {
        shards.push_back(io::read_calibration(p));
        const auto& d = shards.back();
        if (d.kind != "shard")
            throw io::MergeError("calibrate --merge: " + p + " is a calibration " + d.kind +
                                 ", not a shard (--shard K/N)");
        if (d.calibration_id != shards.front().calibration_id)
            throw io::MergeError("calibrate --merge: " + p + " and " + inputs.front() +
                                 " belong to different calibrations (scenario, events, priors, "
                                 "points, runs or seed differ)");
    }
    std::map<std::int64_t, std::size_t> by_first;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        const auto [it, fresh] = by_first.emplace(shards[i].first_point, i);
        if (!fresh)
            throw io::MergeError("calibrate --merge: " + inputs[i] + " and " + inputs[it->second] +
                                 " hold the same points (a duplicated shard)");
    }
    const std::int64_t total = shards.front().total_points;
    std::int64_t next = 0;
    std::vector<std::string> missing;
    std::vector<abc::PointResult> pts;
    for (const auto& [first, i] : by_first) {
        if (first > next) missing.push_back(std::to_string(next) + "-" + std::to_string(first - 1));
        if (first < next)
            throw io::MergeError("calibrate --merge: " + inputs[i] +
                                 " overlaps another shard's points");
        auto got = get_points(shards[i]);
        pts.insert(pts.end(), got.begin(), got.end());
        next = first + static_cast<std::int64_t>(shards[i].n_points());
    }
    if (next < total) missing.push_back(std::to_string(next) + "-" + std::to_string(total - 1));
    if (!missing.empty()) {
        std::string m;
        for (const auto& s : missing) m += (m.empty() ? "" : ", ") + s;
        throw io::MergeError("calibrate --merge: points " + m + " of " + std::to_string(total) +
                             " are missing (a shard was not given or not run)");
    }
    Settings st;
    st.head = shards.front();
    {
        // Keep the settings, provenance and priors; the points and posterior are rebuilt.
        io::CalibrationData& h = st.head;
        for (auto* v : {&h.theta,          &h.distance_value,   &h.brier,         &h.log_score,
                        &h.skill,          &h.weight,           &h.pair_distance, &h.pair_brier,
                        &h.pair_log_score, &h.pair_skill,       &h.epsilon,       &h.ess,
                        &h.post_mean,      &h.post_sd,          &h.post_median,   &h.post_q05,
                        &h.post_q95,       &h.prior_median,     &h.prior_q05,     &h.prior_q95,
                        &h.log_likelihood, &h.log_likelihood_sd})
            v->clear();
        h.point_generation.clear();
        h.point_index.clear();
        h.required_p.clear();
        h.required_held.clear();
        h.accepted.clear();
        h.n_accepted.clear();
        h.candidates.clear();
        h.n_feasible.clear();
        h.n_feasible_accepted.clear();
        h.warning.clear();
    }
    st.head.command_line = command_line;
    if (!posterior.empty()) st.head.posterior = posterior;  // else the shards'
    if (rule_given) {  // else the acceptance rule the shards were run with
        st.head.quantile = quantile;
        st.head.tolerance = tolerance;
        st.head.posterior = "distance";
    }
    const bool likelihood = st.head.posterior == "likelihood";
    if (likelihood) {
        st.head.quantile = kNaN;
        st.head.tolerance = kNaN;
        if (std::any_of(pts.begin(), pts.end(),
                        [](const abc::PointResult& p) { return std::isnan(p.score.log_lik); }))
            throw io::MergeError(
                "calibrate --merge: --posterior likelihood needs the points' log-likelihoods, "
                "and the shards were written without them (by an earlier sco-sim); run them again "
                "or merge with --posterior distance");
    } else if (std::isnan(st.head.quantile) && std::isnan(st.head.tolerance)) {
        st.head.quantile = 0.1;  // shards run for a likelihood posterior, merged by distance
    }
    st.priors = priors_of(st.head);
    std::vector<abc::Generation> gens;
    gens.push_back(abc::settle(
        std::move(pts), st.priors, st.head.quantile, st.head.tolerance, nullptr, nullptr, true,
        likelihood ? abc::PosteriorKind::Likelihood : abc::PosteriorKind::Distance));
    const io::CalibrationData fin = final_data(st, gens);
    io::write_calibration(out, fin, force);
    if (!quiet)
        std::cout << calibration_report(fin) << "merged " << inputs.size() << " shards -> " << out
                  << "\n";
    if (!fin.warning.empty() && !quiet) std::cerr << "sco-sim: warning: " << fin.warning << "\n";
    if (!write_scenario.empty()) return write_scenario_file(fin, write_scenario, force, quiet);
    return kExitOk;
}

int write_scenario_file(const io::CalibrationData& d, const std::string& out, bool force,
                        bool quiet) {
    if (d.scenario_text.find("\n# ---- extends ") != std::string::npos)
        throw UsageError(
            "calibrate: --write-scenario edits the scenario file in place and needs one without "
            "'extends:'; give the calibrated distributions to the derived scenario's 'set:' by "
            "hand (sco-sim summary prints them)");
    if (fs::exists(out) && !force) throw io::OutputExists(out);
    const auto priors = priors_of(d);
    const std::string& text = d.scenario_text;
    struct Edit {
        std::size_t at, erase;
        std::string insert;
    };
    std::vector<Edit> edits;
    std::ostringstream report;
    const std::int32_t last =
        d.point_generation.empty()
            ? 0
            : *std::max_element(d.point_generation.begin(), d.point_generation.end());
    for (std::size_t j = 0; j < priors.size(); ++j) {
        std::vector<double> v, w;
        for (std::size_t i = 0; i < d.n_points(); ++i)
            if (d.point_generation[i] == last && d.accepted[i] && d.weight[i] > 0) {
                v.push_back(d.theta[i * d.n_params() + j]);
                w.push_back(d.weight[i]);
            }
        if (v.empty()) throw UsageError("calibrate: --write-scenario: the posterior is empty");
        if (d.posterior == "likelihood") {
            // Likelihood weights span hundreds of orders of magnitude: the points below 1e-12
            // of the largest weight change no printed digit of the posterior, and their
            // weights would not survive the scenario's number format.
            const double top = *std::max_element(w.begin(), w.end());
            std::vector<double> kv, kw;
            for (std::size_t i = 0; i < v.size(); ++i)
                if (w[i] >= 1e-12 * top) {
                    kv.push_back(v[i]);
                    kw.push_back(w[i]);
                }
            v = std::move(kv);
            w = std::move(kw);
        }
        const abc::Fitted f = abc::fit_posterior(v, w, priors[j]);
        // A fitted beta (or normal) where it follows the posterior; else the posterior's
        // points themselves (docs/scenario-format.md, "empirical").
        const bool empirical = f.distortion > kMaxDistortion;
        std::ostringstream val, note;
        val.precision(4);
        const bool is_beta = f.dist.kind == core::DistKind::Beta;
        if (!empirical) {
            val << "{" << (is_beta ? "beta" : "normal") << ": [" << f.dist.a << ", " << f.dist.b
                << "]}";
        } else {
            const double wmax = *std::max_element(w.begin(), w.end());
            const bool equal =
                std::all_of(w.begin(), w.end(), [&](double x) { return x >= wmax * (1 - 1e-9); });
            auto list = [&](const std::vector<double>& xs, double scale) {
                std::ostringstream l;
                l.precision(priors[j].integer ? 12 : 5);
                l << "[";
                for (std::size_t i = 0; i < xs.size(); ++i)
                    l << (i ? ", " : "") << (priors[j].integer ? std::round(xs[i]) : xs[i]) / scale;
                l << "]";
                return l.str();
            };
            if (equal)
                val << "{empirical: " << list(v, 1.0) << "}";
            else
                val << "{empirical: {values: " << list(v, 1.0) << ", weights: " << list(w, wmax)
                    << "}}";
        }
        note.precision(3);
        // The events of the distance ("on"), then those of the required pairs ("filtered by").
        std::vector<std::string> on{d.events_name.empty() ? d.events_path : d.events_name}, by;
        for (std::size_t q = 1; q < d.n_pairs(); ++q) {
            const bool req = q < d.pair_required.size() && d.pair_required[q] != 0;
            auto& list = req ? by : on;
            const std::string name =
                d.pair_events_name[q].empty() ? d.pair_events_path[q] : d.pair_events_name[q];
            if (std::find(list.begin(), list.end(), name) == list.end() || !req)
                list.push_back(name);
        }
        auto join = [](const std::vector<std::string>& v) {
            std::string t;
            for (std::size_t i = 0; i < v.size(); ++i)
                t += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
            return t;
        };
        note << "calibrated on " << join(on);
        if (!by.empty())
            note << " (pattern-filtered by " << join(by)
                 << (std::isnan(d.require_level) ? std::string()
                     : d.require_rule == "mode"  ? std::string(", mode rule")
                                                 : ", level " +
                                                      [&] {
                                                          std::ostringstream l;
                                                          l << d.require_level;
                                                          return l.str();
                                                      }())
                 << ")";
        note << "; prior " << d.prior_text[j] << "; posterior median " << d.post_median[j]
             << ", 90% [" << d.post_q05[j] << ", " << d.post_q95[j] << "] ("
             << (d.posterior == "likelihood" ? "likelihood-weighted, " : "") << d.method << ", "
             << d.points_per_generation << " points x " << d.replications << " runs)";
        if (empirical)
            note << "; empirical: the posterior's " << v.size() << " points, since a fitted "
                 << (is_beta ? "beta" : "normal") << " would have the 90% interval [" << f.q05
                 << ", " << f.q95 << "]";
        report << "  " << priors[j].path << ": "
               << (empirical ? "empirical, " + std::to_string(v.size()) + " values" : val.str())
               << "\n";
        const auto span = scenario::locate_value(text, priors[j].path, d.scenario_path);
        if (span) {
            edits.push_back({span->begin, span->end - span->begin, val.str()});
            edits.push_back({span->line_end, 0, "  # " + note.str()});
            continue;
        }
        // Not written in the file: a dynamics value left at its default gets a line.
        const std::string prefix = "dynamics.";
        if (priors[j].path.rfind(prefix, 0) != 0)
            throw UsageError("calibrate: --write-scenario: cannot find where " + priors[j].path +
                             " is written in " + d.scenario_path +
                             " (a block-style distribution, a shock's value, or a value not "
                             "written in the file); edit it by hand to " +
                             val.str());
        const std::string line =
            priors[j].path.substr(prefix.size()) + ": " + val.str() + "  # " + note.str() + "\n";
        const auto at = text.find("\ndynamics:");
        if (at == std::string::npos) {
            edits.push_back({text.size(), 0,
                             std::string(text.empty() || text.back() == '\n' ? "" : "\n") +
                                 "dynamics:\n  " + line});
        } else {
            const auto eol = text.find('\n', at + 1);
            const std::string rest = text.substr(at + 10, eol - at - 10);
            if (rest.find_first_not_of(" \t") != std::string::npos &&
                rest.find_first_not_of(" \t") != rest.find('#'))
                throw UsageError("calibrate: --write-scenario: 'dynamics:' in " + d.scenario_path +
                                 " is a flow map; add " + line + " by hand");
            // Indent as the first key under dynamics: (two spaces if none can be seen).
            std::size_t indent = 2;
            if (eol != std::string::npos) {
                const auto next = text.find_first_not_of(' ', eol + 1);
                if (next != std::string::npos && next > eol + 1) indent = next - eol - 1;
            }
            edits.push_back({eol == std::string::npos ? text.size() : eol + 1, 0,
                             std::string(indent, ' ') + line});
        }
    }
    std::stable_sort(edits.begin(), edits.end(),
                     [](const Edit& a, const Edit& b) { return a.at > b.at; });
    std::string t = text;
    for (const Edit& e : edits) t.replace(e.at, e.erase, e.insert);
    // The result must load, with the fitted distributions where they were put.
    try {
        scenario::load_string(t, out);
    } catch (const scenario::ScenarioError& e) {
        throw std::runtime_error(std::string("calibrate: --write-scenario produced a scenario "
                                             "that does not load (a bug; nothing written): ") +
                                 e.what());
    }
    if (const auto dir = fs::path(out).parent_path(); !dir.empty()) fs::create_directories(dir);
    const std::string tmp = out + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream f(tmp, std::ios::binary);
        f << t;
        f.close();
        if (!f) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw std::runtime_error("calibrate: cannot write " + out);
        }
    }
    fs::rename(tmp, out);
    if (!quiet) std::cout << "wrote " << out << ":\n" << report.str();
    return kExitOk;
}

}  // namespace

}  // namespace sco::cli
