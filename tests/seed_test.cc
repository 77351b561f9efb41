// The seed kernel's fork and CoW fault, copied faithfully (seed_fork.h):
// the suite names each of its bugs on its own, catches them together on
// random programs, and passes the copy once every bug is off.
#include <gtest/gtest.h>

#include <vector>

#include "checker_scenario.h"
#include "engine/sim/sim_memory.h"
#include "program.h"
#include "seed_fork.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

TEST(SeedFork, WithEveryBugTheDifferentialHarnessFails) {
  SeedFork<kEverySeedBug> seed;
  EXPECT_TRUE(AShortProgramFails(seed));
}

TEST(SeedFork, WithNoBugItPassesTheDifferentialHarness) {
  SeedFork<0> fixed;
  EXPECT_FALSE(AShortProgramFails(fixed));
}

TEST(SeedFork, TheRawVaOperandInvalidatesAnotherPage) {
  // TLBI operands hold VA[55:12] in bits 43:0: the raw VA names a page
  // 4096 times further up.
  EXPECT_NE(tlbi::DecodeVa(kVa).va, kVa);
  SeedFork<kRawVaOperand> seed;
  Scenario s = ForkAfterWrites(seed, 1);
  ASSERT_TRUE(s.machine->Write(0, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "more than the tables'"))
      << FirstViolation(*s.machine);
}

TEST(SeedFork, TheTlbiWithoutBarriersNeverCompletes) {
  SeedFork<kNoBarriers> seed;
  Scenario s = ForkAfterWrites(seed, 2);
  ASSERT_TRUE(s.machine->Write(1, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "TLBI completion needs a DSB"))
      << FirstViolation(*s.machine);
}

TEST(SeedFork, TheCowBreakInPlaceViolatesBreakBeforeMake) {
  SeedFork<kNoBreakBeforeMake> seed;
  Scenario s = ForkAfterWrites(seed, 1);
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(s.machine->Read(0, s.parent, kVa, bytes).ok);
  ASSERT_TRUE(s.machine->Write(0, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "break-before-make violated"))
      << FirstViolation(*s.machine);
}

// Frames in use after a fork that ran out of memory at its nth allocation.
template <unsigned Bugs>
int64_t FramesLeftByAFailedFork(uint64_t n) {
  SeedFork<Bugs> seed;
  auto m = *sim::Machine::Create(CheckedConfig(1, false), seed);
  const sim::Pid parent = m->Spawn(0).value();
  EXPECT_EQ(m->Map(0, parent, 0x40'0000'0000 - 0x8000, 16,
                   PageAttrs(Perm::kReadWrite)),
            Status::kOk);
  const auto before = static_cast<int64_t>(m->pool().frames_in_use());
  m->pool().FailNthAllocation(n);
  EXPECT_EQ(m->Fork(0, parent).status(), Status::kNoMemory);
  m->pool().FailNthAllocation(0);
  return static_cast<int64_t>(m->pool().frames_in_use()) - before;
}

TEST(SeedFork, AFailedForkLeaksTheHalfBuiltChild) {
  // The child's root, then its tables for the first 1 GiB region; the
  // allocation for the second region's tables fails.
  for (uint64_t n = 2; n <= 4; ++n) {
    EXPECT_GT(FramesLeftByAFailedFork<kNoRollback>(n), 0) << n;
    EXPECT_EQ(FramesLeftByAFailedFork<0>(n), 0) << n;
  }
}

TEST(SeedFork, TheUnmaskedTopIndexWritesPastTheRootTable) {
  auto memory = sim::SimMemory::Create(16 << 20, 12, false).value();
  FramePool& pool = memory->pool();
  const Regime regime = Regime::Va39();
  // Tables come from the top of the pool down: the root's successor is
  // this frame.
  const PhysAddr after_root = pool.Allocate(FrameUse::kTable).value();
  const PhysAddr root = pool.Allocate(FrameUse::kTable).value();
  ASSERT_EQ(root + 4096, after_root);
  const VirtAddr beyond = VirtAddr{1} << regime.va_bits;  // Index 512.
  const Descriptor page = PageAttrs(Perm::kReadWrite);
  EXPECT_EQ(SeedMap(pool, regime, root, beyond, page, 0), Status::kOutOfRange);
  EXPECT_FALSE(pool.Descriptors(after_root)[0].valid());
  ASSERT_EQ(SeedMap(pool, regime, root, beyond, page, kUnmaskedTopIndex),
            Status::kOk);
  EXPECT_TRUE(pool.Descriptors(after_root)[0].valid())
      << "the top-level index of " << beyond << " stayed inside the table";
}

}  // namespace
}  // namespace ttb::testing
