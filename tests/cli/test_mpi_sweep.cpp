// sim/cli/mpi_sweep.cpp: the MPI transport of experiment::schedule_points (whose logic is
// tested with an in-memory transport in tests/experiment/test_scheduler.cpp). Without
// mpirun, and in a build without MPI, there is one process: `sweep` takes the local path
// (cmd_sweep calls run_sweep only when world_size() > 1), and run_sweep of a build without
// MPI refuses (exit status 1) and writes nothing. Several ranks are tests/python/test_mpi.py's.
#include <filesystem>

#include "capture.h"
#include "sim/cli/app.h"
#include "sim/cli/mpi_sweep.h"
#include "sim/io/results_reader.h"

#ifdef SCO_WITH_MPI
#include <mpi.h>
#endif

namespace fs = std::filesystem;
using sco::testing::capture;

namespace sco::cli {
namespace {

class MpiSweep : public sco::testing::CliTest {
  protected:
    void SetUp() override {
        sco::testing::CliTest::SetUp();
#ifdef SCO_WITH_MPI
        int up = 0;
        MPI_Initialized(&up);
        if (!up) MPI_Init(nullptr, nullptr);  // one process, as `sco-sim` outside mpirun
#endif
    }
};

TEST_F(MpiSweep, OutsideMpirunThereIsOneProcessOfRankZero) {
    EXPECT_EQ(mpi::world_size(), 1);
    EXPECT_EQ(mpi::world_rank(), 0);
}

TEST_F(MpiSweep, OneProcessSweepsLocallyIntoOneFile) {
    const std::string out = path("s.h5");
    const auto c = capture([&] { return cmd_sweep(sweep_args(out, "0.2,0.8", 3), "sweep"); });
    EXPECT_EQ(c.status, kExitOk);
    const io::Results r = io::read_results(out);
    EXPECT_EQ(r.points, 2);
    EXPECT_EQ(r.runs, 6);
}

#ifndef SCO_WITH_MPI
TEST_F(MpiSweep, WithoutMpiRunSweepRefusesAndWritesNothing) {
    const std::string out = path("never.h5");
    EXPECT_EQ(mpi::run_sweep({}, {}, {}, out, false, {}, "id", "", true), kExitFailure);
    EXPECT_FALSE(fs::exists(out));
}
#endif

}  // namespace
}  // namespace sco::cli
