#include "sim/experiment/score.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/core/model.h"
#include "sim/experiment/text.h"

namespace sco::experiment {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string position_text(const std::string& file, const scenario::SourcePos& pos) {
    std::string s = file;
    if (pos.line > 0) s += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
    s += ": ";
    if (!pos.key.empty()) s += pos.key + ": ";
    return s;
}

/// "; did you mean 'a'?" by restricted edit distance (case-insensitive), or "".
std::string near_name(const std::string& word, const std::vector<std::string>& cands) {
    auto lower = [](std::string s) {
        for (char& c : s)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return s;
    };
    const std::string w = lower(word);
    std::size_t best = std::numeric_limits<std::size_t>::max();
    std::string best_name;
    for (const auto& c0 : cands) {
        const std::string c = lower(c0);
        std::vector<std::vector<std::size_t>> d(w.size() + 1,
                                                std::vector<std::size_t>(c.size() + 1));
        for (std::size_t i = 0; i <= w.size(); ++i) d[i][0] = i;
        for (std::size_t j = 0; j <= c.size(); ++j) d[0][j] = j;
        for (std::size_t i = 1; i <= w.size(); ++i)
            for (std::size_t j = 1; j <= c.size(); ++j) {
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                                    d[i - 1][j - 1] + (w[i - 1] == c[j - 1] ? 0 : 1)});
                if (i > 1 && j > 1 && w[i - 1] == c[j - 2] && w[i - 2] == c[j - 1])
                    d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        const std::size_t dist = d[w.size()][c.size()];
        if (dist < best) {
            best = dist;
            best_name = c0;
        }
    }
    const std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
    return best <= limit ? "; did you mean '" + best_name + "'?" : "";
}

int index_of(const std::vector<std::string>& v, const std::string& s) {
    const auto it = std::find(v.begin(), v.end(), s);
    return it == v.end() ? -1 : static_cast<int>(it - v.begin());
}

unsigned outcome_mask_of(const std::vector<std::string>& names) {
    unsigned mask = 0;
    for (const auto& n : names) {
        if (n == "failed") {
            mask |= 1u << static_cast<int>(core::Outcome::Deferred);
            mask |= 1u << static_cast<int>(core::Outcome::Blocked);
        } else if (const auto o = core::kOutcomeNames.parse(n)) {
            mask |= 1u << static_cast<int>(*o);
        } else {
            throw std::invalid_argument("unknown outcome name '" + n + "'");
        }
    }
    return mask;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
}

double clipped(double p, double clip) {
    return std::min(std::max(p, clip), 1.0 - clip);
}

void check_options(const ScoreOptions& opt) {
    if (!(opt.clip >= 0.0 && opt.clip < 0.5))
        throw std::invalid_argument("score: the clip must be in [0, 0.5)");
    if (opt.bins < 1 || opt.bins > 1000)
        throw std::invalid_argument("score: the number of bins must be between 1 and 1000");
}

}  // namespace

ResolveError::ResolveError(std::string file_, const scenario::SourcePos& pos_,
                           std::string event_id_, std::string name_, const std::string& message)
    : std::runtime_error(position_text(file_, pos_) + "event " + event_id_ + ": " + message),
      file(std::move(file_)),
      pos(pos_),
      event_id(std::move(event_id_)),
      name(std::move(name_)) {}

