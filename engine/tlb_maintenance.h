// TLB maintenance built from the operand encoders and one Arch. Strategies
// say what to invalidate; these say how, and MaintenanceSequence says when
// the barriers go.
#ifndef TTBENCH_ENGINE_TLB_MAINTENANCE_H_
#define TTBENCH_ENGINE_TLB_MAINTENANCE_H_

#include "engine/arch.h"
#include "engine/tlbi.h"

namespace ttb {

template <Arch A>
void InvalidateVa(A& arch, Asid asid, VirtAddr va, bool last_level,
                  Shareability sh, unsigned ttl_level = 0) {
  arch.Tlbi(last_level ? tlbi::Op::kVale1 : tlbi::Op::kVae1, sh,
            tlbi::VaOperand(va, asid, ttl_level));
}

// `pages` pages from `va`: range operations where the core has
// FEAT_TLBIRANGE, one VA operation per page otherwise.
template <Arch A>
void InvalidateRange(A& arch, Asid asid, VirtAddr va, uint64_t pages,
                     bool last_level, Shareability sh,
                     unsigned granule_shift = 12) {
  if (!arch.HasRangeTlbi()) {
    for (uint64_t i = 0; i < pages; ++i) {
      InvalidateVa(arch, asid, va + (i << granule_shift), last_level, sh);
    }
    return;
  }
  const tlbi::Op range_op = last_level ? tlbi::Op::kRvale1 : tlbi::Op::kRvae1;
  tlbi::PlanRange(va, pages, granule_shift, [&](const tlbi::RangeStep& s) {
    if (s.single_page) {
      InvalidateVa(arch, asid, s.va, last_level, sh);
    } else {
      arch.Tlbi(
          range_op, sh,
          tlbi::RangeOperand(s.va, asid, s.num, s.scale, 0, granule_shift));
    }
  });
}

template <Arch A>
void InvalidateAsid(A& arch, Asid asid, Shareability sh) {
  arch.Tlbi(tlbi::Op::kAside1, sh, tlbi::AsidOperand(asid));
}

template <Arch A>
void InvalidateAll(A& arch, Shareability sh) {
  arch.Tlbi(tlbi::Op::kVmalle1, sh, 0);
}

// Runs `invalidate` (which issues TLBIs) inside the barriers the Arm ARM
// requires after a table write (D8.13, "Ordering and completion of TLB
// maintenance instructions"): DSB ST first, so the walker observes the new
// descriptor before any TLBI; DSB after, so the TLBIs have completed on
// every PE of the domain; ISB, so this PE's later instructions use the new
// translation.
template <Arch A, typename Fn>
void MaintenanceSequence(A& arch, Shareability sh, Fn&& invalidate) {
  arch.Dsb(StoreBarrier(sh));
  invalidate();
  arch.Dsb(CompletionBarrier(sh));
  arch.Isb();
}

// One whole MaintenanceSequence per page, `pages` pages from `va`, each
// with a last-level TLBI by VA: the per-page invalidation of the seed's
// fork, page after page.
template <Arch A>
void InvalidateEachPageInTurn(A& arch, Shareability sh, Asid asid, VirtAddr va,
                              uint64_t pages, unsigned granule_shift) {
  for (uint64_t i = 0; i < pages; ++i) {
    MaintenanceSequence(arch, sh, [&] {
      InvalidateVa(arch, asid, va + (i << granule_shift), true, sh);
    });
  }
}

// The same instructions, handed to the Arch as one run where it can carry
// out a run at once with the same effect (SimArch counts and invalidates
// without visiting each instruction); otherwise issued in turn.
template <Arch A>
void InvalidateEachPage(A& arch, Shareability sh, Asid asid, VirtAddr va,
                        uint64_t pages, unsigned granule_shift) {
  if constexpr (requires {
                  arch.InvalidateEachPage(sh, asid, va, pages, granule_shift);
                }) {
    arch.InvalidateEachPage(sh, asid, va, pages, granule_shift);
  } else {
    InvalidateEachPageInTurn(arch, sh, asid, va, pages, granule_shift);
  }
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_TLB_MAINTENANCE_H_
