#pragma once
// The MPI build (-DSCO_WITH_MPI=ON): under mpirun or srun, `sco-sim sweep` hands the
// points out dynamically: workers (ranks 1..n-1) ask for a point, simulate all its runs
// and send them back; rank 0 writes them in point order into one results file, the
// same file (every dataset) a one-machine run of the sweep writes. A failure on any rank
// (a worker's exception is sent to rank 0) stops every rank; rank 0 exits non-zero with
// the message, nothing is written (docs/cli.md, "sweep").
#include <string>

#include "sim/core/model.h"
#include "sim/experiment/design.h"
#include "sim/io/sink.h"

namespace sco::cli::mpi {

/// Number of MPI processes (1 outside mpirun, or in a build without MPI).
int world_size();
int world_rank();

/// Runs the whole sweep across the MPI processes; rank 0 writes `out`.
/// Returns the process's exit status.
int run_sweep(const core::ModelSpec& spec, const experiment::Design& design,
              const experiment::RunConfig& cfg, const std::string& out, bool force,
              const io::Provenance& prov, const std::string& sweep_id,
              const std::string& sweep_text, bool quiet);

}  // namespace sco::cli::mpi
