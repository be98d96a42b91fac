// sim/io/h5: the RAII and checking helpers over the HDF5 C API, on real files in a temporary
// directory. What is written is read back; every refusal says what and where.
#include "sim/io/h5.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sco::io::h5 {
namespace {

namespace fs = std::filesystem;

/// Expects `f` to throw Failure whose message contains `part`.
template <typename F>
void expect_failure(F&& f, const std::string& part) {
    try {
        f();
        ADD_FAILURE() << "no Failure; expected one containing '" << part << "'";
    } catch (const Failure& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
            << "message: " << e.what() << "\nexpected to contain: " << part;
    }
}

class H5Test : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("sco-h5-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        path_ = (dir_ / "t.h5").string();
        Handle fapl = file_access();
        file_ = file(H5Fcreate(path_.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()), "creating");
    }
    void TearDown() override {
        file_.close();
        fs::remove_all(dir_);
    }
    /// Closes the file and opens it again read-only.
    void reopen() {
        ASSERT_TRUE(file_.close());
        file_ = file(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening");
    }
    [[nodiscard]] hid_t f() const { return file_.get(); }

    fs::path dir_;
    std::string path_;
    Handle file_;
    QuietErrors quiet_;
};

TEST(Handle, ClosesOnceAndMovesOwnership) {
    Handle a = space(H5Screate(H5S_SCALAR), "a space");
    const hid_t id = a.get();
    EXPECT_GT(H5Iis_valid(id), 0);
    Handle b = std::move(a);
    EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the contract under test
    EXPECT_EQ(b.get(), id);
    EXPECT_TRUE(b.close());
    EXPECT_FALSE(b.valid());
    EXPECT_TRUE(b.close()) << "closing twice is a no-op";
    QuietErrors q;
    EXPECT_LE(H5Iis_valid(id), 0) << "the identifier was not closed";
}

TEST(Handle, DestructorCloses) {
    hid_t id = H5I_INVALID_HID;
    {
        Handle a = space(H5Screate(H5S_SCALAR), "a space");
        id = a.get();
    }
    QuietErrors q;
    EXPECT_LE(H5Iis_valid(id), 0);
}

TEST(QuietErrors, SilencesAndRestoresTheHandler) {
    H5E_auto2_t before = nullptr;
    void* data = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &before, &data);
    {
        QuietErrors q;
        H5E_auto2_t inside = nullptr;
        H5Eget_auto2(H5E_DEFAULT, &inside, &data);
        EXPECT_EQ(inside, nullptr);
    }
    H5E_auto2_t after = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &after, &data);
    EXPECT_EQ(after, before);
}

TEST(Check, AFailedCallNamesWhatWasDoneAndHdf5sReason) {
    QuietErrors q;
    expect_failure(
        [] { (void)file(H5Fopen("/no/such/dir/x.h5", H5F_ACC_RDONLY, H5P_DEFAULT), "opening x"); },
        "opening x: ");
    EXPECT_EQ(error_detail(), "") << "the error stack is cleared once reported";
    expect_failure([] { check_rc(-1, "doing nothing"); }, "doing nothing");
    EXPECT_EQ(check_id(5, "fine"), 5);
    EXPECT_NO_THROW(check_rc(0, "fine"));
}

TEST(ChunkDims, HalvesTheLargestAxisUntilTheChunkFits) {
    EXPECT_EQ(chunk_dims({100, 10}, 8, 1 << 20), (std::vector<hsize_t>{100, 10}));
    // 1000 x 10 x 8 = 80,000 bytes > 10,000: the first axis halves to 125 (10,000 bytes).
    EXPECT_EQ(chunk_dims({1000, 10}, 8, 10000), (std::vector<hsize_t>{125, 10}));
    // Zero becomes one; an axis of one is never split further.
    EXPECT_EQ(chunk_dims({0, 0}, 4, 16), (std::vector<hsize_t>{1, 1}));
    EXPECT_EQ(chunk_dims({1, 1}, 64, 8), (std::vector<hsize_t>{1, 1}));
    // Ties: the first of the largest axes is halved first.
    EXPECT_EQ(chunk_dims({4, 4}, 1, 8), (std::vector<hsize_t>{2, 4}));
    for (auto d : chunk_dims({65536, 7, 300}, 4, 1 << 18)) EXPECT_GE(d, 1u);
}

