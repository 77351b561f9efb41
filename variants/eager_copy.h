// eager_copy: fork copies every page (and builds every table) at once,
// making each EL0-executable copy visible to instruction fetch. The
// parent's translations never change, so fork needs no TLB maintenance, and
// no CoW fault follows. The child's fresh ASID has no cached entries: the
// allocator hands an ASID out once per generation.
#ifndef TTBENCH_VARIANTS_EAGER_COPY_H_
#define TTBENCH_VARIANTS_EAGER_COPY_H_

#include "variants/cow.h"

namespace ttb {

template <Arch A>
class EagerCopy final : public Strategy<A> {
 public:
  const char* name() const override { return "eager_copy"; }
  const char* summary() const override {
    return "copy every page at fork; parent translations never change, so "
           "no TLBI";
  }
  Status CreateSpace(Kernel<A>& k, Process& p) override {
    return CreateTaggedSpace(k, p);
  }
  Status Fork(Kernel<A>& k, Process& parent, Process& child) override {
    Status status = CreateSpace(k, child);
    if (status != Status::kOk) return status;
    parent.space.ForEachPage([&](VirtAddr va, Descriptor& d) {
      if (status != Status::kOk) return;
      const Result<PhysAddr> copy =
          child.space.MapCopy(va, d.output_address(), d);
      status = copy.status();
      if (copy.ok()) SyncIfExecutable(k, d, copy.value());
    });
    parent.space.ForEachBlock([&](VirtAddr va, Descriptor& d) {
      if (status != Status::kOk) return;
      status = child.space.MapBlockCopy(va, d.output_address(), d);
      if (status == Status::kOk) {
        SyncIfExecutable(k, d, child.space.BlockAt(va)->output_address());
      }
    });
    if (status != Status::kOk) {
      child.space.Release();
      return status;
    }
    PublishTableStores(k);
    return Status::kOk;
  }
  FaultOutcome OnFault(Kernel<A>&, Process&, VirtAddr, Fault, Access) override {
    return FaultOutcome::kNotHandled;  // Nothing is shared: faults are real.
  }
  void SwitchTo(Kernel<A>& k, Process& p) override { SwitchTagged(k, p); }
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_EAGER_COPY_H_
