// Results files: write synthetic runs with Hdf5Sink, read them back with read_results.
#include "sim/io/hdf5_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <thread>

#include <hdf5.h>

#include "io/fixtures.h"
#include "io/synthetic.h"
#include "sim/experiment/report.h"
#include "sim/io/results_reader.h"
#include "sim/io/sha256.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;

class Hdf5SinkTest : public sco::testing::ResultsFileTest {
  protected:
    void SetUp() override {
        make_dir("io");
        plan_.points.resize(2);
        plan_.points[1].overrides.push_back({2, core::Distribution::fixed(0.15)});
        plan_.total_points = 2;
        cfg_.seed = 987654321987ULL;
        cfg_.replications = kReps;
        prov_ = {"0.1.0", "abc123", "sco-sim run x.yaml -n 5", "x.yaml",
                 "format: sco-sim/1\nname: synthetic\n# a comment with UTF-8: é\n"};
        runs_ = testing::make_runs(spec_, plan_, kReps, kMaxRounds);
        sums_ = testing::summarise(spec_, plan_, runs_, kReps, kMaxRounds);
    }
    [[nodiscard]] std::string out(const std::string& name = "r.h5") const {
        return (dir_ / name).string();
    }
    [[nodiscard]] std::vector<fs::path> files() const {
        std::vector<fs::path> v;
        for (const auto& e : fs::directory_iterator(dir_)) v.push_back(e.path());
        return v;
    }
    /// Writes every run in blocks of `block` runs and finishes.
    void write_all(Hdf5Sink& sink, std::size_t block = 3) {
        sink.begin(spec_, plan_, cfg_, prov_);
        for (std::size_t i = 0; i < runs_.size(); i += block) {
            const std::size_t n = std::min(block, runs_.size() - i);
            sink.write_block(static_cast<std::int64_t>(i),
                             std::span<const core::RunRecord>(runs_.data() + i, n));
        }
        sink.finish(experiment::count_pointers(sums_));
    }

    static constexpr std::int64_t kReps = 5;
    static constexpr int kMaxRounds = 4;
};

TEST_F(Hdf5SinkTest, RoundTripRestoresSummariesLabelsAndProvenance) {
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        write_all(sink);
    }
    ASSERT_TRUE(fs::exists(out()));
    EXPECT_EQ(files().size(), 1u) << "a temporary file was left behind";
    const Results r = read_results(out());
    EXPECT_EQ(r.format, kResultsFormat);
    EXPECT_EQ(r.labels, experiment::labels_of(spec_));
    EXPECT_EQ(r.params,
              (std::vector<std::string>{"agents.UZB.sovereignty", "dynamics.dialogue_rate"}));
    ASSERT_EQ(r.summaries.size(), 2u);
    EXPECT_TRUE(r.summaries[0] == sums_[0]);
    EXPECT_TRUE(r.summaries[1] == sums_[1]);
    EXPECT_EQ(r.seed, cfg_.seed);
    EXPECT_EQ(r.replications, kReps);
    EXPECT_EQ(r.points, 2);
    EXPECT_EQ(r.runs, 2 * kReps);
    EXPECT_FALSE(r.summary_only);
    EXPECT_FALSE(r.per_run_tension);
    EXPECT_EQ(r.provenance.scenario_text, prov_.scenario_text);
    EXPECT_EQ(r.provenance.command_line, prov_.command_line);
    EXPECT_EQ(r.provenance.git_commit, prov_.git_commit);
    EXPECT_EQ(r.scenario_sha256, sha256_hex(prov_.scenario_text));
    EXPECT_EQ(r.scenario_name, spec_.name);
    EXPECT_EQ(r.variant_choice, "logit");
    EXPECT_EQ(r.variant_amendment, "win_set");
    EXPECT_EQ(r.variant_pressure, "enabled");
    EXPECT_EQ(r.variant_sponsor, "likely");
    ASSERT_EQ(r.point_descriptions.size(), 2u);
    EXPECT_EQ(r.point_descriptions[0], "");
    EXPECT_NE(r.point_descriptions[1].find("dynamics.dialogue_rate="), std::string::npos);
    EXPECT_EQ(r.created.size(), 20u) << r.created;  // 2014-06-15T12:00:00Z
}

