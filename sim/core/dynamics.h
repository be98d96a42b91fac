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

}  // namespace sco::core
