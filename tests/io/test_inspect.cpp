// sim/io/inspect: every object of a file by path, with type, shape, layout, values and
// attributes, so that two files compare equal exactly when their content does. The merge
// tests rely on it; here each field is shown to see the difference it is for.
#include "sim/io/inspect.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "sim/io/errors.h"
#include "sim/io/h5.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;
using h5::Handle;

class InspectTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("sco-inspect-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    /// Writes a small file: a group with an attribute, a chunked extendible int64 dataset,
    /// a string dataset and an enum dataset; `change` may alter it before it is closed.
    std::string make(const std::string& name, const std::function<void(hid_t)>& change = {}) {
        const std::string p = (dir_ / name).string();
        Handle fapl = h5::file_access();
        Handle f = h5::file(H5Fcreate(p.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), "create");
        h5::set_attr(f.get(), "format", std::string("test/1"));
        Handle g = h5::create_group(f.get(), "runs");
        h5::set_attr(g.get(), "rows", std::int64_t{3});
        Handle d = h5::create_dataset(g.get(), "rounds", H5T_STD_I64LE, {0, 2}, true, true);
        const std::vector<std::int64_t> v = {1, 2, 3, 4, 5, 6};
        h5::append_rows(d.get(), H5T_NATIVE_INT64, 0, 3, v.data(), "rows");
        h5::describe(d.get(), "run x 2", "rounds");
        Handle s = h5::write_strings(f.get(), "ids", {"UZB", "KAZ"});
        Handle et = h5::enum_u8_type({"adopted", "blocked"});
        const std::vector<std::uint8_t> e = {0, 1, 1};
        Handle ed = h5::create_dataset(f.get(), "outcome", et.get(), {3}, false, true);
        h5::write_all(ed.get(), et.get(), e.data(), "outcome");
        if (change) change(f.get());
        return p;
    }

    fs::path dir_;
};

TEST_F(InspectTest, ListsEveryObjectWithItsKindShapeLayoutAndValues) {
    const auto m = inspect_file(make("a.h5"));
    std::vector<std::string> paths;
    for (const auto& [p, _] : m) paths.push_back(p);
    EXPECT_EQ(paths, (std::vector<std::string>{"/", "/ids", "/outcome", "/runs", "/runs/rounds"}));
    EXPECT_EQ(m.at("/").kind, "group");
    EXPECT_EQ(m.at("/runs").kind, "group");
    const StoredObject& r = m.at("/runs/rounds");
    EXPECT_EQ(r.kind, "dataset");
    EXPECT_EQ(r.dims, (std::vector<std::uint64_t>{3, 2}));
    EXPECT_EQ(r.maxdims,
              (std::vector<std::uint64_t>{std::numeric_limits<std::uint64_t>::max(), 2}));
    EXPECT_EQ(r.layout.rfind("chunked[", 0), 0u) << r.layout;
    EXPECT_NE(r.layout.find("filters["), std::string::npos) << r.layout;
    ASSERT_EQ(r.data.size(), 6 * sizeof(std::int64_t));
    std::int64_t last = 0;
    std::memcpy(&last, r.data.data() + 5 * sizeof(std::int64_t), sizeof last);
    EXPECT_EQ(last, 6);
    EXPECT_EQ(r.attrs.size(), 2u);  // axes, description
    EXPECT_NE(r.attrs.at("axes").find("run x 2"), std::string::npos) << r.attrs.at("axes");
    EXPECT_NE(m.at("/").attrs.at("format").find("test/1"), std::string::npos);
    EXPECT_NE(m.at("/outcome").type.find("adopted=0 blocked=1"), std::string::npos)
        << m.at("/outcome").type;
    EXPECT_NE(m.at("/ids").type.find("fixed"), std::string::npos) << m.at("/ids").type;
}

TEST_F(InspectTest, TheSameContentWrittenTwiceIsEqual) {
    EXPECT_EQ(inspect_file(make("a.h5")), inspect_file(make("b.h5")));
}

