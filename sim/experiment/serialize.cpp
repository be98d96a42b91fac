#include "sim/experiment/serialize.h"

#include <cstring>
#include <stdexcept>

namespace sco::experiment {
namespace {

template <typename T>
void put(std::vector<char>& out, const std::vector<T>& v) {
    const auto* p = reinterpret_cast<const char*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(T));
}

template <typename T>
void get(std::span<const char> in, std::size_t& at, std::vector<T>& v) {
    const std::size_t n = v.size() * sizeof(T);
    if (at + n > in.size())
        throw std::runtime_error("serialized block is shorter than the model's shape");
    std::memcpy(v.data(), in.data() + at, n);
    at += n;
}

}  // namespace

void pack(std::span<const core::RunRecord> runs, const Summary& summary, std::vector<char>& out) {
    for (const core::RunRecord& r : runs)
        r.each_array([&](const core::RunOutput&, const auto& v) { put(out, v); });
    const std::vector<std::int64_t> head{summary.runs, summary.max_rounds};
    put(out, head);
    for (const auto* a : const_cast<Summary&>(summary).arrays()) put(out, *a);
}

void unpack(std::span<const char> in, std::span<core::RunRecord> runs, Summary& summary) {
    std::size_t at = 0;
    for (core::RunRecord& r : runs)
        r.each_array([&](const core::RunOutput&, auto& v) { get(in, at, v); });
    std::vector<std::int64_t> head(2);
    get(in, at, head);
    summary.runs = head[0];
    if (head[1] != summary.max_rounds)
        throw std::runtime_error("serialized summary has another max_rounds");
    for (auto* a : summary.arrays()) get(in, at, *a);
    if (at != in.size())
        throw std::runtime_error("serialized block is longer than the model's shape");
}

}  // namespace sco::experiment
