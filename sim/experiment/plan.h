#pragma once
// An experiment: which points (parameter settings) to run, how many replications of
// each, under which master seed. Run r of point k has the key (seed, k, r) and the
// global index k * replications + r, whatever thread or shard runs it.
#include "sim/core/model.h"
#include "sim/core/plan_data.h"

namespace sco::experiment {

// The plan's plain data is in core (core/plan_data.h), which io stores and reads back;
// this layer makes plans (design.h: make_plan) and runs them (runner.h).
using core::Plan;
using core::Point;
using core::RunConfig;
using core::SweepInfo;

/// The most rounds any run can take (the top of the range of the `rounds` dynamic
/// parameter): the size of a Summary's rounds histogram, wherever one is made.
int max_rounds();

/// The spec with one point's overrides applied.
core::ModelSpec apply_point(const core::ModelSpec& spec, const Point& point);

}  // namespace sco::experiment
