// An aged layout: a long-running process's pages, whose frames the
// allocator handed out in short runs scattered over memory, as a model of
// a captured one. Synthetic workloads read every fork figure on it as
// well as on the dense layout, whose pages are one run of consecutive
// frames.
#ifndef TTBENCH_BENCH_REPLAY_AGED_LAYOUT_H_
#define TTBENCH_BENCH_REPLAY_AGED_LAYOUT_H_

#include <cstdint>

#include "bench/replay/layout.h"

namespace ttb::bench {

// `pages` writable pages from `va`, cut into runs of physically
// consecutive frames whose lengths follow the Redis capture's
// (bench/traces/redis-bgsave.ttrace.gz, which a test compares the model
// with), the runs placed in a shuffled order with a hole between each two.
// The same for the same arguments.
ReplayLayout AgedLayout(uint64_t va, uint64_t pages);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPLAY_AGED_LAYOUT_H_