TEST_F(Hdf5SinkTest, BlockSizeDoesNotChangeTheResult) {
    {
        Hdf5Sink a(sco::experiment::stored_statistics(), out("a.h5"), false);
        write_all(a, 1);
        Hdf5Sink b(sco::experiment::stored_statistics(), out("b.h5"), false);
        write_all(b, 7);
    }
    const Results a = read_results(out("a.h5")), b = read_results(out("b.h5"));
    EXPECT_TRUE(a.summaries == b.summaries);
}

/// Every /runs dataset of a file: its values and its stored chunks, byte for byte.
struct RunsBytes {
    std::map<std::string, std::vector<char>> values;
    std::map<std::string, std::vector<std::vector<char>>> chunks;
};

RunsBytes runs_bytes(const std::string& path) {
    RunsBytes out;
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT_GE(f, 0);
    const hid_t g = H5Gopen2(f, "runs", H5P_DEFAULT);
    for (const core::RunOutput& o : core::kRunOutputs) {
        const char* name = o.name;
        if (H5Lexists(g, name, H5P_DEFAULT) <= 0) continue;
        const hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
        const hid_t t = H5Dget_type(d);
        const hid_t sp = H5Dget_space(d);
        const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(sp));
        std::vector<char> v(count * H5Tget_size(t));
        if (count > 0) {
            EXPECT_GE(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
        }
        out.values[name] = std::move(v);
        hsize_t nchunks = 0;
        EXPECT_GE(H5Dget_num_chunks(d, sp, &nchunks), 0);
        for (hsize_t c = 0; c < nchunks; ++c) {
            hsize_t offset[8] = {}, size = 0;
            unsigned mask = 0;
            haddr_t addr = 0;
            EXPECT_GE(H5Dget_chunk_info(d, sp, c, offset, &mask, &addr, &size), 0);
            std::vector<char> raw(size);
            std::uint32_t filters = 0;
            EXPECT_GE(H5Dread_chunk(d, H5P_DEFAULT, offset, &filters, raw.data()), 0);
            EXPECT_EQ(filters, 0u) << name;
            out.chunks[name].push_back(std::move(raw));
        }
        H5Sclose(sp);
        H5Tclose(t);
        H5Dclose(d);
    }
    H5Gclose(g);
    H5Fclose(f);
    return out;
}

TEST_F(Hdf5SinkTest, ThreadCountAndBlockSizeDoNotChangeTheStoredChunks) {
    // Chunks of 4 runs: the 10 runs make two whole chunks and a partial one, so that the
    // threads have chunks to share.
    ChunkOptions o;
    o.max_chunk_runs = 4;
    cfg_.per_run_tension = true;
    std::vector<RunsBytes> got;
    for (const auto& [threads, block] :
         std::initializer_list<std::pair<int, int>>{{1, 3}, {2, 3}, {3, 1}, {3, 10}}) {
        o.threads = threads;
        const std::string name = "t" + std::to_string(threads) + "b" + std::to_string(block);
        {
            Hdf5Sink sink(sco::experiment::stored_statistics(), out(name), false, o);
            write_all(sink, static_cast<std::size_t>(block));
        }
        got.push_back(runs_bytes(out(name)));
    }
    ASSERT_EQ(got[0].values.size(), core::kRunOutputCount);
    for (const auto& [name, chunks] : got[0].chunks) EXPECT_EQ(chunks.size(), 3u) << name;
    for (std::size_t k = 1; k < got.size(); ++k) {
        EXPECT_TRUE(got[k].values == got[0].values) << k;
        EXPECT_TRUE(got[k].chunks == got[0].chunks) << k;
    }
    // The values are the records' own bytes, in run order.
    for (std::size_t i = 0; i < core::kRunArrayCount; ++i) {
        std::vector<char> want;
        for (const auto& r : runs_) {
            const auto b = core::array_bytes(r, i);
            want.insert(want.end(), reinterpret_cast<const char*>(b.data()),
                        reinterpret_cast<const char*>(b.data()) + b.size());
        }
        EXPECT_TRUE(got[0].values.at(core::kRunOutputs[i].name) == want)
            << core::kRunOutputs[i].name;
    }
    std::vector<std::int64_t> rep(got[0].values.at("replication").size() / 8);
    std::memcpy(rep.data(), got[0].values.at("replication").data(), rep.size() * 8);
    for (std::size_t r = 0; r < rep.size(); ++r)
        EXPECT_EQ(rep[r], static_cast<std::int64_t>(r) % kReps);
}

