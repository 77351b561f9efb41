#include "bench/report/tune.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "nlohmann/json.hpp"
#include "tests/temp_dir.h"

namespace ttb::bench {
namespace {

constexpr int64_t kWidths[] = {8, 16};
const Tunable kOps = {"ops", "", 1, 4096, 512, 512};
const Tunable kWidth = {"bits", "", 8, 16, 16, 16, kWidths, 2};

std::vector<int64_t> Values(const char* range, const Tunable& t) {
  const absl::StatusOr<std::vector<int64_t>> v = SweepValues(range, t);
  EXPECT_TRUE(v.ok()) << range << ": " << v.status();
  return v.ok() ? *v : std::vector<int64_t>{};
}

std::string Error(const char* range, const Tunable& t) {
  const absl::StatusOr<std::vector<int64_t>> v = SweepValues(range, t);
  return v.ok() ? "" : std::string(v.status().message());
}

TEST(SweepValues, DoublingLinearAndListsAlwaysIncludeTheDefault) {
  EXPECT_EQ(Values("64:256", kOps), (std::vector<int64_t>{64, 128, 256, 512}));
  EXPECT_EQ(Values("100:300", kOps),
            (std::vector<int64_t>{100, 200, 300, 512}));
  EXPECT_EQ(Values("500:530:+10", kOps),
            (std::vector<int64_t>{500, 510, 512, 520, 530}));
  EXPECT_EQ(Values("4096,1,1", kOps), (std::vector<int64_t>{1, 512, 4096}));
  EXPECT_EQ(Values("", kOps).size(), 13u);  // 1, 2, 4, ..., 4096.
  EXPECT_EQ(Values("", kWidth), (std::vector<int64_t>{8, 16}));
}

TEST(SweepValues, RejectsWhatTheTunableCannotTakeAndMalformedRanges) {
  EXPECT_NE(Error("0:64", kOps).find("ops cannot be 0 ([1, 4096])"),
            std::string::npos);
  EXPECT_NE(Error("12", kWidth).find("bits cannot be 12 (one of 8, 16)"),
            std::string::npos);
  EXPECT_NE(Error("64:x", kOps).find("'x' is not an integer"),
            std::string::npos);
  EXPECT_NE(Error("256:64", kOps).find("256 is above 64"), std::string::npos);
  EXPECT_NE(Error("1:4096:8", kOps).find("expected LO:HI"), std::string::npos);
  EXPECT_NE(Error("1:4096:+0", kOps).find("STEP must be positive"),
            std::string::npos);
  EXPECT_NE(Error("1:4096:+1", kOps).find("at most 64"), std::string::npos);
}

class TuneReportTest : public TempDirTest {
 protected:
  // A sweep of batched_tlbi.max_tlbi_ops (default 512) on fork_resume/1MiB
  // with these benchmarks, and `--cost` when given; returns its path.
  std::string WriteSweep(const nlohmann::json& benchmarks,
                         const std::string& cost = "") {
    std::filesystem::create_directories(dir_);
    const std::filesystem::path json = dir_ / "sweep.json";
    std::ofstream(json) << nlohmann::json{
        {"context",
         {{kTuneKnobKey, "batched_tlbi.max_tlbi_ops"},
          {kTuneDefaultKey, "512"},
          {kTuneWorkloadKey, "fork_resume/1MiB"},
          {kTuneCostKey, cost}}},
        {"benchmarks",
         benchmarks}}.dump();
    return json.string();
  }
};

CostModel Costs() {
  return *CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1.json");
}

// Two values whose costs are lines in one term: 128 walks 100 times, the
// default 512 issues 10 broadcast TLBIs. On 4 PEs at typical costs (walks
// 15, the per-PE wait 2 for each of 3 others) 512 costs 10 x + 60 against
// 1500, so it is cheapest while a TLBI costs less than 144 cycles; the
// best value's lead over the default is exactly the sweep's verdict.
TEST_F(TuneReportTest, ACostSweepSaysWhereTheBestValueTurns) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& [value, events] : std::map<int64_t, nlohmann::json>{
           {128, {{"walks", 100}}}, {512, {{"tlbi.vale1is", 10}}}}) {
    nlohmann::json b = {{"name", TuneBenchmarkName("batched_tlbi.max_tlbi_ops",
                                                   value, "fork_resume/1MiB") +
                                     "/manual_time"},
                        {"run_type", "iteration"},
                        {"real_time", 10},
                        {"time_unit", "us"}};
    b.update(events);
    benchmarks.push_back(b);
  }
  const absl::StatusOr<TuneSummary> summary =
      WriteTuneReport(WriteSweep(benchmarks, "tlbi.vale1is=0:1000"), Costs());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->text,
              ::testing::HasSubstr(
                  "With tlbi.vale1is from 0 to 1000 cycles (the other costs "
                  "typical), the cheapest value is 512 up to 144, then 128 up "
                  "to 1000 cycles."));
  // At typical costs (a TLBI 22 cycles) the default is cheapest.
  EXPECT_THAT(summary->text,
              ::testing::HasSubstr("the default 512 is the cheapest"));
}

TEST(ParseCostSweep, NamesATermAndAnOrderedRange) {
  const absl::StatusOr<CostSweep> ok = ParseCostSweep("walks=5:500");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->term, "walks");
  EXPECT_EQ(ok->low, 5);
  EXPECT_EQ(ok->high, 500);
  for (const char* bad : {"walks", "nope=1:2", "walks=5", "walks=9:2",
                          "walks=-1:2", "walks=a:b", "walks=1:inf"}) {
    EXPECT_FALSE(ParseCostSweep(bad).ok()) << bad;
  }
}

TEST_F(TuneReportTest, WithRepetitionsATestDecidesHostTimeLevels) {
  // Five repetitions per value: 128 is 3% slower than the default every
  // time (level by the one-run 5% rule, dearer by the U test); 256
  // scatters around it.
  const std::map<int64_t, std::vector<double>> ms = {
      {128, {103, 103.5, 104, 104.5, 105}},
      {256, {92, 97, 103, 109, 112}},
      {512, {100, 100.5, 101, 101.5, 102}}};
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& [value, times] : ms) {
    for (double t : times) {
      benchmarks.push_back(
          {{"name", TuneBenchmarkName("batched_tlbi.max_tlbi_ops", value,
                                      "fork_resume/1MiB") +
                        "/manual_time"},
           {"run_type", "iteration"},
           {"real_time", t},
           {"time_unit", "us"},
           {"tlbi.vale1is", value == 128 ? 2e3 : 1e3}});
    }
  }
  const absl::StatusOr<TuneSummary> summary =
      WriteTuneReport(WriteSweep(benchmarks), Costs());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->text,
              ::testing::HasSubstr(
                  "Host time (the simulator's speed, not a core's): no value "
                  "is clearly cheaper than the default 512 "
                  "(level: host times not significantly different over 5 "
                  "repetitions). Against the default: dearer at 128; level at "
                  "256 to 512."));
}

}  // namespace
}  // namespace ttb::bench
