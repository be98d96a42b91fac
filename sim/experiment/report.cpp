#include "sim/experiment/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace sco::experiment {

Labels labels_of(const core::ModelSpec& spec) {
    Labels L;
    for (const auto& a : spec.agents) {
        L.agents.push_back(a.id);
        L.agent_names.push_back(a.name);
    }
    for (const auto& p : spec.proposals) {
        L.proposals.push_back(p.id);
        L.proposal_titles.push_back(p.title);
        L.kinds.emplace_back(core::kKindNames.name(p.kind));
    }
    L.dimensions = spec.dimensions;
    L.threats = spec.threats;
    for (int k = 0; k < spec.n_pairs(); ++k) L.pairs.push_back(spec.pair_name(k));
    for (int t = 0; t < spec.periods; ++t) L.periods.push_back(spec.first_period + t);
    return L;
}

void check_labels(const Labels& L, const Summary& s) {
    auto sz = [](const auto& v) { return static_cast<int>(v.size()); };
    if (sz(L.agents) != s.shape.agents || sz(L.agent_names) != s.shape.agents ||
        sz(L.proposals) != s.shape.proposals || sz(L.proposal_titles) != s.shape.proposals ||
        sz(L.kinds) != s.shape.proposals || sz(L.dimensions) != s.shape.dims ||
        sz(L.pairs) != s.shape.pairs || sz(L.periods) != s.shape.periods)
        throw std::invalid_argument("report: the labels do not match the summary's shape");
}

namespace {

constexpr int kNotTabled = static_cast<int>(core::Outcome::NotTabled);
constexpr int kJoinedBit = 0;
constexpr int kObjectedBit = 3;
constexpr int kTransitDeniedBit = 4;
static_assert(1 << kJoinedBit == core::kJoined && 1 << kObjectedBit == core::kObjected &&
              1 << kTransitDeniedBit == core::kTransitDenied);

double share(std::int64_t k, std::int64_t n) {
    return n > 0 ? static_cast<double>(k) / static_cast<double>(n) : 0.0;
}

std::string fmt(const char* f, double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, x);
    return buf;
}

std::string pad(const std::string& s, std::size_t w, bool right = false) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

std::string percent(double p) {
    return fmt("%.1f%%", 100.0 * p);
}

// ---- JSON ----

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (u < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", u);
                    out += buf;
                } else {
                    out += c;  // UTF-8 passes through unchanged
                }
        }
    }
    return out + "\"";
}

/// A finite number in the shortest form that reads back to the same double; null if
/// not finite.
std::string json_number(double x) {
    if (!std::isfinite(x)) return "null";
    char buf[32];
    for (int prec = 6; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (std::strtod(buf, nullptr) == x) break;
    }
    return buf;
}

std::string json_prop(const Proportion& w) {
    return "{\"p\": " + json_number(w.p) + ", \"ci\": [" + json_number(w.lo) + ", " +
           json_number(w.hi) + "]}";
}

/// {"ID": count(i) / n, ...} for every agent.
template <typename Count>
std::string json_agent_map(const Labels& L, Count count, std::int64_t n) {
    std::string out = "{";
    for (std::size_t i = 0; i < L.agents.size(); ++i) {
        if (i) out += ", ";
        out += json_string(L.agents[i]) + ": " + json_number(share(count(static_cast<int>(i)), n));
    }
    return out + "}";
}

std::string json_flag_map(const Labels& L, const Summary& s, int t, int p, int bit,
                          std::int64_t n) {
    return json_agent_map(
        L, [&](int i) { return s.flag_count(t, p, i, bit); }, n);
}

}  // namespace

