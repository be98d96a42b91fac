#include "sim/core/record.h"

#include "sim/core/model.h"

namespace sco::core {

// The stored element type of every array is its C++ type's size: the writer copies the
// arrays' bytes as they are.
#define SCO_RUN_CHECK(m, T, e, x, opt, init, unit, doc)                          \
    static_assert(sizeof(T) == (Elem::e == Elem::F64 || Elem::e == Elem::I64 ? 8 \
                                : Elem::e == Elem::F32                       ? 4 \
                                : Elem::e == Elem::U16                       ? 2 \
                                                                             : 1),                     \
                  "kRunOutputs: the element type of " #m " does not match its C++ type");
SCO_RUN_ARRAYS(SCO_RUN_CHECK)
#undef SCO_RUN_CHECK

std::size_t elem_size(Elem e) {
    switch (e) {
        case Elem::Enum8:
        case Elem::U8:
        case Elem::I8:
            return 1;
        case Elem::U16:
            return 2;
        case Elem::F32:
            return 4;
        case Elem::I64:
        case Elem::F64:
            return 8;
    }
    return 0;
}

std::int64_t extent_size(Extent e, const RecordShape& s) {
    const std::int64_t tp = static_cast<std::int64_t>(s.periods) * s.proposals;
    switch (e) {
        case Extent::Run:
            return 1;
        case Extent::PeriodProposal:
            return tp;
        case Extent::PeriodProposalAgent:
            return tp * s.agents;
        case Extent::PeriodProposalDim:
            return tp * s.dims;
        case Extent::PeriodDim:
            return static_cast<std::int64_t>(s.periods) * s.dims;
        case Extent::PeriodPair:
            return static_cast<std::int64_t>(s.periods) * s.pairs;
        case Extent::Param:
            return s.random_params;
    }
    return 0;
}

const char* extent_axes(Extent e) {
    switch (e) {
        case Extent::Run:
            return "";
        case Extent::PeriodProposal:
            return "period,proposal";
        case Extent::PeriodProposalAgent:
            return "period,proposal,agent";
        case Extent::PeriodProposalDim:
            return "period,proposal,dimension";
        case Extent::PeriodDim:
            return "period,dimension";
        case Extent::PeriodPair:
            return "period,pair";
        case Extent::Param:
            return "param";
    }
    return "";
}

std::int64_t record_bytes(const RecordShape& s, bool per_run_tension) {
    std::int64_t b = 0;
    for (const RunOutput& o : kRunOutputs)
        if (stored(o, per_run_tension))
            b += extent_size(o.extent, s) * static_cast<std::int64_t>(elem_size(o.elem));
    return b;
}

void RunRecord::resize(const RecordShape& s) {
    shape = s;
#define SCO_RUN_RESIZE(m, T, e, x, opt, init, unit, doc) \
    m.assign(static_cast<std::size_t>(extent_size(Extent::x, s)), static_cast<T>(init));
    SCO_RUN_ARRAYS(SCO_RUN_RESIZE)
#undef SCO_RUN_RESIZE
}

std::span<const std::byte> array_bytes(const RunRecord& r, std::size_t i) {
    std::span<const std::byte> out;
    std::size_t k = 0;
    r.each_array([&](const RunOutput&, const auto& v) {
        if (k++ == i) out = std::as_bytes(std::span(v));
    });
    return out;
}

RecordShape shape_of(const ModelSpec& spec) {
    RecordShape s;
    s.periods = spec.periods;
    s.proposals = spec.n_proposals();
    s.agents = spec.n_agents();
    s.dims = spec.n_dims();
    s.pairs = spec.n_pairs();
    s.random_params = static_cast<int>(spec.params.random_ids().size());
    return s;
}

}  // namespace sco::core
