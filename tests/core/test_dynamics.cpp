#include "sim/core/dynamics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "sim/core/simulate.h"
#include "support/spec_builder.h"

using namespace sco::core;
using sco::test::SpecBuilder;

namespace {
World world_of(SpecBuilder& b) {
    Workspace ws(b.spec());
    sample_params(b.spec(), Rng({1, 0, 0}), ws.values);
    ws.world.reset(b.spec(), ws.values, std::vector<unsigned char>(b.spec().params.size(), 0));
    return ws.world;
}
SpecBuilder trio() {
    SpecBuilder b(1, 0);
    b.agent("AAA");
    b.agent("BBB");
    b.agent("OBS", Role::Observer);
    b.proposal("p", Kind::Declaration, 0);
    b.relation(Field::Tension, 0, 1, 0.5);
    b.relation(Field::Tension, 1, 2, 0.5);
    return b;
}
}  // namespace

TEST(Dynamics, DialogueLowersTensionBetweenMembersOnly) {
    SpecBuilder b = trio();
    b.dyn(Dyn::DialogueRate, 0.2).dyn(Dyn::IncidentRate, 0.0);
    World w = world_of(b);
    between_summits(w, 0, Rng({1, 0, 0}));
    EXPECT_DOUBLE_EQ(w.tension(0, 1), 0.4);
    EXPECT_DOUBLE_EQ(w.tension(1, 0), 0.4);
    EXPECT_DOUBLE_EQ(w.tension(1, 2), 0.5);  // the observer was not at the table
    EXPECT_DOUBLE_EQ(w.tension(0, 2), 0.0);  // no rivalry, no incidents
}

TEST(Dynamics, IncidentsRaiseTensionWithProbabilityRateTimesTension) {
    SpecBuilder b = trio();
    b.dyn(Dyn::DialogueRate, 0.0).dyn(Dyn::IncidentRate, 0.8).dyn(Dyn::IncidentSize, 0.1);
    const World w0 = world_of(b);
    const int M = 20000;
    int incidents = 0;
    for (int m = 0; m < M; ++m) {
        World w = w0;
        between_summits(w, 0, Rng({5, 0, static_cast<std::uint64_t>(m)}));
        if (w.tension(0, 1) > 0.55) ++incidents;
        ASSERT_LE(w.tension(0, 1), 1.0);
    }
    const double p = 0.8 * 0.5, sd = std::sqrt(p * (1 - p) / M);
    EXPECT_NEAR(static_cast<double>(incidents) / M, p, 3.89 * sd);
}

// simulate records the tension after each summit's dialogue and incidents as
// between_summits writes them on the way: every pair, in the record's pair order, with and
// without rivalry, after the dialogue and after an incident.
TEST(Dynamics, TheTensionWrittenOnTheWayIsTheTensionAfter) {
    SpecBuilder b = trio();  // members AAA-BBB and BBB-OBS at 0.5, AAA-OBS without rivalry
    b.dyn(Dyn::DialogueRate, 0.2).dyn(Dyn::IncidentRate, 0.5).dyn(Dyn::IncidentSize, 0.25);
    const World w0 = world_of(b);
    int raised = 0;
    for (std::uint64_t m = 0; m < 50; ++m) {
        World w = w0;
        std::vector<float> out(3, std::numeric_limits<float>::quiet_NaN());
        between_summits(w, 0, Rng({3, 0, m}), out.data());
        int k = 0;
        for (int i = 0; i < 3; ++i)
            for (int j = i + 1; j < 3; ++j, ++k)
                ASSERT_EQ(out[k], static_cast<float>(w.tension(i, j))) << m << " " << i << j;
        raised += w.tension(0, 1) > 0.5;  // 0.4 after the dialogue, 0.65 after an incident
    }
    EXPECT_GT(raised, 0);  // an incident, not only the dialogue
}

TEST(Dynamics, ImplementationRateAndLag) {
    SpecBuilder b = trio();
    b.dyn(Dyn::ImplementationRate, 0.0);
    World w = world_of(b);
    for (int m = 0; m < 100; ++m)
        EXPECT_EQ(implementation(w, 0, 0, Rng({1, 0, static_cast<std::uint64_t>(m)})), 0);
    w.dyn[static_cast<int>(Dyn::ImplementationRate)] = 1.0;
    w.dyn[static_cast<int>(Dyn::ImplementationLag)] = 1.0;
    for (int m = 0; m < 100; ++m)
        EXPECT_EQ(implementation(w, 0, 0, Rng({1, 0, static_cast<std::uint64_t>(m)})), 1);
    w.dyn[static_cast<int>(Dyn::ImplementationLag)] = 3.0;
    const int M = 40000;
    double sum = 0;
    for (int m = 0; m < M; ++m)
        sum += implementation(w, 0, 0, Rng({2, 0, static_cast<std::uint64_t>(m)}));
    // 1 + geometric with mean 2 extra periods: variance of the extra part q/p^2 = (2/3)/(1/9) = 6.
    EXPECT_NEAR(sum / M, 3.0, 4.0 * std::sqrt(6.0 / M));
}

// A mean lag so large that 1 - 1/mean rounds to 1 (session 19's attack: 1e17 gave a lag of
// -inf, cast to int8, and texts were never implemented): every lag is the cap, 127, as at
// 1e15, where the rounding has not yet reached 1.
TEST(Dynamics, AnEnormousMeanLagIsTheCapNotANegativeLag) {
    SpecBuilder b = trio();
    b.dyn(Dyn::ImplementationRate, 1.0);
    World w = world_of(b);
    for (const double mean : {1e15, 1e17, 1e300, std::numeric_limits<double>::infinity()}) {
        w.dyn[static_cast<int>(Dyn::ImplementationLag)] = mean;
        for (int m = 0; m < 200; ++m)
            EXPECT_EQ(implementation(w, 0, 0, Rng({3, 0, static_cast<std::uint64_t>(m)})), 127)
                << "mean " << mean;
    }
}

