// How much the image measures: quick, default or full, chosen with QEMU's
// -append "suite=<name>" (default when absent).
#ifndef TTBENCH_BAREMETAL_SUITE_H_
#define TTBENCH_BAREMETAL_SUITE_H_

#include <stdint.h>

namespace ttb::baremetal {

struct Suite {
  const char* name;
  uint64_t walker_cases;       // Per regime.
  uint64_t micro_iterations;   // Per micro-benchmark.
  uint64_t fork_sizes_mib[3];  // Fork latency sizes; 0 ends the list.
};

// Reads the suite from the semihosting command line.
const Suite& ChosenSuite();

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_SUITE_H_