std::string report_text(const Labels& L, const Summary& s) {
    check_labels(L, s);
    std::ostringstream out;
    const int T = s.shape.periods, P = s.shape.proposals, N = s.shape.agents;
    out << "Runs: " << s.runs << "\n";
    std::size_t wid = 8;
    for (const auto& id : L.proposals) wid = std::max(wid, id.size());
    const std::string header = pad("proposal", wid) + "  " + pad("tabled", 7, true) + "  " +
                               pad("pass", 6, true) + "  " + pad("95% CI", 15) + "  " +
                               pad("most likely outcomes", 50) + "  " + pad("rounds", 6, true) +
                               "  " + pad("dilution", 8, true) + "  top objector (any role)";
    for (int t = 0; t < T; ++t) {
        bool any = false;
        for (int p = 0; p < P; ++p) any = any || s.tabled(t, p) > 0;
        out << "\n" << L.periods[t] << (any ? "" : ": nothing tabled") << "\n";
        if (!any) continue;
        out << header << "\n" << std::string(header.size(), '-') << "\n";
        for (int p = 0; p < P; ++p) {
            const std::int64_t n = s.tabled(t, p);
            if (n == 0) continue;
            const Proportion pass = wilson(s.passed(t, p), n);
            std::vector<int> order;
            for (int o = 0; o < kOutcomes; ++o)
                if (o != kNotTabled && s.outcome_count(t, p, o) > 0) order.push_back(o);
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
                return s.outcome_count(t, p, a) > s.outcome_count(t, p, b);
            });
            std::string top;
            for (std::size_t j = 0; j < std::min<std::size_t>(order.size(), 2); ++j)
                top += (j ? ", " : "") +
                       std::string(core::kOutcomeNames.names[static_cast<std::size_t>(order[j])]) +
                       " " + percent(share(s.outcome_count(t, p, order[j]), n));
            int worst = -1;
            std::int64_t worst_count = 0;
            for (int i = 0; i < N; ++i)
                if (s.flag_count(t, p, i, kObjectedBit) > worst_count) {
                    worst = i;
                    worst_count = s.flag_count(t, p, i, kObjectedBit);
                }
            const std::string objector =
                worst < 0 ? "-" : L.agents[worst] + " " + percent(share(worst_count, n));
            const std::string dil =
                s.passed(t, p) > 0 ? fmt("%.3f", s.dilution_mean(t, p)) : std::string("-");
            out << pad(L.proposals[p], wid) << "  " << pad(percent(share(n, s.runs)), 7, true)
                << "  " << pad(percent(pass.p), 6, true) << "  "
                << pad("[" + percent(pass.lo) + ", " + percent(pass.hi) + "]", 15) << "  "
                << pad(top, 50) << "  " << pad(fmt("%.2f", s.rounds_mean(t, p)), 6, true) << "  "
                << pad(dil, 8, true) << "  " << objector << "\n";
        }
    }
    if (T > 0 && s.runs > 0) {
        std::vector<int> pairs;
        for (int k = 0; k < s.shape.pairs; ++k)
            if (s.tension_sum[static_cast<std::size_t>(T - 1) * s.shape.pairs + k] != 0)
                pairs.push_back(k);
        std::stable_sort(pairs.begin(), pairs.end(), [&](int a, int b) {
            return s.tension_mean(T - 1, a) > s.tension_mean(T - 1, b);
        });
        out << "\nTension at the end of " << L.periods[T - 1] << " (mean over runs)";
        if (pairs.empty()) out << ": zero for every pair";
        out << "\n";
        std::size_t pw = 4;
        for (int k : pairs) pw = std::max(pw, L.pairs[k].size());
        for (int k : pairs) {
            const double m = s.tension_mean(T - 1, k);
            out << pad(L.pairs[k], pw) << "  " << (m < 0.0005 ? "<0.001" : fmt("%.3f", m)) << "\n";
        }
    }
    return out.str();
}

std::string report_json(const Labels& L, const Summary& s) {
    check_labels(L, s);
    const int T = s.shape.periods, P = s.shape.proposals;
    std::string out = "{\"runs\": " + std::to_string(s.runs) + ", \"proposals\": [";
    bool first = true;
    for (int t = 0; t < T; ++t) {
        for (int p = 0; p < P; ++p) {
            const std::int64_t n = s.tabled(t, p);
            if (n == 0) continue;
            const std::size_t tp = static_cast<std::size_t>(t) * P + p;
            out += first ? "\n  " : ",\n  ";
            first = false;
            out += "{\"id\": " + json_string(L.proposals[p]) +
                   ", \"period\": " + std::to_string(L.periods[t]) +
                   ", \"tabled\": " + std::to_string(n) + ", \"outcome\": {";
            for (int o = 0; o < kOutcomes; ++o) {
                if (o == kNotTabled) continue;
                out += (o ? ", " : "") +
                       json_string(core::kOutcomeNames.names[static_cast<std::size_t>(o)]) + ": " +
                       json_prop(wilson(s.outcome_count(t, p, o), n));
            }
            out += "}, \"passed\": " + json_prop(wilson(s.passed(t, p), n));
            out += ", \"participation\": " +
                   json_agent_map(
                       L, [&](int i) { return s.participated[tp * s.shape.agents + i]; }, n);
            out += ", \"objection\": " + json_flag_map(L, s, t, p, kObjectedBit, n);
            out += ", \"transit_denied\": " + json_flag_map(L, s, t, p, kTransitDeniedBit, n);
            out += ", \"pressure\": {\"p\": " + json_number(share(s.pressure_runs[tp], n)) +
                   ", \"mean\": " + json_number(share(s.pressure_sum[tp], n)) + "}";
            out += ", \"rounds_mean\": " + json_number(s.rounds_mean(t, p));
            out += ", \"dilution_mean\": " +
                   (s.passed(t, p) > 0 ? json_number(s.dilution_mean(t, p)) : "null");
            out += ", \"implemented\": " + json_number(share(s.implemented[tp], n)) + "}";
        }
    }
    out += first ? "],\n" : "\n],\n";
    out += " \"tension_final_mean\": {";
    for (int k = 0; k < s.shape.pairs; ++k)
        out += (k ? ", " : "") + json_string(L.pairs[k]) + ": " +
               json_number(T > 0 && s.runs > 0 ? s.tension_mean(T - 1, k) : 0.0);
    out += "},\n \"tension_final\": {";
    for (int k = 0; k < s.shape.pairs; ++k) {
        const bool any = T > 0 && s.runs > 0;
        const double m = any ? s.tension_mean(T - 1, k) : 0.0;
        const double half =
            any ? 1.959963984540054 * s.tension_sd(T - 1, k) / std::sqrt(double(s.runs)) : 0.0;
        out += (k ? ", " : "") + json_string(L.pairs[k]) + ": {\"mean\": " + json_number(m) +
               ", \"ci\": [" + json_number(std::max(0.0, m - half)) + ", " +
               json_number(std::min(1.0, m + half)) + "]" +
               ", \"q05\": " + json_number(any ? s.tension_quantile(T - 1, k, 0.05) : 0.0) +
               ", \"q50\": " + json_number(any ? s.tension_quantile(T - 1, k, 0.5) : 0.0) +
               ", \"q95\": " + json_number(any ? s.tension_quantile(T - 1, k, 0.95) : 0.0) + "}";
    }
    out += "}}";
    return out;
}

}  // namespace sco::experiment
