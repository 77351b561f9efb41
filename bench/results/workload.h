// A simulated workload, named as its benchmarks are but without the
// strategy: "fork/dense/1024MiB", "fork_write/10pct/1024MiB",
// "cow_fault/child_first_write", "pingpong". Its family is a row of the
// workload registry (bench/workloads/sim_workloads.cc), which the driver
// hands to whatever parses or builds names; the suite registers every
// family's workloads for every strategy, and `ttbench tune --workload`
// names one the same way.
#ifndef TTBENCH_BENCH_RESULTS_WORKLOAD_H_
#define TTBENCH_BENCH_RESULTS_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/results/workload_family.h"
#include "engine/table_walk.h"

namespace ttb::bench {

// Dense: one run of pages over consecutive frames. Sparse: 32 pages per
// 2 MiB region. Aged: dense addresses over scattered frames
// (bench/replay/aged_layout.h).
enum class Layout { kDense, kSparse, kAged };
// "dense", "sparse", "aged": as a workload's name spells it.
const char* LayoutName(Layout layout);
enum class Writer { kChild, kParent, kSecondWrite };

// The page sizes a workload may name ("<G>KiB"): TCR_EL1.TG0's granules.
inline constexpr unsigned kGranulesKiB[] = {4, 16, 64};

// The families a name may belong to: the registry's.
using Families = std::vector<const WorkloadFamily*>;

struct SimWorkload {
  const WorkloadFamily* family = nullptr;
  uint64_t mib = 0;  // Resident size, where the family has one.
  Layout layout = Layout::kDense;
  int percent = 0;  // Pages the parent writes.
  Writer writer = Writer::kChild;
  int cpus = 1;
  unsigned granule_kib = 4;  // The page size: TCR_EL1.TG0's granule.
  // How its forks walk the tables; nullptr: the run's (--walk).
  const TableWalk* walk = nullptr;

  // Largest resident size a workload may name: the simulated memory holds
  // the parent and a full copy of it. Without data bytes, only tables and
  // metadata take the host's memory: 64 GiB, Async-fork's largest Redis.
  static constexpr uint64_t kMaxMiB = 4096;
  static constexpr uint64_t kMaxMiBWithoutData = 65536;

  // The name without the strategy, and a benchmark's name with it
  // ("fork/<strategy>/dense/1024MiB").
  std::string Name() const;
  std::string BenchmarkName(absl::string_view strategy) const;
  // The inverse of Name(), among `families`; the error says what is wrong
  // with `name`.
  static absl::StatusOr<SimWorkload> Parse(absl::string_view name,
                                           const Families& families);

  bool operator==(const SimWorkload&) const = default;
};

// How a family's workloads are named: "fork_write/<k>pct/<N>MiB", with
// "/<strategy>" after the family for its benchmarks.
std::string Shape(const WorkloadFamily& f, bool with_strategy);

// The family of `families` named `name`, or nullptr.
const WorkloadFamily* FindFamily(const Families& families,
                                 absl::string_view name);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_WORKLOAD_H_
