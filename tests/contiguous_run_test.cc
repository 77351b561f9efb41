// Contiguous runs (Arm ARM, "The Contiguous bit") in every granule: Map gives
// aligned runs the bit, a TLB holds a run as one entry, fork keeps a run whole,
// a CoW break or a partial unmap splits it with break-before-make; and broken
// copies of each rule the split relies on are caught by the checker.
#include "engine/contiguous_run.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/sim/tlb_profile.h"
#include "granule_cases.h"
#include "reference_model.h"
#include "variants/lazy_cow.h"
#include "variants/registry.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

// Writes the run's single pages over it at once, then invalidates: the
// FEAT_BBM level 2 sequence, on a core without it.
void UnfoldWithoutBreak(Kernel<SimArch>& k, AddressSpace& space, VirtAddr va) {
  Descriptor* run = space.RunAt(va);
  if (run == nullptr) return;
  const unsigned count = space.regime().contiguous_entries(3);
  for (unsigned i = 0; i < count; ++i) run[i] = run[i].with_contiguous(false);
  InvalidateRun(k, space, va);
}
// Breaks one page out of a run and leaves the rest claiming it.
void NoUnfold(Kernel<SimArch>&, AddressSpace&, VirtAddr) {}

// Copies the run and writes the copy over it, then invalidates.
Status CopyRunWithoutBreak(Kernel<SimArch>& k, AddressSpace& space, VirtAddr va,
                           Descriptor writable) {
  Descriptor* run = space.RunAt(va);
  const unsigned count = space.regime().contiguous_entries(3);
  const unsigned shift = space.regime().granule_shift;
  const PhysAddr old = run[0].output_address();
  const Result<PhysAddr> copy = k.pool().CopyRun(old, count);
  if (!copy.ok()) return copy.status();
  for (unsigned i = 0; i < count; ++i) {
    run[i] =
        writable.with_output_address(copy.value() + (uint64_t{i} << shift));
  }
  InvalidateRun(k, space, va);
  for (unsigned i = 0; i < count; ++i) {
    k.pool().Release(old + (uint64_t{i} << shift));
  }
  return Status::kOk;
}

class LazyCowCopyingRunsWithoutBreak final : public LazyCow<SimArch> {
 public:
  FaultOutcome OnFault(Kernel<SimArch>& k, Process& p, VirtAddr va, Fault fault,
                       Access access) override {
    return HandleCowFault<SimArch, BreakBeforeMake<SimArch>, UnfoldRun<SimArch>,
                          CopyRunWithoutBreak>(k, p, va, fault, access);
  }
};

template <auto Unfold>
class LazyCowWithUnfold final : public LazyCow<SimArch> {
 public:
  FaultOutcome OnFault(Kernel<SimArch>& k, Process& p, VirtAddr va, Fault fault,
                       Access access) override {
    return HandleCowFault<SimArch, BreakBeforeMake<SimArch>, Unfold>(
        k, p, va, fault, access);
  }
};

class ContiguousRunTest : public GranuleTest {
 protected:
  unsigned run() const { return regime().contiguous_entries(3); }
  uint64_t run_bytes() const { return run() * page(); }
  // A run-aligned address inside one last-level table.
  VirtAddr base() const { return regime().level_bytes(2) * 3; }

