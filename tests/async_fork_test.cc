// async_fork's own rules: the child's background copy is charged to the
// child's CPU, a parent that needs a region first copies it itself, a
// failed background step changes nothing, and the pair's links survive
// forks and exits in any order. Broken copies of the hand-back are caught.
#include "variants/async_fork.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "checker_scenario.h"
#include "program.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

constexpr int kParentCpu = 0;
constexpr int kChildCpu = 1;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kRegion = 512 * kPage;  // One last-level table's span.
constexpr VirtAddr kBase = 0x40'0000'0000;
constexpr int kRegions = 3;

uint8_t ValueAt(int region, uint64_t page) {
  return static_cast<uint8_t>(region * 64 + page % 61 + 1);
}
VirtAddr PageVa(int region, uint64_t page) {
  return kBase + region * kRegion + page * kPage;
}

std::vector<std::pair<VirtAddr, uint64_t>> Descriptors(Process& p) {
  std::vector<std::pair<VirtAddr, uint64_t>> d;
  p.space.ForEachPage(
      [&](VirtAddr va, Descriptor& e) { d.emplace_back(va, e.bits()); });
  return d;
}

// A parent on CPU 0 with three full last-level tables, every page written
// (so cached writable), and its child, forked and running on CPU 1.
class AsyncForkTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(strategy_); }

  void Start(Strategy<SimArch>& strategy) {
    m_ = *sim::Machine::Create(CheckedConfig(2, true), strategy);
    parent_ = m_->Spawn(kParentCpu).value();
    ASSERT_EQ(m_->Map(kParentCpu, parent_, kBase, kRegions * 512,
                      PageAttrs(Perm::kReadWrite)),
              Status::kOk);
    for (int r = 0; r < kRegions; ++r) {
      for (uint64_t i = 0; i < 512; i += 37) {
        ASSERT_TRUE(Write(kParentCpu, parent_, PageVa(r, i), ValueAt(r, i)));
      }
    }
    frames_before_fork_ = m_->pool().frames_in_use();
    child_ = m_->Fork(kParentCpu, parent_).value();
    m_->Run(kChildCpu, child_);
  }

  bool Write(int cpu, sim::Pid pid, VirtAddr va, uint8_t value) {
    const std::vector<uint8_t> bytes(8, value);
    return m_->Write(cpu, pid, va, bytes).ok;
  }
  uint8_t Read(int cpu, sim::Pid pid, VirtAddr va) {
    std::vector<uint8_t> bytes(1);
    EXPECT_TRUE(m_->Read(cpu, pid, va, bytes).ok);
    return bytes[0];
  }
  // Background steps on the child's CPU until none is left; how many.
  int CopyAll() {
    int steps = 0;
    while (m_->Background(kChildCpu, child_).value()) ++steps;
    return steps;
  }
  // Every sampled page of both processes holds what it held at the fork.
  void ExpectBothAsForked() {
    for (const sim::Pid pid : {parent_, child_}) {
      for (int r = 0; r < kRegions; ++r) {
        for (uint64_t i = 0; i < 512; i += 37) {
          ASSERT_EQ(Read(kParentCpu, pid, PageVa(r, i)), ValueAt(r, i));
        }
      }
    }
  }
  void ExpectClean() {
    EXPECT_TRUE(m_->checker()->violations().empty()) << FirstViolation(*m_);
    EXPECT_EQ(m_->counters().livelocks, 0u);
  }

  AsyncFork<SimArch> strategy_;
  std::unique_ptr<sim::Machine> m_;
  sim::Pid parent_ = 0;
  sim::Pid child_ = 0;
  uint64_t frames_before_fork_ = 0;
};

