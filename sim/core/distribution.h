#pragma once
// A scenario number is either a value or a distribution, sampled once per run.
#include <cmath>
#include <string>
#include <vector>

#include "sim/core/rng.h"

namespace sco::core {

enum class DistKind : unsigned char { Fixed, Uniform, Beta, Normal, Empirical };

/// The closed interval a parameter must lie in. Distributions are checked against it
/// at load time; a normal is truncated to it, a beta is scaled to it.
struct Range {
    double lo = 0.0;
    double hi = 1.0;
    [[nodiscard]] bool contains(double x) const { return x >= lo && x <= hi; }
    [[nodiscard]] bool finite() const;
};

/// Fixed: value a. Uniform: on [a, b]. Beta: shapes a, b, scaled to the range.
/// Normal: mean a, standard deviation b, truncated to the range.
/// Empirical: one of `values`, value i with probability weight i (a posterior sample that
/// no fitted beta or normal would reproduce; `sco-sim calibrate --write-scenario`).
struct Distribution {
    DistKind kind = DistKind::Fixed;
    double a = 0.0;
    double b = 0.0;
    std::vector<double> values;      ///< Empirical: the values
    std::vector<double> cumulative;  ///< Empirical: cumulative normalised weights (last 1)

    Distribution() = default;
    Distribution(DistKind k, double a_, double b_) : kind(k), a(a_), b(b_) {}

    static Distribution fixed(double v) { return {DistKind::Fixed, v, 0.0}; }
    static Distribution uniform(double lo, double hi) { return {DistKind::Uniform, lo, hi}; }
    static Distribution beta(double alpha, double beta) { return {DistKind::Beta, alpha, beta}; }
    static Distribution normal(double mean, double sd) { return {DistKind::Normal, mean, sd}; }
    /// Equal weights when `weights` is empty. Weights need not sum to 1; validate() refuses
    /// a size mismatch, a weight that is not positive and finite, or no value.
    static Distribution empirical(std::vector<double> values, std::vector<double> weights = {});

    [[nodiscard]] bool is_fixed() const { return kind == DistKind::Fixed; }
    bool operator==(const Distribution&) const = default;
};

/// Why a distribution is not valid for a range, or empty if it is.
std::string validate(const Distribution& d, const Range& r);

/// One draw. Uses a variable number of uniforms from `s` (rejection samplers).
double sample(const Distribution& d, const Range& r, RngStream& s);

/// The exact mean of the distribution on its range (truncation included).
double mean(const Distribution& d, const Range& r);

/// "0.5", "uniform(0.2, 0.4)", "beta(8, 2)", "normal(0.5, 0.1)", "empirical(120 values)".
std::string describe(const Distribution& d);

/// Name of the kind: fixed, uniform, beta, normal, empirical.
const char* kind_name(DistKind k);

/// The standard normal distribution function Phi(z).
inline double normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

/// The unit normal linear loss integral G(z) = phi(z) - z (1 - Phi(z)) = E[(X - z)+], X
/// standard normal (Raiffa and Schlaifer 1961): the value of waiting (docs/model.md III.4.3).
inline double normal_loss(double z) {
    constexpr double kInvSqrt2Pi = 0.3989422804014327;
    constexpr double kInvSqrt2 = 0.7071067811865476;
    return kInvSqrt2Pi * std::exp(-0.5 * z * z) - z * 0.5 * std::erfc(z * kInvSqrt2);
}

}  // namespace sco::core
