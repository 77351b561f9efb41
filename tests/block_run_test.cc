// Level-2 contiguous runs (the contiguous bit on blocks: 16 blocks of
// 2 MiB, 32 MiB, with 4 KiB pages; the 1 GiB and 16 GiB runs of the larger
// granules are the same code at sizes a test cannot afford): MapBlocks
// maps an aligned run as one, a TLB may hold it as one entry, fork keeps
// it, a CoW break or a partial unmap first takes the run apart with
// break-before-make; and broken copies of each rule are caught.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "checker_scenario.h"
#include "engine/block.h"
#include "reference_model.h"
#include "variants/lazy_cow.h"
#include "variants/registry.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kBlock = 2 << 20;
constexpr unsigned kRunBlocks = 16;
constexpr uint64_t kRun = kRunBlocks * kBlock;
constexpr uint64_t kRunPages = kRun / kPage;
constexpr VirtAddr kBase = 0x4000'0000;

// Clears the run's contiguous bit in place, then invalidates: the FEAT_BBM
// level 2 sequence, on a core without it.
void UnfoldWithoutBreak(Kernel<SimArch>& k, AddressSpace& space, VirtAddr va) {
  Descriptor* run = space.BlockRunAt(va);
  if (run == nullptr) return;
  for (unsigned i = 0; i < kRunBlocks; ++i) {
    run[i] = run[i].with_contiguous(false);
  }
  InvalidateBlockRun(k, space, va);
}
// Leaves the run as it is: the block the break splits still claims to be
// part of it.
void KeepTheRun(Kernel<SimArch>&, AddressSpace&, VirtAddr) {}

template <auto UnfoldBlocks>
class LazyCowWithRunUnfold final : public LazyCow<SimArch> {
 public:
  FaultOutcome OnFault(Kernel<SimArch>& k, Process& p, VirtAddr va, Fault fault,
                       Access access) override {
    return HandleCowFault<SimArch, BreakBeforeMake<SimArch>, UnfoldRun<SimArch>,
                          BreakWholeRun<SimArch>, SplitBlock<SimArch>,
                          BreakWholeBlock<SimArch>, UnfoldBlocks>(
        k, p, va, fault, access);
  }
};

// A checked 4 KiB machine (Neoverse N1, whose L2 TLB holds 32 MiB
// entries) with room for two runs, their alignment and the tables.
std::unique_ptr<sim::Machine> NewMachine(Strategy<SimArch>& strategy, int cpus,
                                         bool speculate,
                                         bool bbm_level2 = false) {
  sim::MachineConfig config = CheckedConfig(cpus, speculate);
  config.regime = Regime::Va48();
  config.bbm_level2 = bbm_level2;
  config.memory_bytes = 4 * kRun;
  return *sim::Machine::Create(config, strategy);
}

// A process with one run at kBase, written in its first and sixth blocks on
// every CPU.
sim::Pid MapRunAndWrite(sim::Machine& m, int cpus) {
  const sim::Pid pid = m.Spawn(0).value();
  EXPECT_EQ(m.MapBlocks(0, pid, kBase, kRunPages,
                        PageAttrs(Perm::kReadWrite).with_contiguous(true)),
            Status::kOk);
  for (int cpu = cpus - 1; cpu >= 0; --cpu) {
    for (const VirtAddr va : {kBase, kBase + 5 * kBlock}) {
      EXPECT_TRUE(m.Write(cpu, pid, va, kBefore).ok);
    }
  }
  return pid;
}

// How many of the run's 16 blocks are blocks with the contiguous bit.
unsigned BlocksInRun(sim::Machine& m, sim::Pid pid) {
  AddressSpace& space = m.process(pid)->space;
  unsigned n = 0;
  for (unsigned i = 0; i < kRunBlocks; ++i) {
    const Descriptor* block = space.BlockAt(kBase + i * kBlock);
    n += block != nullptr && block->contiguous() ? 1 : 0;
  }
  return n;
}

TEST(BlockRunTest, MapBlocksMapsAnAlignedRunOnConsecutiveBlocks) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = m->Spawn(0).value();
  // A run and one block more: the block stays alone.
  ASSERT_EQ(m->MapBlocks(0, pid, kBase, kRunPages + kBlock / kPage,
                         PageAttrs(Perm::kReadWrite).with_contiguous(true)),
            Status::kOk);
  EXPECT_EQ(BlocksInRun(*m, pid), kRunBlocks);
  AddressSpace& space = m->process(pid)->space;
  const PhysAddr head = space.BlockAt(kBase)->output_address();
  EXPECT_EQ(head % kRun, 0u);
  for (unsigned i = 0; i < kRunBlocks; ++i) {
    EXPECT_EQ(space.BlockAt(kBase + i * kBlock)->output_address(),
              head + i * kBlock);
  }
  ASSERT_NE(space.BlockAt(kBase + kRun), nullptr);
  EXPECT_FALSE(space.BlockAt(kBase + kRun)->contiguous());
  EXPECT_EQ(space.BlockRunAt(kBase + 7 * kBlock + kPage), space.BlockAt(kBase));
  // One walk fills the run; the L1 keeps 2 MiB pieces of it, the L2 the
  // whole, so a write in another block walks no more.
  for (const VirtAddr va : {kBase, kBase + 9 * kBlock}) {
    EXPECT_TRUE(m->Write(0, pid, va, kBefore).ok);
  }
  EXPECT_EQ(m->counters(0).walks, 1u);
  m->Exit(0, pid);
  EXPECT_EQ(m->pool().Use(head), FrameUse::kFree);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

