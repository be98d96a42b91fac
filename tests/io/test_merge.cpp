// Merging shard files: a sweep written as shards and merged equals the same sweep written
// in one file, dataset for dataset and attribute for attribute.
#include "sim/io/merge.h"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>

#include "io/fixtures.h"
#include "io/synthetic.h"
#include "sim/experiment/design.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/inspect.h"
#include "sim/io/results_reader.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;

/// Root attributes that describe the making of a file, not its content.
const std::vector<std::string> kOwnAttrs = {"command_line", "created", "merged_from", "merged_by"};

class MergeTest : public sco::testing::ResultsFileTest {
  protected:
    void SetUp() override {
        make_dir("merge");
        prov_ = {"0.1.0", "abc123", "sco-sim sweep x.yaml", "x.yaml",
                 "format: sco-sim/1\nname: synthetic\n"};
    }
    [[nodiscard]] std::vector<std::string> files() const {
        std::vector<std::string> v;
        for (const auto& e : fs::directory_iterator(dir_)) v.push_back(e.path().filename());
        std::sort(v.begin(), v.end());
        return v;
    }

    /// Two factors on a 3 x 4 grid: 12 points.
    [[nodiscard]] experiment::Design grid() const {
        experiment::Design d;
        d.kind = experiment::DesignKind::Grid;
        experiment::Factor a;
        a.id = 1;
        a.path = "agents.KAZ.sovereignty";
        a.levels = {0.3, 0.4, 0.5};
        experiment::Factor b;
        b.id = 2;
        b.path = "dynamics.dialogue_rate";
        b.levels = {0.1, 0.15, 0.2, 0.25};
        d.factors = {a, b};
        return d;
    }

    /// Three factors, N = 4 base rows: 4 * (3 + 2) = 20 points.
    [[nodiscard]] experiment::Design sobol() const {
        experiment::Design d;
        d.kind = experiment::DesignKind::Sobol;
        d.samples = 4;
        d.seed = 77;
        const char* paths[] = {"agents.UZB.sovereignty", "agents.KAZ.sovereignty",
                               "dynamics.dialogue_rate"};
        for (int i = 0; i < 3; ++i) {
            experiment::Factor f;
            f.id = static_cast<core::ParamId>(i);
            f.path = paths[i];
            f.lo = 0.1;
            f.hi = 0.9;
            d.factors.push_back(f);
        }
        return d;
    }

    /// Writes points [first, last) of the design the way `sco-sim sweep` would: run r of
    /// global point g depends on (seed, g, r) only, and later points have larger max_rounds
    /// (so the shards pad their rounds histograms and size /labels/rounds differently).
    void write(const std::string& file, const experiment::Design& d, std::int64_t first,
               std::int64_t last, std::uint64_t seed = 11, bool summary_only = false,
               bool tension = true) {
        experiment::Plan plan = experiment::make_plan(d, first, last);
        plan.sweep.sweep_text = "design: " + plan.sweep.design + "\n";
        experiment::RunConfig cfg;
        cfg.seed = seed;
        cfg.replications = kReps;
        cfg.summary_only = summary_only;
        cfg.per_run_tension = tension;
        const auto shape = core::shape_of(spec_);
        std::vector<core::RunRecord> runs;
        std::vector<experiment::Summary> sums;
        for (std::int64_t g = first; g < last; ++g) {
            const int mr = 3 + static_cast<int>(g / 5);
            sums.emplace_back(shape, mr);
            for (std::int64_t r = 0; r < kReps; ++r) {
                runs.push_back(testing::make_record(
                    shape, mr, static_cast<std::uint32_t>(seed * 100003 + 1000 * g + r)));
                sums.back().add(runs.back());
            }
        }
        Hdf5Sink sink(sco::experiment::stored_statistics(), file, false);
        sink.begin(spec_, plan, cfg, prov_);
        for (std::size_t i = 0; i < runs.size(); i += 5) {
            const std::size_t n = std::min<std::size_t>(5, runs.size() - i);
            sink.write_block(static_cast<std::int64_t>(i),
                             std::span<const core::RunRecord>(runs.data() + i, n));
        }
        sink.finish(experiment::count_pointers(sums));
    }

