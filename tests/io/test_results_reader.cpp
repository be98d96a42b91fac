// sim/io/results_reader: a results file back into labels, provenance, the sweep design and
// exact per-point Summaries; format 1 files stay readable; every damaged or foreign file
// is a BadResults naming the file and the problem, guarded or not, and nothing is printed.
#include "sim/io/results_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>

#include "io/fixtures.h"
#include "io/synthetic.h"
#include "sim/experiment/design.h"
#include "sim/io/h5.h"
#include "sim/io/hdf5_sink.h"

namespace sco::io {
namespace {

namespace fs = std::filesystem;
using h5::Handle;

class ResultsReaderTest : public sco::testing::ResultsFileTest {
  protected:
    void SetUp() override {
        make_dir("reader");
        prov_ = {"0.1.0", "abc123", "sco-sim sweep x.yaml", "x.yaml",
                 "format: sco-sim/1\nname: synthetic\n"};
    }

    /// A 2 x 2 grid over two parameters, points [first, last), written by Hdf5Sink.
    void write(const std::string& file, std::int64_t first = 0, std::int64_t last = 4,
               bool summary_only = false) {
        experiment::Design d;
        d.kind = experiment::DesignKind::Grid;
        experiment::Factor a;
        a.id = 1;
        a.path = "agents.KAZ.sovereignty";
        a.levels = {0.3, 0.5};
        experiment::Factor b;
        b.id = 2;
        b.path = "dynamics.dialogue_rate";
        b.levels = {0.1, 0.2};
        d.factors = {a, b};
        experiment::Plan plan = experiment::make_plan(d, first, last);
        plan.sweep.sweep_text = "design: grid\n";
        plan.sweep.id = "feedface";
        experiment::RunConfig cfg;
        cfg.seed = 99;
        cfg.replications = kReps;
        cfg.summary_only = summary_only;
        const auto shape = core::shape_of(spec_);
        std::vector<core::RunRecord> runs;
        sums_.clear();
        for (std::int64_t g = first; g < last; ++g) {
            const int mr = 2 + static_cast<int>(g);  // differing max_rounds: padded histograms
            sums_.emplace_back(shape, mr);
            for (std::int64_t r = 0; r < kReps; ++r) {
                runs.push_back(
                    testing::make_record(shape, mr, static_cast<std::uint32_t>(100 * g + r + 1)));
                sums_.back().add(runs.back());
            }
        }
        Hdf5Sink sink(sco::experiment::stored_statistics(), file, false);
        sink.begin(spec_, plan, cfg, prov_);
        sink.write_block(0, std::span<const core::RunRecord>(runs.data(), runs.size()));
        sink.finish(experiment::count_pointers(sums_));
    }

    /// Writes the file, then changes it with the HDF5 C API.
    std::string damaged(const std::string& name, const std::function<void(hid_t)>& change) {
        const std::string p = path(name);
        write(p);
        h5::QuietErrors quiet;
        Handle f = h5::file(H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "opening");
        change(f.get());
        return p;
    }

    /// Both readers refuse `p` with a BadResults naming it whose problem contains `part`.
    static void expect_refused(const std::string& p, const std::string& part) {
        for (const bool guarded : {true, false}) {
            try {
                (void)(guarded ? read_results(p) : read_results_unguarded(p));
                ADD_FAILURE() << p << " was read (guarded " << guarded << ")";
            } catch (const BadResults& e) {
                EXPECT_EQ(e.path, p);
                EXPECT_NE(e.problem.find(part), std::string::npos)
                    << "guarded " << guarded << ": " << e.what() << "\nexpected: " << part;
                EXPECT_EQ(
                    std::string(e.what()).rfind(p + ": not a usable sco-sim results file: ", 0), 0u)
                    << e.what();
            }
        }
    }