TEST_F(InspectTest, EveryKindOfDifferenceIsSeen) {
    const auto base = inspect_file(make("base.h5"));
    struct Case {
        const char* what;
        std::function<void(hid_t)> change;
        const char* path;
    };
    const std::vector<Case> cases = {
        {"an extra attribute", [](hid_t f) { h5::set_attr(f, "extra", std::int64_t{1}); }, "/"},
        {"an attribute's value",
         [](hid_t f) {
             H5Adelete(f, "format");
             h5::set_attr(f, "format", std::string("test/2"));
         },
         "/"},
        {"an attribute's type",
         [](hid_t f) {
             Handle g = h5::group(H5Gopen2(f, "runs", H5P_DEFAULT), "g");
             H5Adelete(g.get(), "rows");
             h5::set_attr(g.get(), "rows", std::uint64_t{3});
         },
         "/runs"},
        {"a dataset's values",
         [](hid_t f) {
             Handle d = h5::open_dataset(f, "/runs/rounds");
             const std::vector<std::int64_t> v = {1, 2, 3, 4, 5, 7};
             h5::write_all(d.get(), H5T_NATIVE_INT64, v.data(), "v");
         },
         "/runs/rounds"},
        {"a dataset's type",
         [](hid_t f) {
             H5Ldelete(f, "ids", H5P_DEFAULT);
             Handle t = h5::fixed_string_type(8);  // same values, longer padding
             Handle d = h5::create_dataset(f, "ids", t.get(), {2}, false, false);
             const char buf[16] = {'U', 'Z', 'B', 0, 0, 0, 0, 0, 'K', 'A', 'Z', 0, 0, 0, 0, 0};
             h5::write_all(d.get(), t.get(), buf, "ids");
         },
         "/ids"},
        {"a dataset's layout",
         [](hid_t f) {
             H5Ldelete(f, "outcome", H5P_DEFAULT);
             Handle et = h5::enum_u8_type({"adopted", "blocked"});
             const std::vector<std::uint8_t> e = {0, 1, 1};
             Handle ed = h5::create_dataset(f, "outcome", et.get(), {3}, false, false);
             h5::write_all(ed.get(), et.get(), e.data(), "outcome");
         },
         "/outcome"},
        {"an enum's names",
         [](hid_t f) {
             H5Ldelete(f, "outcome", H5P_DEFAULT);
             Handle et = h5::enum_u8_type({"adopted", "deferred"});
             const std::vector<std::uint8_t> e = {0, 1, 1};
             Handle ed = h5::create_dataset(f, "outcome", et.get(), {3}, false, true);
             h5::write_all(ed.get(), et.get(), e.data(), "outcome");
         },
         "/outcome"},
    };
    int k = 0;
    for (const auto& c : cases) {
        const auto other = inspect_file(make("c" + std::to_string(k++) + ".h5", c.change));
        EXPECT_NE(base, other) << c.what << " was not seen";
        ASSERT_TRUE(other.count(c.path)) << c.what;
        EXPECT_FALSE(base.at(c.path) == other.at(c.path)) << c.what << " at " << c.path;
    }
    // An extra object is an extra key.
    const auto more =
        inspect_file(make("more.h5", [](hid_t f) { Handle g = h5::create_group(f, "extra"); }));
    EXPECT_EQ(more.size(), base.size() + 1);
    EXPECT_EQ(more.at("/extra").kind, "group");
}

TEST_F(InspectTest, VariableLengthStringsAreComparedByTheirText) {
    auto vlen = [](const char* a) {
        return [a](hid_t f) {
            Handle vt = h5::vlen_string_type();
            const hsize_t n = 1;
            Handle sp = h5::space(H5Screate_simple(1, &n, nullptr), "s");
            Handle d = h5::dataset(
                H5Dcreate2(f, "v", vt.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "v");
            const char* vals[] = {a};
            h5::write_all(d.get(), vt.get(), vals, "v");
        };
    };
    const auto a = inspect_file(make("a.h5", vlen("format one")));
    const auto b = inspect_file(make("b.h5", vlen("format one")));
    const auto c = inspect_file(make("c.h5", vlen("format two")));
    EXPECT_EQ(a.at("/v").data, "10:format one");
    EXPECT_EQ(a, b) << "heap addresses must not enter the comparison";
    EXPECT_NE(a, c);
}

TEST_F(InspectTest, AFileThatIsNotHdf5IsBadResultsNamingIt) {
    const std::string p = (dir_ / "text.h5").string();
    std::ofstream(p) << "not hdf5\n";
    for (const std::string& bad : {p, (dir_ / "missing.h5").string()}) {
        try {
            (void)inspect_file(bad);
            FAIL() << "no exception for " << bad;
        } catch (const BadResults& e) {
            EXPECT_EQ(e.path, bad);
            EXPECT_NE(std::string(e.what()).find(bad + ": not a usable sco-sim results file"),
                      std::string::npos)
                << e.what();
        }
    }
}

}  // namespace
}  // namespace sco::io