    /// The whole design in one file plus `count` shards; returns the shard paths.
    std::vector<std::string> write_sweep(const experiment::Design& d, int count,
                                         bool summary_only = false) {
        const std::int64_t total = experiment::design_size(d);
        write(path("single.h5"), d, 0, total, 11, summary_only);
        std::vector<std::string> shards;
        for (int i = 0; i < count; ++i) {
            const auto [first, last] = experiment::shard_range(total, i, count);
            shards.push_back(path("shard" + std::to_string(i) + ".h5"));
            write(shards.back(), d, first, last, 11, summary_only);
        }
        return shards;
    }

    /// Asserts that two files hold the same objects, datasets byte for byte (type, shape,
    /// chunking and filters included) and the same attributes except the root's own.
    static void expect_identical(const std::string& a, const std::string& b) {
        auto x = inspect_file(a), y = inspect_file(b);
        for (const auto& name : kOwnAttrs) {
            x["/"].attrs.erase(name);
            y["/"].attrs.erase(name);
        }
        std::vector<std::string> xs, ys;
        for (const auto& [k, v] : x) xs.push_back(k);
        for (const auto& [k, v] : y) ys.push_back(k);
        ASSERT_EQ(xs, ys);
        for (const auto& [name, o] : x) {
            const StoredObject& p = y.at(name);
            EXPECT_EQ(o.kind, p.kind) << name;
            EXPECT_EQ(o.type, p.type) << name;
            EXPECT_EQ(o.dims, p.dims) << name;
            EXPECT_EQ(o.maxdims, p.maxdims) << name;
            EXPECT_EQ(o.layout, p.layout) << name;
            EXPECT_TRUE(o.data == p.data) << name << ": the values differ";
            EXPECT_EQ(o.attrs, p.attrs) << name;
        }
    }

    static constexpr std::int64_t kReps = 3;
};

TEST_F(MergeTest, GridShardsGivenOutOfOrderMergeToTheSingleRunFile) {
    const auto shards = write_sweep(grid(), 3);
    const auto report =
        merge_results(sco::experiment::stored_statistics(), {shards[2], shards[0], shards[1]},
                      path("merged.h5"), false, "sco-sim merge ...", "0.2.0", "def456");
    EXPECT_EQ(report.points, 12);
    EXPECT_EQ(report.runs, 12 * kReps);
    EXPECT_EQ(report.inputs, shards) << "inputs are reported in point order";
    expect_identical(path("single.h5"), path("merged.h5"));

    const auto all = inspect_file(path("merged.h5"));
    EXPECT_TRUE(all.contains("/runs/tension"));
    EXPECT_TRUE(all.contains("/points/factor_values"));
    EXPECT_FALSE(all.contains("/sensitivity")) << "a grid has no Sobol indices";
    const auto& root = all.at("/").attrs;
    ASSERT_TRUE(root.contains("merged_from"));
    for (const auto& s : shards) EXPECT_NE(root.at("merged_from").find(s), std::string::npos);
    EXPECT_NE(root.at("merged_by").find("0.2.0 (def456)"), std::string::npos);
    EXPECT_NE(root.at("command_line").find("sco-sim merge ..."), std::string::npos);
    // The shards' tool_version stays: it names the binary that simulated the runs.
    EXPECT_NE(root.at("tool_version").find("0.1.0"), std::string::npos);

    const Results r = read_results(path("merged.h5"));
    EXPECT_EQ(r.design, "grid");
    EXPECT_EQ(r.factors,
              (std::vector<std::string>{"agents.KAZ.sovereignty", "dynamics.dialogue_rate"}));
    ASSERT_EQ(r.factor_values.size(), 12u);
    EXPECT_EQ(r.factor_values[0], (std::vector<double>{0.3, 0.1}));
    EXPECT_EQ(r.factor_values[11], (std::vector<double>{0.5, 0.25}));
    EXPECT_EQ(r.first_point, 0);
    EXPECT_EQ(r.points, 12);
    EXPECT_EQ(r.summaries, read_results(path("single.h5")).summaries);
    EXPECT_EQ(files(), (std::vector<std::string>{"merged.h5", "shard0.h5", "shard1.h5", "shard2.h5",
                                                 "single.h5"}))
        << "a temporary file was left behind";
}

