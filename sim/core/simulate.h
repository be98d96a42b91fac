#pragma once
// One run: sample the parameters, build the World, and play every summit.
#include <cstdint>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/model.h"
#include "sim/core/record.h"
#include "sim/core/rng.h"
#include "sim/core/world.h"

namespace sco::core {

/// What a run needs that does not change between runs: derived once from the spec.
class CompiledModel {
  public:
    explicit CompiledModel(const ModelSpec& spec);
    /// `recorded`: the parameters whose sampled values each run records (by default the
    /// spec's random ones; a sweep passes its base scenario's so every point has one shape).
    CompiledModel(const ModelSpec& spec, std::vector<ParamId> recorded);
    [[nodiscard]] const ModelSpec& spec() const { return spec_; }
    [[nodiscard]] const std::vector<ParamId>& random_ids() const { return random_; }
    [[nodiscard]] const std::vector<unsigned char>& shock_param() const { return shock_param_; }
    [[nodiscard]] RecordShape shape() const { return shape_; }

  private:
    const ModelSpec& spec_;
    std::vector<ParamId> random_;
    std::vector<unsigned char> shock_param_;
    RecordShape shape_;
};

/// Per-thread buffers: sized once, reused by every run on that thread.
struct Workspace {
    World world;
    EngineScratch engine;
    std::vector<double> values;                       // one per parameter
    std::vector<std::pair<double, double>> sort_buf;  // weighted median
    std::vector<int> pending_admit;
    /// [dimension] the reference predictions of the last summit whose membership,
    /// capabilities, saliences and positions were those of this one (they change only at
    /// the start of a period, by admission or shock): recomputed only then. ref_weighted:
    /// the members' total weight was positive, so neither value depends on the status quo.
    std::vector<float> ref_compromise, ref_median;
    std::vector<unsigned char> ref_weighted;
    explicit Workspace(const ModelSpec& spec);
};

/// Samples every parameter for run `key` into `values` (one per ParamTable entry).
void sample_params(const ModelSpec& spec, const Rng& rng, std::vector<double>& values);

/// Whether proposal p is on the agenda of summit t in the World's current state: inside its
/// window, its prerequisites adopted at earlier summits, not awaiting implementation, and
/// its aim not already reached (docs/model.md, III.3).
bool on_agenda(const ModelSpec& spec, const World& w, int p, int t);

/// The explanation of one run (`--explain`): one entry per (summit, proposal) in record
/// order; a proposal not tabled at a summit has an entry with no rounds.
struct RunExplain {
    std::vector<ProposalExplain> items;
};

/// Runs one whole simulation into `out` (which must have the model's shape).
/// Returns the number of agent decisions made. With `explain`, also records why every
/// proposal ended as it did (allocates; for single runs only).
std::int64_t simulate(const CompiledModel& m, const RunKey& key, Workspace& ws, RunRecord& out,
                      RunExplain* explain = nullptr);

}  // namespace sco::core
