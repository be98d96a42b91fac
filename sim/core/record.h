#pragma once
// What one run leaves behind: plain arrays, no I/O. Index order is row-major in the
// order the comments give (period t, proposal p, agent i, dimension d, pair k).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

namespace sco::core {

struct ModelSpec;

/// Bits per (period, proposal, agent): what the agent did in the last round.
enum AgentFlag : std::uint16_t {
    kJoined = 1,          ///< supported and takes part (for opt-out proposals: participates)
    kReserved = 2,        ///< supported with a reservation on record (also kJoined)
    kStayedOut = 4,       ///< stayed out of an opt-out project without objecting
    kObjected = 8,        ///< objected (blocks if the agent holds a veto)
    kTransitDenied = 16,  ///< this agent denied transit to a participant
    kDropped = 32,        ///< this agent dropped out after its transit was denied
    kPressured = 64,      ///< this agent was pressured by a great power
    kPressurer = 128,     ///< this agent applied pressure
    kVeto = 256,          ///< objected to the text while a member: a veto (not a drop-out)
    kWaited = 512,        ///< objected to wait for clarity, not against the text's substance
};
using Flags = std::uint16_t;
inline constexpr int kFlagBits = 10;
inline constexpr const char* kFlagNames[kFlagBits] = {
    "joined",  "reserved",  "stayed_out", "objected", "transit_denied",
    "dropped", "pressured", "pressurer",  "veto",     "waited"};

struct RecordShape {
    int periods = 0;
    int proposals = 0;
    int agents = 0;
    int dims = 0;
    int pairs = 0;
    int random_params = 0;
    bool operator==(const RecordShape&) const = default;
};

/// The per-run outputs, in the order of the results file's /runs datasets. One row per
/// array of RunRecord: X(member, C++ element type, stored Elem, extent, only with
/// --tension-per-run, initial value, unit, doc line). The record's members, its resize, the
/// serializer (experiment/serialize.cpp), the HDF5 sink (io/hdf5_sink.cpp), the size estimate
/// (record_bytes) and the per-run table of docs/hdf5-format.md all come from this list
/// (tests/python/test_run_table.py checks the doc). Adding an output is adding a row (and, if new,
/// an Extent).
#define SCO_RUN_ARRAYS(X)                                                               \
    X(outcome, std::uint8_t, Enum8, PeriodProposal, false, 0, "enum",                   \
      "how the summit ended for the proposal (enum; names in /labels/outcomes)")        \
    X(rounds, std::uint8_t, U8, PeriodProposal, false, 0, "rounds",                     \
      "negotiation rounds used (0 if not tabled)")                                      \
    X(dilution, float, F32, PeriodProposal, false, 0, "share",                          \
      "share of the text's ambition given up, 0..1")                                    \
    X(pressure, std::uint8_t, U8, PeriodProposal, false, 0, "count",                    \
      "pressure applications by great powers")                                          \
    X(implemented, std::int8_t, I8, PeriodProposal, false, -1, "periods",               \
      "-1 not adopted, 0 adopted but not implemented, k>0 implemented after k periods") \
    X(flags, Flags, U16, PeriodProposalAgent, false, 0, "bits",                         \
      "what each agent did in the last round: bit b set = /labels/flags[b]")            \
    X(text, float, F32, PeriodProposalDim, false, 0, "position",                        \
      "final text position on each dimension (NaN if not tabled)")                      \
    X(compromise, float, F32, PeriodDim, false, 0, "position",                          \
      "compromise model: capability x salience weighted mean over members")             \
    X(weighted_median, float, F32, PeriodDim, false, 0, "position",                     \
      "capability x salience weighted median position over members")                    \
    X(status_quo, float, F32, PeriodDim, false, 0, "position",                          \
      "status quo the summit judged texts against (moved by implemented texts)")        \
    X(params, double, F64, Param, false, 0, "value",                                    \
      "sampled values of the non-fixed parameters (paths in /labels/params)")           \
    X(tension, float, F32, PeriodPair, true, 0, "tension",                              \
      "tension of each pair at the end of each period")

/// How a per-run value is stored (little-endian in files; Enum8 is a uint8 enum over
/// the outcome names).
enum class Elem : std::uint8_t { Enum8, U8, I8, U16, I64, F32, F64 };
std::size_t elem_size(Elem e);

/// What one run contributes to a per-run output, in terms of the record's shape.
enum class Extent : std::uint8_t {
    Run,                  ///< one value
    PeriodProposal,       ///< [t][p]
    PeriodProposalAgent,  ///< [t][p][i]
    PeriodProposalDim,    ///< [t][p][d]
    PeriodDim,            ///< [t][d]
    PeriodPair,           ///< [t][k]
    Param,                ///< [random parameter]
};
/// Values per run.
std::int64_t extent_size(Extent e, const RecordShape& s);
/// The axes after `run`, comma-separated as in the files' `axes` attribute ("" for Run).
const char* extent_axes(Extent e);

/// One per-run output: a RunRecord array, or a value the writer derives from the run's
/// index (point, replication).
struct RunOutput {
    const char* name;
    Elem elem;
    Extent extent;
    bool tension_only;  ///< stored only with --tension-per-run
    bool in_record;     ///< false: derived from the run index by the writer
    const char* unit;
    const char* doc;
};

#define SCO_RUN_OUTPUT_ROW(m, T, e, x, opt, init, unit, doc) \
    RunOutput{#m, Elem::e, Extent::x, opt, true, unit, doc},
/// Every per-run output, in file order: the record's arrays, then the run's indices.
inline constexpr RunOutput kRunOutputs[] = {
    SCO_RUN_ARRAYS(SCO_RUN_OUTPUT_ROW)  //
    RunOutput{"point", Elem::I64, Extent::Run, false, false, "index",
              "global sweep point index of the run"},
    RunOutput{"replication", Elem::I64, Extent::Run, false, false, "index", "replication index"},
};
#undef SCO_RUN_OUTPUT_ROW
inline constexpr std::size_t kRunOutputCount = std::size(kRunOutputs);

/// Whether a file made with (or without) per-run tension holds output `o`.
inline bool stored(const RunOutput& o, bool per_run_tension) {
    return !o.tension_only || per_run_tension;
}

/// Bytes one run takes in the per-run outputs as stored, before compression (every
/// output of kRunOutputs, tension only with per_run_tension). The one size estimate.
std::int64_t record_bytes(const RecordShape& s, bool per_run_tension);

struct RunRecord {
    RecordShape shape;
#define SCO_RUN_MEMBER(m, T, e, x, opt, init, unit, doc) std::vector<T> m;
    SCO_RUN_ARRAYS(SCO_RUN_MEMBER)
#undef SCO_RUN_MEMBER

    RunRecord() = default;
    explicit RunRecord(const RecordShape& s) {
        resize(s);
    }
    void resize(const RecordShape& s);

    /// Calls f(const RunOutput&, std::vector<T>&) for each array, in kRunOutputs order.
    template <typename F>
    void each_array(F&& f) {
        std::size_t i = 0;
#define SCO_RUN_VISIT(m, T, e, x, opt, init, unit, doc) f(kRunOutputs[i++], m);
        SCO_RUN_ARRAYS(SCO_RUN_VISIT)
#undef SCO_RUN_VISIT
    }
    template <typename F>
    void each_array(F&& f) const {
        std::size_t i = 0;
#define SCO_RUN_VISIT(m, T, e, x, opt, init, unit, doc) f(kRunOutputs[i++], m);
        SCO_RUN_ARRAYS(SCO_RUN_VISIT)
#undef SCO_RUN_VISIT
    }
};

/// The number of arrays of RunRecord (the first kRunArrayCount rows of kRunOutputs).
inline constexpr std::size_t kRunArrayCount = [] {
    std::size_t n = 0;
    for (const RunOutput& o : kRunOutputs) n += o.in_record ? 1 : 0;
    return n;
}();

/// The bytes of array `i` (a kRunOutputs index below kRunArrayCount) of `r`.
std::span<const std::byte> array_bytes(const RunRecord& r, std::size_t i);

RecordShape shape_of(const ModelSpec& spec);

}  // namespace sco::core
