// Replays of captured traces as benchmarks of every strategy,
// "replay/<strategy>/<trace>", so that results, compare and the report
// treat them as they treat the synthetic workloads.
#ifndef TTBENCH_BENCH_REPLAY_REPLAY_BENCHMARKS_H_
#define TTBENCH_BENCH_REPLAY_REPLAY_BENCHMARKS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/replay/layout.h"
#include "bench/results/replay_counters.h"
#include "bench/workloads/suite.h"

namespace ttb::bench {

// A trace as replays use it: named by its file ("redis-bgsave" for
// bench/traces/redis-bgsave.ttrace.gz).
struct ReplayTrace {
  std::string name;
  // Where it came from, in a line: program, host, kernel, date.
  std::string provenance;
  std::map<std::string, uint64_t> reported;
  ReplayLayout layout;
};

// The error is LoadTrace's one line.
absl::StatusOr<std::shared_ptr<const ReplayTrace>> LoadReplayTrace(
    const std::string& path);
// A trace's name, from its path: its file name without .ttrace.gz.
std::string TraceName(const std::string& path);
// The traces (*.ttrace.gz) in `dir`, sorted.
std::vector<std::string> TracesIn(const std::string& dir);

// `trace` repeated (Repeated) to about `gib` GiB, named "<trace>-<gib>GiB".
absl::StatusOr<std::shared_ptr<const ReplayTrace>> ScaledTrace(
    const ReplayTrace& trace, uint64_t gib);
// The larger replays the default suite runs of those of `traces` it names
// (the Redis capture at 8 and 64 GiB, as Async-fork measured Redis), for
// replay without data.
std::vector<std::shared_ptr<const ReplayTrace>> ScaledTraces(
    const std::vector<std::shared_ptr<const ReplayTrace>>& traces);

// Registers replay/<strategy>/<trace> for each trace and strategy; with
// `keep_data` false, their machines keep no data bytes.
void RegisterReplayBenchmarks(
    const SuiteOptions& options,
    const std::vector<std::shared_ptr<const ReplayTrace>>& traces,
    bool keep_data = true);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPLAY_REPLAY_BENCHMARKS_H_
