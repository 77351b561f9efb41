// The simulated workloads as Google Benchmark runs them: a benchmark whose
// fork fails stops with the failure instead of timing nothing.
#include <benchmark/benchmark.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/results/cost_model.h"
#include "bench/workloads/suite.h"
#include "variants/async_fork.h"
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
      counters.push_back(r.counters);
    }
  }
  std::vector<std::string> errors;
  std::vector<benchmark::UserCounters> counters;
};

// Runs each of `names` by `strategy` for `iterations`, charging `costs`,
// as the suite would; what each run reported.
Recorder RunWorkloads(Strategy<sim::SimArch>& strategy, const CostModel& costs,
                      std::initializer_list<const char*> names,
                      int iterations) {
  SuiteOptions o;
  o.profile = sim::FindTlbProfile("neoverse-n1");
  o.costs = &costs;
  for (const char* name : names) {
    const absl::StatusOr<SimWorkload> w = ParseSimWorkload(name);
    EXPECT_TRUE(w.ok()) << w.status();
    if (!w.ok()) continue;
    benchmark::RegisterBenchmark(name,
                                 [&, w = *w](benchmark::State& st) {
                                   RunSimWorkload(st, o, &strategy, w);
                                 })
        ->UseManualTime()
        ->Iterations(iterations);
  }
  Recorder recorder;
  benchmark::RunSpecifiedBenchmarks(&recorder);
  benchmark::ClearRegisteredBenchmarks();
  return recorder;
}

// The counters of one run of `name` by lazy_cow with `costs`.
benchmark::UserCounters RunOnce(const char* name, const CostModel& costs) {
  LazyCow<sim::SimArch> strategy;
  const Recorder recorder = RunWorkloads(strategy, costs, {name}, 1);
  EXPECT_EQ(recorder.counters.size(), 1u);
  return recorder.counters.empty() ? benchmark::UserCounters()
                                   : recorder.counters[0];
}

// A workload on one simulated CPU of a machine of many PEs takes the
// broadcast maintenance that machine's kernel issues, which its cost
// model charges for every PE; on a one-PE machine it stays local. Each
// event is also reported for the forking CPU, here all of them.
TEST(SimWorkloads, OneCpuOfABigMachineBroadcastsItsMaintenance) {
  CostModel costs =
      *CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1-80.json");
  benchmark::UserCounters c = RunOnce("fork/dense/1MiB", costs);
  EXPECT_EQ(c["tlbi.vale1is"].value, 256);  // A TLBI per page.
  EXPECT_EQ(c["tlbi_completions.broadcast"].value, 256);
  EXPECT_EQ(c["cpu0.tlbi.vale1is"].value, 256);
  EXPECT_EQ(c.count("tlbi.vale1"), 0u);
  costs.set_pes(1);
  c = RunOnce("fork/dense/1MiB", costs);
  EXPECT_EQ(c["tlbi.vale1"].value, 256);
  EXPECT_EQ(c["tlbi_completions.local"].value, 256);
  EXPECT_EQ(c.count("tlbi.vale1is"), 0u);
}

// async_fork's child copies its tables on CPU 1 while the parent writes
// 10% of a 16 MiB parent, charged to CPU 1.
TEST(SimWorkloads, ForkWriteRunsTheChildsBackgroundCopyOnItsOwnCpu) {
  const absl::StatusOr<CostModel> costs =
      CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1.json");
  ASSERT_TRUE(costs.ok()) << costs.status();
  AsyncFork<sim::SimArch> strategy;
  const Recorder r =
      RunWorkloads(strategy, *costs, {"fork_write/10pct/16MiB"}, 1);
  ASSERT_EQ(r.counters.size(), 1u);
  benchmark::UserCounters c = r.counters[0];
  EXPECT_EQ(r.errors[0], "");
  EXPECT_EQ(c["background_steps"].value, 8);
  // The fork's three tables (a 48-bit regime) and a reference to each of
  // the 8 it shares; the child, ahead of the parent's writes, copies all 8
  // on its CPU, a reference per page.
  EXPECT_EQ(c["cpu0.tables_allocated"].value, 3);
  EXPECT_EQ(c["cpu0.frames_shared"].value, 8);
  EXPECT_EQ(c["tables_allocated"].value, 3 + 8);
  EXPECT_EQ(c["frames_shared"].value, 8 + 16 * 256);
  // Every write copied its page, whoever copied its table.
  EXPECT_EQ(c["pages_copied"].value, 16 * 256 / 10);
}

