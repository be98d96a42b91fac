#include "sim/scenario/events.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "sim/scenario/loader.h"
#include "sim/scenario/reader.h"

namespace sco::scenario {
namespace {

using detail::Context;
using detail::MapReader;
using detail::Val;

const std::vector<std::string> kTopKeys = {"format", "name",    "description",
                                           "record", "weights", "events"};
const std::vector<std::string> kEventKeys = {"id",     "year", "proposal", "confidence", "weight",
                                             "source", "note", "observed", "category"};
const std::vector<std::string> kObservedKeys = {
    "passed", "outcome", "took_part", "stayed_out", "objected", "transit_denied", "passed_within"};
const std::vector<std::string> kConfidences = {"high", "medium", "low"};
const std::vector<std::string> kOutcomeWords = {
    "adopted", "adopted_with_reservations", "coalition", "diluted", "deferred", "blocked",
    "failed"};
const std::vector<std::string> kPassingWords = {"adopted", "adopted_with_reservations", "coalition",
                                                "diluted"};

SourcePos pos_of(const Context& ctx, const YAML::Mark& mark, const std::string& key) {
    const bool known = ctx.positions && !mark.is_null() && mark.line >= 0;
    return SourcePos{known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, key};
}

SourcePos pos_of(const Context& ctx, const Val& v) {
    return pos_of(ctx, v.mark, v.path);
}

std::string one_of(const std::string& word, const std::vector<std::string>& words,
                   const char* what) {
    std::string all;
    for (std::size_t i = 0; i < words.size(); ++i) all += (i ? ", " : "") + words[i];
    const std::string hint = suggestion_text(word, words);
    return "unknown " + std::string(what) + " '" + word + "'" +
           (hint.empty() ? "; one of " + all : hint + " (one of " + all + ")");
}

double read_weight(const Context& ctx, const Val& v) {
    const double w = detail::read_number(ctx, v);
    if (!(w > 0.0 && w <= 1.0))
        detail::fail(ctx, v, "a weight is a number in (0, 1], got " + v.node.Scalar());
    return w;
}

/// A list of agent ids, without repeats.
std::vector<NameAt> read_agents(const Context& ctx, const Val& v) {
    std::vector<NameAt> out;
    for (const Val& a : detail::read_list(ctx, v, 0, 1000, "agent ids such as [CHN, KGZ]")) {
        const std::string name = detail::read_text(ctx, a, "an agent id such as CHN");
        if (name.empty()) detail::fail(ctx, a, "an agent id is not empty");
        for (const auto& prev : out)
            if (prev.name == name) detail::fail(ctx, a, "agent '" + name + "' is listed twice");
        out.push_back({name, pos_of(ctx, a)});
    }
    return out;
}

Observed read_observed(const Context& ctx, const Val& v) {
    const MapReader m(ctx, v, kObservedKeys,
                      "a map of observations (passed, outcome, took_part, stayed_out, objected, "
                      "transit_denied, passed_within)");
    if (m.entries().empty())
        detail::fail(ctx, v,
                     "observed names nothing; give at least one of passed, outcome, took_part, "
                     "stayed_out, objected, transit_denied, passed_within");
    Observed ob;
    if (const Val* p = m.find("passed")) {
        ob.has_passed = true;
        ob.passed = detail::read_bool(ctx, *p);
    }
    if (const Val* o = m.find("outcome")) {
        std::vector<Val> words;
        if (o->node.IsSequence())
            words = detail::read_list(ctx, *o, 1, kOutcomeWords.size(), "outcome names");
        else
            words.push_back(*o);
        for (const Val& w : words) {
            const std::string word = detail::read_text(ctx, w, "an outcome name such as diluted");
            if (std::find(kOutcomeWords.begin(), kOutcomeWords.end(), word) == kOutcomeWords.end())
                detail::fail(ctx, w, one_of(word, kOutcomeWords, "outcome"));
            if (std::find(ob.outcomes.begin(), ob.outcomes.end(), word) != ob.outcomes.end())
                detail::fail(ctx, w, "outcome '" + word + "' is listed twice");
            ob.outcomes.push_back(word);
        }
        ob.outcome_pos = pos_of(ctx, *o);
        if (ob.has_passed) {
            bool any_pass = false, any_fail = false;
            for (const auto& w : ob.outcomes) {
                const bool passing =
                    std::find(kPassingWords.begin(), kPassingWords.end(), w) != kPassingWords.end();
                any_pass = any_pass || passing;
                any_fail = any_fail || !passing;
            }
            if ((ob.passed && !any_pass) || (!ob.passed && !any_fail))
                detail::fail(ctx, *o,
                             std::string("contradicts passed: ") + (ob.passed ? "true" : "false") +
                                 " (adopted, adopted_with_reservations, coalition and diluted "
                                 "pass; deferred, blocked and failed do not)");
        }
    }
    if (const Val* a = m.find("took_part")) {
        ob.took_part = read_agents(ctx, *a);
        if (ob.has_passed && !ob.passed && !ob.took_part.empty())
            detail::fail(ctx, *a,
                         "contradicts passed: false (taking part means joining a proposal that "
                         "passed); list the agents under stayed_out");
    }
    if (const Val* a = m.find("stayed_out")) {
        ob.stayed_out = read_agents(ctx, *a);
        for (const auto& s : ob.stayed_out)
            for (const auto& t : ob.took_part)
                if (s.name == t.name)
                    throw ScenarioError(
                        ctx.file, s.pos.line, s.pos.column, s.pos.key,
                        "agent '" + s.name + "' is listed under both took_part and stayed_out");
    }
    if (const Val* a = m.find("objected")) ob.objected = read_agents(ctx, *a);
    if (const Val* a = m.find("transit_denied")) ob.transit_denied = read_agents(ctx, *a);
    if (const Val* w = m.find("passed_within")) {
        const MapReader pw(ctx, *w, {"summits", "value"}, "a map {summits: K, value: true|false}");
        ob.has_passed_within = true;
        ob.within_summits = static_cast<int>(detail::read_integer(
            ctx, pw.require("summits", "the window in summits, counting this one"), 1, 100,
            "the number of summits"));
        ob.within_value = detail::read_bool(
            ctx, pw.require("value", "true if first adopted within the window, else false"));
        ob.within_pos = pos_of(ctx, *w);
    }
    return ob;
}

Event read_event(const Context& ctx, const Val& raw, const Events& ev, std::set<std::string>& ids) {
    // A first look for the id, then the map again under the path events[ID].
    const MapReader first(ctx, raw, {}, "an event map (id, year, proposal, ...)", false);
    Event e;
    const Val& idv = first.require("id", "the record row id, e.g. A02 or C06a");
    e.id = detail::read_text(ctx, idv, "an id such as A02");
    if (e.id.empty()) detail::fail(ctx, idv, "the id is empty");
    for (const char c : e.id)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            detail::fail(ctx, idv,
                         "an id holds letters, digits, '_', '-' and '.' only, got '" + e.id + "'");
    if (!ids.insert(e.id).second) detail::fail(ctx, idv, "duplicate event id '" + e.id + "'");
    const std::string path = "events[" + e.id + "]";
    const MapReader m(ctx, Val{raw.node, path, raw.mark}, kEventKeys,
                      "an event map (id, year, proposal, ...)");
    e.pos = pos_of(ctx, raw.mark, path);

    if (const Val* c = m.find("category")) {
        e.category = detail::read_text(ctx, *c, "a category such as A");
        if (e.category.empty()) detail::fail(ctx, *c, "the category is empty");
    } else if ((e.id[0] >= 'A' && e.id[0] <= 'Z') || (e.id[0] >= 'a' && e.id[0] <= 'z')) {
        e.category =
            std::string(1, static_cast<char>(e.id[0] >= 'a' ? e.id[0] - 'a' + 'A' : e.id[0]));
    } else {
        detail::fail(ctx, idv,
                     "the id does not start with its category letter (A exercises, B policy, "
                     "C membership); start it with one or give category:");
    }

    const Val& y = m.require("year", "the summit year, e.g. 2003");
    e.year = static_cast<int>(detail::read_integer(ctx, y, 1900, 2100, "the year"));
    e.year_pos = pos_of(ctx, y);

    const Val& p = m.require("proposal", "the proposal id of the scenario");
    e.proposal = detail::read_text(ctx, p, "a proposal id");
    if (e.proposal.empty()) detail::fail(ctx, p, "the proposal id is empty");
    e.proposal_pos = pos_of(ctx, p);

    const Val* conf = m.find("confidence");
    const Val* w = m.find("weight");
    if (conf && w)
        detail::fail(ctx, *w,
                     "give either confidence (high, medium, low) or weight (a number in (0, 1]), "
                     "not both");
    if (conf) {
        e.confidence = detail::read_text(ctx, *conf, "high, medium or low");
        if (e.confidence == "high")
            e.weight = ev.weight_high;
        else if (e.confidence == "medium")
            e.weight = ev.weight_medium;
        else if (e.confidence == "low")
            e.weight = ev.weight_low;
        else
            detail::fail(ctx, *conf, one_of(e.confidence, kConfidences, "confidence"));
    } else if (w) {
        e.weight = read_weight(ctx, *w);
    } else {
        (void)m.require("confidence", "high, medium or low; or weight: a number in (0, 1]");
    }

    const Val& s = m.require("source", "where it is recorded, e.g. \"record A02\"");
    e.source = detail::read_text(ctx, s, "a text naming the source");
    if (e.source.empty()) detail::fail(ctx, s, "the source is empty");
    if (const Val* n = m.find("note")) e.note = detail::read_text(ctx, *n, "a text");

    e.observed = read_observed(
        ctx, m.require("observed", "a map such as {passed: true, took_part: [CHN, KGZ]}"));
    return e;
}

Events parse(const std::string& text, const std::string& file) {
    Events ev;
    ev.path = file;
    ev.text = text;
    const Context ctx{file, true};
    detail::check_text(ev.text, file);
    const YAML::Node root = detail::load_document(ctx, ev.text, "an events file");
    if (root.IsNull())
        throw ScenarioError(file, 0, 0, "",
                            "the file is empty; an events file starts with format: "
                            "sco-sim-events/1");
    if (!root.IsMap())
        detail::fail(ctx, root.Mark(), "",
                     "an events file is a map starting with format: sco-sim-events/1, got " +
                         detail::describe_node(root));
    try {
        const MapReader top(ctx, Val{root, "", root.Mark()}, kTopKeys, "a map of events-file keys");
        const Val& fmt = top.require("format", "write: format: sco-sim-events/1");
        if (detail::read_text(ctx, fmt) != "sco-sim-events/1")
            detail::fail(ctx, fmt, "unsupported format; this version reads 'sco-sim-events/1'");
        ev.name = detail::read_text(ctx, top.require("name", "a title for the record"), "a name");
        if (const Val* d = top.find("description")) ev.description = detail::read_text(ctx, *d);
        if (const Val* r = top.find("record")) ev.record = detail::read_text(ctx, *r, "a path");
        if (const Val* w = top.find("weights")) {
            const MapReader wm(ctx, *w, kConfidences, "a map {high: W, medium: W, low: W}");
            if (const Val* x = wm.find("high")) ev.weight_high = read_weight(ctx, *x);
            if (const Val* x = wm.find("medium")) ev.weight_medium = read_weight(ctx, *x);
            if (const Val* x = wm.find("low")) ev.weight_low = read_weight(ctx, *x);
        }
        const Val& list = top.require("events", "a list of events");
        std::set<std::string> ids;
        for (const Val& e : detail::read_list(ctx, list, 1, 100000, "events"))
            ev.events.push_back(read_event(ctx, e, ev, ids));
    } catch (const ScenarioError&) {
        throw;
    } catch (const YAML::Exception& e) {
        detail::fail(ctx, e.mark, "", e.msg);
    }
    return ev;
}

}  // namespace

Events load_events_string(const std::string& text, const std::string& display_name) {
    if (text.size() > kMaxScenarioBytes)
        throw ScenarioError(display_name, 0, 0, "", "the file is larger than 16 MiB");
    return parse(text, display_name);
}

Events load_events(const std::string& path) {
    return parse(detail::read_input_file(path, "events file"), path);
}

}  // namespace sco::scenario
