// sim/io/atomic_file: the temporary name beside the output, the `created` timestamp, and
// publish_file, which never replaces an existing output without force and leaves the
// temporary file to the caller when it fails; the free-space reading and message, and the
// discard of a failed write's temporary file.
#include "sim/io/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/io/errors.h"
#include "sim/io/h5.h"
#include "support/iso_time.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("sco-atomic-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
        fs::remove_all(dir_);
    }
    [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }
    static void write(const std::string& p, const std::string& text) {
        std::ofstream(p, std::ios::binary) << text;
    }
    static std::string read(const std::string& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    fs::path dir_;
};

TEST(TempName, IsAHiddenSiblingNamedAfterTheFileAndTheProcess) {
    const std::string pid = std::to_string(::getpid());
    EXPECT_EQ(temp_name_for("/a/b/out.h5"), "/a/b/.out.h5.tmp-" + pid);
    EXPECT_EQ(temp_name_for("rel/dir/x.h5"), "rel/dir/.x.h5.tmp-" + pid);
    // No directory: the current one, so the rename never crosses file systems.
    EXPECT_EQ(temp_name_for("x.h5"), "./.x.h5.tmp-" + pid);
    EXPECT_NE(temp_name_for("/a/x.h5"), temp_name_for("/a/y.h5"));
}

TEST(UtcNow, TheFormCheckRefusesNearMisses) {
    EXPECT_TRUE(sco::test::is_iso8601_utc("2026-11-30T14:05:09Z"));
    for (const char* bad : {"2026-11-30 14:05:09Z", "2026-11-30T14:05:09", "2026-1a-30T14:05:09Z",
                            "2026-11-30T14:05:09Z ", "26-11-30T14:05:09Z", ""})
        EXPECT_FALSE(sco::test::is_iso8601_utc(bad)) << bad;
}

TEST(UtcNow, IsIso8601InUtcAndNow) {
    const std::time_t before = std::time(nullptr);
    const std::string s = utc_now_iso();
    const std::time_t after = std::time(nullptr);
    ASSERT_TRUE(sco::test::is_iso8601_utc(s)) << s;
    std::tm tm{};
    std::istringstream in(s);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    ASSERT_FALSE(in.fail()) << s;
    const std::time_t t = timegm(&tm);  // UTC, not local time
    EXPECT_GE(t, before);
    EXPECT_LE(t, after);
}

TEST_F(AtomicFileTest, PublishMovesTheTemporaryFileOntoAFreePath) {
    const std::string tmp = temp_name_for(path("out.h5"));
    write(tmp, "complete");
    publish_file(tmp, path("out.h5"), false);
    EXPECT_EQ(read(path("out.h5")), "complete");
    EXPECT_FALSE(fs::exists(tmp)) << "the temporary name must be gone after publishing";
}

TEST_F(AtomicFileTest, WithoutForceAnExistingOutputIsKeptAndTheTemporaryFileLeftToTheCaller) {
    write(path("out.h5"), "old");
    const std::string tmp = temp_name_for(path("out.h5"));
    write(tmp, "new");
    try {
        publish_file(tmp, path("out.h5"), false);
        FAIL() << "an existing output was replaced without force";
    } catch (const OutputExists& e) {
        EXPECT_EQ(e.path, path("out.h5"));
        EXPECT_NE(std::string(e.what()).find("already exists; use --force"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(read(path("out.h5")), "old");
    EXPECT_EQ(read(tmp), "new") << "the caller removes the temporary file, not publish_file";
}

TEST_F(AtomicFileTest, AnExistingDanglingSymlinkCountsAsAnExistingOutput) {
    fs::create_symlink(path("nowhere"), path("out.h5"));
    const std::string tmp = temp_name_for(path("out.h5"));
    write(tmp, "new");
    EXPECT_THROW(publish_file(tmp, path("out.h5"), false), OutputExists);
    EXPECT_TRUE(fs::is_symlink(path("out.h5")));
    EXPECT_FALSE(fs::exists(path("nowhere"))) << "nothing was written through the symlink";
}

TEST_F(AtomicFileTest, ForceReplacesAnExistingOutput) {
    write(path("out.h5"), "old");
    const std::string tmp = temp_name_for(path("out.h5"));
    write(tmp, "new");
    publish_file(tmp, path("out.h5"), true);
    EXPECT_EQ(read(path("out.h5")), "new");
    EXPECT_FALSE(fs::exists(tmp));
}

TEST_F(AtomicFileTest, AFailedRenameSaysSoAndLeavesTheTemporaryFile) {
    // The output's directory does not exist: neither link() nor rename() can succeed.
    const std::string tmp = path("t");
    write(tmp, "new");
    for (const bool force : {false, true}) {
        try {
            publish_file(tmp, path("missing/out.h5"), force);
            FAIL() << "publishing into a missing directory succeeded (force " << force << ")";
        } catch (const h5::Failure& e) {
            EXPECT_NE(std::string(e.what()).find("cannot rename the temporary file: No such file"),
                      std::string::npos)
                << e.what();
        }
        EXPECT_EQ(read(tmp), "new");
    }
}

TEST_F(AtomicFileTest, FreeBytesAreReadInTheOutputsDirectory) {
    const auto here = free_bytes_for(path("out.h5"));
    ASSERT_TRUE(here.has_value());
    EXPECT_EQ(*here, fs::space(dir_).available);
    EXPECT_FALSE(free_bytes_for((dir_ / "missing" / "out.h5").string()).has_value());
}

TEST_F(AtomicFileTest, TheDiskFullMessageNamesTheNeedTheFreeSpaceAndTheDirectory) {
    EXPECT_EQ(disk_full_message(path("out.h5"), 0, "writing runs"), "");
    const std::uintmax_t mib = std::uintmax_t{1} << 20;
    const std::uintmax_t free = fs::space(dir_).available;
    const std::uintmax_t need = free + 10 * mib;  // more than is free, a whole number of MiB over
    const std::string m = disk_full_message(path("out.h5"), need, "writing runs");
    EXPECT_EQ(m.rfind("the disk is full: writing runs needs about " +
                          std::to_string((need + mib - 1) / mib) + " MiB but only ",
                      0),
              0u)
        << m;
    EXPECT_NE(m.find(" MiB are free in '" + dir_.string() +
                     "'; free space or choose another directory with -o"),
              std::string::npos)
        << m;
    // A directory that cannot be read: no message (the writer reports a full disk later).
    EXPECT_EQ(disk_full_message((dir_ / "missing" / "x.h5").string(), need, "merging"), "");
}

TEST_F(AtomicFileTest, DiscardEmptiesTheFileBeforeClosingThenDeletesIt) {
    const std::string tmp = path(".out.h5.tmp-1");
    write(tmp, std::string(4096, 'x'));
    std::uintmax_t size_at_close = 1;
    discard_temp(tmp, [&] { size_at_close = fs::file_size(tmp); });
    EXPECT_EQ(size_at_close, 0u);
    EXPECT_FALSE(fs::exists(tmp));
    // A close that throws is swallowed, as is a file that was never created.
    write(tmp, "y");
    EXPECT_NO_THROW(discard_temp(tmp, [] { throw std::runtime_error("close failed"); }));
    EXPECT_NO_THROW(discard_temp(path("never-created"), {}));
}

}  // namespace
}  // namespace sco::io