/// Flips bytes in the middle of the first stored chunk of `dataset` in `file`.
void corrupt_first_chunk(const std::string& file, const std::string& dataset) {
    haddr_t addr = 0;
    hsize_t size = 0;
    {
        const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
        ASSERT_GE(d, 0);
        hsize_t offset[8] = {};
        unsigned mask = 0;
        const hid_t sp = H5Dget_space(d);
        ASSERT_GE(H5Dget_chunk_info(d, sp, 0, offset, &mask, &addr, &size), 0);
        H5Sclose(sp);
        H5Dclose(d);
        H5Fclose(f);
    }
    ASSERT_GT(size, 16u);
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(addr + size / 2));
    char bytes[8];
    io.read(bytes, sizeof bytes);
    for (char& b : bytes) b = static_cast<char>(b ^ 0x5a);
    io.seekp(static_cast<std::streamoff>(addr + size / 2));
    io.write(bytes, sizeof bytes);
}

TEST_F(MergeTest, ShardsOnChunkRowsMergeByCopyingTheirStoredChunksWhichAreChecked) {
    // 128 points in two shards of kSummaryChunkPoints (64): the /summary datasets whose type,
    // chunk shape and filters equal the output's are copied as stored, the others (those
    // with a rounds axis: the shards' max_rounds differ) decoded and encoded again; the
    // merged file is the single run's all the same.
    experiment::Design d = grid();
    d.factors[0].levels = {0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45,
                           0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85};
    d.factors[1].levels = {0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24};
    ASSERT_EQ(experiment::design_size(d), 128);
    write(path("single.h5"), d, 0, 128, 11, true);
    write(path("s0.h5"), d, 0, 64, 11, true);
    write(path("s1.h5"), d, 64, 128, 11, true);
    merge_results(sco::experiment::stored_statistics(), {path("s0.h5"), path("s1.h5")},
                  path("merged.h5"), false, "merge", "0.1.0", "abc123");
    expect_identical(path("single.h5"), path("merged.h5"));
    const auto shard = inspect_file(path("s1.h5"));
    EXPECT_EQ(shard.at("/summary/raw/outcome_counts").layout,
              inspect_file(path("merged.h5")).at("/summary/raw/outcome_counts").layout)
        << "the chunks of a 64-point shard line up with the merged file's";

    // A copied chunk is untrusted: with the child's reading skipped (SCO_SIM_READ_UNGUARDED,
    // as in the fuzz targets), a stored chunk that does not decode is still refused, as the
    // input's fault (not a write failure), naming the shard; only the copy says "stored chunk".
    corrupt_first_chunk(path("s1.h5"), "/summary/raw/outcome_counts");
    ASSERT_EQ(setenv("SCO_SIM_READ_UNGUARDED", "1", 1), 0);
    try {
        merge_results(sco::experiment::stored_statistics(), {path("s0.h5"), path("s1.h5")},
                      path("m2.h5"), false, "merge", "0.1.0", "abc123");
        ADD_FAILURE() << "a corrupt stored chunk was copied";
    } catch (const MergeWriteError& e) {
        ADD_FAILURE() << "reported as a write failure: " << e.what();
    } catch (const MergeError& e) {
        EXPECT_NE(std::string(e.what()).find(path("s1.h5")), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("stored chunk"), std::string::npos) << e.what();
    }
    ASSERT_EQ(unsetenv("SCO_SIM_READ_UNGUARDED"), 0);
    // Guarded (the default), the child's reading of every object refuses it first.
    EXPECT_THROW(merge_results(sco::experiment::stored_statistics(), {path("s0.h5"), path("s1.h5")},
                               path("m2.h5"), false, "merge", "0.1.0", "abc123"),
                 BadResults);
    EXPECT_FALSE(fs::exists(path("m2.h5")));
}

