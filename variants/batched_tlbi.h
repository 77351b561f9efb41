// batched_tlbi: lazy CoW whose fork collects the parent's invalidations and
// issues them together after one DSB ISHST: range TLBIs (RVALE1IS) where the
// core has FEAT_TLBIRANGE, one VALE1IS per page otherwise, and a single
// ASIDE1IS once that would take more than `max_tlbi_ops` operations, as
// Linux's __flush_tlb_range does past MAX_DVM_OPS (512). One DSB ISH then
// completes them all (Arm ARM D8.13: completion needs only one DSB after
// any number of TLBIs).
#ifndef TTBENCH_VARIANTS_BATCHED_TLBI_H_
#define TTBENCH_VARIANTS_BATCHED_TLBI_H_

#include "variants/cow.h"

namespace ttb {

template <Arch A>
class BatchedTlbi : public LazyCowBase<A> {
 public:
  constexpr BatchedTlbi() = default;
  const char* name() const override { return "batched_tlbi"; }
  const char* summary() const override {
    return "lazy CoW; fork's TLBIs batched behind one barrier pair, by range "
           "or one ASID flush";
  }
  int tunable_count() const override { return 1; }
  Tunable* tunable(int) override { return &max_tlbi_ops(); }

 protected:
  // A fixed limit: the strategy is a preset of this one, with no tunable.
  explicit constexpr BatchedTlbi(int64_t max_tlbi_ops)
      : tunables_{{"max_tlbi_ops", "", max_tlbi_ops, max_tlbi_ops, max_tlbi_ops,
                   max_tlbi_ops}} {}

  // Collects the runs, merging those that touch, while the TLBIs they
  // would take stay within the limit.
  void OnWriteProtected(Kernel<A>& k, Process&, VirtAddr va,
                        uint64_t pages) override {
    const auto limit = static_cast<uint64_t>(max_tlbi_ops().value);
    if (ops_ > limit) return;  // Already flushing the whole ASID.
    const bool range = k.arch().HasRangeTlbi();
    auto cost = [&](uint64_t n) {
      return range ? tlbi::RangeOperationCount(n) : n;
    };
    const uint64_t page_bytes = k.regime().granule_bytes();
    if (run_count_ > 0 &&
        runs_[run_count_ - 1].va + runs_[run_count_ - 1].pages * page_bytes ==
            va) {
      Run& run = runs_[run_count_ - 1];
      ops_ -= cost(run.pages);
      run.pages += pages;
      ops_ += cost(run.pages);
    } else if (run_count_ < kMaxRuns) {
      runs_[run_count_++] = Run{va, pages};
      ops_ += cost(pages);
    } else {
      ops_ = limit + 1;
    }
  }
  void AfterWriteProtect(Kernel<A>& k, Process& parent) override {
    const uint64_t ops = ops_;
    const uint64_t runs = run_count_;
    ops_ = 0;
    run_count_ = 0;
    if (ops == 0) {
      PublishTableStores(k);
      return;
    }
    A& arch = k.arch();
    const Shareability sh = k.shareability();
    const Asid asid = parent.space.asid();
    MaintenanceSequence(arch, sh, [&] {
      if (ops > static_cast<uint64_t>(max_tlbi_ops().value)) {
        InvalidateAsid(arch, asid, sh);
        return;
      }
      for (uint64_t i = 0; i < runs; ++i) {
        InvalidateRange(arch, asid, runs_[i].va, runs_[i].pages, true, sh,
                        k.regime().granule_shift);
      }
    });
  }

 private:
  static constexpr uint64_t kMaxRuns = 4096;
  struct Run {
    VirtAddr va;
    uint64_t pages;
  };
  Tunable& max_tlbi_ops() { return tunables_[0]; }

  Tunable tunables_[1] = {
      {"max_tlbi_ops",
       "TLBI operations a fork may issue before one ASIDE1IS replaces them", 1,
       static_cast<int64_t>(kMaxRuns), 512, 512}};
  // The fork in progress: its runs, and the TLBIs they would take.
  Run runs_[kMaxRuns] = {};
  uint64_t run_count_ = 0;
  uint64_t ops_ = 0;
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_BATCHED_TLBI_H_
