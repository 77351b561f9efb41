// What a kernel does to a contiguous run of last-level entries before it
// changes part of one (a CoW break inside it, an unmap of some of its
// pages): split it back into single pages, or, for a CoW break, replace it
// whole. Every entry of a run must agree (Arm ARM, "The Contiguous bit"), and a
// TLB may hold the run as one entry, so changing the contiguous bit is a change
// of size, which needs break-before-make (D8.14.1) unless the core has FEAT_BBM
// level 2; changing the output addresses needs it always.
#ifndef TTBENCH_ENGINE_CONTIGUOUS_RUN_H_
#define TTBENCH_ENGINE_CONTIGUOUS_RUN_H_

#include "engine/process.h"
#include "engine/strategy.h"
#include "engine/tlb_maintenance.h"

namespace ttb {

// The most entries one run holds: 128, a 16 KiB granule's level 3.
inline constexpr unsigned kMaxRunEntries = 128;

// The first VA of the last-level run holding `va`.
inline VirtAddr RunBase(const Regime& r, VirtAddr va) {
  return va & ~((uint64_t{r.contiguous_entries(3)} << r.granule_shift) - 1);
}

// Completes the invalidation of every page of the run holding `va`, inside
// one maintenance sequence: any of them may be cached, as the run or alone.
template <Arch A>
void InvalidateRun(Kernel<A>& k, AddressSpace& space, VirtAddr va) {
  const Regime& r = space.regime();
  MaintenanceSequence(k.arch(), k.shareability(), [&] {
    InvalidateRange(k.arch(), space.asid(), RunBase(r, va),
                    r.contiguous_entries(3), true, k.shareability(),
                    r.granule_shift);
  });
}

// Rewrites the `count` entries of the run at `run` without the contiguous
// bit, the same frames and attributes otherwise; `invalidate()` completes
// the TLB maintenance for all of them. Without FEAT_BBM level 2, every
// entry is made invalid and invalidated before it is written again; with
// it, the entries are written at once and invalidated after.
template <Arch A, typename Invalidate>
void ClearContiguousBit(Kernel<A>& k, Descriptor* run, unsigned count,
                        Invalidate&& invalidate) {
  if (k.bbm_level2()) {
    for (unsigned i = 0; i < count; ++i) run[i] = run[i].with_contiguous(false);
    invalidate();
    return;
  }
  Descriptor entries[kMaxRunEntries];
  for (unsigned i = 0; i < count; ++i) {
    entries[i] = run[i].with_contiguous(false);
    run[i] = Descriptor::Invalid();
  }
  invalidate();
  for (unsigned i = 0; i < count; ++i) run[i] = entries[i];
  // Publish the entries to the walker before returning.
  k.arch().Dsb(StoreBarrier(k.shareability()));
  k.arch().Isb();
}

// Rewrites the run holding `va` in `space` (if its page is part of one) as
// single pages (ClearContiguousBit).
template <Arch A>
void UnfoldRun(Kernel<A>& k, AddressSpace& space, VirtAddr va) {
  Descriptor* run = space.RunAt(va);
  if (run == nullptr) return;
  ClearContiguousBit(k, run, space.regime().contiguous_entries(3),
                     [&] { InvalidateRun(k, space, va); });
}

// A CoW break of the contiguous run holding `va` as a whole: the run's
// frames are taken over when no one else shares them (a change of
// permissions only, made to every entry), else copied into a new run,
// installed with break-before-make over the whole run. kNoMemory when the
// pool has no run to copy into: the caller may split the run instead.
template <Arch A>
Status BreakWholeRun(Kernel<A>& k, AddressSpace& space, VirtAddr va,
                     Descriptor writable) {
  Descriptor* run = space.RunAt(va);
  const Regime& r = space.regime();
  const unsigned count = r.contiguous_entries(3);
  const PhysAddr old = run[0].output_address();
  if (!k.pool().AnyShared(old, count)) {
    for (unsigned i = 0; i < count; ++i) {
      run[i] = writable.with_output_address(run[i].output_address());
    }
    InvalidateRun(k, space, va);
    return Status::kOk;
  }
  const Result<PhysAddr> copy = k.pool().CopyRun(old, count);
  if (!copy.ok()) return copy.status();
  // An EL0-executable copy must reach instruction fetch before it is mapped.
  if (!writable.uxn()) {
    k.arch().SyncInstructions(k.pool().Bytes(copy.value()),
                              uint64_t{count} << r.granule_shift);
  }
  for (unsigned i = 0; i < count; ++i) run[i] = Descriptor::Invalid();
  InvalidateRun(k, space, va);
  for (unsigned i = 0; i < count; ++i) {
    run[i] = writable.with_output_address(copy.value() +
                                          (uint64_t{i} << r.granule_shift));
  }
  k.arch().Dsb(StoreBarrier(k.shareability()));
  k.arch().Isb();
  for (unsigned i = 0; i < count; ++i) {
    k.pool().Release(old + (uint64_t{i} << r.granule_shift));
  }
  return Status::kOk;
}

// Unfolds the runs that `pages` pages from `va` cover only in part: the
// ones holding its first and its last page.
template <Arch A>
void UnfoldRunsAtEdges(Kernel<A>& k, AddressSpace& space, VirtAddr va,
                       uint64_t pages) {
  const Regime& r = space.regime();
  const VirtAddr end = va + (pages << r.granule_shift);
  if (RunBase(r, va) != va) UnfoldRun(k, space, va);
  if (RunBase(r, end) != end) UnfoldRun(k, space, end - r.granule_bytes());
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_CONTIGUOUS_RUN_H_
