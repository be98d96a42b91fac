#include "sim/scenario/reader.h"

#include <charconv>
#include <cmath>
#include <sstream>
#include <unordered_map>

namespace sco::scenario::detail {
namespace {

const std::vector<std::string> kDistNames = {"fixed", "uniform", "beta", "normal"};

// yaml-cpp gives quoted scalars the tag "!" and plain ones "?".
bool is_quoted(const YAML::Node& n) {
    return n.Tag() == "!";
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string number_text(double x) {
    std::ostringstream os;
    os << x;
    return os.str();
}

std::string quote_short(const std::string& s) {
    constexpr std::size_t kMax = 40;
    return "'" + (s.size() > kMax ? s.substr(0, kMax) + "..." : s) + "'";
}

}  // namespace

void fail(const Context& ctx, const YAML::Mark& mark, const std::string& path,
          const std::string& message) {
    const bool known = ctx.positions && !mark.is_null() && mark.line >= 0;
    throw ScenarioError(ctx.file, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, path,
                        message);
}

std::string describe_node(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            return "nothing";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Scalar:
            return (is_quoted(node) ? "the quoted text " : "") + quote_short(node.Scalar());
    }
    return "?";
}

std::string child_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

std::string range_text(const core::Range& r) {
    auto end = [](double x) {
        if (std::isinf(x)) return std::string(x < 0 ? "-inf" : "inf");
        return number_text(x);
    };
    return "[" + end(r.lo) + ", " + end(r.hi) + "]";
}

MapReader::MapReader(const Context& ctx, const Val& v, const std::vector<std::string>& allowed,
                     const char* what, bool check_duplicates)
    : ctx_(ctx), self_(v) {
    if (!v.node.IsMap())
        fail(ctx, v, std::string("expected ") + what + ", got " + describe_node(v.node));
    std::unordered_map<std::string, int> first_line;
    for (const auto& kv : v.node) {  // kv is a temporary pair of handles; copy them
        const YAML::Node k = kv.first;
        const YAML::Mark key_mark = k.Mark();
        if (!k.IsScalar())
            fail(ctx, key_mark, v.path,
                 "keys must be plain names, got " + describe_node(k) + " as a key");
        const std::string key = k.Scalar();
        const std::string path = child_path(v.path, key);
        if (!allowed.empty()) {
            bool known = false;
            for (const auto& a : allowed) known = known || a == key;
            if (!known) {
                std::string msg = "unknown key " + quote_short(key);
                const std::string hint = suggestion_text(key, allowed);
                if (!hint.empty()) {
                    msg += hint;
                } else {
                    msg += "; expected one of: ";
                    for (std::size_t i = 0; i < allowed.size(); ++i)
                        msg += (i ? ", " : "") + allowed[i];
                }
                fail(ctx, key_mark, path, msg);
            }
        }
        auto [pos, inserted] = first_line.emplace(key, key_mark.line + 1);
        if (!inserted && check_duplicates)
            fail(ctx, key_mark, path,
                 "duplicate key " + quote_short(key) + " (first given on line " +
                     std::to_string(pos->second) + "); remove one of them");
        const YAML::Node value = kv.second;
        // An empty value's own mark points at the next token; the key is more useful.
        const YAML::Mark value_mark = value.IsNull() ? key_mark : value.Mark();
        entries_.push_back(Entry{key, key_mark, Val{value, path, value_mark}});
    }
}

const Val* MapReader::find(const std::string& key) const {
    for (const auto& e : entries_)
        if (e.key == key) return &e.value;
    return nullptr;
}

const Val& MapReader::require(const std::string& key, const std::string& hint) const {
    const Val* v = find(key);
    if (!v)
        fail(ctx_, self_.mark, child_path(self_.path, key),
             "missing required key " + quote_short(key) + (hint.empty() ? "" : " (" + hint + ")"));
    return *v;
}

std::vector<Val> read_list(const Context& ctx, const Val& v, std::size_t min_count,
                           std::size_t max_count, const char* what) {
    if (!v.node.IsSequence())
        fail(ctx, v, std::string("expected a list of ") + what + ", got " + describe_node(v.node));
    const std::size_t n = v.node.size();
    if (n < min_count || n > max_count) {
        const std::string count = min_count == max_count ? std::to_string(min_count)
                                  : n < min_count        ? "at least " + std::to_string(min_count)
                                                         : "at most " + std::to_string(max_count);
        fail(ctx, v, "expected " + count + " " + what + ", got " + std::to_string(n));
    }
    std::vector<Val> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        YAML::Node e = v.node[i];
        out.push_back(
            Val{e, v.path + "[" + std::to_string(i) + "]", e.IsNull() ? v.mark : e.Mark()});
    }
    return out;
}

