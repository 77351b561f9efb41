// The figures that calibrate the simulator's cost model (`ttbench
// calibrate`): each TLBI kind with the DSB that completes it, local and
// inner-shareable; the page TLBIs also kTlbiBatch at a time before one DSB;
// DSB and ISB alone, a TTBR0 write, a table's allocation, a 4 KiB copy, and
// an exception's entry and return.
#ifndef TTBENCH_BAREMETAL_MICRO_BENCHMARKS_H_
#define TTBENCH_BAREMETAL_MICRO_BENCHMARKS_H_

#include "engine/frame_pool.h"

namespace ttb::baremetal {

// TLBIs issued back to back before one DSB in the batched benchmarks
// ("tlbi/vale1is*16+dsb_ish"). With the single ones they separate a TLBI's
// issue cost (the slope) from the completion the DSB waits for (the
// intercept), as the cost model charges them.
inline constexpr int kTlbiBatch = 16;
static_assert(kTlbiBatch > 1 && kTlbiBatch < 100);  // Two digits in a name.

void RunMicroBenchmarks(FramePool& pool, uint64_t iterations);

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_MICRO_BENCHMARKS_H_
