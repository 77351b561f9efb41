// async_fork: Async-fork (Pang et al., VLDB 2023) on AArch64. The parent's
// fork copies only the levels above the last-level tables: as in
// shared_tables, the child's level-2 entries point at the parent's tables,
// both sides' entries get APTable[1] (Arm ARM D8.4.2) and one ASIDE1IS
// drops the parent's cached writable entries. The child then copies those
// tables in the background, one level-2 region per step on its own CPU,
// making the writable pages CoW on both sides, and hands each table back:
// the parent's entry loses APTable[1], and one non-last-level TLBI by VA
// removes the walk-cache entry that still carries it (D8.13: a walk may
// keep using a cached table descriptor until invalidated), so the parent's
// walks see the relaxed entry. A parent write or edit in a region the child
// has not reached copies that table itself first (shared_tables' fault:
// Async-fork's proactive synchronisation), and so does the child's.
#ifndef TTBENCH_VARIANTS_ASYNC_FORK_H_
#define TTBENCH_VARIANTS_ASYNC_FORK_H_

#include "variants/shared_tables.h"

namespace ttb {

template <Arch A>
class AsyncFork : public SharedTables<A> {
 public:
  const char* name() const override { return "async_fork"; }
  const char* summary() const override {
    return "fork shares last-level tables as shared_tables; the child "
           "copies them on its own CPU and hands each back to the parent";
  }
  // A process forks with its own tables and its previous child's copy
  // complete (Process::copying_from and copied_by hold one pair each), at
  // the forking CPU's expense.
  Status Fork(Kernel<A>& k, Process& parent, Process& child) override {
    if (const Status s = CopyAll(k, parent); s != Status::kOk) return s;
    if (parent.copied_by != nullptr) {
      if (const Status s = CopyAll(k, *parent.copied_by); s != Status::kOk) {
        return s;
      }
    }
    const Status s = SharedTables<A>::Fork(k, parent, child);
    if (s == Status::kOk) {
      child.copying_from = &parent;
      child.copy_resume_va = 0;
      parent.copied_by = &child;
    }
    return s;
  }
  // The next table `p` still shares with its parent, in VA order. A child
  // whose parent has exited has nothing to hand back: a write reclaims
  // each table it still shares, as in shared_tables.
  BackgroundStep Background(Kernel<A>& k, Process& p) override {
    if (p.copying_from == nullptr) return BackgroundStep::kIdle;
    const Result<VirtAddr> next = p.space.NextSharedLeafTable(p.copy_resume_va);
    if (!next.ok()) {
      LeaveParent(p);
      return BackgroundStep::kIdle;
    }
    const VirtAddr region = next.value();
    if (this->Unshare(k, p, region) != Status::kOk) {
      return BackgroundStep::kNoMemory;
    }
    p.copy_resume_va = region + k.regime().level_bytes(2);
    HandBack(k, *p.copying_from, region);
    return BackgroundStep::kDone;
  }
  void Release(Kernel<A>&, Process& p) override {
    LeaveParent(p);
    if (p.copied_by != nullptr) {
      p.copied_by->copying_from = nullptr;
      p.copied_by = nullptr;
    }
    p.space.Release();
  }

 protected:
  // The parent's entry for `region` once the child has its own table: the
  // parent's again if no one else shares it. Its pages are CoW already,
  // and the DSB of the child's maintenance published them.
  virtual void HandBack(Kernel<A>& k, Process& parent, VirtAddr region) {
    A& arch = k.arch();
    const Shareability sh = k.shareability();
    parent.space.ReclaimLeafTable(region, [&](VirtAddr r) {
      MaintenanceSequence(arch, sh, [&] {
        InvalidateVa(arch, parent.space.asid(), r, /*last_level=*/false, sh);
      });
    });
  }

 private:
  Status CopyAll(Kernel<A>& k, Process& p) {
    for (;;) {
      switch (Background(k, p)) {
        case BackgroundStep::kIdle:
          return Status::kOk;
        case BackgroundStep::kNoMemory:
          return Status::kNoMemory;
        case BackgroundStep::kDone:
          break;
      }
    }
  }
  static void LeaveParent(Process& p) {
    if (p.copying_from == nullptr) return;
    p.copying_from->copied_by = nullptr;
    p.copying_from = nullptr;
  }
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_ASYNC_FORK_H_
