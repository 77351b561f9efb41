// The figures that calibrate the simulator's cost model (`ttbench
// calibrate`): each TLBI kind with the DSB that completes it, local and
// inner-shareable; the page TLBIs also kTlbiBatch (engine/names.h) at a
// time before one DSB;
// DSB and ISB alone, a TTBR0 write, a table's allocation, a 4 KiB copy, and
// an exception's entry and return.
#ifndef TTBENCH_BAREMETAL_MICRO_BENCHMARKS_H_
#define TTBENCH_BAREMETAL_MICRO_BENCHMARKS_H_

#include "engine/frame_pool.h"

namespace ttb::baremetal {

void RunMicroBenchmarks(FramePool& pool, uint64_t iterations);

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_MICRO_BENCHMARKS_H_
