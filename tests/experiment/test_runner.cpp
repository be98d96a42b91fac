#include "sim/experiment/runner.h"

#include <gtest/gtest.h>

#include "support/spec_builder.h"

using namespace sco;
using namespace sco::core;

namespace {

/// Keeps every run in memory, in the order the runner delivers them.
class MemorySink : public io::Sink {
  public:
    std::vector<RunRecord> runs;
    std::vector<std::int64_t> firsts;
    bool finished = false, aborted = false;
    void begin(const ModelSpec&, const Plan&, const RunConfig&, const io::Provenance&) override {}
    void write_block(std::int64_t first, std::span<const RunRecord> b) override {
        firsts.push_back(first);
        runs.insert(runs.end(), b.begin(), b.end());
    }
    void finish(std::span<const SummaryCounts* const>) override { finished = true; }
    void abort() noexcept override { aborted = true; }
};

ModelSpec stochastic_spec() {
    test::SpecBuilder b(2, 1, 4);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB");
    b.agent("CCC");
    b.agent("OBS", Role::Observer);
    const int ex = b.proposal("ex", Kind::Exercise, 0, true);
    b.spec().proposals[ex].host = 1;
    b.spec().proposals[ex].transit.push_back({2, 0});  // CCC's troops through AAA
    b.proposal("decl", Kind::Declaration, 1);
    b.set("agenda.ex.position.d0", 0.7)
        .set("agenda.decl.position.d1", {DistKind::Uniform, 0.3, 0.9});
    b.set("agents.CCC.military_reluctance", {DistKind::Beta, 8, 2})
        .set("agents.CCC.sovereignty", 0.8);
    b.set("agents.BBB.position.d1", {DistKind::Normal, 0.5, 0.2})
        .set("agents.BBB.salience.d1", 1.0);
    b.set("agents.CCC.position.d1", 0.1).set("agents.CCC.salience.d1", 1.0);
    b.relation(Field::Tension, 1, 2, 0.6);
    b.susceptibility(2, 0, 0.5);
    return b.spec();
}

}  // namespace

TEST(Runner, ResultsDoNotDependOnThreadCountOrBlockSize) {
    const ModelSpec spec = stochastic_spec();
    experiment::Plan plan;
    experiment::RunConfig cfg;
    cfg.replications = 1500;
    cfg.seed = 2024;
    std::vector<MemorySink> sinks(3);
    std::vector<experiment::Summary> sums[3];
    const int threads[3] = {1, 2, 3}, blocks[3] = {1024, 100, 7};
    for (int k = 0; k < 3; ++k) {
        cfg.threads = threads[k];
        cfg.block = blocks[k];
        sums[k] = experiment::run_plan(spec, plan, cfg, &sinks[k], {});
        ASSERT_TRUE(sinks[k].finished);
    }
    for (int k = 1; k < 3; ++k) {
        ASSERT_EQ(sinks[k].runs.size(), 1500u);
        for (std::size_t r = 0; r < 1500; ++r) {
            ASSERT_EQ(sinks[k].runs[r].outcome, sinks[0].runs[r].outcome) << "run " << r;
            ASSERT_EQ(sinks[k].runs[r].flags, sinks[0].runs[r].flags) << "run " << r;
            ASSERT_EQ(sinks[k].runs[r].tension, sinks[0].runs[r].tension) << "run " << r;
            ASSERT_EQ(sinks[k].runs[r].params, sinks[0].runs[r].params) << "run " << r;
        }
        EXPECT_EQ(sums[k], sums[0]);
    }
    // The runs really differ from each other: the spec is stochastic.
    int differing = 0;
    for (std::size_t r = 1; r < 1500; ++r)
        differing += sinks[0].runs[r].params != sinks[0].runs[0].params;
    EXPECT_GT(differing, 1400);
}

TEST(Runner, SummaryEqualsTheSumOfItsRuns) {
    const ModelSpec spec = stochastic_spec();
    experiment::RunConfig cfg;
    cfg.replications = 500;
    cfg.threads = 2;
    MemorySink sink;
    const auto sums = experiment::run_plan(spec, experiment::Plan{}, cfg, &sink, {});
    experiment::Summary manual(shape_of(spec), sums[0].max_rounds, sums[0].tension_pairs);
    for (const auto& r : sink.runs) manual.add(r);
    EXPECT_EQ(manual, sums[0]);
    EXPECT_EQ(sums[0].runs, 500);
}