std::vector<Observation> resolve(const scenario::Events& events, const Labels& labels,
                                 bool skip_missing, std::vector<Skipped>* skipped) {
    std::vector<Observation> out;
    std::vector<std::string> years;
    for (const int y : labels.periods) years.push_back(std::to_string(y));
    auto missing = [&](const scenario::Event& e, const scenario::SourcePos& pos,
                       const std::string& what, const std::string& name, const std::string& reason,
                       const std::string& hint) {
        if (!skip_missing)
            throw ResolveError(events.path, pos, e.id, name,
                               reason + hint + " (--skip-missing leaves it out)");
        if (skipped) skipped->push_back({e.id, what, reason});
    };
    for (const auto& e : events.events) {
        const int t = index_of(years, std::to_string(e.year));
        if (t < 0) {
            const std::string span = labels.periods.empty()
                                         ? std::string("none")
                                         : std::to_string(labels.periods.front()) + "-" +
                                               std::to_string(labels.periods.back());
            missing(
                e, e.year_pos, "", std::to_string(e.year),
                "year " + std::to_string(e.year) + " is not a summit of the results (" + span + ")",
                "");
            continue;
        }
        const int p = index_of(labels.proposals, e.proposal);
        if (p < 0) {
            missing(e, e.proposal_pos, "", e.proposal,
                    "proposal '" + e.proposal + "' is not in the results",
                    near_name(e.proposal, labels.proposals));
            continue;
        }
        Observation base;
        base.event_id = e.id;
        base.category = e.category;
        base.period = t;
        base.proposal = p;
        base.weight = e.weight;
        const auto& ob = e.observed;
        if (ob.has_passed) {
            Observation o = base;
            o.kind = ObsKind::Passed;
            o.what = "passed";
            o.value = ob.passed;
            out.push_back(o);
        }
        if (!ob.outcomes.empty()) {
            Observation o = base;
            o.kind = ObsKind::Outcome;
            o.what = "outcome:" + join(ob.outcomes, "|");
            o.outcome_mask = outcome_mask_of(ob.outcomes);
            o.value = true;
            out.push_back(o);
        }
        auto agents = [&](const std::vector<scenario::NameAt>& names, ObsKind kind, const char* tag,
                          bool value) {
            for (const auto& a : names) {
                Observation o = base;
                o.kind = kind;
                o.what = std::string(tag) + ":" + a.name;
                o.value = value;
                o.agent = index_of(labels.agents, a.name);
                if (o.agent < 0) {
                    missing(e, a.pos, o.what, a.name,
                            "agent '" + a.name + "' is not in the results",
                            near_name(a.name, labels.agents));
                    continue;
                }
                out.push_back(o);
            }
        };
        agents(ob.took_part, ObsKind::TookPart, "took_part", true);
        agents(ob.stayed_out, ObsKind::StayedOut, "stayed_out", true);
        agents(ob.objected, ObsKind::Objected, "objected", true);
        agents(ob.transit_denied, ObsKind::TransitDenied, "transit_denied", true);
        if (ob.has_passed_within) {
            Observation o = base;
            o.kind = ObsKind::PassedWithin;
            o.summits = ob.within_summits;
            o.what = "passed_within:" + std::to_string(ob.within_summits);
            o.value = ob.within_value;
            const int last = t + ob.within_summits - 1;
            if (last >= static_cast<int>(labels.periods.size())) {
                const int year = labels.periods[t] + ob.within_summits - 1;
                missing(e, ob.within_pos, o.what, std::to_string(year),
                        "the window of " + std::to_string(ob.within_summits) + " summits from " +
                            std::to_string(e.year) + " runs past the results' last summit (" +
                            std::to_string(labels.periods.back()) + ")",
                        "");
            } else {
                out.push_back(o);
            }
        }
    }
    return out;
}

std::int64_t successes(const Observation& o, const Summary& s) {
    const auto& sh = s.shape;
    if (o.period < 0 || o.period >= sh.periods || o.proposal < 0 || o.proposal >= sh.proposals ||
        o.agent >= sh.agents ||
        ((o.kind == ObsKind::TookPart || o.kind == ObsKind::StayedOut ||
          o.kind == ObsKind::Objected || o.kind == ObsKind::TransitDenied) &&
         o.agent < 0) ||
        (o.kind == ObsKind::PassedWithin && (o.summits < 1 || o.period + o.summits > sh.periods)))
        throw std::invalid_argument("score: observation " + o.event_id + " " + o.what +
                                    " does not fit the summary's shape");
    const std::size_t tpi =
        (static_cast<std::size_t>(o.period) * sh.proposals + o.proposal) * sh.agents +
        static_cast<std::size_t>(std::max(o.agent, 0));
    switch (o.kind) {
        case ObsKind::Passed:
            return s.passed(o.period, o.proposal);
        case ObsKind::Outcome: {
            std::int64_t n = 0;
            for (int k = 0; k < kOutcomes; ++k)
                if (o.outcome_mask & (1u << k)) n += s.outcome_count(o.period, o.proposal, k);
            return n;
        }
        case ObsKind::TookPart:
            return s.participated[tpi];
        case ObsKind::StayedOut:
            return s.runs - s.participated[tpi];
        case ObsKind::Objected:
            return s.flag_count(o.period, o.proposal, o.agent, 3);  // kObjected = 1 << 3
        case ObsKind::TransitDenied:
            return s.flag_count(o.period, o.proposal, o.agent, 4);  // kTransitDenied = 1 << 4
        case ObsKind::PassedWithin: {
            std::int64_t n = 0;
            for (int t = o.period; t < o.period + o.summits; ++t)
                n += s.first_adopted(o.proposal, t);
            return n;
        }
    }
    return 0;
}

bool holds_in_run(const Observation& o, const core::RunRecord& r) {
    const auto& sh = r.shape;
    const std::size_t tp = static_cast<std::size_t>(o.period) * sh.proposals + o.proposal;
    const auto passed_at = [&](std::size_t k) {
        return core::passed(static_cast<core::Outcome>(r.outcome[k]));
    };
    const auto flags = [&] {
        return static_cast<unsigned>(r.flags[tp * sh.agents + static_cast<std::size_t>(o.agent)]);
    };
    bool fact = false;
    switch (o.kind) {
        case ObsKind::Passed:
            fact = passed_at(tp);
            break;
        case ObsKind::Outcome:
            fact = (o.outcome_mask & (1u << r.outcome[tp])) != 0;
            break;
        case ObsKind::TookPart:  // as Summary::participated: joined and the text passed
        case ObsKind::StayedOut:
            fact = passed_at(tp) && (flags() & core::kJoined) != 0;
            if (o.kind == ObsKind::StayedOut) fact = !fact;
            break;
        case ObsKind::Objected:
            fact = (flags() & core::kObjected) != 0;
            break;
        case ObsKind::TransitDenied:
            fact = (flags() & core::kTransitDenied) != 0;
            break;
        case ObsKind::PassedWithin: {
            // first adopted inside the window: not adopted before it, adopted in it
            int first = sh.periods;
            for (int t = 0; t < sh.periods && first == sh.periods; ++t)
                if (passed_at(static_cast<std::size_t>(t) * sh.proposals + o.proposal)) first = t;
            fact = first >= o.period && first < o.period + o.summits;
            break;
        }
    }
    return fact == o.value;
}

