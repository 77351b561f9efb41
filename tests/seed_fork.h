// A faithful copy of the seed kernel's fork and CoW fault
// (../shared/seed/000_2be856942e563cb0.txt), as a strategy, with each of
// its bugs a flag so a test can show the suite names every one alone:
// - its TLBI operand is the raw VA, not VA >> 12 with the ASID;
// - its TLBI has no DSB before or after, and no ISB;
// - its CoW break rewrites the output address in place, with no
//   break-before-make;
// - a failed allocation mid-fork returns, leaking the half-built child;
// - its top-level index is `va >> 30`, unmasked.
// It walks from the root for every page, as the seed does; that costs time,
// not correctness, and is the table-walk issue's to measure.
#ifndef TTBENCH_TESTS_SEED_FORK_H_
#define TTBENCH_TESTS_SEED_FORK_H_

#include "engine/sim/sim_arch.h"
#include "variants/cow.h"

namespace ttb::testing {

enum SeedBug : unsigned {
  kRawVaOperand = 1 << 0,
  kNoBarriers = 1 << 1,
  kNoBreakBeforeMake = 1 << 2,
  kNoRollback = 1 << 3,
  kUnmaskedTopIndex = 1 << 4,
  kEverySeedBug = (1 << 5) - 1,
};

// The seed's `map`: one page, walking from the root and making tables as
// it goes. Unless the bug is on, a VA outside the regime is refused and
// the top-level index masked to the table.
inline Status SeedMap(FramePool& pool, const Regime& regime, PhysAddr root,
                      VirtAddr va, Descriptor page, unsigned bugs) {
  if ((bugs & kUnmaskedTopIndex) == 0 && !regime.contains(va)) {
    return Status::kOutOfRange;
  }
  PhysAddr table = root;
  for (int level = regime.start_level(); level < 3; ++level) {
    const uint64_t index =
        level == regime.start_level() && (bugs & kUnmaskedTopIndex) != 0
            ? va >> regime.level_shift(level)
            : regime.index(va, level);
    Descriptor* entry = pool.Descriptors(table) + index;
    if (!entry->valid()) {
      const Result<PhysAddr> next = pool.Allocate(FrameUse::kTable);
      if (!next.ok()) return next.status();
      *entry = Descriptor::Table(next.value());
    }
    table = entry->output_address();
  }
  Descriptor* leaf = pool.Descriptors(table) + regime.index(va, 3);
  if (leaf->valid()) return Status::kAlreadyMapped;
  *leaf = page;
  return Status::kOk;
}

// The seed's TLBI after making a parent page CoW: TLBI VAAE1 (every ASID),
// local, as it issues it, unless the bugs are off.
inline void SeedInvalidate(Kernel<sim::SimArch>& k, VirtAddr va,
                           unsigned bugs) {
  sim::SimArch& arch = k.arch();
  const Shareability sh = k.shareability();
  const uint64_t operand =
      (bugs & kRawVaOperand) != 0 ? va : tlbi::VaOperand(va, 0);
  if ((bugs & kNoBarriers) != 0) {
    arch.Tlbi(tlbi::Op::kVaae1, sh, operand);
    return;
  }
  MaintenanceSequence(arch, sh,
                      [&] { arch.Tlbi(tlbi::Op::kVaae1, sh, operand); });
}

// The seed's CoW break: the new output address written over the old one,
// then the TLBI.
inline void SeedRemapInPlace(sim::SimArch& arch, Shareability sh, Asid asid,
                             VirtAddr page, Descriptor* entry,
                             Descriptor replacement) {
  *entry = replacement;
  MaintenanceSequence(arch, sh,
                      [&] { InvalidateVa(arch, asid, page, true, sh); });
}

template <unsigned Bugs>
class SeedFork final : public Strategy<sim::SimArch> {
 public:
  const char* name() const override { return "seed_fork"; }
  const char* summary() const override {
    return "the seed kernel's fork and CoW fault, bugs included";
  }
  Status CreateSpace(Kernel<sim::SimArch>& k, Process& p) override {
    return CreateTaggedSpace(k, p);
  }
  Status Fork(Kernel<sim::SimArch>& k, Process& parent,
              Process& child) override {
    if (const Status s = CreateSpace(k, child); s != Status::kOk) return s;
    Status status = Status::kOk;
    parent.space.ForEachPage([&](VirtAddr va, Descriptor& d) {
      if (status != Status::kOk) return;
      // fork_page: one more reference to the shared frame.
      k.pool().ShareLeaves(&d, 1);
      if (Writable(d)) {
        d = ReadOnly(d).with_cow(true);
        SeedInvalidate(k, va, Bugs);
      }
      status = SeedMap(k.pool(), k.regime(), child.space.root(), va, d, Bugs);
      // The seed returns here with `?`: the child, its tables and the
      // reference just taken stay.
      if (status != Status::kOk && (Bugs & kNoRollback) == 0) {
        k.pool().Release(d.output_address());
      }
    });
    if (status != Status::kOk) {
      // Undone, only the parent's pages stay CoW, which a write resolves.
      if ((Bugs & kNoRollback) == 0) child.space.Release();
      return status;
    }
    PublishTableStores(k);
    return Status::kOk;
  }
  FaultOutcome OnFault(Kernel<sim::SimArch>& k, Process& p, VirtAddr va,
                       Fault fault, Access access) override {
    if constexpr ((Bugs & kNoBreakBeforeMake) != 0) {
      return HandleCowFault<sim::SimArch, SeedRemapInPlace>(k, p, va, fault,
                                                            access);
    } else {
      return HandleCowFault(k, p, va, fault, access);
    }
  }
  void SwitchTo(Kernel<sim::SimArch>& k, Process& p) override {
    SwitchTagged(k, p);
  }
};

}  // namespace ttb::testing

#endif  // TTBENCH_TESTS_SEED_FORK_H_
