#include "engine/asid_allocator.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace ttb {
namespace {

struct NoneRunning {
  template <typename Fn>
  void operator()(Fn&&) const {}
};

TEST(AsidAllocator, HandsOutEachAsidOncePerGenerationAndNeverZero) {
  AsidAllocator asids;
  ASSERT_EQ(asids.Init(8), Status::kOk);
  std::vector<Process> procs(255);
  std::set<Asid> seen;
  for (Process& p : procs) {
    EXPECT_FALSE(asids.Refresh(p, NoneRunning{}));
    EXPECT_NE(p.space.asid(), 0);
    EXPECT_TRUE(seen.insert(p.space.asid()).second);
  }
  EXPECT_EQ(asids.rollovers(), 0u);
  // Valid ASIDs are kept.
  EXPECT_FALSE(asids.Refresh(procs[7], NoneRunning{}));
  EXPECT_EQ(asids.generation(), 1u);
}

TEST(AsidAllocator, RolloverKeepsLiveAsidsAndAsksForAFlush) {
  AsidAllocator asids;
  ASSERT_EQ(asids.Init(8), Status::kOk);
  std::vector<Process> procs(255);
  for (Process& p : procs) asids.Refresh(p, NoneRunning{});
  const Asid live = procs[10].space.asid();
  auto running = [&](auto&& fn) { fn(procs[10]); };  // Live on a CPU.

  Process extra;
  EXPECT_TRUE(asids.Refresh(extra, running));  // 255 in use: rollover.
  EXPECT_EQ(asids.rollovers(), 1u);
  EXPECT_EQ(asids.generation(), 2u);
  EXPECT_EQ(procs[10].space.asid(), live);
  EXPECT_EQ(procs[10].asid_generation, 2u);
  EXPECT_NE(extra.space.asid(), live);
  EXPECT_NE(extra.space.asid(), 0);

  // A process from the old generation keeps its number when it is free.
  const Asid old = procs[20].space.asid();
  EXPECT_FALSE(asids.Refresh(procs[20], running));
  if (old != extra.space.asid()) {
    EXPECT_EQ(procs[20].space.asid(), old);
  }
  EXPECT_EQ(procs[20].asid_generation, 2u);
}

TEST(AsidAllocator, ReassignAlwaysGivesAnUnusedAsid) {
  AsidAllocator asids;
  ASSERT_EQ(asids.Init(16), Status::kOk);
  Process p;
  asids.Refresh(p, NoneRunning{});
  std::set<Asid> seen = {p.space.asid()};
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(asids.Reassign(p, NoneRunning{}));
    EXPECT_TRUE(seen.insert(p.space.asid()).second);
  }
}

// The checker tells a process's orphaned TLB entries by the tenure: it
// moves with every new number, and only then, even when a rollover hands
// back a number the process held before.
TEST(AsidAllocator, TenureCountsTheNumbersAProcessHasHeld) {
  AsidAllocator asids;
  ASSERT_EQ(asids.Init(8), Status::kOk);
  Process p;
  asids.Refresh(p, NoneRunning{});
  const Asid first = p.space.asid();
  EXPECT_EQ(p.asid_tenure, 1u);
  EXPECT_FALSE(asids.Reassign(p, NoneRunning{}));
  EXPECT_EQ(p.asid_tenure, 2u);
  // Run the generation out; the rollover hands `first` back to p.
  std::vector<Process> others(253);
  for (Process& o : others) asids.Refresh(o, NoneRunning{});
  EXPECT_TRUE(asids.Reassign(p, NoneRunning{}));
  EXPECT_EQ(p.space.asid(), first);
  EXPECT_EQ(p.asid_tenure, 3u);
  // Kept across a rollover because it was live: the same tenure.
  auto running = [&](auto&& fn) { fn(p); };
  Process extra;
  while (asids.rollovers() < 2) asids.Reassign(extra, running);
  EXPECT_EQ(p.space.asid(), first);
  EXPECT_EQ(p.asid_tenure, 3u);
}

TEST(AsidAllocator, OnlyEightOrSixteenBits) {
  AsidAllocator asids;
  EXPECT_EQ(asids.Init(12), Status::kInvalidArgument);
  EXPECT_EQ(asids.Init(16), Status::kOk);
  EXPECT_EQ(asids.bits(), 16u);
}

}  // namespace
}  // namespace ttb
