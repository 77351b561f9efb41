// Broken copies of the ordering rules the strategies rely on, each caught
// with a reason that names the rule: TLBIs the checker treats as pending
// until a DSB completes them, speculative walks that refill what a
// misplaced TLBI or a missing ISB lets through, and frames freed while a
// TLB may still reach them. The same copies fail the differential harness.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker_scenario.h"
#include "program.h"
#include "variants/lazy_cow.h"
#include "variants/shared_tables.h"
#include "variants/untagged.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

// The seed's fork: one TLBI per page made read-only, with no barrier at
// all, so none is ever completed.
class LazyCowWithoutBarriers final : public LazyCow<SimArch> {
 protected:
  void OnWriteProtected(Kernel<SimArch>& k, Process& parent, VirtAddr va,
                        uint64_t pages) override {
    for (uint64_t i = 0; i < pages; ++i) {
      InvalidateVa(k.arch(), parent.space.asid(),
                   va + (i << k.regime().granule_shift), true,
                   k.shareability());
    }
  }
};

// DSB ST and ISB around the TLBIs, but no DSB to complete them.
class LazyCowWithoutDsbAfterTlbi final : public LazyCow<SimArch> {
 protected:
  void OnWriteProtected(Kernel<SimArch>& k, Process& parent, VirtAddr va,
                        uint64_t pages) override {
    SimArch& arch = k.arch();
    arch.Dsb(Barrier::kIshSt);
    for (uint64_t i = 0; i < pages; ++i) {
      InvalidateVa(arch, parent.space.asid(),
                   va + (i << k.regime().granule_shift), true,
                   k.shareability());
    }
    arch.Isb();
  }
};

// Break-before-make with no DSB between the invalid descriptor and the
// TLBI: a walk after the TLBI may still read the old descriptor.
void RemapWithoutDsbBeforeTlbi(SimArch& arch, Shareability sh, Asid asid,
                               VirtAddr page, Descriptor* entry,
                               Descriptor replacement) {
  *entry = Descriptor::Invalid();
  InvalidateVa(arch, asid, page, true, sh);
  arch.Dsb(CompletionBarrier(sh));
  arch.Isb();
  *entry = replacement;
  arch.Dsb(StoreBarrier(sh));
  arch.Isb();
}
using LazyCowWithoutDsbBeforeTlbi = LazyCowWithRemap<RemapWithoutDsbBeforeTlbi>;

// Break-before-make whose TLBI reaches this CPU only.
void RemapWithLocalTlbi(SimArch& arch, Shareability, Asid asid, VirtAddr page,
                        Descriptor* entry, Descriptor replacement) {
  BreakBeforeMake(arch, Shareability::kLocal, asid, page, entry, replacement);
}
using LazyCowWithLocalBreak = LazyCowWithRemap<RemapWithLocalTlbi>;

// Forks without the DSB that publishes the tables no maintenance
// sequence followed.
class LazyCowWithoutPublishing final : public LazyCow<SimArch> {
 protected:
  void AfterWriteProtect(Kernel<SimArch>&, Process&) override {}
};

// The CoW break invalidates the old entry before it stores the new one: a
// walk in between caches the old translation again.
void RemapInvalidatingFirst(SimArch& arch, Shareability sh, Asid asid,
                            VirtAddr page, Descriptor* entry,
                            Descriptor replacement) {
  MaintenanceSequence(arch, sh,
                      [&] { InvalidateVa(arch, asid, page, true, sh); });
  *entry = Descriptor::Invalid();
  *entry = replacement;
  arch.Dsb(StoreBarrier(sh));
  arch.Isb();
}
using LazyCowInvalidatingBeforeTheStore =
    LazyCowWithRemap<RemapInvalidatingFirst>;

// Flushes at a switch with no ISB after the TTBR0 write: until the ISB at
// the flush's end, walks may still use the previous process's tables.
class UntaggedWithoutIsbAfterTtbr0 final : public Untagged<SimArch> {
 public:
  void SwitchTo(Kernel<SimArch>& k, Process& p) override {
    SimArch& arch = k.arch();
    arch.SwitchTtbr0(p.space.root(), 0);
    MaintenanceSequence(arch, Shareability::kLocal,
                        [&] { InvalidateAll(arch, Shareability::kLocal); });
  }
};

