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
#include <stdexcept>

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

// ---- read_run_facts: the per-run records `sco-sim score` counts joint patterns from ----

/// Overwrites dataset `path` with `values` (its own type, shape and filters kept).
template <typename T>
void rewrite(hid_t f, const std::string& path, const std::function<void(std::vector<T>&)>& edit) {
    Handle d = h5::open_dataset(f, path);
    Handle t = h5::type(H5Dget_type(d.get()), "t");
    std::size_t n = 1;
    for (const hsize_t v : h5::shape(d.get())) n *= static_cast<std::size_t>(v);
    std::vector<T> v(n);
    const hid_t mem = H5Tget_class(t.get()) == H5T_ENUM ? t.get() : h5::native<T>();
    h5::check_rc(H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "r");
    edit(v);
    h5::write_all(d.get(), mem, v.data(), "w");
}

/// Replaces dataset `path` by one of `file_type` and `dims`, filled with zeros.
void replace_dataset(hid_t f, const std::string& path, hid_t file_type,
                     const std::vector<hsize_t>& dims) {
    h5::check_rc(H5Ldelete(f, path.c_str(), H5P_DEFAULT), "delete");
    Handle d = h5::create_dataset(f, path, file_type, dims, false, false);
    std::size_t n = 1;
    for (const hsize_t v : dims) n *= static_cast<std::size_t>(v);
    const std::vector<unsigned char> zeros(n * H5Tget_size(file_type), 0);
    h5::write_all(d.get(), file_type, zeros.data(), "w");
}

class RunFactsTest : public ResultsReaderTest {
  protected:
    /// The records `write` made for global point g (make_record's seeds), outcomes and flags
    /// concatenated in run order.
    [[nodiscard]] RunFacts expected(std::int64_t g) const {
        RunFacts e;
        e.runs = kReps;
        const auto shape = core::shape_of(spec_);
        for (std::int64_t r = 0; r < kReps; ++r) {
            const auto rec = testing::make_record(shape, 2 + static_cast<int>(g),
                                                  static_cast<std::uint32_t>(100 * g + r + 1));
            e.outcome.insert(e.outcome.end(), rec.outcome.begin(), rec.outcome.end());
            e.flags.insert(e.flags.end(), rec.flags.begin(), rec.flags.end());
        }
        return e;
    }

    /// read_results accepts `p` (it does not read /runs); both read_run_facts and its
    /// unguarded twin refuse point `point` with a BadResults naming `p` whose problem
    /// contains `part`.
    static void expect_facts_refused(const std::string& p, const std::string& part,
                                     std::int64_t point = 0) {
        const Results r = read_results(p);
        expect_facts_refused(r, part, point);
    }
    static void expect_facts_refused(const Results& r, const std::string& part,
                                     std::int64_t point = 0) {
        for (const bool guarded : {true, false}) {
            try {
                (void)(guarded ? read_run_facts(r, point) : read_run_facts_unguarded(r, point));
                ADD_FAILURE() << r.path << " point " << point << " was read (guarded " << guarded
                              << ")";
            } catch (const BadResults& e) {
                EXPECT_EQ(e.path, r.path);
                EXPECT_NE(e.problem.find(part), std::string::npos)
                    << "guarded " << guarded << ": " << e.what() << "\nexpected: " << part;
                EXPECT_EQ(std::string(e.what()).rfind(
                              r.path + ": not a usable sco-sim results file: ", 0),
                          0u)
                    << e.what();
            }
        }
    }

    static constexpr hsize_t kRuns = 4 * kReps, kT = 3, kP = 2, kN = 3;
};

TEST_F(RunFactsTest, EachPointsRunsComeBackAsWritten) {
    write(path("s.h5"), 1, 3);  // a shard: global points 1 and 2, rows 0-3 and 4-7
    const Results r = read_results(path("s.h5"));
    bool wide_flags = false;
    for (std::int64_t k = 0; k < 2; ++k) {
        const RunFacts want = expected(1 + k);
        for (const bool guarded : {true, false}) {
            const RunFacts got = guarded ? read_run_facts(r, k) : read_run_facts_unguarded(r, k);
            EXPECT_EQ(got.runs, kReps);
            ASSERT_EQ(got.outcome.size(), kReps * kT * kP);
            ASSERT_EQ(got.flags.size(), kReps * kT * kP * kN);
            EXPECT_EQ(got.outcome, want.outcome) << "point " << k << " guarded " << guarded;
            EXPECT_EQ(got.flags, want.flags) << "point " << k << " guarded " << guarded;
        }
        for (const auto v : want.flags) wide_flags = wide_flags || v > 0xff;
    }
    // The two points' records differ, and some flags use the high byte: a read of the wrong
    // rows or of 8-bit flags would not pass.
    EXPECT_NE(expected(1).outcome, expected(2).outcome);
    EXPECT_TRUE(wide_flags);
}

