// A small kernel for EL0 processes on one CPU, under each fork strategy of
// the registry in turn: the same strategy code the simulator runs, on a
// real MMU. Processes make SVCs (exit, fork, wait); their data and
// instruction aborts go to the strategy's OnFault, as in the simulator.
#ifndef TTBENCH_BAREMETAL_KERNEL_H_
#define TTBENCH_BAREMETAL_KERNEL_H_

#include "engine/types.h"

namespace ttb::baremetal {

// Runs the user workload in every layout of the CPU's granules
// (baremetal/layouts.h) under every strategy, in a frame pool of the
// layout's granule over [base, base + bytes) of identity-mapped RAM;
// reports one JSON line each and exits with 0 only if every run, and the
// earlier checks, passed.
[[noreturn]] void RunForkTests(PhysAddr base, uint64_t bytes,
                               uint64_t earlier_failures);

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_KERNEL_H_
