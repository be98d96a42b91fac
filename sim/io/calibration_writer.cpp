#include "sim/io/calibration_writer.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "sim/io/atomic_file.h"
#include "sim/io/guard.h"
#include "sim/io/h5.h"
#include "sim/io/sha256.h"

namespace fs = std::filesystem;

namespace sco::io {

using h5::Handle;

namespace {

constexpr const char* kGroup = "/calibration";

double read_attr_double(hid_t obj, const std::string& name) {
    const std::string what = "reading attribute " + name;
    if (H5Aexists(obj, name.c_str()) <= 0) throw h5::Failure("attribute '" + name + "' is missing");
    Handle a = h5::attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT), what);
    Handle sp = h5::space(H5Aget_space(a.get()), what);
    if (H5Sget_simple_extent_npoints(sp.get()) != 1)
        throw h5::Failure("attribute '" + name + "' is not a single number");
    double v = 0.0;
    h5::check_rc(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), what);
    return v;
}

template <typename T>
void put(hid_t loc, const std::string& name, const std::vector<T>& v, const std::string& axes,
         const std::string& description, std::size_t cols = 0) {
    std::vector<hsize_t> dims;
    if (cols == 0)
        dims = {v.size()};
    else
        dims = {v.size() / cols, cols};
    Handle d = h5::write_array(loc, name, dims, v, false);
    h5::describe(d.get(), axes, description);
}

void put_strings(hid_t loc, const std::string& name, const std::vector<std::string>& v,
                 const std::string& axes, const std::string& description) {
    Handle d = h5::write_strings(loc, name, v);
    h5::describe(d.get(), axes, description);
}

template <typename T>
std::vector<T> get(hid_t loc, const std::string& name, std::size_t rows, std::size_t cols = 0) {
    std::vector<hsize_t> dims = {rows};
    if (cols) dims.push_back(cols);
    return h5::read_array<T>(loc, name, dims);
}

void check_sizes(const CalibrationData& d) {
    const std::size_t k = d.n_params(), n = d.n_points();
    auto same = [&](std::size_t got, std::size_t want, const char* what) {
        if (got != want)
            throw std::invalid_argument(std::string("calibration file: ") + what + " has " +
                                        std::to_string(got) + " entries, expected " +
                                        std::to_string(want));
    };
    for (const auto* v :
         {&d.prior_a, &d.prior_b, &d.support_lo, &d.support_hi, &d.range_lo, &d.range_hi})
        same(v->size(), k, "a prior array");
    same(d.prior_text.size(), k, "prior_text");
    same(d.prior_kind.size(), k, "prior_kind");
    same(d.integer.size(), k, "integer");
    same(d.theta.size(), n * k, "theta");
    for (const auto* v : {&d.distance_value, &d.brier, &d.log_score, &d.skill, &d.weight})
        same(v->size(), n, "a per-point array");
    for (const auto* v : {&d.log_likelihood, &d.log_likelihood_sd})  // empty: NaN
        if (!v->empty()) same(v->size(), n, "a per-point array");
    same(d.point_generation.size(), n, "point_generation");
    same(d.accepted.size(), n, "accepted");
    const std::size_t m = d.n_pairs();
    for (const auto* v : {&d.pair_scenario_path, &d.pair_scenario_name, &d.pair_scenario_sha256,
                          &d.pair_events_name, &d.pair_events_sha256})
        same(v->size(), m, "a pair array");
    same(d.pair_observations.size(), m, "pair_observations");
    same(d.pair_seed.size(), m, "pair_seed");
    for (const auto* v : {&d.pair_distance, &d.pair_brier, &d.pair_log_score, &d.pair_skill})
        same(v->size(), n * m, "a per-point-and-pair array");
    if (!d.pair_required.empty()) same(d.pair_required.size(), m, "pair_required");
    const std::size_t r = d.n_required();
    same(d.required_pair.size(), r, "required_pair");
    same(d.required_p.size(), n * r, "required_p");
    same(d.required_held.size(), n * r, "required_held");
    const std::size_t g = d.epsilon.size();
    same(d.ess.size(), g, "ess");
    same(d.n_accepted.size(), g, "n_accepted");
    same(d.candidates.size(), g, "candidates");
    if (!d.n_feasible.empty()) same(d.n_feasible.size(), g, "n_feasible");
    if (!d.n_feasible_accepted.empty())
        same(d.n_feasible_accepted.size(), g, "n_feasible_accepted");
    if (!d.required_level.empty()) same(d.required_level.size(), r, "required_level");
    for (const auto* v : {&d.post_mean, &d.post_sd, &d.post_median, &d.post_q05, &d.post_q95,
                          &d.prior_median, &d.prior_q05, &d.prior_q95})
        if (!v->empty()) same(v->size(), k, "a posterior array");
}

