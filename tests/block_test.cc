// Level-2 blocks in every granule (2 MiB with 4 KiB pages, 32 MiB with
// 16 KiB, 512 MiB with 64 KiB): MapBlocks maps aligned blocks, a TLB holds
// a block as one entry, fork shares a block with one reference, a CoW
// break or a partial unmap splits it with break-before-make or copies it
// whole; and broken copies of each rule the split relies on are caught.
#include "engine/block.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "granule_cases.h"
#include "reference_model.h"
#include "variants/lazy_cow.h"
#include "variants/registry.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

// Splits the block with its entry made invalid but no TLBI at all: the
// TLB keeps the block beside the pages walks now find.
Status SplitWithoutInvalidating(Kernel<SimArch>& k, AddressSpace& space,
                                VirtAddr va) {
  const Status s = space.SplitBlock(va, true, [](VirtAddr) {});
  k.arch().Dsb(Barrier::kIsh);
  k.arch().Isb();
  return s;
}
// Writes the table over the block at once, then invalidates: the FEAT_BBM
// level 2 sequence, on a core without it.
Status SplitWithoutBreak(Kernel<SimArch>& k, AddressSpace& space, VirtAddr va) {
  const Status s = space.SplitBlock(va, false, [&](VirtAddr block_va) {
    InvalidateBlock(k, space, block_va);
  });
  k.arch().Isb();
  return s;
}
// Copies the block and writes the copy over it, then invalidates.
Status CopyBlockWithoutBreak(Kernel<SimArch>& k, AddressSpace& space,
                             VirtAddr va, Descriptor writable) {
  Descriptor* entry = space.BlockAt(va);
  const PhysAddr old = entry->output_address();
  const Result<PhysAddr> copy = k.pool().CopyBlock(old);
  if (!copy.ok()) return copy.status();
  *entry = writable.with_output_address(copy.value());
  InvalidateBlock(k, space, va & ~(space.regime().level_bytes(2) - 1));
  k.pool().ReleaseBlock(old);
  return Status::kOk;
}

template <auto Split, auto BreakBlock = BreakWholeBlock<SimArch>>
class LazyCowWithBlockBreak final : public LazyCow<SimArch> {
 public:
  FaultOutcome OnFault(Kernel<SimArch>& k, Process& p, VirtAddr va, Fault fault,
                       Access access) override {
    return HandleCowFault<SimArch, BreakBeforeMake<SimArch>, UnfoldRun<SimArch>,
                          BreakWholeRun<SimArch>, Split, BreakBlock>(
        k, p, va, fault, access);
  }
};

class BlockTest : public GranuleTest {
 protected:
  uint64_t block_bytes() const { return regime().level_bytes(2); }
  uint64_t block_pages() const { return block_bytes() / page(); }
  VirtAddr base() const { return block_bytes() * 3; }

  // Room for three blocks, a copy, their alignment and the tables.
  std::unique_ptr<sim::Machine> NewMachine(Strategy<SimArch>& strategy,
                                           int cpus, bool speculate,
                                           bool bbm_level2 = false,
                                           bool copies_whole = false) {
    return GranuleTest::NewMachine(strategy, cpus, speculate, bbm_level2,
                                   copies_whole, 6 * block_bytes());
  }
  // A process with `blocks` blocks from base(), written at their first and
  // fifth pages on every CPU (so each caches the block).
  sim::Pid MapBlocksAndWrite(sim::Machine& m, int cpus, int blocks = 1) {
    const sim::Pid pid = m.Spawn(0).value();
    EXPECT_EQ(m.MapBlocks(0, pid, base(), blocks * block_pages(),
                          PageAttrs(Perm::kReadWrite)),
              Status::kOk);
    for (int cpu = cpus - 1; cpu >= 0; --cpu) {
      for (int b = 0; b < blocks; ++b) {
        for (const VirtAddr va : {base(), base() + 5 * page()}) {
          EXPECT_TRUE(m.Write(cpu, pid, va + b * block_bytes(), kBefore).ok);
        }
      }
    }
    return pid;
  }
  // A forked parent that reads the first page of its block (caching the
  // block) and then writes the second (a CoW break inside it).
  std::unique_ptr<sim::Machine> BreakAPageOfACachedBlock(
      Strategy<SimArch>& strategy, bool bbm_level2, bool speculate = false) {
    auto m = NewMachine(strategy, 1, speculate, bbm_level2);
    const sim::Pid parent = MapBlocksAndWrite(*m, 1);
    EXPECT_TRUE(m->Fork(0, parent).ok());
    std::vector<uint8_t> bytes(4);
    EXPECT_TRUE(m->Read(0, parent, base(), bytes).ok);
    EXPECT_TRUE(m->Write(0, parent, base() + page(), kAfter).ok);
    return m;
  }
  static bool Block(sim::Machine& m, sim::Pid pid, VirtAddr va) {
    return m.process(pid)->space.BlockAt(va) != nullptr;
  }
};

