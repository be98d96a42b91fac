#pragma once
// Enum-plus-name tables: every model vocabulary word has one spelling, used by the
// scenario loader, the results file and the command line alike.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace sco::core {

template <typename E, std::size_t N>
struct NameTable {
    std::array<std::string_view, N> names;
    [[nodiscard]] std::string_view name(E e) const { return names[static_cast<std::size_t>(e)]; }
    [[nodiscard]] std::optional<E> parse(std::string_view s) const {
        for (std::size_t i = 0; i < N; ++i)
            if (names[i] == s) return static_cast<E>(i);
        return std::nullopt;
    }
    static constexpr std::size_t size() { return N; }
};

}  // namespace sco::core
