// sim/experiment/scheduler.cpp: the point scheduler on an in-memory transport whose
// workers run "points" (their result is the point's index, squared) and answer in an order
// shuffled by a fixed seed, so results come back out of order as under MPI.
#include "sim/experiment/scheduler.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <random>
#include <set>
#include <stdexcept>

using namespace sco;
using experiment::WorkerMessage;

namespace {

class MemoryTransport : public experiment::SchedulerTransport {
  public:
    MemoryTransport(int workers, std::uint32_t seed) : workers_(workers), rng_(seed) {
        for (int w = 1; w <= workers; ++w) inbox_.push_back({WorkerMessage::Kind::Ready, w, {}});
    }
    std::set<std::int64_t> fail_points;  // a worker given one of these reports a failure
    std::vector<std::int64_t> handed;    // points handed out, in order
    std::multiset<int> stopped;          // workers told to stop (or that failed)

    [[nodiscard]] int workers() const override { return workers_; }
    WorkerMessage receive() override {
        if (inbox_.empty()) throw std::logic_error("receive with no worker left to answer");
        // Any worker's message may come first, but one worker's arrive in the order sent
        // (as MPI guarantees between two ranks).
        const auto i = std::uniform_int_distribution<std::size_t>(0, inbox_.size() - 1)(rng_);
        const int from = inbox_[i].worker;
        for (auto it = inbox_.begin(); it != inbox_.end(); ++it)
            if (it->worker == from) {
                WorkerMessage m = std::move(*it);
                inbox_.erase(it);
                return m;
            }
        throw std::logic_error("unreachable");
    }
    void send_work(int worker, std::int64_t point) override {
        if (stopped.count(worker)) throw std::logic_error("work sent to a stopped worker");
        if (point < 0) {
            stopped.insert(worker);
            return;
        }
        handed.push_back(point);
        std::vector<char> bytes(sizeof point);
        std::memcpy(bytes.data(), &point, sizeof point);
        if (fail_points.count(point)) {
            const std::int32_t status = point == 99 ? 2 : 1;
            std::vector<char> f(sizeof status);
            std::memcpy(f.data(), &status, sizeof status);
            f.insert(f.end(), bytes.begin(), bytes.end());
            const std::string msg = "bad point";
            f.insert(f.end(), msg.begin(), msg.end());
            stopped.insert(worker);
            inbox_.push_back({WorkerMessage::Kind::Failed, worker, f});
            return;
        }
        const std::int64_t square = point * point;
        bytes.resize(2 * sizeof point);
        std::memcpy(bytes.data() + sizeof point, &square, sizeof square);
        inbox_.push_back({WorkerMessage::Kind::Result, worker, bytes});
        inbox_.push_back({WorkerMessage::Kind::Ready, worker, {}});
    }
    [[nodiscard]] bool idle() const { return inbox_.empty(); }

  private:
    int workers_;
    std::mt19937 rng_;
    std::deque<WorkerMessage> inbox_;
};

struct Written {
    std::vector<std::int64_t> points, values;
    experiment::WritePoint fn(std::int64_t throw_at = -1) {
        return [this, throw_at](std::int64_t k, std::span<const char> packed) {
            if (k == throw_at) throw std::runtime_error("disk full at " + std::to_string(k));
            std::int64_t v = 0;
            EXPECT_EQ(packed.size(), sizeof v);
            std::memcpy(&v, packed.data(), sizeof v);
            points.push_back(k);
            values.push_back(v);
        };
    }
};

int status_of(const std::exception&) {
    return 1;
}

}  // namespace

TEST(Scheduler, EveryPointIsWrittenOnceInPointOrderWhateverOrderResultsArrive) {
    for (std::uint32_t seed : {1u, 2u, 3u}) {
        MemoryTransport t(3, seed);
        Written w;
        const auto r = experiment::schedule_points(t, 20, w.fn(), status_of);
        EXPECT_EQ(r.status, 0);
        EXPECT_EQ(r.failure, "");
        ASSERT_EQ(w.points.size(), 20u);
        for (std::int64_t k = 0; k < 20; ++k) {
            EXPECT_EQ(w.points[k], k);
            EXPECT_EQ(w.values[k], k * k);
        }
        EXPECT_EQ(t.handed.size(), 20u);  // each point handed out once
        EXPECT_EQ(t.stopped, (std::multiset<int>{1, 2, 3}));
        EXPECT_TRUE(t.idle());
    }
}

TEST(Scheduler, MoreWorkersThanPointsStopsTheIdleOnes) {
    MemoryTransport t(5, 7);
    Written w;
    EXPECT_EQ(experiment::schedule_points(t, 2, w.fn(), status_of).status, 0);
    EXPECT_EQ(w.points, (std::vector<std::int64_t>{0, 1}));
    EXPECT_EQ(t.stopped.size(), 5u);
}

TEST(Scheduler, AWorkersFailureStopsEveryWorkerAndNamesRankAndPoint) {
    MemoryTransport t(3, 11);
    t.fail_points = {5};
    Written w;
    const auto r = experiment::schedule_points(t, 50, w.fn(), status_of);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.failure.find(") failed on point 5: bad point"), std::string::npos) << r.failure;
    EXPECT_EQ(r.failure.rfind("MPI worker (rank ", 0), 0u) << r.failure;
    EXPECT_EQ(t.stopped.size(), 3u);  // every worker once
    EXPECT_TRUE(t.idle());
    EXPECT_LT(t.handed.size(), 50u);  // no point handed out after the failure was seen
    for (std::size_t i = 0; i < w.points.size(); ++i)
        EXPECT_EQ(w.points[i], static_cast<std::int64_t>(i));
}

TEST(Scheduler, ABadInputFailureKeepsStatusTwo) {
    MemoryTransport t(2, 5);
    t.fail_points = {99};
    Written w;
    const auto r = experiment::schedule_points(t, 120, w.fn(), status_of);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(t.stopped.size(), 2u);
}

TEST(Scheduler, AWriteFailureStopsEveryWorkerAndWritesNothingMore) {
    MemoryTransport t(3, 13);
    Written w;
    const auto r = experiment::schedule_points(t, 30, w.fn(4), [](const std::exception&) {
        return 7;  // whatever status_of says
    });
    EXPECT_EQ(r.status, 7);
    EXPECT_EQ(r.failure, "disk full at 4");
    EXPECT_EQ(w.points, (std::vector<std::int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(t.stopped.size(), 3u);
    EXPECT_TRUE(t.idle());
}

TEST(Scheduler, AFailureBeforeSchedulingHandsOutNothing) {
    MemoryTransport t(4, 17);
    Written w;
    const auto r = experiment::schedule_points(t, 10, w.fn(), status_of, {2, "output exists"});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.failure, "output exists");
    EXPECT_TRUE(t.handed.empty());
    EXPECT_TRUE(w.points.empty());
    EXPECT_EQ(t.stopped.size(), 4u);
}
