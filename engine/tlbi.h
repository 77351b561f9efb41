// TLB invalidation operands, encoded in this one place (Arm ARM C5.5, "A64
// system instructions for TLB maintenance"), and decoded here too so the
// simulated TLB reads exactly the bits hardware would.
#ifndef TTBENCH_ENGINE_TLBI_H_
#define TTBENCH_ENGINE_TLBI_H_

#include "engine/types.h"

namespace ttb::tlbi {

enum class Op : uint8_t {
  kVae1,     // By VA and ASID, all levels (and global entries for the VA).
  kVale1,    // By VA and ASID, last level only.
  kVaae1,    // By VA, every ASID, all levels.
  kVaale1,   // By VA, every ASID, last level only.
  kAside1,   // Every non-global entry of one ASID.
  kVmalle1,  // Everything of the EL1&0 regime.
  kRvae1,    // Range by VA and ASID, all levels (FEAT_TLBIRANGE).
  kRvale1,   // Range by VA and ASID, last level only (FEAT_TLBIRANGE).
};
inline constexpr int kOpCount = 8;

constexpr const char* OpName(Op op) {
  constexpr const char* kNames[kOpCount] = {"vae1",   "vale1",  "vaae1",
                                            "vaale1", "aside1", "vmalle1",
                                            "rvae1",  "rvale1"};
  return kNames[static_cast<int>(op)];
}

constexpr bool LastLevelOnly(Op op) {
  return op == Op::kVale1 || op == Op::kVaale1 || op == Op::kRvale1;
}

// TG field of range operands and TTL hints: the granule.
constexpr uint64_t GranuleCode(unsigned granule_shift) {
  return granule_shift == 12 ? 0b01 : granule_shift == 14 ? 0b10 : 0b11;
}

// VAE1, VALE1, VAAE1, VAALE1: ASID in bits 63:48 (RES0 for the all-ASID
// forms), TTL in 47:44 (FEAT_TTL: TTL[3:2] granule, TTL[1:0] level of the
// leaf; 0 means no hint), VA[55:12] in 43:0.
constexpr uint64_t VaOperand(VirtAddr va, Asid asid, unsigned ttl_level = 0,
                             unsigned granule_shift = 12) {
  const uint64_t ttl =
      ttl_level == 0 ? 0 : (GranuleCode(granule_shift) << 2) | ttl_level;
  return (static_cast<uint64_t>(asid) << 48) | (ttl << 44) | Bits(va, 55, 12);
}

// ASIDE1: the ASID in bits 63:48, the rest RES0.
constexpr uint64_t AsidOperand(Asid asid) {
  return static_cast<uint64_t>(asid) << 48;
}

// RVAE1, RVALE1: ASID 63:48, TG 47:46, SCALE 45:44, NUM 43:39, TTL 38:37
// (0 any level, else the leaf level), BaseADDR 36:0 in granule units. The
// range is (NUM + 1) * 2^(5 * SCALE + 1) pages from BaseADDR.
constexpr uint64_t RangeOperand(VirtAddr base, Asid asid, unsigned num,
                                unsigned scale, unsigned ttl_level = 0,
                                unsigned granule_shift = 12) {
  return (static_cast<uint64_t>(asid) << 48) |
         (GranuleCode(granule_shift) << 46) |
         (static_cast<uint64_t>(scale & 0b11) << 44) |
         (static_cast<uint64_t>(num & 0b11111) << 39) |
         (static_cast<uint64_t>(ttl_level & 0b11) << 37) |
         Bits(base >> granule_shift, 36, 0);
}

constexpr uint64_t RangePages(unsigned num, unsigned scale) {
  return static_cast<uint64_t>(num + 1) << (5 * scale + 1);
}
inline constexpr unsigned kMaxRangeNum = 31;
inline constexpr unsigned kMaxRangeScale = 3;

// What the hardware reads back from an operand.
struct VaFields {
  VirtAddr va;
  Asid asid;
  unsigned ttl_level;  // 0: no hint.
};
constexpr VaFields DecodeVa(uint64_t operand) {
  return VaFields{Bits(operand, 43, 0) << 12,
                  static_cast<Asid>(Bits(operand, 63, 48)),
                  Bits(operand, 47, 46) == 0
                      ? 0u
                      : static_cast<unsigned>(Bits(operand, 45, 44))};
}

struct RangeFields {
  VirtAddr base;
  uint64_t pages;
  Asid asid;
  unsigned ttl_level;      // 0: any level.
  unsigned granule_shift;  // 0: TG = 0b00, reserved: invalidates nothing.
};
constexpr RangeFields DecodeRange(uint64_t operand) {
  const unsigned tg = static_cast<unsigned>(Bits(operand, 47, 46));
  const unsigned shift = tg == 0b01   ? 12
                         : tg == 0b10 ? 14
                         : tg == 0b11 ? 16
                                      : 0;
  return RangeFields{shift == 0 ? 0 : Bits(operand, 36, 0) << shift,
                     RangePages(static_cast<unsigned>(Bits(operand, 43, 39)),
                                static_cast<unsigned>(Bits(operand, 45, 44))),
                     static_cast<Asid>(Bits(operand, 63, 48)),
                     static_cast<unsigned>(Bits(operand, 38, 37)), shift};
}

// One operation of a plan that invalidates a run of pages: either a single
// page (a VA operation) or a range operation with its NUM and SCALE.
struct RangeStep {
  VirtAddr va;
  uint64_t pages;
  bool single_page;
  unsigned num;
  unsigned scale;
};

// Covers exactly `pages` pages from `va` with the fewest operations that do
// not overlap: one single-page operation when the count is odd (a range
// operation covers an even number), then one range operation per non-zero
// base-32 digit of the remaining pairs, and whole maximal operations
// (32 << 16 pages each) for what exceeds SCALE 3.
template <typename Emit>
constexpr void PlanRange(VirtAddr va, uint64_t pages, unsigned granule_shift,
                         Emit&& emit) {
  if (pages & 1) {
    emit(RangeStep{va, 1, true, 0, 0});
    va += 1ull << granule_shift;
  }
  uint64_t pairs = pages >> 1;
  for (unsigned scale = 0; scale <= kMaxRangeScale && pairs != 0; ++scale) {
    const uint64_t digit =
        scale < kMaxRangeScale ? (pairs & 31) : (pairs > 32 ? 32 : pairs);
    if (digit == 0) {
      pairs >>= 5;
      continue;
    }
    const auto num = static_cast<unsigned>(digit - 1);
    const uint64_t covered = RangePages(num, scale);
    emit(RangeStep{va, covered, false, num, scale});
    va += covered << granule_shift;
    if (scale < kMaxRangeScale) {
      pairs >>= 5;
    } else {
      pairs -= digit;
      --scale;  // Stay at SCALE 3 until the pairs are used up.
    }
  }
}

// How many operations PlanRange emits for `pages` pages.
constexpr uint64_t RangeOperationCount(uint64_t pages) {
  uint64_t count = 0;
  PlanRange(0, pages, 12, [&count](const RangeStep&) { ++count; });
  return count;
}

}  // namespace ttb::tlbi

#endif  // TTBENCH_ENGINE_TLBI_H_
