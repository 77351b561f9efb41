#include "baremetal/mmu.h"

#include "baremetal/sysreg.h"
#include "engine/table.h"

namespace ttb::baremetal {
namespace {

constexpr unsigned kDeviceAttr = 0;  // MAIR_EL1 Attr0: Device-nGnRnE.
constexpr unsigned kNormalAttr = 1;  // Attr1: Normal, write-back.
constexpr uint64_t kMair = 0xFFull << (8 * kNormalAttr);

// TCR_EL1 but for T0SZ: IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, EPD1
// (no TTBR1 walks), IPS 40-bit, AS (16-bit ASIDs).
constexpr uint64_t kTcrBase = (1ull << 8) | (1ull << 10) | (3ull << 12) |
                              (1ull << 23) | (2ull << 32) | (1ull << 36);

// SCTLR_EL1: the RES1 bits of Armv8.0, and M (MMU), C, I (caches).
constexpr uint64_t kSctlr = 0x30D00800 | (1 << 0) | (1 << 2) | (1 << 12);

PhysAddr kernel_root = 0;
// The level-1 table under level-0 entry 0 of every 48-bit root.
Table kernel_level1;

void InstallBlocks(Descriptor* level1) {
  level1[0] = Descriptor::Block(0)
                  .with_attr_index(kDeviceAttr)
                  .with_ap(Ap::kPrivRw)
                  .with_uxn(true)
                  .with_pxn(true);
  level1[1] = Descriptor::Block(1ull << 30)
                  .with_attr_index(kNormalAttr)
                  .with_sh(Sh::kInner)
                  .with_ap(Ap::kPrivRw)
                  .with_uxn(true);
}

}  // namespace

void InstallKernelMapping(Descriptor* root, const Regime& r) {
  if (r.start_level() == 0) {
    root[0] = Descriptor::Table(reinterpret_cast<PhysAddr>(&kernel_level1));
  } else {
    InstallBlocks(root);
  }
}

void EnableMmu(PhysAddr root) {
  kernel_root = root;
  InstallBlocks(kernel_level1.entries);
  TTB_WRITE_SYSREG(mair_el1, kMair);
  TTB_WRITE_SYSREG(tcr_el1, kTcrBase | kRegime.t0sz());
  TTB_WRITE_SYSREG(ttbr0_el1, root);
  asm volatile("dsb ish; isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
  TTB_WRITE_SYSREG(sctlr_el1, kSctlr);
  asm volatile("isb" ::: "memory");
}

}  // namespace ttb::baremetal

namespace ttb::baremetal {

void UseRegime(const Regime& r, PhysAddr root) {
  // No one root is valid under both T0SZ values, and a TCR write may apply
  // to the very next fetch: switch with the MMU off for these instructions
  // (the kernel is identity-mapped, and nothing here touches data).
  const uint64_t tcr = kTcrBase | r.t0sz();
  asm volatile(
      "dsb ish\n"
      "msr sctlr_el1, %[off]\n"
      "isb\n"
      "msr tcr_el1, %[tcr]\n"
      "msr ttbr0_el1, %[root]\n"
      "isb\n"
      "tlbi vmalle1\n"
      "dsb nsh\n"
      "msr sctlr_el1, %[on]\n"
      "isb\n"
      :
      : [off] "r"(kSctlr & ~1ull), [on] "r"(kSctlr), [tcr] "r"(tcr),
        [root] "r"(root)
      : "memory");
}

void UseKernelTables() {
  // Its entries are global and the same in every root, so nothing cached
  // needs to go; user VAs are not touched while it is in use.
  TTB_WRITE_SYSREG(ttbr0_el1, kernel_root);
  asm volatile("isb" ::: "memory");
}

}  // namespace ttb::baremetal
