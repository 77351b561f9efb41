#include "engine/tlbi.h"

#include <gtest/gtest.h>

#include <vector>

namespace ttb::tlbi {
namespace {

TEST(TlbiOperand, Vae1OperandCarriesAsidInTop16BitsAndVaShiftedBy12) {
  // Arm ARM: Xt[63:48] = ASID, Xt[43:0] = VA[55:12].
  EXPECT_EQ(VaOperand(0x0000'0012'3456'7000ull, 0xABCD),
            0xABCD'0000'0123'4567ull);
  // The seed passed the raw VA, which names a different page and ASID 0.
  EXPECT_NE(VaOperand(0x0000'0012'3456'7000ull, 0), 0x0000'0012'3456'7000ull);
}

TEST(TlbiOperand, VaFieldHoldsVa55To12Only) {
  EXPECT_EQ(VaOperand(0xFFFF'FFFF'FFFF'FFFFull, 0), 0x0000'0FFF'FFFF'FFFFull);
  EXPECT_EQ(VaOperand(0x1FFF, 0), 1u);  // The page offset is dropped.
}

TEST(TlbiOperand, TtlHintNamesGranuleAndLevelInBits47To44) {
  // FEAT_TTL: TTL[3:2] = 0b01 for 4 KiB, TTL[1:0] = level.
  EXPECT_EQ(VaOperand(0, 0, 3), 0b0111ull << 44);
  EXPECT_EQ(VaOperand(0, 0, 2), 0b0110ull << 44);
  EXPECT_EQ(VaOperand(0, 0, 0), 0u);  // No hint.
}

TEST(TlbiOperand, Aside1OperandIsTheAsidInBits63To48) {
  EXPECT_EQ(AsidOperand(0x1234), 0x1234'0000'0000'0000ull);
  EXPECT_EQ(AsidOperand(0xFF), 0x00FF'0000'0000'0000ull);
}

TEST(TlbiOperand, RangeOperandFieldsByHand) {
  // ASID 7, TG 4 KiB, SCALE 1, NUM 3, TTL level 3, BaseADDR 4 MiB >> 12.
  //   7 << 48      = 0x0007'0000'0000'0000
  //   0b01 << 46   = 0x0000'4000'0000'0000
  //   1 << 44      = 0x0000'1000'0000'0000
  //   3 << 39      = 0x0000'0180'0000'0000
  //   3 << 37      = 0x0000'0060'0000'0000
  //   0x400        = 0x0000'0000'0000'0400
  EXPECT_EQ(RangeOperand(0x40'0000, 7, 3, 1, 3), 0x0007'51E0'0000'0400ull);
  EXPECT_EQ(RangePages(3, 1), 256u);  // (NUM + 1) * 2^(5 * SCALE + 1)
  EXPECT_EQ(RangePages(0, 0), 2u);
  EXPECT_EQ(RangePages(31, 3), 32ull << 16);
}

TEST(TlbiOperand, DecodeReadsBackWhatEncodeWrote) {
  const VaFields va = DecodeVa(VaOperand(0x7F'1234'5000ull, 42, 2));
  EXPECT_EQ(va.va, 0x7F'1234'5000ull);
  EXPECT_EQ(va.asid, 42);
  EXPECT_EQ(va.ttl_level, 2u);

  const RangeFields r = DecodeRange(RangeOperand(0x1234'5000, 9, 30, 2, 1));
  EXPECT_EQ(r.base, 0x1234'5000ull);
  EXPECT_EQ(r.asid, 9);
  EXPECT_EQ(r.pages, RangePages(30, 2));
  EXPECT_EQ(r.ttl_level, 1u);
  EXPECT_EQ(r.granule_shift, 12u);
  EXPECT_EQ(DecodeRange(0).granule_shift, 0u);  // TG = 0b00 is reserved.
}

// The VA field is VA[55:12] whatever the granule (with 16 and 64 KiB pages
// its low 2 or 4 bits are RES0, zero for a page-aligned VA); the granule
// shows in the TTL hint's TG and in a range operand's TG and BaseADDR.
TEST(TlbiOperand, LargerGranulesShowInTheHintsAndRangeUnits) {
  const VirtAddr page64k = 0x12'3456'0000ull;
  EXPECT_EQ(Bits(VaOperand(page64k, 1), 43, 0), page64k >> 12);
  EXPECT_EQ(Bits(VaOperand(page64k, 1), 3, 0), 0u);
  EXPECT_EQ(VaOperand(0, 0, 3, 14), 0b1011ull << 44);  // TG 0b10: 16 KiB.
  EXPECT_EQ(VaOperand(0, 0, 2, 16), 0b1110ull << 44);  // TG 0b11: 64 KiB.
  EXPECT_EQ(DecodeVa(VaOperand(page64k, 5, 3, 16)).ttl_level, 3u);

  // BaseADDR counts granules: VA[52:16] with 64 KiB pages.
  const uint64_t op = RangeOperand(page64k, 3, 4, 1, 0, 16);
  EXPECT_EQ(Bits(op, 47, 46), 0b11u);
  EXPECT_EQ(Bits(op, 36, 0), page64k >> 16);
  const RangeFields r = DecodeRange(op);
  EXPECT_EQ(r.granule_shift, 16u);
  EXPECT_EQ(r.base, page64k);
  EXPECT_EQ(r.pages, RangePages(4, 1));
  const RangeFields r16 = DecodeRange(RangeOperand(0x4000, 3, 0, 0, 0, 14));
  EXPECT_EQ(r16.granule_shift, 14u);
  EXPECT_EQ(r16.base, 0x4000u);
}

// Checks a plan covers [va, va + pages) exactly, in order, with legal steps.
uint64_t CheckPlan(VirtAddr va, uint64_t pages) {
  uint64_t count = 0;
  VirtAddr next = va;
  PlanRange(va, pages, 12, [&](const RangeStep& s) {
    EXPECT_EQ(s.va, next);
    if (s.single_page) {
      EXPECT_EQ(s.pages, 1u);
    } else {
      EXPECT_LE(s.num, kMaxRangeNum);
      EXPECT_LE(s.scale, kMaxRangeScale);
      EXPECT_EQ(s.pages, RangePages(s.num, s.scale));
    }
    next += s.pages << 12;
    ++count;
  });
  EXPECT_EQ(next, va + (pages << 12)) << pages << " pages";
  return count;
}

TEST(RangePlan, CoversExactlyTheRequestedPages) {
  for (uint64_t pages = 1; pages <= 5000; ++pages) CheckPlan(0x10000, pages);
  for (uint64_t pages : {262144ull, (1ull << 21), (1ull << 21) + 1,
                         3 * (1ull << 21) + 12345, 1ull << 30}) {
    CheckPlan(0, pages);
  }
}

TEST(RangePlan, UsesTheFewestNonOverlappingOperations) {
  // Dynamic programming over every partition of n pages into one-page and
  // legal range operations gives the true minimum to compare with.
  constexpr uint64_t kMax = 3000;
  std::vector<uint64_t> sizes = {1};
  for (unsigned scale = 0; scale <= kMaxRangeScale; ++scale) {
    for (unsigned num = 0; num <= kMaxRangeNum; ++num) {
      if (RangePages(num, scale) <= kMax) {
        sizes.push_back(RangePages(num, scale));
      }
    }
  }
  std::vector<uint64_t> best(kMax + 1, ~0ull);
  best[0] = 0;
  for (uint64_t n = 1; n <= kMax; ++n) {
    for (uint64_t s : sizes) {
      if (s <= n && best[n - s] + 1 < best[n]) best[n] = best[n - s] + 1;
    }
    ASSERT_EQ(RangeOperationCount(n), best[n]) << n << " pages";
  }
}

TEST(RangePlan, KnownCounts) {
  EXPECT_EQ(RangeOperationCount(1), 1u);
  EXPECT_EQ(RangeOperationCount(2), 1u);
  EXPECT_EQ(RangeOperationCount(3), 2u);
  EXPECT_EQ(RangeOperationCount(512), 1u);           // NUM 7, SCALE 1.
  EXPECT_EQ(RangeOperationCount(262144), 1u);        // 1 GiB: NUM 3, SCALE 3.
  EXPECT_EQ(RangeOperationCount(1ull << 30), 512u);  // 4 TiB: 2^21 per op.
}

}  // namespace
}  // namespace ttb::tlbi
