#pragma once
// What one run leaves behind: plain arrays, no I/O. Index order is row-major in the
// order the comments give (period t, proposal p, agent i, dimension d, pair k).
#include <cstdint>
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
    kVeto = 256,          ///< objected while a member: the objection blocked (a veto)
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

struct RunRecord {
    RecordShape shape;
    std::vector<std::uint8_t> outcome;     ///< [t][p] Outcome
    std::vector<std::uint8_t> rounds;      ///< [t][p] rounds used (0 if not tabled)
    std::vector<float> dilution;           ///< [t][p] share of the text's ambition given up, 0..1
    std::vector<std::uint8_t> pressure;    ///< [t][p] pressure applications
    std::vector<std::int8_t> implemented;  ///< [t][p] -1 not adopted, 0 not implemented, k>0 lag
    std::vector<Flags> flags;              ///< [t][p][i] AgentFlag bits
    std::vector<float> text;               ///< [t][p][d] final text position (NaN if not tabled)
    std::vector<float> compromise;         ///< [t][d] compromise model over members
    std::vector<float> weighted_median;    ///< [t][d] capability x salience weighted median
    std::vector<float> status_quo;         ///< [t][d] status quo the summit judged texts against
    std::vector<float> tension;            ///< [t][k] tension at the end of period t
    std::vector<double> params;            ///< sampled values of the non-fixed parameters

    RunRecord() = default;
    explicit RunRecord(const RecordShape& s) { resize(s); }
    void resize(const RecordShape& s);
};

RecordShape shape_of(const ModelSpec& spec);

}  // namespace sco::core
