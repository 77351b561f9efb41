// The benchmarks' event record: snapshots of a machine's counters that
// subtract and add by name.
#include <gtest/gtest.h>

#include <memory>
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

// A parent running on two CPUs forks on CPU 0; its child then writes one
// page on CPU 1. Each CPU is charged exactly what it executed.
class PerCpuEvents : public ::testing::Test {
 protected:
  static constexpr uint64_t kPages = 64;

  void SetUpMachine(const char* strategy) {
    sim::MachineConfig config;
    config.cpus = 2;
    config.memory_bytes = 16ull << 20;
    m_ = *sim::Machine::Create(config, *FindStrategy<sim::SimArch>(strategy));
    parent_ = m_->Spawn(0).value();
    const Descriptor rw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);
    ASSERT_EQ(m_->Map(0, parent_, kVa, kPages, rw), Status::kOk);
    m_->Run(0, parent_);
    m_->Run(1, parent_);
  }
  // What `step` made each CPU and the whole machine do.
  template <typename Step>
  void Measure(Step&& step) {
    const Events before[3] = {EventsOf(*m_, 0), EventsOf(*m_, 1),
                              EventsOf(*m_)};
    step();
    for (int c = 0; c < 2; ++c) cpu_[c] = EventsOf(*m_, c) - before[c];
    all_ = EventsOf(*m_) - before[2];
  }
  // The two CPUs' shares add up to the whole, event by event.
  void ExpectSharesSumToTheWhole() const {
    for (const std::string& name : Events::Names()) {
      EXPECT_EQ(cpu_[0].get(name) + cpu_[1].get(name), all_.get(name)) << name;
    }
  }

  static constexpr VirtAddr kVa = 0x4000'0000;
  std::unique_ptr<sim::Machine> m_;
  sim::Pid parent_ = 0;
  Events cpu_[2];
  Events all_;
};

TEST_F(PerCpuEvents, TheForkingCpuPaysForTheForkAndTheWriterForItsCowBreak) {
  SetUpMachine("lazy_cow");
  sim::Pid child = 0;
  Measure([&] { child = m_->Fork(0, parent_).value(); });
  ExpectSharesSumToTheWhole();
  // lazy_cow write-protects each page with one broadcast TLBI and waits
  // for it: all on CPU 0; CPU 1 executes nothing.
  EXPECT_EQ(cpu_[0].get("tlbi.vale1is"), kPages);
  EXPECT_EQ(cpu_[0].get("tlbi_completions.broadcast"), kPages);
  EXPECT_EQ(cpu_[0].get("frames_shared"), kPages);
  for (const std::string& name : Events::Names()) {
    EXPECT_EQ(cpu_[1].get(name), 0u) << name;
  }

  const std::vector<uint8_t> byte = {1};
  Measure([&] { ASSERT_TRUE(m_->Write(1, child, kVa, byte).ok); });
  ExpectSharesSumToTheWhole();
  // CPU 1 switches to the child, faults, copies the page and invalidates
  // the old translation everywhere; CPU 0 does nothing.
  EXPECT_EQ(cpu_[1].get("context_switches"), 1u);
  EXPECT_EQ(cpu_[1].get("faults"), 1u);
  EXPECT_EQ(cpu_[1].get("pages_copied"), 1u);
  EXPECT_EQ(cpu_[1].get("tlbi.vale1is"), 1u);
  EXPECT_EQ(cpu_[1].get("tlbi_completions.broadcast"), 1u);
  EXPECT_GE(cpu_[1].get("walks"), 1u);
  EXPECT_GE(cpu_[1].get("descriptor_reads"), 1u);
  for (const std::string& name : Events::Names()) {
    EXPECT_EQ(cpu_[0].get(name), 0u) << name;
  }
}

TEST_F(PerCpuEvents, AnAsidMoveChargesTheIpiToTheSenderAndTheReloadToTheOther) {
  SetUpMachine("asid_tagged");
  Measure([&] { ASSERT_TRUE(m_->Fork(0, parent_).ok()); });
  ExpectSharesSumToTheWhole();
  // The parent moves to a fresh ASID: CPU 0 reloads its own TTBR0 and
  // interrupts CPU 1, which reloads its TTBR0 and synchronises.
  EXPECT_EQ(cpu_[0].get("ipis"), 1u);
  EXPECT_EQ(cpu_[1].get("ipis"), 0u);
  EXPECT_EQ(cpu_[1].get("ttbr0_writes"), 1u);
  EXPECT_EQ(cpu_[1].get("isb"), 1u);
  EXPECT_EQ(cpu_[1].get("tlbi.vale1is") + cpu_[1].get("tlbi.aside1is"), 0u);
  EXPECT_EQ(cpu_[0].get("frames_shared"), kPages);
}

}  // namespace
}  // namespace ttb::bench
