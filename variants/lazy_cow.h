// lazy_cow: the seed kernel's fork with its bugs fixed. Frames are shared
// and writable pages become read-only CoW in both spaces; each parent page
// made read-only is invalidated as soon as the walk has written it (with
// its whole table, under whole_table): TLBI VALE1IS with VA>>12 and the
// ASID, inside DSB ISHST ... DSB ISH; ISB, because the parent's TLBs may
// hold its writable entry (Arm ARM D8.13: a change of permissions needs the
// old entry invalidated before it is relied on). The first write copies
// the frame with break-before-make, or takes it over when no one shares it.
#ifndef TTBENCH_VARIANTS_LAZY_COW_H_
#define TTBENCH_VARIANTS_LAZY_COW_H_

#include "variants/cow.h"

namespace ttb {

template <Arch A>
class LazyCow : public LazyCowBase<A> {
 public:
  const char* name() const override { return "lazy_cow"; }
  const char* summary() const override {
    return "share frames, write-protect the parent with one TLBI per page; "
           "copy on first write";
  }

 protected:
  // One maintenance sequence per page just made read-only.
  void OnWriteProtected(Kernel<A>& k, Process& parent, VirtAddr va,
                        uint64_t pages) override {
    InvalidateEachPage(k.arch(), k.shareability(), parent.space.asid(), va,
                       pages, k.regime().granule_shift);
  }
  // The tables written after the last page's sequence (those with no
  // writable page) are not published yet.
  void AfterWriteProtect(Kernel<A>& k, Process&) override {
    PublishTableStores(k);
  }
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_LAZY_COW_H_
