#pragma once
// The field's reference predictions, for comparison with the simulated outcome:
// the compromise model (a variant of the Nash bargaining solution) and the weighted
// median, both over the members at a summit with weights capability x salience.
#include <utility>
#include <vector>

#include "sim/core/world.h"

namespace sco::core {

/// sum(c * s * x) / sum(c * s) over members on dimension d; the status quo if all
/// weights are zero.
double compromise_position(const World& w, int d);
/// The same over the members `outside` leaves in (outside[i] != 0 excludes member i): the
/// circle of a closed format (docs/model.md III.4).
double compromise_position(const World& w, int d, const unsigned char* outside);

/// The position at which members weighted by c * s reach half the total weight
/// (the lower weighted median). `scratch` is reused to avoid allocation.
double weighted_median_position(const World& w, int d,
                                std::vector<std::pair<double, double>>& scratch);

}  // namespace sco::core