// Flushes the parent's ASID before it makes the parent's tables read-only:
// the parent's CPU caches its writable entries again in between.
class SharedTablesFlushingFirst final : public SharedTables<SimArch> {
 public:
  Status Fork(Kernel<SimArch>& k, Process& parent, Process& child) override {
    SharedTables<SimArch>::AfterMarkingParent(k, parent);
    return SharedTables<SimArch>::Fork(k, parent, child);
  }

 protected:
  void AfterMarkingParent(Kernel<SimArch>&, Process&) override {}
};

// Unshares a table with last-level TLBIs, which leave the walk cache's
// entry for the level-2 descriptor that now points elsewhere.
class SharedTablesWithLastLevelUnshare final : public SharedTables<SimArch> {
 protected:
  void InvalidateRegion(Kernel<SimArch>& k, Asid asid,
                        VirtAddr region) override {
    InvalidateRange(k.arch(), asid, region, RegionPages(k), true,
                    k.shareability(), k.regime().granule_shift);
  }
};

std::vector<uint8_t> ReadBytes(sim::Machine& m, int cpu, sim::Pid pid,
                               VirtAddr va) {
  std::vector<uint8_t> bytes(4);
  EXPECT_TRUE(m.Read(cpu, pid, va, bytes).ok);
  return bytes;
}

TEST(Ordering, TlbisWithNoBarrierAreNeverComplete) {
  LazyCowWithoutBarriers strategy;
  Scenario s = ForkAfterWrites(strategy, 2);
  ASSERT_TRUE(s.machine->Write(1, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "TLBI completion needs a DSB ish"))
      << FirstViolation(*s.machine);
}

TEST(Ordering, CatchesTheMissingDsbAfterTheTlbi) {
  LazyCowWithoutDsbAfterTlbi strategy;
  Scenario s = ForkAfterWrites(strategy, 2);
  ASSERT_TRUE(s.machine->Write(1, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "has not completed"))
      << FirstViolation(*s.machine);
}

TEST(Ordering, SpeculationCatchesTheMissingDsbBeforeTheTlbi) {
  for (const bool speculate : {false, true}) {
    LazyCowWithoutDsbBeforeTlbi strategy;
    Scenario s = ForkAfterWrites(strategy, 1, speculate);
    sim::Machine& m = *s.machine;
    ReadBytes(m, 0, s.parent, kVa);
    ASSERT_TRUE(m.Write(0, s.parent, kVa, kAfter).ok);
    EXPECT_EQ(
        Reported(m, "a TLBI must follow the DSB that publishes the store"),
        speculate)
        << FirstViolation(m);
  }
}

TEST(Ordering, CatchesAForkThatLeavesItsTablesUnpublished) {
  for (const bool publish : {false, true}) {
    LazyCow<SimArch> clean;
    LazyCowWithoutPublishing broken;
    Strategy<SimArch>& strategy =
        publish ? static_cast<Strategy<SimArch>&>(clean) : broken;
    auto m = *sim::Machine::Create(CheckedConfig(2, true), strategy);
    const sim::Pid parent = m->Spawn(0).value();
    // Read-only pages: no maintenance sequence follows their table.
    ASSERT_EQ(m->Map(0, parent, kVa, 4, PageAttrs(Perm::kReadOnly)),
              Status::kOk);
    const sim::Pid child = m->Fork(0, parent).value();
    ReadBytes(*m, 1, child, kVa);
    EXPECT_EQ(Reported(*m, "unpublished descriptor on cpu1's walk"), !publish)
        << FirstViolation(*m);
  }
}

TEST(Ordering, SpeculationCatchesALocalBreakWhetherOrNotAnotherCpuCached) {
  for (const bool speculate : {false, true}) {
    LazyCowWithLocalBreak strategy;
    Scenario s = ForkAfterWrites(strategy, 2, speculate);
    sim::Machine& m = *s.machine;
    // The fork's flush left CPU 1 nothing; the break runs on CPU 0.
    ASSERT_TRUE(m.Write(0, s.parent, kVa, kAfter).ok);
    ReadBytes(m, 1, s.parent, kVa);
    EXPECT_EQ(Reported(m, "stale TLB hit on cpu1"), speculate)
        << FirstViolation(m);
  }
}

