#include "sim/core/distribution.h"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <sstream>

namespace sco::core {
namespace {

// Marsaglia and Tsang (2000), "A simple method for generating gamma variables".
double gamma_variate(double shape, RngStream& s) {
    if (shape < 1.0) {
        // Boost the shape above one and correct with a uniform power.
        const double g = gamma_variate(shape + 1.0, s);
        return g * std::pow(s.uniform(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = s.normal();
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = s.uniform();
        if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
        if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
}

double phi_pdf(double z) {
    return std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
}

}  // namespace

Distribution Distribution::empirical(std::vector<double> values, std::vector<double> weights) {
    Distribution d;
    d.kind = DistKind::Empirical;
    if (weights.empty()) weights.assign(values.size(), 1.0);
    double total = 0.0;
    for (double w : weights) total += w;
    double run = 0.0;
    for (double w : weights) {
        run += w;
        d.cumulative.push_back(total > 0 ? run / total : std::nan(""));
    }
    if (!d.cumulative.empty() && total > 0) d.cumulative.back() = 1.0;
    d.values = std::move(values);
    // A weight that is not positive shows as a step that does not rise (validate()).
    for (std::size_t i = 0; i < weights.size() && i < d.cumulative.size(); ++i)
        if (!(weights[i] > 0) || !std::isfinite(weights[i])) d.cumulative[i] = std::nan("");
    return d;
}

bool Range::finite() const {
    return std::isfinite(lo) && std::isfinite(hi);
}

const char* kind_name(DistKind k) {
    switch (k) {
        case DistKind::Fixed:
            return "fixed";
        case DistKind::Uniform:
            return "uniform";
        case DistKind::Beta:
            return "beta";
        case DistKind::Normal:
            return "normal";
        case DistKind::Empirical:
            return "empirical";
    }
    return "?";
}

std::string validate(const Distribution& d, const Range& r) {
    std::ostringstream os;
    auto range_text = [&] {
        std::ostringstream t;
        t << "[" << r.lo << ", " << r.hi << "]";
        return t.str();
    };
    if (d.kind == DistKind::Empirical) {
        if (d.values.empty()) return "empirical needs at least one value";
        if (d.cumulative.size() != d.values.size())
            return "empirical needs one weight per value, got " +
                   std::to_string(d.cumulative.size()) + " weights for " +
                   std::to_string(d.values.size()) + " values";
        for (std::size_t i = 0; i < d.values.size(); ++i) {
            if (!std::isfinite(d.values[i])) return "numbers must be finite (no .nan or .inf)";
            if (!r.contains(d.values[i])) {
                os << "empirical value " << d.values[i] << " is outside the range " << range_text();
                return os.str();
            }
            if (!std::isfinite(d.cumulative[i]) ||
                (i > 0 && d.cumulative[i] <= d.cumulative[i - 1]))
                return "empirical weights must be positive and finite";
        }
        return "";
    }
    if (!std::isfinite(d.a) || (d.kind != DistKind::Fixed && !std::isfinite(d.b)))
        return "numbers must be finite (no .nan or .inf)";
    switch (d.kind) {
        case DistKind::Fixed:
            if (!r.contains(d.a)) os << "value " << d.a << " is outside the range " << range_text();
            break;
        case DistKind::Uniform:
            if (d.a > d.b)
                os << "uniform needs lo <= hi, got [" << d.a << ", " << d.b << "]";
            else if (!r.contains(d.a) || !r.contains(d.b))
                os << "uniform(" << d.a << ", " << d.b << ") reaches outside the range "
                   << range_text();
            break;
        case DistKind::Beta:
            if (d.a <= 0.0 || d.b <= 0.0)
                os << "beta needs two positive shapes, got [" << d.a << ", " << d.b << "]";
            else if (!r.finite())
                os << "beta needs a parameter with a finite range, this one is " << range_text();
            break;
        case DistKind::Normal:
            if (d.b <= 0.0)
                os << "normal needs a positive standard deviation, got " << d.b;
            else if (!r.contains(d.a))
                os << "normal mean " << d.a << " is outside the range " << range_text();
            break;
        case DistKind::Empirical:  // checked above
            break;
    }
    return os.str();
}

double sample(const Distribution& d, const Range& r, RngStream& s) {
    switch (d.kind) {
        case DistKind::Fixed:
            return d.a;
        case DistKind::Uniform:
            return d.a + (d.b - d.a) * s.uniform();
        case DistKind::Beta: {
            const double x = gamma_variate(d.a, s);
            const double y = gamma_variate(d.b, s);
            const double u = (x + y > 0.0) ? x / (x + y) : 0.5;
            return r.lo + (r.hi - r.lo) * u;
        }
        case DistKind::Normal: {
            // Inverse-CDF sampling restricted to the range: one uniform, no rejection.
            const double plo = std::isfinite(r.lo) ? normal_cdf((r.lo - d.a) / d.b) : 0.0;
            const double phi = std::isfinite(r.hi) ? normal_cdf((r.hi - d.a) / d.b) : 1.0;
            const double p = plo + (phi - plo) * s.uniform();
            double x = d.a + d.b * std::sqrt(2.0) * boost::math::erf_inv(2.0 * p - 1.0);
            if (x < r.lo) x = r.lo;
            if (x > r.hi) x = r.hi;
            return x;
        }
        case DistKind::Empirical: {
            const double u = s.uniform();
            const auto it = std::upper_bound(d.cumulative.begin(), d.cumulative.end(), u);
            const auto i = std::min<std::size_t>(
                static_cast<std::size_t>(it - d.cumulative.begin()), d.values.size() - 1);
            return d.values[i];
        }
    }
    return d.a;
}

double mean(const Distribution& d, const Range& r) {
    switch (d.kind) {
        case DistKind::Fixed:
            return d.a;
        case DistKind::Uniform:
            return 0.5 * (d.a + d.b);
        case DistKind::Beta:
            return r.lo + (r.hi - r.lo) * d.a / (d.a + d.b);
        case DistKind::Normal: {
            const double al = std::isfinite(r.lo) ? (r.lo - d.a) / d.b : -HUGE_VAL;
            const double be = std::isfinite(r.hi) ? (r.hi - d.a) / d.b : HUGE_VAL;
            const double pa = std::isfinite(al) ? phi_pdf(al) : 0.0;
            const double pb = std::isfinite(be) ? phi_pdf(be) : 0.0;
            const double z = normal_cdf(be) - normal_cdf(al);
            return d.a + d.b * (pa - pb) / z;
        }
        case DistKind::Empirical: {
            double m = 0.0, prev = 0.0;
            for (std::size_t i = 0; i < d.values.size(); ++i) {
                m += (d.cumulative[i] - prev) * d.values[i];
                prev = d.cumulative[i];
            }
            return m;
        }
    }
    return d.a;
}

std::string describe(const Distribution& d) {
    std::ostringstream os;
    os.precision(6);
    switch (d.kind) {
        case DistKind::Fixed:
            os << d.a;
            break;
        case DistKind::Uniform:
            os << "uniform(" << d.a << ", " << d.b << ")";
            break;
        case DistKind::Beta:
            os << "beta(" << d.a << ", " << d.b << ")";
            break;
        case DistKind::Normal:
            os << "normal(" << d.a << ", " << d.b << ")";
            break;
        case DistKind::Empirical:
            os << "empirical(" << d.values.size() << " values, mean " << mean(d, Range{}) << ")";
            break;
    }
    return os.str();
}

}  // namespace sco::core
