// sim/experiment/sweep.cpp: sweep orchestration (parts, resume, merge order, sweep id, the
// error level) against a small in-memory SweepStore that really stores what the runner
// writes, refuses what a file store refuses, and merges only contiguous parts.
#include "sim/experiment/sweep.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "support/spec_builder.h"

using namespace sco;
using io::Slice;

namespace {

/// What a stored results "file" holds.
struct Stored {
    std::string id;
    Slice points;
    std::int64_t runs = 0;                 // runs written
    std::vector<std::int64_t> first_runs;  // write_block offsets, in order
};

struct StoreExists : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class MemoryStore;

/// Writes into the store on finish, nothing on abort; throws writing a block of a plan
/// whose first point is in `fail_at`.
class MemorySink : public io::Sink {
  public:
    MemorySink(MemoryStore& store, std::string name, bool overwrite, bool fail)
        : store_(store), name_(std::move(name)), overwrite_(overwrite), fail_(fail) {}
    void begin(const core::ModelSpec&, const core::Plan& plan, const core::RunConfig&,
               const io::Provenance&) override {
        item_.id = plan.sweep.id;
        item_.points = {plan.first_point, plan.first_point + plan.n_points()};
    }
    void write_block(std::int64_t first_run, std::span<const core::RunRecord> runs) override {
        if (fail_) throw std::runtime_error("disk on fire");
        item_.first_runs.push_back(first_run);
        item_.runs += static_cast<std::int64_t>(runs.size());
    }
    void finish(std::span<const core::SummaryCounts* const>) override;
    [[nodiscard]] bool streams_summaries() const override { return true; }
    void write_summary(std::int64_t, core::SummaryCounts&&) override {}
    void abort() noexcept override { aborted_ = true; }

  private:
    MemoryStore& store_;
    std::string name_;
    bool overwrite_, fail_, aborted_ = false;
    Stored item_;
};

class MemoryStore : public io::SweepStore {
  public:
    std::map<std::string, Stored> files;
    std::set<std::string> folders;
    std::set<std::int64_t> fail_at;        // first points of plans whose writes fail
    std::vector<std::string> created;      // names passed to create, in order
    std::vector<std::string> merge_order;  // inputs of the last merge

    [[nodiscard]] bool exists(const std::string& name) const override {
        return files.count(name) || folders.count(name);
    }
    [[nodiscard]] std::string not_this_slice(const std::string& name, const std::string& id,
                                             const Slice& s) const override {
        const auto it = files.find(name);
        if (it == files.end()) return "it is not a regular file";
        if (it->second.id != id) return "it belongs to another sweep";
        if (!(it->second.points == s)) return "it holds other points";
        return "";
    }
    void refuse_existing(const std::string& name, bool overwrite) const override {
        if (exists(name) && !overwrite) throw StoreExists(name + " exists");
    }
    std::unique_ptr<io::Sink> create(const std::string& name, bool overwrite) override {
        refuse_existing(name, overwrite);
        created.push_back(name);
        const auto slash = name.rfind('/');
        if (slash != std::string::npos && !folders.count(name.substr(0, slash)))
            throw std::runtime_error("no folder for " + name);
        // The plan's first point is in the part's name; the whole output is never failed.
        bool fail = false;
        for (std::int64_t k : fail_at)
            fail = fail ||
                   name.find(experiment::part_name({k, k + 1}).substr(0, 15)) != std::string::npos;
        return std::make_unique<MemorySink>(*this, name, overwrite, fail);
    }
    void make_folder(const std::string& name) override { folders.insert(name); }
    void remove_all(const std::string& name) override {
        folders.erase(name);
        for (auto it = files.begin(); it != files.end();)
            it = it->first == name || it->first.rfind(name + "/", 0) == 0 ? files.erase(it)
                                                                          : std::next(it);
    }
    void merge(const std::vector<std::string>& inputs, const std::string& output,
               bool overwrite) override {
        refuse_existing(output, overwrite);
        merge_order = inputs;
        Stored out;
        std::int64_t next = 0;
        for (const auto& in : inputs) {
            const Stored& s = files.at(in);
            if (s.points.first != next) throw std::runtime_error("merge: a gap or overlap");
            if (!out.id.empty() && s.id != out.id) throw std::runtime_error("merge: two sweeps");
            out.id = s.id;
            out.runs += s.runs;
            next = s.points.last;
        }
        out.points = {0, next};
        files[output] = out;
    }
    void put(const std::string& name, Stored s) { files[name] = std::move(s); }
};

void MemorySink::finish(std::span<const core::SummaryCounts* const>) {
    if (aborted_) return;
    store_.refuse_existing(name_, overwrite_);  // published only now, as a file store does
    store_.put(name_, item_);
}

struct Fixture {
    test::SpecBuilder b{1, 0};
    core::ModelSpec spec;
    experiment::SweepRequest req;
    Fixture() {
        b.agent("AAA");
        b.agent("BBB");
        b.proposal("p", core::Kind::Plan, 0);
        spec = b.spec();
        experiment::Factor f;
        f.id = spec.params.find("agents.BBB.sovereignty");
        f.path = "agents.BBB.sovereignty";
        f.levels = {0.1, 0.3, 0.5, 0.7, 0.9};
        req.spec = &spec;
        req.design.factors = {f};
        req.cfg.replications = 4;
        req.cfg.threads = 1;
        req.cfg.block = 3;
        req.id = "sweep-1";
        req.output = "out.h5";
        req.runs_per_part = 8;  // two points per part: parts [0,2) [2,4) [4,5)
    }
};

const std::string kFolder = "out.h5.parts";

std::string part(std::int64_t a, std::int64_t b) {
    return kFolder + "/" + experiment::part_name({a, b});
}

}  // namespace