std::vector<EventGroup> events_of(const std::vector<Observation>& obs) {
    std::vector<EventGroup> out;
    std::map<std::string, std::size_t> at;
    for (std::size_t k = 0; k < obs.size(); ++k) {
        const auto [it, fresh] = at.emplace(obs[k].event_id, out.size());
        if (fresh) out.push_back(EventGroup{obs[k].event_id, obs[k].category, obs[k].weight, {}});
        out[it->second].obs.push_back(k);
    }
    return out;
}

namespace {

constexpr int kCodes = static_cast<int>(core::kOutcomeNames.size());
constexpr unsigned kAllCodes = (1u << kCodes) - 1;

unsigned passing_codes() {
    unsigned m = 0;
    for (int k = 0; k < kCodes; ++k)
        if (core::passed(static_cast<core::Outcome>(k))) m |= 1u << k;
    return m;
}

unsigned domain_of(ModeVariable::Kind k) {
    switch (k) {
        case ModeVariable::Kind::Outcome:
            return kAllCodes;
        case ModeVariable::Kind::Window:
            return 7u;  // before, inside, after
        default:
            return 3u;  // 0, 1
    }
}

/// Whether some joint value of the variables lies in every allowed set and is consistent
/// under the vocabulary's definitions (docs/history-format.md, "Expansion"): an agent takes
/// part only in a proposal that passed; a proposal that passed at the window's first summit
/// was first adopted by then (not after the window); a one-summit window is first adopted at
/// that summit, so it passed there. Flags constrain nothing else.
bool feasible(const std::vector<ModeVariable>& vars, const std::vector<unsigned>& allowed) {
    unsigned codes = kAllCodes;
    for (std::size_t i = 0; i < vars.size(); ++i)
        if (vars[i].kind == ModeVariable::Kind::Outcome) codes &= allowed[i];
    const unsigned pass = passing_codes();
    for (int o = 0; o < kCodes; ++o) {
        if (!((codes >> o) & 1u)) continue;
        const bool passed = ((pass >> o) & 1u) != 0;
        bool ok = true;
        for (std::size_t i = 0; i < vars.size() && ok; ++i) {
            unsigned a = allowed[i];
            switch (vars[i].kind) {
                case ModeVariable::Kind::Outcome:
                    break;
                case ModeVariable::Kind::Participation:
                    if (!passed) a &= 1u;  // took part implies passed
                    break;
                case ModeVariable::Kind::Flag:
                    break;
                case ModeVariable::Kind::Window:
                    if (passed) a &= ~4u;                           // first adopted by this summit
                    if (vars[i].summits == 1 && !passed) a &= ~2u;  // inside = adopted here
                    break;
            }
            ok = a != 0;
        }
        if (ok) return true;
    }
    return false;
}

std::string agent_name(const Observation& o) {
    const auto c = o.what.find(':');
    return c == std::string::npos ? "agent " + std::to_string(o.agent) : o.what.substr(c + 1);
}

std::string mode_label(const ModeVariable& v) {
    switch (v.kind) {
        case ModeVariable::Kind::Outcome: {
            if (v.allowed == passing_codes()) return "passed";
            if (v.allowed == (kAllCodes & ~passing_codes())) return "not passed";
            std::string s = "outcome ";
            for (int k = 0, n = 0; k < kCodes; ++k)
                if ((v.allowed >> k) & 1u)
                    s += (n++ ? "|" : "") +
                         std::string(core::kOutcomeNames.name(static_cast<core::Outcome>(k)));
            return s;
        }
        case ModeVariable::Kind::Participation:
            return (v.allowed == 2u ? "took_part:" : "stayed_out:") + v.label;
        case ModeVariable::Kind::Flag:
            return std::string(v.allowed == 2u ? "" : "not ") +
                   (v.flag == core::kObjected ? "objected:" : "transit_denied:") + v.label;
        case ModeVariable::Kind::Window: {
            std::string s = "first adopted ";
            const char* part[] = {"before", "inside", "after"};
            for (int k = 0, n = 0; k < 3; ++k)
                if ((v.allowed >> k) & 1u) s += std::string(n++ ? "|" : "") + part[k];
            return s + " the window of " + std::to_string(v.summits);
        }
    }
    return "";
}

}  // namespace

