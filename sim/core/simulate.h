#pragma once
// One run: sample the parameters, build the World, and play every summit.
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/model.h"
#include "sim/core/record.h"
#include "sim/core/rng.h"
#include "sim/core/world.h"

namespace sco::core {

struct Workspace;

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

    /// Samples run `rng`'s parameters into ws.values and builds ws.world from them: the same
    /// values and World as sample_params followed by World::reset, at less cost (docs/
    /// performance.md, "Third pass"). Only the non-fixed parameters are drawn (each with the
    /// key sample_params gives it); the fixed ones are copied. Where placing the drawn
    /// parameters over a World built once from the fixed ones gives what reset gives (no
    /// drawn parameter shares its place with a later fixed one, which reset would apply after
    /// it), the World is that copy with the drawn values placed; otherwise it is reset.
    void start_run(const Rng& rng, Workspace& ws) const;
    /// Whether start_run copies the World built from the fixed parameters (else it resets).
    [[nodiscard]] bool copies_base_world() const { return base_exact_; }
    /// Whether the reference predictions of period 0 are computed once, here: none of their
    /// inputs (capability, salience, position of the members; the roles at the start) is
    /// drawn, and no shock takes effect in period 0.
    [[nodiscard]] bool fixed_period0_reference() const { return ref0_; }
    /// Period 0's reference predictions (fixed_period0_reference() only), as
    /// reference_predictions gives them.
    [[nodiscard]] const std::vector<float>& ref0_compromise() const { return ref0_compromise_; }
    [[nodiscard]] const std::vector<float>& ref0_median() const { return ref0_median_; }
    [[nodiscard]] const std::vector<unsigned char>& ref0_weighted() const { return ref0_weighted_; }

  private:
    const ModelSpec& spec_;
    std::vector<ParamId> random_;
    std::vector<unsigned char> shock_param_;
    RecordShape shape_;
    std::vector<double> fixed_values_;  ///< every parameter: its fixed value (drawn: dist.a)
    std::vector<ParamId> drawn_;        ///< the non-fixed parameters, ascending
    std::vector<ParamId> placed_;       ///< drawn_ less the shocks' parameters
    World base_;                        ///< World::reset of fixed_values_
    bool base_exact_ = false;
    bool ref0_ = false;
    std::vector<float> ref0_compromise_, ref0_median_;
    std::vector<unsigned char> ref0_weighted_;
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
    /// [dimension] the texts implemented at the start of a period: the largest rise and the
    /// largest fall any one of them makes (implemented_change).
    std::vector<double> sq_up, sq_down;
    explicit Workspace(const ModelSpec& spec);
};

/// Samples every parameter for run `key` into `values` (one per ParamTable entry).
void sample_params(const ModelSpec& spec, const Rng& rng, std::vector<double>& values);

/// The reference predictions of the members of `w` on every dimension (compromise_position,
/// weighted_median_position; `weighted`: 1 where the members' total capability x salience is
/// positive, so that neither depends on the status quo). Each array has w.dims entries.
void reference_predictions(const World& w, std::vector<std::pair<double, double>>& scratch,
                           float* compromise, float* median, unsigned char* weighted);

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
