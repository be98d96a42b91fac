#pragma once
// Between summits: the forum's dialogue lowers tensions between members who met,
// incidents raise them at random, and adopted decisions are implemented or not.
#include <cstdint>

#include "sim/core/rng.h"
#include "sim/core/world.h"

namespace sco::core {

/// Dialogue then incidents, after summit `t`, over every pair with nonzero tension. Where
/// `tension_out` is given, every pair's tension after them is written there as a float, in
/// pair order ((0, 1), (0, 2), ..., (1, 2), ...: the record's).
void between_summits(World& w, int t, const Rng& rng, float* tension_out = nullptr);

/// Implementation of a decision adopted at summit t: 0 if never implemented, else the
/// lag in periods (1 = by the next summit), at most 127.
std::int8_t implementation(const World& w, int t, int p, const Rng& rng);

/// The status quo on one dimension once the texts implemented in one period take effect
/// (docs/model.md III.5): `q` moved by `change`, the sum of the changes each text made to the
/// status quo it was judged against, but not above `hi` (the highest position of the texts
/// that raise it) nor below `lo` (the lowest of those that lower it) by more than rounding,
/// unless `q` already lies beyond: texts adopted towards one level reach it once, a text never
/// undoes a move past its own position, and the agenda's order does not matter.
double implemented_status_quo(double q, double change, double lo, double hi);

}  // namespace sco::core
