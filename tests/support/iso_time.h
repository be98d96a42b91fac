#pragma once
// Whether a string is a UTC time stamp of the form YYYY-MM-DDTHH:MM:SSZ (the files'
// `created` attribute). A character-class check: <regex> draws GCC 12's false
// -Wmaybe-uninitialized warnings in the sanitized build.
#include <cctype>
#include <string>

namespace sco::test {

inline bool is_iso8601_utc(const std::string& s) {
    static constexpr char kForm[] = "dddd-dd-ddTdd:dd:ddZ";
    if (s.size() != sizeof kForm - 1) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
        if (kForm[i] == 'd' ? !digit : s[i] != kForm[i]) return false;
    }
    return true;
}

}  // namespace sco::test