unsigned ModeVariable::value(const core::RunRecord& r) const {
    const auto& sh = r.shape;
    const std::size_t tp = static_cast<std::size_t>(period) * sh.proposals + proposal;
    const auto flags = [&] {
        return static_cast<unsigned>(r.flags[tp * sh.agents + static_cast<std::size_t>(agent)]);
    };
    switch (kind) {
        case Kind::Outcome:
            return r.outcome[tp];
        case Kind::Participation:
            return core::passed(static_cast<core::Outcome>(r.outcome[tp])) &&
                           (flags() & core::kJoined) != 0
                       ? 1u
                       : 0u;
        case Kind::Flag:
            return (flags() & flag) != 0 ? 1u : 0u;
        case Kind::Window: {
            int first = sh.periods;
            for (int t = 0; t < sh.periods && first == sh.periods; ++t)
                if (core::passed(static_cast<core::Outcome>(
                        r.outcome[static_cast<std::size_t>(t) * sh.proposals + proposal])))
                    first = t;
            return first < period ? 0u : first < period + summits ? 1u : 2u;
        }
    }
    return 0;
}

std::vector<ModeVariable> mode_variables(const std::vector<Observation>& obs, const EventGroup& g) {
    using Kind = ModeVariable::Kind;
    std::vector<ModeVariable> vars;
    std::vector<unsigned> allowed;
    const auto var = [&](const Observation& o, Kind k, int agent, unsigned flag) -> unsigned& {
        for (std::size_t i = 0; i < vars.size(); ++i)
            if (vars[i].kind == k && vars[i].agent == agent && vars[i].flag == flag)
                return allowed[i];
        ModeVariable v;
        v.kind = k;
        v.period = o.period;
        v.proposal = o.proposal;
        v.agent = agent;
        v.flag = flag;
        if (agent >= 0) v.label = agent_name(o);
        vars.push_back(v);
        allowed.push_back(domain_of(k));
        return allowed.back();
    };
    const unsigned pass = passing_codes();
    for (const std::size_t k : g.obs) {
        const Observation& o = obs[k];
        const Observation& first = obs[g.obs.front()];
        if (o.period != first.period || o.proposal != first.proposal)
            throw std::invalid_argument("event " + g.event_id +
                                        ": its observations read more than one (summit, "
                                        "proposal); the mode rule needs one");
        const unsigned bit = o.value ? 2u : 1u;  // the observed value of a 0/1 variable
        switch (o.kind) {
            case ObsKind::Passed:
                var(o, Kind::Outcome, -1, 0) &= o.value ? pass : kAllCodes & ~pass;
                break;
            case ObsKind::Outcome:
                var(o, Kind::Outcome, -1, 0) &=
                    o.value ? o.outcome_mask & kAllCodes : kAllCodes & ~o.outcome_mask;
                break;
            case ObsKind::TookPart:
                var(o, Kind::Outcome, -1, 0);  // took part reads whether it passed
                var(o, Kind::Participation, o.agent, 0) &= bit;
                break;
            case ObsKind::StayedOut:
                var(o, Kind::Outcome, -1, 0);
                var(o, Kind::Participation, o.agent, 0) &= o.value ? 1u : 2u;
                break;
            case ObsKind::Objected:
                var(o, Kind::Flag, o.agent, core::kObjected) &= bit;
                break;
            case ObsKind::TransitDenied:
                var(o, Kind::Flag, o.agent, core::kTransitDenied) &= bit;
                break;
            case ObsKind::PassedWithin: {
                for (const auto& v : vars)
                    if (v.kind == Kind::Window && v.summits != o.summits)
                        throw std::invalid_argument(
                            "event " + g.event_id +
                            ": passed_within windows of different lengths; the mode rule "
                            "needs one");
                var(o, Kind::Outcome, -1, 0);  // the window reads the outcome at its start
                unsigned& a = var(o, Kind::Window, -1, 0);
                vars[static_cast<std::size_t>(&a - allowed.data())].summits = o.summits;
                a &= o.value ? 2u : 5u;
                break;
            }
        }
    }
    if (!feasible(vars, allowed)) {
        // no run can give every observed value: one variable no run satisfies
        ModeVariable v = vars.empty() ? ModeVariable{} : vars.front();
        v.kind = Kind::Outcome;
        v.agent = -1;
        v.flag = 0;
        v.allowed = 0;
        v.label = "contradictory";
        return {v};
    }
    // Leave out each variable whose allowed set the others already imply: freeing it (any
    // value) keeps the same set of consistent joint values. (Under the definitions above no
    // two variables imply each other, so the order does not matter.)
    std::vector<bool> kept(vars.size(), true);
    for (std::size_t i = 0; i < vars.size(); ++i) {
        const unsigned dom = domain_of(vars[i].kind), was = allowed[i];
        bool implied = true;
        for (unsigned x = 0; x < 8 && implied; ++x) {
            if (!((dom >> x) & 1u) || ((was >> x) & 1u)) continue;
            allowed[i] = 1u << x;
            implied = !feasible(vars, allowed);
        }
        allowed[i] = implied ? dom : was;
        kept[i] = !implied;
    }
    // Each kept variable's allowed values: those some consistent joint value has (the
    // projection), so that an allowed value the others exclude does not count as allowed.
    std::vector<ModeVariable> out;
    for (std::size_t i = 0; i < vars.size(); ++i) {
        if (!kept[i]) continue;
        const unsigned was = allowed[i];
        unsigned proj = 0;
        for (unsigned x = 0; x < 8; ++x) {
            if (!((was >> x) & 1u)) continue;
            allowed[i] = 1u << x;
            if (feasible(vars, allowed)) proj |= 1u << x;
        }
        allowed[i] = was;
        ModeVariable v = vars[i];
        v.allowed = proj;
        v.label = mode_label(v);
        out.push_back(std::move(v));
    }
    return out;
}