  // A process with one run at base() and one single page after it, every
  // page written on every CPU (so each caches the run).
  sim::Pid MapRunAndWrite(sim::Machine& m, int cpus) {
    const sim::Pid pid = m.Spawn(0).value();
    EXPECT_EQ(m.Map(0, pid, base(), run() + 1,
                    PageAttrs(Perm::kReadWrite).with_contiguous(true)),
              Status::kOk);
    for (int cpu = cpus - 1; cpu >= 0; --cpu) {
      for (unsigned i = 0; i <= run(); ++i) {
        EXPECT_TRUE(m.Write(cpu, pid, base() + i * page(), kBefore).ok);
      }
    }
    return pid;
  }
  // A forked parent that reads the first page of its run (caching the
  // run) and then writes the second (a CoW break inside it).
  std::unique_ptr<sim::Machine> BreakAPageOfACachedRun(
      Strategy<SimArch>& strategy, bool bbm_level2) {
    auto m = NewMachine(strategy, 1, false, bbm_level2);
    const sim::Pid parent = MapRunAndWrite(*m, 1);
    EXPECT_TRUE(m->Fork(0, parent).ok());
    std::vector<uint8_t> bytes(4);
    EXPECT_TRUE(m->Read(0, parent, base(), bytes).ok);
    EXPECT_TRUE(m->Write(0, parent, base() + page(), kAfter).ok);
    return m;
  }
  static bool Contiguous(sim::Machine& m, sim::Pid pid, VirtAddr va) {
    return m.process(pid)->space.RunAt(va) != nullptr;
  }
};

TEST_P(ContiguousRunTest, MapGivesAlignedRunsTheBitAndOtherPagesNone) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = MapRunAndWrite(*m, 1);
  AddressSpace& space = m->process(pid)->space;
  const PhysAddr first = space.Translate(base()).value().pa;
  EXPECT_EQ(first % run_bytes(), 0u) << "the run's frames are aligned";
  for (unsigned i = 0; i < run(); ++i) {
    const Translation t = space.Translate(base() + i * page()).value();
    EXPECT_TRUE(t.leaf.contiguous()) << i;
    EXPECT_EQ(t.pa, first + i * page()) << i;
  }
  EXPECT_FALSE(Contiguous(*m, pid, base() + run_bytes()));
  // Fewer pages than a run, or not aligned to one: single pages.
  ASSERT_EQ(m->Map(0, pid, base() + 2 * run_bytes() + page(), run(),
                   PageAttrs(Perm::kReadWrite).with_contiguous(true)),
            Status::kOk);
  for (unsigned i = 1; i <= run(); ++i) {
    EXPECT_FALSE(Contiguous(*m, pid, base() + 2 * run_bytes() + i * page()));
  }
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

TEST_P(ContiguousRunTest, WithoutAnAlignedRunOfFramesMapFallsBackToPages) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = m->Spawn(0).value();
  // The tables first, so that the next allocation is the run's.
  ASSERT_EQ(
      m->Map(0, pid, base() + run_bytes(), 1, PageAttrs(Perm::kReadWrite)),
      Status::kOk);
  m->pool().FailNthAllocation(1);
  ASSERT_EQ(m->Map(0, pid, base(), run(),
                   PageAttrs(Perm::kReadWrite).with_contiguous(true)),
            Status::kOk);
  for (unsigned i = 0; i < run(); ++i) {
    EXPECT_FALSE(Contiguous(*m, pid, base() + i * page())) << i;
  }
  EXPECT_EQ(m->pool().stats().failed_allocations, 1u);
}

TEST_P(ContiguousRunTest, TheTlbHoldsARunAsOneEntry) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = MapRunAndWrite(*m, 1);
  const sim::TlbEntry* e =
      m->system().tlb(0).Peek(base(), m->process(pid)->space.asid());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->bytes(), run_bytes());
  EXPECT_EQ(e->level, 3);
  // One walk for the run, one for the single page after it.
  EXPECT_EQ(m->counters(0).walks, 2u);
}

