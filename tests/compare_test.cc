#include "bench/results/compare.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "bench/results/mann_whitney.h"

namespace ttb::bench {
namespace {

TEST(MannWhitney, ExactTwoSidedPValuesByHand) {
  // Fully separated 3 vs 3: U = 0, one arrangement in C(6,3) = 20 per tail.
  UTest t = MannWhitneyU({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(t.u, 0);
  EXPECT_NEAR(t.p_value, 2.0 / 20, 1e-12);
  // 5 vs 5 separated: 2 / C(10,5) = 2 / 252.
  EXPECT_NEAR(MannWhitneyU({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).p_value,
              2.0 / 252, 1e-12);
  // Interleaved: U = 3 of 9; P(U <= 3) = 7/20 for 3 vs 3.
  t = MannWhitneyU({1, 3, 5}, {2, 4, 6});
  EXPECT_EQ(t.u, 3);
  EXPECT_NEAR(t.p_value, 0.7, 1e-12);
}

TEST(MannWhitney, TiesUseTheNormalApproximation) {
  const UTest t = MannWhitneyU({1, 1, 1, 2}, {1, 2, 2, 2});
  EXPECT_FALSE(t.exact);
  EXPECT_GT(t.p_value, 0.05);
  EXPECT_LE(t.p_value, 1.0);
  std::vector<double> a, b;
  for (int i = 0; i < 30; ++i) {
    a.push_back(i);
    b.push_back(100 + i % 3);  // Ties within b.
  }
  EXPECT_LT(MannWhitneyU(a, b).p_value, 1e-6);
}

// A result file with `name` timed at each of `times` (us), one entry per
// repetition, plus the aggregate that must be ignored.
std::string Write(const std::string& file, const std::string& name,
                  const std::vector<double>& times) {
  std::ostringstream doc;
  doc << R"({"context": {}, "benchmarks": [)";
  for (double t : times) {
    doc << R"({"name": ")" << name << R"(", "run_name": ")" << name
        << R"(", "run_type": "iteration", "real_time": )" << t
        << R"(, "time_unit": "us"},)";
  }
  doc << R"({"name": ")" << name << R"(_mean", "run_name": ")" << name
      << R"(", "run_type": "aggregate", "real_time": 1, "time_unit": "s"}]})";
  const std::string path = ::testing::TempDir() + file;
  std::ofstream(path) << doc.str();
  return path;
}