TEST(Sweep, PartsCoverThePointsInOrderWithinTheBounds) {
    using V = std::vector<Slice>;
    EXPECT_EQ(experiment::sweep_parts(10, 100), (V{{0, 10}}));  // 50,000 runs or more
    EXPECT_EQ(experiment::sweep_parts(5, 20'000), (V{{0, 2}, {2, 4}, {4, 5}}));   // 50,000 / 20,000
    EXPECT_EQ(experiment::sweep_parts(3, 100'000), (V{{0, 1}, {1, 2}, {2, 3}}));  // one point
    const auto many = experiment::sweep_parts(100'000, 1);  // at most 256 parts
    EXPECT_LE(many.size(), 256u);
    EXPECT_EQ(many.front().first, 0);
    EXPECT_EQ(many.back().last, 100'000);
    for (std::size_t i = 1; i < many.size(); ++i) EXPECT_EQ(many[i].first, many[i - 1].last);
}

TEST(Sweep, PartNameHoldsTheFirstAndLastPoint) {
    EXPECT_EQ(experiment::part_name({0, 10}), "points-00000000-00000009.h5");
    EXPECT_EQ(experiment::part_name({12, 13}), "points-00000012-00000012.h5");
    EXPECT_EQ(experiment::parts_folder("r/s.h5"), "r/s.h5.parts");
}

TEST(Sweep, IdsDependOnTheTextTheNumbersAndTheDesign) {
    Fixture fx;
    const experiment::Digest d = [](const std::string& t) {
        return std::to_string(std::hash<std::string>{}(t));
    };
    const auto id = experiment::sweep_id(d, "text", fx.spec, fx.req.design, fx.req.cfg);
    EXPECT_EQ(id, experiment::sweep_id(d, "text", fx.spec, fx.req.design, fx.req.cfg));
    EXPECT_NE(id, experiment::sweep_id(d, "text2", fx.spec, fx.req.design, fx.req.cfg));
    auto cfg = fx.req.cfg;
    cfg.seed += 1;
    EXPECT_NE(id, experiment::sweep_id(d, "text", fx.spec, fx.req.design, cfg));
    EXPECT_EQ(id, d(d("text") + "\n" +
                    experiment::sweep_fingerprint(fx.spec, fx.req.design, fx.req.cfg)));
    const auto run = experiment::run_id(d, "text", fx.spec, fx.req.cfg);
    EXPECT_NE(run, experiment::sweep_id(d, "text", fx.spec, experiment::Design{}, fx.req.cfg));
    // The sponsor rule is part of the fingerprint, but only when it is not the default, so
    // that sweeps made before it existed keep their ids (and --resume accepts their files).
    const std::string before = experiment::sweep_fingerprint(fx.spec, fx.req.design, fx.req.cfg);
    EXPECT_NE(before.find("\nvariants 0 0 0\n"), std::string::npos) << before;
    core::ModelSpec ev = fx.spec;
    ev.variants.sponsor = core::SponsorRule::ExpectedValue;
    EXPECT_NE(id, experiment::sweep_id(d, "text", ev, fx.req.design, fx.req.cfg));
}

TEST(Sweep, RunsEveryPartThenMergesInPointOrderAndRemovesTheParts) {
    Fixture fx;
    MemoryStore store;
    std::vector<std::pair<std::int64_t, bool>> done;
    const auto rep = experiment::run_in_parts(
        store, fx.req, {}, [&](std::int64_t r, bool kept) { done.emplace_back(r, kept); });
    EXPECT_EQ(rep.parts, 3u);
    EXPECT_EQ(rep.skipped, 0u);
    EXPECT_TRUE(rep.merged);
    EXPECT_EQ(store.merge_order, (std::vector<std::string>{part(0, 2), part(2, 4), part(4, 5)}));
    EXPECT_EQ(done,
              (std::vector<std::pair<std::int64_t, bool>>{{8, false}, {8, false}, {4, false}}));
    ASSERT_TRUE(store.files.count("out.h5"));
    EXPECT_EQ(store.files["out.h5"].runs, 20);
    EXPECT_EQ(store.files["out.h5"].points, (Slice{0, 5}));
    EXPECT_EQ(store.files["out.h5"].id, "sweep-1");
    EXPECT_EQ(store.files.size(), 1u);  // the parts are gone
    EXPECT_FALSE(store.exists(kFolder));
}

TEST(Sweep, ResumeKeepsOnlyCompletePartsOfThisSweep) {
    Fixture fx;
    MemoryStore store;
    store.folders.insert(kFolder);
    store.put(part(0, 2), {"sweep-1", {0, 2}, 8, {}});      // complete: kept
    store.put(part(2, 4), {"other-sweep", {2, 4}, 8, {}});  // another sweep's: run again
    fx.req.resume = true;
    const auto rep = experiment::run_in_parts(store, fx.req, {});
    EXPECT_EQ(rep.skipped, 1u);
    EXPECT_EQ(store.created, (std::vector<std::string>{part(2, 4), part(4, 5)}));
    EXPECT_EQ(store.files.at("out.h5").id, "sweep-1");  // the merge refuses two sweeps
    EXPECT_EQ(store.files.at("out.h5").runs, 20);
}

TEST(Sweep, PartsOfAnInterruptedSweepNeedResumeOrForce) {
    Fixture fx;
    MemoryStore store;
    store.folders.insert(kFolder);
    store.put(part(0, 2), {"sweep-1", {0, 2}, 8, {}});
    EXPECT_THROW(experiment::run_in_parts(store, fx.req, {}), experiment::PartsInTheWay);
    EXPECT_TRUE(store.created.empty());
    fx.req.force = true;  // starts over: the kept part is run again
    const auto rep = experiment::run_in_parts(store, fx.req, {});
    EXPECT_EQ(rep.skipped, 0u);
    EXPECT_EQ(store.created.size(), 3u);
}

TEST(Sweep, AnExistingOutputIsRefusedBeforeAnyRun) {
    Fixture fx;
    MemoryStore store;
    store.put("out.h5", {"sweep-1", {0, 5}, 20, {}});
    EXPECT_THROW(experiment::run_in_parts(store, fx.req, {}), StoreExists);
    EXPECT_THROW(experiment::run_slice(store, fx.req, {0, 2}, {}), StoreExists);
    EXPECT_TRUE(store.created.empty());
}

TEST(Sweep, RunSliceWritesOneFileInRunOrder) {
    Fixture fx;
    MemoryStore store;
    experiment::run_slice(store, fx.req, {2, 4}, {});
    const Stored& s = store.files.at("out.h5");
    EXPECT_EQ(s.points, (Slice{2, 4}));
    EXPECT_EQ(s.runs, 8);
    EXPECT_EQ(s.first_runs, (std::vector<std::int64_t>{0, 3, 4, 7}));  // blocks of 3 per point
}

TEST(Sweep, CheckCompleteOutputSaysWhyAndClearsLeftoverParts) {
    Fixture fx;
    MemoryStore store;
    store.put("out.h5", {"sweep-1", {0, 5}, 20, {}});
    store.folders.insert(kFolder);
    store.put(part(0, 2), {"sweep-1", {0, 2}, 8, {}});
    EXPECT_EQ(experiment::check_complete_output(store, fx.req, {0, 4}, true),
              "it holds other points");
    EXPECT_TRUE(store.exists(kFolder));  // not complete: nothing removed
    EXPECT_EQ(experiment::check_complete_output(store, fx.req, {0, 5}, false), "");
    EXPECT_TRUE(store.exists(kFolder));  // a shard has no parts to clear
    EXPECT_EQ(experiment::check_complete_output(store, fx.req, {0, 5}, true), "");
    EXPECT_FALSE(store.exists(kFolder));
    EXPECT_FALSE(store.files.count(part(0, 2)));
    fx.req.id = "sweep-2";
    EXPECT_EQ(experiment::check_complete_output(store, fx.req, {0, 5}, true),
              "it belongs to another sweep");
}

TEST(Sweep, ErrorLevelFastStopsAtTheFirstFailedPart) {
    Fixture fx;
    MemoryStore store;
    store.fail_at = {2};
    EXPECT_THROW(experiment::run_in_parts(store, fx.req, {}), std::runtime_error);
    EXPECT_EQ(store.created, (std::vector<std::string>{part(0, 2), part(2, 4)}));
    EXPECT_TRUE(store.files.count(part(0, 2)));   // kept for --resume
    EXPECT_FALSE(store.files.count(part(2, 4)));  // aborted: nothing
    EXPECT_FALSE(store.files.count("out.h5"));
}

TEST(Sweep, ErrorLevelSlowRunsTheOtherPartsThenFails) {
    Fixture fx;
    fx.req.errors = experiment::ErrorLevel::Slow;
    MemoryStore store;
    store.fail_at = {0, 4};
    try {
        experiment::run_in_parts(store, fx.req, {});
        FAIL() << "no PartsFailed";
    } catch (const experiment::PartsFailed& e) {
        ASSERT_EQ(e.failed.size(), 2u);
        EXPECT_EQ(e.failed[0].points, (Slice{0, 2}));
        EXPECT_EQ(e.failed[1].points, (Slice{4, 5}));
        EXPECT_EQ(std::string(e.what()),
                  "2 of 3 parts failed: points 0-1: disk on fire; points 4-4: disk on fire");
    }
    EXPECT_EQ(store.created.size(), 3u);
    EXPECT_TRUE(store.files.count(part(2, 4)));
    EXPECT_FALSE(store.files.count("out.h5"));  // nothing merged
    // A resume after the cause is gone runs only the failed parts.
    store.fail_at.clear();
    store.created.clear();
    fx.req.resume = true;
    const auto rep = experiment::run_in_parts(store, fx.req, {});
    EXPECT_EQ(store.created, (std::vector<std::string>{part(0, 2), part(4, 5)}));
    EXPECT_TRUE(rep.merged);
    EXPECT_EQ(store.files.at("out.h5").runs, 20);
}

TEST(Sweep, ErrorLevelOffReportsFailedPartsWithoutThrowing) {
    Fixture fx;
    fx.req.errors = experiment::ErrorLevel::Off;
    MemoryStore store;
    store.fail_at = {2};
    const auto rep = experiment::run_in_parts(store, fx.req, {});
    ASSERT_EQ(rep.failed.size(), 1u);
    EXPECT_EQ(rep.failed[0].points, (Slice{2, 4}));
    EXPECT_EQ(rep.failed[0].message, "disk on fire");
    EXPECT_FALSE(rep.merged);
    EXPECT_FALSE(store.files.count("out.h5"));
    EXPECT_TRUE(store.files.count(part(4, 5)));
}

TEST(Sweep, AnInterruptionStopsAtOnceWhateverTheErrorLevel) {
    for (const auto level : {experiment::ErrorLevel::Off, experiment::ErrorLevel::Slow}) {
        Fixture fx;
        fx.req.errors = level;
        MemoryStore store;
        std::atomic<bool> stop{true};
        experiment::RunnerHooks hooks;
        hooks.stop = &stop;
        EXPECT_THROW(experiment::run_in_parts(store, fx.req, hooks), experiment::Interrupted);
        EXPECT_EQ(store.created.size(), 1u);
        EXPECT_FALSE(store.files.count(part(0, 2)));
    }
}

TEST(Sweep, ErrorLevelNames) {
    EXPECT_EQ(experiment::kErrorLevelNames.parse("slow"), experiment::ErrorLevel::Slow);
    EXPECT_EQ(experiment::kErrorLevelNames.name(experiment::ErrorLevel::Off), "off");
    EXPECT_FALSE(experiment::kErrorLevelNames.parse("Fast"));
}
