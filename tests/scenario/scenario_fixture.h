#pragma once
// A small valid scenario as text, and helpers to break it one line at a time.
#include <gtest/gtest.h>

#include <string>

#include "sim/scenario/loader.h"

namespace sco::scenario::testing {

// Line numbers are given on the right for reading; tests compute them with line_of.
inline const std::string kBase = R"(format: sco-sim/1
name: Test
periods: {first: 2014, count: 3}
dimensions: [mil, ct]
threats: [terror]
status_quo: {mil: 0.3, ct: 0.4}
agents:
  - id: RUS
    name: Russia
    great_power: true
    capability: 0.5
    position: {mil: 0.8, ct: 0.7}
  - id: UZB
    name: Uzbekistan
    capability: 0.1
    sovereignty: 0.9
    position: {mil: 0.2, ct: 0.6}
    susceptibility: {RUS: 0.3}
  - id: TJK
    name: Tajikistan
    capability: 0.1
    position: {mil: 0.5, ct: 0.5}
  - id: PAK
    name: Pakistan
    role: candidate
    capability: 0.2
    position: {mil: 0.4, ct: 0.5}
relations:
  tension: [[UZB, TJK, 0.7]]
agenda:
  - id: peace_mission_tjk
    kind: exercise
    sponsor: RUS
    host: TJK
    transit: [{from: RUS, through: UZB}]
  - id: admit_pak
    kind: membership
    sponsor: RUS
    admit: [PAK]
)";

/// 1-based line of the first occurrence of `needle` in `text`; 0 if absent.
inline int line_of(const std::string& text, const std::string& needle) {
    const auto pos = text.find(needle);
    if (pos == std::string::npos) return 0;
    int line = 1;
    for (std::size_t i = 0; i < pos; ++i) line += text[i] == '\n' ? 1 : 0;
    return line;
}

/// kBase with the first occurrence of `from` replaced by `to` (which must exist).
inline std::string edited(const std::string& from, const std::string& to,
                          const std::string& base = kBase) {
    const auto pos = base.find(from);
    EXPECT_NE(pos, std::string::npos) << "fixture has no '" << from << "'";
    if (pos == std::string::npos) return base;
    std::string out = base;
    out.replace(pos, from.size(), to);
    return out;
}

/// Loads `text` and returns the ScenarioError it must raise (fails the test if none).
inline ScenarioError load_error(const std::string& text) {
    try {
        load_string(text, "t.yaml");
    } catch (const ScenarioError& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "non-ScenarioError escaped: " << e.what();
        return ScenarioError("", 0, 0, "", "");
    }
    ADD_FAILURE() << "loaded without error";
    return ScenarioError("", 0, 0, "", "");
}

}  // namespace sco::scenario::testing
