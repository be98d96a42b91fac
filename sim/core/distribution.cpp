#include "sim/core/distribution.h"

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

double phi_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}
double phi_pdf(double z) {
    return std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
}

}  // namespace

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
            const double plo = std::isfinite(r.lo) ? phi_cdf((r.lo - d.a) / d.b) : 0.0;
            const double phi = std::isfinite(r.hi) ? phi_cdf((r.hi - d.a) / d.b) : 1.0;
            const double p = plo + (phi - plo) * s.uniform();
            double x = d.a + d.b * std::sqrt(2.0) * boost::math::erf_inv(2.0 * p - 1.0);
            if (x < r.lo) x = r.lo;
            if (x > r.hi) x = r.hi;
            return x;
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
            const double z = phi_cdf(be) - phi_cdf(al);
            return d.a + d.b * (pa - pb) / z;
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
    }
    return os.str();
}

}  // namespace sco::core
