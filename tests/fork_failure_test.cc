// Allocation failure at every point of fork and of the CoW fault, for every
// strategy in the registry under every table walk: the operation reports
// it, the parent is as it was and keeps running, and no frame leaks.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "engine/sim/machine.h"
#include "reference_model.h"
#include "registry_params.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

struct Layout {
  VirtAddr va;
  uint64_t pages;
  Perm perm;
};
// Pages across several level-3 tables and two level-2 tables.
constexpr Layout kLayout[] = {{0x10000, 30, Perm::kReadOnly},
                              {0x3F'0000, 600, Perm::kReadWrite},
                              {0x40'0000'0000, 50, Perm::kReadWrite}};
// And one 2 MiB block, written at one page.
constexpr VirtAddr kBlock = 0x20'0000'0000;
constexpr VirtAddr kInBlock = kBlock + 9 * 4096;
constexpr uint8_t kBlockValue = 0x5B;

std::vector<std::pair<VirtAddr, uint64_t>> Descriptors(Process& p) {
  std::vector<std::pair<VirtAddr, uint64_t>> d;
  auto add = [&](VirtAddr va, Descriptor& e) { d.emplace_back(va, e.bits()); };
  p.space.ForEachPage(add);
  p.space.ForEachBlock(add);
  return d;
}

class FailureTest : public ::testing::TestWithParam<ForkAndWalk> {
 protected:
  void SetUp() override {
    sim::MachineConfig config;
    config.walk = std::get<1>(GetParam());
    config.cpus = 2;
    config.regime = Regime::Va48();
    config.check_coherence = true;
    machine_ = *sim::Machine::Create(config, *std::get<0>(GetParam()));
    parent_ = machine_->Spawn(0).value();
    for (const Layout& l : kLayout) {
      ASSERT_EQ(machine_->Map(0, parent_, l.va, l.pages, PageAttrs(l.perm)),
                Status::kOk);
    }
    ASSERT_EQ(machine_->MapBlocks(0, parent_, kBlock, 512,
                                  PageAttrs(Perm::kReadWrite)),
              Status::kOk);
    ASSERT_NE(machine_->process(parent_)->space.BlockAt(kBlock), nullptr);
    ASSERT_TRUE(Write(parent_, kInBlock, kBlockValue).ok);
    for (uint64_t i = 0; i < 600; i += 7) {
      ASSERT_TRUE(Write(parent_, 0x3F'0000 + i * 4096, uint8_t(i)).ok);
    }
  }

  sim::AccessResult Write(sim::Pid pid, VirtAddr va, uint8_t value) {
    const std::vector<uint8_t> bytes(16, value);
    return machine_->Write(0, pid, va, bytes);
  }
  uint8_t Read(sim::Pid pid, VirtAddr va) {
    std::vector<uint8_t> bytes(1);
    EXPECT_TRUE(machine_->Read(0, pid, va, bytes).ok);
    return bytes[0];
  }
  void ExpectParentIntact() {
    for (uint64_t i = 0; i < 600; i += 7) {
      ASSERT_EQ(Read(parent_, 0x3F'0000 + i * 4096), uint8_t(i));
    }
    ASSERT_EQ(Read(parent_, kInBlock), kBlockValue);
  }
  // The child's write to `va`, which holds `value` in both, first without
  // memory (a copy, or a table to split a block into): it fails and
  // changes nothing, then succeeds with memory.
  void CowFaultWithoutMemory(sim::Pid child, VirtAddr va, uint8_t value) {
    FramePool& pool = machine_->pool();
    ASSERT_EQ(Read(child, va), value);  // Cache the child's translation.
    Process& c = *machine_->process(child);
    const auto before = Descriptors(c);
    const uint64_t frames = pool.frames_in_use();
    const uint64_t failed = pool.stats().failed_allocations;
    pool.FailNthAllocation(1);
    const sim::AccessResult r = Write(child, va, 0x77);
    const bool needed_memory = pool.stats().failed_allocations > failed;
    pool.FailNthAllocation(0);
    if (!needed_memory) {
      // Nothing was shared (eager copy): the write needed no frame.
      EXPECT_TRUE(r.ok);
    } else {
      EXPECT_FALSE(r.ok);
      EXPECT_TRUE(r.out_of_memory);
      EXPECT_EQ(Descriptors(c), before);
      EXPECT_EQ(pool.frames_in_use(), frames);
      EXPECT_EQ(Read(child, va), value);
      EXPECT_TRUE(Write(child, va, 0x77).ok);  // Retried with memory.
    }
    EXPECT_EQ(Read(child, va), 0x77);
    EXPECT_EQ(Read(parent_, va), value);
  }

  std::unique_ptr<sim::Machine> machine_;
  sim::Pid parent_ = 0;
};

TEST_P(FailureTest, ForkFailingAtEveryAllocationLeavesTheParentAsItWas) {
  FramePool& pool = machine_->pool();
  Process& parent = *machine_->process(parent_);
  const auto before = Descriptors(parent);
  const uint64_t frames = pool.frames_in_use();
  int failures = 0;
  Result<sim::Pid> child = Status::kNoMemory;
  for (uint64_t n = 1;; ++n) {
    pool.FailNthAllocation(n);
    child = machine_->Fork(0, parent_);
    pool.FailNthAllocation(0);
    if (child.ok()) break;
    ASSERT_EQ(child.status(), Status::kNoMemory) << "allocation " << n;
    ASSERT_EQ(Descriptors(parent), before) << "allocation " << n;
    ASSERT_EQ(pool.frames_in_use(), frames) << "allocation " << n;
    ++failures;
  }
  EXPECT_GT(failures, 0);
  ExpectParentIntact();
  // The fork that finally worked gave a faithful child.
  EXPECT_EQ(Read(child.value(), 0x3F'0000 + 70 * 4096), uint8_t(70));
  EXPECT_EQ(Read(child.value(), kInBlock), kBlockValue);
  ASSERT_TRUE(Write(parent_, 0x3F'0000, 0xEE).ok);
  EXPECT_EQ(Read(child.value(), 0x3F'0000), 0);
  machine_->Exit(0, child.value());
  EXPECT_EQ(pool.stats().invalid_releases, 0u);
  EXPECT_TRUE(machine_->checker()->violations().empty());
  RecordProperty("fork_allocation_failures", failures);
}

// In a page, and in a block (whose split needs a table).
TEST_P(FailureTest, CowFaultWithoutMemoryChangesNothingAndCanBeRetried) {
  FramePool& pool = machine_->pool();
  const sim::Pid child = machine_->Fork(0, parent_).value();
  CowFaultWithoutMemory(child, 0x3F'0000 + 14 * 4096, 14);
  CowFaultWithoutMemory(child, kInBlock, kBlockValue);
  ExpectParentIntact();
  machine_->Exit(0, child);
  machine_->Exit(0, parent_);
  EXPECT_EQ(pool.frames_in_use(), 0u);
  EXPECT_TRUE(machine_->checker()->violations().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Registry, FailureTest,
    ::testing::Combine(::testing::ValuesIn(AllStrategies()),
                       ::testing::ValuesIn(AllWalks())),
    ForkAndWalkTestName);

}  // namespace
}  // namespace ttb::testing
