// What a run of the suite is: its size, the strategies and core profile it
// covers, and the cost model; and the functions that register each family
// of benchmarks for it.
#ifndef TTBENCH_BENCH_WORKLOADS_SUITE_H_
#define TTBENCH_BENCH_WORKLOADS_SUITE_H_

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bench/results/cost_model.h"
#include "bench/results/workload.h"
#include "engine/sim/sim_arch.h"
#include "engine/sim/tlb_profile.h"
#include "engine/strategy.h"

namespace ttb::bench {

enum class Suite { kQuick, kDefault, kFull };

// What the workloads that time themselves read.
using Clock = std::chrono::steady_clock;

// Keeps a benchmark's simulated machine between the calls Google
// Benchmark makes of it (sim_workloads.cc).
class FixtureCache;

struct SuiteOptions {
  Suite suite = Suite::kDefault;
  std::vector<Strategy<sim::SimArch>*> strategies;
  const sim::TlbProfile* profile = nullptr;
  bool range_tlbi = false;
  bool bbm_level2 = false;  // sim::MachineConfig::bbm_level2.
  // sim::MachineConfig::cow_copies_runs for every workload, not only the
  // *_copy_* families.
  bool cow_copies_whole = false;
  // How forks walk the tables (--walk), where a workload names none;
  // nullptr: the default walk.
  const TableWalk* walk = nullptr;
  const CostModel* costs = nullptr;
  // Where benchmarks keep their machine between calls; nullptr: each call
  // builds its own (a caller whose strategies may die before the next).
  FixtureCache* fixtures = nullptr;
};

// Registers a benchmark and remembers its name (for progress counts).
// Manual-time benchmarks report as <name>/manual_time, which is also what
// --filter sees.
benchmark::internal::Benchmark* Register(
    const std::string& name, std::function<void(benchmark::State&)> fn,
    bool manual_time = false);
// Every name registered so far, as reported.
const std::vector<std::string>& RegisteredNames();

// The ns_per_page counter of a benchmark that times its own iterations:
// `seconds` in all, each iteration covering `pages` pages. In nanoseconds,
// as its name says; an inverted rate counter would hold seconds.
void SetNsPerPage(benchmark::State& state, double seconds, uint64_t pages);

// Resident sizes, in MiB, that the suite's size sweeps cover.
std::vector<uint64_t> SizesMiB(Suite suite);

// A row of the workload registry: a family, the function that runs one of
// its workloads as a benchmark of a strategy, and the workloads of it that
// a suite runs.
struct SimFamily {
  WorkloadFamily info;
  void (*run)(benchmark::State& state, const SuiteOptions& options,
              Strategy<sim::SimArch>* s, const SimWorkload& w);
  std::vector<SimWorkload> (*in_suite)(const SimFamily& self, Suite suite);
  // Whether each iteration's untimed work (the child's exit, the parent's
  // reset) can cost far more than the step it times (a fork that shares
  // whole tables): its benchmarks then time kShortMinTime seconds, not the
  // suite's, or sizing them by timed work alone takes minutes of untimed.
  bool short_min_time = false;
};

// What a benchmark of a short_min_time family times at least (the quick
// suite's own minimum).
inline constexpr double kShortMinTime = 0.05;

// Every family, in the order the suite runs them; what names and reports
// need of them; and a workload named among them.
std::span<const SimFamily> SimFamilies();
Families WorkloadFamilies();
absl::StatusOr<SimWorkload> ParseSimWorkload(absl::string_view name);

// The simulated workloads a suite runs for each strategy, family by
// family, and one of them run as a benchmark of strategy `s`.
std::vector<SimWorkload> SimWorkloads(Suite suite);
void RunSimWorkload(benchmark::State& state, const SuiteOptions& options,
                    Strategy<sim::SimArch>* s, const SimWorkload& w);

void RegisterSimBenchmarks(const SuiteOptions& options);
void RegisterEngineBenchmarks(const SuiteOptions& options);
void RegisterNativeBenchmarks(const SuiteOptions& options);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOADS_SUITE_H_