std::string read_text(const Context& ctx, const Val& v, const char* what) {
    if (!v.node.IsScalar())
        fail(ctx, v, std::string("expected ") + what + ", got " + describe_node(v.node));
    return v.node.Scalar();
}

double read_number(const Context& ctx, const Val& v) {
    if (!v.node.IsScalar() || is_quoted(v.node))
        fail(ctx, v, "expected a number, got " + describe_node(v.node));
    std::string s = v.node.Scalar();
    const std::string low = lower(s);
    for (const char* special : {".inf", "+.inf", "-.inf", ".nan"})
        if (low == special) fail(ctx, v, "numbers must be finite; " + s + " is not allowed");
    if (!s.empty() && s[0] == '+') s.erase(0, 1);
    double x = 0.0;
    const char* first = s.data();
    const char* last = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(first, last, x, std::chars_format::general);
    if (ec == std::errc::result_out_of_range)
        fail(ctx, v, "the number " + quote_short(v.node.Scalar()) + " is too large or too small");
    if (ec != std::errc() || ptr != last || s.empty())
        fail(ctx, v, "expected a number, got " + describe_node(v.node));
    if (!std::isfinite(x)) fail(ctx, v, "numbers must be finite; " + s + " is not allowed");
    return x;
}

long read_integer(const Context& ctx, const Val& v, long lo, long hi, const char* what) {
    const double x = read_number(ctx, v);
    if (x != std::floor(x))
        fail(ctx, v, std::string("expected a whole number (") + what + "), got " + number_text(x));
    if (x < static_cast<double>(lo) || x > static_cast<double>(hi))
        fail(ctx, v,
             std::string(what) + " " + number_text(x) + " is outside the range [" +
                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<long>(x);
}

bool read_bool(const Context& ctx, const Val& v) {
    if (v.node.IsScalar() && !is_quoted(v.node)) {
        if (v.node.Scalar() == "true") return true;
        if (v.node.Scalar() == "false") return false;
    }
    fail(ctx, v, "expected true or false, got " + describe_node(v.node));
}

core::Distribution read_distribution(const Context& ctx, const Val& v, const core::Range& r,
                                     bool integer) {
    core::Distribution d;
    if (v.node.IsScalar()) {
        d = core::Distribution::fixed(read_number(ctx, v));
    } else if (v.node.IsMap()) {
        MapReader m(ctx, v, kDistNames, "a distribution");
        if (m.entries().size() != 1)
            fail(ctx, v,
                 "a distribution map needs exactly one key (fixed, uniform, beta or normal), "
                 "got " +
                     std::to_string(m.entries().size()));
        const Entry& e = m.entries().front();
        if (e.key == "fixed") {
            d = core::Distribution::fixed(read_number(ctx, e.value));
        } else {
            const std::vector<Val> args = read_list(ctx, e.value, 2, 2, "numbers");
            const double p = read_number(ctx, args[0]);
            const double q = read_number(ctx, args[1]);
            if (e.key == "uniform") d = core::Distribution::uniform(p, q);
            if (e.key == "beta") d = core::Distribution::beta(p, q);
            if (e.key == "normal") d = core::Distribution::normal(p, q);
        }
    } else {
        fail(ctx, v,
             "expected a number or a distribution such as {uniform: [0.2, 0.4]}, got " +
                 describe_node(v.node));
    }
    if (d.is_fixed() && !r.contains(d.a))
        fail(ctx, v, "value " + number_text(d.a) + " is outside the range " + range_text(r));
    if (d.is_fixed() && integer && d.a != std::floor(d.a))
        fail(ctx, v, "expected a whole number, got " + number_text(d.a));
    const std::string why = core::validate(d, r);
    if (!why.empty()) fail(ctx, v, why);
    return d;
}

}  // namespace sco::scenario::detail
