// The simulated workloads as Google Benchmark runs them: a benchmark whose
// fork fails stops with the failure instead of timing nothing.
#include <benchmark/benchmark.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/results/cost_model.h"
#include "bench/workloads/suite.h"
#include "variants/lazy_cow.h"

namespace ttb::bench {
namespace {

using ::testing::HasSubstr;

// lazy_cow whose machines can make one space, the parent's: every fork
// fails.
class ForkAlwaysFails final : public LazyCow<sim::SimArch> {
 public:
  Status Attach(Kernel<sim::SimArch>& k) override {
    spaces_ = 0;
    return LazyCow<sim::SimArch>::Attach(k);
  }
  Status CreateSpace(Kernel<sim::SimArch>& k, Process& p) override {
    if (spaces_++ > 0) return Status::kNoMemory;
    return LazyCow<sim::SimArch>::CreateSpace(k, p);
  }

 private:
  int spaces_ = 0;
};

// Keeps what each run reported.
class Recorder : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      errors.push_back(r.error_occurred ? r.error_message : "");
    }
  }
  std::vector<std::string> errors;
};

TEST(SimWorkloads, AFailedForkStopsTheBenchmarkWithTheFailure) {
  const absl::StatusOr<CostModel> costs =
      CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1.json");
  ASSERT_TRUE(costs.ok()) << costs.status();
  SuiteOptions o;
  o.profile = sim::FindTlbProfile("neoverse-n1");
  o.costs = &*costs;
  ForkAlwaysFails strategy;
  for (const char* name : {"fork/dense/1MiB", "fork_write/10pct/1MiB",
                           "cow_fault/child_first_write", "pingpong"}) {
    const absl::StatusOr<SimWorkload> w = ParseSimWorkload(name);
    ASSERT_TRUE(w.ok()) << w.status();
    benchmark::RegisterBenchmark(name,
                                 [&, w = *w](benchmark::State& st) {
                                   RunSimWorkload(st, o, &strategy, w);
                                 })
        ->UseManualTime()
        ->Iterations(3);
  }
  Recorder recorder;
  benchmark::RunSpecifiedBenchmarks(&recorder);
  benchmark::ClearRegisteredBenchmarks();
  ASSERT_EQ(recorder.errors.size(), 4u);
  for (const std::string& error : recorder.errors) {
    EXPECT_THAT(error, HasSubstr("fork failed: no memory"));
  }
}

}  // namespace
}  // namespace ttb::bench
