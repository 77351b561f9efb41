#include "engine/frame_pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

#include "sim_memory_fixture.h"

namespace ttb {
namespace {

using FramePoolTest = SimMemoryTest;

TEST_F(FramePoolTest, AllocateGivesAZeroedFrameWithOneReference) {
  const PhysAddr frame = NewFrame();
  EXPECT_EQ(frame % 4096, 0u);
  EXPECT_TRUE(pool().Contains(frame));
  EXPECT_EQ(pool().RefCount(frame), 1u);
  EXPECT_EQ(pool().Use(frame), FrameUse::kData);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(pool().Bytes(frame)[i], 0);
  EXPECT_EQ(pool().stats().data_frames, 1u);
}

TEST_F(FramePoolTest, ReusedFramesAreZeroedAgain) {
  const PhysAddr frame = NewFrame();
  std::memset(pool().Bytes(frame), 0xA5, 4096);
  EXPECT_TRUE(pool().Release(frame));
  const PhysAddr again = NewTable();
  EXPECT_EQ(again, frame);  // The free list is LIFO.
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(pool().Bytes(again)[i], 0);
  EXPECT_EQ(pool().Use(again), FrameUse::kTable);
}

TEST_F(FramePoolTest, ABlockHasOneReferenceAndItsPagesCountTheirOwn) {
  const PhysAddr block = pool().AllocateBlock().value();
  const uint64_t frames = pool().block_frames();
  EXPECT_EQ(frames, 512u);  // A last-level table's worth of 4 KiB frames.
  EXPECT_EQ(block % (frames * 4096), 0u);
  const PhysAddr last = block + (frames - 1) * 4096;
  EXPECT_EQ(pool().RefCount(last), 1u);
  const uint64_t shares = pool().stats().shares;
  pool().ShareBlock(block);  // A fork: one store for the whole block.
  EXPECT_EQ(pool().stats().shares - shares, 1u);
  EXPECT_EQ(pool().RefCount(last), 2u);
  // One sharer splits its mapping into pages: each page takes its own
  // reference and the block drops that sharer's.
  pool().ShareRun(block, static_cast<unsigned>(frames));
  pool().ReleaseBlock(block);
  EXPECT_EQ(pool().RefCount(last), 2u);
  // The other sharer's block goes: the pages stay, held by their own.
  const uint64_t frees = pool().stats().frees;
  pool().ReleaseBlock(block);
  EXPECT_EQ(pool().stats().frees, frees);
  EXPECT_EQ(pool().RefCount(last), 1u);
  EXPECT_TRUE(pool().Release(last));
  EXPECT_EQ(pool().Use(last), FrameUse::kFree);
  EXPECT_EQ(pool().Use(block), FrameUse::kData);
}

TEST_F(FramePoolTest, TheLastReferenceToABlockFreesItsFrames) {
  const PhysAddr block = pool().AllocateBlock().value();
  const PhysAddr copy = pool().CopyBlock(block).value();
  EXPECT_NE(copy, block);
  const uint64_t frees = pool().stats().frees;
  pool().ReleaseBlock(block);
  EXPECT_EQ(pool().stats().frees - frees, pool().block_frames());
  EXPECT_EQ(pool().Use(block), FrameUse::kFree);
  EXPECT_EQ(pool().RefCount(copy), 1u);
  pool().ReleaseBlock(block);  // Not a block any more.
  EXPECT_EQ(pool().stats().invalid_releases, 1u);
}

TEST_F(FramePoolTest, RunsAreAlignedAndTheFramesSkippedAreReused) {
  const PhysAddr single = NewFrame();  // Puts the next fresh frame off 64 KiB.
  const PhysAddr run = pool().AllocateRun(16).value();
  EXPECT_EQ(run % (16 * 4096), 0u);
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(pool().RefCount(run + i * 4096), 1u);
    EXPECT_EQ(pool().Use(run + i * 4096), FrameUse::kData);
  }
  // The frames between the single one and the run are free, not lost.
  const uint64_t skipped = (run - single) / 4096 - 1;
  for (uint64_t i = 0; i < skipped; ++i) {
    const PhysAddr f = NewFrame();
    EXPECT_GT(f, single);
    EXPECT_LT(f, run);
  }
  EXPECT_EQ(pool().stats().data_frames, 1 + 16 + skipped);
}

TEST_F(FramePoolTest, OnceTheFreshFramesAreSpentRunsComeFromFreedOnes) {
  std::vector<PhysAddr> frames;
  while (true) {
    const Result<PhysAddr> f = pool().Allocate(FrameUse::kData);
    if (!f.ok()) break;
    std::memset(pool().Bytes(f.value()), 0xA5, 4096);
    frames.push_back(f.value());
  }
  // Every other frame freed: many free frames, no run of 16.
  for (size_t i = 0; i < frames.size(); i += 2) pool().Release(frames[i]);
  EXPECT_EQ(pool().AllocateRun(16).status(), Status::kNoMemory);
  // Then 16 aligned ones: a run, zeroed, and the list no longer hands
  // them out singly.
  size_t first = 0;
  while (frames[first] % (16 * 4096) != 0) ++first;
  for (size_t i = first; i < first + 16; ++i) {
    if (i % 2 != 0) pool().Release(frames[i]);
  }
  const PhysAddr run = pool().AllocateRun(16).value();
  EXPECT_EQ(run, frames[first]);
  for (uint64_t b = 0; b < 16 * 4096; ++b) ASSERT_EQ(pool().Bytes(run)[b], 0);
  std::set<PhysAddr> singles;
  while (true) {
    const Result<PhysAddr> f = pool().Allocate(FrameUse::kData);
    if (!f.ok()) break;
    EXPECT_TRUE(singles.insert(f.value()).second) << "handed out twice";
    EXPECT_FALSE(f.value() >= run && f.value() < run + 16 * 4096);
  }
  EXPECT_EQ(singles.size(), (frames.size() + 1) / 2 - 8);
}

TEST_F(FramePoolTest, AnUnclearedFrameKeepsItsLastUsersBytes) {
  const PhysAddr frame = NewFrame();
  std::memset(pool().Bytes(frame), 0xA5, 4096);
  EXPECT_TRUE(pool().Release(frame));
  const PhysAddr again = pool().AllocateUncleared(FrameUse::kTable).value();
  EXPECT_EQ(again, frame);
  // All of them: the free list is linked through the metadata.
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(pool().Bytes(again)[i], 0xA5);
  EXPECT_EQ(pool().RefCount(again), 1u);
  EXPECT_EQ(pool().Use(again), FrameUse::kTable);
  EXPECT_EQ(pool().stats().table_frames, 1u);
  EXPECT_EQ(pool().AllocateUncleared(FrameUse::kFree).status(),
            Status::kInvalidArgument);
}

TEST_F(FramePoolTest, SharedFrameIsFreedWithItsLastReference) {
  const PhysAddr frame = NewFrame();
  // Two leaves of a table map the frame; the invalid one between is skipped.
  const Descriptor leaves[3] = {Descriptor::Page(frame), Descriptor::Invalid(),
                                Descriptor::Page(frame)};
  pool().ShareLeaves(leaves, 3);
  EXPECT_EQ(pool().RefCount(frame), 3u);
  EXPECT_FALSE(pool().Release(frame));
  EXPECT_FALSE(pool().Release(frame));
  EXPECT_EQ(pool().stats().data_frames, 1u);
  EXPECT_TRUE(pool().Release(frame));
  EXPECT_EQ(pool().stats().data_frames, 0u);
  EXPECT_EQ(pool().Use(frame), FrameUse::kFree);
  EXPECT_EQ(pool().stats().shares, 2u);
}

TEST_F(FramePoolTest, ShareRunTakesOneReferenceToEachConsecutiveFrame) {
  const PhysAddr frames[3] = {NewFrame(), NewFrame(), NewFrame()};
  ASSERT_EQ(frames[1], frames[0] + 4096);
  ASSERT_EQ(frames[2], frames[1] + 4096);
  pool().ShareRun(frames[0], 2);
  EXPECT_EQ(pool().RefCount(frames[0]), 2u);
  EXPECT_EQ(pool().RefCount(frames[1]), 2u);
  EXPECT_EQ(pool().RefCount(frames[2]), 1u);
  EXPECT_EQ(pool().stats().shares, 2u);
}

TEST_F(FramePoolTest, ShareRunKeepsEachFramesCountExactAcrossGroups) {
  // A fresh pool hands out frames from its first, so frames[g, 2g) make a
  // whole group, which a run from frames[1] to frames[2g + 2] covers.
  constexpr uint64_t g = FramePool::kGroupFrames;
  std::vector<PhysAddr> frames;
  for (uint64_t i = 0; i < 3 * g + 2; ++i) {
    frames.push_back(NewFrame());
    ASSERT_EQ(frames[i], frames[0] + i * 4096);
  }
  pool().ShareRun(frames[1], 2 * g + 2);
  for (uint64_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(pool().RefCount(frames[i]), i >= 1 && i < 2 * g + 3 ? 2u : 1u)
        << i;
  }
  EXPECT_EQ(pool().stats().shares, 2 * g + 2);

  // One frame of the whole group drops its references alone.
  const PhysAddr inner = frames[g + 3];
  EXPECT_FALSE(pool().Release(inner));
  EXPECT_EQ(pool().RefCount(inner), 1u);
  EXPECT_EQ(pool().RefCount(frames[g + 4]), 2u);
  EXPECT_TRUE(pool().Release(inner));
  EXPECT_EQ(pool().Use(inner), FrameUse::kFree);
  EXPECT_EQ(pool().RefCount(frames[g + 2]), 2u);
  // Reused while its group still holds a count, it starts at one.
  const PhysAddr again = NewFrame();
  ASSERT_EQ(again, inner);
  EXPECT_EQ(pool().RefCount(again), 1u);
  EXPECT_TRUE(pool().Release(again));
  // The rest of the group is freed with its two references.
  EXPECT_FALSE(pool().Release(frames[g]));
  EXPECT_TRUE(pool().Release(frames[g]));
}

TEST_F(FramePoolTest, FreshTablesComeFromTheTopAndDataFromTheBottom) {
  const PhysAddr data = NewFrame();
  const PhysAddr table = NewTable();
  const PhysAddr next_table = NewTable();
  EXPECT_EQ(NewFrame(), data + 4096);  // Tables leave data runs unbroken.
  EXPECT_EQ(next_table, table - 4096);
  EXPECT_TRUE(pool().Contains(table));
  EXPECT_FALSE(pool().Contains(table + 4096));  // The pool's last frame.
}

TEST_F(FramePoolTest, CopyDuplicatesTheBytes) {
  const PhysAddr src = NewFrame();
  for (int i = 0; i < 4096; ++i) pool().Bytes(src)[i] = i * 7;
  const Result<PhysAddr> copy = pool().Copy(src);
  ASSERT_TRUE(copy.ok());
  EXPECT_NE(copy.value(), src);
  EXPECT_EQ(std::memcmp(pool().Bytes(copy.value()), pool().Bytes(src), 4096),
            0);
  EXPECT_EQ(pool().stats().copies, 1u);
  EXPECT_EQ(pool().RefCount(copy.value()), 1u);
}

// Without data, a data frame's bytes are never written: not to clear it,
// not to copy into it, not to free it. Tables are cleared as ever.
TEST_F(FramePoolTest, WithoutDataNoDataFrameIsWritten) {
  pool().set_keep_data(false);
  const PhysAddr src = NewFrame();
  std::memset(pool().Bytes(src), 0xA5, 4096);
  const Result<PhysAddr> copy = pool().Copy(src);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(pool().Bytes(copy.value())[0], 0);  // Fresh, and not copied.
  EXPECT_EQ(pool().stats().copies, 1u);
  EXPECT_TRUE(pool().Release(src));
  const PhysAddr again = NewFrame();
  EXPECT_EQ(again, src);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(pool().Bytes(again)[i], 0xA5);
  EXPECT_TRUE(pool().Release(again));
  const PhysAddr table = NewTable();
  EXPECT_EQ(table, src);
  for (int i = 0; i < 4096; ++i) ASSERT_EQ(pool().Bytes(table)[i], 0);
}

TEST_F(FramePoolTest, StatisticsTrackUseAndPeak) {
  std::vector<PhysAddr> frames;
  for (int i = 0; i < 10; ++i) frames.push_back(NewFrame());
  for (int i = 0; i < 3; ++i) frames.push_back(NewTable());
  for (PhysAddr f : frames) pool().Release(f);
  NewFrame();
  EXPECT_EQ(pool().stats().peak_frames, 13u);
  EXPECT_EQ(pool().frames_in_use(), 1u);
  EXPECT_EQ(pool().stats().allocations, 14u);
  EXPECT_EQ(pool().stats().frees, 13u);
  // A peak of what follows: from the one frame in use, up by two.
  pool().ResetPeak();
  EXPECT_EQ(pool().stats().peak_frames, 1u);
  NewFrame();
  pool().Release(NewFrame());
  EXPECT_EQ(pool().stats().peak_frames, 3u);
}

TEST_F(FramePoolTest, FailNthAllocationFailsExactlyThatOne) {
  pool().FailNthAllocation(3);
  EXPECT_TRUE(pool().Allocate(FrameUse::kData).ok());
  const Result<PhysAddr> src = pool().Allocate(FrameUse::kData);
  ASSERT_TRUE(src.ok());
  // Copies allocate too, so the third call fails.
  EXPECT_EQ(pool().Copy(src.value()).status(), Status::kNoMemory);
  EXPECT_TRUE(pool().Allocate(FrameUse::kData).ok());
  EXPECT_EQ(pool().stats().failed_allocations, 1u);
  EXPECT_EQ(pool().frames_in_use(), 3u);

  pool().FailNthAllocation(1);
  EXPECT_EQ(pool().Allocate(FrameUse::kTable).status(), Status::kNoMemory);
  pool().FailNthAllocation(2);
  pool().FailNthAllocation(0);  // Cancelled.
  EXPECT_TRUE(pool().Allocate(FrameUse::kData).ok());
  EXPECT_TRUE(pool().Allocate(FrameUse::kData).ok());
}

TEST_F(FramePoolTest, ExhaustionReturnsNoMemory) {
  std::set<PhysAddr> seen;
  for (uint64_t i = 0; i < pool().capacity(); ++i) {
    const Result<PhysAddr> f = pool().Allocate(FrameUse::kData);
    ASSERT_TRUE(f.ok()) << i;
    ASSERT_TRUE(seen.insert(f.value()).second);
  }
  EXPECT_EQ(pool().Allocate(FrameUse::kData).status(), Status::kNoMemory);
  EXPECT_EQ(pool().stats().failed_allocations, 1u);
}

TEST_F(FramePoolTest, MetadataCostsNineBytesPerFrameAndFourPerGroupOrBlock) {
  // The frames and their metadata fit, and almost nothing else of the
  // range is lost.
  const uint64_t frames = pool().capacity();
  EXPECT_EQ(FramePool::MetadataBytes(FramePool::kGroupFrames + 1),
            (FramePool::kGroupFrames + 1) * 9 + 2 * 4 + 2 * 4);
  EXPECT_LE(frames * 4096 + FramePool::MetadataBytes(frames), kMemoryBytes);
  const double per_frame = 4096 + 9 + 4.0 / FramePool::kGroupFrames +
                           4.0 / FramePool::kMinBlockFrames;
  EXPECT_GE(frames + 2, static_cast<uint64_t>(kMemoryBytes / per_frame));
}

TEST_F(FramePoolTest, ReleasingAFreeFrameIsCountedNotApplied) {
  const PhysAddr frame = NewFrame();
  EXPECT_TRUE(pool().Release(frame));
  EXPECT_FALSE(pool().Release(frame));
  EXPECT_FALSE(pool().Release(0x1000));  // Not pool memory.
  EXPECT_EQ(pool().stats().invalid_releases, 2u);
  EXPECT_EQ(pool().stats().frees, 1u);
}

TEST(FramePoolInit, RejectsMisalignedOrTinyRanges) {
  alignas(4096) static uint8_t memory[8 * 4096];
  FramePool pool;
  EXPECT_EQ(pool.Init(memory + 8, 0x4000'0000, 4096 * 4, 12, false),
            Status::kInvalidArgument);
  EXPECT_EQ(pool.Init(memory, 0x4000'0800, 4096 * 4, 12, false),
            Status::kInvalidArgument);
  EXPECT_EQ(pool.Init(memory, 0x4000'0000, 4096, 12, false),
            Status::kInvalidArgument);
  ASSERT_EQ(pool.Init(memory, 0x4000'0000, sizeof(memory), 12, false),
            Status::kOk);
  EXPECT_EQ(pool.capacity(), 7u);  // One frame holds the metadata.
  EXPECT_FALSE(pool.Contains(0x4000'0000));
  EXPECT_TRUE(pool.Contains(0x4000'1000));
}

}  // namespace
}  // namespace ttb