TEST(Runner, ReplayReproducesOneRunAlone) {
    const ModelSpec spec = stochastic_spec();
    experiment::RunConfig cfg;
    cfg.replications = 300;
    cfg.seed = 5;
    MemorySink sink;
    experiment::run_plan(spec, experiment::Plan{}, cfg, &sink, {});
    for (std::int64_t rep : {0, 17, 299}) {
        const RunRecord r = experiment::replay(spec, experiment::Plan{}, cfg, 0, rep);
        EXPECT_EQ(r.outcome, sink.runs[rep].outcome);
        EXPECT_EQ(r.tension, sink.runs[rep].tension);
    }
}

TEST(Runner, StopRequestAbortsTheSink) {
    const ModelSpec spec = stochastic_spec();
    experiment::RunConfig cfg;
    cfg.replications = 5000;
    cfg.block = 100;
    MemorySink sink;
    std::atomic<bool> stop{false};
    experiment::RunnerHooks hooks;
    hooks.stop = &stop;
    hooks.progress = [&](std::int64_t done, std::int64_t) {
        if (done >= 300) stop = true;
    };
    EXPECT_THROW(experiment::run_plan(spec, experiment::Plan{}, cfg, &sink, {}, hooks),
                 experiment::Interrupted);
    EXPECT_TRUE(sink.aborted);
    EXPECT_FALSE(sink.finished);
}

TEST(Runner, PointsUseTheirOverridesAndTheirOwnKeys) {
    const ModelSpec spec = stochastic_spec();
    experiment::Plan plan;
    const ParamId rel = spec.params.find("agents.CCC.military_reluctance");
    const ParamId ten = spec.params.find("relations.tension.BBB-CCC");
    ASSERT_NE(rel, kNoParam);
    ASSERT_NE(ten, kNoParam);
    // Without its rivalry with the host, only CCC's reluctance decides whether it joins.
    plan.points = {
        experiment::Point{{{rel, Distribution::fixed(0.0)}, {ten, Distribution::fixed(0.0)}}},
        experiment::Point{{{rel, Distribution::fixed(1.0)}, {ten, Distribution::fixed(0.0)}}}};
    plan.total_points = 2;
    experiment::RunConfig cfg;
    cfg.replications = 2000;
    const auto sums = experiment::run_plan(spec, plan, cfg, nullptr, {});
    ASSERT_EQ(sums.size(), 2u);
    // CCC (agent 2) joins the exercise (proposal 0) at summit 0 more often when not reluctant.
    EXPECT_GT(sums[0].flag_count(0, 0, 2, 0), sums[1].flag_count(0, 0, 2, 0) + 200);
}

namespace {
/// `points` points of stochastic_spec() that fix CCC's military reluctance at 0, 1/6, ...,
/// 1 in turn (point k: (k mod 7) / 6).
experiment::Plan reluctance_points(const ModelSpec& spec, int points) {
    const ParamId rel = spec.params.find("agents.CCC.military_reluctance");
    EXPECT_NE(rel, kNoParam);
    experiment::Plan plan;
    plan.points.clear();
    for (int k = 0; k < points; ++k)
        plan.points.push_back(experiment::Point{{{rel, Distribution::fixed((k % 7) / 6.0)}}});
    plan.total_points = points;
    return plan;
}
}  // namespace

TEST(Runner, PipelinedWorkersNeverTakeASlotOutOfTurn) {
    // Points of one task each (1 run) on more threads than cores: a worker that reaches point
    // k + window while the worker holding point k is descheduled must not take their shared
    // slot first. Before the slot's turn was kept, it could, and the calling thread (waiting
    // for point k) and the worker holding point k (waiting for the slot) waited for each
    // other forever: about 5 in 100 runs of a 12-point calibration shard hung under load. A
    // hang here shows as this test's ctest timeout; the summaries must also be those of one
    // thread.
    const ModelSpec spec = stochastic_spec();
    constexpr int kPoints = 400;
    const experiment::Plan plan = reluctance_points(spec, kPoints);
    experiment::RunConfig cfg;
    cfg.replications = 1;
    cfg.seed = 5;
    cfg.summary_only = true;
    cfg.threads = 1;
    const auto ref = experiment::run_plan(spec, plan, cfg, nullptr, {});
    ASSERT_EQ(ref.size(), static_cast<std::size_t>(kPoints));
    for (int rep = 0; rep < 20; ++rep)
        for (int threads : {2, 5, 8}) {
            cfg.threads = threads;
            ASSERT_EQ(experiment::run_plan(spec, plan, cfg, nullptr, {}), ref) << threads;
        }
}