TEST_P(ContiguousRunTest, ACoreSplintersARunIntoTheLargestSizeItHas) {
  // A core whose largest entries are 64 KiB: a 4 KiB granule's 64 KiB run
  // fits one, the larger granules' 2 MiB runs are cached 64 KiB at a time.
  static constexpr sim::TlbProfile kUpTo64K = {
      "up-to-64k",
      {32, 32, sim::Sizes({12, 14, 16})},
      {1024, 4, sim::Sizes({12, 14, 16})},
      {64, 4},
      false,
      "test"};
  sim::MachineConfig config = CheckedConfig(1, false);
  config.regime = regime();
  config.profile = &kUpTo64K;
  LazyCow<SimArch> strategy;
  auto m = *sim::Machine::Create(config, strategy);
  const sim::Pid pid = MapRunAndWrite(*m, 1);
  const VirtAddr va = base() + run_bytes() - page();
  const sim::TlbEntry* e =
      m->system().tlb(0).Peek(va, m->process(pid)->space.asid());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->bytes(), 64u << 10);
  EXPECT_EQ(e->va_base, va & ~((64u << 10) - 1));
  EXPECT_EQ(e->pa_base + (va - e->va_base),
            m->process(pid)->space.Translate(va).value().pa);
  // A walk per 64 KiB of the run, and one for the page after it.
  EXPECT_EQ(m->counters(0).walks, run_bytes() / (64u << 10) + 1);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

