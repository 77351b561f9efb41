#include "engine/sim/sim_arch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/address_space.h"
#include "engine/tlb_maintenance.h"
#include "engine/walker.h"
#include "sim_memory_fixture.h"

namespace ttb::sim {
namespace {

using tlbi::Op;

const TlbProfile& N1() { return *FindTlbProfile("neoverse-n1"); }

TlbEntry Page(VirtAddr va, Asid asid) {
  return TlbEntry{va, va, Descriptor::Page(0), asid, false, 3, 0};
}

TEST(SimArch, InnerShareableReachesEveryCpuLocalOnlyItsOwn) {
  SimSystem system(N1(), Regime::Va39(), 4, false);
  for (int c = 0; c < 4; ++c) system.tlb(c).Fill(Page(0x5000, 3));
  SimArch cpu1(&system, 1);
  InvalidateVa(cpu1, 3, 0x5000, true, Shareability::kLocal);
  for (int c = 0; c < 4; ++c) {
    EXPECT_EQ(system.tlb(c).Lookup(0x5000, 3) == nullptr, c == 1) << c;
  }
  InvalidateVa(cpu1, 3, 0x5000, true, Shareability::kInner);
  for (int c = 0; c < 4; ++c) {
    EXPECT_EQ(system.tlb(c).Lookup(0x5000, 3), nullptr) << c;
  }
  EXPECT_EQ(system.counters().tlbi[int(Op::kVale1)][0], 1u);
  EXPECT_EQ(system.counters().tlbi[int(Op::kVale1)][1], 1u);
}

TEST(SimArch, RangeTlbiWithoutTheFeatureIsUndefinedAndDoesNothing) {
  SimSystem system(N1(), Regime::Va39(), 1, false);
  system.tlb(0).Fill(Page(0x0000, 1));
  SimArch arch(&system, 0);
  arch.Tlbi(Op::kRvae1, Shareability::kInner, tlbi::RangeOperand(0, 1, 31, 0));
  EXPECT_NE(system.tlb(0).Lookup(0, 1), nullptr);
  EXPECT_EQ(system.counters().undefined_instructions, 1u);
  EXPECT_EQ(system.counters().tlbi_total(), 0u);
}

TEST(SimArch, InvalidateRangeUsesRangeOperationsOnlyWithTheFeature) {
  for (const bool range : {false, true}) {
    SimSystem system(N1(), Regime::Va48(), 2, range);
    SimArch arch(&system, 0);
    for (VirtAddr va = 0; va < 1000 * 4096ull; va += 4096) {
      system.tlb(1).Fill(Page(va, 9));
    }
    InvalidateRange(arch, 9, 0, 1000, true, Shareability::kInner);
    const ArchCounters& c = system.counters();
    if (range) {
      EXPECT_EQ(c.tlbi_total(), tlbi::RangeOperationCount(1000));
      EXPECT_GT(c.tlbi[int(Op::kRvale1)][1], 0u);
    } else {
      EXPECT_EQ(c.tlbi[int(Op::kVale1)][1], 1000u);
      EXPECT_EQ(c.tlbi_total(), 1000u);
    }
    for (VirtAddr va = 0; va < 1000 * 4096ull; va += 4096) {
      ASSERT_EQ(system.tlb(1).Lookup(va, 9), nullptr) << va;
    }
  }
}

// Records the order of Arch calls.
struct RecordingArch {
  std::vector<std::string> log;
  void Tlbi(Op op, Shareability sh, uint64_t) {
    log.push_back(std::string("tlbi ") + tlbi::OpName(op) +
                  (sh == Shareability::kInner ? "is" : ""));
  }
  void Dsb(Barrier b) { log.push_back(std::string("dsb ") + BarrierName(b)); }
  void Isb() { log.push_back("isb"); }
  void SwitchTtbr0(PhysAddr, Asid) { log.push_back("msr ttbr0_el1"); }
  void SyncInstructions(const void*, uint64_t) { log.push_back("sync"); }
  bool HasRangeTlbi() const { return false; }
};

TEST(MaintenanceSequence, DsbStoreBeforeTlbiThenDsbAndIsb) {
  RecordingArch arch;
  MaintenanceSequence(arch, Shareability::kInner, [&] {
    InvalidateVa(arch, 1, 0x1000, true, Shareability::kInner);
  });
  EXPECT_EQ(arch.log, (std::vector<std::string>{"dsb ishst", "tlbi vale1is",
                                                "dsb ish", "isb"}));
  RecordingArch local;
  MaintenanceSequence(local, Shareability::kLocal,
                      [&] { InvalidateAll(local, Shareability::kLocal); });
  EXPECT_EQ(local.log, (std::vector<std::string>{"dsb nshst", "tlbi vmalle1",
                                                 "dsb nsh", "isb"}));
}

TEST(SimArch, TlbisAreCompleteOnlyAfterADsbThatCoversThem) {
  SimSystem system(N1(), Regime::Va39(), 2, false);
  SimArch arch(&system, 0);
  const CpuState& cpu = system.cpu(0);
  InvalidateAsid(arch, 4, Shareability::kInner);
  EXPECT_EQ(cpu.pending.broadcast, 1u);
  arch.Dsb(Barrier::kIshSt);  // Orders stores only.
  EXPECT_EQ(cpu.pending.broadcast, 1u);
  arch.Dsb(Barrier::kNsh);  // Does not reach the other PEs.
  EXPECT_EQ(cpu.pending.broadcast, 1u);
  arch.Dsb(Barrier::kIsh);
  EXPECT_EQ(cpu.pending.broadcast, 0u);
  EXPECT_TRUE(cpu.needs_isb);
  arch.Isb();
  EXPECT_FALSE(cpu.needs_isb);
  EXPECT_EQ(system.counters().dsb[int(Barrier::kIsh)], 1u);
  EXPECT_EQ(system.counters().dsb[int(Barrier::kIshSt)], 1u);
  EXPECT_EQ(system.counters().isb, 1u);
  // Only the DSB ISH waited, for broadcast maintenance.
  EXPECT_EQ(system.counters().tlbi_completions[0], 0u);
  EXPECT_EQ(system.counters().tlbi_completions[1], 1u);
}

// The cost model charges a DSB's wait apart from the DSB: counted only
// when the DSB completes something, as broadcast when it completes any
// broadcast TLBI, and on the CPU that issued the DSB.
TEST(SimArch, ADsbCountsTheMaintenanceItWaitedFor) {
  SimSystem system(N1(), Regime::Va39(), 2, false);
  SimArch cpu0(&system, 0), cpu1(&system, 1);
  cpu0.Dsb(Barrier::kIsh);  // Nothing pending: no wait.
  cpu0.Tlbi(tlbi::Op::kVale1, Shareability::kLocal, 0);
  cpu0.Tlbi(tlbi::Op::kVale1, Shareability::kInner, 0);
  cpu1.Dsb(Barrier::kIsh);  // Another PE's DSB completes none of them.
  cpu0.Dsb(Barrier::kNsh);  // The local one only.
  cpu0.Dsb(Barrier::kIsh);  // The broadcast one.
  cpu0.Dsb(Barrier::kIsh);  // Nothing left.
  const ArchCounters& c0 = system.counters(0);
  EXPECT_EQ(c0.tlbi_completions[0], 1u);
  EXPECT_EQ(c0.tlbi_completions[1], 1u);
  EXPECT_EQ(c0.dsb[int(Barrier::kIsh)], 3u);
  EXPECT_EQ(system.counters(1).dsb[int(Barrier::kIsh)], 1u);
  EXPECT_EQ(system.counters(1).tlbi_completions[1], 0u);
  EXPECT_EQ(system.counters().dsb[int(Barrier::kIsh)], 4u);
}

// What a system's TLBs hold, for comparing two systems.
std::vector<std::string> Contents(const SimSystem& system) {
  std::vector<std::string> out;
  for (int c = 0; c < system.cpu_count(); ++c) {
    system.tlb(c).ForEachEntry([&](const TlbEntry& e) {
      out.push_back(absl::StrCat(c, ":", e.va_base, "/", e.asid, "/", e.level));
    });
    system.tlb(c).ForEachWalkEntry([&](const WalkEntry& e) {
      out.push_back(absl::StrCat(c, ":walk", e.va_base, "/", e.asid));
    });
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SimArch, InvalidateEachPageAsOneRunEqualsTheInstructionsInTurn) {
  // A long run (the TLBs compare every entry once) and short ones (they
  // search per page), one of them over the 2 MiB block.
  struct Run {
    VirtAddr va;
    uint64_t pages;
  };
  for (const Run run :
       {Run{0x20'0000, 0x201}, Run{0x20'4000, 3}, Run{0x3f'f000, 3}})
    for (const Shareability sh : {Shareability::kLocal, Shareability::kInner}) {
      SimSystem batched(N1(), Regime::Va48(), 2, false);
      SimSystem in_turn(N1(), Regime::Va48(), 2, false);
      for (SimSystem* system : {&batched, &in_turn}) {
        for (int c = 0; c < 2; ++c) {
          Tlb& tlb = system->tlb(c);
          // Pages inside the run and beside it, another ASID, a global page,
          // a 2 MiB block over the run's end, and a walk-cache entry.
          for (VirtAddr va = 0x1f'0000; va < 0x22'1000; va += 0x1000) {
            tlb.Fill(Page(va, 7));
            tlb.Fill(Page(va, 8));
          }
          TlbEntry global = Page(0x20'5000, 0);
          global.global = true;
          tlb.Fill(global);
          TlbEntry block = Page(0x40'0000, 7);
          block.level = 2;
          block.size_shift = 21;
          tlb.Fill(block);
          tlb.FillWalk(WalkEntry{0x20'0000, 0x9000, 7, 2, 0});
        }
        // A broadcast TLBI not yet completed: a local run's DSB leaves it so.
        SimArch(system, 1).Tlbi(Op::kAside1, Shareability::kInner,
                                tlbi::AsidOperand(99));
      }
      SimArch batched_arch(&batched, 1);
      SimArch in_turn_arch(&in_turn, 1);
      batched_arch.InvalidateEachPage(sh, 7, run.va, run.pages, 12);
      InvalidateEachPageInTurn(in_turn_arch, sh, 7, run.va, run.pages, 12);
      EXPECT_EQ(batched.counters(), in_turn.counters());
      EXPECT_EQ(batched.counters().isb, run.pages);
      EXPECT_EQ(Contents(batched), Contents(in_turn)) << run.va;
      for (int c = 0; c < 2; ++c) {
        EXPECT_EQ(batched.tlb(c).stats().invalidated,
                  in_turn.tlb(c).stats().invalidated);
        const CpuState& b = batched.cpu(c);
        const CpuState& t = in_turn.cpu(c);
        EXPECT_EQ(b.pending.local, t.pending.local) << c;
        EXPECT_EQ(b.pending.broadcast, t.pending.broadcast);
        EXPECT_EQ(b.needs_isb, t.needs_isb) << c;
      }
      EXPECT_EQ(batched.cpu(1).pending.broadcast,
                sh == Shareability::kLocal ? 1u : 0u);
      // The local run leaves the other CPU's entries in place.
      const VirtAddr last = run.va + (run.pages - 1) * 0x1000;
      EXPECT_EQ(batched.tlb(0).Peek(last, 7) != nullptr,
                sh == Shareability::kLocal);
    }
}

TEST(SimArch, ATracedSystemSeesEachInstructionOfARun) {
  SimSystem system(N1(), Regime::Va48(), 1, false);
  std::vector<ArchEvent::Kind> kinds;
  system.set_tracer([&](const ArchEvent& e) { kinds.push_back(e.kind); });
  SimArch(&system, 0)
      .InvalidateEachPage(Shareability::kInner, 3, 0x5000, 3, 12);
  using K = ArchEvent::Kind;
  const std::vector<K> one = {K::kDsb, K::kTlbi, K::kDsb, K::kIsb};
  std::vector<K> three;
  for (int i = 0; i < 3; ++i) three.insert(three.end(), one.begin(), one.end());
  EXPECT_EQ(kinds, three);
}

TEST(SimArch, SwitchTtbr0WritesAsidAndBase) {
  SimSystem system(N1(), Regime::Va48(), 1, false);
  SimArch arch(&system, 0);
  arch.SwitchTtbr0(0x4123'4000, 0xBEEF);
  EXPECT_EQ(system.cpu(0).ttbr0, 0xBEEF'0000'4123'4000ull);
  EXPECT_EQ(system.cpu(0).asid, 0xBEEF);
  EXPECT_EQ(system.counters().ttbr0_writes, 1u);
}

// The pieces together: a walk fills the TLB, a permission change without a
// TLBI leaves a stale entry, and the TLBI removes it.
class SimPipelineTest : public SimMemoryTest {};

TEST_F(SimPipelineTest, StaleEntryUntilTheTlbiTheArmArmRequires) {
  const Regime r = Regime::Va39();
  AddressSpace space;
  ASSERT_EQ(space.Init(&pool(), r, 5), Status::kOk);
  ASSERT_EQ(
      space.Map(0x8000, 1, Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true)),
      Status::kOk);
  SimSystem system(N1(), r, 1, false);
  SimArch arch(&system, 0);
  const Walker walker(r, pool());
  const WalkResult w =
      walker.Walk(space.root(), 0x8000, Access::kWrite, El::kEl0);
  ASSERT_TRUE(w.ok());
  system.tlb(0).Fill(TlbEntry{0x8000, w.pa, w.leaf, space.asid(), !w.leaf.ng(),
                              w.level, w.permissions});

  std::vector<VirtAddr> changed;
  ASSERT_EQ(space.Protect(
                0x8000, 1, Descriptor::Page(0).with_ap(Ap::kRo),
                [&](VirtAddr va, Descriptor, int) { changed.push_back(va); }),
            Status::kOk);
  const TlbEntry* stale = system.tlb(0).Lookup(0x8000, 5);
  ASSERT_NE(stale, nullptr);
  EXPECT_TRUE(stale->permissions & perm::kEl0Write);  // Still writable.

  MaintenanceSequence(arch, Shareability::kInner, [&] {
    for (VirtAddr va : changed) {
      InvalidateVa(arch, space.asid(), va, true, Shareability::kInner);
    }
  });
  EXPECT_EQ(system.tlb(0).Lookup(0x8000, 5), nullptr);
  space.Release();
}

}  // namespace
}  // namespace ttb::sim