TEST(Runner, SummaryOnlyPlansAreTheSameOnAnyThreadCountAsWithPerRunRecords) {
    // Summary-only plans (no sink, or cfg.summary_only) run in the pipelined runner, whose
    // threads take runs across point boundaries: 7 points of 37 runs (tasks of 8 runs
    // straddle the points) must give, point by point, the summaries of the block runner
    // with per-run records, and the sink must count every run in order.
    const ModelSpec spec = stochastic_spec();
    const experiment::Plan plan = reluctance_points(spec, 7);
    experiment::RunConfig cfg;
    cfg.replications = 37;
    cfg.seed = 99;
    cfg.threads = 1;
    MemorySink records;
    const auto ref = experiment::run_plan(spec, plan, cfg, &records, {});
    ASSERT_EQ(ref.size(), 7u);
    ASSERT_EQ(records.runs.size(), 7u * 37u);
    EXPECT_NE(ref[0], ref[6]);  // the points differ
    cfg.summary_only = true;
    for (int threads : {1, 2, 3}) {
        cfg.threads = threads;
        EXPECT_EQ(experiment::run_plan(spec, plan, cfg, nullptr, {}), ref) << threads;
        MemorySink counted;
        EXPECT_EQ(experiment::run_plan(spec, plan, cfg, &counted, {}), ref) << threads;
        EXPECT_TRUE(counted.finished);
        EXPECT_EQ(counted.runs.size(), 7u * 37u);
        ASSERT_FALSE(counted.firsts.empty());
        EXPECT_EQ(counted.firsts.front(), 0);
        for (std::size_t b = 1; b < counted.firsts.size(); ++b)
            EXPECT_GT(counted.firsts[b], counted.firsts[b - 1]);
    }
}

namespace {

/// Two per-run tests: the first proposal passed at summit 0; it passed with agent 1 joined.
struct PassedCounter : experiment::RunCounter {
    [[nodiscard]] std::size_t size() const override { return 2; }
    void count(const RunRecord& r, std::int64_t* hits) const override {
        const bool passed = core::passed(static_cast<Outcome>(r.outcome[0]));
        hits[0] += passed ? 1 : 0;
        hits[1] += passed && (r.flags[1] & kJoined) != 0 ? 1 : 0;
    }
};

}  // namespace

TEST(Runner, AHooksCounterCountsEveryRunOnAnyThreadCountInBothRunners) {
    // The per-event joint counts of calibrate ride on the summaries (RunnerHooks::counter):
    // they must be what the per-run records give, whatever the threads, and the same in the
    // pipelined runner (summary only) as in the block runner (per-run records).
    const ModelSpec spec = stochastic_spec();
    const experiment::Plan plan = reluctance_points(spec, 5);
    experiment::RunConfig cfg;
    cfg.replications = 41;
    cfg.seed = 7;
    cfg.threads = 1;
    experiment::RunnerHooks hooks;
    hooks.counter = std::make_shared<const PassedCounter>();
    MemorySink records;
    const auto ref = experiment::run_plan(spec, plan, cfg, &records, {}, hooks);
    ASSERT_EQ(ref.size(), 5u);
    for (std::size_t k = 0; k < 5; ++k) {
        std::vector<std::int64_t> want(2, 0);
        for (std::size_t r = k * 41; r < (k + 1) * 41; ++r)
            PassedCounter{}.count(records.runs[r], want.data());
        EXPECT_EQ(ref[k].counted, want) << k;
        EXPECT_EQ(ref[k].counted[0], ref[k].passed(0, 0)) << k;  // the summary's own count
    }
    EXPECT_GT(ref[0].counted[1], 0);
    EXPECT_LE(ref[0].counted[1], ref[0].counted[0]);  // joined and passed: at most passed
    cfg.summary_only = true;
    for (int threads : {1, 2, 3}) {
        cfg.threads = threads;
        const auto got = experiment::run_plan(spec, plan, cfg, nullptr, {}, hooks);
        ASSERT_EQ(got.size(), 5u);
        for (std::size_t k = 0; k < 5; ++k) EXPECT_EQ(got[k].counted, ref[k].counted) << threads;
    }
    // without a counter, nothing is counted
    EXPECT_TRUE(experiment::run_plan(spec, plan, cfg, nullptr, {})[0].counted.empty());
}