// The same 16 MiB parent in each granule: a fork shares one frame per page
// of the granule, and a CoW break copies one of them, counted (and priced)
// in 4 KiB units.
TEST(SimWorkloads, GranuleWorkloadsRunInTheirPageSize) {
  const absl::StatusOr<CostModel> costs =
      CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1.json");
  ASSERT_TRUE(costs.ok()) << costs.status();
  for (const int kib : {4, 16, 64}) {
    SCOPED_TRACE(kib);
    const std::string fork = absl::StrCat("granule_fork/", kib, "KiB/16MiB");
    benchmark::UserCounters c = RunOnce(fork.c_str(), *costs);
    EXPECT_EQ(c["frames_shared"].value, 16 * 1024 / kib);
    EXPECT_EQ(c["tlbi"].value, 16 * 1024 / kib);  // One per page.
    const std::string cow =
        absl::StrCat("granule_cow_fault/", kib, "KiB/child_first_write");
    c = RunOnce(cow.c_str(), *costs);
    EXPECT_EQ(c["pages_copied"].value, kib / 4);
  }
}

// The same parent in contiguous runs: fork shares as many frames and
// keeps the runs whole, and the parent's first CoW break splits its run
// (a TLBI per page of the run, then the break's own) before copying.
TEST(SimWorkloads, RunWorkloadsMapContiguousRuns) {
  const absl::StatusOr<CostModel> costs =
      CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1.json");
  ASSERT_TRUE(costs.ok()) << costs.status();
  for (const int kib : {4, 16, 64}) {
    SCOPED_TRACE(kib);
    const unsigned run = kib == 4 ? 16 : kib == 16 ? 128 : 32;
    const std::string fork = absl::StrCat("run_fork/", kib, "KiB/16MiB");
    benchmark::UserCounters c = RunOnce(fork.c_str(), *costs);
    EXPECT_EQ(c["frames_shared"].value, 16 * 1024 / kib);
    const std::string pages =
        absl::StrCat("granule_cow_fault/", kib, "KiB/parent_first_write");
    const std::string runs =
        absl::StrCat("run_cow_fault/", kib, "KiB/parent_first_write");
    const benchmark::UserCounters page_fault = RunOnce(pages.c_str(), *costs);
    const benchmark::UserCounters run_fault = RunOnce(runs.c_str(), *costs);
    EXPECT_EQ(run_fault.at("pages_copied").value, kib / 4);
    EXPECT_EQ(run_fault.at("tlbi").value, page_fault.at("tlbi").value + run);
    // The other policy copies the whole run, in one break-before-make.
    const std::string copy =
        absl::StrCat("run_copy_cow_fault/", kib, "KiB/parent_first_write");
    const benchmark::UserCounters copy_fault = RunOnce(copy.c_str(), *costs);
    EXPECT_EQ(copy_fault.at("pages_copied").value, run * kib / 4);
    EXPECT_EQ(copy_fault.at("tlbi").value, run);
  }
}

TEST(SimWorkloads, AFailedForkStopsTheBenchmarkWithTheFailure) {
  const absl::StatusOr<CostModel> costs =
      CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1.json");
  ASSERT_TRUE(costs.ok()) << costs.status();
  ForkAlwaysFails strategy;
  const Recorder recorder =
      RunWorkloads(strategy, *costs,
                   {"fork/dense/1MiB", "fork_write/10pct/1MiB",
                    "cow_fault/child_first_write", "pingpong"},
                   3);
  ASSERT_EQ(recorder.errors.size(), 4u);
  for (const std::string& error : recorder.errors) {
    EXPECT_THAT(error, HasSubstr("fork failed: no memory"));
  }
}

}  // namespace
}  // namespace ttb::bench