    static constexpr std::int64_t kReps = 4;
};

void replace_string_attr(hid_t obj, const char* name, const std::string& value) {
    H5Adelete(obj, name);
    h5::set_attr(obj, name, value);
}

void replace_int_attr(hid_t obj, const char* name, std::int64_t value) {
    H5Adelete(obj, name);
    h5::set_attr(obj, name, value);
}

TEST_F(ResultsReaderTest, ASweepShardIsReadBackWithItsDesignAndExactSummaries) {
    write(path("s.h5"), 1, 3);
    const Results r = read_results(path("s.h5"));
    EXPECT_EQ(r.path, path("s.h5"));
    EXPECT_EQ(r.format, kResultsFormat);
    EXPECT_EQ(r.points, 2);
    EXPECT_EQ(r.first_point, 1);
    EXPECT_EQ(r.total_points, 4);
    EXPECT_EQ(r.replications, kReps);
    EXPECT_EQ(r.runs, 2 * kReps);
    EXPECT_EQ(r.seed, 99u);
    EXPECT_EQ(r.design, "grid");
    EXPECT_EQ(r.sweep_text, "design: grid\n");
    EXPECT_EQ(r.sweep_id, "feedface");
    EXPECT_EQ(r.factors,
              (std::vector<std::string>{"agents.KAZ.sovereignty", "dynamics.dialogue_rate"}));
    // Grid: the first factor varies slowest; global points 1 and 2.
    ASSERT_EQ(r.factor_values.size(), 2u);
    EXPECT_EQ(r.factor_values[0], (std::vector<double>{0.3, 0.2}));
    EXPECT_EQ(r.factor_values[1], (std::vector<double>{0.5, 0.1}));
    ASSERT_EQ(r.summaries.size(), 2u);
    // Points with different max_rounds: the padded rounds histograms come back unpadded.
    EXPECT_TRUE(r.summaries[0] == sums_[0]);
    EXPECT_TRUE(r.summaries[1] == sums_[1]);
    EXPECT_EQ(r.labels.agents, (std::vector<std::string>{"UZB", "KAZ", "TJK"}));
    EXPECT_EQ(r.labels.pairs.size(), 3u);
    EXPECT_EQ(r.labels.periods, (std::vector<int>{2014, 2015, 2016}));
    EXPECT_FALSE(r.summary_only);
    // The guarded and unguarded readers agree.
    const Results u = read_results_unguarded(path("s.h5"));
    EXPECT_TRUE(u.summaries == r.summaries);
    EXPECT_EQ(u.point_descriptions, r.point_descriptions);
}

TEST_F(ResultsReaderTest, SummaryOnlyFilesNeedNoRunsGroup) {
    write(path("s.h5"), 0, 4, true);
    const Results r = read_results(path("s.h5"));
    EXPECT_TRUE(r.summary_only);
    EXPECT_EQ(r.summaries.size(), 4u);
    EXPECT_NO_THROW(read_every_object(path("s.h5")));
}

TEST_F(ResultsReaderTest, Format1FilesStayReadable) {
    const std::string p = path("v1.h5");
    const std::string cmd =
        "gzip -dc '" + std::string(SCO_TEST_DATA) + "/../io/data/v1-sweep.h5.gz' > '" + p + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const Results r = read_results(p);
    EXPECT_EQ(r.format, kResultsFormatV1);
    EXPECT_EQ(r.points, 2);
    EXPECT_EQ(r.runs, 6);
    EXPECT_EQ(r.labels.agents, (std::vector<std::string>{"RUS", "KAZ", "UZB", "IND"}));
    EXPECT_EQ(r.design, "grid");
    ASSERT_EQ(r.summaries.size(), 2u);
    EXPECT_EQ(r.summaries[0].runs, 3);
    EXPECT_EQ(r.summaries[1].runs, 3);
    EXPECT_EQ(r.scenario_name, "Small test scenario");
    EXPECT_NO_THROW(read_every_object(p));
}

TEST_F(ResultsReaderTest, MissingDirectoryOrForeignFilesAreNamed) {
    expect_refused(path("none.h5"), "no such file");
    expect_refused(dir_.string(), "is a directory");
    std::ofstream(path("text.h5")) << "format: sco-sim/1\n";
    expect_refused(path("text.h5"), "not an HDF5 file");
}

TEST_F(ResultsReaderTest, AnotherFormatIsRefusedNamingBoth) {
    const auto p = damaged("f.h5", [](hid_t f) { replace_string_attr(f, "format", "other/3"); });
    expect_refused(p,
                   "format is 'other/3', this version reads 'sco-sim-results/2' and "
                   "'sco-sim-results/1'");
}

TEST_F(ResultsReaderTest, Format2WithAVariableLengthStringIsRefusedBeforeReadingIt) {
    const auto p = damaged("v.h5", [](hid_t f) {
        H5Adelete(f, "scenario_name");
        Handle vt = h5::vlen_string_type();
        Handle sp = h5::space(H5Screate(H5S_SCALAR), "s");
        Handle a = h5::attribute(
            H5Acreate2(f, "scenario_name", vt.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT), "a");
        const char* v = "heap";
        h5::check_rc(H5Awrite(a.get(), vt.get(), &v), "w");
    });
    expect_refused(p, "attribute 'scenario_name' is stored as variable-length strings");
}

TEST_F(ResultsReaderTest, MissingPiecesAreNamed) {
    expect_refused(damaged("a.h5", [](hid_t f) { H5Adelete(f, "seed"); }),
                   "attribute 'seed' is missing");
    expect_refused(damaged("b.h5", [](hid_t f) { H5Ldelete(f, "/summary/raw/runs", H5P_DEFAULT); }),
                   "dataset /summary/raw/runs is missing");
    expect_refused(damaged("c.h5", [](hid_t f) { H5Ldelete(f, "/runs", H5P_DEFAULT); }),
                   "the /runs group is missing but summary_only is 0");
    expect_refused(damaged("d.h5", [](hid_t f) { H5Ldelete(f, "/labels/kinds", H5P_DEFAULT); }),
                   "dataset /labels/kinds is missing");
}

TEST_F(ResultsReaderTest, InconsistentCountsAreNamed) {
    expect_refused(damaged("a.h5", [](hid_t f) { replace_int_attr(f, "points", 0); }),
                   "attribute 'points' is 0");
    expect_refused(damaged("b.h5", [](hid_t f) { replace_int_attr(f, "points", 3); }),
                   "/points/description does not have one entry per point");
    expect_refused(damaged("c.h5",
                           [](hid_t f) {
                               H5Ldelete(f, "/labels/pairs", H5P_DEFAULT);
                               Handle d = h5::write_strings(f, "/labels/pairs", {"UZB-KAZ"});
                           }),
                   "/labels/pairs has 1 entries for 3 agents");
    expect_refused(damaged("d.h5",
                           [](hid_t f) {
                               H5Ldelete(f, "/labels/agent_names", H5P_DEFAULT);
                               Handle d = h5::write_strings(f, "/labels/agent_names", {"A", "B"});
                           }),
                   "the label datasets disagree in length");
    expect_refused(damaged("e.h5",
                           [](hid_t f) {
                               H5Ldelete(f, "/labels/outcomes", H5P_DEFAULT);
                               Handle d = h5::write_strings(f, "/labels/outcomes", {"adopted"});
                           }),
                   "/labels/outcomes differs from this version's outcomes");
}

TEST_F(ResultsReaderTest, WrongShapesAndValuesAreNamed) {
    expect_refused(damaged("a.h5",
                           [](hid_t f) {
                               Handle d = h5::open_dataset(f, "/summary/raw/max_rounds");
                               const std::vector<std::int64_t> v(4, 300);
                               h5::write_all(d.get(), H5T_NATIVE_INT64, v.data(), "w");
                           }),
                   "/summary/raw/max_rounds is out of range");
    expect_refused(damaged("b.h5",
                           [](hid_t f) {
                               H5Ldelete(f, "/summary/raw/runs", H5P_DEFAULT);
                               Handle d = h5::write_array<std::int64_t>(f, "/summary/raw/runs", {5},
                                                                        {1, 1, 1, 1, 1}, false);
                           }),
                   "/summary/raw/runs has shape [5], expected [4]");
    expect_refused(damaged("c.h5",
                           [](hid_t f) {
                               H5Ldelete(f, "/summary/raw/outcome_counts", H5P_DEFAULT);
                               Handle d = h5::write_array<std::int64_t>(
                                   f, "/summary/raw/outcome_counts", {4, 1}, {1, 1, 1, 1}, false);
                           }),
                   "/summary/raw/outcome_counts has the wrong shape for the labels");
}

TEST_F(ResultsReaderTest, ReadEveryObjectChecksShapesAgainstTheAxes) {
    write(path("ok.h5"));
    EXPECT_NO_THROW(read_every_object(path("ok.h5")));
    const auto p = damaged("x.h5", [](hid_t f) {
        Handle d = h5::write_array<double>(f, "/points/extra", {3}, {1, 2, 3}, false);
        h5::set_attr(d.get(), "axes", std::string("point"));
    });
    try {
        read_every_object(p);
        FAIL() << "a dataset longer than its axis was accepted";
    } catch (const BadResults& e) {
        EXPECT_EQ(e.path, p);
        EXPECT_NE(e.problem.find("/points/extra: axis 'point' is 3 long, the file's labels say 4"),
                  std::string::npos)
            << e.what();
    }
    // read_results reads only what it needs: the extra dataset is not its concern.
    EXPECT_NO_THROW((void)read_results(p));
}

}  // namespace
}  // namespace sco::io
