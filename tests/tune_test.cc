#include "bench/tune.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ttb::bench
