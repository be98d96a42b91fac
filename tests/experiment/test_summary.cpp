#include "sim/experiment/summary.h"

#include <gtest/gtest.h>

#include <bit>

#include "sim/core/model.h"
#include "sim/experiment/runner.h"
#include "support/spec_builder.h"

using namespace sco;
using namespace sco::core;

namespace {

/// Keeps every run, in the order the runner delivers them.
class MemorySink : public io::Sink {
  public:
    std::vector<RunRecord> runs;
    void begin(const ModelSpec&, const core::Plan&, const core::RunConfig&,
               const io::Provenance&) override {}
    void write_block(std::int64_t, std::span<const RunRecord> b) override {
        runs.insert(runs.end(), b.begin(), b.end());
    }
    void finish(std::span<const core::SummaryCounts* const>) override {}
    void abort() noexcept override {}
};

/// Four agents (six pairs), two summits; AAA is a great power that presses CCC; one
/// tension parameter (BBB-CCC); incidents and dialogue on.
ModelSpec stochastic_spec(bool pressure = true) {
    test::SpecBuilder b(2, 1, 2);
    b.agent("AAA", Role::Member, 0.5, true);
    b.agent("BBB");
    b.agent("CCC");
    b.agent("DDD");
    const int ex = b.proposal("ex", Kind::Exercise, 0, true);
    b.spec().proposals[ex].host = 1;
    b.spec().proposals[ex].transit.push_back({3, 2});  // DDD's troops through CCC
    b.proposal("decl", Kind::Declaration, 0);
    b.set("agenda.ex.position.d0", 0.7)
        .set("agenda.decl.position.d1", {DistKind::Uniform, 0.3, 0.9});
    b.set("agents.CCC.military_reluctance", {DistKind::Beta, 8, 2})
        .set("agents.CCC.sovereignty", 0.8);
    b.set("agents.BBB.position.d1", {DistKind::Normal, 0.5, 0.2})
        .set("agents.BBB.salience.d1", 1.0);
    b.set("agents.CCC.position.d1", 0.1).set("agents.CCC.salience.d1", 1.0);
    b.set("agents.DDD.position.d1", {DistKind::Uniform, 0.0, 1.0})
        .set("agents.DDD.salience.d1", 1.0);
    // AAA wants the exercise (so it presses the members that object to it).
    b.set("agents.AAA.position.d0", 0.9).set("agents.AAA.salience.d0", 1.0);
    b.relation(Field::Tension, 1, 2, 0.6);
    b.susceptibility(2, 0, 0.5);
    b.susceptibility(3, 0, 0.5);
    b.dyn(Dyn::IncidentRate, 0.5).dyn(Dyn::DialogueRate, 0.1).dyn(Dyn::PressureCost, 0.0);
    if (!pressure) b.spec().variants.pressure = PressureRule::Disabled;
    return b.spec();
}

std::vector<RunRecord> simulate_runs(const ModelSpec& spec, std::int64_t n) {
    experiment::RunConfig cfg;
    cfg.replications = n;
    cfg.threads = 2;
    cfg.seed = 99;
    MemorySink sink;
    experiment::run_plan(spec, experiment::Plan{}, cfg, &sink, {});
    return sink.runs;
}

RecordShape small_shape() {
    RecordShape s;
    s.periods = 1;
    s.proposals = 1;
    s.agents = 4;
    s.dims = 1;
    s.pairs = 6;
    return s;
}

}  // namespace

// ---- which pairs keep a histogram ----

TEST(Summary, TensionPairsOfAreTheTensionParametersAndThePressurePairs) {
    const ModelSpec spec = stochastic_spec();
    const int n = spec.n_agents();
    // BBB-CCC has a tension parameter; AAA (a great power) may press anyone.
    const std::vector<int> want{pair_index(0, 1, n), pair_index(0, 2, n), pair_index(0, 3, n),
                                pair_index(1, 2, n)};
    EXPECT_EQ(experiment::tension_pairs_of(spec), want);
    EXPECT_EQ(experiment::tension_pairs_of(stochastic_spec(false)),
              std::vector<int>{pair_index(1, 2, n)});
    EXPECT_EQ(experiment::tension_pairs_of(spec, true), experiment::all_pairs(6));
}

