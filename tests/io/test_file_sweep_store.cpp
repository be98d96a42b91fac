// sim/io/file_sweep_store.cpp: io::SweepStore on files (exists, the slice check that
// --resume trusts, refusing an existing output, folders). The merge is io::merge_results,
// tested in test_merge.cpp.
#include "sim/io/file_sweep_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "io/synthetic.h"
#include "sim/io/errors.h"
#include "sim/io/inspect.h"
#include "sim/io/results_reader.h"

using namespace sco;
namespace fs = std::filesystem;

namespace {

class SweepStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("sco-store-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    [[nodiscard]] std::string at(const std::string& name) const { return (dir_ / name).string(); }

    /// Writes points [first, first + 2) of a 10-point sweep `id` through the store.
    void write(io::FileSweepStore& store, const std::string& name, const std::string& id,
               std::int64_t first, bool overwrite = false, bool part = false) {
        const core::ModelSpec spec = sco::testing::make_spec();
        experiment::Plan plan;
        plan.points.resize(2);
        plan.first_point = first;
        plan.total_points = 10;
        plan.sweep.id = id;
        experiment::RunConfig cfg;
        cfg.replications = 3;
        const auto runs = sco::testing::make_runs(spec, plan, 3, 4);
        auto sums = sco::testing::summarise(spec, plan, runs, 3, 4);
        auto sink = part ? store.create_part(name) : store.create(name, overwrite);
        sink->begin(spec, plan, cfg, {"0.1.0", "abc", "test", "x.yaml", "name: x\n"});
        sink->write_block(0, runs);
        ASSERT_TRUE(sink->streams_summaries());  // io::Hdf5Sink
        for (std::size_t k = 0; k < sums.size(); ++k)
            sink->write_summary(static_cast<std::int64_t>(k), std::move(sums[k]));
        sink->finish({});
    }

    fs::path dir_;
    io::FileSweepStore store_{sco::experiment::stored_statistics(), "sco-sim sweep test", "0.1.0",
                              "abc", nullptr};
};

}  // namespace

TEST_F(SweepStoreTest, AWrittenSliceIsCompleteOnlyForItsSweepAndPoints) {
    write(store_, at("p.h5"), "sweep-1", 4);
    EXPECT_TRUE(store_.exists(at("p.h5")));
    EXPECT_EQ(store_.not_this_slice(at("p.h5"), "sweep-1", {4, 6}), "");
    EXPECT_EQ(store_.not_this_slice(at("p.h5"), "sweep-2", {4, 6}),
              "it belongs to another sweep (different parameters, design, seed or runs)");
    EXPECT_EQ(store_.not_this_slice(at("p.h5"), "sweep-1", {4, 5}), "it holds other points");
    EXPECT_EQ(store_.not_this_slice(at("p.h5"), "sweep-1", {2, 4}), "it holds other points");
}

TEST_F(SweepStoreTest, WhatIsNotAResultsFileIsNotASlice) {
    EXPECT_EQ(store_.not_this_slice(at("none.h5"), "s", {0, 1}), "it is not a regular file");
    store_.make_folder(at("d/e"));
    EXPECT_TRUE(fs::is_directory(at("d/e")));
    EXPECT_EQ(store_.not_this_slice(at("d"), "s", {0, 1}), "it is not a regular file");
    std::ofstream(at("junk.h5")) << "not HDF5";
    EXPECT_NE(store_.not_this_slice(at("junk.h5"), "s", {0, 1}), "");  // the reader's message
}

TEST_F(SweepStoreTest, AnExistingOutputIsRefusedWithoutOverwrite) {
    write(store_, at("p.h5"), "sweep-1", 0);
    EXPECT_THROW(store_.refuse_existing(at("p.h5"), false), io::OutputExists);
    EXPECT_NO_THROW(store_.refuse_existing(at("p.h5"), true));
    EXPECT_NO_THROW(store_.refuse_existing(at("other.h5"), false));
    EXPECT_THROW(store_.create(at("p.h5"), false), io::OutputExists);
    write(store_, at("p.h5"), "sweep-2", 0, /*overwrite=*/true);
    EXPECT_EQ(store_.not_this_slice(at("p.h5"), "sweep-2", {0, 2}), "");
}