TEST_F(MergeTest, TheComparisonSeesEveryDifference) {
    // expect_identical is only as good as inspect_file: it must see data, attributes and
    // storage, so check that it tells apart files that differ in each.
    write(path("a.h5"), grid(), 0, 12);
    write(path("b.h5"), grid(), 0, 12, 12);  // another seed: other runs
    const auto a = inspect_file(path("a.h5")), b = inspect_file(path("b.h5"));
    EXPECT_GT(a.size(), 80u);
    EXPECT_NE(a.at("/runs/outcome").data, b.at("/runs/outcome").data);
    EXPECT_NE(a.at("/summary/raw/outcome_counts").data, b.at("/summary/raw/outcome_counts").data);
    EXPECT_NE(a.at("/").attrs.at("seed"), b.at("/").attrs.at("seed"));
    EXPECT_EQ(a.at("/labels/agents"), b.at("/labels/agents"));
    EXPECT_NE(a.at("/runs/outcome").layout.find("chunked"), std::string::npos);
    EXPECT_NE(a.at("/runs/outcome").type.find("=6"), std::string::npos) << "enum names";
    EXPECT_EQ(a.at("/labels/rounds").dims, (std::vector<std::uint64_t>{5}));
    write(path("c.h5"), grid(), 0, 8);  // max_rounds 3..4 only
    EXPECT_EQ(inspect_file(path("c.h5")).at("/labels/rounds").dims,
              (std::vector<std::uint64_t>{4}));
}

TEST_F(MergeTest, SobolShardsMergeWithTheSensitivityOfTheWholeSweep) {
    const auto shards = write_sweep(sobol(), 2);
    for (const auto& s : shards)
        EXPECT_FALSE(inspect_file(s).contains("/sensitivity")) << "a shard is not the whole sweep";
    merge_results(sco::experiment::stored_statistics(), {shards[1], shards[0]}, path("merged.h5"),
                  false, "merge", "0.1.0", "abc123");
    expect_identical(path("single.h5"), path("merged.h5"));

    const auto all = inspect_file(path("merged.h5"));
    for (const char* name : {"first", "first_lo", "first_hi", "total", "total_lo", "total_hi"}) {
        const std::string p = std::string("/sensitivity/") + name;
        ASSERT_TRUE(all.contains(p)) << p;
        const auto& o = all.at(p);
        EXPECT_EQ(o.dims, (std::vector<std::uint64_t>{3, 3, 2})) << p;  // factor, period, proposal
        EXPECT_NE(o.attrs.at("axes").find("factor,period,proposal"), std::string::npos);
        std::vector<double> v(o.data.size() / sizeof(double));
        std::memcpy(v.data(), o.data.data(), o.data.size());
        EXPECT_TRUE(std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); }))
            << p << " is all NaN";
    }
    const Results r = read_results(path("merged.h5"));
    EXPECT_EQ(r.design, "sobol");
    EXPECT_EQ(r.design_samples, 4);
    EXPECT_EQ(r.design_seed, 77u);
    EXPECT_EQ(r.factors.size(), 3u);
}

TEST_F(MergeTest, SummaryOnlyShardsMerge) {
    const auto shards = write_sweep(grid(), 3, true);
    merge_results(sco::experiment::stored_statistics(), shards, path("merged.h5"), false, "merge",
                  "0.1.0", "abc123");
    expect_identical(path("single.h5"), path("merged.h5"));
    EXPECT_FALSE(inspect_file(path("merged.h5")).contains("/runs"));
}

TEST_F(MergeTest, OneShardOfTheWholeSweepMergesToItself) {
    write(path("single.h5"), grid(), 0, 12);
    merge_results(sco::experiment::stored_statistics(), {path("single.h5")}, path("merged.h5"),
                  false, "merge", "0.1.0", "abc123");
    expect_identical(path("single.h5"), path("merged.h5"));
}