TEST_P(BlockTest, MapBlocksMapsAlignedBlocksAndPagesAroundThem) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = m->Spawn(0).value();
  ASSERT_EQ(m->MapBlocks(0, pid, base() - page(), block_pages() + 2,
                         PageAttrs(Perm::kReadWrite)),
            Status::kOk);
  AddressSpace& space = m->process(pid)->space;
  const Translation t = space.Translate(base() + 3 * page() + 8).value();
  EXPECT_EQ(t.level, 2);
  EXPECT_EQ((t.pa - 3 * page() - 8) % block_bytes(), 0u)
      << "the block's frames are aligned";
  EXPECT_FALSE(t.leaf.contiguous());
  EXPECT_EQ(space.Translate(base() - page()).value().level, 3);
  EXPECT_EQ(space.Translate(base() + block_bytes()).value().level, 3);
  EXPECT_EQ(m->pool().RefCount(t.pa), 1u);
  // Mapping over it fails and changes nothing.
  EXPECT_EQ(
      m->MapBlocks(0, pid, base(), block_pages(), PageAttrs(Perm::kReadWrite)),
      Status::kAlreadyMapped);
  EXPECT_TRUE(Block(*m, pid, base()));
  ASSERT_EQ(m->Unmap(0, pid, base() - page(), block_pages() + 2), Status::kOk);
  EXPECT_EQ(m->pool().Use(t.pa), FrameUse::kFree);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

TEST_P(BlockTest, WithoutABlockOfFramesMapBlocksFallsBackToPages) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = m->Spawn(0).value();
  // The tables first, so that the next allocation is the block's.
  ASSERT_EQ(
      m->Map(0, pid, base() + block_bytes(), 1, PageAttrs(Perm::kReadWrite)),
      Status::kOk);
  ASSERT_EQ(m->Unmap(0, pid, base() + block_bytes(), 1), Status::kOk);
  ASSERT_EQ(
      m->Map(0, pid, base() + block_bytes(), 1, PageAttrs(Perm::kReadWrite)),
      Status::kOk);
  m->pool().FailNthAllocation(1);
  ASSERT_EQ(
      m->MapBlocks(0, pid, base(), block_pages(), PageAttrs(Perm::kReadWrite)),
      Status::kOk);
  EXPECT_FALSE(Block(*m, pid, base()));
  EXPECT_EQ(m->process(pid)->space.Translate(base()).value().level, 3);
  EXPECT_EQ(m->pool().stats().failed_allocations, 1u);
}

TEST_P(BlockTest, TheTlbHoldsABlockAsOneEntry) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 1, false);
  const sim::Pid pid = MapBlocksAndWrite(*m, 1);
  const sim::TlbEntry* e =
      m->system().tlb(0).Peek(base(), m->process(pid)->space.asid());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->level, 2);
  // Neoverse N1's L1 holds 2 MiB and 512 MiB blocks whole, and a 32 MiB
  // one in 2 MiB entries: one walk covers both writes.
  EXPECT_EQ(e->bytes(),
            block_bytes() == (32u << 20) ? (2u << 20) : block_bytes());
  EXPECT_EQ(m->counters(0).walks, 1u);
}

