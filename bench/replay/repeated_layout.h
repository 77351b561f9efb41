// A captured layout made larger by repetition: `copies` copies of the
// process side by side, each 1 TiB of VA above the last and its frames
// after the last's, so each keeps the capture's fragmentation and table
// structure; copy k's writes are the trace's, k snapshots later. So the
// parent holds `copies` times the data under the captured write rate, and
// its snapshot lasts `copies` times as long, as a larger Redis under the
// same load would (its BGSAVE time grows with the data it writes out).
#ifndef TTBENCH_BENCH_REPLAY_REPEATED_LAYOUT_H_
#define TTBENCH_BENCH_REPLAY_REPEATED_LAYOUT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "bench/replay/layout.h"

namespace ttb::bench {

// The copies' VAs must fit a 48-bit regime without overlapping: the error
// says which copy does not.
absl::StatusOr<ReplayLayout> Repeated(const ReplayLayout& layout,
                                      uint64_t copies);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPLAY_REPEATED_LAYOUT_H_
