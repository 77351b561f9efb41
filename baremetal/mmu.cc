#include "baremetal/mmu.h"

#include "baremetal/sysreg.h"
#include "engine/table.h"

namespace ttb::baremetal {
namespace {

constexpr unsigned kDeviceAttr = 0;  // MAIR_EL1 Attr0: Device-nGnRnE.
constexpr unsigned kNormalAttr = 1;  // Attr1: Normal, write-back.
constexpr uint64_t kMair = 0xFFull << (8 * kNormalAttr);

// TCR_EL1 but for T0SZ and TG0 (0: 4 KiB): IRGN0/ORGN0 write-back, SH0
// inner, EPD1 (no TTBR1 walks), IPS 40-bit, AS (16-bit ASIDs).
constexpr uint64_t kTcrBase = (1ull << 8) | (1ull << 10) | (3ull << 12) |
                              (1ull << 23) | (2ull << 32) | (1ull << 36);

// SCTLR_EL1: the RES1 bits of Armv8.0, and M (MMU), C, I (caches).
constexpr uint64_t kSctlr = 0x30D00800 | (1 << 0) | (1 << 2) | (1 << 12);

PhysAddr boot_root = 0;    // EnableMmu's.
PhysAddr kernel_root = 0;  // The current regime's.
// The tables of blocks under entry 0 of the roots above the block level:
// level 1 with 4 KiB pages, level 2 with 16 and 64 KiB.
Table kernel_level1;
TableOf<14> kernel_level2_16k;
TableOf<16> kernel_level2_64k;

// Blocks of level `level` in `table` (from VA 0) mapping [0, 2 GiB): device
// memory below 1 GiB, normal memory above.
void InstallBlocks(Descriptor* table, const Regime& r, int level) {
  const uint64_t size = r.level_bytes(level);
  for (uint64_t i = 0; i < (2ull << 30) / size; ++i) {
    const PhysAddr pa = i * size;
    const Descriptor block = Descriptor::Block(pa).with_ap(Ap::kPrivRw);
    table[i] =
        pa < (1ull << 30)
            ? block.with_attr_index(kDeviceAttr).with_uxn(true).with_pxn(true)
            : block.with_attr_index(kNormalAttr)
                  .with_sh(Sh::kInner)
                  .with_uxn(true);
  }
}

Descriptor* SharedBlockTable(const Regime& r) {
  switch (r.granule_shift) {
    case 14:
      return kernel_level2_16k.entries;
    case 16:
      return kernel_level2_64k.entries;
    default:
      return kernel_level1.entries;
  }
}

}  // namespace

bool HasGranule(unsigned granule_shift) {
  const uint64_t mmfr0 = TTB_READ_SYSREG(id_aa64mmfr0_el1);
  switch (granule_shift) {
    case 12:
      return Bits(mmfr0, 31, 28) != 0b1111;  // TGran4: 0b1111 absent.
    case 14:
      return Bits(mmfr0, 23, 20) != 0b0000;  // TGran16: 0b0000 absent.
    case 16:
      return Bits(mmfr0, 27, 24) != 0b1111;  // TGran64: 0b1111 absent.
    default:
      return false;
  }
}

void InstallKernelMapping(Descriptor* root, const Regime& r) {
  const int level = KernelBlockLevel(r);
  if (r.start_level() == level) {
    InstallBlocks(root, r, level);
  } else {
    root[0] =
        Descriptor::Table(reinterpret_cast<PhysAddr>(SharedBlockTable(r)));
  }
}

void EnableMmu(PhysAddr root) {
  boot_root = root;
  kernel_root = root;
  // One regime of each granule whose root points at its table of blocks.
  constexpr Regime kAbove[] = {kRegime48, kRegime16K, kRegime64K48};
  for (const Regime& r : kAbove) {
    InstallBlocks(SharedBlockTable(r), r, KernelBlockLevel(r));
  }
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
  const uint64_t tcr =
      kTcrBase | r.t0sz() | static_cast<uint64_t>(r.tg0()) << 14;
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
  kernel_root = root;
}

void UseBootTables() { UseRegime(kRegime, boot_root); }

void UseKernelTables() {
  // Its entries are global and the same in every root, so nothing cached
  // needs to go; user VAs are not touched while it is in use.
  TTB_WRITE_SYSREG(ttbr0_el1, kernel_root);
  asm volatile("isb" ::: "memory");
}

}  // namespace ttb::baremetal
