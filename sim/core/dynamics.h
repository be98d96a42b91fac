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
/// together (docs/model.md III.5): `q` raised by `up`, the largest rise any one of them makes,
/// and lowered by `down` (<= 0), the largest fall (each implemented_change), within [0, 1].
/// Texts towards one level reach it once, an overtaken text adds nothing, and the agenda's
/// order does not matter. One text alone lands bit for bit at q + its change.
double implemented_status_quo(double q, double up, double down);

}  // namespace sco::core