// A fact of the model the untracked pairs rest on: a pair without a tension parameter
// and out of reach of pressure has tension 0 at the end of every period of every run.
TEST(Summary, UntrackedPairsNeverMove) {
    const ModelSpec spec = stochastic_spec();
    const auto tracked = experiment::tension_pairs_of(spec);
    const auto runs = simulate_runs(spec, 3000);
    const int K = spec.n_pairs(), T = spec.periods;
    std::vector<char> moved(static_cast<std::size_t>(K), 0);
    for (const auto& r : runs)
        for (int t = 0; t < T; ++t)
            for (int k = 0; k < K; ++k)
                if (r.tension[static_cast<std::size_t>(t) * K + k] != 0.0f) moved[k] = 1;
    for (int k = 0; k < K; ++k) {
        const bool is_tracked = std::find(tracked.begin(), tracked.end(), k) != tracked.end();
        if (!is_tracked) {
            EXPECT_EQ(moved[k], 0) << "untracked pair " << spec.pair_name(k);
        }
    }
    // The check can fail: pressure gave tension to a pair without a tension parameter.
    const int n = spec.n_agents();
    EXPECT_EQ(moved[pair_index(0, 2, n)], 1) << "pressure never moved AAA-CCC";
    EXPECT_EQ(moved[pair_index(1, 2, n)], 1);
}

TEST(Summary, HistogramIsPeriodsByTrackedPairsByBins) {
    const ModelSpec spec = stochastic_spec();
    const auto tracked = experiment::tension_pairs_of(spec);
    const RecordShape shape = shape_of(spec);
    const experiment::Summary s(shape, 5, tracked);
    EXPECT_EQ(s.tension_hist.size(),
              static_cast<std::size_t>(shape.periods) * tracked.size() * experiment::kTensionBins);
    EXPECT_LT(s.tension_hist.size(),
              static_cast<std::size_t>(shape.periods) * shape.pairs * experiment::kTensionBins);
    EXPECT_EQ(s.tension_sum.size(), static_cast<std::size_t>(shape.periods) * shape.pairs);
    EXPECT_THROW(experiment::Summary(shape, 5, {2, 1}), std::invalid_argument);
    EXPECT_THROW(experiment::Summary(shape, 5, {shape.pairs}), std::invalid_argument);
}

TEST(Summary, TrackedHistogramKnownAnswer) {
    // Pairs 1 and 4 tracked out of 6. Runs with tension 0.1 then 0.3 on pair 1, 0.875 on pair 4.
    experiment::Summary s(small_shape(), 3, {1, 4});
    RunRecord r(small_shape());
    r.outcome = {static_cast<std::uint8_t>(Outcome::NotTabled)};
    for (const float x : {0.1f, 0.3f}) {
        std::fill(r.tension.begin(), r.tension.end(), 0.0f);
        r.tension[1] = x;
        r.tension[4] = 0.875f;
        s.add(r);
    }
    ASSERT_EQ(s.tension_hist.size(), 2u * experiment::kTensionBins);
    // Slot 0 is pair 1: bins 20 (0.1) and 60 (0.3); slot 1 is pair 4: bin 175 twice.
    std::vector<std::int64_t> want(2 * experiment::kTensionBins, 0);
    want[20] = want[60] = 1;
    want[experiment::kTensionBins + 175] = 2;
    EXPECT_EQ(s.tension_hist, want);
    EXPECT_EQ(s.tension_slot(1), 0);
    EXPECT_EQ(s.tension_slot(4), 1);
    EXPECT_EQ(s.tension_slot(0), -1);
    EXPECT_NEAR(s.tension_mean(0, 1), 0.2, 1e-7);
    EXPECT_DOUBLE_EQ(s.tension_quantile(0, 1, 0.5), 20.5 / experiment::kTensionBins);
    EXPECT_DOUBLE_EQ(s.tension_quantile(0, 4, 0.05), 175.5 / experiment::kTensionBins);
    // An untracked pair (0 in every run): the midpoint of bin 0, what its histogram gives.
    EXPECT_DOUBLE_EQ(s.tension_quantile(0, 0, 0.95), 0.5 / experiment::kTensionBins);
    EXPECT_EQ(s.tension_sd(0, 0), 0.0);
}

// add skips the flag bits of a (summit, proposal) where no agent has a flag: a flag of any
// agent (the last one alone, one in the middle) must still count, every bit of it.
TEST(Summary, FlagCountsKnownAnswerWhereOnlyOneAgentHasFlags) {
    experiment::Summary s(small_shape(), 3, {});
    RunRecord r(small_shape());
    r.outcome = {static_cast<std::uint8_t>(Outcome::Blocked)};
    const std::vector<std::vector<Flags>> runs = {
        {0, 0, 0, 0},                            // none: nothing counted
        {0, 0, 0, kObjected | kVeto | kWaited},  // the last agent only
        {0, kJoined | kReserved, 0, 0},          // one in the middle
        {kPressurer, 0, 0, kPressured | kObjected}};
    for (const auto& f : runs) {
        r.flags = f;
        s.add(r);
    }
    auto count = [&](int i, AgentFlag bit) {
        return s.flag_count(0, 0, i, std::countr_zero(unsigned{bit}));
    };
    EXPECT_EQ(count(3, kObjected), 2);
    EXPECT_EQ(count(3, kVeto), 1);
    EXPECT_EQ(count(3, kWaited), 1);
    EXPECT_EQ(count(3, kPressured), 1);
    EXPECT_EQ(count(1, kJoined), 1);
    EXPECT_EQ(count(1, kReserved), 1);
    EXPECT_EQ(count(0, kPressurer), 1);
    std::int64_t total = 0;
    for (const std::int64_t c : s.flag_counts) total += c;
    EXPECT_EQ(total, 8);
}