std::size_t pattern_counter_size(const std::vector<Observation>& obs) {
    const auto groups = events_of(obs);
    std::size_t n = groups.size();
    for (const auto& g : groups) {
        std::size_t v = 0;
        try {
            v = mode_variables(obs, g).size();
        } catch (const std::invalid_argument&) {
            return 0;
        }
        if (v > EventCounter::kMaxModeVariables) return 0;
        n += std::size_t{1} << v;
    }
    return n;
}

EventCounter::EventCounter(std::vector<Observation> obs, bool patterns)
    : obs_(std::move(obs)), groups_(events_of(obs_)), patterns_(patterns), size_(groups_.size()) {
    if (!patterns_) return;
    for (const auto& g : groups_) {
        mode_.push_back(mode_variables(obs_, g));
        if (mode_.back().size() > kMaxModeVariables)
            throw std::invalid_argument(
                "event " + g.event_id + " reads " + std::to_string(mode_.back().size()) +
                " variables (its outcome, agents' participation or flags); the mode rule counts "
                "the cells of at most " +
                std::to_string(kMaxModeVariables));
        size_ += std::size_t{1} << mode_.back().size();
    }
}

void EventCounter::count(const core::RunRecord& r, std::int64_t* hits) const {
    std::size_t at = groups_.size();  // the first cell slot of event e
    for (std::size_t e = 0; e < groups_.size(); ++e) {
        const auto& g = groups_[e];
        bool all = true;
        for (const std::size_t k : g.obs)
            if (!holds_in_run(obs_[k], r)) {
                all = false;
                break;
            }
        hits[e] += all ? 1 : 0;
        if (!patterns_) continue;
        const auto& vars = mode_[e];
        std::size_t cell = 0;
        for (std::size_t i = 0; i < vars.size(); ++i)
            cell |= ((vars[i].allowed >> vars[i].value(r)) & 1u) != 0 ? std::size_t{1} << i : 0;
        hits[at + cell] += 1;
        at += std::size_t{1} << vars.size();
    }
}

static_assert(core::kObjected == 1 << 3, "successes() reads bit 3 for objected");
static_assert(core::kTransitDenied == 1 << 4, "successes() reads bit 4 for transit_denied");

namespace {
/// Families of observations that ask the same kind of question; the base-rate predictor
/// has one rate per family.
constexpr int kFamilies = 5;

int family(ObsKind k) {
    switch (k) {
        case ObsKind::Passed:
            return 0;
        case ObsKind::Outcome:
            return 1;
        case ObsKind::TookPart:
        case ObsKind::StayedOut:
            return 2;
        case ObsKind::Objected:
        case ObsKind::TransitDenied:  // a refusal, as an objection: one family
            return 3;
        case ObsKind::PassedWithin:
            return 4;
    }
    return 0;
}

bool canonical_value(const Observation& o) {
    return o.kind == ObsKind::StayedOut ? !o.value : o.value;
}
}  // namespace

