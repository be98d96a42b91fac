#include "sim/cli/mpi_sweep.h"

#ifdef SCO_WITH_MPI
#include <mpi.h>

#include <cstring>
#include <iostream>
#include <map>
#include <vector>

#include "sim/experiment/runner.h"
#include "sim/experiment/serialize.h"
#include "sim/io/hdf5_sink.h"
#endif

namespace sco::cli::mpi {

#ifndef SCO_WITH_MPI

int world_size() {
    return 1;
}
int world_rank() {
    return 0;
}
int run_sweep(const core::ModelSpec&, const experiment::Design&, const experiment::RunConfig&,
              const std::string&, bool, const experiment::Provenance&, const std::string&,
              const std::string&, bool) {
    return 1;  // never called: world_size() is 1
}

#else

namespace {

constexpr int kTagReady = 1;   // worker -> 0: give me a point
constexpr int kTagWork = 2;    // 0 -> worker: point index, or -1 to stop
constexpr int kTagResult = 3;  // worker -> 0: [point][records + summary]

/// Keeps one point's runs in memory for sending.
class PointSink : public experiment::Sink {
  public:
    std::vector<core::RunRecord> runs;
    void begin(const core::ModelSpec&, const experiment::Plan&, const experiment::RunConfig&,
               const experiment::Provenance&) override {
        runs.clear();
    }
    void write_block(std::int64_t, std::span<const core::RunRecord> b) override {
        runs.insert(runs.end(), b.begin(), b.end());
    }
    void finish(const std::vector<experiment::Summary>&) override {}
    void abort() noexcept override {}
};

void worker(const core::ModelSpec& spec, const experiment::Design& design,
            experiment::RunConfig cfg, const experiment::Provenance& prov) {
    PointSink sink;
    std::vector<char> bytes;
    for (;;) {
        MPI_Send(nullptr, 0, MPI_BYTE, 0, kTagReady, MPI_COMM_WORLD);
        std::int64_t k = -1;
        MPI_Recv(&k, 1, MPI_INT64_T, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (k < 0) return;
        const experiment::Plan plan = experiment::make_plan(design, k, k + 1);
        const auto sums = experiment::run_plan(spec, plan, cfg, &sink, prov);
        bytes.assign(reinterpret_cast<const char*>(&k),
                     reinterpret_cast<const char*>(&k) + sizeof k);
        experiment::pack(sink.runs, sums.front(), bytes);
        MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kTagResult,
                 MPI_COMM_WORLD);
    }
}

}  // namespace

int world_size() {
    int n = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int run_sweep(const core::ModelSpec& spec, const experiment::Design& design,
              const experiment::RunConfig& cfg, const std::string& out, bool force,
              const experiment::Provenance& prov, const std::string& sweep_id,
              const std::string& sweep_text, bool quiet) {
    if (world_rank() != 0) {
        worker(spec, design, cfg, prov);
        return 0;
    }
    const int workers = world_size() - 1;
    experiment::Plan plan = experiment::make_plan(design, 0, experiment::design_size(design));
    plan.sweep.id = sweep_id;
    plan.sweep.sweep_text = sweep_text;
    const std::int64_t total = plan.n_points(), reps = cfg.replications;
    try {
        io::Hdf5Sink sink(out, force);
        sink.begin(spec, plan, cfg, prov);
        const core::RecordShape shape = core::shape_of(spec);
        const int max_rounds = static_cast<int>(core::dyn_default(core::Dyn::Rounds).range.hi);
        std::vector<experiment::Summary> sums;
        std::map<std::int64_t, std::vector<char> > waiting;  // finished out of order
        std::vector<core::RunRecord> runs(static_cast<std::size_t>(reps), core::RunRecord(shape));
        std::int64_t next = 0, written = 0;
        int stopped = 0;
        while (stopped < workers || written < total) {
            MPI_Status st;
            MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            if (st.MPI_TAG == kTagReady) {
                MPI_Recv(nullptr, 0, MPI_BYTE, st.MPI_SOURCE, kTagReady, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
                const std::int64_t k = next < total ? next++ : -1;
                stopped += k < 0;
                MPI_Send(&k, 1, MPI_INT64_T, st.MPI_SOURCE, kTagWork, MPI_COMM_WORLD);
                continue;
            }
            int n = 0;
            MPI_Get_count(&st, MPI_BYTE, &n);
            std::vector<char> bytes(static_cast<std::size_t>(n));
            MPI_Recv(bytes.data(), n, MPI_BYTE, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            std::int64_t k = 0;
            std::memcpy(&k, bytes.data(), sizeof k);
            waiting.emplace(k, std::move(bytes));
            // Write every point that is next in order.
            for (auto it = waiting.find(written); it != waiting.end(); it = waiting.find(written)) {
                experiment::Summary s(shape, max_rounds);
                experiment::unpack(std::span<const char>(it->second).subspan(sizeof k), runs, s);
                sink.write_block(written * reps, runs);
                sums.push_back(std::move(s));
                waiting.erase(it);
                ++written;
            }
        }
        sink.finish(sums);
        if (!quiet)
            std::cout << "wrote " << out << ": " << plan.sweep.design << " design, " << total
                      << " points, " << reps << " runs each, on " << workers << " MPI workers\n";
    } catch (const std::exception& e) {
        std::cerr << "sco-sim: error: " << e.what() << "\n";
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return 0;
}

#endif

}  // namespace sco::cli::mpi