TEST_F(AsyncForkTest, TheChildCopiesEveryTableOnItsOwnCpu) {
  // The fork itself shared three tables, one reference each.
  EXPECT_EQ(m_->counters(kParentCpu).frames_shared, 3u);
  const sim::MachineCounters parent_before = m_->counters(kParentCpu);
  EXPECT_EQ(CopyAll(), kRegions);
  // The parent's CPU did nothing while the child copied.
  EXPECT_EQ(m_->counters(kParentCpu).tables_allocated,
            parent_before.tables_allocated);
  EXPECT_EQ(m_->counters(kParentCpu).frames_shared,
            parent_before.frames_shared);
  EXPECT_EQ(m_->counters(kChildCpu).tables_allocated, uint64_t{kRegions});
  EXPECT_EQ(m_->counters(kChildCpu).frames_shared, kRegions * 512u);
  EXPECT_EQ(m_->process(child_)->copying_from, nullptr);
  EXPECT_EQ(m_->process(parent_)->copied_by, nullptr);
  // The parent's writes now copy pages, never a table, and stay its own.
  for (int r = 0; r < kRegions; ++r) {
    ASSERT_TRUE(Write(kParentCpu, parent_, PageVa(r, 0), 0xEE));
  }
  EXPECT_EQ(m_->counters(kParentCpu).tables_allocated,
            parent_before.tables_allocated);
  EXPECT_EQ(Read(kChildCpu, child_, PageVa(1, 0)), ValueAt(1, 0));
  EXPECT_EQ(Read(kParentCpu, parent_, PageVa(1, 0)), 0xEE);
  ExpectClean();
}

TEST_F(AsyncForkTest, AParentWriteAheadOfTheChildCopiesThatTableItself) {
  ASSERT_TRUE(m_->Background(kChildCpu, child_).value());  // Region 0.
  const uint64_t parent_tables = m_->counters(kParentCpu).tables_allocated;
  ASSERT_TRUE(Write(kParentCpu, parent_, PageVa(2, 37), 0xAB));
  EXPECT_EQ(m_->counters(kParentCpu).tables_allocated, parent_tables + 1);
  // Region 1 is still the child's to copy; region 2's table is its alone.
  EXPECT_EQ(CopyAll(), 2);
  EXPECT_EQ(m_->counters(kChildCpu).tables_allocated, 2u);
  EXPECT_EQ(Read(kChildCpu, child_, PageVa(2, 37)), ValueAt(2, 37));
  EXPECT_EQ(Read(kParentCpu, parent_, PageVa(2, 37)), 0xAB);
  ExpectClean();
}

TEST_F(AsyncForkTest, ABackgroundStepWithoutMemoryChangesNothing) {
  FramePool& pool = m_->pool();
  int failures = 0;
  for (uint64_t n = 1;; ++n) {
    const auto parent = Descriptors(*m_->process(parent_));
    const auto child = Descriptors(*m_->process(child_));
    const uint64_t frames = pool.frames_in_use();
    pool.FailNthAllocation(n % 2 == 0 ? 1 : 0);  // Every other step's table.
    const Result<bool> step = m_->Background(kChildCpu, child_);
    pool.FailNthAllocation(0);
    if (step.ok()) {
      if (!step.value()) break;
      continue;
    }
    ASSERT_EQ(step.status(), Status::kNoMemory);
    ++failures;
    ASSERT_EQ(Descriptors(*m_->process(parent_)), parent);
    ASSERT_EQ(Descriptors(*m_->process(child_)), child);
    ASSERT_EQ(pool.frames_in_use(), frames);
    ASSERT_LT(failures, 10);
  }
  EXPECT_GT(failures, 0);
  ExpectBothAsForked();
  ExpectClean();
}

TEST_F(AsyncForkTest, AChildKilledMidCopyLeavesTheParentWhole) {
  ASSERT_TRUE(m_->Background(kChildCpu, child_).value());
  m_->pool().FailNthAllocation(1);
  EXPECT_EQ(m_->Background(kChildCpu, child_).status(), Status::kNoMemory);
  m_->pool().FailNthAllocation(0);
  m_->Exit(kChildCpu, child_);
  EXPECT_EQ(m_->process(parent_)->copied_by, nullptr);
  // Every table is the parent's again, its pages writable in place.
  for (int r = 0; r < kRegions; ++r) {
    ASSERT_TRUE(Write(kParentCpu, parent_, PageVa(r, 37), 0x11));
    EXPECT_EQ(Read(kParentCpu, parent_, PageVa(r, 74)), ValueAt(r, 74));
  }
  // Region 0's pages are CoW, but no one else shares them any more.
  EXPECT_EQ(m_->pool().stats().copies, 0u);
  EXPECT_EQ(m_->pool().frames_in_use(), frames_before_fork_);
  ExpectClean();
}

