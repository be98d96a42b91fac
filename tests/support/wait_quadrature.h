#pragma once
// Test support: the value of waiting where staying out is open (docs/model.md III.4.3) by
// quadrature, an independent check of wait_terms_open's closed form.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace sco::test {

/// {E[max(support + rho d, stay + rho sigma d, object)] - max(support, stay, object),
///  E[slope of the best line]}, d ~ N(0, s^2), by the midpoint rule over +-12 sd (2,000,000
/// points: the value to about 1e-12; the slope, a step function, to a few 1e-6).
inline std::pair<double, double> wait_by_quadrature(double support, double stay, double object,
                                                    double s, double rho, double sigma) {
    const int n = 2000000;
    const double lo = -12.0 * s, step = 24.0 * s / n;
    double e = 0.0, x = 0.0;
    for (int i = 0; i < n; ++i) {
        const double d = lo + (i + 0.5) * step;
        const double w =
            std::exp(-0.5 * d * d / (s * s)) / (s * std::sqrt(2.0 * std::numbers::pi)) * step;
        const double a = support + rho * d, b = stay + rho * sigma * d;
        const double best = std::max({a, b, object});
        e += best * w;
        x += (best == a ? rho : best == b ? rho * sigma : 0.0) * w;
    }
    return {e - std::max({support, stay, object}), x};
}

}  // namespace sco::test
