// asid_tagged: lazy CoW whose fork invalidates nothing. The parent moves to
// a fresh ASID instead, so its old entries, still writable, can no longer
// match (Arm ARM D8.13: non-global entries match only the ASID in TTBR0).
// Every CPU running the parent reloads TTBR0 before fork returns. ASIDs come
// from the generation allocator; a rollover flushes every TLB.
#ifndef TTBENCH_VARIANTS_ASID_TAGGED_H_
#define TTBENCH_VARIANTS_ASID_TAGGED_H_

#include "variants/cow.h"

namespace ttb {

template <Arch A>
class AsidTagged final : public LazyCowBase<A> {
 public:
  const char* name() const override { return "asid_tagged"; }
  const char* summary() const override {
    return "lazy CoW; the parent takes a fresh ASID at fork instead of "
           "invalidating";
  }
  Status Attach(Kernel<A>& k) override {
    return k.asids().Init(static_cast<unsigned>(tunables_[0].value));
  }
  int tunable_count() const override { return 1; }
  Tunable* tunable(int) override { return &tunables_[0]; }

 protected:
  void AfterWriteProtect(Kernel<A>& k, Process& parent) override {
    A& arch = k.arch();
    // The read-only descriptors must be visible to walks under the new ASID.
    PublishTableStores(k);
    if (k.asids().Reassign(parent, [&](auto&& fn) { k.ForEachRunning(fn); })) {
      InvalidateAllTlbs(k);
    }
    arch.SwitchTtbr0(parent.space.root(), parent.space.asid());
    arch.Isb();
    k.ReloadOnOtherCpus(parent);
  }

 private:
  static constexpr int64_t kWidths[2] = {8, 16};
  Tunable tunables_[1] = {{"asid_bits", "ASID width (TCR_EL1.AS): 8 or 16 bits",
                           8, 16, 16, 16, kWidths, 2}};
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_ASID_TAGGED_H_
