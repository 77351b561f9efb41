// A snapshot of everything a simulated machine has counted so far: on one
// CPU (the events it executed), or on all of them.
#ifndef TTBENCH_BENCH_WORKLOADS_MACHINE_EVENTS_H_
#define TTBENCH_BENCH_WORKLOADS_MACHINE_EVENTS_H_

#include <benchmark/benchmark.h>

#include "bench/results/cost_model.h"
#include "bench/results/events.h"
#include "engine/sim/machine.h"

namespace ttb::bench {

inline constexpr int kAllCpus = -1;

Events EventsOf(const sim::Machine& m, int cpu = kAllCpus);

// Every workload forks and faults on CPU 0: its events are what the
// parent sees, the whole machine's what the system pays.
inline constexpr int kForkingCpu = 0;

// The events of both views at once, as timed steps add them up.
struct EventViews {
  Events all;
  Events forking_cpu;

  static EventViews Of(const sim::Machine& m) {
    return {EventsOf(m), EventsOf(m, kForkingCpu)};
  }
  EventViews operator-(const EventViews& o) const {
    return {all - o.all, forking_cpu - o.forking_cpu};
  }
  EventViews& operator+=(const EventViews& o) {
    all += o.all;
    forking_cpu += o.forking_cpu;
    return *this;
  }
};

// Exports a benchmark's events per iteration: the whole machine's, and the
// forking CPU's under kForkingCpuPrefix, with the TLBI totals and the
// modelled cycles of the whole machine.
void ExportEvents(benchmark::State& state, const CostModel& costs,
                  const EventViews& views);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOADS_MACHINE_EVENTS_H_
