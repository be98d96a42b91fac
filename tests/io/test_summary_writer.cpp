// io/summary_writer: /summary stores exactly what it is given, the raw counts of each
// Summary and the derived arrays experiment computes (experiment/statistics.h), and
// /labels/tension_pairs; it computes nothing. Written through Hdf5Sink (both the streaming
// and the all-at-once path), read back byte for byte with io::inspect_file.
#include "sim/io/summary_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <span>

#include "io/fixtures.h"
#include "io/synthetic.h"
#include "sim/experiment/statistics.h"
#include "sim/io/h5.h"
#include "sim/io/hdf5_sink.h"
#include "sim/io/inspect.h"
#include "sim/io/layout.h"
#include "sim/io/results_reader.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;

template <typename T>
std::string bytes_of(const std::vector<T>& v) {
    std::string out(v.size() * sizeof(T), '\0');
    if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
    return out;
}

class SummaryWriterTest : public sco::testing::ResultsFileTest {
  protected:
    void SetUp() override {
        make_dir("sw");
        plan_.points.resize(3);
        plan_.total_points = 3;
        cfg_.replications = kReps;
        cfg_.summary_only = true;
        prov_ = {"0.1.0", "abc123", "sco-sim run x.yaml", "x.yaml", "name: x\n"};
        runs_ = testing::make_runs(spec_, plan_, kReps, kMaxRounds);
        // Keep the tension histogram of pair 1 (UZB-TJK) only.
        const auto shape = core::shape_of(spec_);
        sums_.assign(3, experiment::Summary(shape, kMaxRounds, {1}));
        for (std::size_t i = 0; i < runs_.size(); ++i) sums_[i / kReps].add(runs_[i]);
    }
    /// begin and every run (summary-only: only counted).
    void start(Hdf5Sink& sink) {
        sink.begin(spec_, plan_, cfg_, prov_);
        sink.write_block(0, std::span<const core::RunRecord>(runs_));
    }
    [[nodiscard]] std::string out(const std::string& name) const { return (dir_ / name).string(); }

    static constexpr std::int64_t kReps = 7;
    static constexpr int kMaxRounds = 4;
};

TEST_F(SummaryWriterTest, StoresTheRawCountsAndTheDerivedArraysAsGiven) {
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out("a.h5"), false);
        start(sink);
        sink.finish(experiment::count_pointers(sums_));
    }
    const auto f = inspect_file(out("a.h5"));
    // Raw counts: each point's Summary member, one row per point.
    for (const auto& field : layout::raw_fields()) {
        std::vector<std::int64_t> want;
        for (const auto& s : sums_) {
            const auto& v = s.*field.member;
            want.insert(want.end(), v.begin(), v.end());
        }
        const auto& got = f.at(std::string(layout::kRaw) + "/" + field.name);
        EXPECT_EQ(got.data, bytes_of(want)) << field.name;
        EXPECT_EQ(got.dims.front(), 3u) << field.name;
    }
    const auto& hist = f.at("/summary/raw/tension_hist");
    EXPECT_EQ(hist.dims, (std::vector<std::uint64_t>{3, 3, 1, experiment::kTensionBins}));
    EXPECT_EQ(f.at("/labels/tension_pairs").data, bytes_of(std::vector<std::int64_t>{1}));
    // Derived: exactly what experiment::derived_arrays returns, in shape and bytes.
    const auto derived = experiment::derived_arrays(core::shape_of(spec_), kMaxRounds + 1, sums_);
    ASSERT_FALSE(derived.empty());
    for (const auto& a : derived) {
        const auto& got = f.at("/summary/" + a.name);
        std::vector<std::uint64_t> dims{3};
        for (auto n : a.dims) dims.push_back(n);
        EXPECT_EQ(got.dims, dims) << a.name;
        EXPECT_EQ(got.data, a.integer ? bytes_of(a.ints) : bytes_of(a.reals)) << a.name;
        EXPECT_NE(got.attrs.at("description").find(a.description.substr(0, 20)), std::string::npos)
            << a.name;
    }
    // Nothing else under /summary but raw.
    std::size_t children = 0;
    for (const auto& [path, obj] : f)
        if (path.rfind("/summary/", 0) == 0 && path.rfind("/summary/raw", 0) != 0) ++children;
    EXPECT_EQ(children, derived.size());
}

TEST_F(SummaryWriterTest, StreamingAndAllAtOnceStoreTheSameAndReadBack) {
    {
        Hdf5Sink a(sco::experiment::stored_statistics(), out("a.h5"), false);
        start(a);
        a.finish(experiment::count_pointers(sums_));
        Hdf5Sink b(sco::experiment::stored_statistics(), out("b.h5"), false);
        start(b);
        for (std::size_t k = 0; k < sums_.size(); ++k) {
            auto copy = sums_[k];
            b.write_summary(static_cast<std::int64_t>(k), std::move(copy));
        }
        b.finish({});
    }
    auto fa = inspect_file(out("a.h5")), fb = inspect_file(out("b.h5"));
    fa.erase("/");
    fb.erase("/");  // root attributes hold the creation time
    EXPECT_TRUE(fa == fb);
    const Results r = read_results(out("b.h5"));
    EXPECT_EQ(r.tension_pairs, (std::vector<int>{1}));
    ASSERT_EQ(r.summaries.size(), 3u);
    EXPECT_TRUE(r.summaries == sco::testing::counts_of(sums_));
}

