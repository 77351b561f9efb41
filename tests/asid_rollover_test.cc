// ASID rollover under asid_tagged with 8-bit ASIDs. A rollover at a fork
// can hand the parent back the ASID it held a generation ago, while TLBs
// still hold entries it filled under that ASID then; the rollover's flush
// removes them before any CPU runs the ASID again. The checker must judge
// those entries as the orphans they are, and still catch a rollover whose
// flush is missing, which would let them be hit.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/sim/machine.h"
#include "program.h"
#include "variants/asid_tagged.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

// asid_tagged whose fork forgets the flush a rollover needs.
class AsidTaggedWithoutRolloverFlush final : public LazyCowBase<SimArch> {
 public:
  const char* name() const override { return "no_rollover_flush"; }
  const char* summary() const override { return "test only"; }
  Status Attach(Kernel<SimArch>& k) override { return k.asids().Init(8); }

 protected:
  void AfterWriteProtect(Kernel<SimArch>& k, Process& parent) override {
    SimArch& arch = k.arch();
    arch.Dsb(Barrier::kNshSt);
    k.asids().Reassign(parent, [&](auto&& fn) { k.ForEachRunning(fn); });
    arch.SwitchTtbr0(parent.space.root(), parent.space.asid());
    arch.Isb();
  }
};

constexpr VirtAddr kVa = 0x20'0000;
const std::vector<uint8_t> kFirst = {1, 2, 3, 4};
const std::vector<uint8_t> kSecond = {9, 9, 9, 9};

struct Rollover {
  std::unique_ptr<sim::Machine> machine;
  sim::Pid parent = 0;
  Asid first_asid = 0;
};

// The parent caches a writable entry under its first ASID, forks (taking a
// new ASID), breaks the page's CoW so its tables now give another frame,
// then forks until a fork's rollover hands it its first ASID back. One
// CPU, so only eviction could remove the entry before the rollover.
Rollover RolloverHandingBackTheParentsFirstAsid(Strategy<SimArch>& strategy) {
  sim::MachineConfig config;
  config.check_coherence = true;
  Rollover r{*sim::Machine::Create(config, strategy)};
  sim::Machine& m = *r.machine;
  r.parent = m.Spawn(0).value();
  r.first_asid = m.process(r.parent)->space.asid();
  // A second process, so that a fork's pair of ASIDs (child, then parent)
  // runs out at the parent's.
  const sim::Pid idle = m.Spawn(0).value();
  EXPECT_EQ(m.Map(0, r.parent, kVa, 1, PageAttrs(Perm::kReadWrite)),
            Status::kOk);
  EXPECT_TRUE(m.Write(0, r.parent, kVa, kFirst).ok);
  const sim::Pid first_child = m.Fork(0, r.parent).value();
  EXPECT_TRUE(m.Write(0, r.parent, kVa, kSecond).ok);  // Copies the frame.
  m.Exit(0, first_child);
  m.Exit(0, idle);
  while (m.asids().rollovers() == 0) {
    const Result<sim::Pid> child = m.Fork(0, r.parent);
    EXPECT_TRUE(child.ok());
    if (!child.ok()) break;
    m.Exit(0, child.value());
  }
  return r;
}

TEST(AsidRollover, TheParentsOrphanedEntriesAreNotReportedAtTheFlush) {
  AsidTagged<SimArch> strategy;
  ASSERT_EQ(strategy.SetTunable("asid_bits", 8), Status::kOk);
  Rollover r = RolloverHandingBackTheParentsFirstAsid(strategy);
  sim::Machine& m = *r.machine;
  // The scenario happened: one rollover, the parent back on its first ASID,
  // and the flush removed what it had cached under it.
  EXPECT_EQ(m.asids().rollovers(), 1u);
  EXPECT_EQ(m.process(r.parent)->space.asid(), r.first_asid);
  EXPECT_GT(m.system().tlb(0).stats().invalidated, 0u);
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m.Read(0, r.parent, kVa, bytes).ok);
  EXPECT_EQ(bytes, kSecond);
  EXPECT_TRUE(m.checker()->violations().empty())
      << m.checker()->violations().front();
  strategy.ResetTunables();
}

TEST(AsidRollover, ARolloverWithoutItsFlushIsCaught) {
  AsidTaggedWithoutRolloverFlush strategy;
  Rollover r = RolloverHandingBackTheParentsFirstAsid(strategy);
  sim::Machine& m = *r.machine;
  ASSERT_EQ(m.process(r.parent)->space.asid(), r.first_asid);
  // The parent's read hits the entry it cached a generation ago, which
  // gives the frame it has since copied away from (and which its child's
  // exit freed).
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m.Read(0, r.parent, kVa, bytes).ok);
  EXPECT_NE(bytes, kSecond);  // What the bug does.
  ASSERT_FALSE(m.checker()->violations().empty());
  EXPECT_NE(m.checker()->violations()[0].find("stale TLB hit"),
            std::string::npos)
      << m.checker()->violations()[0];
}

// The program the soak failed on (issue 25), run directly.
TEST(AsidRollover, SoakSeed259PassesWithEightBitAsids) {
  AsidTagged<SimArch> strategy;
  ASSERT_EQ(strategy.SetTunable("asid_bits", 8), Status::kOk);
  const ProgramConfig config{3, Regime::Va48(), true};
  RunStats stats;
  const std::optional<Failure> failure = RunProgram(
      GenerateProgram(259, 20'000, config), config, strategy, &stats);
  EXPECT_EQ(failure, std::nullopt) << *failure;
  EXPECT_GT(stats.asid_rollovers, 0u);
}

}  // namespace
}  // namespace ttb::testing