// Every strategy: fork keeps the run in both spaces; a CoW break in one of
// its blocks takes the writer's run apart and splits that block; the
// child keeps its run and what was there.
TEST(BlockRunTest, ForkKeepsTheRunAndACowBreakTakesItApart) {
  for (Strategy<SimArch>* strategy : kStrategies<SimArch>) {
    SCOPED_TRACE(strategy->name());
    strategy->ResetTunables();
    auto m = NewMachine(*strategy, 2, true);
    const sim::Pid parent = MapRunAndWrite(*m, 2);
    const PhysAddr head =
        m->process(parent)->space.BlockAt(kBase)->output_address();
    const sim::Pid child = m->Fork(0, parent).value();
    const bool eager = std::string(strategy->name()) == "eager_copy";
    EXPECT_EQ(BlocksInRun(*m, parent), kRunBlocks);
    // eager_copy's copies are blocks alone.
    EXPECT_EQ(BlocksInRun(*m, child), eager ? 0u : kRunBlocks);
    const VirtAddr broken = kBase + 5 * kBlock;
    const sim::AccessResult w = m->Write(1, parent, broken, kAfter);
    ASSERT_TRUE(w.ok) << w.Failure() << " " << FirstViolation(*m);
    EXPECT_EQ(BlocksInRun(*m, parent), eager ? kRunBlocks : 0u);
    EXPECT_EQ(m->process(parent)->space.BlockAt(broken) != nullptr, eager);
    EXPECT_EQ(BlocksInRun(*m, child), eager ? 0u : kRunBlocks);
    std::vector<uint8_t> bytes(4);
    ASSERT_TRUE(m->Read(0, child, broken, bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    ASSERT_TRUE(m->Read(0, parent, broken, bytes).ok);
    EXPECT_EQ(bytes, kAfter);
    ASSERT_TRUE(m->Read(1, parent, kBase, bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    ASSERT_TRUE(m->Read(1, child, kBase, bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    m->Exit(0, child);
    m->Exit(0, parent);
    EXPECT_EQ(m->pool().Use(head), FrameUse::kFree);
    EXPECT_EQ(m->pool().frames_in_use(), 0u);
    EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
  }
}

TEST(BlockRunTest, UnmappingOneBlockTakesTheRunApart) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 2, true);
  const sim::Pid pid = MapRunAndWrite(*m, 2);
  ASSERT_EQ(m->Unmap(0, pid, kBase + 2 * kBlock, kBlock / kPage), Status::kOk);
  EXPECT_EQ(BlocksInRun(*m, pid), 0u);
  AddressSpace& space = m->process(pid)->space;
  EXPECT_EQ(space.BlockAt(kBase + 2 * kBlock), nullptr);
  EXPECT_NE(space.BlockAt(kBase + 5 * kBlock), nullptr);
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m->Read(1, pid, kBase + 5 * kBlock, bytes).ok);
  EXPECT_EQ(bytes, kBefore);
  EXPECT_FALSE(m->Read(1, pid, kBase + 2 * kBlock, bytes).ok);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

// The parent, forked, writes into its run's sixth block, then reads its
// first on the other CPU: a walk that fills the run from its entries.
std::unique_ptr<sim::Machine> BreakABlockOfACachedRun(
    Strategy<SimArch>& strategy, bool bbm_level2) {
  auto m = NewMachine(strategy, 2, false, bbm_level2);
  const sim::Pid parent = MapRunAndWrite(*m, 2);
  EXPECT_TRUE(m->Fork(0, parent).ok());
  std::vector<uint8_t> bytes(4);
  EXPECT_TRUE(m->Read(0, parent, kBase, bytes).ok);
  EXPECT_TRUE(m->Write(0, parent, kBase + 5 * kBlock, kAfter).ok);
  EXPECT_TRUE(m->Read(1, parent, kBase + 9 * kBlock, bytes).ok);
  return m;
}

TEST(BlockRunTest, CatchesABlockSplitInsideItsRun) {
  LazyCowWithRunUnfold<KeepTheRun> strategy;
  auto m = BreakABlockOfACachedRun(strategy, false);
  EXPECT_TRUE(Reported(*m, "misprogrammed contiguous run"))
      << FirstViolation(*m);
}

TEST(BlockRunTest, CatchesARunTakenApartWithoutBreakBeforeMake) {
  LazyCowWithRunUnfold<UnfoldWithoutBreak> strategy;
  auto m = BreakABlockOfACachedRun(strategy, false);
  EXPECT_TRUE(Reported(*m, "changed size")) << FirstViolation(*m);
}

TEST(BlockRunTest, FeatBbmLevel2AllowsTheUnfoldWithoutTheInvalidStep) {
  LazyCowWithRunUnfold<UnfoldWithoutBreak> strategy;
  auto m = BreakABlockOfACachedRun(strategy, true);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

}  // namespace
}  // namespace ttb::testing
