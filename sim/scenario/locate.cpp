#include "sim/scenario/locate.h"

#include <yaml-cpp/yaml.h>

#include <vector>

#include "sim/scenario/reader.h"

namespace sco::scenario {
namespace {

std::vector<std::string> split(const std::string& s, char c) {
    std::vector<std::string> out;
    std::size_t a = 0;
    for (;;) {
        const auto b = s.find(c, a);
        out.push_back(s.substr(a, b - a));
        if (b == std::string::npos) return out;
        a = b + 1;
    }
}

/// The item of a sequence of maps whose `id` is `id`.
YAML::Node by_id(const YAML::Node& seq, const std::string& id) {
    if (!seq || !seq.IsSequence()) return {};
    for (const auto& it : seq)
        if (it.IsMap() && it["id"] && it["id"].IsScalar() && it["id"].Scalar() == id) return it;
    return {};
}

/// The end of a value written at `begin`: a flow collection up to its matching bracket, a
/// quoted scalar up to its closing quote, a plain scalar up to a flow indicator, a comment
/// or the end of the line (trailing blanks dropped).
std::optional<std::size_t> value_end(const std::string& t, std::size_t begin) {
    if (begin >= t.size()) return std::nullopt;
    const char c0 = t[begin];
    if (c0 == '{' || c0 == '[') {
        int depth = 0;
        for (std::size_t i = begin; i < t.size(); ++i) {
            const char c = t[i];
            if (c == '{' || c == '[') ++depth;
            if (c == '}' || c == ']')
                if (--depth == 0) return i + 1;
            if (c == '#' && i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t')) return std::nullopt;
        }
        return std::nullopt;
    }
    if (c0 == '"' || c0 == '\'') {
        const auto q = t.find(c0, begin + 1);
        return q == std::string::npos ? std::nullopt : std::optional<std::size_t>(q + 1);
    }
    std::size_t i = begin;
    while (i < t.size() && t[i] != '\n' && t[i] != ',' && t[i] != '}' && t[i] != ']' &&
           !(t[i] == '#' && i > begin && (t[i - 1] == ' ' || t[i - 1] == '\t')))
        ++i;
    while (i > begin && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\r')) --i;
    return i;
}

}  // namespace

std::optional<ValueSpan> locate_value(const std::string& text, const std::string& path,
                                      const std::string& display_name) {
    const detail::Context ctx{display_name, true};
    const YAML::Node root = detail::load_document(ctx, text, "a scenario file");
    if (!root || !root.IsMap() || root["extends"]) return std::nullopt;
    const auto parts = split(path, '.');
    YAML::Node v;
    try {
        if (parts.size() == 2 && (parts[0] == "dynamics" || parts[0] == "status_quo")) {
            v = root[parts[0]][parts[1]];
        } else if (parts.size() >= 3 && (parts[0] == "agents" || parts[0] == "agenda")) {
            const YAML::Node item = by_id(root[parts[0]], parts[1]);
            if (!item) return std::nullopt;
            v = parts.size() == 3 ? item[parts[2]] : item[parts[2]][parts[3]];
        } else if (parts.size() == 3 && parts[0] == "relations") {
            const auto ab = split(parts[2], '-');
            const YAML::Node list = root["relations"][parts[1]];
            if (ab.size() != 2 || !list || !list.IsSequence()) return std::nullopt;
            for (const auto& it : list)
                if (it.IsSequence() && it.size() == 3 &&
                    ((it[0].Scalar() == ab[0] && it[1].Scalar() == ab[1]) ||
                     (it[0].Scalar() == ab[1] && it[1].Scalar() == ab[0])))
                    v = it[2];
        } else {
            return std::nullopt;  // shocks and anything else: not handled
        }
    } catch (const YAML::Exception&) {
        return std::nullopt;
    }
    if (!v || !v.IsDefined() || v.IsNull()) return std::nullopt;
    const YAML::Mark m = v.Mark();
    if (m.pos < 0) return std::nullopt;
    const auto begin = static_cast<std::size_t>(m.pos);
    // A block-style map or list (a distribution over several lines) is not replaced.
    if ((v.IsMap() && text[begin] != '{') || (v.IsSequence() && text[begin] != '['))
        return std::nullopt;
    const auto end = value_end(text, begin);
    if (!end || *end <= begin) return std::nullopt;
    ValueSpan s;
    s.begin = begin;
    s.end = *end;
    s.line = m.line + 1;
    s.column = m.column + 1;
    const auto nl = text.find('\n', *end);
    s.line_end = nl == std::string::npos ? text.size() : nl;
    if (s.line_end > 0 && text[s.line_end - 1] == '\r') --s.line_end;
    return s;
}

}  // namespace sco::scenario
