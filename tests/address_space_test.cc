#include "engine/address_space.h"

#include <gtest/gtest.h>

#include <cstring>
#include <utility>
#include <vector>

#include "engine/walks/registry.h"
#include "sharing_visitor.h"
#include "sim_memory_fixture.h"

namespace ttb {
namespace {

const Descriptor kRw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);
constexpr uint64_t kPage = 4096;

// Everything that defines a space's contents: each page and its descriptor,
// and how many frames of each use the pool holds.
struct Snapshot {
  std::vector<std::pair<VirtAddr, uint64_t>> pages;
  uint64_t data_frames;
  uint64_t table_frames;
  bool operator==(const Snapshot&) const = default;
};

class AddressSpaceTest : public SimMemoryTest,
                         public testing::WithParamInterface<Regime> {
 protected:
  void SetUp() override {
    SimMemoryTest::SetUp();
    ASSERT_EQ(space_.Init(&pool(), GetParam(), 1), Status::kOk);
  }
  void TearDown() override { space_.Release(); }

  Snapshot Take() {
    Snapshot s{{}, pool().stats().data_frames, pool().stats().table_frames};
    space_.ForEachPage([&](VirtAddr va, Descriptor& d) {
      s.pages.emplace_back(va, d.bits());
    });
    return s;
  }

  AddressSpace space_;
};

TEST_P(AddressSpaceTest, MapTranslateAndWriteRealBytes) {
  const VirtAddr va = 0x12'3400'0000;
  ASSERT_EQ(space_.Map(va, 3, kRw), Status::kOk);
  const Result<Translation> t = space_.Translate(va + kPage + 0x10);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.value().pa & 0xFFF, 0x10u);
  EXPECT_EQ(t.value().leaf.ap(), Ap::kRw);
  EXPECT_TRUE(t.value().leaf.IsPage(3));
  EXPECT_TRUE(t.value().leaf.af());
  std::memcpy(pool().Bytes(t.value().pa), "ttbench", 8);
  EXPECT_STREQ(reinterpret_cast<const char*>(pool().Bytes(
                   space_.Translate(va + kPage + 0x10).value().pa)),
               "ttbench");
  EXPECT_EQ(space_.Translate(va + 3 * kPage).status(), Status::kNotMapped);
  EXPECT_EQ(pool().stats().data_frames, 3u);
}

TEST_P(AddressSpaceTest, RejectsBadRangesAndChangesNothing) {
  const uint64_t top = 1ull << GetParam().va_bits;
  ASSERT_EQ(space_.Map(0x4000, 1, kRw), Status::kOk);
  const Snapshot before = Take();
  EXPECT_EQ(space_.Map(0x4001, 1, kRw), Status::kInvalidArgument);
  EXPECT_EQ(space_.Map(0x8000, 0, kRw), Status::kInvalidArgument);
  EXPECT_EQ(space_.Map(top, 1, kRw), Status::kOutOfRange);
  EXPECT_EQ(space_.Map(top - kPage, 2, kRw), Status::kOutOfRange);
  EXPECT_EQ(space_.Map(0, ~0ull, kRw), Status::kOutOfRange);
  EXPECT_EQ(space_.Map(0x2000, 3, kRw), Status::kAlreadyMapped);
  EXPECT_EQ(space_.Translate(top).status(), Status::kOutOfRange);
  EXPECT_EQ(Take(), before);
}

TEST_P(AddressSpaceTest, TheLastPageOfTheRegimeMapsWithoutWrapping) {
  const uint64_t top = 1ull << GetParam().va_bits;
  ASSERT_EQ(space_.Map(top - kPage, 1, kRw), Status::kOk);
  ASSERT_EQ(space_.Map(0, 1, kRw), Status::kOk);
  EXPECT_NE(space_.Translate(top - kPage).value().pa,
            space_.Translate(0).value().pa);
}

