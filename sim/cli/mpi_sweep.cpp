#include "sim/cli/mpi_sweep.h"

#ifdef SCO_WITH_MPI
#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sim/cli/app.h"
#include "sim/experiment/runner.h"
#include "sim/experiment/scheduler.h"
#include "sim/experiment/serialize.h"
#include "sim/experiment/statistics.h"
#include "sim/io/errors.h"
#include "sim/io/hdf5_sink.h"
#include "sim/scenario/loader.h"
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
              const std::string&, bool, const io::Provenance&, const std::string&,
              const std::string&, bool) {
    return 1;  // never called: world_size() is 1
}

#else

namespace {

constexpr int kTagReady = 1;   // worker -> 0: give me a point
constexpr int kTagWork = 2;    // 0 -> worker: point index, or -1 to stop
constexpr int kTagResult = 3;  // worker -> 0: [point][records + summary]
constexpr int kTagFailed = 4;  // worker -> 0: [int32 exit status][point][message]; it stops

/// Test-only fault injection (docs/cli.md, "sweep under MPI"): SCO_SIM_TEST_FAULT=point:K
/// makes the worker given point K throw; write:K makes rank 0 throw when it writes point K.
struct Fault {
    std::int64_t point = -1;  ///< worker fails on this point
    std::int64_t write = -1;  ///< rank 0 fails writing this point
};

Fault fault_from_env() {
    Fault f;
    const char* v = std::getenv("SCO_SIM_TEST_FAULT");
    if (!v || !*v) return f;
    const std::string s(v);
    const auto colon = s.find(':');
    const std::string kind = s.substr(0, colon == std::string::npos ? s.size() : colon);
    std::int64_t k = -1;
    try {
        if (colon != std::string::npos && colon + 1 < s.size() &&
            s.find_first_not_of("0123456789", colon + 1) == std::string::npos)
            k = std::stoll(s.substr(colon + 1));
    } catch (const std::exception&) {
        k = -1;
    }
    if (k < 0 || (kind != "point" && kind != "write"))
        throw UsageError("SCO_SIM_TEST_FAULT (for tests only) takes point:K or write:K, got '" + s +
                         "'");
    (kind == "point" ? f.point : f.write) = k;
    return f;
}

/// The exit status an exception stands for, as sco-sim's main maps it (app.cpp).
int status_of(const std::exception& e) {
    if (dynamic_cast<const UsageError*>(&e) || dynamic_cast<const scenario::ScenarioError*>(&e) ||
        dynamic_cast<const io::OutputExists*>(&e) || dynamic_cast<const io::BadResults*>(&e))
        return kExitBadInput;
    return kExitFailure;
}

/// Keeps one point's runs in memory for sending.
class PointSink : public io::Sink {
  public:
    std::vector<core::RunRecord> runs;
    void begin(const core::ModelSpec&, const core::Plan&, const core::RunConfig&,
               const io::Provenance&) override {
        runs.clear();
    }
    void write_block(std::int64_t, std::span<const core::RunRecord> b) override {
        runs.insert(runs.end(), b.begin(), b.end());
    }
    void finish(std::span<const core::SummaryCounts* const>) override {}
    void abort() noexcept override {}
};

/// Asks for points until told to stop. A failure (any exception) is sent to rank 0 as a
/// message, and the worker stops: rank 0 then stops the others and exits with its status.
void worker(const core::ModelSpec& spec, const experiment::Design& design,
            experiment::RunConfig cfg, const io::Provenance& prov, const Fault& fault) {
    PointSink sink;
    std::vector<char> bytes;
    for (;;) {
        MPI_Send(nullptr, 0, MPI_BYTE, 0, kTagReady, MPI_COMM_WORLD);
        std::int64_t k = -1;
        MPI_Recv(&k, 1, MPI_INT64_T, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (k < 0) return;
        try {
            if (k == fault.point)
                throw std::runtime_error("point " + std::to_string(k) +
                                         " failed (fault injected by SCO_SIM_TEST_FAULT)");
            const experiment::Plan plan = experiment::make_plan(design, k, k + 1);
            const auto sums = experiment::run_plan(spec, plan, cfg, &sink, prov);
            bytes.assign(reinterpret_cast<const char*>(&k),
                         reinterpret_cast<const char*>(&k) + sizeof k);
            experiment::pack(sink.runs, sums.front(), bytes);
        } catch (const std::exception& e) {
            const std::int32_t status = status_of(e);
            const std::string msg = e.what();
            bytes.assign(reinterpret_cast<const char*>(&status),
                         reinterpret_cast<const char*>(&status) + sizeof status);
            bytes.insert(bytes.end(), reinterpret_cast<const char*>(&k),
                         reinterpret_cast<const char*>(&k) + sizeof k);
            bytes.insert(bytes.end(), msg.begin(), msg.end());
            MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kTagFailed,
                     MPI_COMM_WORLD);
            return;
        }
        MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kTagResult,
                 MPI_COMM_WORLD);
    }
}