/// Chunk contents of the kinds the results files hold, `bytes` long: zeros, a short period
/// (repeated values), float32 positions with NaN, and random bytes that do not compress.
std::vector<std::vector<std::byte>> sample_chunks(std::size_t bytes) {
    std::vector<std::vector<std::byte>> out(4, std::vector<std::byte>(bytes));
    std::mt19937_64 rng(17);
    for (std::size_t i = 0; i < bytes; ++i) {
        out[1][i] = static_cast<std::byte>((i * 7) % 13);
        out[3][i] = static_cast<std::byte>(rng() & 0xff);
    }
    for (std::size_t i = 0; i + 4 <= bytes; i += 4) {
        const float v = (i / 4) % 5 == 0 ? std::nanf("") : static_cast<float>((rng() % 100) / 8.0);
        std::memcpy(out[2].data() + i, &v, 4);
    }
    return out;
}

/// What HDF5's shuffle filter makes of `in` (the layout encode_chunk must deflate).
std::vector<std::byte> shuffled(const std::vector<std::byte>& in, std::size_t esize) {
    std::vector<std::byte> s(in.size());
    const std::size_t n = in.size() / esize;
    for (std::size_t b = 0; b < esize; ++b)
        for (std::size_t k = 0; k < n; ++k) s[b * n + k] = in[k * esize + b];
    return s;
}

// The chunks the sinks write are zlib streams (RFC 1950) whatever the level: zlib's own
// decoder, the one HDF5's deflate filter calls, gives back exactly the (shuffled) input,
// including data that does not compress (the output bound) and an empty chunk.
TEST(EncodeChunk, EveryLevelMakesAZlibStreamThatZlibDecodesToTheInput) {
    std::vector<std::byte> out, tmp, back;
    for (std::size_t bytes :
         {std::size_t{0}, std::size_t{24}, std::size_t{70000}, std::size_t{262144}})
        for (const auto& in : sample_chunks(bytes))
            for (std::size_t esize : {1, 2, 4, 8})
                for (bool shuffle : {false, true})
                    for (int level = -1; level <= 9; ++level) {
                        SCOPED_TRACE(std::to_string(bytes) + " bytes, esize " +
                                     std::to_string(esize) + ", shuffle " +
                                     std::to_string(shuffle) + ", level " + std::to_string(level));
                        encode_chunk(in.data(), in.size(), esize, level, shuffle, out, tmp);
                        const std::vector<std::byte> want =
                            shuffle && esize > 1 ? shuffled(in, esize) : in;
                        if (level < 0) {
                            EXPECT_TRUE(out == want);
                            continue;
                        }
                        ASSERT_GE(out.size(), 6u);
                        EXPECT_EQ(static_cast<int>(out[0]) & 0x0f, 8);  // CM = deflate
                        back.assign(bytes + 1, std::byte{0xee});
                        uLongf len = static_cast<uLongf>(back.size());
                        ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(back.data()), &len,
                                             reinterpret_cast<const Bytef*>(out.data()),
                                             static_cast<uLong>(out.size())),
                                  Z_OK);
                        ASSERT_EQ(len, bytes);
                        back.resize(len);
                        EXPECT_TRUE(back == want);
                    }
}

// Each thread keeps its own compressors: the same chunk encodes to the same bytes on any
// thread and at any time (the files do not depend on the thread count).
TEST(EncodeChunk, ThreadsAndRepeatsGiveTheSameBytes) {
    const auto chunks = sample_chunks(100000);
    std::vector<std::vector<std::byte>> ref(chunks.size());
    std::vector<std::byte> tmp;
    for (std::size_t c = 0; c < chunks.size(); ++c)
        encode_chunk(chunks[c].data(), chunks[c].size(), 4, 1, false, ref[c], tmp);
    std::vector<int> bad(4, 0);
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t)
        pool.emplace_back([&, t] {
            std::vector<std::byte> out, scratch;
            for (int rep = 0; rep < 3; ++rep)
                for (int level : {4, 1, 9, 1})  // other levels between, on the same thread
                    for (std::size_t c = 0; c < chunks.size(); ++c) {
                        encode_chunk(chunks[c].data(), chunks[c].size(), 4, level, false, out,
                                     scratch);
                        if (level == 1 && out != ref[c]) ++bad[static_cast<std::size_t>(t)];
                    }
        });
    for (auto& th : pool) th.join();
    for (int b : bad) EXPECT_EQ(b, 0);
}

