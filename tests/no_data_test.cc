// A machine without data bytes (MachineConfig::keep_data = false) does the
// same simulated work as one with them, event for event, while its data
// frames stay untouched: reads return zeros, writes are dropped.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "bench/workloads/machine_events.h"
#include "engine/sim/machine.h"
#include "tests/registry_params.h"

namespace ttb {
namespace {

constexpr VirtAddr kBase = 0x40'0000;
constexpr uint64_t kPages = 1100;  // Three level-3 tables.
const Descriptor kRw =
    Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true).with_uxn(true);

// Every event of a fork, CoW breaks by both sides on two CPUs, reads and
// exits; the bytes the parent reads back last.
std::map<std::string, uint64_t> RunScript(Strategy<sim::SimArch>& s,
                                          bool keep_data, uint8_t* read_back) {
  sim::MachineConfig config;
  config.cpus = 2;
  config.memory_bytes = 32ull << 20;
  config.keep_data = keep_data;
  auto m = sim::Machine::Create(config, s).value();
  const sim::Pid parent = m->Spawn(0).value();
  EXPECT_EQ(m->Map(0, parent, kBase, kPages, kRw), Status::kOk);
  const uint8_t byte = 7;
  for (uint64_t i = 0; i < kPages; i += 3) {
    EXPECT_TRUE(m->Write(0, parent, kBase + i * 4096, {&byte, 1}).ok);
  }
  const sim::Pid child = m->Fork(0, parent).value();
  for (uint64_t i = 0; i < kPages; i += 5) {
    EXPECT_TRUE(m->Write(1, child, kBase + i * 4096, {&byte, 1}).ok);
    EXPECT_TRUE(m->Write(0, parent, kBase + i * 4096 + 8, {&byte, 1}).ok);
  }
  EXPECT_TRUE(m->Read(0, parent, kBase, {read_back, 1}).ok);
  m->Exit(1, child);
  m->Exit(0, parent);
  std::map<std::string, uint64_t> events;
  bench::EventsOf(*m).ForEach(
      [&](const std::string& name, uint64_t n) { events[name] = n; });
  return events;
}

class NoDataTest : public testing::TestWithParam<SimStrategy> {};

TEST_P(NoDataTest, CountsEveryEventAsWithDataAndKeepsNoBytes) {
  uint8_t with = 0, without = 1;
  EXPECT_EQ(RunScript(*GetParam(), false, &without),
            RunScript(*GetParam(), true, &with));
  EXPECT_EQ(with, 7);
  EXPECT_EQ(without, 0);
}

INSTANTIATE_TEST_SUITE_P(Strategies, NoDataTest,
                         testing::ValuesIn(AllStrategies()), StrategyTestName);

TEST(NoData, NeitherPopulatesNorChecksCoherence) {
  sim::MachineConfig config;
  config.keep_data = false;
  config.populate_memory = true;
  EXPECT_FALSE(
      sim::Machine::Create(config, *FindStrategy<sim::SimArch>("lazy_cow"))
          .ok());
  config.populate_memory = false;
  config.check_coherence = true;
  EXPECT_FALSE(
      sim::Machine::Create(config, *FindStrategy<sim::SimArch>("lazy_cow"))
          .ok());
}

}  // namespace
}  // namespace ttb
