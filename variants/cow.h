// Pieces every strategy shares: ASID-tagged spaces and context switches,
// the lazy copy-on-write fork's work on each table, and the CoW fault
// handler. Strategies differ only in when and how they invalidate.
#ifndef TTBENCH_VARIANTS_COW_H_
#define TTBENCH_VARIANTS_COW_H_

#include "engine/block.h"
#include "engine/contiguous_run.h"
#include "engine/strategy.h"
#include "engine/tlb_maintenance.h"

namespace ttb {

// AP[2] = 0: the page is writable at the ELs that can access it.
constexpr bool Writable(Descriptor d) {
  return (static_cast<unsigned>(d.ap()) & 0b10) == 0;
}
constexpr Descriptor ReadOnly(Descriptor d) {
  return d.with_ap(static_cast<Ap>(static_cast<unsigned>(d.ap()) | 0b10));
}
constexpr Descriptor MakeWritable(Descriptor d) {
  return d.with_ap(static_cast<Ap>(static_cast<unsigned>(d.ap()) & 0b01));
}
// A page a write may end up writing: writable, or shared copy-on-write. A
// write to any other page is the process's own permission fault.
constexpr bool WritableOrCow(Descriptor d) { return Writable(d) || d.cow(); }
// The bits a fork sets in a shared page: AP[2] (read-only) and the CoW
// marker, with their positions.
inline constexpr uint64_t kForkedBits =
    ReadOnly(Descriptor()).with_cow(true).bits();
inline constexpr unsigned kReadOnlyShift =
    __builtin_ctzll(ReadOnly(Descriptor()).bits());
inline constexpr unsigned kCowShift =
    __builtin_ctzll(Descriptor().with_cow(true).bits());

// 1 for a valid page descriptor with AP[2] clear (writable), else 0.
// Arithmetic rather than a branch: fork's loops over a table vectorise.
constexpr uint64_t WritablePageBit(Descriptor d) {
  return d.bits() & ~(d.bits() >> kReadOnlyShift) & 1;
}

// What a shared page looks like after fork: writable pages (and pages
// already shared copy-on-write) become read-only with the CoW marker;
// read-only pages stay as they are and are never copied. Setting the bits
// again is harmless, so this is one masked OR, with no branch.
constexpr Descriptor ForkedView(Descriptor d) {
  const uint64_t shared =
      ((~d.bits() >> kReadOnlyShift) | (d.bits() >> kCowShift)) & 1;
  return Descriptor(d.bits() | (kForkedBits & (0 - shared)));
}
static_assert(ForkedView(MakeWritable(Descriptor::Page(0))) ==
              ReadOnly(Descriptor::Page(0)).with_cow(true));
static_assert(ForkedView(ReadOnly(Descriptor::Page(0))) ==
              ReadOnly(Descriptor::Page(0)));

// Whether EL0 may execute the page (UXN clear): a copy of it must reach
// instruction fetch before the copy is mapped.
constexpr bool El0Executable(Descriptor d) { return !d.uxn(); }

// Makes a copied frame's bytes visible to instruction fetch when the page
// is EL0-executable: a page's bytes, or a level-2 block's.
template <Arch A>
void SyncIfExecutable(Kernel<A>& k, Descriptor d, PhysAddr copy) {
  if (El0Executable(d)) {
    k.arch().SyncInstructions(
        k.pool().Bytes(copy),
        d.IsBlock(2) ? k.regime().level_bytes(2) : k.regime().granule_bytes());
  }
}

// Completes this PE's stores to tables, so walks observe them: without a
// DSB (and FEAT_ETS2 is not assumed) a walk, even on this PE, may still
// read a table as it was, and a fork's child could take a Translation
// fault on its first access that the strategy would deliver as real. A
// fork that ends with a maintenance sequence has published already.
template <Arch A>
void PublishTableStores(Kernel<A>& k) {
  k.arch().Dsb(StoreBarrier(k.shareability()));
}

// Invalidates every TLB of every CPU: after an ASID rollover, ASIDs are
// reused, so no entry may survive.
template <Arch A>
void InvalidateAllTlbs(Kernel<A>& k) {
  A& arch = k.arch();
  MaintenanceSequence(arch, Shareability::kInner,
                      [&] { InvalidateAll(arch, Shareability::kInner); });
}

// Refreshes `p`'s ASID from the allocator, flushing on a rollover.
template <Arch A>
void RefreshAsid(Kernel<A>& k, Process& p) {
  if (k.asids().Refresh(p, [&](auto&& fn) { k.ForEachRunning(fn); })) {
    InvalidateAllTlbs(k);
  }
}

template <Arch A>
Status CreateTaggedSpace(Kernel<A>& k, Process& p) {
  const Status s = k.InitSpace(p, 0);
  if (s == Status::kOk) RefreshAsid(k, p);
  return s;
}

// Tagged context switch: TTBR0 carries the ASID, so entries of other
// processes stay in the TLB unreachable (Arm ARM D8.13: a TLB lookup
// matches only global entries and those of the current ASID).
template <Arch A>
void SwitchTagged(Kernel<A>& k, Process& p) {
  RefreshAsid(k, p);
  k.arch().SwitchTtbr0(p.space.root(), p.space.asid());
  k.arch().Isb();
}

// The two passes of ForkTable that write a whole child table, with
// __restrict on distinct tables so they vectorise without overlap checks.
// The parameters scope that promise to the loops: ForkTable's callback
// may read the parent's table through other pointers.
//
// The forked view of a table of writable pages (one OR), and whether it
// is a UniformLeafTable, found in the same pass.
inline bool WriteWritableView(const Descriptor* __restrict from,
                              Descriptor* __restrict to, unsigned count,
                              unsigned frame_shift) {
  UniformRun run(from[0], frame_shift);
  // GCC leaves this loop rolled; unrolled (with ShareRun's, which has
  // since gone to counting by group), fork/lazy_cow/dense/1024MiB went
  // from 153-162 us to 127-131 us.
#pragma GCC unroll 8
  for (unsigned i = 0; i < count; ++i) {
    run.Add(from[i]);
    to[i] = Descriptor(from[i].bits() | kForkedBits);
  }
  return run.uniform();
}
// The forked view of any table; invalid entries stay invalid (zero)
// through a mask rather than a branch. Returns how many pages were
// writable (64-bit, as the descriptors: no narrowing).
inline uint64_t WriteForkedView(const Descriptor* __restrict from,
                                Descriptor* __restrict to, unsigned count) {
  uint64_t writable = 0;
  for (unsigned i = 0; i < count; ++i) {
    const uint64_t valid_mask = 0 - (from[i].bits() & 1);
    to[i] = Descriptor(ForkedView(from[i]).bits() & valid_mask);
    writable += WritablePageBit(from[i]);
  }
  return writable;
}

// Fork's work on one last-level table: the child's new table gets every
// valid page of the parent's in the forked view, and the parent's writable
// pages take that view too (read-only CoW); `on_protected(va, pages)` is
// told of each run of parent pages so changed, after the table is written.
// Returns whether the child's table is a UniformLeafTable.
template <typename Fn>
bool ForkTable(const TableToFill& t, unsigned frame_shift, Fn&& on_protected) {
  Descriptor* const from = t.from;
  Descriptor* const to = t.to;
  // Most tables are as one Map filled them: every page valid and writable
  // over consecutive frames. The pass that writes their view tells whether
  // this is such a table; the parent's then copies it.
  if (from[0].valid() && Writable(from[0]) &&
      WriteWritableView(from, to, t.count, frame_shift)) {
    __builtin_memcpy(from, to, t.count * sizeof(Descriptor));
    on_protected(t.va, t.count);
    return true;
  }
  // Every entry of `to` is written again, over whatever the pass above
  // left.
  if (WriteForkedView(from, to, t.count) != 0) {
    const uint64_t page = uint64_t{1} << frame_shift;
    unsigned run = 0;  // Writable pages just before entry i.
    for (unsigned i = 0; i < t.count; ++i) {
      if (WritablePageBit(from[i]) != 0) {
        from[i] = to[i];
        ++run;
      } else if (run != 0) {
        on_protected(t.va + (i - run) * page, run);
        run = 0;
      }
    }
    if (run != 0) on_protected(t.va + (t.count - run) * page, run);
  }
  // A table forked before is uniform again once read-only and CoW.
  return UniformLeafTable(to, t.count, frame_shift);
}

// Fork's work on one block the walk hands over: one more reference to
// it, the child's entry gets the block in the forked view, and a writable
// parent's entry takes that view too (a descriptor written, counted).
// Returns whether the parent's changed.
inline bool ForkBlock(FramePool& pool, Descriptor& from, Descriptor& to) {
  pool.ShareBlock(from.output_address());
  to = ForkedView(from);
  if (!Writable(from)) return false;
  from = to;
  pool.CountTableAccesses(0, 1);
  return true;
}

// Replaces the valid descriptor at `entry` with `replacement`, which has
// another output address: Arm ARM D8.14.1 ("break-before-make") requires
// the invalid descriptor, and its TLBI completed, before the new one.
template <Arch A>
void BreakBeforeMake(A& arch, Shareability sh, Asid asid, VirtAddr page,
                     Descriptor* entry, Descriptor replacement) {
  *entry = Descriptor::Invalid();
  MaintenanceSequence(arch, sh,
                      [&] { InvalidateVa(arch, asid, page, true, sh); });
  *entry = replacement;
  // Publish the new descriptor to the walker before returning.
  arch.Dsb(StoreBarrier(sh));
  arch.Isb();
}

// A write fault on an entry that is writable already: this CPU hit a
// read-only entry it cached before the page or block was broken
// (elsewhere). Drops it locally; the access retries.
template <Arch A>
FaultOutcome DropStaleEntry(Kernel<A>& k, Asid asid, VirtAddr va) {
  A& arch = k.arch();
  MaintenanceSequence(arch, Shareability::kLocal, [&] {
    InvalidateVa(arch, asid, va, true, Shareability::kLocal);
  });
  return FaultOutcome::kHandled;
}

// The CoW fault handler: a write to a CoW page copies the frame, or takes
// it over when no one else shares it any more. `Remap` installs the copy,
// `Unfold` splits a contiguous run first and `BreakRun` copies one whole,
// `Split` splits a block and `BreakBlock` copies one whole, and
// `UnfoldBlocks` takes a block out of its level-2 contiguous run before
// either; the tests give broken ones to show the checker catches them.
template <Arch A, auto Remap = BreakBeforeMake<A>, auto Unfold = UnfoldRun<A>,
          auto BreakRun = BreakWholeRun<A>, auto Split = SplitBlock<A>,
          auto BreakBlock = BreakWholeBlock<A>,
          auto UnfoldBlocks = UnfoldBlockRun<A>>
FaultOutcome HandleCowFault(Kernel<A>& k, Process& p, VirtAddr va, Fault fault,
                            Access access) {
  if (fault.kind != FaultKind::kPermission || access != Access::kWrite) {
    return FaultOutcome::kNotHandled;
  }
  if (const Descriptor* block = p.space.BlockAt(va)) {
    if (!block->cow()) {
      return Writable(*block) ? DropStaleEntry(k, p.space.asid(), va)
                              : FaultOutcome::kNotHandled;
    }
    // A block changes only alone: its run, if any, is unfolded first.
    // Then the whole block, when the kernel copies whole mappings and the
    // pool has a block; otherwise it becomes a table of pages first, as
    // Linux splits a PMD-mapped THP on a CoW fault, and only the page
    // written is broken.
    UnfoldBlocks(k, p.space, va);
    const Descriptor whole = MakeWritable(*block).with_cow(false);
    if (k.cow_copies_runs() &&
        BreakBlock(k, p.space, va, whole) == Status::kOk) {
      return FaultOutcome::kHandled;
    }
    if (Split(k, p.space, va) != Status::kOk) return FaultOutcome::kNoMemory;
  }
  const Result<Descriptor*> slot = p.space.Slot(va);
  if (!slot.ok() || !slot.value()->valid()) return FaultOutcome::kNotHandled;
  Descriptor* entry = slot.value();
  if (entry->cow() && entry->contiguous()) {
    // The whole run, when the kernel copies runs and the pool has one;
    // otherwise the run becomes single pages first, as Linux unfolds a
    // contpte block, and only the page written is broken.
    const Descriptor whole = MakeWritable(*entry).with_cow(false);
    if (k.cow_copies_runs() && BreakRun(k, p.space, va, whole) == Status::kOk) {
      return FaultOutcome::kHandled;
    }
    Unfold(k, p.space, va);
  }
  const Descriptor d = *entry;
  const VirtAddr page = k.regime().page_base(va);
  const Asid asid = p.space.asid();
  A& arch = k.arch();
  const Shareability sh = k.shareability();

  if (!WritableOrCow(d)) return FaultOutcome::kNotHandled;
  if (!d.cow()) return DropStaleEntry(k, asid, page);

  const PhysAddr frame = d.output_address();
  const Descriptor writable = MakeWritable(d).with_cow(false);
  if (k.pool().RefCount(frame) == 1) {
    // Last sharer: same output address, so only the permission changes and
    // no break-before-make is needed; the cached read-only entries go.
    *entry = writable;
    MaintenanceSequence(arch, sh,
                        [&] { InvalidateVa(arch, asid, page, true, sh); });
    return FaultOutcome::kHandled;
  }
  const Result<PhysAddr> copy = k.pool().Copy(frame);
  if (!copy.ok()) return FaultOutcome::kNoMemory;
  SyncIfExecutable(k, d, copy.value());
  Remap(arch, sh, asid, page, entry,
        writable.with_output_address(copy.value()));
  k.pool().Release(frame);
  return FaultOutcome::kHandled;
}

// The lazy copy-on-write strategies: fork shares every frame into the
// child and write-protects the parent, as the walk hands over the parent's
// entries (a whole last-level table at a time, or one page); the first
// write copies. They differ only in what they do about the parent's cached
// writable entries, and in the ASID policy.
template <Arch A>
class LazyCowBase : public Strategy<A> {
 public:
  Status CreateSpace(Kernel<A>& k, Process& p) override {
    return CreateTaggedSpace(k, p);
  }
  Status Fork(Kernel<A>& k, Process& parent, Process& child) final {
    if (const Status s = this->CreateSpace(k, child); s != Status::kOk) {
      return s;
    }
    // ForkFrom allocates every table before it shares a page, so a
    // failure leaves the parent as it was and only the child to release.
    Sharer sharer(k, parent, *this);
    const Status s =
        child.space.ForkFrom(parent.space, k.walk(), ForkUnit::kPages, sharer);
    if (s != Status::kOk) {
      child.space.Release();
      return s;
    }
    AfterWriteProtect(k, parent);
    return Status::kOk;
  }
  FaultOutcome OnFault(Kernel<A>& k, Process& p, VirtAddr va, Fault fault,
                       Access access) override {
    return HandleCowFault(k, p, va, fault, access);
  }
  void SwitchTo(Kernel<A>& k, Process& p) override { SwitchTagged(k, p); }

