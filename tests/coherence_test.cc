// The coherence checker catches the bugs it exists for: deliberately broken
// copies of lazy_cow, each missing one piece of TLB maintenance, are caught
// both by the checker on a scripted scenario and by the differential
// harness on random programs.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "checker_scenario.h"
#include "engine/sim/machine.h"
#include "program.h"
#include "variants/lazy_cow.h"
#include "variants/registry.h"
#include "variants/shared_tables.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

// Forgets the TLBI after write-protecting each parent page at fork.
class LazyCowWithoutTlbi final : public LazyCow<SimArch> {
 protected:
  void OnWriteProtected(Kernel<SimArch>&, Process&, VirtAddr,
                        uint64_t) override {}
};

// Invalidates only this CPU's TLB where every CPU's needed it.
class LazyCowWithLocalTlbi final : public LazyCow<SimArch> {
 protected:
  void OnWriteProtected(Kernel<SimArch>& k, Process& parent, VirtAddr va,
                        uint64_t pages) override {
    InvalidateEachPage(k.arch(), Shareability::kLocal, parent.space.asid(), va,
                       pages, k.regime().granule_shift);
  }
};

// Writes the copied page's descriptor over the old one, then invalidates.
void RemapWithoutBreak(SimArch& arch, Shareability sh, Asid asid, VirtAddr page,
                       Descriptor* entry, Descriptor replacement) {
  *entry = replacement;
  MaintenanceSequence(arch, sh,
                      [&] { InvalidateVa(arch, asid, page, true, sh); });
}
using LazyCowWithoutBreakBeforeMake = LazyCowWithRemap<RemapWithoutBreak>;

// Shares the tables read-only but keeps the parent's cached writable
// entries.
class SharedTablesWithoutFlush final : public SharedTables<SimArch> {
 protected:
  void AfterMarkingParent(Kernel<SimArch>&, Process&) override {}
};

TEST(CoherenceChecker, CleanLazyCowRaisesNothing) {
  LazyCow<SimArch> strategy;
  Scenario s = ForkAfterWrites(strategy, 2);
  sim::Machine& m = *s.machine;
  ASSERT_TRUE(m.Write(1, s.parent, kVa, kAfter).ok);
  ASSERT_TRUE(m.Write(0, s.child, kVa + 8, kAfter).ok);
  std::vector<uint8_t> child_bytes(4);
  ASSERT_TRUE(m.Read(0, s.child, kVa, child_bytes).ok);
  EXPECT_EQ(child_bytes, kBefore);
  EXPECT_TRUE(m.checker()->violations().empty())
      << m.checker()->violations().front();
  EXPECT_GT(m.checker()->hits_checked(), 0u);
}

TEST(CoherenceChecker, CatchesAMissingTlbi) {
  LazyCowWithoutTlbi strategy;
  Scenario s = ForkAfterWrites(strategy, 1);
  sim::Machine& m = *s.machine;
  // The parent's write hits its stale writable entry: no CoW fault, and the
  // shared frame changes under the child.
  ASSERT_TRUE(m.Write(0, s.parent, kVa, kAfter).ok);
  ASSERT_TRUE(Reported(m, "more than the tables'")) << FirstViolation(m);
  std::vector<uint8_t> child_bytes(4);
  ASSERT_TRUE(m.Read(0, s.child, kVa, child_bytes).ok);
  EXPECT_EQ(child_bytes, kAfter);  // What the bug does to the child.
  // The report names what led to it.
  EXPECT_NE(m.checker()->violations()[0].find("fork"), std::string::npos);
}

TEST(CoherenceChecker, CatchesALocalTlbiWhereABroadcastWasNeeded) {
  LazyCowWithLocalTlbi strategy;
  Scenario s = ForkAfterWrites(strategy, 2);
  ASSERT_TRUE(s.machine->Write(1, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "stale TLB hit on cpu1"));
}

TEST(CoherenceChecker, CatchesAMissingBreakBeforeMake) {
  LazyCowWithoutBreakBeforeMake strategy;
  Scenario s = ForkAfterWrites(strategy, 1);
  sim::Machine& m = *s.machine;
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m.Read(0, s.parent, kVa, bytes).ok);    // Caches read-only.
  ASSERT_TRUE(m.Write(0, s.parent, kVa, kAfter).ok);  // CoW break.
  EXPECT_TRUE(Reported(m, "break-before-make violated"));
}

TEST(CoherenceChecker, CleanSharedTablesRaisesNothing) {
  SharedTables<SimArch> strategy;
  Scenario s = ForkAfterWrites(strategy, 2);
  sim::Machine& m = *s.machine;
  std::vector<uint8_t> bytes(4);
  ASSERT_TRUE(m.Read(1, s.child, kVa, bytes).ok);  // Cached through APTable.
  ASSERT_TRUE(m.Write(1, s.parent, kVa, kAfter).ok);
  ASSERT_TRUE(m.Write(0, s.child, kVa + 8, kAfter).ok);
  ASSERT_TRUE(m.Read(0, s.child, kVa, bytes).ok);
  EXPECT_EQ(bytes, kBefore);
  ASSERT_TRUE(m.Read(1, s.parent, kVa, bytes).ok);
  EXPECT_EQ(bytes, kAfter);
  EXPECT_TRUE(m.checker()->violations().empty())
      << m.checker()->violations().front();
  EXPECT_GT(m.checker()->hits_checked(), 0u);
}

TEST(CoherenceChecker, CatchesTablesSharedWithoutTheParentsFlush) {
  SharedTablesWithoutFlush strategy;
  Scenario s = ForkAfterWrites(strategy, 1);
  // The parent's write hits the entry it cached writable before its table
  // became read-only: the shared frame changes under the child.
  ASSERT_TRUE(s.machine->Write(0, s.parent, kVa, kAfter).ok);
  EXPECT_TRUE(Reported(*s.machine, "more than the tables'"));
}

TEST(CoherenceChecker, DifferentialHarnessFindsAndShrinksTheMissingTlbi) {
  LazyCowWithoutTlbi strategy;
  const ProgramConfig config{2, Regime::Va48(), false};
  std::optional<Failure> failure;
  std::vector<Op> ops;
  for (uint64_t seed = 1; seed <= 20 && !failure; ++seed) {
    ops = GenerateProgram(seed, 400, config);
    failure = RunProgram(ops, config, strategy);
  }
  ASSERT_TRUE(failure.has_value()) << "20 programs did not expose the bug";
  const std::vector<Op> small =
      Shrink(ops, config, strategy, std::chrono::seconds(30));
  EXPECT_TRUE(RunProgram(small, config, strategy).has_value());
  // Map, write, fork, write again is all it takes.
  EXPECT_LE(small.size(), 8u);
  EXPECT_LT(small.size(), ops.size());
}

}  // namespace
}  // namespace ttb::testing
