// No heap allocation inside a run once the buffers exist (issue 6, "Speed and scale").
//
// This file replaces the global operator new/delete of the core test executable with
// counting versions. Counting is off except inside the measured loops, so the other
// tests in the executable are unaffected. Eigen allocates with malloc, not operator new;
// its arrays live in the World and are sized once by Workspace (World::resize), and the
// run touches them element by element only, so it makes no temporaries.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "sim/core/record.h"
#include "sim/core/simulate.h"
#include "support/spec_builder.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<std::int64_t> g_allocations{0};

void* counted_alloc(std::size_t n, std::size_t align = 0) {
    if (g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (n == 0) n = 1;
    void* p = nullptr;
    if (align > alignof(std::max_align_t)) {
        if (posix_memalign(&p, align, n) != 0) p = nullptr;
    } else {
        p = std::malloc(n);
    }
    return p;
}

// Not inlined, so that GCC does not pair the free() below with the operator new of an
// inlined allocator and warn (-Wmismatched-new-delete) about a mismatch that is not one.
[[gnu::noinline]] void release(void* p) noexcept {
    std::free(p);
}

std::vector<int>* volatile g_keep = nullptr;  // keeps the probe allocation observable

}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted_alloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = counted_alloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return counted_alloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return counted_alloc(n);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_alloc(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_alloc(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
    release(p);
}
void operator delete[](void* p) noexcept {
    release(p);
}
void operator delete(void* p, std::size_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    release(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    release(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    release(p);
}

using namespace sco::core;
using sco::test::SpecBuilder;

namespace {

constexpr int kRuns = 200;

/// Six agents, three periods, every feature the engine has: two great powers that
/// pressure a reluctant member, an exercise with a host and two transit routes through
/// a state that may refuse, a plan under uncertainty (deferral), a membership proposal,
/// shocks that change a parameter and admit a candidate, rivalries with incidents, and
/// distributions so that runs differ.
ModelSpec full_spec(Variants v) {
    SpecBuilder b(2, 1, 3);
    const int chn = b.agent("CHN", Role::Member, 0.4, true);
    const int rus = b.agent("RUS", Role::Member, 0.3, true);
    const int kaz = b.agent("KAZ", Role::Member, 0.1);
    const int uzb = b.agent("UZB", Role::Member, 0.07);
    const int ind = b.agent("IND", Role::Observer, 0.2);
    const int pak = b.agent("PAK", Role::Candidate, 0.08);
    const std::array<const char*, 6> ids{"CHN", "RUS", "KAZ", "UZB", "IND", "PAK"};
    const std::array<double, 6> x0{0.6, 0.8, 0.6, 0.05, 0.3, 0.4}, x1{0.9, 0.7, 0.7, 0.6, 0.8, 0.5};
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string a = std::string("agents.") + ids[i] + ".";
        b.set(a + "position.d0", x0[i]).set(a + "position.d1", x1[i]);
        b.set(a + "salience.d0", 0.6).set(a + "salience.d1", 0.5).set(a + "threat.h0", 0.6);
        b.set(a + "sovereignty", 0.4);
    }
    b.set("agents.UZB.military_reluctance", Distribution::beta(8, 2));
    b.set("agents.UZB.sovereignty", Distribution::uniform(0.8, 1.0));
    b.set("agents.UZB.salience.d0", 0.9);
    b.susceptibility(uzb, chn, 0.5);
    b.susceptibility(uzb, rus, 0.6);
    b.susceptibility(kaz, rus, 0.5);
    b.relation(Field::Tension, kaz, uzb, 0.6);
    b.relation(Field::Tension, rus, uzb, 0.3);
    b.relation(Field::Tension, ind, pak, 0.8);
    b.relation(Field::Affinity, chn, rus, 0.5);
    b.relation(Field::Affinity, chn, pak, 0.6);
    b.spec().params[b.spec().params.find("relations.tension.KAZ-UZB")].dist =
        Distribution::uniform(0.4, 0.8);

    const int ex = b.proposal("exercise", Kind::Exercise, rus, true);
    b.spec().proposals[ex].host = kaz;
    b.spec().proposals[ex].transit = {{chn, uzb}, {rus, uzb}};
    b.set("agenda.exercise.position.d0", 0.8).set("agenda.exercise.relevance.h0", 0.6);
    b.set("agenda.exercise.min_participants", 3.0);

    b.proposal("plan", Kind::Plan, rus);
    b.spec().proposals[1].recurring = true;
    b.set("agenda.plan.position.d0", 0.7).set("agenda.plan.position.d1", 0.9);
    b.set("agenda.plan.uncertainty", Distribution::beta(8, 2)).set("agenda.plan.relevance.h0", 0.9);

    const int adm = b.proposal("admit", Kind::Membership, rus);
    b.spec().proposals[adm].admit = {ind, pak};
    b.spec().proposals[adm].position[1] = kNoParam;  // d1 stays at the status quo
    b.set("agenda.admit.position.d0", 0.3);

    b.proposal("decl", Kind::Declaration, chn);
    b.spec().proposals[3].recurring = true;
    b.set("agenda.decl.position.d1", 0.8).set("agenda.decl.relevance.h0", 0.8);
    // The declaration lowers d0 from 0.5 (held once the status quo is past it, III.3): a
    // loss to most members, on which some put a reservation.
    b.set("status_quo.d0", 0.5).set("agenda.decl.position.d0", 0.1);

    const int inst = b.proposal("inst", Kind::Institution, chn);
    b.spec().proposals[inst].host = uzb;
    b.spec().proposals[inst].first_period = 1;
    b.set("agenda.inst.position.d1", 0.6);

    b.dyn(Dyn::LogitPrecision, 4.0).dyn(Dyn::WaitValue, 2.0).dyn(Dyn::ImplementationLag, 2.5);
    b.set("dynamics.pressure_strength", Distribution::uniform(1.0, 3.0));

    ModelSpec& s = b.spec();
    // Shocks: UZB's reluctance changes before the second summit; PAK joins before the third.
    ParamDef shock = s.params[s.params.find("agents.UZB.military_reluctance")];
    shock.path = "shocks.0." + shock.path;
    shock.dist = Distribution::uniform(0.2, 0.6);
    Shock sh1;
    sh1.period = 1;
    sh1.targets = {s.params.find("agents.UZB.military_reluctance")};
    sh1.set = {s.params.add(shock)};
    Shock sh2;
    sh2.period = 2;
    sh2.admit = {pak};
    s.shocks = {sh1, sh2};
    s.variants = v;
    return s;
}

/// Allocations during kRuns runs after one warm-up run on fresh buffers; also tallies
/// what the runs did, so that the test can show that every branch was taken.
struct Tally {
    std::int64_t allocations = 0;
    std::array<int, 7> outcomes{};
    int flags = 0;  // union of AgentFlag bits
    int lag_above_one = 0;
    int pressure = 0;
};

Tally measure(const ModelSpec& spec) {
    EXPECT_EQ(check_spec(spec), "");
    const CompiledModel m(spec);
    Workspace ws(spec);
    RunRecord rec(m.shape());
    simulate(m, {1, 0, 0}, ws, rec);  // warm-up: buffers exist from here on
    Tally t;
    g_allocations = 0;
    for (int r = 1; r <= kRuns; ++r) {
        g_counting = true;
        simulate(m, {1, 0, static_cast<std::uint64_t>(r)}, ws, rec);
        g_counting = false;
        for (std::size_t k = 0; k < rec.outcome.size(); ++k) {
            ++t.outcomes[rec.outcome[k]];
            t.lag_above_one += rec.implemented[k] > 1;
            t.pressure += rec.pressure[k];
        }
        for (const Flags f : rec.flags) t.flags |= f;
    }
    t.allocations = g_allocations;
    return t;
}

}  // namespace

TEST(NoAllocation, CountingOperatorNewSeesAllocations) {
    g_allocations = 0;
    g_counting = true;
    g_keep = new std::vector<int>(100);
    g_counting = false;
    delete g_keep;
    g_keep = nullptr;
    EXPECT_GE(g_allocations.load(), 2);
}

TEST(NoAllocation, SimulateAllocatesNothingAfterWarmUpInAnyVariant) {
    for (const ChoiceRule c : {ChoiceRule::Logit, ChoiceRule::Deterministic})
        for (const AmendmentRule a :
             {AmendmentRule::WinSet, AmendmentRule::TowardsCompromise, AmendmentRule::None})
            for (const PressureRule p : {PressureRule::Enabled, PressureRule::Disabled}) {
                const Tally t = measure(full_spec({c, a, p}));
                EXPECT_EQ(t.allocations, 0)
                    << kChoiceRuleNames.name(c) << "/" << kAmendmentRuleNames.name(a) << "/"
                    << kPressureRuleNames.name(p);
            }
}

TEST(NoAllocation, TheMeasuredRunsTakeEveryBranch) {
    const Tally t = measure(full_spec({}));
    EXPECT_EQ(t.allocations, 0);
    // Every outcome except plain adoption without reservation... occurs in the default variant.
    for (const Outcome o : {Outcome::AdoptedWithReservations, Outcome::Coalition, Outcome::Diluted,
                            Outcome::Deferred, Outcome::Blocked, Outcome::NotTabled})
        EXPECT_GT(t.outcomes[static_cast<int>(o)], 0) << kOutcomeNames.name(o);
    for (const int f : {kJoined, kReserved, kStayedOut, kObjected, kTransitDenied, kDropped,
                        kPressured, kPressurer, kVeto, kWaited})
        EXPECT_TRUE(t.flags & f) << "flag " << f;
    EXPECT_GT(t.pressure, 0);
    EXPECT_GT(t.lag_above_one, 0);
}
