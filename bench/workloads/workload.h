// A simulated workload, named as its benchmarks are but without the
// strategy: "fork/dense/1024MiB", "fork_write/10pct/1024MiB",
// "cow_fault/child_first_write", "pingpong". Its family is a row of the
// registry (SimFamilies()); the suite registers every family's workloads
// for every strategy, and `ttbench tune --workload` names one the same way.
#ifndef TTBENCH_BENCH_WORKLOADS_WORKLOAD_H_
#define TTBENCH_BENCH_WORKLOADS_WORKLOAD_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/results/workload_family.h"

namespace ttb::bench {

enum class Layout { kDense, kSparse };
enum class Writer { kChild, kParent, kSecondWrite };

struct SimFamily;

struct SimWorkload {
  const SimFamily* family = nullptr;
  uint64_t mib = 0;  // Resident size, where the family has one.
  Layout layout = Layout::kDense;
  int percent = 0;  // Pages the parent writes.
  Writer writer = Writer::kChild;
  int cpus = 1;

  // Largest resident size a workload may name: the simulated memory holds
  // the parent and a full copy of it.
  static constexpr uint64_t kMaxMiB = 4096;

  // The name without the strategy, and a benchmark's name with it
  // ("fork/<strategy>/dense/1024MiB").
  std::string Name() const;
  std::string BenchmarkName(absl::string_view strategy) const;
  // The inverse of Name(); the error says what is wrong with `name`.
  static absl::StatusOr<SimWorkload> Parse(absl::string_view name);

  bool operator==(const SimWorkload&) const = default;
};

// How a family's workloads are named: "fork_write/<k>pct/<N>MiB", with
// "/<strategy>" after the family for its benchmarks.
std::string Shape(const WorkloadFamily& f, bool with_strategy);

// Every family, in the order the suite runs them.
std::span<const SimFamily> SimFamilies();
// What reports and `list` need of them.
std::vector<WorkloadFamily> WorkloadFamilies();

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOADS_WORKLOAD_H_