TEST(Compare, FlagsASignificantRegressionPastTheThreshold) {
  const auto a = LoadTimings(Write("a.json", "fork/x", {10, 11, 10, 12, 11}));
  const auto b = LoadTimings(Write("b.json", "fork/x", {20, 21, 22, 20, 21}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->at("fork/x").ns.size(), 5u);         // The aggregate is not one.
  EXPECT_DOUBLE_EQ(a->at("fork/x").ns[0], 10'000);  // In ns.
  std::ostringstream out;
  EXPECT_EQ(Compare(*a, *b, {}, out), 1);
  EXPECT_NE(out.str().find("slower, REGRESSION"), std::string::npos)
      << out.str();
  // Not past a 150% threshold; and not among the benchmarks that may fail.
  EXPECT_EQ(Compare(*a, *b, {.threshold = 1.5}, out), 0);
  EXPECT_EQ(Compare(*a, *b, {.fail_on = "^cow_fault/"}, out), 0);
  // Faster is never a regression.
  EXPECT_EQ(Compare(*b, *a, {}, out), 0);
}

TEST(Compare, NoiseWithinTheSamplesIsNotSignificant) {
  const auto a = LoadTimings(Write("c.json", "walk", {10, 12, 11, 13, 9}));
  const auto b = LoadTimings(Write("d.json", "walk", {11, 10, 13, 12, 10}));
  std::ostringstream out;
  EXPECT_EQ(Compare(*a, *b, {.threshold = 0}, out), 0);
  EXPECT_NE(out.str().find("not significant"), std::string::npos);
}

// A benchmark given its own minimum time is named with it; results key it
// without, so runs before and after such a change compare.
TEST(Compare, ABenchmarksOwnMinimumTimeIsNotPartOfItsName) {
  const auto a = LoadTimings(Write(
      "e.json", "fork/x/dense/1MiB/min_time:0.050/manual_time", {10, 11}));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->count("fork/x/dense/1MiB/manual_time"), 1u);
  EXPECT_EQ(a->size(), 1u);
}

TEST(ContextValue, AnEmptyValueIsMissing) {
  const std::map<std::string, std::string> context = {{"commit", ""},
                                                      {"cpu", "x"}};
  EXPECT_EQ(ContextValue(context, "commit"), "?");
  EXPECT_EQ(ContextValue(context, "absent", "-"), "-");
  EXPECT_EQ(ContextValue(context, "cpu"), "x");
}

TEST(LoadTimings, ReadsGoogleBenchmarksNonFiniteCounters) {
  // What --repetitions writes for a counter that is always 0: its
  // coefficient of variation is NaN, written bare. Strings keep theirs.
  EXPECT_EQ(NonFiniteAsNull(R"({"a": NaN, "b": -Infinity, "c": "NaN \" x"})"),
            R"({"a": null, "b": null, "c": "NaN \" x"})");
  const std::string path = ::testing::TempDir() + "nan.json";
  std::ofstream(path)
      << R"({"benchmarks": [)"
      << R"({"name": "w", "run_type": "iteration", )"
      << R"("real_time": 5, "time_unit": "ns", "tlbi": 0},)"
      << R"({"name": "w_cv", "run_type": "aggregate", )"
      << R"("real_time": 0.1, "time_unit": "ns", "tlbi": NaN}]})";
  const absl::StatusOr<Timings> t = LoadTimings(path);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->at("w").ns.size(), 1u);
  EXPECT_EQ(t->at("w").Counter("tlbi"), 0);
}

TEST(Compare, BadFilesAreNamedWithWhatIsWrong) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "trunc.json") << R"({"benchmarks": [{"name": )";
  std::ofstream(dir + "foreign.json") << R"({"rows": []})";
  std::ofstream(dir + "unit.json")
      << R"({"benchmarks": [{"name": "x", "real_time": 1, "time_unit": "hz"}]})";
  auto t = LoadTimings(dir + "trunc.json");
  EXPECT_NE(t.status().message().find("trunc.json: not JSON"),
            std::string::npos);
  t = LoadTimings(dir + "foreign.json");
  EXPECT_NE(t.status().message().find("no \"benchmarks\" array"),
            std::string::npos);
  t = LoadTimings(dir + "unit.json");
  EXPECT_NE(t.status().message().find("unknown time unit 'hz'"),
            std::string::npos);
  EXPECT_FALSE(LoadTimings(dir + "absent.json").ok());
}

// Found by the result-set fuzzer: each was a crash (an uncaught JSON type
// error) or an error of more than one line.
TEST(ParseTimings, HostileFieldsGiveOneLineErrors) {
  const std::pair<const char*, const char*> bad[] = {
      {R"({"benchmarks": [{"name": "a", "real_time": 1, "time_unit": "ns",
            "run_type": 5}]})",
       "run_type is not a string"},
      {R"({"benchmarks": [{"name": "a", "real_time": 1, "time_unit": "ns",
            "run_name": []}]})",
       "run_name is not a string"},
      {R"({"benchmarks": [{"name": "a", "real_time": 1,
            "time_unit": "n\ns"}]})",
       "unknown time unit 'n\\ns'"},
  };
  for (const auto& [text, says] : bad) {
    const absl::StatusOr<Timings> t = ParseTimings(text, "x.json");
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_NE(t.status().message().find(says), std::string::npos)
        << t.status().message();
    EXPECT_EQ(t.status().message().find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace ttb::bench