TEST_F(RunFactsTest, AFormat1FileGivesTheRunsItsSummariesCount) {
    const std::string p = path("v1.h5");
    const std::string cmd =
        "gzip -dc '" + std::string(SCO_TEST_DATA) + "/../io/data/v1-sweep.h5.gz' > '" + p + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const Results r = read_results(p);
    ASSERT_EQ(r.format, kResultsFormatV1);
    const std::size_t T = r.labels.periods.size(), P = r.labels.proposals.size(),
                      N = r.labels.agents.size(), O = core::kOutcomeNames.names.size();
    for (std::int64_t k = 0; k < r.points; ++k) {
        const RunFacts got = read_run_facts(r, k);
        ASSERT_EQ(got.runs, 3);
        ASSERT_EQ(got.outcome.size(), 3 * T * P);
        ASSERT_EQ(got.flags.size(), 3 * T * P * N);
        // Recounted from the runs, the outcomes and flag bits are the file's /summary/raw.
        std::vector<std::int64_t> outcomes(T * P * O, 0), flags(T * P * N * core::kFlagBits, 0);
        for (std::size_t run = 0; run < 3; ++run)
            for (std::size_t tp = 0; tp < T * P; ++tp) {
                ++outcomes[tp * O + got.outcome[run * T * P + tp]];
                for (std::size_t i = 0; i < N; ++i)
                    for (int b = 0; b < core::kFlagBits; ++b)
                        if ((got.flags[(run * T * P + tp) * N + i] >> b) & 1u)
                            ++flags[(tp * N + i) * core::kFlagBits + static_cast<std::size_t>(b)];
            }
        const auto& sum = r.summaries[static_cast<std::size_t>(k)];
        EXPECT_EQ(outcomes, sum.outcome_counts) << "point " << k;
        EXPECT_EQ(flags, sum.flag_counts) << "point " << k;
    }
}

TEST_F(RunFactsTest, ASummaryOnlyFileHasNoPerRunRecords) {
    write(path("s.h5"), 0, 4, true);
    expect_facts_refused(path("s.h5"), "holds no per-run records (written with --summary-only)");
}

TEST_F(RunFactsTest, APointOutOfRangeIsTheCallersMistakeCheckedBeforeTheFile) {
    write(path("s.h5"));
    const Results r = read_results(path("s.h5"));
    fs::remove(path("s.h5"));  // not opened: the point is refused first
    for (const std::int64_t k : {std::int64_t{-1}, std::int64_t{4}, std::int64_t{1} << 62})
        for (const bool guarded : {true, false}) {
            try {
                (void)(guarded ? read_run_facts(r, k) : read_run_facts_unguarded(r, k));
                ADD_FAILURE() << "point " << k << " was read";
            } catch (const std::out_of_range& e) {
                EXPECT_NE(std::string(e.what()).find("point " + std::to_string(k) + " of " +
                                                     path("s.h5") + " is out of range"),
                          std::string::npos)
                    << e.what();
                EXPECT_NE(std::string(e.what()).find("points 0 to 3"), std::string::npos)
                    << e.what();
            }
        }
}

TEST_F(RunFactsTest, ATruncatedFileIsRefusedNamingIt) {
    write(path("s.h5"));
    const Results r = read_results(path("s.h5"));
    const auto bytes = fs::file_size(path("s.h5"));
    const std::string full = path("full.h5");
    fs::copy_file(path("s.h5"), full);
    for (const auto keep :
         {bytes - 1, bytes / 2, std::uintmax_t{4096}, std::uintmax_t{100}, std::uintmax_t{0}}) {
        fs::copy_file(full, path("s.h5"), fs::copy_options::overwrite_existing);
        fs::resize_file(path("s.h5"), keep);
        SCOPED_TRACE("truncated to " + std::to_string(keep) + " bytes");
        expect_facts_refused(r, keep == 0 ? "not an HDF5 file" : "");
    }
}