TEST_F(Hdf5SinkTest, StagedHandOffStoresTheSameChunksAsWriteBlock) {
    // The runner's path: stage_block, encode_staged from several threads in any order,
    // commit_staged. The stored chunks equal write_block's.
    ChunkOptions o;
    o.max_chunk_runs = 2;
    o.threads = 1;
    cfg_.per_run_tension = true;
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out("w.h5"), false, o);
        write_all(sink, 3);
    }
    std::size_t jobs_seen = 0;
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out("s.h5"), false, o);
        sink.begin(spec_, plan_, cfg_, prov_);
        for (std::size_t i = 0; i < runs_.size(); i += 3) {
            const std::size_t n = std::min<std::size_t>(3, runs_.size() - i);
            const std::size_t jobs = sink.stage_block(
                static_cast<std::int64_t>(i), std::span<const core::RunRecord>(&runs_[i], n));
            jobs_seen += jobs;
            std::vector<std::thread> t;
            for (std::size_t j = jobs; j-- > 0;)
                t.emplace_back([&sink, j] { sink.encode_staged(j); });
            for (auto& th : t) th.join();
            sink.commit_staged();
        }
        sink.finish(experiment::count_pointers(sums_));
    }
    EXPECT_GT(jobs_seen, 0u);
    const RunsBytes w = runs_bytes(out("w.h5")), s = runs_bytes(out("s.h5"));
    EXPECT_TRUE(w.values == s.values);
    EXPECT_TRUE(w.chunks == s.chunks);
}

TEST_F(Hdf5SinkTest, CommitWithoutEncodingIsRefusedAndLeavesNoFile) {
    ChunkOptions o;
    o.max_chunk_runs = 1;
    Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false, o);
    sink.begin(spec_, plan_, cfg_, prov_);
    ASSERT_GT(sink.stage_block(0, std::span<const core::RunRecord>(runs_.data(), 2)), 0u);
    EXPECT_THROW(sink.commit_staged(), std::logic_error);
    EXPECT_TRUE(files().empty());
}

TEST_F(Hdf5SinkTest, FilterChoicesKeepTheValues) {
    ChunkOptions plain;
    plain.deflate = -1;
    plain.shuffle = false;
    ChunkOptions fast;
    fast.deflate = 1;
    fast.max_chunk_runs = 2;
    {
        Hdf5Sink a(sco::experiment::stored_statistics(), out("a.h5"), false);
        write_all(a);
        Hdf5Sink b(sco::experiment::stored_statistics(), out("b.h5"), false, plain);
        write_all(b);
        Hdf5Sink c(sco::experiment::stored_statistics(), out("c.h5"), false, fast);
        write_all(c);
    }
    const RunsBytes a = runs_bytes(out("a.h5")), b = runs_bytes(out("b.h5")),
                    c = runs_bytes(out("c.h5"));
    EXPECT_TRUE(a.values == b.values);
    EXPECT_TRUE(a.values == c.values);
    EXPECT_FALSE(a.chunks == b.chunks);  // the filters did change what is stored
}

