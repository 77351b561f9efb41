// The translation regime the image runs in, and the kernel's own mapping,
// which every table TTBR0 points at must carry.
#ifndef TTBENCH_BAREMETAL_MMU_H_
#define TTBENCH_BAREMETAL_MMU_H_

#include "engine/descriptor.h"
#include "engine/regime.h"

namespace ttb::baremetal {

// 4 KiB granule, 39-bit VA (TCR_EL1.T0SZ = 25), 40-bit PA (IPS = 0b010):
// a PA size every core QEMU offers supports. Processes run in it.
inline constexpr Regime kRegime{12, 39, 40};
// The 48-bit regime (T0SZ = 16, four levels), for the walker check.
inline constexpr Regime kRegime48{12, 48, 40};

// The kernel's identity mapping is two level-1 blocks: QEMU virt's devices
// (UART) at 0 and its RAM (1 GiB from 0x4000_0000). VAs from here up are
// free in the 39-bit regime; in the 48-bit one, level-0 entry 0 points at a
// level-1 table shared by every root, so free VAs start at 512 GiB.
inline constexpr VirtAddr kUserBase = 2ull << 30;
constexpr VirtAddr FirstFreeVa(const Regime& r) {
  return r.start_level() == 0 ? r.level_bytes(0) : kUserBase;
}

// Writes the kernel's mapping into a root table of regime `r`.
void InstallKernelMapping(Descriptor* root, const Regime& r = kRegime);
// Programs MAIR, TCR (the 39-bit regime) and TTBR0 (`root`, ASID 0) and
// turns on the MMU and caches.
void EnableMmu(PhysAddr root);
// Switches TCR_EL1.T0SZ to `r` with TTBR0 at `root` (holding the kernel's
// mapping for `r`), and invalidates this CPU's TLB.
void UseRegime(const Regime& r, PhysAddr root);
// Points TTBR0 at the kernel's own root (EnableMmu's), ASID 0, without
// invalidating: for when the current tables are about to be freed.
void UseKernelTables();

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_MMU_H_
