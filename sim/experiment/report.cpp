#include "sim/experiment/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "sim/experiment/text.h"

namespace sco::experiment {

void check_labels(const Labels& L, const Summary& s) {
    auto sz = [](const auto& v) { return static_cast<int>(v.size()); };
    if (sz(L.agents) != s.shape.agents || sz(L.agent_names) != s.shape.agents ||
        sz(L.proposals) != s.shape.proposals || sz(L.proposal_titles) != s.shape.proposals ||
        sz(L.kinds) != s.shape.proposals || sz(L.dimensions) != s.shape.dims ||
        sz(L.pairs) != s.shape.pairs || sz(L.periods) != s.shape.periods)
        throw std::invalid_argument("report: the labels do not match the summary's shape");
}

Moves moves_of(const core::ModelSpec& spec) {
    Moves out;
    for (const auto& p : spec.proposals) {
        auto& m = out.emplace_back();
        for (int d = 0; d < spec.n_dims(); ++d)
            if (static_cast<std::size_t>(d) < p.position.size() &&
                p.position[static_cast<std::size_t>(d)] != core::kNoParam)
                m.push_back(d);
    }
    return out;
}

namespace {

constexpr int kNotTabled = static_cast<int>(core::Outcome::NotTabled);
constexpr int kJoinedBit = 0;
constexpr int kObjectedBit = 3;
constexpr int kTransitDeniedBit = 4;
constexpr int kDroppedBit = 5;
constexpr int kVetoBit = 8;
constexpr int kWaitedBit = 9;
static_assert(1 << kJoinedBit == core::kJoined && 1 << kObjectedBit == core::kObjected &&
              1 << kTransitDeniedBit == core::kTransitDenied &&
              1 << kDroppedBit == core::kDropped && 1 << kVetoBit == core::kVeto &&
              1 << kWaitedBit == core::kWaited);

double share(std::int64_t k, std::int64_t n) {
    return n > 0 ? static_cast<double>(k) / static_cast<double>(n) : 0.0;
}

using text::fmt;
using text::pad;

std::string percent(double p) {
    return fmt("%.1f%%", 100.0 * p);
}

void check_moves(const Moves& moves, const Summary& s) {
    if (!moves.empty() && static_cast<int>(moves.size()) != s.shape.proposals)
        throw std::invalid_argument("report: the moves do not match the summary's proposals");
    for (const auto& m : moves)
        for (const int d : m)
            if (d < 0 || d >= s.shape.dims)
                throw std::invalid_argument("report: a proposal moves a dimension out of range");
}

/// The dimensions proposal p moves (every dimension if `moves` does not say).
std::vector<int> moved_dims(const Moves& moves, const Summary& s, int p) {
    if (!moves.empty()) return moves[static_cast<std::size_t>(p)];
    std::vector<int> all(static_cast<std::size_t>(s.shape.dims));
    for (int d = 0; d < s.shape.dims; ++d) all[static_cast<std::size_t>(d)] = d;
    return all;
}

/// Mean adopted text of proposal p at summit t on dimension d, over the runs it passed in
/// (NaN if it never passed); the summit's mean compromise and weighted-median positions
/// over all runs (NaN without runs).
struct Positions {
    double text, compromise, weighted_median;
};
Positions positions(const Summary& s, int t, int p, int d) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t D = static_cast<std::size_t>(s.shape.dims);
    const std::size_t tp = static_cast<std::size_t>(t) * s.shape.proposals + p;
    const std::size_t td = static_cast<std::size_t>(t) * D + d;
    const std::int64_t passed = s.passed(t, p);
    auto mean = [](std::int64_t sum, std::int64_t n) {
        return static_cast<double>(sum) / kFixedScale / static_cast<double>(n);
    };
    return {passed > 0 ? mean(s.text_sum[tp * D + d], passed) : nan,
            s.runs > 0 ? mean(s.compromise_sum[td], s.runs) : nan,
            s.runs > 0 ? mean(s.wmedian_sum[td], s.runs) : nan};
}

// ---- JSON ----

using Json = nlohmann::ordered_json;  // keys in insertion order: the documented order

/// A number, or null if it is not finite.
Json number(double x) {
    return std::isfinite(x) ? Json(x) : Json(nullptr);
}

Json proportion(const Proportion& w) {
    return Json{{"p", number(w.p)}, {"ci", Json::array({number(w.lo), number(w.hi)})}};
}

/// {"ID": count(i) / n, ...} for every agent.
template <typename Count>
Json agent_map(const Labels& L, Count count, std::int64_t n) {
    Json out = Json::object();
    for (std::size_t i = 0; i < L.agents.size(); ++i)
        out[L.agents[i]] = number(share(count(static_cast<int>(i)), n));
    return out;
}

Json flag_map(const Labels& L, const Summary& s, int t, int p, int bit, std::int64_t n) {
    return agent_map(
        L, [&](int i) { return s.flag_count(t, p, i, bit); }, n);
}

}  // namespace

