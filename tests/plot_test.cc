// The plotting helpers the report and tune commands share, and how a run
// finds the bare-metal results its report shows.
#include "bench/report/plot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_format.h"
#include "bench/report/report.h"
#include "tests/temp_dir.h"

namespace ttb::bench {
namespace {

namespace fs = std::filesystem;

class PlotTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(dir_);
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  void Touch(const std::string& name) {
    fs::create_directories(fs::path(Path(name)).parent_path());
    std::ofstream(Path(name)) << "{}";
  }
};

TEST_F(PlotTest, LinePlotDrawsMeasuredSeriesAndSaysWhenThereAreNone) {
  const Series some = {{"measured", {{1, 2}, {2, 3}}}, {"absent", {{1, 0}}}};
  ASSERT_TRUE(LinePlot(Path("some.svg"), "t", "x", "y", "", some).ok());
  const std::string text = ReadFile(Path("some.svg"));
  EXPECT_NE(text.find("measured"), std::string::npos);
  EXPECT_EQ(text.find("absent"), std::string::npos);  // No empty key entry.

  const Series none = {{"absent", {{1, 0}, {2, -1}}}};
  const absl::Status s = LinePlot(Path("none.svg"), "t", "x", "y", "", none);
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_FALSE(fs::exists(Path("none.svg")));
}

TEST_F(PlotTest, AGnuplotErrorIsNamed) {
  const absl::Status s = Plot("plot nonsense_function(x)\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("gnuplot failed: line "), std::string::npos) << s;
  EXPECT_NE(s.message().find("undefined function: nonsense_function"),
            std::string::npos)
      << s;
}

TEST(Crossing, FindsWhereTheCurvesClearlyChangeSides) {
  // Adjacent samples need not both be clear: 10% apart at k = 10, too
  // close at 50, 30% apart the other way at 100. They cross between 10
  // and 50, where the difference changes sign.
  const Points lazy = {{0, 2}, {10, 25}, {50, 110}, {100, 194}};
  const Points eager = {{0, 86}, {10, 92}, {50, 105}, {100, 132}};
  const std::optional<double> x = Crossing(lazy, eager, 0.1);
  ASSERT_TRUE(x.has_value());
  EXPECT_NEAR(*x, 10 + 40 * 67.0 / 72.0, 1e-9);
  // Within the gap everywhere but one side: no crossing.
  EXPECT_FALSE(Crossing({{0, 10}, {1, 10.5}}, {{0, 10.4}, {1, 10}}, 0.1));
  EXPECT_FALSE(Crossing(lazy, lazy, 0.1));
  // Curves that meet exactly at a sample cross there.
  EXPECT_EQ(Crossing({{0, 1}, {1, 5}, {2, 9}}, {{0, 5}, {1, 5}, {2, 5}}, 0.1),
            1.0);
  // Unmeasured points are skipped.
  EXPECT_NEAR(
      *Crossing({{0, 1}, {1, 0}, {2, 9}}, {{0, 5}, {1, 5}, {2, 5}}, 0.1), 1.0,
      1e-9);
}

TEST(DescribeCrossings, SaysWhichMeasureSeesEachCrossing) {
  // eager crosses lazy in both measures; noisy crosses lazy in host time
  // only (its cycles stay below); costly crosses eager in cycles only.
  const Series host = {{"eager", {{0, 90}, {100, 130}}},
                       {"lazy", {{0, 2}, {100, 190}}},
                       {"noisy", {{0, 2.5}, {100, 150}}}};
  const Series modelled = {{"eager", {{0, 150}, {100, 160}}},
                           {"lazy", {{0, 10}, {100, 460}}},
                           {"noisy", {{0, 9}, {100, 450}}}};
  const std::vector<std::string> said = DescribeCrossings(host, modelled);
  ASSERT_EQ(said.size(), 3u);
  EXPECT_EQ(said[0], absl::StrFormat(
                         "`eager` and `lazy` cross at k = %.1f%% in modelled "
                         "cycles (host time: %.1f%%)",
                         100 * 140.0 / 440.0, 100 * 88.0 / 148.0));
  EXPECT_EQ(said[1],
            absl::StrFormat("`eager` and `noisy` cross at k = %.1f%% in "
                            "modelled cycles (host time: %.1f%%)",
                            100 * 141.0 / 431.0, 100 * 87.5 / 107.5));
  EXPECT_EQ(said[2], absl::StrFormat(
                         "`lazy` and `noisy` cross at k = %.1f%% in host time "
                         "only",
                         100 * 0.5 / 40.5));
  // Two strategies that did the same simulated work: their host times
  // crossing is noise, and not reported.
  EXPECT_TRUE(DescribeCrossings(
                  {{"a", {{0, 1}, {100, 2}}}, {"b", {{0, 1.5}, {100, 1.5}}}},
                  {{"a", {{0, 7}, {100, 9}}}, {"b", {{0, 7}, {100, 9.000001}}}})
                  .empty());
  // Swap the roles: a crossing the cost model alone shows.
  const std::vector<std::string> swapped = DescribeCrossings(
      {{"a", {{0, 1}, {100, 2}}}, {"b", {{0, 1.01}, {100, 2.02}}}},
      {{"a", {{0, 1}, {100, 3}}}, {"b", {{0, 2}, {100, 2}}}});
  ASSERT_EQ(swapped.size(), 1u);
  EXPECT_EQ(swapped[0],
            "`a` and `b` cross at k = 50.0% in modelled cycles only");
}

using ReportFilesTest = PlotTest;

TEST_F(ReportFilesTest, NewestBaremetalResultsPicksOnePerMachine) {
  Touch("qemu-virt-max/2026-11-24-baremetal-default.json");
  Touch("qemu-virt-max/2026-11-25-baremetal-default.json");
  Touch("qemu-virt-max/2026-11-25-baremetal-quick.json");
  Touch("qemu-virt-max/2026-11-25-baremetal-default.md");
  Touch("qemu-virt-cortex-a72/2026-11-20-baremetal-full.json");
  Touch("x86-64/2026-11-26-default.json");  // A host result set.
  EXPECT_EQ(NewestBaremetalResults(dir_.string(), "default"),
            (std::vector<std::string>{
                Path("qemu-virt-cortex-a72/2026-11-20-baremetal-full.json"),
                Path("qemu-virt-max/2026-11-25-baremetal-default.json")}));
  EXPECT_EQ(NewestBaremetalResults(dir_.string(), "quick")[1],
            Path("qemu-virt-max/2026-11-25-baremetal-quick.json"));
  EXPECT_TRUE(NewestBaremetalResults(Path("nowhere"), "default").empty());
}

}  // namespace
}  // namespace ttb::bench
