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

// 16 KiB: 2048 entries a table, 11 bits a level above a 14-bit offset.
TEST(Regime, SixteenKilobyteGranuleWith47BitsStartsAtLevel1) {
  constexpr Regime r = Regime::Va47Granule16K();
  EXPECT_TRUE(r.Supported());
  EXPECT_EQ(r.granule_bytes(), 16384u);
  EXPECT_EQ(r.entries_per_table(), 2048u);
  EXPECT_EQ(r.levels(), 3u);
  EXPECT_EQ(r.start_level(), 1);
  EXPECT_EQ(r.entries_at(1), 2048u);  // VA[46:36]
  const VirtAddr va = (0x5A5ull << 36) | (0x3C3ull << 25) | (0x7FFull << 14);
  EXPECT_EQ(r.index(va, 1), 0x5A5u);
  EXPECT_EQ(r.index(va, 2), 0x3C3u);  // VA[35:25]
  EXPECT_EQ(r.index(va, 3), 0x7FFu);  // VA[24:14]
  EXPECT_EQ(r.level_bytes(2), 32ull << 20);
  EXPECT_EQ(r.tg0(), 0b10u);
  // 48 bits: level 0 resolves VA[47] alone, two entries.
  constexpr Regime r48{14, 48, 48};
  EXPECT_EQ(r48.start_level(), 0);
  EXPECT_EQ(r48.entries_at(0), 2u);
}

// 64 KiB: 8192 entries a table, 13 bits a level above a 16-bit offset.
TEST(Regime, SixtyFourKilobyteGranuleStartsAtLevel2Or1) {
  constexpr Regime r42 = Regime::Va42Granule64K();
  EXPECT_TRUE(r42.Supported());
  EXPECT_EQ(r42.entries_per_table(), 8192u);
  EXPECT_EQ(r42.levels(), 2u);
  EXPECT_EQ(r42.start_level(), 2);
  EXPECT_EQ(r42.entries_at(2), 8192u);  // VA[41:29]
  const VirtAddr va = (0x1234ull << 29) | (0x0ABCull << 16) | 0x1234;
  EXPECT_EQ(r42.index(va, 2), 0x1234u);
  EXPECT_EQ(r42.index(va, 3), 0x0ABCu);  // VA[28:16]
  EXPECT_EQ(r42.level_bytes(2), 512ull << 20);
  EXPECT_EQ(r42.page_base(va), va & ~0xFFFFull);
  EXPECT_EQ(r42.tg0(), 0b01u);
  constexpr Regime r48 = Regime::Va48Granule64K();
  EXPECT_EQ(r48.start_level(), 1);
  EXPECT_EQ(r48.entries_at(1), 64u);  // VA[47:42]
}

TEST(Regime, BlocksAtLevel2OnlyWithTheLargerGranules) {
  for (const Regime& r : {Regime::Va47Granule16K(), Regime::Va48Granule64K()}) {
    EXPECT_FALSE(r.block_allowed(1)) << int{r.granule_shift};
    EXPECT_TRUE(r.block_allowed(2)) << int{r.granule_shift};
    EXPECT_FALSE(r.block_allowed(3)) << int{r.granule_shift};
  }
}

TEST(Regime, ContiguousRunsAreTheArmArmsLengths) {
  // The Arm ARM's Contiguous bit rules, and Linux's CONT_PTE/CONT_PMD sizes: 64
  // KiB and 32 MiB with 4 KiB pages, 2 MiB and 1 GiB with 16 KiB, 2 MiB and 16
  // GiB with 64 KiB.
  EXPECT_EQ(Regime::Va48().contiguous_entries(3), 16u);
  EXPECT_EQ(Regime::Va48().leaf_shift(3, true), 16u);
  EXPECT_EQ(Regime::Va48().leaf_shift(2, true), 25u);
  EXPECT_EQ(Regime::Va47Granule16K().contiguous_entries(3), 128u);
  EXPECT_EQ(Regime::Va47Granule16K().leaf_shift(3, true), 21u);
  EXPECT_EQ(Regime::Va47Granule16K().leaf_shift(2, true), 30u);
  EXPECT_EQ(Regime::Va48Granule64K().contiguous_entries(3), 32u);
  EXPECT_EQ(Regime::Va48Granule64K().leaf_shift(3, true), 21u);
  EXPECT_EQ(Regime::Va48Granule64K().leaf_shift(2, true), 34u);
  EXPECT_EQ(Regime::Va48().leaf_shift(3, false), 12u);
}

TEST(Regime, RejectsWhatItDoesNotModel) {
  EXPECT_TRUE(Regime::Va39().Supported());
  EXPECT_TRUE(Regime::Va48().Supported());
  EXPECT_FALSE((Regime{13, 48, 48}.Supported()));  // No 8 KiB granule.
  // Walks that would start at level 3.
  EXPECT_FALSE((Regime{14, 25, 48}.Supported()));
  EXPECT_TRUE((Regime{14, 26, 48}.Supported()));
  EXPECT_FALSE((Regime{16, 29, 48}.Supported()));
  EXPECT_TRUE((Regime{16, 30, 48}.Supported()));
  EXPECT_FALSE((Regime{12, 49, 48}.Supported()));  // T0SZ below 16.
  EXPECT_FALSE((Regime{12, 24, 48}.Supported()));  // T0SZ above 39.
  EXPECT_FALSE((Regime{12, 48, 52}.Supported()));  // 52-bit PA.
}

}  // namespace
}  // namespace ttb
