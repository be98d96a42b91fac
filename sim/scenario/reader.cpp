#include "sim/scenario/reader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace sco::scenario::detail {
namespace {

const std::vector<std::string> kDistNames = {"fixed", "uniform", "beta", "normal", "empirical"};
const std::vector<std::string> kEmpiricalKeys = {"values", "weights"};
constexpr std::size_t kMaxEmpiricalValues = 100000;

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
    // Whole numbers in full (1000000000, not 1e+09): they are counts and years.
    if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
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

void check_text(const std::string& text, const std::string& file) {
    int line = 1;
    int column = 1;
    const std::size_t bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    for (std::size_t i = bom; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t len = 1;
        bool ok = true;
        if (c < 0x80) {
            ok = (c >= 0x20 && c != 0x7F) || c == '\n' || c == '\r' || c == '\t';
        } else {
            len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            ok = len != 0 && i + len <= text.size();
            for (std::size_t k = 1; ok && k < len; ++k)
                ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        }
        if (!ok)
            throw ScenarioError(file, line, column, "",
                                "the file is not UTF-8 text (binary data at byte " +
                                    std::to_string(i) + "); is this the right file?");
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
        i += len;
    }
}

namespace {

/// Parser events go nowhere: load_document only needs to know where a document starts
/// and where its first node is.
class DocumentCounter : public YAML::EventHandler {
  public:
    YAML::Mark start, first;
    void OnDocumentStart(const YAML::Mark& mark) override {
        start = mark;
        first = YAML::Mark::null_mark();
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

  private:
    void node(const YAML::Mark& mark) {
        if (first.is_null()) first = mark;
    }
};

}  // namespace

YAML::Node load_document(const Context& ctx, const std::string& text, const char* what) {
    try {
        // First pass: at most two documents (yaml-cpp's LoadAll would loop forever on
        // `"a",`: the stray ',' yields an endless run of empty documents at one position).
        std::istringstream in(text);
        YAML::Parser parser(in);
        DocumentCounter counter;
        if (!parser.HandleNextDocument(counter)) return YAML::Node();
        if (parser.HandleNextDocument(counter)) {
            const YAML::Mark m = counter.start;
            const std::size_t pos = m.pos >= 0 ? static_cast<std::size_t>(m.pos) : text.size();
            if (text.compare(pos, 3, "---") == 0 || text.compare(pos, 1, "%") == 0)
                fail(ctx, counter.first.is_null() ? m : counter.first, "",
                     std::string(what) + " holds one YAML document; remove the second '---'");
            const std::string rest = text.substr(pos, text.find_first_of("\r\n", pos) - pos);
            fail(ctx, m, "",
                 "YAML syntax error: unexpected " + quote_short(rest) +
                     " after the end of the document");
        }
        // Second pass: the node tree of the one document.
        return YAML::Load(text);
    } catch (const YAML::DeepRecursion& e) {
        fail(ctx, e.mark, "",
             "the document is nested too deeply (" + std::to_string(e.depth()) +
                 " levels); a scenario needs only a few");
    } catch (const YAML::Exception& e) {
        fail(ctx, e.mark, "", "YAML syntax error: " + e.msg);
    }
}

std::string read_input_file(const std::string& path, const char* kind) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) throw ScenarioError(path, 0, 0, "", "no such file");
    if (std::filesystem::is_directory(status))
        throw ScenarioError(path, 0, 0, "", std::string("is a directory, not a ") + kind);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(path, 0, 0, "", std::string("cannot open the ") + kind);
    std::string text;
    std::array<char, 65536> buf{};
    while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
        text.append(buf.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxScenarioBytes)
            throw ScenarioError(path, 0, 0, "", "the file is larger than 16 MiB");
    }
    if (in.bad()) throw ScenarioError(path, 0, 0, "", "read error");
    return text;
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
    if (!v) {
        std::string msg =
            "missing required key " + quote_short(key) + (hint.empty() ? "" : " (" + hint + ")");
        // A quote left open swallows the keys after it (yaml-cpp reads an unterminated
        // quoted text up to the end of the file): say so rather than only "missing".
        for (const auto& e : entries_)
            if (e.value.node.IsScalar() && is_quoted(e.value.node) &&
                e.value.node.Scalar().find(key + ":") != std::string::npos) {
                msg += "; the quoted text of '" + e.key + "' (line " +
                       std::to_string(e.key_mark.line + 1) + ") contains '" + key +
                       ":': is its closing quote missing?";
                break;
            }
        fail(ctx_, self_.mark, child_path(self_.path, key), msg);
    }
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
                 "a distribution map needs exactly one key (fixed, uniform, beta, normal or "
                 "empirical), "
                 "got " +
                     std::to_string(m.entries().size()));
        const Entry& e = m.entries().front();
        if (e.key == "fixed") {
            d = core::Distribution::fixed(read_number(ctx, e.value));
        } else if (e.key == "empirical") {
            // {empirical: [v1, v2, ...]} or {empirical: {values: [...], weights: [...]}}
            std::vector<double> values, weights;
            const Val* vals = &e.value;
            std::optional<MapReader> em;
            if (e.value.node.IsMap()) {
                em.emplace(ctx, e.value, kEmpiricalKeys, "an empirical distribution");
                vals = &em->require("values", "the list of values");
                if (const Val* w = em->find("weights"); w && w->node.IsDefined()) {
                    for (const Val& x :
                         read_list(ctx, *w, 1, kMaxEmpiricalValues, "weights (numbers)")) {
                        const double y = read_number(ctx, x);
                        if (!(y > 0) || !std::isfinite(y))
                            fail(ctx, x,
                                 "a weight must be positive and finite, got " + number_text(y));
                        weights.push_back(y);
                    }
                }
            }
            for (const Val& x : read_list(ctx, *vals, 1, kMaxEmpiricalValues, "values (numbers)")) {
                values.push_back(read_number(ctx, x));
                if (!r.contains(values.back()))
                    fail(ctx, x,
                         "value " + number_text(values.back()) + " is outside the range " +
                             range_text(r));
                if (integer && values.back() != std::floor(values.back()))
                    fail(ctx, x, "expected a whole number, got " + number_text(values.back()));
            }
            if (!weights.empty() && weights.size() != values.size())
                fail(ctx, e.value,
                     "empirical needs one weight per value, got " + std::to_string(weights.size()) +
                         " weights for " + std::to_string(values.size()) + " values");
            d = core::Distribution::empirical(std::move(values), std::move(weights));
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
