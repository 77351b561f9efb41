#include "bench/results/noise.h"

#include <gtest/gtest.h>

namespace ttb::bench {
namespace {

TEST(HostTimesLevel, OneRunAllowsFivePercent) {
  EXPECT_TRUE(HostTimesLevel({100}, {104}));
  EXPECT_TRUE(HostTimesLevel({104}, {100}));
  EXPECT_FALSE(HostTimesLevel({100}, {106}));
  // Three repetitions cannot reach 5% significance: the medians decide.
  EXPECT_TRUE(HostTimesLevel({100, 101, 102}, {103, 104, 105}));
  EXPECT_EQ(HostLevelRule(3), "host times within 5%");
}

TEST(HostTimesLevel, RepetitionsAreTested) {
  // 3% apart every time: significant over five repetitions each.
  EXPECT_FALSE(HostTimesLevel({100, 100.5, 101, 101.5, 102},
                              {103, 103.5, 104, 104.5, 105}));
  // 8% apart in the medians but scattered: not significant.
  EXPECT_TRUE(
      HostTimesLevel({100, 100.5, 101, 101.5, 102}, {80, 95, 109, 115, 120}));
  EXPECT_EQ(HostLevelRule(5),
            "host times not significantly different over 5 repetitions");
}

TEST(ModelledLevel, SameWorkIsWithinATenthOfAPercentOfTheLarger) {
  EXPECT_TRUE(ModelledLevel(1000, 1001));
  EXPECT_TRUE(ModelledLevel(1001, 1000));
  EXPECT_FALSE(ModelledLevel(1000, 1002));
  // Unmeasured (0) is never level, not even with itself.
  EXPECT_FALSE(ModelledLevel(0, 0));
  EXPECT_FALSE(ModelledLevel(0, 0.0001));
}

}  // namespace
}  // namespace ttb::bench