// HDF5 itself reads what encode_chunk makes, written as raw chunks (H5Dwrite_chunk), under
// the standard filters the dataset declares: no plugin is needed to read the files.
TEST_F(H5Test, Hdf5ReadsEncodedChunksUnderItsStandardFilters) {
    const auto chunks = sample_chunks(4096 * 4);
    int n = 0;
    for (bool shuffle : {false, true})
        for (int level : {0, 1, 4, 9}) {
            const auto& in = chunks[static_cast<std::size_t>(n % 4)];
            const std::string name = "d" + std::to_string(n++);
            Handle d = create_dataset(f(), name, H5T_NATIVE_FLOAT, {4096}, false, true,
                                      Filters{level, shuffle}, 4096);
            std::vector<std::byte> out, tmp;
            encode_chunk(in.data(), in.size(), 4, level, shuffle, out, tmp);
            const hsize_t offset[1] = {0};
            ASSERT_GE(H5Dwrite_chunk(d.get(), H5P_DEFAULT, 0, offset, out.size(), out.data()), 0);
        }
    reopen();
    n = 0;
    for (bool shuffle : {false, true})
        for (int level : {0, 1, 4, 9}) {
            SCOPED_TRACE("shuffle " + std::to_string(shuffle) + ", level " + std::to_string(level));
            const auto& in = chunks[static_cast<std::size_t>(n % 4)];
            Handle d =
                dataset(H5Dopen2(f(), ("d" + std::to_string(n++)).c_str(), H5P_DEFAULT), "opening");
            std::vector<std::byte> got(in.size());
            ASSERT_GE(H5Dread(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, got.data()),
                      0);
            EXPECT_TRUE(got == in);
        }
}

TEST_F(H5Test, ArraysRoundTripWithTheirLayout) {
    const std::vector<std::int32_t> v = {1, -2, 3, -4, 5, -6};
    {
        Handle d = write_array<std::int32_t>(f(), "a", {2, 3}, v, true);
        Handle plain = write_array<double>(f(), "b", {3}, {0.5, 1.5, 2.5}, false);
        Handle dcpl = plist(H5Dget_create_plist(d.get()), "plist");
        EXPECT_EQ(H5Pget_layout(dcpl.get()), H5D_CHUNKED);
        EXPECT_EQ(H5Pget_nfilters(dcpl.get()), 2) << "shuffle and deflate for 4-byte values";
        Handle dcpl2 = plist(H5Dget_create_plist(plain.get()), "plist");
        EXPECT_EQ(H5Pget_layout(dcpl2.get()), H5D_CONTIGUOUS);
    }
    reopen();
    EXPECT_EQ(read_array<std::int32_t>(f(), "a", {2, 3}), v);
    EXPECT_EQ(read_array<std::int64_t>(f(), "a", {2, 3}),
              (std::vector<std::int64_t>{1, -2, 3, -4, 5, -6}));
    EXPECT_EQ(read_array<double>(f(), "b", {3}), (std::vector<double>{0.5, 1.5, 2.5}));
    Handle d = open_dataset(f(), "a");
    EXPECT_EQ(shape(d.get()), (std::vector<hsize_t>{2, 3}));
}

TEST_F(H5Test, ReadArrayRefusesAWrongShapeOrType) {
    {
        Handle d = write_array<double>(f(), "x", {2, 3}, std::vector<double>(6, 1.0), false);
        Handle s = write_strings(f(), "names", {"a", "b"});
    }
    reopen();
    expect_failure(
        [&] {
            (void)read_array<double>(f(), "x", {3, 2});
        },
        "x has shape [2, 3], expected [3, 2]");
    expect_failure([&] { (void)read_array<double>(f(), "x", {6}); },
                   "x has shape [2, 3], expected [6]");
    expect_failure([&] { (void)read_array<double>(f(), "names", {2}); }, "names is not numeric");
    expect_failure([&] { (void)read_array<double>(f(), "/g/missing", {1}); },
                   "dataset /g/missing is missing");
}

TEST_F(H5Test, EmptyArraysAreReadAsEmpty) {
    { Handle d = write_array<double>(f(), "e", {0, 4}, {}, true); }
    reopen();
    EXPECT_TRUE(read_array<double>(f(), "e", {0, 4}).empty());
}