TEST_F(AsyncForkTest, AParentThatExitsLeavesTheChildItsTables) {
  ASSERT_TRUE(m_->Background(kChildCpu, child_).value());
  m_->Exit(kParentCpu, parent_);
  EXPECT_EQ(m_->process(child_)->copying_from, nullptr);
  EXPECT_FALSE(m_->Background(kChildCpu, child_).value());
  for (int r = 0; r < kRegions; ++r) {
    ASSERT_EQ(Read(kChildCpu, child_, PageVa(r, 37)), ValueAt(r, 37));
    ASSERT_TRUE(Write(kChildCpu, child_, PageVa(r, 37), 0x22));
  }
  m_->Exit(kChildCpu, child_);
  EXPECT_EQ(m_->pool().frames_in_use(), 0u);
  EXPECT_EQ(m_->pool().stats().invalid_releases, 0u);
  ExpectClean();
}

TEST_F(AsyncForkTest, AForkFirstFinishesThePreviousChildsCopy) {
  ASSERT_TRUE(m_->Background(kChildCpu, child_).value());
  const sim::Pid second = m_->Fork(kParentCpu, parent_).value();
  EXPECT_EQ(m_->process(child_)->copying_from, nullptr);
  EXPECT_EQ(m_->process(child_)->space.NextSharedLeafTable(0).status(),
            Status::kNotMapped);
  EXPECT_EQ(m_->process(second)->copying_from, m_->process(parent_));
  // The second child forks before it has copied anything: its own copy
  // comes first, so the grandchild shares only tables it owns.
  const sim::Pid grandchild = m_->Fork(kChildCpu, second).value();
  EXPECT_EQ(m_->process(second)->copying_from, nullptr);
  EXPECT_EQ(m_->process(grandchild)->copying_from, m_->process(second));
  child_ = grandchild;
  EXPECT_EQ(CopyAll(), kRegions);
  ExpectBothAsForked();
  ExpectClean();
}

// Hands each table back with a last-level TLBI: the parent's walk cache
// keeps the level-2 entry with APTable[1], so its writes there keep
// faulting (Arm ARM D8.13: a last-level TLBI may leave table entries).
class AsyncForkHandingBackWithLastLevelTlbi final : public AsyncFork<SimArch> {
 protected:
  void HandBack(Kernel<SimArch>& k, Process& parent, VirtAddr region) override {
    SimArch& arch = k.arch();
    const Shareability sh = k.shareability();
    parent.space.ReclaimLeafTable(region, [&](VirtAddr r) {
      MaintenanceSequence(arch, sh, [&] {
        InvalidateVa(arch, parent.space.asid(), r, /*last_level=*/true, sh);
      });
    });
  }
};

// Forks without flushing the parent's cached writable entries: the parent
// writes into frames the child still shares.
class AsyncForkWithoutParentFlush final : public AsyncFork<SimArch> {
 protected:
  void AfterMarkingParent(Kernel<SimArch>& k, Process&) override {
    PublishTableStores(k);
  }
};

TEST(AsyncForkBroken, AHandBackThatLeavesTheWalkCacheIsCaught) {
  AsyncForkHandingBackWithLastLevelTlbi strategy;
  Scenario s = ForkAfterWrites(strategy, 2, true);
  sim::Machine& m = *s.machine;
  // The parent walks (and caches) its level-2 entry while it is shared.
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m.Read(0, s.parent, kVa, bytes).ok);
  while (m.Background(1, s.child).value()) {
  }
  m.Write(0, s.parent, kVa, kAfter);
  EXPECT_TRUE(m.counters().livelocks != 0 ||
              !m.checker()->violations().empty());
  EXPECT_TRUE(AShortProgramFails(strategy));
}

TEST(AsyncForkBroken, AForkThatKeepsTheParentsWritableEntriesIsCaught) {
  AsyncForkWithoutParentFlush strategy;
  Scenario s = ForkAfterWrites(strategy, 1, true);
  sim::Machine& m = *s.machine;
  ASSERT_TRUE(m.Write(0, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(m, "more than the tables'")) << FirstViolation(m);
  EXPECT_TRUE(AShortProgramFails(strategy));
}

TEST(AsyncForkPrograms, RandomProgramsReachTheBackgroundCopy) {
  AsyncFork<SimArch> strategy;
  const ProgramConfig config{2, Regime::Va48(), false};
  RunStats stats;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const std::optional<Failure> failure = RunProgram(
        GenerateProgram(seed, 2'500, config), config, strategy, &stats);
    ASSERT_FALSE(failure.has_value()) << *failure;
  }
  EXPECT_GT(stats.background_steps, 4u);
}

}  // namespace
}  // namespace ttb::testing
