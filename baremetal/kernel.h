// A small kernel for EL0 processes on one CPU, under each fork strategy of
// the registry in turn: the same strategy code the simulator runs, on a
// real MMU. Processes make SVCs (exit, fork, wait); their data and
// instruction aborts go to the strategy's OnFault, as in the simulator.
#ifndef TTBENCH_BAREMETAL_KERNEL_H_
#define TTBENCH_BAREMETAL_KERNEL_H_

#include "engine/frame_pool.h"

namespace ttb::baremetal {

// Runs the user workload under every strategy, reports one JSON line each
// and exits with 0 only if every run, and the earlier checks, passed.
[[noreturn]] void RunForkTests(FramePool& pool, uint64_t earlier_failures);

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_KERNEL_H_