/// The scheduler's transport: messages tagged kTagReady, kTagResult and kTagFailed from
/// the workers, kTagWork to them.
class MpiTransport final : public experiment::SchedulerTransport {
  public:
    [[nodiscard]] int workers() const override { return world_size() - 1; }
    experiment::WorkerMessage receive() override {
        MPI_Status st;
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        experiment::WorkerMessage m;
        m.worker = st.MPI_SOURCE;
        if (st.MPI_TAG == kTagReady) {
            MPI_Recv(nullptr, 0, MPI_BYTE, st.MPI_SOURCE, kTagReady, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            return m;
        }
        int n = 0;
        MPI_Get_count(&st, MPI_BYTE, &n);
        m.bytes.resize(static_cast<std::size_t>(n));
        MPI_Recv(m.bytes.data(), n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        m.kind = st.MPI_TAG == kTagFailed ? experiment::WorkerMessage::Kind::Failed
                                          : experiment::WorkerMessage::Kind::Result;
        return m;
    }
    void send_work(int worker, std::int64_t point) override {
        MPI_Send(&point, 1, MPI_INT64_T, worker, kTagWork, MPI_COMM_WORLD);
    }
};

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
              const io::Provenance& prov, const std::string& sweep_id,
              const std::string& sweep_text, bool quiet) {
    const Fault fault = fault_from_env();  // every rank reads the same environment
    if (world_rank() != 0) {
        // A worker's failure is rank 0's to report: the worker exits 0 so that mpirun does
        // not kill rank 0 before it has stopped the others and said why.
        worker(spec, design, cfg, prov, fault);
        return kExitOk;
    }
    const int workers = world_size() - 1;
    experiment::Plan plan = experiment::make_plan(design, 0, experiment::design_size(design));
    plan.sweep.id = sweep_id;
    plan.sweep.sweep_text = sweep_text;
    const std::int64_t total = plan.n_points(), reps = cfg.replications;

    // The first failure, on a worker or here; from then on every worker that asks for a
    // point is told to stop, results still in flight are dropped, and nothing is written
    // (experiment::schedule_points; this file is its MPI transport).
    experiment::ScheduleResult result;
    std::unique_ptr<io::Hdf5Sink> sink;
    try {
        try {
            sink = std::make_unique<io::Hdf5Sink>(experiment::stored_statistics(), out, force);
            sink->begin(spec, plan, cfg, prov);
        } catch (const std::exception& e) {
            result = {status_of(e), e.what()};
        }
        const core::RecordShape shape = core::shape_of(spec);
        const int max_rounds = experiment::max_rounds();
        const std::vector<int> tracked =
            experiment::tension_pairs_of(spec, cfg.all_tension_histograms);
        std::vector<core::RunRecord> runs(static_cast<std::size_t>(reps), core::RunRecord(shape));
        auto write = [&](std::int64_t point, std::span<const char> packed) {
            if (point == fault.write)
                throw std::runtime_error("writing point " + std::to_string(point) + " to " + out +
                                         " failed (fault injected by SCO_SIM_TEST_FAULT)");
            experiment::Summary s(shape, max_rounds, tracked);
            experiment::unpack(packed, runs, s);
            sink->write_block(point * reps, runs);
            // Points arrive in point order (schedule_points): each Summary is stored as it
            // comes, so rank 0 holds one at a time, not one per point.
            sink->write_summary(point, std::move(s));
        };
        MpiTransport transport;
        result = experiment::schedule_points(transport, total, write, status_of, result);
        if (result.status == kExitOk) {
            try {
                sink->finish({});
            } catch (const std::exception& e) {
                result = {status_of(e), e.what()};
            }
        }
        if (result.status != kExitOk && sink) sink->abort();
    } catch (const std::exception& e) {  // nothing left to drain with: stop every rank now
        std::cerr << "sco-sim: error: " << e.what() << "\n" << std::flush;
        MPI_Abort(MPI_COMM_WORLD, kExitFailure);
    }
    const int status = result.status;
    const std::string& failure = result.failure;
    if (status != kExitOk) {
        std::cerr << "sco-sim: error: " << failure << "\nsco-sim: stopped all " << workers
                  << " MPI workers; nothing written to " << out << "\n"
                  << std::flush;
        return status;
    }
    if (!quiet)
        std::cout << "wrote " << out << ": " << plan.sweep.design << " design, " << total
                  << " points, " << reps << " runs each, on " << workers << " MPI workers\n";
    return kExitOk;
}

#endif

}  // namespace sco::cli::mpi