std::string report_text(const Labels& L, const Summary& s, const Moves& moves) {
    check_labels(L, s);
    check_moves(moves, s);
    std::ostringstream out;
    const int T = s.shape.periods, P = s.shape.proposals, N = s.shape.agents;
    out << "Runs: " << s.runs << "\n";
    std::size_t wid = 8;
    for (const auto& id : L.proposals) wid = std::max(wid, id.size());
    // A row from fewer than kMinTabled tabled runs gets " *" after its id (the report's
    // dagger); the column is widened for it only when some row of the summary is thin.
    const auto thin = [&](int t, int p) {
        return s.tabled(t, p) > 0 && s.tabled(t, p) < kMinTabled;
    };
    std::size_t owid = wid;
    for (int t = 0; t < T; ++t)
        for (int p = 0; p < P; ++p)
            if (thin(t, p)) owid = std::max(owid, L.proposals[p].size() + 2);
    // "[100.0%, 100.0%]" is the widest interval: 16 characters.
    const std::string header = pad("proposal", owid) + "  " + pad("tabled", 7, true) + "  " +
                               pad("pass", 6, true) + "  " + pad("95% CI", 16) + "  " +
                               pad("most likely outcomes", 50) + "  " + pad("rounds", 6, true) +
                               "  " + pad("dilution", 8, true) + "  top veto";
    for (int t = 0; t < T; ++t) {
        bool any = false;
        for (int p = 0; p < P; ++p) any = any || s.tabled(t, p) > 0;
        out << "\n" << L.periods[t] << (any ? "" : ": nothing tabled") << "\n";
        if (!any) continue;
        out << header << "\n" << std::string(header.size(), '-') << "\n";
        bool any_thin = false;
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
            // Only members hold a veto: observers' and candidates' objections block nothing.
            for (int i = 0; i < N; ++i)
                if (s.flag_count(t, p, i, kVetoBit) > worst_count) {
                    worst = i;
                    worst_count = s.flag_count(t, p, i, kVetoBit);
                }
            const std::string objector =
                worst < 0 ? "-" : L.agents[worst] + " " + percent(share(worst_count, n));
            const std::string dil =
                s.passed(t, p) > 0 ? fmt("%.3f", s.dilution_mean(t, p)) : std::string("-");
            any_thin = any_thin || thin(t, p);
            out << pad(L.proposals[p] + (thin(t, p) ? " *" : ""), owid) << "  "
                << pad(percent(share(n, s.runs)), 7, true) << "  " << pad(percent(pass.p), 6, true)
                << "  " << pad("[" + percent(pass.lo) + ", " + percent(pass.hi) + "]", 16) << "  "
                << pad(top, 50) << "  " << pad(fmt("%.2f", s.rounds_mean(t, p)), 6, true) << "  "
                << pad(dil, 8, true) << "  " << objector << "\n";
        }
        if (any_thin)
            out << "* tabled in fewer than " << kMinTabled
                << " runs: rough estimates (docs/figures.md, \"the 200-run rule\")\n";
        // Refused transit, which the table's columns do not show: who refused and who then
        // left (for the sponsor of a closed exercise: withdrew it), per proposal, as shares
        // of its tabled runs.
        for (int p = 0; p < P; ++p) {
            const std::int64_t n = s.tabled(t, p);
            if (n == 0) continue;
            std::string denied, dropped;
            for (int i = 0; i < N; ++i) {
                const std::int64_t k = s.flag_count(t, p, i, kTransitDeniedBit);
                if (k > 0)
                    denied +=
                        (denied.empty() ? "" : ", ") + L.agents[i] + " " + percent(share(k, n));
                const std::int64_t d = s.flag_count(t, p, i, kDroppedBit);
                if (d > 0)
                    dropped +=
                        (dropped.empty() ? "" : ", ") + L.agents[i] + " " + percent(share(d, n));
            }
            if (denied.empty() && dropped.empty()) continue;
            out << "transit: " << L.proposals[p] << ": denied by "
                << (denied.empty() ? std::string("-") : denied) << "; dropped out "
                << (dropped.empty() ? std::string("-") : dropped) << "\n";
        }
        // On every dimension a tabled proposal moves: where its adopted text ended, beside
        // where the summit's compromise and weighted median lay.
        std::size_t dw = 9;
        bool rows = false;
        for (int p = 0; p < P; ++p)
            if (s.tabled(t, p) > 0)
                for (const int d : moved_dims(moves, s, p)) {
                    dw = std::max(dw, L.dimensions[d].size());
                    rows = true;
                }
        if (!rows) continue;
        const std::string phead = pad("proposal", wid) + "  " + pad("dimension", dw) + "  " +
                                  pad("adopted text", 12, true) + "  " +
                                  pad("compromise", 10, true) + "  " +
                                  pad("weighted median", 15, true);
        out << "\npositions (mean adopted text; the summit's mean compromise and weighted "
               "median)\n"
            << phead << "\n"
            << std::string(phead.size(), '-') << "\n";
        auto cell = [](double x, std::size_t w) {
            return pad(std::isfinite(x) ? fmt("%.3f", x) : std::string("-"), w, true);
        };
        for (int p = 0; p < P; ++p) {
            if (s.tabled(t, p) == 0) continue;
            bool first = true;
            for (const int d : moved_dims(moves, s, p)) {
                const Positions x = positions(s, t, p, d);
                out << pad(first ? L.proposals[p] : std::string(), wid) << "  "
                    << pad(L.dimensions[d], dw) << "  " << cell(x.text, 12) << "  "
                    << cell(x.compromise, 10) << "  " << cell(x.weighted_median, 15) << "\n";
                first = false;
            }
        }
    }
    if (T > 0 && s.runs > 0) {
        // Time to adoption: the summit of each proposal's first adoption, "never" counted.
        std::size_t pw = 8;
        for (const auto& id : L.proposals) pw = std::max(pw, id.size());
        std::string head = pad("proposal", pw);
        for (int t = 0; t < T; ++t) head += "  " + pad(std::to_string(L.periods[t]), 6, true);
        head += "  " + pad("never", 6, true);
        out << "\nTime to adoption (share of runs by the summit of first adoption)\n"
            << head << "\n"
            << std::string(head.size(), '-') << "\n";
        for (int p = 0; p < P; ++p) {
            std::int64_t ever = 0;
            for (int t = 0; t < T; ++t) ever += s.tabled(t, p);
            if (ever == 0) continue;
            out << pad(L.proposals[p], pw);
            for (int t = 0; t <= T; ++t)
                out << "  " << pad(percent(share(s.first_adopted(p, t), s.runs)), 6, true);
            out << "\n";
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

std::string report_json(const Labels& L, const Summary& s, const Moves& moves) {
    check_labels(L, s);
    check_moves(moves, s);
    const int T = s.shape.periods, P = s.shape.proposals;
    Json proposals = Json::array();
    for (int t = 0; t < T; ++t) {
        for (int p = 0; p < P; ++p) {
            const std::int64_t n = s.tabled(t, p);
            if (n == 0) continue;
            const std::size_t tp = static_cast<std::size_t>(t) * P + p;
            Json e;
            e["id"] = L.proposals[p];
            e["period"] = L.periods[t];
            e["tabled"] = n;
            Json outcome = Json::object();
            for (int o = 0; o < kOutcomes; ++o)
                if (o != kNotTabled)
                    outcome[std::string(core::kOutcomeNames.names[static_cast<std::size_t>(o)])] =
                        proportion(wilson(s.outcome_count(t, p, o), n));
            e["outcome"] = std::move(outcome);
            e["passed"] = proportion(wilson(s.passed(t, p), n));
            e["participation"] = agent_map(
                L, [&](int i) { return s.participated[tp * s.shape.agents + i]; }, n);
            e["objection"] = flag_map(L, s, t, p, kObjectedBit, n);
            e["veto"] = flag_map(L, s, t, p, kVetoBit, n);
            e["waited"] = flag_map(L, s, t, p, kWaitedBit, n);
            e["transit_denied"] = flag_map(L, s, t, p, kTransitDeniedBit, n);
            e["dropped"] = flag_map(L, s, t, p, kDroppedBit, n);
            e["pressure"] = Json{{"p", number(share(s.pressure_runs[tp], n))},
                                 {"mean", number(share(s.pressure_sum[tp], n))}};
            e["rounds_mean"] = number(s.rounds_mean(t, p));
            e["dilution_mean"] = s.passed(t, p) > 0 ? number(s.dilution_mean(t, p)) : Json();
            e["implemented"] = number(share(s.implemented[tp], n));
            Json pos = Json::object();
            for (const int d : moved_dims(moves, s, p)) {
                const Positions x = positions(s, t, p, d);
                pos[L.dimensions[d]] = Json{{"text", number(x.text)},
                                            {"compromise", number(x.compromise)},
                                            {"weighted_median", number(x.weighted_median)}};
            }
            e["positions"] = std::move(pos);
            proposals.push_back(std::move(e));
        }
    }
    const bool any = T > 0 && s.runs > 0;
    Json mean = Json::object(), final_ = Json::object();
    for (int k = 0; k < s.shape.pairs; ++k) {
        const double m = any ? s.tension_mean(T - 1, k) : 0.0;
        const double half =
            any ? 1.959963984540054 * s.tension_sd(T - 1, k) / std::sqrt(double(s.runs)) : 0.0;
        mean[L.pairs[k]] = number(m);
        final_[L.pairs[k]] = Json{
            {"mean", number(m)},
            {"ci", Json::array({number(std::max(0.0, m - half)), number(std::min(1.0, m + half))})},
            {"q05", number(any ? s.tension_quantile(T - 1, k, 0.05) : 0.0)},
            {"q50", number(any ? s.tension_quantile(T - 1, k, 0.5) : 0.0)},
            {"q95", number(any ? s.tension_quantile(T - 1, k, 0.95) : 0.0)}};
    }
    Json adoption = Json::object();
    for (int p = 0; p < P; ++p) {
        Json by = Json::object();
        for (int t = 0; t < T; ++t)
            by[std::to_string(L.periods[t])] = proportion(wilson(s.first_adopted(p, t), s.runs));
        by["never"] = proportion(wilson(s.first_adopted(p, T), s.runs));
        adoption[L.proposals[p]] = std::move(by);
    }
    Json out;
    out["runs"] = s.runs;
    out["proposals"] = std::move(proposals);
    out["time_to_adoption"] = std::move(adoption);
    out["tension_final_mean"] = std::move(mean);
    out["tension_final"] = std::move(final_);
    // Labels come from files: bytes that are not UTF-8 become U+FFFD instead of an error.
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sco::experiment
