// The benchmarks' event record: snapshots of a machine's counters that
// subtract and add by name.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "bench/workloads/machine_events.h"
#include "variants/registry.h"

namespace ttb::bench {
namespace {

TEST(Events, SnapshotsDifferByWhatTheMachineDidBetweenThem) {
  sim::MachineConfig config;
  config.memory_bytes = 16ull << 20;
  auto m =
      *sim::Machine::Create(config, *FindStrategy<sim::SimArch>("lazy_cow"));
  const sim::Pid parent = m->Spawn(0).value();
  const Descriptor rw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);
  ASSERT_EQ(m->Map(0, parent, 0x4000'0000, 8, rw), Status::kOk);
  m->Run(0, parent);

  const Events before = EventsOf(*m);
  ASSERT_TRUE(m->Fork(0, parent).ok());  // 8 pages write-protected.
  Events during = EventsOf(*m) - before;
  EXPECT_EQ(during.get("tlbi.vale1"), 8u);  // One CPU: local TLBIs.
  EXPECT_EQ(during.get("frames_shared"), 8u);
  EXPECT_EQ(during.get("pages_copied"), 0u);
  EXPECT_EQ(during.get("no such counter"), 0u);

  Events twice = during;
  twice += during;
  twice.Add("hw.cycles", 5);
  EXPECT_EQ(twice.get("tlbi.vale1"), 16u);
  EXPECT_EQ(twice.get("hw.cycles"), 5u);
  // ForEach names every machine counter once, then the added ones.
  std::vector<std::string> names;
  twice.ForEach(
      [&](const std::string& name, uint64_t) { names.push_back(name); });
  EXPECT_EQ(names.size(), Events::Names().size() + 1);
  EXPECT_EQ(names.back(), "hw.cycles");
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(),
            names.size());
  EXPECT_TRUE(Events::Known("dsb.ish"));
  EXPECT_FALSE(Events::Known("hw.cycles"));
}

}  // namespace
}  // namespace ttb::bench
