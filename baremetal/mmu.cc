#include "baremetal/mmu.h"

#include "baremetal/sysreg.h"

namespace ttb::baremetal {
namespace {

constexpr unsigned kDeviceAttr = 0;  // MAIR_EL1 Attr0: Device-nGnRnE.
constexpr unsigned kNormalAttr = 1;  // Attr1: Normal, write-back.
constexpr uint64_t kMair = 0xFFull << (8 * kNormalAttr);

// TCR_EL1: T0SZ 25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, EPD1
// (no TTBR1 walks), IPS 40-bit, AS (16-bit ASIDs).
constexpr uint64_t kTcr = 25 | (1ull << 8) | (1ull << 10) | (3ull << 12) |
                          (1ull << 23) | (2ull << 32) | (1ull << 36);

// SCTLR_EL1: the RES1 bits of Armv8.0, and M (MMU), C, I (caches).
constexpr uint64_t kSctlr = 0x30D00800 | (1 << 0) | (1 << 2) | (1 << 12);

PhysAddr kernel_root = 0;

}  // namespace

void InstallKernelMapping(Descriptor* root) {
  root[0] = Descriptor::Block(0)
                .with_attr_index(kDeviceAttr)
                .with_ap(Ap::kPrivRw)
                .with_uxn(true)
                .with_pxn(true);
  root[1] = Descriptor::Block(1ull << 30)
                .with_attr_index(kNormalAttr)
                .with_sh(Sh::kInner)
                .with_ap(Ap::kPrivRw)
                .with_uxn(true);
}

void EnableMmu(PhysAddr root) {
  kernel_root = root;
  TTB_WRITE_SYSREG(mair_el1, kMair);
  TTB_WRITE_SYSREG(tcr_el1, kTcr);
  TTB_WRITE_SYSREG(ttbr0_el1, root);
  asm volatile("dsb ish; isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
  TTB_WRITE_SYSREG(sctlr_el1, kSctlr);
  asm volatile("isb" ::: "memory");
}

void SwitchTables(PhysAddr root) {
  // The new tables must be visible to the walker before TTBR0 points at
  // them, and no entry from the old ones may survive (same ASID).
  asm volatile("dsb ishst" ::: "memory");
  TTB_WRITE_SYSREG(ttbr0_el1, root);
  asm volatile("isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
}

}  // namespace ttb::baremetal

namespace ttb::baremetal {

void UseKernelTables() {
  // Its entries are global and the same in every root, so nothing cached
  // needs to go; user VAs are not touched while it is in use.
  TTB_WRITE_SYSREG(ttbr0_el1, kernel_root);
  asm volatile("isb" ::: "memory");
}

}  // namespace ttb::baremetal