Scores scores_of(const std::vector<ScoredObservation>& items, const ScoreOptions& opt) {
    check_options(opt);
    Scores sc;
    double w = 0, wy = 0, wb = 0, wl = 0;
    std::array<double, kFamilies> fw{}, fy{};
    for (const auto& it : items) {
        const double y = it.obs.value ? 1.0 : 0.0;
        const double q = clipped(it.p, opt.clip);
        ++sc.count;
        w += it.obs.weight;
        wy += it.obs.weight * y;
        wb += it.obs.weight * (it.p - y) * (it.p - y);
        wl -= it.obs.weight * std::log(it.obs.value ? q : 1.0 - q);
        const int f = family(it.obs.kind);
        fw[f] += it.obs.weight;
        fy[f] += canonical_value(it.obs) ? it.obs.weight : 0.0;
    }
    sc.weight = w;
    sc.reliability.resize(static_cast<std::size_t>(opt.bins));
    std::vector<double> wp(sc.reliability.size(), 0.0), wo(sc.reliability.size(), 0.0);
    for (int b = 0; b < opt.bins; ++b) {
        sc.reliability[b].lo = static_cast<double>(b) / opt.bins;
        sc.reliability[b].hi = static_cast<double>(b + 1) / opt.bins;
    }
    for (const auto& it : items) {
        const int b = std::min(opt.bins - 1, static_cast<int>(std::floor(it.p * opt.bins)));
        auto& bin = sc.reliability[std::max(b, 0)];
        ++bin.count;
        bin.weight += it.obs.weight;
        wp[std::max(b, 0)] += it.obs.weight * it.p;
        wo[std::max(b, 0)] += it.obs.weight * (it.obs.value ? 1.0 : 0.0);
    }
    for (std::size_t b = 0; b < sc.reliability.size(); ++b) {
        auto& bin = sc.reliability[b];
        bin.mean_p = bin.weight > 0 ? wp[b] / bin.weight : kNaN;
        bin.observed = bin.weight > 0 ? wo[b] / bin.weight : kNaN;
    }
    if (w <= 0) {
        sc.brier = sc.log_score = sc.base_rate = sc.brier_base = sc.log_base = sc.skill = kNaN;
        return sc;
    }
    sc.brier = wb / w;
    sc.log_score = wl / w;
    sc.base_rate = wy / w;
    // The base-rate predictor forecasts, for each family of observations, the family's
    // weighted frequency in the set (participation counted as "took part", so that a
    // stayed_out observation is the same question as a took_part one).
    sc.brier_base = sc.log_base = 0.0;
    for (int f = 0; f < kFamilies; ++f) {
        if (!(fw[f] > 0)) continue;
        const double b = fy[f] / fw[f], qb = clipped(b, opt.clip);
        sc.brier_base += fw[f] * b * (1.0 - b) / w;
        // 0 ln 0 = 0: with --clip 0 a family whose observations all agree has qb = b = 0 or 1.
        const double ll =
            (b > 0.0 ? b * std::log(qb) : 0.0) + (b < 1.0 ? (1.0 - b) * std::log(1.0 - qb) : 0.0);
        sc.log_base -= fw[f] * ll / w;
    }
    sc.skill = sc.brier_base > 0 ? 1.0 - sc.brier / sc.brier_base : kNaN;
    return sc;
}

Score score(const std::vector<Observation>& obs, const Summary& s, const ScoreOptions& opt) {
    check_options(opt);
    if (s.runs <= 0) throw std::invalid_argument("score: the summary holds no runs");
    Score sc;
    sc.clip = opt.clip;
    sc.bins = opt.bins;
    sc.runs = s.runs;
    sc.items.reserve(obs.size());
    for (const auto& o : obs) {
        ScoredObservation it;
        it.obs = o;
        it.hits = successes(o, s);
        it.p = static_cast<double>(it.hits) / static_cast<double>(s.runs);
        it.ci = wilson(it.hits, s.runs);
        if (!(o.weight > 0.0 && o.weight <= 1.0))
            throw std::invalid_argument("score: observation " + o.event_id + " " + o.what +
                                        " has a weight outside (0, 1]");
        sc.items.push_back(std::move(it));
    }
    const std::vector<EventGroup> groups = events_of(obs);
    // With cell counts, each event's mode variables (their number is the layout of s.counted).
    std::vector<std::vector<ModeVariable>> vars;
    if (!groups.empty() && s.counted.size() > groups.size() &&
        s.counted.size() == pattern_counter_size(obs))
        for (const auto& g : groups) vars.push_back(mode_variables(obs, g));
    const bool with_patterns = !vars.empty();
    const bool joint = !groups.empty() && (s.counted.size() == groups.size() || with_patterns);
    std::size_t at = groups.size();  // the first cell slot of the event
    for (const auto& g : groups) {
        ScoredEvent ev;
        ev.group = g;
        ev.p_independent = 1.0;
        for (const std::size_t k : g.obs) {
            const auto& it = sc.items[k];
            ev.p_independent *= it.obs.value ? it.p : 1.0 - it.p;
        }
        if (joint) {
            ev.hits = s.counted[sc.events.size()];
            ev.p = static_cast<double>(ev.hits) / static_cast<double>(s.runs);
            ev.ci = wilson(ev.hits, s.runs);
            if (with_patterns) {
                const auto& mv = vars[sc.events.size()];
                const std::size_t all = (std::size_t{1} << mv.size()) - 1;  // the observed cell
                ev.mode_variables = static_cast<int>(mv.size());
                for (const auto& x : mv) ev.mode_labels.push_back(x.label);
                ev.runner_up = 0;
                for (std::size_t b = 0; b < all; ++b)
                    ev.runner_up = std::max(ev.runner_up, s.counted[at + b]);
                at += all + 1;
            }
        } else {
            ev.p = kNaN;
            ev.ci = Proportion{kNaN, kNaN, kNaN};
        }
        sc.events.push_back(std::move(ev));
    }
    sc.overall = scores_of(sc.items, opt);
    std::map<std::string, std::vector<ScoredObservation>> by;
    for (const auto& it : sc.items) by[it.obs.category].push_back(it);
    for (const auto& [cat, items] : by) sc.categories.emplace_back(cat, scores_of(items, opt));
    return sc;
}