TEST_F(SummaryWriterTest, ReadSummaryRowsRebuildsTheTrackedSummaries) {
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out("a.h5"), false);
        start(sink);
        sink.finish(experiment::count_pointers(sums_));
    }
    const Results r = read_results(out("a.h5"));
    EXPECT_EQ(r.summaries[2].tension_hist.size(),
              static_cast<std::size_t>(3) * 1 * experiment::kTensionBins);
    EXPECT_EQ(r.summaries[2].tension_pairs, (std::vector<int>{1}));
}

TEST_F(SummaryWriterTest, SensitivityStoresTheGivenIndicesAndRefusesAMisfit) {
    experiment::SensitivityArrays a;
    a.factors = 2;
    a.periods = 3;
    a.proposals = 2;
    a.bootstrap = 17;
    for (std::size_t i = 0; i < 12; ++i) {
        a.first.push_back(0.01 * static_cast<double>(i));
        a.first_lo.push_back(-1.0 * static_cast<double>(i));
        a.first_hi.push_back(1.0 + static_cast<double>(i));
        a.total.push_back(0.5);
        a.total_lo.push_back(0.25);
        a.total_hi.push_back(0.75);
    }
    cfg_.summary_only = true;
    // Store it in a file made by the sink, then add the group with the writer.
    {
        Hdf5Sink sink(sco::experiment::stored_statistics(), out("a.h5"), false);
        start(sink);
        sink.finish(experiment::count_pointers(sums_));
    }
    {
        h5::Handle file = h5::file(H5Fopen(out("a.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open");
        write_sensitivity(file.get(), a);
        auto bad = a;
        bad.total.pop_back();
        H5Ldelete(file.get(), "/sensitivity", H5P_DEFAULT);
        EXPECT_THROW(write_sensitivity(file.get(), bad), std::invalid_argument);
        write_sensitivity(file.get(), a);
        h5::Handle g = h5::group(H5Gopen2(file.get(), "/sensitivity", H5P_DEFAULT), "open");
        EXPECT_EQ(h5::read_attr_int(g.get(), "bootstrap"), 17);
    }
    const auto f = inspect_file(out("a.h5"));
    EXPECT_EQ(f.at("/sensitivity/first").data, bytes_of(a.first));
    EXPECT_EQ(f.at("/sensitivity/first_lo").data, bytes_of(a.first_lo));
    EXPECT_EQ(f.at("/sensitivity/total_hi").data, bytes_of(a.total_hi));
    EXPECT_EQ(f.at("/sensitivity/first").dims, (std::vector<std::uint64_t>{2, 3, 2}));
}

TEST_F(SummaryWriterTest, ChunksAreTheSameOnAnyThreadCountAndBlockSplit) {
    // The writer compresses whole chunks on its threads and writes them with H5Dwrite_chunk:
    // the stored chunks (layout and values) do not depend on the threads or on how the
    // points arrive (all at once, one at a time), with or without compression.
    const auto shape = core::shape_of(spec_);
    auto write = [&](const std::string& name, int threads, bool one_by_one, h5::Filters f) {
        h5::Handle fapl = h5::file_access();
        h5::Handle file = h5::file(
            H5Fcreate(out(name).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "creating");
        (void)h5::create_group(file.get(), layout::kLabels);
        SummaryGroupWriter w(file.get(), sco::experiment::stored_statistics(), shape, 3, kMaxRounds,
                             {1}, f, threads);
        const auto counts = sco::testing::counts_of(sums_);
        if (one_by_one) {
            for (auto c : counts) w.add(std::move(c));
        } else {
            std::vector<const core::SummaryCounts*> block;
            for (const auto& c : counts) block.push_back(&c);
            w.write(block);
        }
        w.finish();
        ASSERT_TRUE(file.close());
    };
    write("t1.h5", 1, false, {});
    write("t4.h5", 4, false, {});
    write("t3.h5", 3, true, {});
    write("u1.h5", 1, false, {-1, false});
    write("u2.h5", 2, true, {-1, false});
    const auto t1 = inspect_file(out("t1.h5"));
    EXPECT_TRUE(t1 == inspect_file(out("t4.h5")));
    EXPECT_TRUE(t1 == inspect_file(out("t3.h5")));
    const auto u1 = inspect_file(out("u1.h5"));
    EXPECT_TRUE(u1 == inspect_file(out("u2.h5")));
    // The same values compressed or not, and as given.
    ASSERT_EQ(t1.size(), u1.size());
    for (const auto& [name, o] : t1) EXPECT_EQ(o.data, u1.at(name).data) << name;
    std::string raw;
    for (const auto& s : sums_) raw += bytes_of(s.outcome_counts);
    EXPECT_EQ(t1.at("/summary/raw/outcome_counts").data, raw);
    EXPECT_NE(t1.at("/summary/raw/outcome_counts").layout.find("filters[2("), std::string::npos);
    EXPECT_NE(u1.at("/summary/raw/outcome_counts").layout.find("filters[]"), std::string::npos);
}

}  // namespace
}  // namespace sco::io
