// AddressSpace's leaf-table sharing, under shared_tables' fork: spaces
// share whole last-level tables that no EL may write through (APTable), and
// a space makes one its own before writing into it.
#include <gtest/gtest.h>

#include <vector>

#include "engine/address_space.h"
#include "engine/walker.h"
#include "engine/walks/registry.h"
#include "sim_memory_fixture.h"
#include "variants/shared_tables.h"

namespace ttb {
namespace {

const Descriptor kRw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);
constexpr uint64_t kPage = 4096;
// Pages under three level-3 tables, two of them under one level-2 table.
constexpr VirtAddr kVas[] = {0x20'0000, 0x20'1000, 0x40'0000, 0x40'0000'0000};

Descriptor ReadOnlyCow(Descriptor d) {
  return d.with_ap(Ap::kRo).with_cow(true);
}

class LeafTableSharingTest : public SimMemoryTest,
                             public testing::WithParamInterface<Regime> {
 protected:
  void SetUp() override {
    SimMemoryTest::SetUp();
    ASSERT_EQ(parent_.Init(&pool(), GetParam(), 1), Status::kOk);
    for (VirtAddr va : kVas) ASSERT_EQ(parent_.Map(va, 1, kRw), Status::kOk);
    ASSERT_EQ(child_.Init(&pool(), GetParam(), 2), Status::kOk);
  }
  void TearDown() override {
    child_.Release();
    parent_.Release();
    EXPECT_EQ(pool().frames_in_use(), 0u);
    EXPECT_EQ(pool().stats().invalid_releases, 0u);
  }

  // Shares the parent's tables into the child and marks both, as fork.
  Status Share(AddressSpace& child) {
    LeafTableSharer sharer(pool());
    return child.ForkFrom(parent_, DefaultWalk(), ForkUnit::kLeafTables,
                          sharer);
  }
  void Share() { ASSERT_EQ(Share(child_), Status::kOk); }
  WalkResult Walk(const AddressSpace& s, VirtAddr va, Access access) {
    return Walker(GetParam(), pool()).Walk(s.root(), va, access, El::kEl0);
  }
  PhysAddr LeafTable(const AddressSpace& s, VirtAddr va) {
    const WalkResult w = Walk(s, va, Access::kRead);
    return w.steps[w.step_count - 1].next_table;
  }
  uint32_t Refs(PhysAddr frame) { return pool().RefCount(frame); }
  PhysAddr Frame(AddressSpace& s, VirtAddr va) {
    return s.Translate(va).value().pa;
  }

  AddressSpace parent_;
  AddressSpace child_;
};

TEST_P(LeafTableSharingTest, ShareTakesATableReferenceNotAPageReference) {
  // Both roots, the parent's tables between, and three at level 3.
  const uint64_t tables = pool().stats().table_frames;
  const uint64_t between = tables - 2 - 3;
  ASSERT_EQ(Share(child_), Status::kOk);
  // The child copies only the tables between root and level 3.
  EXPECT_EQ(pool().stats().table_frames, tables + between);
  for (VirtAddr va : kVas) {
    EXPECT_EQ(LeafTable(child_, va), LeafTable(parent_, va));
    EXPECT_EQ(Refs(LeafTable(parent_, va)), 2u);
    EXPECT_EQ(Refs(Frame(parent_, va)), 1u);
    EXPECT_EQ(Frame(child_, va), Frame(parent_, va));
    // Readable through the shared table, never writable (APTable[1]).
    EXPECT_TRUE(Walk(child_, va, Access::kRead).ok());
    EXPECT_EQ(Walk(child_, va, Access::kWrite).fault.kind,
              FaultKind::kPermission);
    EXPECT_TRUE(child_.InSharedLeafTable(va));
    // The parent's entry is marked too.
    EXPECT_EQ(Walk(parent_, va, Access::kWrite).fault.kind,
              FaultKind::kPermission);
    EXPECT_TRUE(parent_.InSharedLeafTable(va));
  }
}

TEST_P(LeafTableSharingTest, ForEachSharedLeafTableVisitsTheRangesTables) {
  Share();
  std::vector<VirtAddr> seen;
  auto record = [&](VirtAddr region) {
    seen.push_back(region);
    return Status::kOk;
  };
  // The whole regime, walked through the tables that exist.
  const uint64_t all = 1ull << (GetParam().va_bits - 12);
  ASSERT_EQ(parent_.ForEachSharedLeafTable(0, all, record), Status::kOk);
  EXPECT_EQ(seen,
            (std::vector<VirtAddr>{0x20'0000, 0x40'0000, 0x40'0000'0000}));
  seen.clear();
  ASSERT_EQ(parent_.ForEachSharedLeafTable(0x40'0000 + kPage, 1, record),
            Status::kOk);
  EXPECT_EQ(seen, std::vector<VirtAddr>{0x40'0000});
  // A table made private is not visited again.
  ASSERT_EQ(parent_.UnshareLeafTable(0x40'0000, ReadOnlyCow, [](VirtAddr) {}),
            Status::kOk);
  seen.clear();
  ASSERT_EQ(parent_.ForEachSharedLeafTable(0, all, record), Status::kOk);
  EXPECT_EQ(seen, (std::vector<VirtAddr>{0x20'0000, 0x40'0000'0000}));
  // The first error stops the walk; bad ranges get Map's errors.
  int calls = 0;
  EXPECT_EQ(parent_.ForEachSharedLeafTable(0, all,
                                           [&](VirtAddr) {
                                             ++calls;
                                             return Status::kNoMemory;
                                           }),
            Status::kNoMemory);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(parent_.ForEachSharedLeafTable(0x123, 1, record),
            Status::kInvalidArgument);
  EXPECT_EQ(parent_.ForEachSharedLeafTable(1ull << 48, 1, record),
            Status::kOutOfRange);
}

TEST_P(LeafTableSharingTest, UnshareCopiesWhileSharedWithBreakBeforeMake) {
  Share();
  const VirtAddr va = kVas[0];
  const PhysAddr shared = LeafTable(parent_, va);
  const PhysAddr frame = Frame(parent_, va);
  int invalidations = 0;
  ASSERT_EQ(child_.UnshareLeafTable(
                va, ReadOnlyCow,
                [&](VirtAddr region) {
                  ++invalidations;
                  EXPECT_EQ(region, va & ~0x1F'FFFFull);
                  // Invalid while the TLBs are cleaned.
                  EXPECT_EQ(Walk(child_, va, Access::kRead).fault.kind,
                            FaultKind::kTranslation);
                }),
            Status::kOk);
  EXPECT_EQ(invalidations, 1);
  EXPECT_NE(LeafTable(child_, va), shared);
  EXPECT_EQ(Refs(shared), 1u);
  EXPECT_FALSE(child_.InSharedLeafTable(va));
  EXPECT_TRUE(parent_.InSharedLeafTable(va));
  // Both tables now map the frame, read-only CoW, one reference each.
  EXPECT_EQ(Refs(frame), 2u);
  EXPECT_EQ(Frame(child_, va), frame);
  EXPECT_TRUE(child_.Slot(va).value()->cow());
  EXPECT_TRUE(parent_.Slot(va).value()->cow());
  // The other table the child shared under the same region is unaffected.
  EXPECT_TRUE(child_.InSharedLeafTable(kVas[3]));
  EXPECT_EQ(Refs(Frame(parent_, kVas[3])), 1u);

  // The parent is now the table's last sharer: it keeps the table, and
  // cleans the TLBs after the entry is relaxed.
  ASSERT_EQ(parent_.UnshareLeafTable(
                va, ReadOnlyCow,
                [&](VirtAddr) {
                  ++invalidations;
                  EXPECT_TRUE(Walk(parent_, va, Access::kRead).ok());
                }),
            Status::kOk);
  EXPECT_EQ(invalidations, 2);
  EXPECT_EQ(LeafTable(parent_, va), shared);
  EXPECT_FALSE(parent_.InSharedLeafTable(va));
  // A private table needs nothing.
  ASSERT_EQ(parent_.UnshareLeafTable(va, ReadOnlyCow,
                                     [&](VirtAddr) { ++invalidations; }),
            Status::kOk);
  EXPECT_EQ(invalidations, 2);
}

TEST_P(LeafTableSharingTest, UnshareWithoutMemoryChangesNothing) {
  Share();
  const VirtAddr va = kVas[2];
  const PhysAddr shared = LeafTable(child_, va);
  const uint64_t frames = pool().frames_in_use();
  pool().FailNthAllocation(1);
  bool invalidated = false;
  EXPECT_EQ(child_.UnshareLeafTable(va, ReadOnlyCow,
                                    [&](VirtAddr) { invalidated = true; }),
            Status::kNoMemory);
  pool().FailNthAllocation(0);
  EXPECT_FALSE(invalidated);
  EXPECT_EQ(LeafTable(child_, va), shared);
  EXPECT_TRUE(child_.InSharedLeafTable(va));
  EXPECT_EQ(pool().frames_in_use(), frames);
  EXPECT_EQ(parent_.Slot(va).value()->ap(), Ap::kRw);  // Not yet CoW.
}

TEST_P(LeafTableSharingTest, ReleaseKeepsTheSharedPagesOfTheOtherSpace) {
  Share();
  child_.Release();
  for (VirtAddr va : kVas) {
    EXPECT_EQ(Refs(LeafTable(parent_, va)), 1u);
    EXPECT_EQ(Refs(Frame(parent_, va)), 1u);
  }
  ASSERT_EQ(child_.Init(&pool(), GetParam(), 2), Status::kOk);
}

TEST_P(LeafTableSharingTest, ShareFailingAtEveryAllocationLeaksNothing) {
  const uint64_t frames = pool().frames_in_use();
  for (uint64_t n = 1;; ++n) {
    AddressSpace child;
    ASSERT_EQ(child.Init(&pool(), GetParam(), 3), Status::kOk);
    pool().FailNthAllocation(n);
    const Status s = Share(child);
    pool().FailNthAllocation(0);
    if (s != Status::kOk) {
      // Every table was allocated before the parent was marked.
      for (VirtAddr va : kVas) EXPECT_FALSE(parent_.InSharedLeafTable(va));
    }
    child.Release();
    EXPECT_EQ(pool().frames_in_use(), frames) << n;
    for (VirtAddr va : kVas) EXPECT_EQ(Refs(LeafTable(parent_, va)), 1u);
    if (s == Status::kOk) break;
    ASSERT_EQ(s, Status::kNoMemory);
    ASSERT_LT(n, 10u);
  }
  AddressSpace other;
  const Regime r = GetParam().va_bits == 48 ? Regime::Va39() : Regime::Va48();
  ASSERT_EQ(other.Init(&pool(), r, 3), Status::kOk);
  LeafTableSharer sharer(pool());
  EXPECT_EQ(
      other.ForkFrom(parent_, DefaultWalk(), ForkUnit::kLeafTables, sharer),
      Status::kInvalidArgument);
  other.Release();
}

INSTANTIATE_TEST_SUITE_P(Regimes, LeafTableSharingTest,
                         testing::Values(Regime::Va39(), Regime::Va48()),
                         [](const testing::TestParamInfo<Regime>& info) {
                           return info.param.va_bits == 39 ? "Va39" : "Va48";
                         });

}  // namespace
}  // namespace ttb