// ---- text ----

namespace {

// A score that could not be computed (no observation in a bin or category) prints as "-";
// an infinite one (the log score with --clip 0 of a fact given probability 0) as "inf".
std::string fmt(const char* f, double x) {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return std::isfinite(x) ? text::fmt(f, x) : "-";
}

using text::pad;

void scores_line(std::ostringstream& os, const std::string& label, const Scores& s) {
    os << pad(label, 10) << pad(std::to_string(s.count), 6, true)
       << pad(fmt("%.2f", s.weight), 9, true) << pad(fmt("%.4f", s.brier), 9, true)
       << pad(fmt("%.4f", s.log_score), 9, true) << pad(fmt("%.3f", s.base_rate), 8, true)
       << pad(fmt("%.4f", s.brier_base), 9, true) << pad(fmt("%.4f", s.log_base), 9, true)
       << pad(fmt("%.3f", s.skill), 8, true) << "\n";
}

}  // namespace

std::string score_text(const Score& sc, const std::vector<Skipped>& skipped) {
    std::ostringstream os;
    std::size_t wid = 5, wwhat = 4;
    for (const auto& it : sc.items) {
        wid = std::max(wid, it.obs.event_id.size());
        wwhat = std::max(wwhat, it.obs.what.size());
    }
    os << "Observations (" << sc.items.size() << "), model probability over " << sc.runs
       << " runs with its 95% Wilson interval:\n";
    os << pad("event", wid + 2) << pad("what", wwhat + 2) << pad("observed", 9)
       << pad("weight", 7, true) << "  " << pad("model p", 7, true) << "  [lo, hi]\n";
    for (const auto& it : sc.items) {
        os << pad(it.obs.event_id, wid + 2) << pad(it.obs.what, wwhat + 2)
           << pad(it.obs.value ? "yes" : "no", 9) << pad(fmt("%.2f", it.obs.weight), 7, true)
           << "  " << pad(fmt("%.3f", it.p), 7, true) << "  [" << fmt("%.3f", it.ci.lo) << ", "
           << fmt("%.3f", it.ci.hi) << "]\n";
    }
    if (!sc.events.empty()) {
        std::size_t wev = 5;
        for (const auto& ev : sc.events) wev = std::max(wev, ev.group.event_id.size());
        os << "\nEvents (" << sc.events.size() << "), jointly: ";
        if (sc.has_joint())
            os << "the share of the " << sc.runs
               << " runs giving all the event's observations at once (joint p, 95% Wilson "
                  "interval);";
        else
            os << "no joint probability (the results hold no per-run records: "
                  "--summary-only);";
        os << " indep p = the product of its observations' probabilities of the observed "
              "values, what it would be were they independent";
        const bool modes = sc.has_joint() && sc.events.front().runner_up >= 0;
        if (modes)
            os << "; next p = the share of the most frequent OTHER pattern of the variables "
                  "the event's observations read (each allowed by them or not: the outcome, "
                  "the named agents' participation or flags), mode = whether the observed "
                  "pattern is the most frequent (ties: yes)";
        os << ":\n";
        os << pad("event", wev + 2) << pad("obs", 4, true) << pad("weight", 8, true)
           << pad("joint p", 9, true) << "  " << pad("[lo, hi]", 15) << pad("indep p", 8, true)
           << (modes ? pad("next p", 8, true) + "  mode" : std::string()) << "\n";
        for (const auto& ev : sc.events) {
            os << pad(ev.group.event_id, wev + 2)
               << pad(std::to_string(ev.group.obs.size()), 4, true)
               << pad(fmt("%.2f", ev.group.weight), 8, true) << pad(fmt("%.3f", ev.p), 9, true)
               << "  "
               << pad(ev.hits < 0
                          ? std::string("-")
                          : "[" + fmt("%.3f", ev.ci.lo) + ", " + fmt("%.3f", ev.ci.hi) + "]",
                      15)
               << pad(fmt("%.3f", ev.p_independent), 8, true);
            if (modes)
                os << pad(fmt("%.3f",
                              static_cast<double>(ev.runner_up) / static_cast<double>(sc.runs)),
                          8, true)
                   << "  " << (ev.is_mode() ? "yes" : "no");
            os << "\n";
        }
    }
    if (!skipped.empty()) {
        os << "\nSkipped (--skip-missing), " << skipped.size() << ":\n";
        for (const auto& s : skipped)
            os << "  " << s.event_id << (s.what.empty() ? "" : " " + s.what) << ": " << s.reason
               << "\n";
    }
    os << "\nScores, weighted by confidence (lower is better for brier and log; skill = 1 - "
          "brier / brier_b):\n"
          "  brier and the base rate use p as is; log = mean -ln(p of what happened), p "
          "clipped to ["
       << fmt("%g", sc.clip) << ", " << fmt("%g", 1.0 - sc.clip)
       << "]\n"
          "  base = the weighted observed frequency of the set's observations; the base-rate "
          "predictor (brier_b, log_b) forecasts each family's own frequency (passed, outcome, "
          "took part, objected, passed_within)\n";
    os << pad("set", 10) << pad("n", 6, true) << pad("weight", 9, true) << pad("brier", 9, true)
       << pad("log", 9, true) << pad("base", 8, true) << pad("brier_b", 9, true)
       << pad("log_b", 9, true) << pad("skill", 8, true) << "\n";
    scores_line(os, "all", sc.overall);
    for (const auto& [cat, s] : sc.categories)
        scores_line(os, "cat " + (cat.empty() ? std::string("-") : cat), s);
    os << "\nReliability (all observations; " << sc.bins << " bins of model p):\n";
    os << pad("bin", 14) << pad("n", 5, true) << pad("weight", 9, true) << pad("mean p", 9, true)
       << pad("observed", 10, true) << "\n";
    for (const auto& b : sc.overall.reliability) {
        const bool last = &b == &sc.overall.reliability.back();
        os << pad("[" + fmt("%.2f", b.lo) + ", " + fmt("%.2f", b.hi) + (last ? "]" : ")"), 14)
           << pad(std::to_string(b.count), 5, true) << pad(fmt("%.2f", b.weight), 9, true)
           << pad(fmt("%.3f", b.mean_p), 9, true) << pad(fmt("%.3f", b.observed), 10, true) << "\n";
    }
    return os.str();
}

