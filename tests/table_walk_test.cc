// Every table walk of the registry, under AddressSpace::ForkFrom: what each
// hands a fork, in what order, what it leaves alone when the pool runs out,
// and exactly how many descriptors it reads.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/address_space.h"
#include "engine/walks/registry.h"
#include "sharing_visitor.h"
#include "sim_memory_fixture.h"

namespace ttb {
namespace {

const Descriptor kRw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);

// Pages under three last-level tables, two of them under one level-2 table,
// and the third 256 GiB up: under another level-2 table (and, in a 48-bit
// regime, the same level-1 table).
struct Mapped {
  VirtAddr va;
  uint64_t pages;
};
constexpr Mapped kLayout[] = {
    {0x20'0000, 3}, {0x40'0000, 1}, {0x40'0000'0000, 2}};
constexpr uint64_t kLayoutPages = 6;

using Param = std::tuple<const TableWalk*, Regime>;

class TableWalkTest : public SimMemoryTest,
                      public ::testing::WithParamInterface<Param> {
 protected:
  void SetUp() override {
    SimMemoryTest::SetUp();
    ASSERT_EQ(parent_.Init(&pool(), regime(), 1), Status::kOk);
    for (const Mapped& r : kLayout) {
      ASSERT_EQ(parent_.Map(r.va, r.pages, kRw), Status::kOk);
    }
  }
  void TearDown() override {
    parent_.Release();
    EXPECT_EQ(pool().frames_in_use(), 0u);
    EXPECT_EQ(pool().stats().invalid_releases, 0u);
  }

  const TableWalk& walk() const { return *std::get<0>(GetParam()); }
  const Regime& regime() const { return std::get<1>(GetParam()); }

  // Every page of `s` and its descriptor.
  static std::vector<std::pair<VirtAddr, uint64_t>> Pages(AddressSpace& s) {
    std::vector<std::pair<VirtAddr, uint64_t>> pages;
    s.ForEachPage(
        [&](VirtAddr va, Descriptor& d) { pages.emplace_back(va, d.bits()); });
    return pages;
  }

  AddressSpace parent_;
};

TEST_P(TableWalkTest, HandsEveryPageToTheForkWithTheChildsSlot) {
  const uint64_t tables = pool().stats().table_frames;
  const auto before = Pages(parent_);
  AddressSpace child;
  ASSERT_EQ(child.Init(&pool(), regime(), 2), Status::kOk);
  SharingVisitor visitor(pool());
  ASSERT_EQ(child.ForkFrom(parent_, walk(), ForkUnit::kPages, visitor),
            Status::kOk);
  // whole_table hands each last-level table whole; the others each valid
  // page alone, in VA order.
  std::vector<std::pair<VirtAddr, unsigned>> want;
  if (walk().whole_tables()) {
    const unsigned entries = regime().entries_per_table();
    want = {
        {0x20'0000, entries}, {0x40'0000, entries}, {0x40'0000'0000, entries}};
  } else {
    for (const Mapped& r : kLayout) {
      for (uint64_t i = 0; i < r.pages; ++i)
        want.emplace_back(r.va + i * 4096, 1);
    }
  }
  EXPECT_EQ(visitor.leaves, want);
  // The child has the parent's tables and pages, each frame referenced
  // twice; the parent is as it was.
  EXPECT_EQ(pool().stats().table_frames, 2 * tables);
  EXPECT_EQ(Pages(child), before);
  EXPECT_EQ(Pages(parent_), before);
  parent_.ForEachPage([&](VirtAddr, Descriptor& d) {
    EXPECT_EQ(pool().RefCount(d.output_address()), 2u);
  });
  child.Release();
  parent_.ForEachPage([&](VirtAddr, Descriptor& d) {
    EXPECT_EQ(pool().RefCount(d.output_address()), 1u);
  });
  EXPECT_EQ(pool().stats().table_frames, tables);
}

TEST_P(TableWalkTest, HandsEveryLastLevelTableToAForkThatSharesThem) {
  const uint64_t tables = pool().stats().table_frames;
  AddressSpace child;
  ASSERT_EQ(child.Init(&pool(), regime(), 2), Status::kOk);
  SharingVisitor visitor(pool());
  ASSERT_EQ(child.ForkFrom(parent_, walk(), ForkUnit::kLeafTables, visitor),
            Status::kOk);
  EXPECT_EQ(visitor.leaf_tables,
            (std::vector<VirtAddr>{0x20'0000, 0x40'0000, 0x40'0000'0000}));
  EXPECT_TRUE(visitor.leaves.empty());
  // Only the tables above the last level are the child's own.
  EXPECT_EQ(pool().stats().table_frames, 2 * tables - 3);
  EXPECT_EQ(Pages(child), Pages(parent_));
  child.Release();
}

TEST_P(TableWalkTest, HandsBlocksAsBlocks) {
  constexpr VirtAddr kBlock = 0x20'0000'0000;
  ASSERT_EQ(parent_.MapBlocks(kBlock, regime().entries_per_table(), kRw),
            Status::kOk);
  ASSERT_NE(parent_.BlockAt(kBlock), nullptr);
  for (const ForkUnit unit : {ForkUnit::kPages, ForkUnit::kLeafTables}) {
    AddressSpace child;
    ASSERT_EQ(child.Init(&pool(), regime(), 2), Status::kOk);
    SharingVisitor visitor(pool());
    ASSERT_EQ(child.ForkFrom(parent_, walk(), unit, visitor), Status::kOk);
    EXPECT_EQ(visitor.blocks, std::vector<VirtAddr>{kBlock});
    ASSERT_NE(child.BlockAt(kBlock), nullptr);
    EXPECT_EQ(*child.BlockAt(kBlock), *parent_.BlockAt(kBlock));
    child.Release();
  }
}

TEST_P(TableWalkTest, RunningOutOfFramesHandsNothingAndLeaksNothing) {
  const auto before = Pages(parent_);
  const uint64_t frames = pool().frames_in_use();
  for (const ForkUnit unit : {ForkUnit::kPages, ForkUnit::kLeafTables}) {
    for (uint64_t n = 1;; ++n) {
      AddressSpace child;
      ASSERT_EQ(child.Init(&pool(), regime(), 2), Status::kOk);
      SharingVisitor visitor(pool());
      pool().FailNthAllocation(n);
      const Status s = child.ForkFrom(parent_, walk(), unit, visitor);
      pool().FailNthAllocation(0);
      child.Release();
      EXPECT_EQ(pool().frames_in_use(), frames) << n;
      EXPECT_EQ(Pages(parent_), before) << n;
      if (s == Status::kOk) break;
      ASSERT_EQ(s, Status::kNoMemory);
      EXPECT_TRUE(visitor.leaves.empty() && visitor.leaf_tables.empty()) << n;
      ASSERT_LT(n, 10u);
    }
  }
  // Spaces of different regimes cannot fork one from the other.
  AddressSpace other;
  const Regime r = regime().va_bits == 48 ? Regime::Va39() : Regime::Va48();
  ASSERT_EQ(other.Init(&pool(), r, 3), Status::kOk);
  SharingVisitor visitor(pool());
  EXPECT_EQ(other.ForkFrom(parent_, walk(), ForkUnit::kPages, visitor),
            Status::kInvalidArgument);
  other.Release();
}

// The descriptors read to fork kLayout, derived by hand. Both regimes:
// ForkFrom first scans every table above the last level (the 48-bit one's
// root, its level-1 table and two level-2 tables; the 39-bit one's root
// and two level-2 tables: 512 entries each) and writes a descriptor per
// table it makes (6 and 5). Then:
//  - whole_table scans every table once more, the last-level ones too (7
//    and 6 tables), and reads the child's descriptor on each of the 6 and
//    5 ways down;
//  - cursor reads the same: each entry once as it passes it, the holes
//    where a missing table lets it skip, and the child's path only where
//    it changes (the same 6 and 5 descriptors);
//  - per_page starts from the root for each of the 1536 VAs of the
//    last-level tables (4 reads each with four levels, 3 with three), and
//    for the child's slot of each of the 6 pages (3 or 2), and for each
//    hole it skips, as deep as the hole: 4594 reads with four levels, 2552
//    with three.
uint64_t ExpectedReads(const std::string& walk, int levels) {
  const uint64_t build = levels == 4 ? 4 * 512 : 3 * 512;
  if (walk == "per_page") {
    // Holes, 48-bit: level-2 entries 0 and 3..511 of the first table (3
    // reads each), level-1 entries 1..255 and 257..511 (2 each), entries
    // 1..511 of the second level-2 table (3 each), root entries 1..511 (1
    // each). 39-bit: the same one level shallower, and no root holes.
    const uint64_t holes = levels == 4 ? 3 * 510 + 2 * 510 + 3 * 511 + 511
                                       : 2 * 510 + 510 + 2 * 511;
    return build + 1536 * levels + kLayoutPages * (levels - 1) + holes;
  }
  const uint64_t tables = levels == 4 ? 7 : 6;
  return build + tables * 512 + (levels == 4 ? 6 : 5);
}

TEST_P(TableWalkTest, ReadsExactlyTheHandDerivedDescriptors) {
  AddressSpace child;
  ASSERT_EQ(child.Init(&pool(), regime(), 2), Status::kOk);
  SharingVisitor visitor(pool());
  const FramePoolStats before = pool().stats();
  ASSERT_EQ(child.ForkFrom(parent_, walk(), ForkUnit::kPages, visitor),
            Status::kOk);
  EXPECT_EQ(pool().stats().table_reads - before.table_reads,
            ExpectedReads(walk().name(), regime().levels()));
  // A descriptor per table made, and each page the walk hands over alone
  // (whole_table's tables are written in place of being zeroed); the
  // sharing visitor counts nothing of its own.
  const uint64_t made = regime().levels() == 4 ? 6 : 5;
  EXPECT_EQ(pool().stats().table_writes - before.table_writes,
            made + (walk().whole_tables() ? 0 : kLayoutPages));
  child.Release();
}

INSTANTIATE_TEST_SUITE_P(
    Registry, TableWalkTest,
    ::testing::Combine(::testing::ValuesIn(std::begin(kWalks),
                                           std::end(kWalks)),
                       ::testing::Values(Regime::Va39(), Regime::Va48())),
    [](const ::testing::TestParamInfo<Param>& info) {
      return std::string(std::get<0>(info.param)->name()) + "_Va" +
             std::to_string(std::get<1>(info.param).va_bits);
    });

}  // namespace
}  // namespace ttb
