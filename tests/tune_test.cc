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

using TuneReportTest = TempDirTest;

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
           {"modelled_cycles", value == 128 ? 2e6 : 1e6}});
    }
  }
  std::filesystem::create_directories(dir_);
  const std::filesystem::path json = dir_ / "sweep.json";
  std::ofstream(json) << nlohmann::json{
      {"context",
       {{kTuneKnobKey, "batched_tlbi.max_tlbi_ops"},
        {kTuneDefaultKey, "512"},
        {kTuneWorkloadKey, "fork_resume/1MiB"}}},
      {"benchmarks",
       benchmarks}}.dump();
  const absl::StatusOr<TuneSummary> summary = WriteTuneReport(json.string());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->text,
              ::testing::HasSubstr(
                  "Host time: no value is clearly cheaper than the default 512 "
                  "(level: host times not significantly different over 5 "
                  "repetitions). Against the default: dearer at 128; level at "
                  "256 to 512."));
}

}  // namespace
}  // namespace ttb::bench