TEST_F(SweepStoreTest, AnAbortedSinkLeavesNothing) {
    {
        auto sink = store_.create(at("a.h5"), false);
        sink->abort();
    }
    EXPECT_FALSE(store_.exists(at("a.h5")));
    for (const auto& e : fs::directory_iterator(dir_)) ADD_FAILURE() << e.path();
}

TEST_F(SweepStoreTest, RemoveAllRemovesAFolderWithItsPartsAndToleratesNone) {
    store_.make_folder(at("o.h5.parts"));
    write(store_, at("o.h5.parts/points-0.h5"), "s", 0);
    store_.remove_all(at("o.h5.parts"));
    EXPECT_FALSE(store_.exists(at("o.h5.parts")));
    EXPECT_NO_THROW(store_.remove_all(at("o.h5.parts")));
}

TEST_F(SweepStoreTest, PartsCompressSummariesCheaplyReadAndMergeAsResults) {
    // A local sweep's temporary parts (create_part) compress /summary as every results file
    // does (deflate 1 without shuffle, so that the merge copies their stored chunks): they
    // read back as the same results, pass the resume check, and merge into the very file
    // that ordinary results files give.
    store_.make_folder(at("a"));
    store_.make_folder(at("b"));
    std::vector<std::string> plain, parts;
    for (std::int64_t first = 0; first < 10; first += 2) {
        const std::string name = "points-" + std::to_string(first) + ".h5";
        plain.push_back(at("a/" + name));
        parts.push_back(at("b/" + name));
        write(store_, plain.back(), "s", first);
        write(store_, parts.back(), "s", first, false, /*part=*/true);
        EXPECT_EQ(store_.not_this_slice(parts.back(), "s", {first, first + 2}), "");
        const io::Results x = io::read_results(plain.back()), y = io::read_results(parts.back());
        EXPECT_EQ(x.summaries, y.summaries);
        EXPECT_EQ(x.runs, y.runs);
        const auto a = io::inspect_file(plain.back()), b = io::inspect_file(parts.back());
        for (const auto& [name, o] : b) {
            if (name.rfind("/summary", 0) == 0 && o.kind == "dataset") {
                EXPECT_EQ(o.data, a.at(name).data) << name;
                if (o.layout.rfind("chunked", 0) == 0) {  // deflate 1 (id 1), no shuffle (2)
                    EXPECT_NE(o.layout.find("filters[1(1 ),]"), std::string::npos) << name;
                    EXPECT_EQ(o.layout, a.at(name).layout) << name;
                }
            }
            if (name.rfind("/runs/", 0) == 0) {
                EXPECT_EQ(o.layout, a.at(name).layout) << name;
            }
        }
    }
    // Written twice: the second time over the existing part (create_part replaces it).
    write(store_, parts.back(), "s", 8, false, /*part=*/true);
    store_.merge(plain, at("a.h5"), false);
    store_.merge(parts, at("b.h5"), false);
    auto x = io::inspect_file(at("a.h5")), y = io::inspect_file(at("b.h5"));
    for (const char* own : {"created", "merged_from"}) {
        x["/"].attrs.erase(own);
        y["/"].attrs.erase(own);
    }
    ASSERT_EQ(x.size(), y.size());
    for (const auto& [name, o] : x) {
        ASSERT_TRUE(y.contains(name)) << name;
        EXPECT_TRUE(o == y.at(name)) << name;
    }
    EXPECT_NE(x.at("/summary/raw/outcome_counts").layout.find("filters[1(1 ),]"), std::string::npos)
        << "the merged file's summaries are compressed as every results file's (and the parts')";
}