// Texts implemented in one period move the status quo together: by the largest rise any one
// of them makes and the largest fall, each what the text changed where it was adopted but
// never past its own position from the period's status quo (docs/model.md III.5). Before
// session 20 the changes simply added, one text at a time in agenda order, which carried
// the status quo past every text's position and made the result depend on the order.
TEST(Dynamics, ImplementedTextsNeverCarryTheStatusQuoPastTheirOwnPositions) {
    // One text alone lands exactly where adding its change always put it, bit for bit.
    std::mt19937_64 gen(5);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int k = 0; k < 10000; ++k) {
        const double q = unit(gen), to = unit(gen);
        const double c = implemented_change(q, to - q, to);
        ASSERT_EQ(implemented_status_quo(q, std::max(0.0, c), std::min(0.0, c)),
                  std::clamp(q + (to - q), 0.0, 1.0));
    }
    // The period's status quo q and the texts landing, each as (change where adopted, its
    // position): the status quo after them.
    using Text = std::pair<double, double>;
    auto land = [](double q, std::vector<Text> texts) {
        double up = 0.0, down = 0.0;
        for (const auto& [change, to] : texts) {
            const double c = implemented_change(q, change, to);
            up = std::max(up, c);
            down = std::min(down, c);
        }
        return implemented_status_quo(q, up, down);
    };
    // Two texts adopted towards one level (0.5 -> 0.7) reach that level, not 0.9.
    EXPECT_DOUBLE_EQ(land(0.5, {{0.2, 0.7}, {0.2, 0.7}}), 0.7);
    // A text at 0.45, adopted when the status quo was 0.4, landing after another text
    // moved it to 0.7: the status quo has passed its position and stays (never undone).
    EXPECT_DOUBLE_EQ(land(0.7, {{0.05, 0.45}}), 0.7);
    // Short of the positions, a rise and a fall offset.
    EXPECT_DOUBLE_EQ(land(0.5, {{0.2, 0.7}, {-0.3, 0.2}}), 0.4);
    // Two texts at 0.9 and one at 0.1 from 0.5: the rise to 0.9 counts once, against the
    // fall to 0.1: 0.5 in any order (one at a time with a clamp gave 0.6 or 0.9).
    EXPECT_DOUBLE_EQ(land(0.5, {{0.4, 0.9}, {0.4, 0.9}, {-0.4, 0.1}}), 0.5);
    // Session 20's third attack: two texts at 0.4 adopted from 0.2, one at 0.9 adopted from
    // 0.6, all landing at 0.2: the largest rise (0.3) counts, not 0.2 + 0.2 + 0.3 up to
    // 0.9. One text at a time gives 0.5 or 0.7 by the order; together, the smaller.
    EXPECT_DOUBLE_EQ(land(0.2, {{0.2, 0.4}, {0.2, 0.4}, {0.3, 0.9}}), 0.5);
    // The same downwards.
    EXPECT_DOUBLE_EQ(land(0.5, {{-0.2, 0.3}, {-0.2, 0.3}}), 0.3);
    EXPECT_DOUBLE_EQ(land(0.1, {{-0.2, 0.3}}), 0.1);
    EXPECT_DOUBLE_EQ(land(0.8, {{-0.2, 0.3}}), 0.6);
    // Never outside [0, 1].
    EXPECT_DOUBLE_EQ(implemented_status_quo(0.9, 0.5, 0.0), 1.0);
}

// What one text adds is its change, but no more than the way left to its own position, and
// nothing once the status quo has passed it: an overtaken text no longer offsets a fresh
// text moving the other way (session 20's second attack: a text at 0.4, overtaken by one
// at 0.6, cancelled a text at 0.5 landing in the same period, leaving 0.6).
TEST(Dynamics, AnOvertakenTextAddsNothing) {
    // Where the status quo has not moved since the adoption, the change itself, bit for bit.
    std::mt19937_64 gen(9);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int k = 0; k < 10000; ++k) {
        const double q = unit(gen), to = unit(gen);
        ASSERT_EQ(implemented_change(q, to - q, to), to - q);
    }
    EXPECT_DOUBLE_EQ(implemented_change(0.6, 0.2, 0.4), 0.0);   // overtaken
    EXPECT_DOUBLE_EQ(implemented_change(0.6, 0.2, 0.7), 0.1);   // part of the way is left
    EXPECT_DOUBLE_EQ(implemented_change(0.3, 0.2, 0.7), 0.2);   // moved back: its change
    EXPECT_DOUBLE_EQ(implemented_change(0.2, -0.3, 0.3), 0.0);  // the same downwards
    EXPECT_DOUBLE_EQ(implemented_change(0.6, -0.1, 0.5), -0.1);
    // The attack's period: at 0.6, the overtaken text (+0.2 to 0.4) and the fresh one
    // (-0.1 to 0.5) land together: 0.5, as applying them one at a time gives in either order.
    const double q = 0.6, a = implemented_change(q, 0.2, 0.4), b = implemented_change(q, -0.1, 0.5);
    EXPECT_DOUBLE_EQ(implemented_status_quo(q, std::max({0.0, a, b}), std::min({0.0, a, b})), 0.5);
}