TEST_F(RunFactsTest, ShapesOfThePerRunDatasetsAreCheckedBeforeReading) {
    // Rows: the run axis is the attribute 'runs' (16 = 4 points x 4 replications).
    expect_facts_refused(
        damaged("a.h5",
                [](hid_t f) {
                    replace_dataset(
                        f, "/runs/outcome",
                        h5::enum_u8_type(std::vector<std::string>(core::kOutcomeNames.names.begin(),
                                                                  core::kOutcomeNames.names.end()))
                            .get(),
                        {kRuns, kT, kP + 1});
                }),
        "/runs/outcome has shape [16, 3, 3], expected [16, 3, 2]");
    expect_facts_refused(
        damaged("b.h5",
                [](hid_t f) {
                    replace_dataset(f, "/runs/flags", H5T_STD_U16LE, {kRuns - 1, kT, kP, kN});
                }),
        "/runs/flags has shape [15, 3, 2, 3], expected [16, 3, 2, 3]");
    // More rows than the file's runs: refused, not read past the point's own.
    expect_facts_refused(
        damaged("c.h5",
                [](hid_t f) { replace_dataset(f, "/runs/point", H5T_STD_I64LE, {kRuns + 4}); }),
        "/runs/point has shape [20], expected [16]");
    expect_facts_refused(
        damaged("d.h5",
                [](hid_t f) {
                    replace_dataset(f, "/runs/flags", H5T_STD_U16LE, {kRuns, kT, kP});
                }),
        "/runs/flags has shape [16, 3, 2], expected [16, 3, 2, 3]");
    // The attributes must agree with one another: runs = points x replications.
    expect_facts_refused(damaged("e.h5", [](hid_t f) { replace_int_attr(f, "runs", 15); }),
                         "runs=15, points=4 and replications=4, but runs must be points x "
                         "replications");
    expect_facts_refused(damaged("f.h5", [](hid_t f) { replace_int_attr(f, "replications", -4); }),
                         "replications=-4");
}

TEST_F(RunFactsTest, TypesAndValuesOfThePerRunDatasetsAreChecked) {
    expect_facts_refused(
        damaged("a.h5",
                [](hid_t f) {
                    replace_dataset(f, "/runs/flags", H5T_STD_I32LE, {kRuns, kT, kP, kN});
                }),
        "/runs/flags is not stored as an unsigned integer of 2 bytes");
    expect_facts_refused(
        damaged("b.h5",
                [](hid_t f) {
                    replace_dataset(f, "/runs/outcome", H5T_STD_U8LE, {kRuns, kT, kP});
                }),
        "/runs/outcome is not stored as an enum of 1 bytes");
    expect_facts_refused(
        damaged("c.h5",
                [](hid_t f) { replace_dataset(f, "/runs/point", H5T_IEEE_F64LE, {kRuns}); }),
        "/runs/point is not stored as a signed integer of 8 bytes");
    // An enum of the outcome names in another order: its codes would mean other outcomes.
    expect_facts_refused(
        damaged(
            "d.h5",
            [](hid_t f) {
                std::vector<std::string> names(core::kOutcomeNames.names.begin(),
                                               core::kOutcomeNames.names.end());
                std::swap(names[0], names[5]);
                replace_dataset(f, "/runs/outcome", h5::enum_u8_type(names).get(), {kRuns, kT, kP});
            }),
        "/runs/outcome is not stored as the enum of this version's outcomes");
    // Values: a code that is no outcome, a flag bit /labels/flags does not name, rows that
    // belong to another point.
    expect_facts_refused(damaged("e.h5",
                                 [](hid_t f) {
                                     rewrite<std::uint8_t>(f, "/runs/outcome",
                                                           [](auto& v) { v[kT * kP * 5 + 1] = 9; });
                                 }),
                         "/runs/outcome holds the code 9 in row 5, which is no outcome (codes 0 "
                         "to 6)",
                         1);
    expect_facts_refused(damaged("f.h5",
                                 [](hid_t f) {
                                     rewrite<std::uint16_t>(f, "/runs/flags",
                                                            [](auto& v) { v[0] |= 1u << 12; });
                                 }),
                         "in row 0, with bits beyond the 10 of /labels/flags");
    expect_facts_refused(
        damaged("g.h5",
                [](hid_t f) {
                    rewrite<std::int64_t>(f, "/runs/point", [](auto& v) { v[kReps + 2] = 3; });
                }),
        "the runs of point 1 are not rows 4 onwards of /runs (/runs/point holds 3)", 1);
    // The damage is in point 1's rows: point 0 is still read.
    const auto p = path("g.h5");
    EXPECT_EQ(read_run_facts(read_results(p), 0).outcome, expected(0).outcome);
}

}  // namespace
}  // namespace sco::io
