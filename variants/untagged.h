// untagged: the baseline without ASIDs. Every process runs with ASID 0, so
// a context switch must invalidate the whole TLB (VMALLE1) or the next
// process would hit the previous one's entries. Fork write-protects the
// parent lazily and, with no ASID to target, flushes everything once
// (VMALLE1IS).
#ifndef TTBENCH_VARIANTS_UNTAGGED_H_
#define TTBENCH_VARIANTS_UNTAGGED_H_

#include "variants/cow.h"

namespace ttb {

template <Arch A>
class Untagged : public LazyCowBase<A> {
 public:
  const char* name() const override { return "untagged"; }
  const char* summary() const override {
    return "no ASIDs: VMALLE1 on every context switch, VMALLE1IS at fork";
  }
  Status CreateSpace(Kernel<A>& k, Process& p) override {
    return k.InitSpace(p, 0);
  }
  // The ISB makes the new TTBR0 the one walks use before the flush: until
  // a context synchronisation event the PE may still walk the previous
  // process's tables, and an entry it caches so under ASID 0 after the
  // flush would be the next process's to hit. Kernels write TTBR0 and then
  // ISB (Linux's cpu_do_switch_mm, Zephyr's z_arm64_set_ttbr0), and Linux
  // flushes at a rollover only with TTBR0 on its empty reserved table.
  void SwitchTo(Kernel<A>& k, Process& p) override {
    A& arch = k.arch();
    arch.SwitchTtbr0(p.space.root(), 0);
    arch.Isb();
    MaintenanceSequence(arch, Shareability::kLocal,
                        [&] { InvalidateAll(arch, Shareability::kLocal); });
  }

 protected:
  void OnWriteProtected(Kernel<A>&, Process&, VirtAddr, uint64_t) override {
    protected_any_ = true;
  }
  void AfterWriteProtect(Kernel<A>& k, Process&) override {
    if (!protected_any_) {
      PublishTableStores(k);
      return;
    }
    protected_any_ = false;
    A& arch = k.arch();
    const Shareability sh = k.shareability();
    MaintenanceSequence(arch, sh, [&] { InvalidateAll(arch, sh); });
  }

 private:
  bool protected_any_ = false;  // By the fork in progress.
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_UNTAGGED_H_
