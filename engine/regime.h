// The translation regime being modelled: stage 1 of EL1&0, one TTBR0 region,
// a granule (4, 16 or 64 KiB) and an input (VA) and output (PA) size, as
// TCR_EL1 sets them. The granule is a value here, never a literal elsewhere.
#ifndef TTBENCH_ENGINE_REGIME_H_
#define TTBENCH_ENGINE_REGIME_H_

#include "engine/types.h"

namespace ttb {

struct Regime {
  uint8_t granule_shift = 12;  // TCR_EL1.TG0: 4 KiB.
  uint8_t va_bits = 39;        // 64 - TCR_EL1.T0SZ.
  uint8_t pa_bits = 48;        // TCR_EL1.IPS.

  // 39-bit VA, walk starts at level 1 (three levels), as in the seed kernel.
  static constexpr Regime Va39() { return Regime{12, 39, 48}; }
  // 48-bit VA, walk starts at level 0 (four levels), as Linux uses.
  static constexpr Regime Va48() { return Regime{12, 48, 48}; }
  // Linux's arm64 layouts for the larger granules: 16 KiB with a 47-bit VA
  // (three levels, as Apple silicon and Android run it), 64 KiB with a
  // 42-bit VA (two levels) or a 48-bit one (three).
  static constexpr Regime Va47Granule16K() { return Regime{14, 47, 48}; }
  static constexpr Regime Va42Granule64K() { return Regime{16, 42, 48}; }
  static constexpr Regime Va48Granule64K() { return Regime{16, 48, 48}; }

  constexpr uint64_t granule_bytes() const { return 1ull << granule_shift; }
  // Each table is one granule of 8-byte descriptors.
  constexpr unsigned bits_per_level() const { return granule_shift - 3; }
  constexpr unsigned entries_per_table() const {
    return 1u << bits_per_level();
  }
  constexpr unsigned t0sz() const { return 64 - va_bits; }
  constexpr unsigned levels() const {
    return (va_bits - granule_shift + bits_per_level() - 1) / bits_per_level();
  }
  // Arm ARM D8.2: the initial lookup level follows from T0SZ and the granule.
  constexpr int start_level() const { return 4 - static_cast<int>(levels()); }
  // Bit position of the lowest VA bit resolved at `level`.
  constexpr unsigned level_shift(int level) const {
    return granule_shift + (3 - level) * bits_per_level();
  }
  constexpr uint64_t level_bytes(int level) const {
    return 1ull << level_shift(level);
  }
  constexpr unsigned index(VirtAddr va, int level) const {
    const unsigned width = level == start_level() ? va_bits - level_shift(level)
                                                  : bits_per_level();
    return static_cast<unsigned>(
        Bits(va, level_shift(level) + width - 1, level_shift(level)));
  }
  constexpr unsigned entries_at(int level) const {
    return level == start_level() ? 1u << (va_bits - level_shift(level))
                                  : entries_per_table();
  }
  // TTBR0 covers [0, 2^va_bits); anything above is a Translation fault, never
  // wrapped into the top table.
  constexpr bool contains(VirtAddr va) const { return (va >> va_bits) == 0; }
  constexpr bool pa_fits(PhysAddr pa) const { return (pa >> pa_bits) == 0; }
  constexpr VirtAddr page_base(VirtAddr va) const {
    return va & ~(granule_bytes() - 1);
  }
  // Arm ARM D8.3.1: without FEAT_LPA2 (and FEAT_LPA, for 64 KiB), block
  // descriptors exist at levels 1 (1 GiB) and 2 (2 MiB) with the 4 KiB
  // granule, and at level 2 only with the others (32 MiB with 16 KiB,
  // 512 MiB with 64 KiB).
  constexpr bool block_allowed(int level) const {
    return level == 2 || (level == 1 && granule_shift == 12);
  }
  // Arm ARM "The Contiguous bit" (D4.5.3 in DDI 0487C.a, as Linux's
  // hugetlbpage.rst cites it): how many adjacent leaf
  // entries of `level` one contiguous run holds, wherever a leaf may be:
  // 16 with 4 KiB (64 KiB runs at level 3, 32 MiB at 2, 16 GiB at 1); 128
  // at level 3 and 32 at level 2 with 16 KiB (2 MiB, 1 GiB); 32 with 64 KiB
  // (2 MiB, 16 GiB). Linux's CONT_PTES and CONT_PMDS agree.
  constexpr unsigned contiguous_entries(int level) const {
    if (granule_shift == 12) return 16;
    return level == 3 && granule_shift == 14 ? 128 : 32;
  }
  // log2 of the bytes a leaf of `level` covers, as one run when
  // `contiguous`: the largest entry a TLB may make of it.
  constexpr unsigned leaf_shift(int level, bool contiguous) const {
    return level_shift(level) +
           (contiguous ? __builtin_ctz(contiguous_entries(level)) : 0);
  }
  // TCR_EL1.TG0's encoding of the granule: 0b00 4 KiB, 0b10 16 KiB, 0b01
  // 64 KiB (not in size order).
  constexpr unsigned tg0() const {
    return granule_shift == 12 ? 0b00 : granule_shift == 14 ? 0b10 : 0b01;
  }
  // The combinations this build models: a 4, 16 or 64 KiB granule, T0SZ
  // 16..39 (the range without FEAT_LVA and FEAT_TTST), an IPS encoding's
  // PA size, and at least two levels: every space has a table above its
  // last-level tables, so a walk that would start at level 3 (a 16 or
  // 64 KiB granule under 26 or 30 VA bits) is not modelled.
  constexpr bool Supported() const {
    const bool pa_ok = pa_bits == 32 || pa_bits == 36 || pa_bits == 40 ||
                       pa_bits == 42 || pa_bits == 44 || pa_bits == 48;
    const bool granule_ok =
        granule_shift == 12 || granule_shift == 14 || granule_shift == 16;
    return granule_ok && va_bits >= 25 && va_bits <= 48 && pa_ok &&
           start_level() <= 2;
  }

  constexpr bool operator==(const Regime&) const = default;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_REGIME_H_