TEST(Summary, QuantileOfAKnownHistogram) {
    experiment::Summary s(small_shape(), 3, {2});
    // Ten runs, one in each of bins 0..9.
    for (int b = 0; b < 10; ++b) s.tension_hist[static_cast<std::size_t>(b)] = 1;
    s.runs = 10;
    constexpr double w = 1.0 / experiment::kTensionBins;
    EXPECT_DOUBLE_EQ(s.tension_quantile(0, 2, 0.05), 0.5 * w);  // goal 0.5: bin 0
    EXPECT_DOUBLE_EQ(s.tension_quantile(0, 2, 0.5), 4.5 * w);   // goal 5: bin 4
    EXPECT_DOUBLE_EQ(s.tension_quantile(0, 2, 0.95), 9.5 * w);  // goal 9.5: bin 9
    EXPECT_DOUBLE_EQ(s.tension_quantile(0, 2, 1.0), 9.5 * w);
}

// ---- the counts are the runs' counts ----

TEST(Summary, CountsEqualABruteForceRecountOfTheRecords) {
    const ModelSpec spec = stochastic_spec();
    const auto runs = simulate_runs(spec, 400);
    const RecordShape sh = shape_of(spec);
    const auto tracked = experiment::tension_pairs_of(spec);
    experiment::Summary s(sh, 5, tracked);
    for (const auto& r : runs) s.add(r);
    ASSERT_EQ(s.runs, 400);
    const int T = sh.periods, P = sh.proposals, N = sh.agents, D = sh.dims, K = sh.pairs;
    std::int64_t tabled_somewhere = 0, passed_somewhere = 0, flags_set = 0;
    for (int t = 0; t < T; ++t)
        for (int p = 0; p < P; ++p) {
            const std::size_t tp = static_cast<std::size_t>(t) * P + p;
            std::int64_t outcome[experiment::kOutcomes] = {}, passed = 0, joined_passed = 0,
                         implemented = 0, lag = 0, pressure = 0, pressure_runs = 0;
            std::vector<std::int64_t> bits(static_cast<std::size_t>(N) * kFlagBits, 0);
            std::vector<std::int64_t> rounds(6, 0), dil(experiment::kDilutionBins, 0);
            for (const auto& r : runs) {
                const auto o = static_cast<Outcome>(r.outcome[tp]);
                ++outcome[r.outcome[tp]];
                ++rounds[std::min<int>(r.rounds[tp], 5)];
                pressure += r.pressure[tp];
                pressure_runs += r.pressure[tp] > 0;
                for (int i = 0; i < N; ++i)
                    for (int b = 0; b < kFlagBits; ++b)
                        bits[static_cast<std::size_t>(i) * kFlagBits + b] +=
                            (r.flags[tp * N + i] >> b) & 1;
                if (o == Outcome::Adopted || o == Outcome::AdoptedWithReservations ||
                    o == Outcome::Coalition || o == Outcome::Diluted) {
                    ++passed;
                    for (int i = 0; i < N; ++i)
                        joined_passed += (r.flags[tp * N + i] & kJoined) != 0;
                    ++dil[std::min(experiment::kDilutionBins - 1,
                                   static_cast<int>(r.dilution[tp] * experiment::kDilutionBins))];
                    if (r.implemented[tp] > 0) {
                        ++implemented;
                        lag += r.implemented[tp];
                    }
                }
            }
            for (int o = 0; o < experiment::kOutcomes; ++o)
                EXPECT_EQ(s.outcome_count(t, p, o), outcome[o]) << t << ' ' << p << ' ' << o;
            EXPECT_EQ(s.passed(t, p), passed);
            EXPECT_EQ(s.tabled(t, p), 400 - outcome[static_cast<int>(Outcome::NotTabled)]);
            for (int i = 0; i < N; ++i)
                for (int b = 0; b < kFlagBits; ++b)
                    EXPECT_EQ(s.flag_count(t, p, i, b),
                              bits[static_cast<std::size_t>(i) * kFlagBits + b]);
            std::int64_t part = 0;
            for (int i = 0; i < N; ++i) part += s.participated[tp * N + i];
            EXPECT_EQ(part, joined_passed);
            for (int r = 0; r <= 5; ++r) EXPECT_EQ(s.rounds_hist[tp * 6 + r], rounds[r]);
            for (int b = 0; b < experiment::kDilutionBins; ++b)
                EXPECT_EQ(s.dilution_hist[tp * experiment::kDilutionBins + b], dil[b]);
            EXPECT_EQ(s.implemented[tp], implemented);
            EXPECT_EQ(s.lag_sum[tp], lag);
            EXPECT_EQ(s.pressure_sum[tp], pressure);
            EXPECT_EQ(s.pressure_runs[tp], pressure_runs);
            tabled_somewhere += s.tabled(t, p);
            passed_somewhere += passed;
            for (auto v : bits) flags_set += v;
        }
    // The batch exercises what it checks.
    EXPECT_GT(tabled_somewhere, 0);
    EXPECT_GT(passed_somewhere, 0);
    EXPECT_GT(flags_set, 0);
    // Tension: the histogram of every tracked pair, the sums of every pair.
    for (int t = 0; t < T; ++t) {
        for (std::size_t j = 0; j < tracked.size(); ++j) {
            std::vector<std::int64_t> hist(experiment::kTensionBins, 0);
            for (const auto& r : runs) {
                const double x = r.tension[static_cast<std::size_t>(t) * K + tracked[j]];
                ++hist[std::clamp(static_cast<int>(x * experiment::kTensionBins), 0,
                                  experiment::kTensionBins - 1)];
            }
            for (int b = 0; b < experiment::kTensionBins; ++b)
                EXPECT_EQ(s.tension_hist[(static_cast<std::size_t>(t) * tracked.size() + j) *
                                             experiment::kTensionBins +
                                         b],
                          hist[b]);
        }
        for (int k = 0; k < K; ++k) {
            double sum = 0.0;
            for (const auto& r : runs) sum += r.tension[static_cast<std::size_t>(t) * K + k];
            EXPECT_NEAR(s.tension_mean(t, k), sum / 400.0, 1e-6);
        }
        for (int d = 0; d < D; ++d) {
            double sum = 0.0;
            for (const auto& r : runs) sum += r.compromise[static_cast<std::size_t>(t) * D + d];
            EXPECT_NEAR(static_cast<double>(s.compromise_sum[static_cast<std::size_t>(t) * D + d]) /
                            experiment::kFixedScale,
                        sum, 1e-6);
        }
    }
    // First adoption: each proposal's row sums to the runs.
    for (int p = 0; p < P; ++p) {
        std::int64_t never = 0;
        for (const auto& r : runs) {
            bool any = false;
            for (int t = 0; t < T; ++t) {
                const auto o = static_cast<Outcome>(r.outcome[static_cast<std::size_t>(t) * P + p]);
                any = any || o == Outcome::Adopted || o == Outcome::AdoptedWithReservations ||
                      o == Outcome::Coalition || o == Outcome::Diluted;
            }
            never += !any;
        }
        EXPECT_EQ(s.first_adopted(p, T), never);
    }
}

