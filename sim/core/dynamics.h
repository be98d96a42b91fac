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

/// What one text implemented now adds on one dimension whose status quo is `q`: `change`,
/// the change it made to the status quo it was judged against, but no more than the way
/// left from `q` to `to`, its own position, and nothing where `q` already lies at or past
/// it (docs/model.md III.5). Where the status quo has not moved since, it is `change` itself.
double implemented_change(double q, double change, double to);

/// The status quo on one dimension once the texts implemented in one period take effect
/// (docs/model.md III.5): `q` moved by `change`, the sum of what each adds
/// (implemented_change), but not above `hi` (the highest position of the texts
/// that raise it) nor below `lo` (the lowest of those that lower it) by more than rounding,
/// unless `q` already lies beyond: texts adopted towards one level reach it once, a text never
/// undoes a move past its own position, and the agenda's order does not matter.
double implemented_status_quo(double q, double change, double lo, double hi);

}  // namespace sco::core
