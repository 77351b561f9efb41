// How replay benchmarks are named and what they export beside their
// events, shared by the replays (bench/replay) and the report that reads
// them (bench/report), which needs no simulator.
#ifndef TTBENCH_BENCH_RESULTS_REPLAY_COUNTERS_H_
#define TTBENCH_BENCH_RESULTS_REPLAY_COUNTERS_H_

namespace ttb::bench {

// "replay/<strategy>/<trace>".
inline constexpr char kReplayFamily[] = "replay";
// Per cost point ("fork_cycles.typical"): the fork's cycles on the forking
// CPU, and the p50, p99 and max of the forking CPU's cycles per window.
inline constexpr char kForkCyclesCounter[] = "fork_cycles";
inline constexpr const char* kStallCounters[] = {"stall_p50", "stall_p99",
                                                 "stall_max"};
inline constexpr const char* kCostPointNames[] = {"low", "typical", "high"};
// Per cost point, in microseconds: the p50, p99 and max latency of the
// parent's writes, each a query that waits behind the fork and the writes
// before it (Async-fork's measure, query latency during a snapshot).
inline constexpr const char* kWriteLatencyCounters[] = {
    "write_latency_p50_us", "write_latency_p99_us", "write_latency_max_us"};
// 1 when the replay's machine kept data bytes, 0 when its frames held
// tables and metadata only.
inline constexpr char kKeepsDataCounter[] = "keeps_data";
// What the program and its kernel reported of the captured fork
// ("reported.latest_fork_usec").
inline constexpr char kReportedPrefix[] = "reported.";
// The context key of a trace's provenance ("ttbench_trace.redis-bgsave").
inline constexpr char kTraceContextPrefix[] = "ttbench_trace.";

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_REPLAY_COUNTERS_H_
