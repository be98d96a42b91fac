#include "sim/experiment/scheduler.h"

#include <cstring>
#include <map>
#include <stdexcept>

namespace sco::experiment {

ScheduleResult schedule_points(SchedulerTransport& transport, std::int64_t total,
                               const WritePoint& write, const StatusOf& status_of,
                               ScheduleResult before) {
    ScheduleResult result = std::move(before);
    auto fail = [&](int status, const std::string& msg) {
        if (result.status != 0) return;
        result.status = status;
        result.failure = msg;
    };
    const int workers = transport.workers();
    std::map<std::int64_t, std::vector<char>> waiting;  // finished out of order
    std::int64_t next = 0, written = 0;
    int stopped = 0;
    // Every worker ends by asking for a point (and being told to stop) or by reporting a
    // failure, so this loop ends once each worker has done one or the other: a receive
    // waits at most for the points in flight.
    while (stopped < workers || (result.status == 0 && written < total)) {
        WorkerMessage m = transport.receive();
        if (m.kind == WorkerMessage::Kind::Ready) {
            const std::int64_t k = result.status == 0 && next < total ? next++ : -1;
            stopped += k < 0;
            transport.send_work(m.worker, k);
            continue;
        }
        if (m.kind == WorkerMessage::Kind::Failed) {
            ++stopped;  // the worker has left its loop
            std::int32_t status = 1;
            std::int64_t k = -1;
            std::string msg = "(no message)";
            if (m.bytes.size() >= sizeof status + sizeof k) {
                std::memcpy(&status, m.bytes.data(), sizeof status);
                std::memcpy(&k, m.bytes.data() + sizeof status, sizeof k);
                msg.assign(m.bytes.begin() + sizeof status + sizeof k, m.bytes.end());
            }
            fail(status == 2 ? 2 : 1, "MPI worker (rank " + std::to_string(m.worker) +
                                          ") failed on point " + std::to_string(k) + ": " + msg);
            continue;
        }
        if (result.status != 0) continue;  // a result in flight after a failure
        try {
            std::int64_t k = 0;
            if (m.bytes.size() < sizeof k) throw std::runtime_error("a result without its point");
            std::memcpy(&k, m.bytes.data(), sizeof k);
            waiting.emplace(k, std::move(m.bytes));
            // Write every point that is next in order.
            for (auto it = waiting.find(written); it != waiting.end(); it = waiting.find(written)) {
                write(written, std::span<const char>(it->second).subspan(sizeof k));
                waiting.erase(it);
                ++written;
            }
        } catch (const std::exception& e) {
            fail(status_of(e), e.what());
            waiting.clear();
        }
    }
    return result;
}

}  // namespace sco::experiment
