#include "sim/experiment/sensitivity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/core/rng.h"

namespace sco::experiment {
namespace {

struct Estimate {
    std::vector<double> first, total;
};

/// Indices from the rows listed in `rows` (indices into 0..n-1, repeats allowed).
Estimate estimate(const std::vector<double>& y, int k, std::int64_t n,
                  const std::vector<std::int64_t>& rows) {
    const double m = static_cast<double>(rows.size());
    double sum = 0.0, sum2 = 0.0;
    for (std::int64_t r : rows) {
        const double a = y[r], b = y[n + r];
        sum += a + b;
        sum2 += a * a + b * b;
    }
    const double mean = sum / (2 * m);
    const double var = sum2 / (2 * m) - mean * mean;
    Estimate e;
    for (int i = 0; i < k; ++i) {
        double s1 = 0.0, st = 0.0;
        for (std::int64_t r : rows) {
            const double a = y[r], b = y[n + r], ab = y[(2 + i) * n + r];
            s1 += b * (ab - a);
            st += (a - ab) * (a - ab);
        }
        const bool flat = !(var > 1e-15);
        e.first.push_back(flat ? std::numeric_limits<double>::quiet_NaN() : s1 / m / var);
        e.total.push_back(flat ? std::numeric_limits<double>::quiet_NaN() : 0.5 * st / m / var);
    }
    return e;
}

double percentile(std::vector<double> v, double q) {
    v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    const double pos = q * (static_cast<double>(v.size()) - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

}  // namespace

SobolIndices sobol_indices(const std::vector<double>& y, int k, std::int64_t n, int bootstrap,
                           std::uint64_t seed) {
    std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
    for (std::int64_t r = 0; r < n; ++r) rows[r] = r;
    const Estimate full = estimate(y, k, n, rows);
    SobolIndices out;
    out.first = full.first;
    out.total = full.total;
    {
        double s = 0, s2 = 0;
        for (std::int64_t r = 0; r < 2 * n; ++r) {
            s += y[r];
            s2 += y[r] * y[r];
        }
        out.variance = s2 / (2.0 * n) - (s / (2.0 * n)) * (s / (2.0 * n));
    }
    std::vector<std::vector<double>> bf(k), bt(k);
    const core::Rng rng({seed, 0, 0});
    for (int b = 0; b < bootstrap; ++b) {
        for (std::int64_t r = 0; r < n; ++r) {
            const double u = core::Rng::to_unit(rng.words(core::Purpose::Bootstrap, b, r)[0]);
            rows[r] = std::min<std::int64_t>(n - 1, static_cast<std::int64_t>(u * n));
        }
        const Estimate e = estimate(y, k, n, rows);
        for (int i = 0; i < k; ++i) {
            bf[i].push_back(e.first[i]);
            bt[i].push_back(e.total[i]);
        }
    }
    for (int i = 0; i < k; ++i) {
        out.first_lo.push_back(percentile(bf[i], 0.025));
        out.first_hi.push_back(percentile(bf[i], 0.975));
        out.total_lo.push_back(percentile(bt[i], 0.025));
        out.total_hi.push_back(percentile(bt[i], 0.975));
    }
    return out;
}

std::vector<std::vector<double>> pass_probabilities(const std::vector<Summary>& per_point) {
    std::vector<std::vector<double>> out;
    for (const Summary& s : per_point) {
        const int T = s.shape.periods, P = s.shape.proposals;
        std::vector<double> row(static_cast<std::size_t>(T) * P, 0.0);
        for (int t = 0; t < T; ++t)
            for (int p = 0; p < P; ++p) {
                const std::int64_t n = s.tabled(t, p);
                row[static_cast<std::size_t>(t) * P + p] =
                    n > 0 ? static_cast<double>(s.passed(t, p)) / n : 0.0;
            }
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace sco::experiment
