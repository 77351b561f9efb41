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

class DifferentialTest : public ::testing::TestWithParam<Strategy<SimArch>*> {
 protected:
  void TearDown() override { GetParam()->ResetTunables(); }

  RunStats RunAll(int ops_per_program = kOpsPerProgram) {
    Strategy<SimArch>& strategy = *GetParam();
    const uint64_t total = OpsPerStrategy();
    RunStats stats;
    for (uint64_t seed = 1; stats.ops < total; ++seed) {
      const ProgramConfig& config = kConfigs[seed % std::size(kConfigs)];
      const std::vector<Op> ops =
          GenerateProgram(seed, ops_per_program, config);
      const std::optional<Failure> failure =
          RunProgram(ops, config, strategy, &stats);
      if (failure.has_value()) {
        // The failure first, as it happened; then the smallest program
        // that still fails which the shrinker finds within its budget.
        ADD_FAILURE() << strategy.name() << " seed " << seed << " ("
                      << config.cpus << " cpus, "
                      << config.regime.granule_bytes() / 1024 << " KiB pages, "
                      << int{config.regime.va_bits} << "-bit VA): " << *failure
                      << "\nshrinking for up to " << kShrinkBudget.count()
                      << " s";
        const std::vector<Op> small =
            Shrink(ops, config, strategy, kShrinkBudget);
        std::vector<std::string> lines;
        for (const Op& op : small) lines.push_back(op.ToString());
        const std::optional<Failure> again =
            RunProgram(small, config, strategy);
        ADD_FAILURE() << "reproducer (" << small.size() << " of " << ops.size()
                      << " ops):\n  " << absl::StrJoin(lines, "\n  ")
                      << "\nwhich fails with: "
                      << (again ? again->message : "(nothing: flaky)");
        return stats;
      }
    }
    RecordProperty("operations", std::to_string(stats.ops));
    std::cout << strategy.name() << ": " << stats.ToString() << "\n";
    EXPECT_GE(stats.ops, total);
    // The programs reach what they are meant to test.
    EXPECT_GT(stats.forks, total / 100);
    EXPECT_GT(stats.hits_checked, total / 20);
    EXPECT_GT(stats.runs_checked, total / 1000);
    EXPECT_GT(stats.blocks_mapped, total / 10000);
    EXPECT_GT(stats.block_runs_mapped, 0u);
    return stats;
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

}  // namespace
}  // namespace ttb::testing
