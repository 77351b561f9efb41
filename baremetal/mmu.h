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
// The larger granules' regimes the walker check runs in where the CPU has
// the granule: 16 KiB with a 47-bit VA (three levels), 64 KiB with a
// 42-bit (two) and a 48-bit VA (three).
inline constexpr Regime kRegime16K{14, 47, 40};
inline constexpr Regime kRegime64K{16, 42, 40};
inline constexpr Regime kRegime64K48{16, 48, 40};

// Whether the CPU implements the granule (ID_AA64MMFR0_EL1.TGran4, TGran16
// and TGran64, Arm ARM D19.2).
bool HasGranule(unsigned granule_shift);

// The kernel's identity mapping covers QEMU virt's devices (the UART) in
// [0, 1 GiB) and its RAM from 1 GiB with the largest blocks the granule
// has: level-1 blocks with 4 KiB pages, level-2 blocks (32 or 512 MiB)
// otherwise (Regime::block_allowed). A root at that level holds them
// itself, and VAs from 2 GiB up are free; a root above it points its entry
// 0 at a table of blocks shared by every root, and free VAs start at its
// entry 1 (512 GiB with 4 KiB pages and 48 bits).
inline constexpr VirtAddr kUserBase = 2ull << 30;
constexpr int KernelBlockLevel(const Regime& r) {
  return r.block_allowed(1) ? 1 : 2;
}
constexpr VirtAddr FirstFreeVa(const Regime& r) {
  return r.start_level() == KernelBlockLevel(r)
             ? kUserBase
             : r.level_bytes(r.start_level());
}

// Writes the kernel's mapping into a root table of regime `r`, whose start
// level is the block level or the one above it.
void InstallKernelMapping(Descriptor* root, const Regime& r = kRegime);
// Programs MAIR, TCR (the 39-bit regime) and TTBR0 (`root`, ASID 0) and
// turns on the MMU and caches.
void EnableMmu(PhysAddr root);
// Switches TCR_EL1.T0SZ and TG0 to `r` with TTBR0 at `root` (holding the
// kernel's mapping for `r`), and invalidates this CPU's TLB. `root` is the
// kernel's own until the next switch.
void UseRegime(const Regime& r, PhysAddr root);
// UseRegime back to kRegime and EnableMmu's root, which lives outside
// every frame pool.
void UseBootTables();
// Points TTBR0 at the kernel's own root of the current regime, ASID 0,
// without invalidating: for when the current tables are about to be freed.
void UseKernelTables();

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_MMU_H_
