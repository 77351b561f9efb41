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
    if (const Status s = CreateSpace(k, child); s != Status::kOk) return s;
    Copier copier(k);
    Status s =
        child.space.ForkFrom(parent.space, k.walk(), ForkUnit::kPages, copier);
    if (s == Status::kOk) s = copier.status();
    if (s != Status::kOk) {
      child.space.Release();
      return s;
    }
    PublishTableStores(k);
    return Status::kOk;
  }
  FaultOutcome OnFault(Kernel<A>&, Process&, VirtAddr, Fault, Access) override {
    return FaultOutcome::kNotHandled;  // Nothing is shared: faults are real.
  }
  void SwitchTo(Kernel<A>& k, Process& p) override { SwitchTagged(k, p); }

 private:
  // Gives the child a copy of each page and block the walk hands over;
  // after the pool runs out, the rest of the child's slots stay invalid
  // and status() says why.
  class Copier final : public ForkVisitor {
   public:
    explicit Copier(Kernel<A>& k) : k_(k) {}
    Status status() const { return status_; }
    void Leaves(const TableToFill& t) override {
      for (unsigned i = 0; i < t.count; ++i) {
        const Descriptor d = t.from[i];
        Descriptor copy_entry = Descriptor::Invalid();
        if (d.valid() && status_ == Status::kOk) {
          const Result<PhysAddr> copy = k_.pool().Copy(d.output_address());
          status_ = copy.status();
          if (copy.ok()) {
            SyncIfExecutable(k_, d, copy.value());
            // One frame is a single page, whatever run it came from.
            copy_entry =
                d.with_output_address(copy.value()).with_contiguous(false);
          }
        }
        t.to[i] = copy_entry;
      }
    }
    void Block(VirtAddr, Descriptor& from, Descriptor& to) override {
      if (status_ != Status::kOk) return;
      const Result<PhysAddr> copy = k_.pool().CopyBlock(from.output_address());
      status_ = copy.status();
      if (!copy.ok()) return;
      SyncIfExecutable(k_, from, copy.value());
      // The copy is a block alone: its neighbours' copies are not
      // consecutive.
      to = from.with_output_address(copy.value()).with_contiguous(false);
    }

   private:
    Kernel<A>& k_;
    Status status_ = Status::kOk;
  };
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_EAGER_COPY_H_
