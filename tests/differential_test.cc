// Every strategy from the registry runs seeded random programs on the
// simulated machine, with the coherence checker on, against the reference
// model. TTB_SOAK_OPS=N in the environment runs N operations per strategy
// instead of the default 50,000, the slice `./ttbench test` runs within
// its time budget.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "absl/strings/str_join.h"
#include "program.h"
#include "registry_params.h"

namespace ttb::testing {
namespace {

using sim::SimArch;

constexpr uint64_t kDefaultOps = 50'000;
constexpr int kOpsPerProgram = 2'500;
// Long enough for more than 255 ASID allocations in one machine.
constexpr int kOpsPerLongProgram = 20'000;
// A failing test's report within a minute of its start: finding the
// failure takes seconds, shrinking the rest.
constexpr std::chrono::seconds kShrinkBudget{40};

uint64_t OpsPerStrategy() {
  const char* soak = std::getenv("TTB_SOAK_OPS");
  return soak != nullptr ? std::strtoull(soak, nullptr, 10) : kDefaultOps;
}

// 1 to 4 CPUs, every granule, three- and four-level walks (two with 64 KiB
// pages), with and without range TLBIs, and CoW breaks that split runs or
// (the last two) copy them whole.
const ProgramConfig kConfigs[] = {
    {1, Regime::Va39(), false},
    {2, Regime::Va48(), false},
    {4, Regime::Va39(), true},
    {3, Regime::Va48(), true},
    {2, Regime::Va47Granule16K(), true},
    {3, Regime::Va42Granule64K(), false},
    {2, Regime::Va48Granule64K(), true},
    {2, Regime::Va48(), false, true, /*cow_copies_runs=*/true},
    {2, Regime::Va47Granule16K(), true, true, /*cow_copies_runs=*/true},
};

// Runs seeded programs of `ops_per_program` operations under `strategy`
// and `walk` until `total` have run, reporting the first failure with a
// shrunk reproducer; checks that the programs reached what they test.
RunStats RunPrograms(Strategy<SimArch>& strategy, const TableWalk& walk,
                     uint64_t total, int ops_per_program = kOpsPerProgram) {
  RunStats stats;
  for (uint64_t seed = 1; stats.ops < total; ++seed) {
    ProgramConfig config = kConfigs[seed % std::size(kConfigs)];
    config.walk = &walk;
    const std::vector<Op> ops = GenerateProgram(seed, ops_per_program, config);
    const std::optional<Failure> failure =
        RunProgram(ops, config, strategy, &stats);
    if (failure.has_value()) {
      // The failure first, as it happened; then the smallest program
      // that still fails which the shrinker finds within its budget.
      ADD_FAILURE() << strategy.name() << " (" << walk.name() << ") seed "
                    << seed << " (" << config.cpus << " cpus, "
                    << config.regime.granule_bytes() / 1024 << " KiB pages, "
                    << int{config.regime.va_bits} << "-bit VA): " << *failure
                    << "\nshrinking for up to " << kShrinkBudget.count()
                    << " s";
      const std::vector<Op> small =
          Shrink(ops, config, strategy, kShrinkBudget);
      std::vector<std::string> lines;
      for (const Op& op : small) lines.push_back(op.ToString());
      const std::optional<Failure> again = RunProgram(small, config, strategy);
      ADD_FAILURE() << "reproducer (" << small.size() << " of " << ops.size()
                    << " ops):\n  " << absl::StrJoin(lines, "\n  ")
                    << "\nwhich fails with: "
                    << (again ? again->message : "(nothing: flaky)");
      return stats;
    }
  }
  ::testing::Test::RecordProperty("operations", std::to_string(stats.ops));
  std::cout << strategy.name() << " (" << walk.name()
            << "): " << stats.ToString() << "\n";
  EXPECT_GE(stats.ops, total);
  // The programs reach what they are meant to test.
  EXPECT_GT(stats.forks, total / 100);
  EXPECT_GT(stats.hits_checked, total / 20);
  EXPECT_GT(stats.runs_checked, total / 1000);
  EXPECT_GT(stats.blocks_mapped, total / 10000);
  EXPECT_GT(stats.block_runs_mapped, 0u);
  return stats;
}

class DifferentialTest : public ::testing::TestWithParam<Strategy<SimArch>*> {
 protected:
  void TearDown() override { GetParam()->ResetTunables(); }