TEST_F(H5Test, AppendRowsGrowsAnExtendibleDataset) {
    {
        Handle d = create_dataset(f(), "rows", H5T_STD_I64LE, {0, 2}, true, true);
        EXPECT_EQ(shape(d.get()), (std::vector<hsize_t>{0, 2}));
        const std::vector<std::int64_t> a = {1, 2, 3, 4}, b = {5, 6};
        append_rows(d.get(), H5T_NATIVE_INT64, 0, 2, a.data(), "appending");
        append_rows(d.get(), H5T_NATIVE_INT64, 2, 1, b.data(), "appending");
        append_rows(d.get(), H5T_NATIVE_INT64, 3, 0, nullptr, "appending nothing");
    }
    reopen();
    EXPECT_EQ(read_array<std::int64_t>(f(), "rows", {3, 2}),
              (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(H5Test, AttributesRoundTrip) {
    const std::string long_text(100'000, 'y');  // over 64 KiB: dense attribute storage
    set_attr(f(), "s", std::string("Kazakhstan, UTF-8: é"));
    set_attr(f(), "empty", std::string());
    set_attr(f(), "long", long_text);
    set_attr(f(), "i", std::int64_t{-42});
    set_attr(f(), "u", std::uint64_t{18446744073709551615ULL});
    set_attr(f(), "d", 0.25);
    set_attr(f(), "list", std::vector<std::string>{"UZB", "", "KAZAKH"});
    set_attr(f(), "nolist", std::vector<std::string>{});
    describe(f(), "point", "what it is");
    reopen();
    EXPECT_EQ(read_attr_string(f(), "s"), "Kazakhstan, UTF-8: é");
    EXPECT_EQ(read_attr_string(f(), "empty"), "");
    EXPECT_EQ(read_attr_string(f(), "long"), long_text);
    EXPECT_EQ(read_attr_int(f(), "i"), -42);
    EXPECT_EQ(read_attr_uint(f(), "u"), 18446744073709551615ULL);
    EXPECT_EQ(read_attr_strings(f(), "list"), (std::vector<std::string>{"UZB", "", "KAZAKH"}));
    EXPECT_TRUE(read_attr_strings(f(), "nolist").empty());
    EXPECT_EQ(read_attr_string(f(), "axes"), "point");
    EXPECT_EQ(read_attr_string(f(), "description"), "what it is");
    // Strings are fixed-length, null-padded UTF-8: never variable-length (format 2).
    Handle a = attribute(H5Aopen(f(), "s", H5P_DEFAULT), "open");
    Handle t = type(H5Aget_type(a.get()), "type");
    EXPECT_EQ(H5Tis_variable_str(t.get()), 0);
    EXPECT_EQ(H5Tget_cset(t.get()), H5T_CSET_UTF8);
    EXPECT_EQ(H5Tget_strpad(t.get()), H5T_STR_NULLPAD);
}

TEST_F(H5Test, AttributeReadsRefuseWhatIsNotThere) {
    set_attr(f(), "d", 0.25);
    set_attr(f(), "s", std::string("text"));
    set_attr(f(), "list", std::vector<std::string>{"a", "b"});
    reopen();
    expect_failure([&] { (void)read_attr_string(f(), "nope"); }, "attribute 'nope' is missing");
    expect_failure([&] { (void)read_attr_int(f(), "d"); }, "attribute 'd' is not an integer");
    expect_failure([&] { (void)read_attr_int(f(), "s"); }, "attribute 's' is not an integer");
    expect_failure([&] { (void)read_attr_string(f(), "d"); }, "attribute 'd' is not text");
    expect_failure([&] { (void)read_attr_string(f(), "list"); },
                   "attribute 'list' is not a single string");
    expect_failure([&] { (void)read_attr_strings(f(), "s"); },
                   "attribute 's' is not a 1-D list of strings");
}

TEST_F(H5Test, RootProvenanceReadsEveryAttributeAndNamesAMissingOne) {
    const char* names[] = {"tool_version",  "git_commit",    "command_line",    "scenario_path",
                           "scenario_text", "scenario_name", "scenario_sha256", "created"};
    // The root has them all; group g lacks replications.
    Handle g = group(H5Gcreate2(f(), "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group");
    for (hid_t obj : {f(), g.get()}) {
        for (const char* n : names) set_attr(obj, n, std::string("v_") + n);
        set_attr(obj, "seed", std::uint64_t{18446744073709551615ULL});
    }
    set_attr(f(), "replications", std::int64_t{500});
    ASSERT_TRUE(g.close());
    reopen();
    const RootProvenance p = read_root_provenance(f(), Vlen::Refuse);
    EXPECT_EQ(p.tool_version, "v_tool_version");
    EXPECT_EQ(p.git_commit, "v_git_commit");
    EXPECT_EQ(p.command_line, "v_command_line");
    EXPECT_EQ(p.scenario_path, "v_scenario_path");
    EXPECT_EQ(p.scenario_text, "v_scenario_text");
    EXPECT_EQ(p.scenario_name, "v_scenario_name");
    EXPECT_EQ(p.scenario_sha256, "v_scenario_sha256");
    EXPECT_EQ(p.created, "v_created");
    EXPECT_EQ(p.seed, 18446744073709551615ULL);
    EXPECT_EQ(p.replications, 500);
    Handle g2 = group(H5Gopen2(f(), "g", H5P_DEFAULT), "group");
    expect_failure([&] { (void)read_root_provenance(g2.get(), Vlen::Refuse); },
                   "attribute 'replications' is missing");
}

TEST_F(H5Test, StringDatasetsRoundTripAndVariableLengthIsRefusedUnlessAllowed) {
    {
        Handle d = write_strings(f(), "ids", {"UZB", "KAZ", "", "a longer one"});
        Handle e = write_strings(f(), "none", {});
        // A variable-length string dataset, as format 1 wrote them.
        Handle vt = vlen_string_type();
        const hsize_t n = 2;
        Handle sp = space(H5Screate_simple(1, &n, nullptr), "space");
        Handle v = dataset(
            H5Dcreate2(f(), "v", vt.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "v");
        const char* vals[] = {"old", "format"};
        write_all(v.get(), vt.get(), vals, "writing v");
        Handle a =
            attribute(H5Acreate2(f(), "vattr", vt.get(), space(H5Screate(H5S_SCALAR), "s").get(),
                                 H5P_DEFAULT, H5P_DEFAULT),
                      "vattr");
        const char* one = "old attribute";
        check_rc(H5Awrite(a.get(), vt.get(), &one), "writing vattr");
    }
    reopen();
    EXPECT_EQ(read_strings(f(), "ids"),
              (std::vector<std::string>{"UZB", "KAZ", "", "a longer one"}));
    EXPECT_TRUE(read_strings(f(), "none").empty());
    expect_failure([&] { (void)read_strings(f(), "v"); },
                   "v is stored as variable-length strings, which this format does not use");
    EXPECT_EQ(read_strings(f(), "v", Vlen::Allow), (std::vector<std::string>{"old", "format"}));
    expect_failure([&] { (void)read_attr_string(f(), "vattr"); },
                   "attribute 'vattr' is stored as variable-length strings");
    EXPECT_EQ(read_attr_string(f(), "vattr", Vlen::Allow), "old attribute");
}

TEST_F(H5Test, ReadStringsRefusesNumbersAndTwoDimensions) {
    {
        Handle d = write_array<double>(f(), "x", {2}, {1.0, 2.0}, false);
        Handle t = fixed_string_type(3);
        Handle m = create_dataset(f(), "m", t.get(), {2, 2}, false, false);
    }
    reopen();
    expect_failure([&] { (void)read_strings(f(), "x"); }, "x does not hold strings");
    expect_failure([&] { (void)read_strings(f(), "m"); }, "m should be 1-D but has shape [2, 2]");
}

TEST_F(H5Test, ExistsFollowsEachComponent) {
    {
        Handle g = create_group(f(), "g");
        Handle d = write_array<double>(g.get(), "d", {1}, {1.0}, false);
    }
    reopen();
    EXPECT_TRUE(exists(f(), "/g"));
    EXPECT_TRUE(exists(f(), "/g/d"));
    EXPECT_TRUE(exists(f(), "g/d"));
    EXPECT_FALSE(exists(f(), "/g/e"));
    EXPECT_FALSE(exists(f(), "/h/d")) << "a missing group is an answer, not an error";
    EXPECT_EQ(error_detail(), "");
}

TEST_F(H5Test, CheckPlausibleRefusesMoreDataThanTheFileCanHold) {
    { Handle d = write_array<double>(f(), "x", {4}, {1, 2, 3, 4}, false); }
    reopen();
    Handle d = open_dataset(f(), "x");
    EXPECT_NO_THROW(check_plausible(d.get(), 32, "x"));
    expect_failure([&] { check_plausible(d.get(), std::size_t{1} << 40, "x"); },
                   "x claims 1099511627776 bytes of data, more than a ");
}

TEST_F(H5Test, EnumTypesHoldTheirNamesInOrder) {
    Handle t = enum_u8_type({"adopted", "blocked", "deferred"});
    EXPECT_EQ(H5Tget_nmembers(t.get()), 3);
    char name[32] = {};
    const std::uint8_t v = 1;
    ASSERT_GE(H5Tenum_nameof(t.get(), &v, name, sizeof name), 0);
    EXPECT_STREQ(name, "blocked");
}

}  // namespace
}  // namespace sco::io::h5
