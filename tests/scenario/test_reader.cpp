// sim/scenario/reader: typed, position-aware reading of YAML nodes. Every refusal is a
// ScenarioError "FILE:LINE:COLUMN: KEY PATH: MESSAGE" pointing at the offending node.
#include "sim/scenario/reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

namespace sco::scenario::detail {
namespace {

namespace fs = std::filesystem;

const Context kCtx{"t.yaml", true};

/// The root of `text` as a Val with an empty path.
Val root(const std::string& text) {
    YAML::Node n = load_document(kCtx, text, "a test file");
    return Val{n, "", n.Mark()};
}

/// The value of `key` in the map `text`, through a MapReader that admits any key.
Val value_of(const std::string& text, const std::string& key) {
    const Val r = root(text);
    MapReader m(kCtx, r, {});
    const Val* v = m.find(key);
    if (!v) throw std::logic_error("no key " + key);
    return *v;
}

/// what() of the ScenarioError `f` throws ("" and a test failure if none).
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ScenarioError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ScenarioError";
    return "";
}

TEST(Fail, PositionsAreOneBasedAndLeftOutWhenMeaningless) {
    YAML::Mark m;
    m.line = 4;
    m.column = 2;
    EXPECT_EQ(error_of([&] { fail(kCtx, m, "agents[UZB].x", "bad"); }),
              "t.yaml:5:3: agents[UZB].x: bad");
    EXPECT_EQ(error_of([&] { fail(Context{"--set", false}, m, "a.b", "bad"); }), "--set: a.b: bad");
    EXPECT_EQ(error_of([&] { fail(kCtx, YAML::Mark::null_mark(), "", "bad"); }), "t.yaml: bad");
}

TEST(CheckText, AcceptsUtf8TextAndAByteOrderMark) {
    EXPECT_NO_THROW(check_text("name: Kazakhstan\n\ttitle: \"Шанхай\" é 上海\r\n", "t.yaml"));
    EXPECT_NO_THROW(check_text("\xEF\xBB\xBFname: x\n", "t.yaml"));
    EXPECT_NO_THROW(check_text("", "t.yaml"));
}

TEST(CheckText, NamesLineColumnAndByteOfBinaryData) {
    EXPECT_EQ(error_of([] { check_text("a: 1\nb: \x01\n", "t.yaml"); }),
              "t.yaml:2:4: the file is not UTF-8 text (binary data at byte 8); is this the right "
              "file?");
    // A lone continuation byte, an overlong lead byte, a truncated sequence, DEL.
    for (const std::string bad : {"\x80", "\xC0\xAF", "ok \xE4\xB8", "x\x7F"})
        EXPECT_NE(error_of([&] { check_text(bad, "t.yaml"); }).find("not UTF-8 text"),
                  std::string::npos);
    // Columns count characters, not bytes: é is one column.
    EXPECT_EQ(error_of([] { check_text("é\x02", "t.yaml"); }).rfind("t.yaml:1:2: ", 0), 0u);
}

TEST(LoadDocument, EmptyOrCommentOnlyTextIsANullNode) {
    EXPECT_TRUE(load_document(kCtx, "", "a test file").IsNull());
    EXPECT_TRUE(load_document(kCtx, "# only a comment\n", "a test file").IsNull());
    EXPECT_TRUE(load_document(kCtx, "a: 1\n", "a test file").IsMap());
}

TEST(LoadDocument, SyntaxErrorsNameTheirPosition) {
    const std::string e = error_of([] { (void)load_document(kCtx, "a: [1, 2\nb: 3\n", "x"); });
    EXPECT_EQ(e.rfind("t.yaml:", 0), 0u) << e;
    EXPECT_NE(e.find(": YAML syntax error: "), std::string::npos) << e;
}

TEST(LoadDocument, ASecondDocumentIsRefusedNamingTheKindOfFile) {
    EXPECT_EQ(error_of([] { (void)load_document(kCtx, "a: 1\n---\nb: 2\n", "a sweep file"); }),
              "t.yaml:3:1: a sweep file holds one YAML document; remove the second '---'");
}

TEST(LoadDocument, AStrayCommaAfterAFlowNodeIsAnErrorNotAHang) {
    EXPECT_EQ(error_of([] { (void)load_document(kCtx, "\"a\",\n", "a test file"); }),
              "t.yaml:1:4: YAML syntax error: unexpected ',' after the end of the document");
}

TEST(LoadDocument, DeepNestingIsRefused) {
    const std::string deep = std::string(3000, '[') + std::string(3000, ']');
    EXPECT_NE(error_of([&] { (void)load_document(kCtx, deep, "x"); }).find("nested too deeply"),
              std::string::npos);
}

TEST(ReadInputFile, ReadsTheWholeFileOrNamesWhyNot) {
    const fs::path dir = fs::temp_directory_path() / ("sco-reader-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string ok = (dir / "s.yaml").string(), big = (dir / "big.yaml").string();
    std::ofstream(ok, std::ios::binary) << std::string(100000, 'x') << "\nend\n";
    {
        std::ofstream out(big, std::ios::binary);
        out << std::string(kMaxScenarioBytes + 1, '#');
    }
    EXPECT_EQ(read_input_file(ok, "sweep file").size(), 100005u);
    EXPECT_EQ(error_of([&] { (void)read_input_file((dir / "no.yaml").string(), "sweep file"); }),
              (dir / "no.yaml").string() + ": no such file");
    EXPECT_EQ(error_of([&] { (void)read_input_file(dir.string(), "sweep file"); }),
              dir.string() + ": is a directory, not a sweep file");
    EXPECT_EQ(error_of([&] { (void)read_input_file(big, "events file"); }),
              big + ": the file is larger than 16 MiB");
    fs::remove_all(dir);
}

TEST(DescribeNode, SaysWhatWasFound) {
    EXPECT_EQ(describe_node(root("[1]").node), "a list");
    EXPECT_EQ(describe_node(root("{a: 1}").node), "a map");
    EXPECT_EQ(describe_node(root("").node), "nothing");
    EXPECT_EQ(describe_node(YAML::Node()), "nothing");
    EXPECT_EQ(describe_node(root("abc").node), "'abc'");
    EXPECT_EQ(describe_node(root("'abc'").node), "the quoted text 'abc'");
    EXPECT_EQ(describe_node(root(std::string(50, 'z')).node), "'" + std::string(40, 'z') + "...'");
}

TEST(ChildPath, JoinsWithADot) {
    EXPECT_EQ(child_path("", "agents"), "agents");
    EXPECT_EQ(child_path("agents[UZB]", "capability"), "agents[UZB].capability");
}

TEST(RangeText, WritesInfinityAndWholeNumbers) {
    EXPECT_EQ(range_text({0, 1}), "[0, 1]");
    EXPECT_EQ(range_text({0.25, 1e9}), "[0.25, 1000000000]");
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(range_text({-inf, inf}), "[-inf, inf]");
}

TEST(MapReader, KeepsEntriesInFileOrderWithTheirPaths) {
    const Val r{root("b: 1\na: {x: 2}\nc:\n").node, "agents[UZB]", {}};
    MapReader m(kCtx, r, {"a", "b", "c"});
    ASSERT_EQ(m.entries().size(), 3u);
    EXPECT_EQ(m.entries()[0].key, "b");
    EXPECT_EQ(m.entries()[1].value.path, "agents[UZB].a");
    EXPECT_TRUE(m.find("a")->node.IsMap());
    EXPECT_EQ(m.find("d"), nullptr);
    // An empty value is reported at its key, not at the next token.
    EXPECT_EQ(error_of([&] { (void)read_number(kCtx, *m.find("c")); }),
              "t.yaml:3:1: agents[UZB].c: expected a number, got nothing");
}

TEST(MapReader, UnknownKeysGetASuggestionOrTheList) {
    const Val r = root("name: x\nsovreignty: 1\n");
    EXPECT_EQ(error_of([&] {
                  MapReader m(kCtx, r, {"name", "sovereignty"});
              }),
              "t.yaml:2:1: sovreignty: unknown key 'sovreignty'; did you mean 'sovereignty'?");
    const Val s = root("zzz: 1\n");
    EXPECT_EQ(error_of([&] {
                  MapReader m(kCtx, s, {"name", "seed"});
              }),
              "t.yaml:1:1: zzz: unknown key 'zzz'; expected one of: name, seed");
}

TEST(MapReader, DuplicateKeysNameTheFirstLine) {
    const Val r = root("a: 1\nb: 2\na: 3\n");
    EXPECT_EQ(error_of([&] { MapReader m(kCtx, r, {}); }),
              "t.yaml:3:1: a: duplicate key 'a' (first given on line 1); remove one of them");
    EXPECT_NO_THROW(MapReader(kCtx, r, {}, "a map", false));
}

TEST(MapReader, ANonMapOrAComplexKeyIsRefused) {
    EXPECT_EQ(
        error_of([] { MapReader m(kCtx, value_of("agents: [1, 2]\n", "agents"), {}, "an agent"); }),
        "t.yaml:1:9: agents: expected an agent, got a list");
    EXPECT_EQ(error_of([] { MapReader m(kCtx, root("? [a]\n: 1\n"), {}); }),
              "t.yaml:1:3: keys must be plain names, got a list as a key");
}

TEST(MapReader, RequireNamesTheMissingKeyAndAnUnclosedQuote) {
    const Val r{root("name: x\n").node, "agenda[0]", {}};
    MapReader m(kCtx, r, {});
    EXPECT_EQ(m.require("name", "").node.Scalar(), "x");
    EXPECT_EQ(error_of([&] { (void)m.require("kind", "exercise, plan, ..."); }),
              "t.yaml:1:1: agenda[0].kind: missing required key 'kind' (exercise, plan, ...)");
    const Val q = root("title: \"open quote\nkind: plan\n");
    MapReader mq(kCtx, q, {});
    const std::string e = error_of([&] { (void)mq.require("kind", ""); });
    EXPECT_NE(e.find("the quoted text of 'title' (line 1) contains 'kind:': is its closing quote "
                     "missing?"),
              std::string::npos)
        << e;
}

TEST(ReadList, ChecksTheCountAndGivesIndexedPaths) {
    const Val v = value_of("xs: [1, 2, 3]\n", "xs");
    const auto items = read_list(kCtx, v, 1, 5, "numbers");
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[2].path, "xs[2]");
    EXPECT_EQ(error_of([&] { (void)read_list(kCtx, v, 2, 2, "numbers"); }),
              "t.yaml:1:5: xs: expected 2 numbers, got 3");
    EXPECT_EQ(error_of([&] { (void)read_list(kCtx, v, 4, 9, "numbers"); }),
              "t.yaml:1:5: xs: expected at least 4 numbers, got 3");
    EXPECT_EQ(error_of([&] { (void)read_list(kCtx, v, 0, 2, "numbers"); }),
              "t.yaml:1:5: xs: expected at most 2 numbers, got 3");
    EXPECT_EQ(error_of([] { (void)read_list(kCtx, value_of("xs: 4\n", "xs"), 0, 2, "ids"); }),
              "t.yaml:1:5: xs: expected a list of ids, got '4'");
}

TEST(ReadNumber, AcceptsPlainFiniteNumbersOnly) {
    EXPECT_DOUBLE_EQ(read_number(kCtx, value_of("x: 0.25\n", "x")), 0.25);
    EXPECT_DOUBLE_EQ(read_number(kCtx, value_of("x: +3\n", "x")), 3.0);
    EXPECT_DOUBLE_EQ(read_number(kCtx, value_of("x: -1e-3\n", "x")), -0.001);
    EXPECT_EQ(error_of([] { (void)read_number(kCtx, value_of("x: '0.5'\n", "x")); }),
              "t.yaml:1:4: x: expected a number, got the quoted text '0.5'");
    EXPECT_EQ(error_of([] { (void)read_number(kCtx, value_of("x: 0.5a\n", "x")); }),
              "t.yaml:1:4: x: expected a number, got '0.5a'");
    EXPECT_EQ(error_of([] { (void)read_number(kCtx, value_of("x: .inf\n", "x")); }),
              "t.yaml:1:4: x: numbers must be finite; .inf is not allowed");
    EXPECT_EQ(error_of([] { (void)read_number(kCtx, value_of("x: 1e999\n", "x")); }),
              "t.yaml:1:4: x: the number '1e999' is too large or too small");
}

TEST(ReadInteger, WholeNumbersInRange) {
    EXPECT_EQ(read_integer(kCtx, value_of("n: 2014\n", "n"), 1900, 2100, "a year"), 2014);
    EXPECT_EQ(
        error_of([] { (void)read_integer(kCtx, value_of("n: 2.5\n", "n"), 0, 9, "a count"); }),
        "t.yaml:1:4: n: expected a whole number (a count), got 2.5");
    EXPECT_EQ(error_of([] { (void)read_integer(kCtx, value_of("n: 12\n", "n"), 0, 9, "a count"); }),
              "t.yaml:1:4: n: a count 12 is outside the range [0, 9]");
}

TEST(ReadBoolAndText, OnlyPlainTrueOrFalse) {
    EXPECT_TRUE(read_bool(kCtx, value_of("b: true\n", "b")));
    EXPECT_FALSE(read_bool(kCtx, value_of("b: false\n", "b")));
    EXPECT_EQ(error_of([] { (void)read_bool(kCtx, value_of("b: yes\n", "b")); }),
              "t.yaml:1:4: b: expected true or false, got 'yes'");
    EXPECT_EQ(error_of([] { (void)read_bool(kCtx, value_of("b: 'true'\n", "b")); }),
              "t.yaml:1:4: b: expected true or false, got the quoted text 'true'");
    EXPECT_EQ(read_text(kCtx, value_of("t: hello\n", "t")), "hello");
    EXPECT_EQ(error_of([] { (void)read_text(kCtx, value_of("t: [a]\n", "t"), "a title"); }),
              "t.yaml:1:4: t: expected a title, got a list");
}

TEST(ReadDistribution, EveryFormReadsAndIsCheckedAgainstTheRange) {
    const core::Range unit{0, 1};
    const auto d = [&](const std::string& v, bool integer = false, core::Range r = {0, 1}) {
        return read_distribution(kCtx, value_of("p: " + v + "\n", "p"), r, integer);
    };
    EXPECT_TRUE(d("0.4").is_fixed());
    EXPECT_DOUBLE_EQ(d("{fixed: 0.3}").a, 0.3);
    EXPECT_EQ(d("{uniform: [0.2, 0.4]}").kind, core::DistKind::Uniform);
    EXPECT_EQ(d("{beta: [2, 5]}").kind, core::DistKind::Beta);
    EXPECT_EQ(d("{normal: [0.5, 0.1]}").kind, core::DistKind::Normal);
    EXPECT_EQ(d("{empirical: [0.1, 0.2]}").kind, core::DistKind::Empirical);
    EXPECT_EQ(d("{empirical: {values: [0.1, 0.2], weights: [1, 3]}}").kind,
              core::DistKind::Empirical);
    (void)unit;
    EXPECT_EQ(error_of([&] { (void)d("1.5"); }),
              "t.yaml:1:4: p: value 1.5 is outside the range [0, 1]");
    EXPECT_EQ(error_of([&] {
                  (void)d("0.5", true, {0, 10});
              }),
              "t.yaml:1:4: p: expected a whole number, got 0.5");
    EXPECT_EQ(error_of([&] { (void)d("{gauss: [0, 1]}"); }),
              "t.yaml:1:5: p.gauss: unknown key 'gauss'; expected one of: fixed, uniform, beta, "
              "normal, empirical");
    EXPECT_EQ(error_of([&] { (void)d("{uniform: [0.1, 0.2], beta: [1, 1]}"); }),
              "t.yaml:1:4: p: a distribution map needs exactly one key (fixed, uniform, beta, "
              "normal or empirical), got 2");
    EXPECT_EQ(error_of([&] { (void)d("{uniform: [0.1]}"); }),
              "t.yaml:1:14: p.uniform: expected 2 numbers, got 1");
    EXPECT_EQ(error_of([&] { (void)d("{empirical: [0.1, 2]}"); }),
              "t.yaml:1:22: p.empirical[1]: value 2 is outside the range [0, 1]");
    EXPECT_EQ(error_of([&] { (void)d("{empirical: {values: [0.1], weights: [1, 2]}}"); }),
              "t.yaml:1:16: p.empirical: empirical needs one weight per value, got 2 weights for "
              "1 values");
    EXPECT_EQ(error_of([&] { (void)d("{empirical: {values: [0.1], weights: [0]}}"); }),
              "t.yaml:1:42: p.empirical.weights[0]: a weight must be positive and finite, got 0");
    EXPECT_EQ(error_of([&] { (void)d("[0.1]"); }),
              "t.yaml:1:4: p: expected a number or a distribution such as {uniform: [0.2, 0.4]}, "
              "got a list");
    // core::validate's reason (here an empty uniform interval) is reported at the value.
    EXPECT_EQ(error_of([&] { (void)d("{uniform: [0.4, 0.2]}"); }).rfind("t.yaml:1:4: p: ", 0), 0u);
}

}  // namespace
}  // namespace sco::scenario::detail
