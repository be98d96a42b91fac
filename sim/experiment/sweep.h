#pragma once
// Sweep orchestration (docs/architecture.md, "Sweeps, parts, shards and merging"): the
// sweep's identity, the parts a local sweep runs in, which parts a resume keeps, the order
// they are merged in, and what a failed part does (ErrorLevel). Storage is behind
// io's interface io::SweepStore (io/sweep_store.h), which io implements on files
// (io::FileSweepStore) and tests in memory: this layer includes io's interface headers
// only, never HDF5 or io's implementations.
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/model.h"
#include "sim/core/names.h"
#include "sim/experiment/design.h"
#include "sim/experiment/plan.h"
#include "sim/experiment/runner.h"
#include "sim/io/sink.h"
#include "sim/io/sweep_store.h"

namespace sco::experiment {

// The storage interface is io's (io/sweep_store.h), named here for this layer's users.
using io::Slice;
using io::SweepStore;

/// A hash of a text as hex (io::sha256_hex in the program).
using Digest = std::function<std::string(const std::string&)>;

/// The file attribute `sweep_id` of a sweep: digest(digest(scenario text) + "\n" +
/// sweep_fingerprint(spec, design, cfg)). The scenario text (with any base it extends)
/// covers the structure; the fingerprint every number after overrides.
std::string sweep_id(const Digest& digest, const std::string& scenario_text,
                     const core::ModelSpec& spec, const Design& design, const RunConfig& cfg);

/// The identity of a plain `run` (stored as its sweep_id): as a sweep's with no factors,
/// marked "sco-sim-run".
std::string run_id(const Digest& digest, const std::string& scenario_text,
                   const core::ModelSpec& spec, const RunConfig& cfg);

/// What a failed part (local sweep) does, in the spirit of FLAME GPU 2's ensemble
/// `error_level`: Fast (the default) stops the sweep at the first failure; Slow runs the
/// other parts, then fails naming every failed part; Off runs the other parts and reports
/// the failed ones without failing. With any failure nothing is merged: the complete
/// parts are kept for --resume. An interruption (signal) always stops at once.
enum class ErrorLevel : std::uint8_t { Off, Slow, Fast };
inline constexpr core::NameTable<ErrorLevel, 3> kErrorLevelNames{{"off", "slow", "fast"}};

inline constexpr std::int64_t kRunsPerPart = 50'000;  ///< at least, unless one point is more
inline constexpr std::int64_t kMaxParts = 256;

/// The parts a local sweep of `total` points with `replications` runs each runs in, in
/// point order: at least `runs_per_part` runs (and one point) each, at most kMaxParts;
/// parts of more than io::kSummaryChunkPoints points hold a multiple of it (the last part
/// excepted), so that the merge copies their stored summary chunks.
std::vector<Slice> sweep_parts(std::int64_t total, std::int64_t replications,
                               std::int64_t runs_per_part = kRunsPerPart);

/// "points-00000000-00000009.h5" for points 0..9.
std::string part_name(const Slice& s);

/// The folder of a local sweep's parts: OUTPUT.parts.
std::string parts_folder(const std::string& output);

/// What is asked: the whole sweep of `design`, or one slice of it into one output.
struct SweepRequest {
    const core::ModelSpec* spec = nullptr;
    Design design;
    RunConfig cfg;
    Provenance prov;
    std::string id;          ///< sweep_id
    std::string sweep_text;  ///< the sweep file's text, stored with the results
    std::string output;
    bool resume = false;
    bool force = false;
    ErrorLevel errors = ErrorLevel::Fast;
    std::int64_t runs_per_part = kRunsPerPart;  ///< see sweep_parts
};

/// Parts of an interrupted sweep are in the way of a new one (no --resume, no --force).
struct PartsInTheWay : std::runtime_error {
    std::string folder;
    explicit PartsInTheWay(std::string f)
        : std::runtime_error(f + " holds the parts of an interrupted sweep"),
          folder(std::move(f)) {}
};

/// One part that failed (ErrorLevel Slow or Off).
struct FailedPart {
    Slice points;
    std::string message;
};

/// ErrorLevel::Slow: parts failed; the others ran and are kept.
struct PartsFailed : std::runtime_error {
    std::vector<FailedPart> failed;
    PartsFailed(const std::string& what, std::vector<FailedPart> f)
        : std::runtime_error(what), failed(std::move(f)) {}
};

/// "N of M parts failed: points A-B: MESSAGE; ..." (the start of PartsFailed's message).
std::string failed_parts_text(const std::vector<FailedPart>& failed, std::size_t parts);

struct SweepReport {
    std::size_t parts = 0;           ///< parts of the sweep
    std::size_t skipped = 0;         ///< complete parts kept by a resume
    std::vector<FailedPart> failed;  ///< ErrorLevel::Off: what failed (nothing merged)
    bool merged = false;             ///< the output was written
};

/// Called after each part with its runs and whether it was kept rather than run.
using PartDone = std::function<void(std::int64_t runs, bool kept)>;

/// If `req.output` exists and resume is asked: "" if it is the complete results of
/// `slice` of this sweep (then leftover parts of a whole sweep are removed: a kill between
/// the final rename and their removal leaves them behind), else why not.
std::string check_complete_output(SweepStore& store, const SweepRequest& req, const Slice& slice,
                                  bool whole_sweep);

/// One slice into `req.output` (a shard): the unit of work and of resumption on a cluster.
void run_slice(SweepStore& store, const SweepRequest& req, const Slice& slice,
               const RunnerHooks& hooks);

/// The whole sweep in parts under parts_folder(output), then merged into output and the
/// folder removed. With `resume`, a part that is already complete is kept. Throws
/// PartsInTheWay, Interrupted (the finished parts kept), PartsFailed (ErrorLevel::Slow), or
/// what the store or the runner throws (ErrorLevel::Fast: the first failure).
SweepReport run_in_parts(SweepStore& store, const SweepRequest& req, const RunnerHooks& hooks,
                         const PartDone& on_part = {});

}  // namespace sco::experiment