void write_open(hid_t f, const CalibrationData& d) {
    h5::set_attr(f, "format", std::string(kCalibrationFormat));
    h5::set_attr(f, "tool_version", d.tool_version);
    h5::set_attr(f, "git_commit", d.git_commit);
    h5::set_attr(f, "command_line", d.command_line);
    h5::set_attr(f, "created", utc_now_iso());
    h5::set_attr(f, "scenario_path", d.scenario_path);
    h5::set_attr(f, "scenario_text", d.scenario_text);
    h5::set_attr(f, "scenario_sha256", sha256_hex(d.scenario_text));
    h5::set_attr(f, "scenario_name", d.scenario_name);
    h5::set_attr(f, "seed", d.seed);
    h5::set_attr(f, "replications", d.replications);

    Handle g = h5::create_group(f, kGroup);
    const hid_t c = g.get();
    h5::set_attr(c, "kind", d.kind);
    h5::set_attr(c, "calibration_id", d.calibration_id);
    h5::set_attr(c, "method", d.method);
    h5::set_attr(c, "distance", d.distance);
    h5::set_attr(c, "posterior", d.posterior);
    h5::set_attr(c, "posterior_log_likelihood_sd", d.posterior_loglik_sd);
    h5::set_attr(c, "quantile", d.quantile);
    h5::set_attr(c, "tolerance", d.tolerance);
    h5::set_attr(c, "generations", d.generations);
    h5::set_attr(c, "points_per_generation", d.points_per_generation);
    h5::set_attr(c, "clip", d.clip);
    h5::set_attr(c, "events_path", d.events_path);
    h5::set_attr(c, "events_text", d.events_text);
    h5::set_attr(c, "events_sha256", sha256_hex(d.events_text));
    h5::set_attr(c, "events_name", d.events_name);
    h5::set_attr(c, "observations", d.observations);
    h5::set_attr(c, "skipped", d.skipped);
    h5::set_attr(c, "generation", d.generation);
    h5::set_attr(c, "first_point", d.first_point);
    h5::set_attr(c, "total_points", d.total_points);

    const std::size_t k = d.n_params();
    put_strings(c, "parameters", d.paths, "param", "calibrated parameter paths");
    put_strings(c, "prior", d.prior_text, "param", "the prior, as sco-sim params writes it");
    put_strings(c, "prior_kind", d.prior_kind, "param", "uniform, beta or normal");
    put(c, "prior_a", d.prior_a, "param", "first number of the prior (lo, alpha or mean)");
    put(c, "prior_b", d.prior_b, "param", "second number of the prior (hi, beta or sd)");
    put(c, "support_lo", d.support_lo, "param", "lower end of the prior's support");
    put(c, "support_hi", d.support_hi, "param", "upper end of the prior's support");
    put(c, "range_lo", d.range_lo, "param", "lower end of the parameter's range");
    put(c, "range_hi", d.range_hi, "param", "upper end of the parameter's range");
    put(c, "integer", d.integer, "param", "1: values rounded to integers");

    put(c, "point_generation", d.point_generation, "point", "generation of each point");
    put(c, "point_index", d.point_index, "point",
        "global point index: run r of the point has key (seed, index, r)");
    put(c, "theta", d.theta, "point,param", "the point's parameter values", k ? k : 1);
    put(c, "distance", d.distance_value, "point",
        "the ABC distance: the weighted Brier score of the point against the events");
    put(c, "brier", d.brier, "point", "weighted Brier score");
    put(c, "log_score", d.log_score, "point", "weighted logarithmic score (clipped)");
    put(c, "skill", d.skill, "point", "Brier skill against the base-rate predictor");
    const auto or_nan = [&](const std::vector<double>& v) {
        return v.empty() ? std::vector<double>(d.n_points(), h5::kNaN) : v;
    };
    put(c, "log_likelihood", or_nan(d.log_likelihood), "point",
        "estimated log-likelihood of the events: sum w / m [y ln p + (1 - y) ln(1 - p)], p = (k "
        "+ 1/2) / (n + 1), m the event's observations (summed over the pairs in the distance)");
    put(c, "log_likelihood_sd", or_nan(d.log_likelihood_sd), "point",
        "Monte Carlo standard deviation of log_likelihood (delta method)");
    put(c, "weight", d.weight, "point",
        "posterior weight within its generation, normalised to sum 1 (0: rejected)");
    put(c, "accepted", d.accepted, "point", "1: accepted in its generation");

    if (d.n_pairs() > 0) {
        const std::size_t m = d.n_pairs();
        put_strings(c, "pair_scenario_path", d.pair_scenario_path, "pair",
                    "scenario file of each (scenario, events) pair; pair 0 is the primary");
        put_strings(c, "pair_scenario_name", d.pair_scenario_name, "pair", "scenario name");
        put_strings(c, "pair_scenario_sha256", d.pair_scenario_sha256, "pair",
                    "SHA-256 of the scenario's text (after extends:)");
        put_strings(c, "pair_events_path", d.pair_events_path, "pair", "events file");
        put_strings(c, "pair_events_name", d.pair_events_name, "pair", "the events' name");
        put_strings(c, "pair_events_sha256", d.pair_events_sha256, "pair",
                    "SHA-256 of the events file's text");
        put(c, "pair_observations", d.pair_observations, "pair", "binary observations scored");
        std::vector<std::string> seeds;
        for (const auto v : d.pair_seed) seeds.push_back(std::to_string(v));
        put_strings(c, "pair_seed", seeds, "pair",
                    "master seed of the pair's runs, in decimal: run r of point k has key "
                    "(pair_seed, k, r)");
        put(c, "pair_distance", d.pair_distance, "point,pair",
            "the pair's ABC distance (debiased weighted Brier score)", m);
        put(c, "pair_brier", d.pair_brier, "point,pair", "the pair's weighted Brier score", m);
        put(c, "pair_log_score", d.pair_log_score, "point,pair",
            "the pair's weighted logarithmic score", m);
        put(c, "pair_skill", d.pair_skill, "point,pair", "the pair's Brier skill", m);
        put(c, "pair_required",
            d.pair_required.empty() ? std::vector<std::int32_t>(m, 0) : d.pair_required, "pair",
            "1: a required pair (--require): not in the distance; its observations filter the "
            "points; 2: a side of a required comparison (--require-less/--than)");
    }
    h5::set_attr(c, "require_level", d.require_level);
    h5::set_attr(c, "require_rule", d.require_rule);
    h5::set_attr(c, "require_floor", d.require_floor);
    h5::set_attr(c, "warning", d.warning);
    if (const std::size_t r = d.n_required(); r > 0) {
        put_strings(c, "required", d.required_label, "required",
                    "each required observation: event id, observation, events file; then each "
                    "required comparison: 'comparison LESS < MORE'");
        put(c, "required_pair", d.required_pair, "required", "the pair it belongs to");
        put(c, "required_p", d.required_p, "point,required",
            "the model's probability of the observed value at the point (a comparison: the "
            "MORE side's probability minus the LESS side's)",
            r);
        put(c, "required_held", d.required_held, "point,required",
            "1: the observation holds at the point (required_p reaches its required_level, "
            "require_rule share; its 95% Wilson interval does, wilson; a comparison: the 95% "
            "interval of the difference reaches 0); a point is accepted only if all hold",
            r);
    }

    put(c, "epsilon", d.epsilon, "generation", "the generation's distance threshold");
    put(c, "ess", d.ess, "generation", "effective sample size of the accepted weights");
    put(c, "n_accepted", d.n_accepted, "generation", "accepted points");
    put(c, "candidates", d.candidates, "generation", "points run");
    if (!d.n_feasible.empty()) {
        put(c, "n_feasible", d.n_feasible, "generation",
            "points that held every required observation (all points without --require)");
        put(c, "n_feasible_accepted", d.n_feasible_accepted, "generation",
            "of them, the accepted; equal to n_feasible: the distance cut no feasible point");
    }
    if (!d.required_level.empty()) {
        put(c, "required_level", d.required_level, "required",
            "the level each required observation is judged at (require_rule)");
    }

    auto opt = [&](const char* name, const std::vector<double>& v, const char* desc) {
        put(c, name, v.empty() ? std::vector<double>(k, h5::kNaN) : v, "param", desc);
    };
    opt("posterior_mean", d.post_mean, "weighted posterior mean (last generation)");
    opt("posterior_sd", d.post_sd, "weighted posterior standard deviation");
    opt("posterior_median", d.post_median, "weighted posterior median");
    opt("posterior_q05", d.post_q05, "5% weighted posterior quantile (90% interval)");
    opt("posterior_q95", d.post_q95, "95% weighted posterior quantile (90% interval)");
    opt("prior_median", d.prior_median, "prior median");
    opt("prior_q05", d.prior_q05, "5% prior quantile");
    opt("prior_q95", d.prior_q95, "95% prior quantile");
}

