// linux_fork: the reference a kernel engineer compares against. arm64
// Linux's fork (dup_mmap in kernel/fork.c) write-protects the parent's
// PTEs without a TLBI each and ends with one flush_tlb_mm(oldmm): DSB
// ISHST, TLBI ASIDE1IS, DSB ISH (arch/arm64/include/asm/tlbflush.h). Each
// CoW fault later invalidates its own page (ptep_clear_flush). That is
// batched_tlbi with max_tlbi_ops fixed at 0.
#ifndef TTBENCH_VARIANTS_LINUX_FORK_H_
#define TTBENCH_VARIANTS_LINUX_FORK_H_

#include "engine/names.h"
#include "variants/batched_tlbi.h"

namespace ttb {

template <Arch A>
class LinuxFork final : public BatchedTlbi<A> {
 public:
  constexpr LinuxFork() : BatchedTlbi<A>(0) {}
  const char* name() const override { return kLinuxReference; }
  const char* summary() const override {
    return "the reference: arm64 Linux's fork, one ASIDE1IS after "
           "write-protecting (batched_tlbi with max_tlbi_ops 0)";
  }
  int tunable_count() const override { return 0; }
};

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_LINUX_FORK_H_
