#pragma once
// The point scheduler of a sweep spread over workers (the MPI build: cli/mpi_sweep.cpp is
// its transport): points are handed out one at a time as workers ask, results are written
// in point order whatever order they come back in, and the first failure stops every
// worker as it next asks, drops the results still in flight, and writes nothing more.
// The transport is an interface, so the logic is tested in memory
// (tests/experiment/test_scheduler.cpp).
#include <cstdint>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace sco::experiment {

/// A message from a worker to the scheduler.
struct WorkerMessage {
    enum class Kind : std::uint8_t {
        Ready,   ///< give me a point
        Result,  ///< bytes: [int64 point][the point's packed runs and summary]
        Failed,  ///< bytes: [int32 exit status][int64 point][message]; the worker has stopped
    };
    Kind kind = Kind::Ready;
    int worker = 0;  ///< who sent it (the MPI rank)
    std::vector<char> bytes;
};

/// How the scheduler talks to its workers.
class SchedulerTransport {
  public:
    virtual ~SchedulerTransport() = default;
    [[nodiscard]] virtual int workers() const = 0;
    /// Waits for the next message from any worker.
    virtual WorkerMessage receive() = 0;
    /// Tells `worker` to run `point`, or to stop (point -1).
    virtual void send_work(int worker, std::int64_t point) = 0;
};

/// Exit status and message of the first failure (status 0: none).
struct ScheduleResult {
    int status = 0;  ///< 0 success, 1 failure, 2 bad input (sco-sim's exit statuses)
    std::string failure;
};

/// Writes point `point` (in point order) from its packed bytes (the Result bytes after
/// the point index). May throw: that is a failure, with the status `status_of` gives.
using WritePoint = std::function<void(std::int64_t point, std::span<const char> packed)>;
using StatusOf = std::function<int(const std::exception&)>;

/// Runs the points [0, total) on the transport's workers. Returns once every worker has
/// been told to stop or has reported a failure, and, without failure, every point has
/// been written. `before` is a failure that happened before scheduling (e.g. the output
/// cannot be created): then no point is handed out and every worker is stopped.
ScheduleResult schedule_points(SchedulerTransport& transport, std::int64_t total,
                               const WritePoint& write, const StatusOf& status_of,
                               ScheduleResult before = {});

}  // namespace sco::experiment