// Calibration files written before format 2 of results files hold variable-length
// strings; they stay readable (read_calibration reads them in a child process first).
constexpr h5::Vlen kVl = h5::Vlen::Allow;

CalibrationData read_open(hid_t f) {
    CalibrationData d;
    const std::string format = h5::read_attr_string(f, "format", kVl);
    if (format != kCalibrationFormat)
        throw h5::Failure("format is '" + format + "', expected '" + kCalibrationFormat + "'");
    h5::RootProvenance p = h5::read_root_provenance(f, kVl);
    d.tool_version = std::move(p.tool_version);
    d.git_commit = std::move(p.git_commit);
    d.command_line = std::move(p.command_line);
    d.created = std::move(p.created);
    d.scenario_path = std::move(p.scenario_path);
    d.scenario_text = std::move(p.scenario_text);
    d.scenario_sha256 = std::move(p.scenario_sha256);
    d.scenario_name = std::move(p.scenario_name);
    d.seed = p.seed;
    d.replications = p.replications;

    if (!h5::exists(f, kGroup)) throw h5::Failure("group /calibration is missing");
    Handle g = h5::group(H5Gopen2(f, kGroup, H5P_DEFAULT), "opening /calibration");
    const hid_t c = g.get();
    d.kind = h5::read_attr_string(c, "kind", kVl);
    d.calibration_id = h5::read_attr_string(c, "calibration_id", kVl);
    d.method = h5::read_attr_string(c, "method", kVl);
    d.distance = h5::read_attr_string(c, "distance", kVl);
    d.quantile = read_attr_double(c, "quantile");
    d.tolerance = read_attr_double(c, "tolerance");
    d.generations = h5::read_attr_int(c, "generations");
    d.points_per_generation = h5::read_attr_int(c, "points_per_generation");
    d.clip = read_attr_double(c, "clip");
    d.events_path = h5::read_attr_string(c, "events_path", kVl);
    d.events_text = h5::read_attr_string(c, "events_text", kVl);
    d.events_sha256 = h5::read_attr_string(c, "events_sha256", kVl);
    d.events_name = h5::read_attr_string(c, "events_name", kVl);
    d.observations = h5::read_attr_int(c, "observations");
    d.generation = h5::read_attr_int(c, "generation");
    d.first_point = h5::read_attr_int(c, "first_point");
    d.total_points = h5::read_attr_int(c, "total_points");
    d.skipped = h5::read_attr_strings(c, "skipped", kVl);

    d.paths = h5::read_strings(c, "parameters", kVl);
    const std::size_t k = d.paths.size();
    d.prior_text = h5::read_strings(c, "prior", kVl);
    d.prior_kind = h5::read_strings(c, "prior_kind", kVl);
    if (d.prior_text.size() != k || d.prior_kind.size() != k)
        throw h5::Failure("the prior datasets disagree with /calibration/parameters in length");
    d.prior_a = get<double>(c, "prior_a", k);
    d.prior_b = get<double>(c, "prior_b", k);
    d.support_lo = get<double>(c, "support_lo", k);
    d.support_hi = get<double>(c, "support_hi", k);
    d.range_lo = get<double>(c, "range_lo", k);
    d.range_hi = get<double>(c, "range_hi", k);
    d.integer = get<std::int32_t>(c, "integer", k);

    Handle pi = h5::open_dataset(c, "point_index");
    const auto dims = h5::shape(pi.get());
    if (dims.size() != 1) throw h5::Failure("/calibration/point_index is not 1-D");
    const std::size_t n = dims[0];
    d.point_index = get<std::int64_t>(c, "point_index", n);
    d.point_generation = get<std::int32_t>(c, "point_generation", n);
    d.theta = get<double>(c, "theta", n, k ? k : 1);
    if (k == 0) d.theta.clear();
    d.distance_value = get<double>(c, "distance", n);
    d.brier = get<double>(c, "brier", n);
    d.log_score = get<double>(c, "log_score", n);
    d.skill = get<double>(c, "skill", n);
    d.weight = get<double>(c, "weight", n);
    d.accepted = get<std::int32_t>(c, "accepted", n);
    // written before the likelihood posterior: NaN (such points cannot be likelihood-weighted)
    d.log_likelihood = h5::exists(c, "log_likelihood") ? get<double>(c, "log_likelihood", n)
                                                       : std::vector<double>(n, h5::kNaN);
    d.log_likelihood_sd = h5::exists(c, "log_likelihood_sd")
                              ? get<double>(c, "log_likelihood_sd", n)
                              : std::vector<double>(n, h5::kNaN);
    d.posterior =
        H5Aexists(c, "posterior") > 0 ? h5::read_attr_string(c, "posterior", kVl) : "distance";
    if (d.posterior != "distance" && d.posterior != "likelihood")
        throw h5::Failure("/calibration: posterior is '" + d.posterior +
                          "', expected 'distance' or 'likelihood'");
    d.posterior_loglik_sd = H5Aexists(c, "posterior_log_likelihood_sd") > 0
                                ? read_attr_double(c, "posterior_log_likelihood_sd")
                                : h5::kNaN;

    if (h5::exists(c, "pair_events_path")) {
        d.pair_events_path = h5::read_strings(c, "pair_events_path", kVl);
        const std::size_t m = d.pair_events_path.size();
        if (m == 0 || m > 4096)
            throw h5::Failure("/calibration/pair_events_path: implausible length");
        auto strings = [&](const char* name) {
            auto v = h5::read_strings(c, name, kVl);
            if (v.size() != m)
                throw h5::Failure(std::string("/calibration/") + name +
                                  " disagrees with pair_events_path in length");
            return v;
        };
        d.pair_scenario_path = strings("pair_scenario_path");
        d.pair_scenario_name = strings("pair_scenario_name");
        d.pair_scenario_sha256 = strings("pair_scenario_sha256");
        d.pair_events_name = strings("pair_events_name");
        d.pair_events_sha256 = strings("pair_events_sha256");
        d.pair_observations = get<std::int64_t>(c, "pair_observations", m);
        for (const auto& t : strings("pair_seed")) {
            std::size_t used = 0;
            std::uint64_t v = 0;
            try {
                v = std::stoull(t, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (t.empty() || used != t.size() || t[0] == '-')
                throw h5::Failure("/calibration/pair_seed: '" + t + "' is not a seed");
            d.pair_seed.push_back(v);
        }
        d.pair_distance = get<double>(c, "pair_distance", n, m);
        d.pair_brier = get<double>(c, "pair_brier", n, m);
        d.pair_log_score = get<double>(c, "pair_log_score", n, m);
        d.pair_skill = get<double>(c, "pair_skill", n, m);
        d.pair_required = h5::exists(c, "pair_required") ? get<std::int32_t>(c, "pair_required", m)
                                                         : std::vector<std::int32_t>(m, 0);
    } else {  // written before pairs: one pair, the scenario and events above
        d.pair_scenario_path = {d.scenario_path};
        d.pair_scenario_name = {d.scenario_name};
        d.pair_scenario_sha256 = {d.scenario_sha256};
        d.pair_events_path = {d.events_path};
        d.pair_events_name = {d.events_name};
        d.pair_events_sha256 = {d.events_sha256};
        d.pair_observations = {d.observations};
        d.pair_seed = {d.seed};
        d.pair_distance = d.distance_value;
        d.pair_brier = d.brier;
        d.pair_log_score = d.log_score;
        d.pair_skill = d.skill;
        d.pair_required = {0};
    }
    d.require_level =
        H5Aexists(c, "require_level") > 0 ? read_attr_double(c, "require_level") : h5::kNaN;
    if (h5::exists(c, "required")) {
        d.required_label = h5::read_strings(c, "required", kVl);
        const std::size_t r = d.required_label.size();
        if (r == 0 || r > 1'000'000) throw h5::Failure("/calibration/required: implausible length");
        d.required_pair = get<std::int32_t>(c, "required_pair", r);
        for (const auto q : d.required_pair)
            if (q < 0 || static_cast<std::size_t>(q) >= d.n_pairs())
                throw h5::Failure("/calibration/required_pair: " + std::to_string(q) +
                                  " is not a pair");
        d.required_p = get<double>(c, "required_p", n, r);
        d.required_held = get<std::int32_t>(c, "required_held", n, r);
    }

    Handle ep = h5::open_dataset(c, "epsilon");
    const std::size_t ng = h5::shape(ep.get()).at(0);
    d.epsilon = get<double>(c, "epsilon", ng);
    d.ess = get<double>(c, "ess", ng);
    d.n_accepted = get<std::int64_t>(c, "n_accepted", ng);
    d.candidates = get<std::int64_t>(c, "candidates", ng);
    if (h5::exists(c, "n_feasible")) {
        d.n_feasible = get<std::int64_t>(c, "n_feasible", ng);
        d.n_feasible_accepted = get<std::int64_t>(c, "n_feasible_accepted", ng);
    }
    d.require_rule =
        H5Aexists(c, "require_rule") > 0 ? h5::read_attr_string(c, "require_rule", kVl) : "wilson";
    d.require_floor =
        H5Aexists(c, "require_floor") > 0 ? read_attr_double(c, "require_floor") : 0.0;
    d.warning = H5Aexists(c, "warning") > 0 ? h5::read_attr_string(c, "warning", kVl) : "";
    if (h5::exists(c, "required_level"))
        d.required_level = get<double>(c, "required_level", d.n_required());

    d.post_mean = get<double>(c, "posterior_mean", k);
    d.post_sd = get<double>(c, "posterior_sd", k);
    d.post_median = get<double>(c, "posterior_median", k);
    d.post_q05 = get<double>(c, "posterior_q05", k);
    d.post_q95 = get<double>(c, "posterior_q95", k);
    d.prior_median = get<double>(c, "prior_median", k);
    d.prior_q05 = get<double>(c, "prior_q05", k);
    d.prior_q95 = get<double>(c, "prior_q95", k);
    return d;
}

}  // namespace

void write_calibration(const std::string& path, const CalibrationData& d, bool force) {
    try {
        check_sizes(d);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(path + ": cannot write the calibration file: " + e.what());
    }
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path, ec)) && !force) throw OutputExists(path);
    const std::string tmp = temp_name_for(path);
    h5::QuietErrors quiet;
    try {
        {
            Handle fapl = h5::file_access();
            Handle f = h5::file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                                "cannot create the temporary file '" + tmp + "'");
            write_open(f.get(), d);
            h5::check_rc(H5Fflush(f.get(), H5F_SCOPE_GLOBAL), "writing the file");
            if (!f.close()) h5::check_rc(-1, "closing the file");
        }
        publish_file(tmp, path, force);
    } catch (const OutputExists&) {
        fs::remove(tmp, ec);
        throw;
    } catch (const std::exception& e) {
        fs::remove(tmp, ec);
        throw std::runtime_error(path + ": cannot write the calibration file: " + e.what());
    }
}

