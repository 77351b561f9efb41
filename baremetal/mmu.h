// The translation regime the image runs in, and the kernel's own mapping,
// which every table TTBR0 points at must carry.
#ifndef TTBENCH_BAREMETAL_MMU_H_
#define TTBENCH_BAREMETAL_MMU_H_

#include "engine/descriptor.h"
#include "engine/regime.h"

namespace ttb::baremetal {

// 4 KiB granule, 39-bit VA (TCR_EL1.T0SZ = 25), 40-bit PA (IPS = 0b010):
// a PA size every core QEMU offers supports.
inline constexpr Regime kRegime{12, 39, 40};

// VAs below this hold the kernel's identity mapping: level-1 entry 0 is
// QEMU virt's devices (UART), entry 1 its RAM (1 GiB from 0x4000_0000).
inline constexpr VirtAddr kUserBase = 2ull << 30;

// Writes the kernel's 1 GiB identity blocks into a level-1 root table.
void InstallKernelMapping(Descriptor* root);
// Programs MAIR, TCR and TTBR0 (`root`, ASID 0) and turns on the MMU and
// caches.
void EnableMmu(PhysAddr root);
// Points TTBR0 at `root` and invalidates this CPU's TLB.
void SwitchTables(PhysAddr root);
// Points TTBR0 at the kernel's own root (EnableMmu's), ASID 0, without
// invalidating: for when the current tables are about to be freed.
void UseKernelTables();

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_MMU_H_
