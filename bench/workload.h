// A simulated workload, named as its benchmarks are but without the
// strategy: "fork/dense/1024MiB", "fork_exit/16MiB", "fork_resume/16MiB",
// "fork_write/10pct/1024MiB", "cow_fault/child_first_write", "pingpong",
// "smp_fork/4cpus/64MiB". The suite registers these for every strategy, and
// `ttbench tune --workload` names one the same way.
#ifndef TTBENCH_BENCH_WORKLOAD_H_
#define TTBENCH_BENCH_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttb::bench {

enum class Layout { kDense, kSparse };
enum class Writer { kChild, kParent, kSecondWrite };

struct SimWorkload {
  enum class Kind {
    kFork,
    kForkExit,
    kForkResume,
    kForkWrite,
    kCowFault,
    kPingPong,
    kSmpFork
  };
  Kind kind = Kind::kFork;
  uint64_t mib = 0;                // Resident size, where the workload has one.
  Layout layout = Layout::kDense;  // kFork.
  int percent = 0;                 // kForkWrite: pages the parent writes.
  Writer writer = Writer::kChild;  // kCowFault.
  int cpus = 1;                    // kSmpFork.

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

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOAD_H_
