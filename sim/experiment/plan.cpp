#include "sim/experiment/plan.h"

namespace sco::experiment {

int max_rounds() {
    return static_cast<int>(core::dyn_default(core::Dyn::Rounds).range.hi);
}

core::ModelSpec apply_point(const core::ModelSpec& spec, const Point& point) {
    core::ModelSpec out = spec;
    for (const auto& [id, dist] : point.overrides) out.params[id].dist = dist;
    return out;
}

}  // namespace sco::experiment
