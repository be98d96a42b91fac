#include "sim/experiment/design.h"

#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "sim/core/rng.h"

namespace sco::experiment {
namespace {

double finish(const Factor& f, double v) {
    return f.integer ? std::round(v) : v;
}

double parse_number(const std::string& s, const std::string& what) {
    std::size_t pos = 0;
    double v = 0.0;
    try {
        v = std::stod(s, &pos);
    } catch (const std::exception&) {
        pos = 0;
    }
    if (pos == 0 || pos != s.size() || !std::isfinite(v))
        throw std::invalid_argument("'" + s + "' is not a finite number (" + what + ")");
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    if (!s.empty() && s.back() == sep) out.emplace_back();
    return out;
}

}  // namespace

std::int64_t design_size(const Design& d) {
    switch (d.kind) {
        case DesignKind::Grid: {
            std::int64_t n = d.factors.empty() ? 0 : 1;
            for (const auto& f : d.factors) n *= static_cast<std::int64_t>(f.levels.size());
            return n;
        }
        case DesignKind::Lhs:
            return d.samples;
        case DesignKind::Sobol:
            return d.samples * (static_cast<std::int64_t>(d.factors.size()) + 2);
    }
    return 0;
}

std::vector<std::vector<double>> design_values(const Design& d) {
    const std::size_t k = d.factors.size();
    const std::int64_t n = design_size(d);
    std::vector<std::vector<double>> pts(static_cast<std::size_t>(n), std::vector<double>(k));
    switch (d.kind) {
        case DesignKind::Grid: {
            for (std::int64_t p = 0; p < n; ++p) {
                std::int64_t rest = p;
                for (std::size_t j = k; j-- > 0;) {
                    const auto& lv = d.factors[j].levels;
                    const auto m = static_cast<std::int64_t>(lv.size());
                    pts[p][j] = finish(d.factors[j], lv[rest % m]);
                    rest /= m;
                }
            }
            break;
        }
        case DesignKind::Lhs: {
            const core::Rng rng({d.seed, 0, 0});
            for (std::size_t j = 0; j < k; ++j) {
                // A random permutation of the strata (Fisher-Yates) and a position in each.
                std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
                std::iota(perm.begin(), perm.end(), 0);
                for (std::int64_t i = n - 1; i > 0; --i) {
                    const double u = core::Rng::to_unit(rng.words(core::Purpose::Design, j, i)[0]);
                    std::swap(perm[i], perm[static_cast<std::int64_t>(u * (i + 1))]);
                }
                const Factor& f = d.factors[j];
                for (std::int64_t p = 0; p < n; ++p) {
                    const double u =
                        core::Rng::to_unit(rng.words(core::Purpose::Design, j, n + p)[1]);
                    pts[p][j] = finish(f, f.lo + (f.hi - f.lo) * (perm[p] + u) / n);
                }
            }
            break;
        }
        case DesignKind::Sobol: {
            boost::random::sobol gen(2 * k);
            gen.discard(2 * k);  // skip the first point (all zeros), as is usual
            const std::int64_t N = d.samples;
            std::vector<double> a(k), b(k);
            for (std::int64_t r = 0; r < N; ++r) {
                for (std::size_t j = 0; j < k; ++j)
                    a[j] = static_cast<double>(gen() >> 11) * 0x1.0p-53;
                for (std::size_t j = 0; j < k; ++j)
                    b[j] = static_cast<double>(gen() >> 11) * 0x1.0p-53;
                auto put = [&](std::int64_t row, std::size_t j, double u) {
                    const Factor& f = d.factors[j];
                    pts[row][j] = finish(f, f.lo + (f.hi - f.lo) * u);
                };
                for (std::size_t j = 0; j < k; ++j) {
                    put(r, j, a[j]);
                    put(N + r, j, b[j]);
                }
                for (std::size_t i = 0; i < k; ++i)  // AB_i: A with column i from B
                    for (std::size_t j = 0; j < k; ++j)
                        put((2 + static_cast<std::int64_t>(i)) * N + r, j, j == i ? b[j] : a[j]);
            }
            break;
        }
    }
    return pts;
}

std::pair<std::int64_t, std::int64_t> shard_range(std::int64_t total, int index, int count) {
    const std::int64_t base = total / count, extra = total % count;
    const std::int64_t first = index * base + std::min<std::int64_t>(index, extra);
    return {first, first + base + (index < extra ? 1 : 0)};
}

Plan make_plan(const Design& d, std::int64_t first, std::int64_t last) {
    const auto values = design_values(d);
    Plan plan;
    plan.points.clear();
    plan.first_point = first;
    plan.total_points = static_cast<std::int64_t>(values.size());
    plan.sweep.design = std::string(kDesignNames.name(d.kind));
    for (const auto& f : d.factors) plan.sweep.paths.push_back(f.path);
    plan.sweep.samples = d.samples;
    plan.sweep.design_seed = d.seed;
    for (std::int64_t p = first; p < last; ++p) {
        plan.sweep.values.push_back(values[p]);
        Point pt;
        for (std::size_t j = 0; j < d.factors.size(); ++j)
            pt.overrides.emplace_back(d.factors[j].id, core::Distribution::fixed(values[p][j]));
        plan.points.push_back(std::move(pt));
    }
    return plan;
}

std::string sweep_fingerprint(const core::ModelSpec& spec, const Design& d, const RunConfig& cfg) {
    std::ostringstream os;
    os.precision(17);
    os << "sco-sim-sweep-fingerprint/1\n";
    for (const auto& p : spec.params.all()) {
        os << p.path << '=' << core::kind_name(p.dist.kind) << ' ' << p.dist.a << ' ' << p.dist.b;
        for (std::size_t i = 0; i < p.dist.values.size(); ++i)  // empirical
            os << ' ' << p.dist.values[i] << ':' << p.dist.cumulative[i];
        os << '\n';
    }
    os << "variants " << static_cast<int>(spec.variants.choice) << ' '
       << static_cast<int>(spec.variants.amendment) << ' '
       << static_cast<int>(spec.variants.pressure);
    // Written only when not the default, so that the sweeps made before the sponsor rule
    // existed keep their sweep_id (and --resume still accepts their files).
    if (spec.variants.sponsor != core::SponsorRule::Likely)
        os << " sponsor " << static_cast<int>(spec.variants.sponsor);
    os << '\n';
    os << "agents";
    for (const auto& a : spec.agents) os << ' ' << a.id << ':' << static_cast<int>(a.role);
    os << "\nagenda";
    for (const auto& p : spec.proposals) os << ' ' << p.id;
    os << "\ndesign " << kDesignNames.name(d.kind) << " samples " << d.samples << " seed " << d.seed
       << '\n';
    for (const auto& f : d.factors) {
        os << "factor " << f.path << ' ' << f.lo << ' ' << f.hi;
        for (double v : f.levels) os << ' ' << v;
        os << '\n';
    }
    os << "seed " << cfg.seed << " runs " << cfg.replications << " summary_only "
       << cfg.summary_only << " per_run_tension " << cfg.per_run_tension << '\n';
    // Only when set, so that the default keeps the sweep ids of earlier versions.
    if (cfg.all_tension_histograms) os << "tension_histograms all\n";
    return os.str();
}

Factor parse_factor_values(const std::string& rhs, DesignKind kind) {
    Factor f;
    if (kind == DesignKind::Grid && rhs.find(',') != std::string::npos) {
        for (const auto& s : split(rhs, ',')) f.levels.push_back(parse_number(s, "a level"));
        f.lo = *std::min_element(f.levels.begin(), f.levels.end());
        f.hi = *std::max_element(f.levels.begin(), f.levels.end());
        return f;
    }
    const auto parts = split(rhs, ':');
    if (kind == DesignKind::Grid) {
        if (parts.size() != 3)
            throw std::invalid_argument("a grid factor is LO:HI:STEPS or a list v1,v2,...; got '" +
                                        rhs + "'");
        f.lo = parse_number(parts[0], "LO");
        f.hi = parse_number(parts[1], "HI");
        const double steps = parse_number(parts[2], "STEPS");
        if (steps < 1 || steps > 100000 || std::floor(steps) != steps)
            throw std::invalid_argument("STEPS must be a whole number from 1 to 100000; got '" +
                                        parts[2] + "'");
        const int m = static_cast<int>(steps);
        for (int i = 0; i < m; ++i)
            f.levels.push_back(m == 1 ? f.lo : f.lo + (f.hi - f.lo) * i / (m - 1));
    } else {
        if (parts.size() != 2)
            throw std::invalid_argument("an " + std::string(kDesignNames.name(kind)) +
                                        " factor is LO:HI; got '" + rhs + "'");
        f.lo = parse_number(parts[0], "LO");
        f.hi = parse_number(parts[1], "HI");
    }
    if (f.lo > f.hi) throw std::invalid_argument("LO must not exceed HI in '" + rhs + "'");
    return f;
}

}  // namespace sco::experiment
