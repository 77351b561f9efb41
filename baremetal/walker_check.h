// Checks the engine's software walker against the MMU: generated tables and
// accesses, each translated by AT S1E1R, S1E1W, S1E0R and S1E0W and by the
// walker, compared through PAR_EL1 (fault status code, or output address).
#ifndef TTBENCH_BAREMETAL_WALKER_CHECK_H_
#define TTBENCH_BAREMETAL_WALKER_CHECK_H_

#include "engine/frame_pool.h"
#include "engine/regime.h"

namespace ttb::baremetal {

struct WalkerCheckResult {
  uint64_t cases = 0;
  uint64_t translations = 0;  // AT operations compared.
  uint64_t faults = 0;        // Of those, how many faulted.
  uint64_t mismatches = 0;
};

// Runs `cases` cases in regime `r` (TCR_EL1.T0SZ switched to it for the
// duration, then back to the boot tables).
WalkerCheckResult RunWalkerCheck(FramePool& pool, const Regime& r,
                                 uint64_t cases);

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_WALKER_CHECK_H_
