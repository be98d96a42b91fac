// sim/experiment/text.cpp: the helpers of the plain-text tables (report, score).
#include "sim/experiment/text.h"

#include <gtest/gtest.h>

namespace sco::experiment::text {
namespace {

TEST(Text, FmtAppliesThePrintfFormat) {
    EXPECT_EQ(fmt("%.2f", 0.125), "0.12");  // round-half-even of the binary value 0.125
    EXPECT_EQ(fmt("%.1f%%", 42.25), "42.2%");
    EXPECT_EQ(fmt("%.3g", 12345.0), "1.23e+04");
}

TEST(Text, PadAlignsLeftByDefaultAndRightOnRequest) {
    EXPECT_EQ(pad("ab", 5), "ab   ");
    EXPECT_EQ(pad("ab", 5, true), "   ab");
}

TEST(Text, PadNeverCutsALongerString) {
    EXPECT_EQ(pad("abcdef", 3), "abcdef");
    EXPECT_EQ(pad("abc", 3, true), "abc");
    EXPECT_EQ(pad("", 0), "");
}

}  // namespace
}  // namespace sco::experiment::text