TEST(Summary, MergeOfTwoEqualsTheSummaryOfTheConcatenatedRuns) {
    const ModelSpec spec = stochastic_spec();
    const auto runs = simulate_runs(spec, 300);
    const auto tracked = experiment::tension_pairs_of(spec);
    const RecordShape sh = shape_of(spec);
    experiment::Summary a(sh, 5, tracked), b(sh, 5, tracked), all(sh, 5, tracked),
        rev(sh, 5, tracked);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        (i < 110 ? a : b).add(runs[i]);
        all.add(runs[i]);
    }
    rev.merge(b);
    rev.merge(a);
    a.merge(b);
    EXPECT_EQ(a, all);
    EXPECT_EQ(rev, all);
    EXPECT_EQ(all.runs, 300);
    experiment::Summary other_rounds(sh, 7, tracked);
    EXPECT_THROW(a.merge(other_rounds), std::invalid_argument);
    experiment::Summary other_pairs(sh, 5);  // every pair
    EXPECT_THROW(a.merge(other_pairs), std::invalid_argument);
}

// ---- what io::Sink::finish takes ----

TEST(Summary, CountPointersPointAtEachSummarysCountsInOrder) {
    const RecordShape shape{1, 1, 2, 1, 1};
    std::vector<experiment::Summary> sums(3, experiment::Summary(shape, 2));
    sums[1].runs = 7;
    const std::vector<const SummaryCounts*> p = experiment::count_pointers(sums);
    ASSERT_EQ(p.size(), 3u);
    for (std::size_t i = 0; i < p.size(); ++i)
        EXPECT_EQ(p[i], static_cast<const SummaryCounts*>(&sums[i]));
    EXPECT_EQ(p[1]->runs, 7);
    EXPECT_TRUE(experiment::count_pointers({}).empty());
}
