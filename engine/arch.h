// The architecture interface: the only way engine and strategy code reach
// TLB invalidation, barriers and TTBR0. Chosen at compile time (a template
// parameter satisfying `Arch`), so hot loops inline: SimArch in the host
// simulator, HwArch on bare metal, as Hafnium splits arch/fake from
// arch/aarch64.
#ifndef TTBENCH_ENGINE_ARCH_H_
#define TTBENCH_ENGINE_ARCH_H_

#include "engine/tlbi.h"
#include "engine/types.h"

namespace ttb {

// Which observers a maintenance instruction reaches: this PE only, or every
// PE in the Inner Shareable domain (the "IS" instruction forms).
enum class Shareability : uint8_t { kLocal, kInner };

// DSB variants the engine uses: the domain, and whether only stores are
// ordered (ST).
enum class Barrier : uint8_t { kIsh, kIshSt, kNsh, kNshSt };
inline constexpr int kBarrierCount = 4;

constexpr const char* BarrierName(Barrier b) {
  constexpr const char* kNames[kBarrierCount] = {"ish", "ishst", "nsh",
                                                 "nshst"};
  return kNames[static_cast<int>(b)];
}

// The DSB that orders earlier stores (table writes) before what follows
// for the observers of a domain: ISHST where other PEs' walks must see
// them, NSHST where only this PE's.
constexpr Barrier StoreBarrier(Shareability sh) {
  return sh == Shareability::kInner ? Barrier::kIshSt : Barrier::kNshSt;
}
// The DSB that completes TLB maintenance issued with that shareability.
constexpr Barrier CompletionBarrier(Shareability sh) {
  return sh == Shareability::kInner ? Barrier::kIsh : Barrier::kNsh;
}

// TTBR0_EL1: ASID in bits 63:48, the table base in 47:1 (CnP, bit 0, off).
constexpr uint64_t Ttbr0Value(PhysAddr root, Asid asid) {
  return (static_cast<uint64_t>(asid) << 48) | Bits(root, 47, 1) << 1;
}

template <typename A>
concept Arch = requires(A& arch, tlbi::Op op, Shareability sh, uint64_t operand,
                        Barrier barrier, PhysAddr root, Asid asid,
                        const void* bytes, uint64_t size) {
  arch.Tlbi(op, sh, operand);  // One TLBI instruction with its operand.
  arch.Dsb(barrier);
  arch.Isb();
  arch.SwitchTtbr0(root, asid);  // MSR TTBR0_EL1 (the caller adds the ISB).
  // Makes the `size` bytes of instructions just written at `bytes` (as
  // this PE addresses them) visible to instruction fetch: DC CVAU, DSB
  // ISH, IC IVAU, DSB ISH, ISB, since data and instruction caches need not
  // be coherent (Arm ARM, "Concurrent modification and execution of
  // instructions").
  arch.SyncInstructions(bytes, size);
  static_cast<bool>(arch.HasRangeTlbi());  // FEAT_TLBIRANGE.
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_ARCH_H_