// Every strategy: fork keeps the run whole in both spaces, a CoW break
// inside it splits it into pages (same frames, but the one copied), and
// the child still reads what was there.
TEST_P(ContiguousRunTest, ForkKeepsTheRunAndACowBreakSplitsIt) {
  for (Strategy<SimArch>* strategy : kStrategies<SimArch>) {
    SCOPED_TRACE(strategy->name());
    strategy->ResetTunables();
    auto m = NewMachine(*strategy, 2, true);
    const sim::Pid parent = MapRunAndWrite(*m, 2);
    const sim::Pid child = m->Fork(0, parent).value();
    const bool eager = std::string(strategy->name()) == "eager_copy";
    EXPECT_TRUE(Contiguous(*m, parent, base()));
    EXPECT_EQ(Contiguous(*m, child, base()), !eager);
    const VirtAddr broken = base() + 5 * page();
    const sim::AccessResult w = m->Write(1, parent, broken, kAfter);
    ASSERT_TRUE(w.ok) << w.Failure() << " " << FirstViolation(*m);
    if (!eager) {
      for (unsigned i = 0; i < run(); ++i) {
        EXPECT_FALSE(Contiguous(*m, parent, base() + i * page())) << i;
      }
      EXPECT_TRUE(Contiguous(*m, child, base()));
    }
    std::vector<uint8_t> bytes(4);
    ASSERT_TRUE(m->Read(0, child, broken, bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    ASSERT_TRUE(m->Read(0, parent, broken, bytes).ok);
    EXPECT_EQ(bytes, kAfter);
    ASSERT_TRUE(m->Read(1, parent, base(), bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
  }
}

// With the kernel copying runs: every strategy's CoW break copies the
// whole run into a new one and the run stays whole on both sides; once
// the child is gone, a break takes the run over in place.
TEST_P(ContiguousRunTest, ACowBreakCanCopyTheWholeRun) {
  for (Strategy<SimArch>* strategy : kStrategies<SimArch>) {
    SCOPED_TRACE(strategy->name());
    strategy->ResetTunables();
    auto m = NewMachine(*strategy, 2, true, false, /*cow_copies_runs=*/true);
    const sim::Pid parent = MapRunAndWrite(*m, 2);
    const sim::Pid child = m->Fork(0, parent).value();
    AddressSpace& space = m->process(parent)->space;
    const PhysAddr before = space.Translate(base()).value().pa;
    const uint64_t copies = m->pool().stats().copies;
    ASSERT_TRUE(m->Write(1, parent, base() + 5 * page(), kAfter).ok);
    const bool eager = std::string(strategy->name()) == "eager_copy";
    EXPECT_TRUE(Contiguous(*m, parent, base() + 5 * page()));
    if (!eager) {
      EXPECT_EQ(m->pool().stats().copies - copies, run());
      EXPECT_NE(space.Translate(base()).value().pa, before);
    }
    std::vector<uint8_t> bytes(4);
    ASSERT_TRUE(m->Read(0, parent, base(), bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    ASSERT_TRUE(m->Read(0, child, base() + 5 * page(), bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    // The child gone, the parent's next run is its own: no copy.
    m->Exit(0, child);
    const PhysAddr own = space.Translate(base() + run_bytes()).value().pa;
    ASSERT_TRUE(m->Write(1, parent, base() + run_bytes(), kAfter).ok);
    EXPECT_EQ(space.Translate(base() + run_bytes()).value().pa, own);
    EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
  }
}

TEST_P(ContiguousRunTest, UnmappingPartOfARunSplitsTheRest) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 2, true);
  const sim::Pid pid = MapRunAndWrite(*m, 2);
  ASSERT_EQ(m->Unmap(0, pid, base() + page(), 2), Status::kOk);
  EXPECT_FALSE(Contiguous(*m, pid, base()));
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m->Read(1, pid, base() + 3 * page(), bytes).ok);
  EXPECT_EQ(bytes, kBefore);
  EXPECT_FALSE(m->Read(1, pid, base() + page(), bytes).ok);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

TEST_P(ContiguousRunTest, CatchesARunSplitWithoutBreakBeforeMake) {
  LazyCowWithUnfold<UnfoldWithoutBreak> strategy;
  auto m = BreakAPageOfACachedRun(strategy, /*bbm_level2=*/false);
  EXPECT_TRUE(Reported(*m, "changed size")) << FirstViolation(*m);
}

TEST_P(ContiguousRunTest, FeatBbmLevel2AllowsTheSplitWithoutTheInvalidStep) {
  LazyCowWithUnfold<UnfoldWithoutBreak> strategy;
  auto m = BreakAPageOfACachedRun(strategy, /*bbm_level2=*/true);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

TEST_P(ContiguousRunTest, CatchesARunCopiedWithoutBreakBeforeMake) {
  LazyCowCopyingRunsWithoutBreak strategy;
  auto m = NewMachine(strategy, 1, false, false, /*cow_copies_runs=*/true);
  const sim::Pid parent = MapRunAndWrite(*m, 1);
  ASSERT_TRUE(m->Fork(0, parent).ok());
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m->Read(0, parent, base(), bytes).ok);
  ASSERT_TRUE(m->Write(0, parent, base() + page(), kAfter).ok);
  EXPECT_TRUE(Reported(*m, "break-before-make violated")) << FirstViolation(*m);
}

TEST_P(ContiguousRunTest, CatchesARunWhoseEntriesDisagree) {
  LazyCowWithUnfold<NoUnfold> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid parent = MapRunAndWrite(*m, 1);
  ASSERT_TRUE(m->Fork(0, parent).ok());
  // The break copies one page of the run and leaves the bit on all.
  ASSERT_TRUE(m->Write(0, parent, base() + page(), kAfter).ok);
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m->Read(0, parent, base(), bytes).ok);
  EXPECT_TRUE(Reported(*m, "misprogrammed contiguous run"))
      << FirstViolation(*m);
}

TEST_P(ContiguousRunTest, CatchesARunFoldedWithoutBreakBeforeMake) {
  // Single pages over an aligned run of frames (a run split properly),
  // one of them cached; then the contiguous bit set on every entry with no
  // invalid step: the next walk caches the run over the cached page.
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = MapRunAndWrite(*m, 1);
  AddressSpace& space = m->process(pid)->space;
  UnfoldRun(*m, space, base());
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m->Read(0, pid, base(), bytes).ok);
  Descriptor* first = space.Slot(base()).value();
  for (unsigned i = 0; i < run(); ++i)
    first[i] = first[i].with_contiguous(true);
  m->arch().Dsb(Barrier::kIsh);
  ASSERT_TRUE(m->Read(0, pid, base() + 3 * page(), bytes).ok);
  EXPECT_TRUE(Reported(*m, "TLB conflict")) << FirstViolation(*m);
}

INSTANTIATE_TEST_SUITE_P(Granules, ContiguousRunTest,
                         ::testing::ValuesIn(kGranuleCases), GranuleName);

}  // namespace
}  // namespace ttb::testing
