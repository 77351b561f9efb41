// A fixture with simulated physical memory, shared by the engine tests.
#ifndef TTBENCH_TESTS_SIM_MEMORY_FIXTURE_H_
#define TTBENCH_TESTS_SIM_MEMORY_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>

#include "engine/sim/sim_memory.h"

namespace ttb {

class SimMemoryTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMemoryBytes = 64ull << 20;

  void SetUp() override {
    auto memory = sim::SimMemory::Create(kMemoryBytes);
    ASSERT_TRUE(memory.ok()) << memory.status();
    memory_ = *std::move(memory);
  }

  FramePool& pool() { return memory_->pool(); }
  PhysAddr NewTable() { return pool().Allocate(FrameUse::kTable).value(); }
  PhysAddr NewFrame() { return pool().Allocate(FrameUse::kData).value(); }

 private:
  std::unique_ptr<sim::SimMemory> memory_;
};

}  // namespace ttb

#endif  // TTBENCH_TESTS_SIM_MEMORY_FIXTURE_H_
