// The Arch of a real AArch64 core: each operation is the instruction
// itself, with operands from the engine's encoders. It counts what it
// issues the way SimArch does, so one workload can be compared in both
// worlds.
#ifndef TTBENCH_BAREMETAL_HW_ARCH_H_
#define TTBENCH_BAREMETAL_HW_ARCH_H_

#include "baremetal/sysreg.h"
#include "engine/arch.h"
#include "engine/arch_counters.h"

namespace ttb::baremetal {

class HwArch {
 public:
  void Tlbi(tlbi::Op op, Shareability sh, uint64_t operand) {
    ++counts_.tlbi[static_cast<int>(op)][static_cast<int>(sh)];
    pending_.Issued(sh);
    const bool is = sh == Shareability::kInner;
// One TLBI, local or inner-shareable form, with the operand in a register.
#define TTB_TLBI(local, inner)                                \
  do {                                                        \
    if (is) {                                                 \
      asm volatile(inner ", %0" : : "r"(operand) : "memory"); \
    } else {                                                  \
      asm volatile(local ", %0" : : "r"(operand) : "memory"); \
    }                                                         \
  } while (0)
    switch (op) {
      case tlbi::Op::kVae1:
        TTB_TLBI("tlbi vae1", "tlbi vae1is");
        break;
      case tlbi::Op::kVale1:
        TTB_TLBI("tlbi vale1", "tlbi vale1is");
        break;
      case tlbi::Op::kVaae1:
        TTB_TLBI("tlbi vaae1", "tlbi vaae1is");
        break;
      case tlbi::Op::kVaale1:
        TTB_TLBI("tlbi vaale1", "tlbi vaale1is");
        break;
      case tlbi::Op::kAside1:
        TTB_TLBI("tlbi aside1", "tlbi aside1is");
        break;
      case tlbi::Op::kVmalle1:
        if (is) {
          asm volatile("tlbi vmalle1is" ::: "memory");
        } else {
          asm volatile("tlbi vmalle1" ::: "memory");
        }
        break;
      // FEAT_TLBIRANGE as SYS encodings (op1 0, CRn 8; CRm 2 for the
      // inner-shareable forms, 6 for the local ones; op2 1 RVAE1, 5
      // RVALE1), so no Armv8.4 assembler flag is needed.
      case tlbi::Op::kRvae1:
        TTB_TLBI("sys #0, c8, c6, #1", "sys #0, c8, c2, #1");
        break;
      case tlbi::Op::kRvale1:
        TTB_TLBI("sys #0, c8, c6, #5", "sys #0, c8, c2, #5");
        break;
    }
#undef TTB_TLBI
  }
  void Dsb(Barrier b) {
    counts_.CountDsb(b, pending_);
    switch (b) {
      case Barrier::kIsh:
        asm volatile("dsb ish" ::: "memory");
        break;
      case Barrier::kIshSt:
        asm volatile("dsb ishst" ::: "memory");
        break;
      case Barrier::kNsh:
        asm volatile("dsb nsh" ::: "memory");
        break;
      case Barrier::kNshSt:
        asm volatile("dsb nshst" ::: "memory");
        break;
    }
  }
  void Isb() {
    ++counts_.isb;
    asm volatile("isb" ::: "memory");
  }
  void SwitchTtbr0(PhysAddr root, Asid asid) {
    ++counts_.ttbr0_writes;
    TTB_WRITE_SYSREG(ttbr0_el1, Ttbr0Value(root, asid));
  }
  // The cache lines are CTR_EL0's minimum line sizes. A core with
  // CTR_EL0.IDC (bit 28) needs no clean to the point of unification, one
  // with DIC (bit 29) no instruction-cache invalidation; the barriers stay,
  // as Linux keeps them, and the counts equal the simulator's.
  void SyncInstructions(const void* bytes, uint64_t size) {
    ++counts_.instruction_syncs;
    const uint64_t ctr = TTB_READ_SYSREG(ctr_el0);
    const auto start = reinterpret_cast<uintptr_t>(bytes);
    if (((ctr >> 28) & 1) == 0) {
      const uint64_t line = 4ull << ((ctr >> 16) & 0xF);  // DminLine.
      for (uintptr_t a = start & ~(line - 1); a < start + size; a += line) {
        asm volatile("dc cvau, %0" : : "r"(a) : "memory");
      }
    }
    Dsb(Barrier::kIsh);
    if (((ctr >> 29) & 1) == 0) {
      const uint64_t line = 4ull << (ctr & 0xF);  // IminLine.
      for (uintptr_t a = start & ~(line - 1); a < start + size; a += line) {
        asm volatile("ic ivau, %0" : : "r"(a) : "memory");
      }
    }
    Dsb(Barrier::kIsh);
    Isb();
  }
  // ID_AA64ISAR0_EL1.TLB (bits 59:56) = 2: FEAT_TLBIRANGE.
  bool HasRangeTlbi() const {
    return ((TTB_READ_SYSREG(id_aa64isar0_el1) >> 56) & 0xF) >= 2;
  }

  const ArchCounters& counts() const { return counts_; }

 private:
  ArchCounters counts_;
  PendingTlbis pending_;
};

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_HW_ARCH_H_
