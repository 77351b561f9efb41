#include "engine/regime.h"

#include <gtest/gtest.h>

namespace ttb {
namespace {

TEST(Regime, Va39StartsAtLevel1WithThreeLevels) {
  constexpr Regime r = Regime::Va39();
  EXPECT_EQ(r.t0sz(), 25u);
  EXPECT_EQ(r.levels(), 3u);
  EXPECT_EQ(r.start_level(), 1);
  EXPECT_EQ(r.entries_at(1), 512u);
  const VirtAddr va = (0x155ull << 30) | (0x0AAull << 21) | (0x1FFull << 12);
  EXPECT_EQ(r.index(va, 1), 0x155u);  // VA[38:30]
  EXPECT_EQ(r.index(va, 2), 0x0AAu);  // VA[29:21]
  EXPECT_EQ(r.index(va, 3), 0x1FFu);  // VA[20:12]
  EXPECT_EQ(r.level_bytes(1), 1ull << 30);
  EXPECT_EQ(r.level_bytes(2), 2ull << 20);
}

TEST(Regime, Va48StartsAtLevel0WithFourLevels) {
  constexpr Regime r = Regime::Va48();
  EXPECT_EQ(r.t0sz(), 16u);
  EXPECT_EQ(r.levels(), 4u);
  EXPECT_EQ(r.start_level(), 0);
  const VirtAddr va = (0x1A5ull << 39) | (3ull << 30);
  EXPECT_EQ(r.index(va, 0), 0x1A5u);  // VA[47:39]
  EXPECT_EQ(r.index(va, 1), 3u);
  EXPECT_EQ(r.level_bytes(0), 1ull << 39);
}

TEST(Regime, AddressesAboveTheInputSizeAreOutsideNotWrapped) {
  // The seed indexed its top table with virt >> 30 unmasked, so 2^39 landed
  // on entry 512, past the table. The regime rejects it instead.
  EXPECT_TRUE(Regime::Va39().contains((1ull << 39) - 1));
  EXPECT_FALSE(Regime::Va39().contains(1ull << 39));
  EXPECT_TRUE(Regime::Va48().contains(1ull << 39));
  EXPECT_FALSE(Regime::Va48().contains(1ull << 48));
  EXPECT_FALSE(Regime::Va48().contains(0xFFFF'0000'0000'0000ull));
}

TEST(Regime, PartialTopLevelHasFewerEntries) {
  const Regime r{12, 42, 48};  // T0SZ = 22: level 0 resolves VA[41:39].
  EXPECT_EQ(r.start_level(), 0);
  EXPECT_EQ(r.entries_at(0), 8u);
  EXPECT_EQ(r.index((1ull << 42) - 1, 0), 7u);
  EXPECT_TRUE(r.Supported());
}

TEST(Regime, BlocksOnlyAtLevels1And2WithTheFourKilobyteGranule) {
  const Regime r = Regime::Va48();
  EXPECT_FALSE(r.block_allowed(0));
  EXPECT_TRUE(r.block_allowed(1));
  EXPECT_TRUE(r.block_allowed(2));
  EXPECT_FALSE(r.block_allowed(3));
}

TEST(Regime, RejectsWhatItDoesNotModel) {
  EXPECT_TRUE(Regime::Va39().Supported());
  EXPECT_TRUE(Regime::Va48().Supported());
  EXPECT_FALSE((Regime{14, 48, 48}.Supported()));  // 16 KiB granule.
  EXPECT_FALSE((Regime{12, 49, 48}.Supported()));  // T0SZ below 16.
  EXPECT_FALSE((Regime{12, 24, 48}.Supported()));  // T0SZ above 39.
  EXPECT_FALSE((Regime{12, 48, 52}.Supported()));  // 52-bit PA.
}

}  // namespace
}  // namespace ttb