 protected:
  ~LazyCowBase() = default;
  // Told of each run of `pages` of the parent's pages from `va` just made
  // read-only, once the walk has written them. A block is told as its first
  // page: a TLBI by any VA a block covers removes the block's entry.
  virtual void OnWriteProtected(Kernel<A>&, Process&, VirtAddr, uint64_t) {}
  // Once every page is: when Fork returns, the parent's TLBs must no
  // longer use their old writable entries, and every table store must be
  // published (PublishTableStores).
  virtual void AfterWriteProtect(Kernel<A>&, Process&) = 0;

 private:
  // Shares each page and block the walk hands over into the child and
  // write-protects the parent's, counting the parent's entries changed.
  class Sharer final : public ForkVisitor {
   public:
    Sharer(Kernel<A>& k, Process& parent, LazyCowBase& strategy)
        : k_(k), parent_(parent), strategy_(strategy) {}
    void Leaves(const TableToFill& t) override {
      FramePool& pool = k_.pool();
      uint64_t protected_pages = 0;
      const bool uniform = ForkTable(
          t, k_.regime().granule_shift, [&](VirtAddr va, uint64_t pages) {
            protected_pages += pages;
            strategy_.OnWriteProtected(k_, parent_, va, pages);
          });
      // The references follow the child's entries, in cache once written.
      if (uniform) {
        pool.ShareRun(t.to[0].output_address(), t.count);
      } else {
        pool.ShareLeaves(t.to, t.count);
      }
      pool.CountTableAccesses(0, protected_pages);
    }
    void Block(VirtAddr va, Descriptor& from, Descriptor& to) override {
      if (ForkBlock(k_.pool(), from, to)) {
        strategy_.OnWriteProtected(k_, parent_, va, 1);
      }
    }

   private:
    Kernel<A>& k_;
    Process& parent_;
    LazyCowBase& strategy_;
  };
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_COW_H_
