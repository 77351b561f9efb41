// Replays a captured fork on the simulated machine under one strategy: the
// layout is mapped in its captured physical order, the parent forks on CPU
// 0, and then, in trace time, the parent makes its first writes on CPU 0
// while the child, on CPU 1, reads its snapshot: each page the parent could
// write, once, in address order, spread evenly over the snapshot's life
// (the trace records the parent only; a snapshotting child such as Redis's
// reads all of its data once). Work the fork left to the child
// (Strategy::Background: async_fork's copy of its tables) comes first on
// CPU 1, from the fork on, each step taking the time its modelled cycles
// take at the cores' clock, as Async-fork's child copies before it returns
// to user space; the parent's writes meanwhile run at their trace times.
// What CPU 0 executed in each window of trace time, the fork in the first,
// is the parent-visible stall of that window. With a cost model, each of
// the parent's writes is also a query with a latency: from its trace time
// until CPU 0, busy with the fork and then with the writes before it in
// turn, has done it, at each point of the cost and clock ranges.
#ifndef TTBENCH_BENCH_REPLAY_REPLAY_H_
#define TTBENCH_BENCH_REPLAY_REPLAY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/replay/layout.h"
#include "bench/replay/map_layout.h"
#include "bench/results/cost_model.h"
#include "bench/results/events.h"
#include "bench/workloads/machine_events.h"
#include "engine/sim/machine.h"
#include "engine/sim/sim_arch.h"
#include "engine/sim/tlb_profile.h"
#include "engine/strategy.h"

namespace ttb::bench {

struct ReplayOptions {
  const sim::TlbProfile* profile = nullptr;  // nullptr: neoverse-n1.
  bool range_tlbi = false;
  const TableWalk* walk = nullptr;  // sim::MachineConfig::walk.
  // PEs the kernel broadcasts its maintenance to (at least the two CPUs).
  int pes = 2;
  // Whether data frames keep their bytes; without, a layout larger than
  // the host's memory replays (sim::MachineConfig::keep_data).
  bool keep_data = true;
  // The stall is measured per window of this much trace time, or of the
  // trace's effective resolution where that is coarser: a finer window
  // would split what one sample saw.
  uint64_t window_us = 10'000;
  // Times the child's background steps (typical cycles at the typical
  // clock) and the parent's writes as queries (write_latency_us).
  // nullptr: each step takes no time, and no latency is kept.
  const CostModel* costs = nullptr;
};

struct ReplayResult {
  EventViews fork;   // The fork alone.
  EventViews total;  // The fork, the writes and reads, the child's exit.
  // The forking CPU's events in each window from the fork (which the first
  // holds) to the end of the snapshot, empty ones included.
  std::vector<Events> windows;
  // Per CostPoint, each write's latency in microseconds, in trace order:
  // low costs at the clock's high end, high costs at its low end. Empty
  // without a cost model.
  std::vector<double> write_latency_us[3];
  uint64_t window_us = 0;
  uint64_t background_steps = 0;         // The child's, on CPU 1.
  double background_done_us = 0;         // When the last one ended.
  uint64_t table_frames_after_fork = 0;  // Parent's and child's.
  // Most frames in use beyond the parent's before it forked.
  uint64_t extra_peak_frames = 0;
  double host_seconds = 0;  // The replay after the layout was mapped.
};

// The error names what failed (a mapping, the fork, an access) and why.
absl::StatusOr<ReplayResult> Replay(const ReplayLayout& layout,
                                    Strategy<sim::SimArch>& strategy,
                                    const ReplayOptions& options);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPLAY_REPLAY_H_
