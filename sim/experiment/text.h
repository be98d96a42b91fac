#pragma once
// Internal to sim/experiment: small text helpers shared by the layer's plain-text tables
// (report.cpp, score.cpp).

#include <cstddef>
#include <string>

namespace sco::experiment::text {

/// `x` printed with the printf format `f` (one double conversion).
std::string fmt(const char* f, double x);

/// `s` padded with spaces to width `w`, on the left when `right` (right-aligned).
std::string pad(const std::string& s, std::size_t w, bool right = false);

}  // namespace sco::experiment::text
