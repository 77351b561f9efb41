// What a kernel does to a level-2 block before it changes part of it (a
// CoW break inside it, an unmap of some of its pages): split it into a
// last-level table of pages, or, for a CoW break, replace it whole. A TLB
// may hold the block as one entry, so replacing it with a table changes the
// size of the translation, which needs break-before-make (Arm ARM D8.14.1)
// unless the core has FEAT_BBM level 2; changing its output address needs
// it always.
#ifndef TTBENCH_ENGINE_BLOCK_H_
#define TTBENCH_ENGINE_BLOCK_H_

#include "engine/contiguous_run.h"
#include "engine/process.h"
#include "engine/strategy.h"
#include "engine/tlb_maintenance.h"

namespace ttb {

// Completes the invalidation of the block entry holding `block_va`: one
// last-level TLBI by VA removes an entry of any size that covers it.
template <Arch A>
void InvalidateBlock(Kernel<A>& k, AddressSpace& space, VirtAddr block_va) {
  MaintenanceSequence(k.arch(), k.shareability(), [&] {
    InvalidateVa(k.arch(), space.asid(), block_va, true, k.shareability());
  });
}

// Completes the invalidation of every block of the level-2 contiguous run
// holding `va`, inside one maintenance sequence: a TLB may hold the run as
// one entry, or any of its blocks alone, so each block's VA is invalidated,
// as Linux flushes a CONT_PMD range with a PMD stride.
template <Arch A>
void InvalidateBlockRun(Kernel<A>& k, AddressSpace& space, VirtAddr va) {
  const Regime& r = space.regime();
  const unsigned count = r.contiguous_entries(2);
  const uint64_t block_bytes = r.level_bytes(2);
  const VirtAddr base = va & ~(count * block_bytes - 1);
  MaintenanceSequence(k.arch(), k.shareability(), [&] {
    for (unsigned i = 0; i < count; ++i) {
      InvalidateVa(k.arch(), space.asid(), base + i * block_bytes, true,
                   k.shareability());
    }
  });
}

// Rewrites the level-2 contiguous run holding `va` in `space` (if its block
// is part of one) as single blocks (ClearContiguousBit).
template <Arch A>
void UnfoldBlockRun(Kernel<A>& k, AddressSpace& space, VirtAddr va) {
  Descriptor* run = space.BlockRunAt(va);
  if (run == nullptr) return;
  ClearContiguousBit(k, run, space.regime().contiguous_entries(2),
                     [&] { InvalidateBlockRun(k, space, va); });
}

// Splits the block holding `va` in `space` (if it is one) into pages with
// the same frames and attributes (AddressSpace::SplitBlock), with the
// invalid step unless the core has FEAT_BBM level 2. kNoMemory, changing
// nothing, without a frame for the table.
template <Arch A>
Status SplitBlock(Kernel<A>& k, AddressSpace& space, VirtAddr va) {
  const Status s = space.SplitBlock(
      va, !k.bbm_level2(),
      [&](VirtAddr block_va) { InvalidateBlock(k, space, block_va); });
  if (s == Status::kOk) {
    // Publish the table to the walker before returning.
    k.arch().Dsb(StoreBarrier(k.shareability()));
    k.arch().Isb();
  }
  return s;
}

// A CoW break of the block holding `va` as a whole: its frames are taken
// over when no one else maps any of them (a change of permissions only),
// else copied into a new block, installed with break-before-make.
// kNoMemory when the pool has no block to copy into: the caller may split
// the block instead.
template <Arch A>
Status BreakWholeBlock(Kernel<A>& k, AddressSpace& space, VirtAddr va,
                       Descriptor writable) {
  Descriptor* entry = space.BlockAt(va);
  FramePool& pool = k.pool();
  const PhysAddr old = entry->output_address();
  const VirtAddr block_va = va & ~(space.regime().level_bytes(2) - 1);
  if (!pool.AnyShared(old, pool.block_frames())) {
    *entry = writable;
    InvalidateBlock(k, space, block_va);
    return Status::kOk;
  }
  const Result<PhysAddr> copy = pool.CopyBlock(old);
  if (!copy.ok()) return copy.status();
  // An EL0-executable copy must reach instruction fetch before it is mapped.
  if (!writable.uxn()) {
    k.arch().SyncInstructions(pool.Bytes(copy.value()),
                              pool.block_frames() << pool.frame_shift());
  }
  *entry = Descriptor::Invalid();
  InvalidateBlock(k, space, block_va);
  *entry = writable.with_output_address(copy.value());
  k.arch().Dsb(StoreBarrier(k.shareability()));
  k.arch().Isb();
  pool.ReleaseBlock(old);
  return Status::kOk;
}

// Splits the blocks that `pages` pages from `va` cover only in part: the
// ones holding its first and its last page; first, the level-2 contiguous
// runs it covers only in part leave their runs.
template <Arch A>
Status SplitBlocksAtEdges(Kernel<A>& k, AddressSpace& space, VirtAddr va,
                          uint64_t pages) {
  const uint64_t block_bytes = space.regime().level_bytes(2);
  const uint64_t run_bytes = block_bytes * space.regime().contiguous_entries(2);
  const VirtAddr end = va + (pages << space.regime().granule_shift);
  if ((va & (run_bytes - 1)) != 0) UnfoldBlockRun(k, space, va);
  if ((end & (run_bytes - 1)) != 0) {
    UnfoldBlockRun(k, space, end - space.regime().granule_bytes());
  }
  Status s = Status::kOk;
  if ((va & (block_bytes - 1)) != 0) s = SplitBlock(k, space, va);
  if (s == Status::kOk && (end & (block_bytes - 1)) != 0) {
    s = SplitBlock(k, space, end - space.regime().granule_bytes());
  }
  return s;
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_BLOCK_H_
