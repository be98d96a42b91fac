#include "sim/experiment/serialize.h"

#include <gtest/gtest.h>

#include "sim/experiment/runner.h"
#include "support/spec_builder.h"

using namespace sco;

TEST(Serialize, RunsAndSummaryRoundTrip) {
    test::SpecBuilder b(2, 1, 3);
    b.agent("AAA", core::Role::Member, 0.5, true);
    b.agent("BBB");
    b.agent("CCC");
    b.proposal("p", core::Kind::Plan, 0);
    b.set("agents.BBB.position.d0", core::Distribution::uniform(0, 1))
        .set("agents.BBB.salience.d0", 1.0);
    b.relation(core::Field::Tension, 1, 2, 0.5);
    const core::ModelSpec& spec = b.spec();
    experiment::RunConfig cfg;
    cfg.replications = 50;
    const core::RecordShape shape = core::shape_of(spec);
    std::vector<core::RunRecord> runs;
    for (int r = 0; r < 50; ++r)
        runs.push_back(experiment::replay(spec, experiment::Plan{}, cfg, 0, r));
    experiment::Summary s(shape, 50);
    for (const auto& r : runs) s.add(r);

    std::vector<char> bytes;
    experiment::pack(runs, s, bytes);
    std::vector<core::RunRecord> back(50, core::RunRecord(shape));
    experiment::Summary s2(shape, 50);
    experiment::unpack(bytes, back, s2);
    EXPECT_EQ(s2, s);
    for (int r = 0; r < 50; ++r) {
        EXPECT_EQ(back[r].outcome, runs[r].outcome);
        EXPECT_EQ(back[r].params, runs[r].params);
        EXPECT_EQ(back[r].tension, runs[r].tension);
    }
    bytes.pop_back();
    EXPECT_THROW(experiment::unpack(bytes, back, s2), std::runtime_error);
}
