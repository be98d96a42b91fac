// Error values, suggestions and the parameter listing.
#include <algorithm>
#include <cstddef>
#include <sstream>

#include "sim/scenario/loader.h"
#include "sim/scenario/reader.h"

namespace sco::scenario {
namespace {

std::string error_text(const std::string& file, int line, int column, const std::string& key,
                       const std::string& message) {
    // A stream rather than operator+ chains: GCC 12 gives a false -Wrestrict on those.
    std::ostringstream out;
    out << file;
    if (line > 0) out << ':' << line << ':' << column;
    out << ": ";
    if (!key.empty()) out << key << ": ";
    out << message;
    return out.str();
}

char fold(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions),
/// ignoring case.
std::size_t osa_distance(const std::string& s, const std::string& t) {
    const std::size_t n = s.size(), m = t.size();
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const bool same = fold(s[i - 1]) == fold(t[j - 1]);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && fold(s[i - 1]) == fold(t[j - 2]) &&
                fold(s[i - 2]) == fold(t[j - 1]))
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m];
}

}  // namespace

ScenarioError::ScenarioError(std::string file_, int line_, int column_, std::string key_,
                             std::string message_)
    : std::runtime_error(error_text(file_, line_, column_, key_, message_)),
      file(std::move(file_)),
      line(line_),
      column(column_),
      key(std::move(key_)),
      message(std::move(message_)) {}

std::vector<std::string> did_you_mean(const std::string& word,
                                      const std::vector<std::string>& candidates) {
    // A typo costs about one edit per four characters, at most three; a candidate that
    // needs as many edits as it has characters is a different word.
    const std::size_t allowed = std::clamp<std::size_t>(word.size() / 4, 1, 3);
    std::vector<std::pair<std::size_t, std::size_t>> scored;  // distance, candidate index
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const std::string& c = candidates[i];
        if (c == word) continue;
        const std::size_t d = osa_distance(word, c);
        if (d <= allowed && d < c.size()) scored.emplace_back(d, i);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (const auto& [d, i] : scored)
        if (std::find(out.begin(), out.end(), candidates[i]) == out.end())
            out.push_back(candidates[i]);
    return out;
}

std::string suggestion_text(const std::string& word, const std::vector<std::string>& candidates) {
    const std::vector<std::string> best = did_you_mean(word, candidates);
    if (best.empty()) return "";
    const std::size_t n = std::min<std::size_t>(best.size(), 3);
    std::string out = "; did you mean ";
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) out += (i + 1 == n) ? " or " : ", ";
        out += "'" + best[i] + "'";
    }
    return out + "?";
}

std::string format_params(const core::ModelSpec& spec) {
    std::size_t w_path = 0, w_value = 0, w_range = 0;
    std::vector<std::string> values, ranges;
    for (const auto& d : spec.params.all()) {
        values.push_back(core::describe(d.dist));
        ranges.push_back(detail::range_text(d.range));
        w_path = std::max(w_path, d.path.size());
        w_value = std::max(w_value, values.back().size());
        w_range = std::max(w_range, ranges.back().size());
    }
    std::ostringstream os;
    auto row = [&](const std::string& p, const std::string& v, const std::string& r, bool integer) {
        std::string line = p + std::string(w_path - p.size() + 2, ' ') + v +
                           std::string(w_value - v.size() + 2, ' ') + r;
        if (integer) line += std::string(w_range - r.size() + 2, ' ') + "(integer)";
        os << line << '\n';
    };
    const auto& all = spec.params.all();
    for (std::size_t i = 0; i < all.size(); ++i)
        row(all[i].path, values[i], ranges[i], all[i].integer);
    return os.str();
}

namespace detail {

std::string unknown_path_message(const std::string& path, const std::vector<std::string>& paths) {
    const std::string msg = "unknown parameter path '" + path + "'";
    for (const std::string prefix : {"relations.tension.", "relations.affinity."}) {
        if (path.rfind(prefix, 0) != 0) continue;
        const std::string pair = path.substr(prefix.size());
        const auto dash = pair.find('-');
        if (dash != std::string::npos) {
            const std::string swapped = prefix + pair.substr(dash + 1) + "-" + pair.substr(0, dash);
            if (std::find(paths.begin(), paths.end(), swapped) != paths.end())
                return msg + "; did you mean '" + swapped +
                       "'? (the two ids go in alphabetical order)";
        }
        const std::string hint = suggestion_text(path, paths);
        return msg + (hint.empty() ? "; only pairs listed under relations have a parameter" : hint);
    }
    const std::string hint = suggestion_text(path, paths);
    return msg + (hint.empty() ? "; `sco-sim params SCENARIO` lists every path" : hint);
}

}  // namespace detail
}  // namespace sco::scenario