TEST_P(AddressSpaceTest, UnmapDropsFramesAndPrunesEmptyTables) {
  const VirtAddr va = (1ull << 30) - 4 * kPage;  // Crosses a 1 GiB boundary.
  const uint64_t tables_before = pool().stats().table_frames;
  ASSERT_EQ(space_.Map(va, 8, kRw), Status::kOk);
  EXPECT_GT(pool().stats().table_frames, tables_before);
  std::vector<std::pair<VirtAddr, int>> changes;
  ASSERT_EQ(space_.Unmap(va, 8,
                         [&](VirtAddr v, Descriptor old, int level) {
                           changes.emplace_back(v, level);
                           pool().Release(old.output_address());
                         }),
            Status::kOk);
  EXPECT_EQ(pool().stats().data_frames, 0u);
  EXPECT_EQ(pool().stats().table_frames, tables_before);
  int pages = 0, tables = 0;
  for (const auto& [v, level] : changes) (level == 3 ? pages : tables)++;
  EXPECT_EQ(pages, 8);
  // Two level-3 tables and two level-2 tables (one per GiB) were freed, and
  // with four levels the level-1 table above them too.
  EXPECT_EQ(tables, GetParam().levels() == 4 ? 5 : 4);
}

TEST_P(AddressSpaceTest, PartialUnmapKeepsTablesStillInUse) {
  ASSERT_EQ(space_.Map(0x20'0000, 4, kRw), Status::kOk);
  const uint64_t tables = pool().stats().table_frames;
  ASSERT_EQ(space_.Unmap(0x20'0000, 2, ReleaseAtOnce{&pool()}), Status::kOk);
  EXPECT_EQ(pool().stats().table_frames, tables);
  EXPECT_EQ(space_.Translate(0x20'0000).status(), Status::kNotMapped);
  EXPECT_TRUE(space_.Translate(0x20'2000).ok());
  // Unmapping a hole is fine and changes nothing.
  EXPECT_EQ(space_.Unmap(0x4000'0000, 16, ReleaseAtOnce{&pool()}), Status::kOk);
  EXPECT_EQ(pool().stats().data_frames, 2u);
}

TEST_P(AddressSpaceTest, ProtectRewritesAttributesButKeepsFrames) {
  ASSERT_EQ(space_.Map(0x10000, 4, kRw), Status::kOk);
  const PhysAddr pa = space_.Translate(0x11000).value().pa;
  int changed = 0;
  ASSERT_EQ(space_.Protect(0x10000, 4, kRw.with_ap(Ap::kRo).with_cow(true),
                           [&](VirtAddr, Descriptor old, int) {
                             EXPECT_EQ(old.ap(), Ap::kRw);
                             ++changed;
                           }),
            Status::kOk);
  EXPECT_EQ(changed, 4);
  const Translation t = space_.Translate(0x11000).value();
  EXPECT_EQ(t.pa, pa);
  EXPECT_EQ(t.leaf.ap(), Ap::kRo);
  EXPECT_TRUE(t.leaf.cow());
}

TEST_P(AddressSpaceTest, ProtectOverAHoleChangesNothing) {
  ASSERT_EQ(space_.Map(0x10000, 2, kRw), Status::kOk);
  ASSERT_EQ(space_.Map(0x13000, 1, kRw), Status::kOk);
  const Snapshot before = Take();
  EXPECT_EQ(space_.Protect(0x10000, 4, kRw.with_ap(Ap::kRo)),
            Status::kNotMapped);
  EXPECT_EQ(Take(), before);
}

TEST_P(AddressSpaceTest, FailureAtEveryAllocationOfAMultiTableMap) {
  // An existing page below the range, so rollback must keep its tables.
  ASSERT_EQ(space_.Map((1ull << 30) - 0x40'0000, 1, kRw), Status::kOk);
  // 600 pages from 1 MiB below a 1 GiB boundary need a new level-3 table
  // below it, and a new level-2 and level-3 table above it.
  const VirtAddr va = (1ull << 30) - 0x10'0000;
  const Snapshot before = Take();
  int failures = 0;
  for (uint64_t n = 1;; ++n) {
    pool().FailNthAllocation(n);
    const Status s = space_.Map(va, 600, kRw);
    pool().FailNthAllocation(0);
    if (s == Status::kOk) break;
    ASSERT_EQ(s, Status::kNoMemory) << "allocation " << n;
    ASSERT_EQ(Take(), before) << "allocation " << n;
    ++failures;
  }
  // Each of the 600 data frames and 3 tables was made to fail once.
  EXPECT_EQ(failures, 600 + 3);
  EXPECT_EQ(pool().stats().invalid_releases, 0u);
  EXPECT_EQ(pool().stats().data_frames, 601u);
}

// Frames handed to MapFrames, allocated in reverse so that their physical
// order is not the pages' order.
std::vector<PhysAddr> FramesInReverse(FramePool& pool, unsigned count) {
  std::vector<PhysAddr> frames(count);
  for (unsigned i = count; i-- > 0;) {
    frames[i] = pool.Allocate(FrameUse::kData).value();
  }
  return frames;
}

TEST_P(AddressSpaceTest, MapFramesMapsEachPageToTheFrameGiven) {
  const std::vector<PhysAddr> frames = FramesInReverse(pool(), 5);
  ASSERT_EQ(space_.MapFrames(0x40'0000, 5, frames.data(), kRw), Status::kOk);
  for (unsigned i = 0; i < 5; ++i) {
    EXPECT_EQ(space_.Translate(0x40'0000 + i * kPage).value().pa, frames[i]);
    EXPECT_EQ(pool().RefCount(frames[i]), 1u);
  }
  EXPECT_GT(frames[0], frames[4]);
  EXPECT_EQ(pool().stats().data_frames, 5u);
}

TEST_P(AddressSpaceTest, MapFramesReleasesEveryFrameWhenItFails) {
  // As in FailureAtEveryAllocationOfAMultiTableMap: 3 new tables.
  ASSERT_EQ(space_.Map((1ull << 30) - 0x40'0000, 1, kRw), Status::kOk);
  const VirtAddr va = (1ull << 30) - 0x10'0000;
  const Snapshot before = Take();
  int failures = 0;
  for (uint64_t n = 1;; ++n) {
    const std::vector<PhysAddr> frames = FramesInReverse(pool(), 600);
    pool().FailNthAllocation(n);
    const Status s = space_.MapFrames(va, 600, frames.data(), kRw);
    pool().FailNthAllocation(0);
    if (s == Status::kOk) break;
    ASSERT_EQ(s, Status::kNoMemory) << "allocation " << n;
    ASSERT_EQ(Take(), before) << "allocation " << n;
    ++failures;
  }
  EXPECT_EQ(failures, 3);  // Only tables are allocated.
  EXPECT_EQ(pool().stats().invalid_releases, 0u);

  // Over a mapped page: nothing is mapped and the frames go back.
  const std::vector<PhysAddr> more = FramesInReverse(pool(), 2);
  const Snapshot mapped = Take();
  EXPECT_EQ(space_.MapFrames(va - kPage, 2, more.data(), kRw),
            Status::kAlreadyMapped);
  EXPECT_EQ(Take().pages, mapped.pages);
  EXPECT_EQ(pool().stats().data_frames, mapped.data_frames - 2);
}

TEST_P(AddressSpaceTest, MapFramesRefusesATableFrameAndKeepsTheReferences) {
  std::vector<PhysAddr> frames = FramesInReverse(pool(), 2);
  frames.push_back(space_.root());
  EXPECT_EQ(space_.MapFrames(0x40'0000, 3, frames.data(), kRw),
            Status::kInvalidArgument);
  EXPECT_EQ(pool().RefCount(frames[0]), 1u);
  EXPECT_EQ(pool().stats().data_frames, 2u);
  EXPECT_EQ(space_.Translate(0x40'0000).status(), Status::kNotMapped);
}

TEST_P(AddressSpaceTest, AUniformTableIsValidAlikeAndOverConsecutiveFrames) {
  constexpr VirtAddr kTable = 0x20'0000;  // Level-3 table aligned.
  ASSERT_EQ(space_.Map(kTable, 512, kRw), Status::kOk);
  Descriptor* entries = space_.Slot(kTable).value();
  // One Map gives a table's pages consecutive frames.
  EXPECT_TRUE(UniformLeafTable(entries, 512, 12));
  const Descriptor last = entries[511];
  entries[511] = last.with_ap(Ap::kRo);  // Other attributes.
  EXPECT_FALSE(UniformLeafTable(entries, 512, 12));
  entries[511] = Descriptor::Invalid();  // A hole.
  EXPECT_FALSE(UniformLeafTable(entries, 512, 12));
  entries[511] = last.with_output_address(entries[0].output_address());
  EXPECT_FALSE(UniformLeafTable(entries, 512, 12));  // Not consecutive.
  entries[511] = last;
  EXPECT_TRUE(UniformLeafTable(entries, 512, 12));
  const Descriptor invalid[2] = {};
  EXPECT_FALSE(UniformLeafTable(invalid, 2, 12));
}

TEST_P(AddressSpaceTest, CursorDoesNotRewalkFromTheRootForEachPage) {
  ASSERT_EQ(space_.Map(0x4000'0000, 512, kRw), Status::kOk);
  const uint64_t reads = space_.cursor().descriptor_reads();
  for (VirtAddr va = 0x4000'0000; va < 0x4000'0000 + 512 * kPage; va += kPage) {
    ASSERT_TRUE(space_.Translate(va).ok());
  }
  // One table on the path was already known; the rest of the pages cost
  // nothing. A root walk per page would read 512 * (levels - 1).
  EXPECT_LE(space_.cursor().descriptor_reads() - reads, 1u);
  // The map itself (a check pass and a placing pass) read a descriptor per
  // upper level once per pass, not per page.
  EXPECT_LE(reads, 4u * GetParam().levels());
}

TEST_P(AddressSpaceTest, ForEachPageVisitsInAddressOrder) {
  ASSERT_EQ(space_.Map((1ull << GetParam().va_bits) - kPage, 1, kRw),
            Status::kOk);
  ASSERT_EQ(space_.Map(0x3000, 2, kRw), Status::kOk);
  ASSERT_EQ(space_.Map(0x20'0000, 1, kRw), Status::kOk);
  const Snapshot s = Take();
  ASSERT_EQ(s.pages.size(), 4u);
  for (size_t i = 1; i < s.pages.size(); ++i) {
    EXPECT_LT(s.pages[i - 1].first, s.pages[i].first);
  }
}

TEST_P(AddressSpaceTest, ReleaseFreesEveryTableAndFrame) {
  ASSERT_EQ(space_.Map(0, 1000, kRw), Status::kOk);
  ASSERT_EQ(space_.Map(0x40'1000'0000, 10, kRw), Status::kOk);
  const PhysAddr shared = space_.Translate(0x40'1000'0000).value().pa;
  const Descriptor leaf = Descriptor::Page(shared);
  pool().ShareLeaves(&leaf, 1);
  space_.Release();
  EXPECT_EQ(pool().RefCount(shared), 1u);  // Our own reference remains.
  pool().Release(shared);
  EXPECT_EQ(pool().frames_in_use(), 0u);
  EXPECT_EQ(pool().stats().invalid_releases, 0u);
}

INSTANTIATE_TEST_SUITE_P(Regimes, AddressSpaceTest,
                         testing::Values(Regime::Va39(), Regime::Va48()),
                         [](const testing::TestParamInfo<Regime>& info) {
                           return "Va" + std::to_string(info.param.va_bits);
                         });

// The root entry 0 a kernel mapping puts in every root (bare metal's): a
// 2 MiB block of the pool, at the root or under tables of its own down to
// level 2. `tables` gets those tables.
Descriptor KernelEntry(FramePool& pool, const Regime& r, PhysAddr block,
                       std::vector<PhysAddr>& tables) {
  Descriptor entry = Descriptor::Block(block);
  for (int level = 2; level > r.start_level(); --level) {
    tables.push_back(pool.Allocate(FrameUse::kTable).value());
    pool.Descriptors(tables.back())[0] = entry;
    entry = Descriptor::Table(tables.back());
  }
  return entry;
}

// A space whose root's entry 0 is the kernel's.
void InitWithKernel(AddressSpace& space, FramePool& pool, const Regime& r,
                    Descriptor kernel) {
  ASSERT_EQ(space.Init(&pool, r, 1), Status::kOk);
  pool.Descriptors(space.root())[0] = kernel;
  space.ReserveKernelEntries(1);
}

std::vector<VirtAddr> BlocksOf(AddressSpace& space) {
  std::vector<VirtAddr> vas;
  space.ForEachBlock([&](VirtAddr va, Descriptor&) { vas.push_back(va); });
  return vas;
}

// Nothing a space does maps under, visits, forks or frees the kernel's
// entries: with the root at level 2 they are blocks of the same level as
// the space's own (as with a 64 KiB granule's 42-bit regime).
TEST(AddressSpaceKernelEntries, AreNeverMappedVisitedForkedOrFreed) {
  for (const Regime& r : {Regime{12, 30, 40}, Regime::Va48()}) {
    SCOPED_TRACE(r.va_bits);
    auto memory = sim::SimMemory::Create(64 << 20);
    ASSERT_TRUE(memory.ok());
    FramePool& pool = (*memory)->pool();
    const PhysAddr kernel_block = pool.AllocateBlock().value();
    std::vector<PhysAddr> tables;
    const Descriptor kernel = KernelEntry(pool, r, kernel_block, tables);
    const uint64_t kernel_frames = pool.frames_in_use();
    AddressSpace parent;
    InitWithKernel(parent, pool, r, kernel);
    const VirtAddr user = r.level_bytes(r.start_level());
    EXPECT_EQ(parent.Map(0, 1, kRw), Status::kOutOfRange);
    EXPECT_EQ(parent.Map(user - kPage, 2, kRw), Status::kOutOfRange);
    ASSERT_EQ(parent.MapBlocks(user, 512, kRw), Status::kOk);
    ASSERT_EQ(parent.Map(user + (2 << 20), 3, kRw), Status::kOk);
    EXPECT_EQ(BlocksOf(parent), std::vector<VirtAddr>{user});

    // Forked by every walk, pages and tables shared.
    for (const TableWalk* walk : kWalks) {
      for (const ForkUnit unit : {ForkUnit::kPages, ForkUnit::kLeafTables}) {
        SCOPED_TRACE(walk->name());
        AddressSpace child;
        InitWithKernel(child, pool, r, kernel);
        SharingVisitor visitor(pool);
        ASSERT_EQ(child.ForkFrom(parent, *walk, unit, visitor), Status::kOk);
        EXPECT_EQ(BlocksOf(child), std::vector<VirtAddr>{user});
        uint64_t pages = 0;
        child.ForEachPage([&](VirtAddr, Descriptor&) { ++pages; });
        EXPECT_EQ(pages, 3u);
        EXPECT_EQ(pool.Descriptors(child.root())[0], kernel);
        EXPECT_EQ(pool.RefCount(kernel_block), 1u);
        for (const PhysAddr t : tables) EXPECT_EQ(pool.RefCount(t), 1u);
        child.Release();
      }
    }
    parent.Release();
    EXPECT_EQ(pool.stats().invalid_releases, 0u);
    EXPECT_EQ(pool.frames_in_use(), kernel_frames);
    EXPECT_EQ(pool.RefCount(kernel_block), 1u);
  }
}

TEST(AddressSpaceInit, RejectsUnsupportedRegimes) {
  auto memory = sim::SimMemory::Create(1 << 20);
  ASSERT_TRUE(memory.ok());
  AddressSpace space;
  EXPECT_EQ(space.Init(&(*memory)->pool(), Regime{14, 48, 48}, 1),
            Status::kInvalidArgument);
  EXPECT_EQ(space.Init(nullptr, Regime::Va39(), 1), Status::kInvalidArgument);
}

}  // namespace
}  // namespace ttb