TEST_F(MergeTest, MissingShardIsNamedByItsPoints) {
    const auto shards = write_sweep(grid(), 3);
    try {
        merge_results(sco::experiment::stored_statistics(), {shards[0], shards[2]},
                      path("merged.h5"), false, "merge", "0.1.0", "abc123");
        FAIL() << "merged with a shard missing";
    } catch (const MergeError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "points 4-7 are missing: is the shard for them still running or failed?"),
                  std::string::npos)
            << e.what();
    }
    try {
        merge_results(sco::experiment::stored_statistics(), {shards[0], shards[1]},
                      path("merged.h5"), false, "merge", "0.1.0", "abc123");
        FAIL() << "merged with the last shard missing";
    } catch (const MergeError& e) {
        EXPECT_NE(std::string(e.what()).find("points 8-11 are missing"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(path("merged.h5")));
    for (const auto& f : files()) EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
}

TEST_F(MergeTest, DuplicatedShardNamesBothFiles) {
    const auto shards = write_sweep(grid(), 3);
    fs::copy_file(shards[1], path("copy_of_shard1.h5"));
    try {
        merge_results(sco::experiment::stored_statistics(),
                      {shards[0], shards[1], shards[2], path("copy_of_shard1.h5")},
                      path("merged.h5"), false, "merge", "0.1.0", "abc123");
        FAIL() << "merged a shard twice";
    } catch (const MergeError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("shard1.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("copy_of_shard1.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("duplicates"), std::string::npos) << msg;
        EXPECT_NE(msg.find("points 4-7"), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(path("merged.h5")));
}

TEST_F(MergeTest, OverlappingShardsOfDifferentSplitsAreNamed) {
    const auto shards = write_sweep(grid(), 3);  // 0-3, 4-7, 8-11
    write(path("half.h5"), grid(), 6, 12);       // overlaps shard1 and shard2
    try {
        merge_results(sco::experiment::stored_statistics(),
                      {shards[0], shards[1], path("half.h5"), shards[2]}, path("merged.h5"), false,
                      "merge", "0.1.0", "abc123");
        FAIL() << "merged overlapping shards";
    } catch (const MergeError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("half.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("overlap"), std::string::npos) << msg;
        EXPECT_NE(msg.find("points 6-7"), std::string::npos) << msg;
    }
}

TEST_F(MergeTest, ShardsOfAnotherSeedOrScenarioAreRefused) {
    const auto shards = write_sweep(grid(), 3);
    write(path("other_seed.h5"), grid(), 4, 8, 12);
    try {
        merge_results(sco::experiment::stored_statistics(),
                      {shards[0], path("other_seed.h5"), shards[2]}, path("merged.h5"), false,
                      "merge", "0.1.0", "abc123");
        FAIL() << "merged shards of different seeds";
    } catch (const MergeError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("other_seed.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("seed 12"), std::string::npos) << msg;
        EXPECT_NE(msg.find("shard0.h5"), std::string::npos) << msg;
    }
    prov_.scenario_text += "# edited\n";
    write(path("other_scenario.h5"), grid(), 4, 8);
    try {
        merge_results(sco::experiment::stored_statistics(),
                      {shards[0], path("other_scenario.h5"), shards[2]}, path("merged.h5"), false,
                      "merge", "0.1.0", "abc123");
        FAIL() << "merged shards of different scenarios";
    } catch (const MergeError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("other_scenario.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("scenario"), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(path("merged.h5")));
}

TEST_F(MergeTest, ShardsOfAnotherDesignAreRefused) {
    const auto shards = write_sweep(grid(), 3);
    experiment::Design d = grid();
    d.factors[1].path = "agents.UZB.sovereignty";
    d.factors[1].id = 0;
    write(path("other_design.h5"), d, 4, 8);
    try {
        merge_results(sco::experiment::stored_statistics(),
                      {shards[0], path("other_design.h5"), shards[2]}, path("merged.h5"), false,
                      "merge", "0.1.0", "abc123");
        FAIL() << "merged shards of different designs";
    } catch (const MergeError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("other_design.h5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("/labels/factors"), std::string::npos) << msg;
    }
    // Summary-only shards do not mix with full ones.
    write(path("summary_only.h5"), grid(), 4, 8, 11, true);
    try {
        merge_results(sco::experiment::stored_statistics(),
                      {shards[0], path("summary_only.h5"), shards[2]}, path("merged.h5"), false,
                      "merge", "0.1.0", "abc123");
        FAIL() << "merged summary-only with full shards";
    } catch (const MergeError& e) {
        EXPECT_NE(std::string(e.what()).find("summary_only"), std::string::npos) << e.what();
    }
}

TEST_F(MergeTest, ExistingOutputIsRefusedWithoutForceAndUntouched) {
    const auto shards = write_sweep(grid(), 3);
    {
        std::ofstream o(path("merged.h5"));
        o << "keep me";
    }
    EXPECT_THROW(merge_results(sco::experiment::stored_statistics(), shards, path("merged.h5"),
                               false, "merge", "0.1.0", "abc123"),
                 OutputExists);
    {
        std::ifstream i(path("merged.h5"));
        std::string s;
        std::getline(i, s);
        EXPECT_EQ(s, "keep me");
    }
    merge_results(sco::experiment::stored_statistics(), shards, path("merged.h5"), true, "merge",
                  "0.1.0", "abc123");
    expect_identical(path("single.h5"), path("merged.h5"));
    // An input is never the output, even with force.
    EXPECT_THROW(merge_results(sco::experiment::stored_statistics(), shards, shards[0], true,
                               "merge", "0.1.0", "abc123"),
                 MergeError);
    EXPECT_NO_THROW(read_results(shards[0]));
}

TEST_F(MergeTest, AStopRequestLeavesNothing) {
    const auto shards = write_sweep(grid(), 3);
    const std::atomic<bool> stop{true};
    EXPECT_THROW(merge_results(sco::experiment::stored_statistics(), shards, path("merged.h5"),
                               false, "merge", "0.1.0", "abc123", &stop),
                 MergeInterrupted);
    EXPECT_EQ(files(),
              (std::vector<std::string>{"shard0.h5", "shard1.h5", "shard2.h5", "single.h5"}));
}

TEST_F(MergeTest, InputsThatAreNotResultsFilesAreNamed) {
    const auto shards = write_sweep(grid(), 3);
    {
        std::ofstream o(path("junk.h5"));
        o << "not hdf5";
    }
    try {
        merge_results(sco::experiment::stored_statistics(), {shards[0], path("junk.h5")},
                      path("merged.h5"), false, "merge", "0.1.0", "abc123");
        FAIL();
    } catch (const BadResults& e) {
        EXPECT_NE(std::string(e.what()).find("junk.h5"), std::string::npos) << e.what();
    }
    EXPECT_THROW(merge_results(sco::experiment::stored_statistics(), {}, path("merged.h5"), false,
                               "merge", "0.1.0", "abc123"),
                 MergeError);
    EXPECT_FALSE(fs::exists(path("merged.h5")));
}

TEST_F(MergeTest, PlainRunRecordsAnEmptyDesign) {
    experiment::Plan plan;  // one point, no overrides, no sweep
    experiment::RunConfig cfg;
    cfg.replications = 2;
    const auto runs = testing::make_runs(spec_, plan, 2, 4);
    const auto sums = testing::summarise(spec_, plan, runs, 2, 4);
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), path("plain.h5"), false);
        sink.begin(spec_, plan, cfg, prov_);
        sink.write_block(0, runs);
        sink.finish(experiment::count_pointers(sums));
    }
    const Results r = read_results(path("plain.h5"));
    EXPECT_EQ(r.design, "");
    EXPECT_TRUE(r.factors.empty());
    ASSERT_EQ(r.factor_values.size(), 1u);
    EXPECT_TRUE(r.factor_values[0].empty());
    const auto all = inspect_file(path("plain.h5"));
    EXPECT_EQ(all.at("/points/factor_values").dims, (std::vector<std::uint64_t>{1, 0}));
    EXPECT_EQ(all.at("/labels/factors").dims, (std::vector<std::uint64_t>{0}));
    EXPECT_FALSE(all.contains("/sensitivity"));
}

}  // namespace
}  // namespace sco::io