TEST_F(Hdf5SinkTest, SummaryOnlyAndPerRunTensionAreRecorded) {
    cfg_.summary_only = true;
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out("s.h5"), false);
        write_all(sink);
    }
    cfg_.summary_only = false;
    cfg_.per_run_tension = true;
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out("t.h5"), false);
        write_all(sink);
    }
    const Results s = read_results(out("s.h5")), t = read_results(out("t.h5"));
    EXPECT_TRUE(s.summary_only);
    EXPECT_FALSE(s.per_run_tension);
    EXPECT_TRUE(s.summaries == sco::testing::counts_of(sums_));
    EXPECT_FALSE(t.summary_only);
    EXPECT_TRUE(t.per_run_tension);
    EXPECT_LT(fs::file_size(out("s.h5")), fs::file_size(out("t.h5")));
}

TEST_F(Hdf5SinkTest, LargeScenarioTextIsStoredWhole) {
    std::string text;
    for (int i = 0; text.size() < 300000; ++i) text += "# line " + std::to_string(i) + "\n";
    prov_.scenario_text = text;
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        write_all(sink);
    }
    const Results r = read_results(out());
    EXPECT_EQ(r.provenance.scenario_text, text);
    EXPECT_EQ(r.scenario_sha256, sha256_hex(text));
}

TEST_F(Hdf5SinkTest, ExistingOutputIsRefusedAtConstruction) {
    { std::ofstream(out()) << "precious"; }
    try {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        FAIL() << "no OutputExists";
    } catch (const OutputExists& e) {
        EXPECT_NE(std::string(e.what()).find(out()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
    }
    std::ifstream in(out());
    std::string content;
    in >> content;
    EXPECT_EQ(content, "precious");
    EXPECT_EQ(files().size(), 1u);
}

TEST_F(Hdf5SinkTest, ForceReplacesTheOutputOnlyAtFinish) {
    { std::ofstream(out()) << "old"; }
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), true);
        sink.begin(spec_, plan_, cfg_, prov_);
        EXPECT_EQ(fs::file_size(out()), 3u) << "the old file must stay until finish";
        sink.write_block(0, std::span<const core::RunRecord>(runs_));
        sink.finish(experiment::count_pointers(sums_));
    }
    EXPECT_TRUE(read_results(out()).summaries == sco::testing::counts_of(sums_));
}

TEST_F(Hdf5SinkTest, OutputCreatedByOthersMeanwhileIsNotOverwritten) {
    Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
    sink.begin(spec_, plan_, cfg_, prov_);
    sink.write_block(0, std::span<const core::RunRecord>(runs_));
    { std::ofstream(out()) << "other"; }
    EXPECT_THROW(sink.finish(experiment::count_pointers(sums_)), OutputExists);
    EXPECT_EQ(fs::file_size(out()), 5u);
    EXPECT_EQ(files().size(), 1u) << "the temporary file must be removed";
}

TEST_F(Hdf5SinkTest, TemporaryFileIsNeverAtThePath) {
    Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
    EXPECT_NE(sink.temp_path(), out());
    EXPECT_EQ(fs::path(sink.temp_path()).parent_path(), fs::path(out()).parent_path());
    EXPECT_TRUE(fs::exists(sink.temp_path()));
    sink.begin(spec_, plan_, cfg_, prov_);
    sink.write_block(0, std::span<const core::RunRecord>(runs_.data(), 4));
    EXPECT_FALSE(fs::exists(out()));
    sink.write_block(4, std::span<const core::RunRecord>(runs_.data() + 4, runs_.size() - 4));
    EXPECT_FALSE(fs::exists(out()));
    sink.finish(experiment::count_pointers(sums_));
    EXPECT_TRUE(fs::exists(out()));
    EXPECT_FALSE(fs::exists(sink.temp_path()));
}