// Every strategy: fork shares the block with one reference and keeps it
// whole in both spaces; a CoW break inside it splits the writer's into
// pages (same frames, but the one copied), and the child still reads what
// was there.
TEST_P(BlockTest, ForkSharesTheBlockAndACowBreakSplitsIt) {
  for (Strategy<SimArch>* strategy : kStrategies<SimArch>) {
    SCOPED_TRACE(strategy->name());
    strategy->ResetTunables();
    auto m = NewMachine(*strategy, 2, true);
    const sim::Pid parent = MapBlocksAndWrite(*m, 2);
    const PhysAddr head =
        m->process(parent)->space.BlockAt(base())->output_address();
    const uint64_t shares = m->pool().stats().shares;
    const sim::Pid child = m->Fork(0, parent).value();
    const bool eager = std::string(strategy->name()) == "eager_copy";
    EXPECT_TRUE(Block(*m, parent, base()));
    EXPECT_TRUE(Block(*m, child, base()));
    EXPECT_EQ(m->pool().RefCount(head), eager ? 1u : 2u);
    if (!eager) {
      EXPECT_EQ(m->pool().stats().shares - shares, 1u);
    }
    const VirtAddr broken = base() + 5 * page();
    const sim::AccessResult w = m->Write(1, parent, broken, kAfter);
    ASSERT_TRUE(w.ok) << w.Failure() << " " << FirstViolation(*m);
    EXPECT_EQ(Block(*m, parent, base()), eager);
    EXPECT_TRUE(Block(*m, child, base()));
    std::vector<uint8_t> bytes(4);
    ASSERT_TRUE(m->Read(0, child, broken, bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    ASSERT_TRUE(m->Read(0, parent, broken, bytes).ok);
    EXPECT_EQ(bytes, kAfter);
    ASSERT_TRUE(m->Read(1, parent, base(), bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    m->Exit(0, child);
    m->Exit(0, parent);
    EXPECT_EQ(m->pool().Use(head), FrameUse::kFree);
    EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
  }
}

// With the kernel copying whole mappings: every strategy's CoW break
// copies the whole block, which stays a block on both sides; once the
// child is gone, a break takes the next block over in place. A 512 MiB
// block takes seconds to copy under ASan, so with 64 KiB pages lazy_cow
// stands for the rest: they share the CoW handler.
TEST_P(BlockTest, ACowBreakCanCopyTheWholeBlock) {
  for (Strategy<SimArch>* strategy : kStrategies<SimArch>) {
    SCOPED_TRACE(strategy->name());
    if (block_bytes() > (32u << 20) &&
        std::string(strategy->name()) != "lazy_cow") {
      continue;
    }
    strategy->ResetTunables();
    auto m = NewMachine(*strategy, 2, true, false, /*copies_whole=*/true);
    const sim::Pid parent = MapBlocksAndWrite(*m, 2, 2);
    const sim::Pid child = m->Fork(0, parent).value();
    AddressSpace& space = m->process(parent)->space;
    const PhysAddr before = space.Translate(base()).value().pa;
    const uint64_t copies = m->pool().stats().copies;
    ASSERT_TRUE(m->Write(1, parent, base() + 5 * page(), kAfter).ok);
    EXPECT_TRUE(Block(*m, parent, base()));
    if (std::string(strategy->name()) != "eager_copy") {
      EXPECT_EQ(m->pool().stats().copies - copies, block_pages());
      EXPECT_NE(space.Translate(base()).value().pa, before);
    }
    std::vector<uint8_t> bytes(4);
    ASSERT_TRUE(m->Read(0, parent, base(), bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    ASSERT_TRUE(m->Read(0, child, base() + 5 * page(), bytes).ok);
    EXPECT_EQ(bytes, kBefore);
    m->Exit(0, child);
    const VirtAddr next = base() + block_bytes();
    const PhysAddr own = space.Translate(next).value().pa;
    ASSERT_TRUE(m->Write(1, parent, next, kAfter).ok);
    EXPECT_EQ(space.Translate(next).value().pa, own);
    EXPECT_TRUE(Block(*m, parent, next));
    EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
  }
}

TEST_P(BlockTest, UnmappingPartOfABlockSplitsTheRest) {
  LazyCow<SimArch> strategy;
  auto m = NewMachine(strategy, 2, true);
  const sim::Pid pid = MapBlocksAndWrite(*m, 2);
  ASSERT_EQ(m->Unmap(0, pid, base() + page(), 2), Status::kOk);
  EXPECT_FALSE(Block(*m, pid, base()));
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m->Read(1, pid, base() + 5 * page(), bytes).ok);
  EXPECT_EQ(bytes, kBefore);
  EXPECT_FALSE(m->Read(1, pid, base() + page(), bytes).ok);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

TEST_P(BlockTest, CatchesABlockSplitWithoutInvalidatingTheBlockEntry) {
  LazyCowWithBlockBreak<SplitWithoutInvalidating> strategy;
  auto m = BreakAPageOfACachedBlock(strategy, /*bbm_level2=*/false,
                                    /*speculate=*/true);
  EXPECT_TRUE(Reported(*m, "TLB conflict")) << FirstViolation(*m);
}

TEST_P(BlockTest, CatchesABlockSplitWithoutBreakBeforeMake) {
  LazyCowWithBlockBreak<SplitWithoutBreak> strategy;
  auto m = BreakAPageOfACachedBlock(strategy, /*bbm_level2=*/false);
  EXPECT_TRUE(Reported(*m, "changed size")) << FirstViolation(*m);
}

TEST_P(BlockTest, FeatBbmLevel2AllowsTheSplitWithoutTheInvalidStep) {
  LazyCowWithBlockBreak<SplitWithoutBreak> strategy;
  auto m = BreakAPageOfACachedBlock(strategy, /*bbm_level2=*/true);
  EXPECT_TRUE(m->checker()->violations().empty()) << FirstViolation(*m);
}

TEST_P(BlockTest, CatchesABlockCopiedWithoutBreakBeforeMake) {
  LazyCowWithBlockBreak<SplitBlock<SimArch>, CopyBlockWithoutBreak> strategy;
  auto m = NewMachine(strategy, 1, false, false, /*copies_whole=*/true);
  const sim::Pid parent = MapBlocksAndWrite(*m, 1);
  ASSERT_TRUE(m->Fork(0, parent).ok());
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m->Read(0, parent, base(), bytes).ok);
  ASSERT_TRUE(m->Write(0, parent, base() + page(), kAfter).ok);
  EXPECT_TRUE(Reported(*m, "break-before-make violated")) << FirstViolation(*m);
}

INSTANTIATE_TEST_SUITE_P(Granules, BlockTest,
                         ::testing::ValuesIn(kGranuleCases), GranuleName);

}  // namespace
}  // namespace ttb::testing
