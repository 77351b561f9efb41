// Puts a laid-out address space (layout.h) into a simulated process.
#ifndef TTBENCH_BENCH_REPLAY_MAP_LAYOUT_H_
#define TTBENCH_BENCH_REPLAY_MAP_LAYOUT_H_

#include <string>

#include "absl/status/status.h"
#include "bench/replay/layout.h"
#include "engine/sim/machine.h"

namespace ttb::bench {

// Maps `layout` into `pid`'s space on `cpu`: its frames taken from the
// machine's pool in physical order, the holes between them handed back.
// On failure every frame but those of the runs already mapped is handed
// back, and the error names the run.
absl::Status MapLayout(sim::Machine& m, int cpu, sim::Pid pid,
                       const ReplayLayout& layout);

// An engine Status as an error: "<what> failed: <status>".
absl::Status Failed(const std::string& what, Status s);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPLAY_MAP_LAYOUT_H_