namespace {

CalibrationData read_calibration_unguarded(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw BadResults(path, "no such file");
    if (fs::is_directory(path, ec)) throw BadResults(path, "is a directory");
    h5::QuietErrors quiet;
    try {
        if (H5Fis_hdf5(path.c_str()) <= 0) throw BadResults(path, "not an HDF5 file");
        Handle f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open");
        CalibrationData d = read_open(f.get());
        return d;
    } catch (const h5::Failure& e) {
        throw BadResults(path, e.what());
    } catch (const std::length_error& e) {
        throw BadResults(path, std::string("implausible sizes: ") + e.what());
    } catch (const std::bad_alloc&) {
        throw BadResults(path, "implausible sizes (out of memory)");
    }
}

}  // namespace

CalibrationData read_calibration(const std::string& path) {
    check_in_child(path, [&] { (void)read_calibration_unguarded(path); });
    return read_calibration_unguarded(path);
}

bool is_calibration_file(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return false;
    // The answer comes from a child process: a crafted file crashes or hangs only the
    // child, and is reported as BadResults.
    if (const char* env = std::getenv("SCO_SIM_READ_UNGUARDED"); !env || std::string(env) != "1") {
        const ChildOutcome o =
            run_in_child([&](std::string&) { return is_calibration_file_unguarded(path) ? 0 : 1; },
                         read_timeout_for(path), std::size_t{2} << 30);
        if (o.kind != ChildOutcome::Kind::Exited) throw BadResults(path, o.message);
        return o.code == 0;
    }
    return is_calibration_file_unguarded(path);
}

bool is_calibration_file_unguarded(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return false;
    h5::QuietErrors quiet;
    try {
        if (H5Fis_hdf5(path.c_str()) <= 0) return false;
        Handle f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open");
        if (H5Aexists(f.get(), "format") <= 0) return false;
        return h5::read_attr_string(f.get(), "format", kVl) == kCalibrationFormat;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace sco::io