  RunStats RunAll(int ops_per_program = kOpsPerProgram) {
    return RunPrograms(*GetParam(), DefaultWalk(), OpsPerStrategy(),
                       ops_per_program);
  }
};

TEST_P(DifferentialTest, MatchesTheReferenceModel) { RunAll(); }

// The strategies are global instances that every test and benchmark
// shares: a program does the same work whatever ran on the instance
// before it.
TEST_P(DifferentialTest, AProgramRunsTheSameAfterOthers) {
  Strategy<SimArch>& strategy = *GetParam();
  const ProgramConfig& config = kConfigs[3];
  const std::vector<Op> ops = GenerateProgram(7, kOpsPerProgram, config);
  RunStats first, again, between;
  ASSERT_EQ(RunProgram(ops, config, strategy, &first), std::nullopt);
  for (uint64_t seed = 8; seed < 11; ++seed) {
    const ProgramConfig& other = kConfigs[seed % std::size(kConfigs)];
    ASSERT_EQ(RunProgram(GenerateProgram(seed, kOpsPerProgram, other), other,
                         strategy, &between),
              std::nullopt);
  }
  ASSERT_EQ(RunProgram(ops, config, strategy, &again), std::nullopt);
  EXPECT_EQ(first, again) << first.ToString() << "\n" << again.ToString();
}

// With 8-bit ASIDs the allocator rolls over every few hundred forks.
class EightBitAsidTest : public DifferentialTest {};

TEST_P(EightBitAsidTest, MatchesTheReferenceModelWithEightBitAsids) {
  ASSERT_EQ(GetParam()->SetTunable("asid_bits", 8), Status::kOk);
  EXPECT_GT(RunAll(kOpsPerLongProgram).asid_rollovers, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Registry, EightBitAsidTest,
    ::testing::ValuesIn(StrategiesWithTunable("asid_bits")), StrategyTestName);

INSTANTIATE_TEST_SUITE_P(Registry, DifferentialTest,
                         ::testing::ValuesIn(AllStrategies()),
                         StrategyTestName);

// The cursor walk, but the last entry of each last-level table is never
// handed to the fork: the child lacks that page.
class WalkDroppingLastEntries final : public TableWalk {
 public:
  const char* name() const override { return "dropping_last_entries"; }
  const char* summary() const override { return "broken"; }
  void Pair(AddressSpace& parent, AddressSpace& child, ForkUnit unit,
            ForkVisitor& visitor) const override {
    struct Dropping final : ForkVisitor {
      Dropping(ForkVisitor& to, const Regime& r) : to(to), regime(r) {}
      void Leaves(const TableToFill& t) override {
        const unsigned last = regime.entries_per_table() - 1;
        if (regime.index(t.va, 3) != last) to.Leaves(t);
      }
      void Block(VirtAddr va, Descriptor& from, Descriptor& d) override {
        to.Block(va, from, d);
      }
      void LeafTable(VirtAddr va, Descriptor& from, Descriptor& d) override {
        to.LeafTable(va, from, d);
      }
      ForkVisitor& to;
      const Regime& regime;
    } dropping(visitor, parent.regime());
    walk_instance<CursorWalk>.Pair(parent, child, unit, dropping);
  }
};

// A fork that shares or copies pages under the broken walk leaves the child
// without some of them, and the programs see it.
TEST(BrokenWalk, ADroppedEntryIsCaught) {
  const WalkDroppingLastEntries broken;
  for (const char* name : {"lazy_cow", "eager_copy"}) {
    bool caught = false;
    for (uint64_t seed = 1; seed <= 8 && !caught; ++seed) {
      ProgramConfig config = kConfigs[seed % std::size(kConfigs)];
      config.walk = &broken;
      caught = RunProgram(GenerateProgram(seed, kOpsPerProgram, config), config,
                          *FindStrategy<SimArch>(name))
                   .has_value();
    }
    EXPECT_TRUE(caught) << name;
  }
}

// Every other table walk under every strategy: a shorter slice, as the
// walks change only how a fork reaches the entries it shares or copies.
class WalkDifferentialTest : public ::testing::TestWithParam<ForkAndWalk> {};

TEST_P(WalkDifferentialTest, MatchesTheReferenceModel) {
  const auto [strategy, walk] = GetParam();
  RunPrograms(*strategy, *walk, OpsPerStrategy() / 5);
}

INSTANTIATE_TEST_SUITE_P(
    Registry, WalkDifferentialTest,
    ::testing::Combine(::testing::ValuesIn(AllStrategies()),
                       ::testing::ValuesIn(OtherWalks())),
    ForkAndWalkTestName);

}  // namespace
}  // namespace ttb::testing
