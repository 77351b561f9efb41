// shared_tables: fork shares the parent's last-level tables instead of their
// pages, as On-Demand-Fork (Zhao et al., EuroSys 2021) does for Linux: the
// child's level-2 entries point at the parent's level-3 tables, and both
// sides' entries get APTable[1] (no write at any EL below them, Arm ARM
// D8.4.2) and a software mark. Fork work is per 2 MiB, not per page. The
// parent's cached writable entries go with one ASIDE1IS, since the APTable
// change reaches every page below (D8.13). A write under a shared table
// faults; the handler gives the space its own copy of the table (its pages
// in the forked view, one more reference each) with break-before-make on
// the level-2 entry (D8.14.1): invalid, TLBI of the 2 MiB region and its
// walks (RVAE1IS with FEAT_TLBIRANGE, else ASIDE1IS, as Linux does past
// MAX_DVM_OPS), then the new entry. The write retries into an ordinary CoW
// fault, so each fault either completes or changes nothing.
#ifndef TTBENCH_VARIANTS_SHARED_TABLES_H_
#define TTBENCH_VARIANTS_SHARED_TABLES_H_

#include "variants/cow.h"

namespace ttb {

// shared_tables' fork where a walk pairs the parent's level-2 entries with
// the child's: the child's entry points at the parent's last-level table,
// both marked SharedLeafTable. Blocks are shared as lazy CoW shares them;
// the fork's ASID flush covers their cached writable entries too.
class LeafTableSharer final : public ForkVisitor {
 public:
  explicit LeafTableSharer(FramePool& pool) : pool_(pool) {}
  void Leaves(const TableToFill&) override {}  // No pages are paired.
  void LeafTable(VirtAddr, Descriptor& from, Descriptor& to) override {
    pool_.ShareLeaves(&from, 1);  // The table, not its pages.
    from = SharedLeafTable(from);
    to = from;
    pool_.CountTableAccesses(0, 1);
  }
  void Block(VirtAddr, Descriptor& from, Descriptor& to) override {
    ForkBlock(pool_, from, to);
  }

 private:
  FramePool& pool_;
};

template <Arch A>
class SharedTables : public Strategy<A> {
 public:
  const char* name() const override { return "shared_tables"; }
  const char* summary() const override {
    return "share last-level tables read-only (APTable), one ASIDE1IS; "
           "copy a table on its first write, then its pages on theirs";
  }
  Status CreateSpace(Kernel<A>& k, Process& p) override {
    return CreateTaggedSpace(k, p);
  }
  Status Fork(Kernel<A>& k, Process& parent, Process& child) override {
    if (const Status s = CreateSpace(k, child); s != Status::kOk) return s;
    // Only the levels above the last-level tables are allocated, all
    // before the walk marks any of the parent's entries.
    LeafTableSharer sharer(k.pool());
    if (const Status s = child.space.ForkFrom(parent.space, k.walk(),
                                              ForkUnit::kLeafTables, sharer);
        s != Status::kOk) {
      child.space.Release();
      return s;
    }
    AfterMarkingParent(k, parent);
    return Status::kOk;
  }
  FaultOutcome OnFault(Kernel<A>& k, Process& p, VirtAddr va, Fault fault,
                       Access access) override {
    if (fault.kind == FaultKind::kPermission && access == Access::kWrite &&
        p.space.InSharedLeafTable(va) && MayBecomeWritable(p, va)) {
      return Unshare(k, p, va) == Status::kOk ? FaultOutcome::kHandled
                                              : FaultOutcome::kNoMemory;
    }
    return HandleCowFault(k, p, va, fault, access);
  }
  Status BeforeEdit(Kernel<A>& k, Process& p, VirtAddr va,
                    uint64_t pages) override {
    return p.space.ForEachSharedLeafTable(
        va, pages, [&](VirtAddr region) { return Unshare(k, p, region); });
  }
  void SwitchTo(Kernel<A>& k, Process& p) override { SwitchTagged(k, p); }

 protected:
  // The parent's cached entries predate its read-only APTable: all go.
  virtual void AfterMarkingParent(Kernel<A>& k, Process& parent) {
    A& arch = k.arch();
    const Shareability sh = k.shareability();
    MaintenanceSequence(arch, sh,
                        [&] { InvalidateAsid(arch, parent.space.asid(), sh); });
  }
  // The TLBIs for a region whose level-2 entry changed: its leaf entries
  // and the walks through that entry, so non-last-level forms (Arm ARM
  // D8.13: a last-level TLBI may leave the walk cache's table entries).
  virtual void InvalidateRegion(Kernel<A>& k, Asid asid, VirtAddr region) {
    A& arch = k.arch();
    const Shareability sh = k.shareability();
    if (arch.HasRangeTlbi()) {
      InvalidateRange(arch, asid, region, RegionPages(k), false, sh,
                      k.regime().granule_shift);
    } else {
      InvalidateAsid(arch, asid, sh);
    }
  }
  static uint64_t RegionPages(Kernel<A>& k) {
    return k.regime().level_bytes(2) >> k.regime().granule_shift;
  }

  // Makes the shared table covering `va` p's own (a copy, or the same
  // table when p is its last sharer).
  Status Unshare(Kernel<A>& k, Process& p, VirtAddr va) {
    A& arch = k.arch();
    const Shareability sh = k.shareability();
    const Status s = p.space.UnshareLeafTable(
        va, [](Descriptor d) { return ForkedView(d); },
        [&](VirtAddr region) {
          MaintenanceSequence(
              arch, sh, [&] { InvalidateRegion(k, p.space.asid(), region); });
        });
    if (s != Status::kOk) return s;
    // Publish the new entry to the walker before the access retries.
    arch.Dsb(StoreBarrier(sh));
    arch.Isb();
    return Status::kOk;
  }

 private:
  // No table is copied for a write the process is not allowed.
  static bool MayBecomeWritable(Process& p, VirtAddr va) {
    const Result<Descriptor*> slot = p.space.Slot(va);
    return slot.ok() && slot.value()->valid() && WritableOrCow(*slot.value());
  }
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_SHARED_TABLES_H_
