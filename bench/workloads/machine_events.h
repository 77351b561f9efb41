// A snapshot of everything a simulated machine has counted so far.
#ifndef TTBENCH_BENCH_WORKLOADS_MACHINE_EVENTS_H_
#define TTBENCH_BENCH_WORKLOADS_MACHINE_EVENTS_H_

#include "bench/results/events.h"
#include "engine/sim/machine.h"

namespace ttb::bench {

Events EventsOf(sim::Machine& m);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOADS_MACHINE_EVENTS_H_