TEST(Ordering, SpeculationCatchesTheTlbiIssuedBeforeTheStore) {
  for (const bool speculate : {false, true}) {
    LazyCowInvalidatingBeforeTheStore strategy;
    Scenario s = ForkAfterWrites(strategy, 1, speculate);
    sim::Machine& m = *s.machine;
    ReadBytes(m, 0, s.parent, kVa);  // Nothing cached at fork: refilled.
    ASSERT_TRUE(m.Write(0, s.parent, kVa, kAfter).ok);
    // Only a walk between the TLBI and the store exposes it, and the
    // architecture allows one there.
    EXPECT_EQ(Reported(m, "a TLBI after its store"), speculate)
        << FirstViolation(m);
  }
}

TEST(Ordering, SpeculationCatchesTheMissingIsbAfterATtbr0Write) {
  for (const bool speculate : {false, true}) {
    UntaggedWithoutIsbAfterTtbr0 strategy;
    auto m = *sim::Machine::Create(CheckedConfig(1, speculate), strategy);
    const sim::Pid first = m->Spawn(0).value();
    const sim::Pid second = m->Spawn(0).value();
    for (const sim::Pid pid : {first, second}) {
      ASSERT_EQ(m->Map(0, pid, kVa, 1, PageAttrs(Perm::kReadWrite)),
                Status::kOk);
    }
    ASSERT_TRUE(m->Write(0, first, kVa, kBefore).ok);
    ReadBytes(*m, 0, second, kVa);
    EXPECT_EQ(Reported(*m, "before the ISB that makes a TTBR0 write take"),
              speculate)
        << FirstViolation(*m);
  }
}