// ---- JSON ----

namespace {

using Json = nlohmann::ordered_json;

Json number(double x) {
    return std::isfinite(x) ? Json(x) : Json(nullptr);
}

Json scores_json(const Scores& s) {
    Json rel = Json::array();
    for (const auto& b : s.reliability)
        rel.push_back(Json{{"lo", b.lo},
                           {"hi", b.hi},
                           {"count", b.count},
                           {"weight", b.weight},
                           {"mean_p", number(b.mean_p)},
                           {"observed", number(b.observed)}});
    return Json{{"count", s.count},
                {"weight", s.weight},
                {"brier", number(s.brier)},
                {"log_score", number(s.log_score)},
                {"base_rate", number(s.base_rate)},
                {"brier_base", number(s.brier_base)},
                {"log_base", number(s.log_base)},
                {"skill", number(s.skill)},
                {"reliability", rel}};
}

}  // namespace

std::string score_json(const Score& sc, const std::vector<Skipped>& skipped) {
    Json items = Json::array();
    for (const auto& it : sc.items)
        items.push_back(Json{{"event", it.obs.event_id},
                             {"what", it.obs.what},
                             {"category", it.obs.category},
                             {"observed", it.obs.value},
                             {"weight", it.obs.weight},
                             {"hits", it.hits},
                             {"p", number(it.p)},
                             {"ci", Json::array({number(it.ci.lo), number(it.ci.hi)})}});
    Json events = Json::array();
    for (const auto& ev : sc.events) {
        Json obs = Json::array();
        for (const auto k : ev.group.obs) obs.push_back(sc.items[k].obs.what);
        events.push_back(
            Json{{"event", ev.group.event_id},
                 {"category", ev.group.category},
                 {"weight", ev.group.weight},
                 {"observations", obs},
                 {"hits", ev.hits < 0 ? Json(nullptr) : Json(ev.hits)},
                 {"p", number(ev.p)},
                 {"ci", Json::array({number(ev.ci.lo), number(ev.ci.hi)})},
                 {"p_independent", number(ev.p_independent)},
                 {"p_runner_up", ev.runner_up < 0 ? Json(nullptr)
                                                  : number(static_cast<double>(ev.runner_up) /
                                                           static_cast<double>(sc.runs))},
                 {"mode", ev.runner_up < 0 ? Json(nullptr) : Json(ev.is_mode())},
                 {"mode_variables", ev.runner_up < 0 ? Json(nullptr) : Json(ev.mode_labels)}});
    }
    Json cats = Json::object();
    for (const auto& [cat, s] : sc.categories) cats[cat] = scores_json(s);
    Json skip = Json::array();
    for (const auto& s : skipped)
        skip.push_back(Json{{"event", s.event_id}, {"what", s.what}, {"reason", s.reason}});
    Json out{{"format", "sco-sim-score/1"},
             {"runs", sc.runs},
             {"clip", sc.clip},
             {"bins", sc.bins},
             {"observations", items},
             {"joint", sc.has_joint()},
             {"joint_events", events},
             {"scores", scores_json(sc.overall)},
             {"categories", cats},
             {"skipped", skip}};
    return out.dump();
}

}  // namespace sco::experiment