TEST_F(Hdf5SinkTest, AbortLeavesNothing) {
    Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
    sink.begin(spec_, plan_, cfg_, prov_);
    sink.write_block(0, std::span<const core::RunRecord>(runs_.data(), 3));
    sink.abort();
    sink.abort();  // twice is harmless
    EXPECT_TRUE(files().empty());
    EXPECT_THROW(sink.write_block(3, std::span<const core::RunRecord>(runs_.data() + 3, 1)),
                 std::logic_error);
}

TEST_F(Hdf5SinkTest, DestructionWithoutFinishLeavesNothing) {
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        sink.begin(spec_, plan_, cfg_, prov_);
        sink.write_block(0, std::span<const core::RunRecord>(runs_.data(), 2));
    }
    EXPECT_TRUE(files().empty());
    { Hdf5Sink never_begun(sco::experiment::stored_statistics(), out(), false); }
    EXPECT_TRUE(files().empty());
}

TEST_F(Hdf5SinkTest, MissingDirectoryFailsAtConstructionNamingTheFile) {
    const std::string bad = (dir_ / "no" / "such" / "dir" / "r.h5").string();
    try {
        Hdf5Sink sink(sco::experiment::stored_statistics(), bad, false);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
}

TEST_F(Hdf5SinkTest, MisuseThrowsAndLeavesNothing) {
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        sink.begin(spec_, plan_, cfg_, prov_);
        EXPECT_THROW(sink.write_block(1, std::span<const core::RunRecord>(runs_.data(), 1)),
                     std::invalid_argument);
    }
    EXPECT_TRUE(files().empty());
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        sink.begin(spec_, plan_, cfg_, prov_);
        sink.write_block(0, std::span<const core::RunRecord>(runs_.data(), 3));
        EXPECT_THROW(sink.finish(experiment::count_pointers(sums_)),
                     std::invalid_argument);  // runs missing
    }
    EXPECT_TRUE(files().empty());
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        sink.begin(spec_, plan_, cfg_, prov_);
        auto bad = runs_;
        bad[2].flags.pop_back();
        EXPECT_THROW(sink.write_block(0, std::span<const core::RunRecord>(bad)),
                     std::invalid_argument);
    }
    EXPECT_TRUE(files().empty());
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        sink.begin(spec_, plan_, cfg_, prov_);
        sink.write_block(0, std::span<const core::RunRecord>(runs_));
        EXPECT_THROW(
            sink.finish(experiment::count_pointers(std::vector<experiment::Summary>{sums_[0]})),
            std::invalid_argument);  // one point short
    }
    EXPECT_TRUE(files().empty());
}

TEST_F(Hdf5SinkTest, ReaderRejectsMissingAndForeignFiles) {
    try {
        (void)read_results(out("missing.h5"));
        FAIL() << "no BadResults";
    } catch (const BadResults& e) {
        EXPECT_NE(std::string(e.what()).find("missing.h5"), std::string::npos) << e.what();
    }
    { std::ofstream(out("text.h5")) << "this is not HDF5\n"; }
    try {
        (void)read_results(out("text.h5"));
        FAIL() << "no BadResults";
    } catch (const BadResults& e) {
        EXPECT_NE(std::string(e.what()).find("text.h5"), std::string::npos) << e.what();
        EXPECT_NE(e.problem.find("not an HDF5 file"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)read_results(dir_.string()), BadResults);
}

TEST_F(Hdf5SinkTest, ReaderRejectsATruncatedFile) {
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out(), false);
        write_all(sink);
    }
    const auto size = fs::file_size(out());
    fs::resize_file(out(), size / 2);
    try {
        (void)read_results(out());
        FAIL() << "no BadResults";
    } catch (const BadResults& e) {
        EXPECT_NE(std::string(e.what()).find(out()), std::string::npos) << e.what();
    }
}

TEST(Sha256, KnownAnswers) {
    // FIPS 180-2 examples.
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

}  // namespace
}  // namespace sco::io