TEST(Ordering, TheUntaggedSwitchSynchronisesBeforeItFlushes) {
  Untagged<SimArch> strategy;
  auto m = *sim::Machine::Create(CheckedConfig(1, true), strategy);
  const sim::Pid first = m->Spawn(0).value();
  const sim::Pid second = m->Spawn(0).value();
  for (const sim::Pid pid : {first, second}) {
    ASSERT_EQ(m->Map(0, pid, kVa, 1, PageAttrs(Perm::kReadWrite)), Status::kOk);
  }
  ASSERT_TRUE(m->Write(0, first, kVa, kBefore).ok);
  EXPECT_EQ(ReadBytes(*m, 0, second, kVa), std::vector<uint8_t>(4, 0));
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

TEST(Ordering, SpeculationCatchesTheFlushBeforeTheWriteProtect) {
  SharedTablesFlushingFirst strategy;
  Scenario s = ForkAfterWrites(strategy, 1, true);
  ASSERT_TRUE(s.machine->Write(0, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "more than the tables'"))
      << FirstViolation(*s.machine);
  EXPECT_EQ(ReadBytes(*s.machine, 0, s.child, kVa), kAfter);  // The damage.
}

TEST(Ordering, CatchesTheUnshareThatLeavesTheWalkCache) {
  SharedTablesWithLastLevelUnshare strategy;
  Scenario s = ForkAfterWrites(strategy, 1, true);
  sim::Machine& m = *s.machine;
  ReadBytes(m, 0, s.child, kVa);  // Caches the walk to the shared table.
  m.Write(0, s.child, kVa, kAfter);
  EXPECT_TRUE(Reported(m, "stale walk-cache entry on cpu0"))
      << FirstViolation(m);
}

TEST(Ordering, TheUnshareRemovesTheWalksThroughTheOldTable) {
  SharedTables<SimArch> strategy;
  Scenario s = ForkAfterWrites(strategy, 2, true);
  sim::Machine& m = *s.machine;
  ReadBytes(m, 0, s.child, kVa);
  ASSERT_TRUE(m.Write(0, s.child, kVa, kAfter).ok);
  EXPECT_EQ(ReadBytes(m, 0, s.child, kVa), kAfter);
  EXPECT_EQ(ReadBytes(m, 1, s.parent, kVa), kBefore);
  EXPECT_TRUE(m.checker()->violations().empty()) << FirstViolation(m);
}

// Frees the unmapped frames first and invalidates after, as Machine::Unmap
// once did.
TEST(Ordering, CatchesAFrameFreedBeforeItsTlbiCompletes) {
  LazyCow<SimArch> strategy;
  auto m = *sim::Machine::Create(CheckedConfig(1, false), strategy);
  const sim::Pid pid = m->Spawn(0).value();
  ASSERT_EQ(m->Map(0, pid, kVa, 2, PageAttrs(Perm::kReadWrite)), Status::kOk);
  ASSERT_TRUE(m->Write(0, pid, kVa, kBefore).ok);
  ASSERT_TRUE(m->Write(0, pid, kVa + 0x1000, kBefore).ok);
  AddressSpace& space = m->process(pid)->space;
  SimArch& arch = m->arch();
  // Freed while cached.
  ASSERT_EQ(space.Unmap(kVa, 1, ReleaseAtOnce{&m->pool()}), Status::kOk);
  EXPECT_TRUE(Reported(*m, "freed while cpu0's TLB still maps va 0x200000"))
      << FirstViolation(*m);
  // Freed after its TLBI, but before the DSB that completes it.
  ASSERT_EQ(space.Unmap(kVa + 0x1000, 1,
                        [&](VirtAddr va, Descriptor old, int) {
                          arch.Dsb(Barrier::kNshSt);
                          InvalidateVa(arch, space.asid(), va, true,
                                       Shareability::kLocal);
                          m->pool().Release(old.output_address());
                          arch.Dsb(Barrier::kNsh);
                        }),
            Status::kOk);
  EXPECT_TRUE(Reported(*m, "freed before the tlbi vale1"))
      << FirstViolation(*m);
}

TEST(Ordering, UnmapAndExitFreeNothingATlbCanReach) {
  LazyCow<SimArch> strategy;
  auto m = *sim::Machine::Create(CheckedConfig(2, true), strategy);
  const sim::Pid pid = m->Spawn(0).value();
  ASSERT_EQ(m->Map(0, pid, kVa, 512, PageAttrs(Perm::kReadWrite)), Status::kOk);
  ASSERT_TRUE(m->Write(0, pid, kVa, kBefore).ok);
  ASSERT_TRUE(m->Write(1, pid, kVa + 0x3000, kBefore).ok);
  // The whole table goes: its pages, then the table itself.
  ASSERT_EQ(m->Unmap(0, pid, kVa, 512), Status::kOk);
  ASSERT_EQ(m->Map(0, pid, kVa, 1, PageAttrs(Perm::kReadWrite)), Status::kOk);
  ASSERT_TRUE(m->Write(1, pid, kVa, kBefore).ok);
  const PhysAddr root = m->process(pid)->space.root();
  m->Exit(0, pid);
  for (int cpu = 0; cpu < 2; ++cpu) {
    EXPECT_NE(m->system().cpu(cpu).ttbr0_root, root);
  }
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

template <typename S>
bool HarnessCatches() {
  S strategy;
  return AShortProgramFails(strategy);
}

TEST(Ordering, TheDifferentialHarnessCatchesEveryBrokenCopy) {
  EXPECT_TRUE(HarnessCatches<LazyCowWithoutBarriers>());
  EXPECT_TRUE(HarnessCatches<LazyCowWithoutDsbAfterTlbi>());
  EXPECT_TRUE(HarnessCatches<LazyCowWithoutDsbBeforeTlbi>());
  EXPECT_TRUE(HarnessCatches<LazyCowWithoutPublishing>());
  EXPECT_TRUE(HarnessCatches<LazyCowInvalidatingBeforeTheStore>());
  EXPECT_TRUE(HarnessCatches<LazyCowWithLocalBreak>());
  EXPECT_TRUE(HarnessCatches<UntaggedWithoutIsbAfterTtbr0>());
  EXPECT_TRUE(HarnessCatches<SharedTablesFlushingFirst>());
  EXPECT_TRUE(HarnessCatches<SharedTablesWithLastLevelUnshare>());
}

}  // namespace
}  // namespace ttb::testing
