// A forked child's background work (Strategy::Background: async_fork's
// copy of its tables) on its own CPU beside the parent's on CPU 0, in
// modelled time: the child starts when the fork returns, and before each
// step of the parent runs every step of its own that has started by then,
// each lasting its typical modelled cycles. On a one-CPU machine the child
// does all of it on CPU 0 first, as the bare-metal image schedules it. A
// strategy that leaves no such work costs one idle call.
#ifndef TTBENCH_BENCH_WORKLOADS_BACKGROUND_BESIDE_H_
#define TTBENCH_BENCH_WORKLOADS_BACKGROUND_BESIDE_H_

#include "bench/results/cost_model.h"
#include "engine/sim/machine.h"

namespace ttb::bench {

class BackgroundBeside {
 public:
  // Right after `child` was forked on CPU 0.
  BackgroundBeside(sim::Machine& m, const CostModel& costs, sim::Pid child);
  // Before each step of the parent's.
  void CatchUp();
  // The rest of the child's work, as before it exits.
  void Finish();
  uint64_t steps() const { return steps_; }

 private:
  // One step on the child's CPU; false once none is left (or a step found
  // no memory: the child's own faults do the rest).
  bool Step();
  double CyclesOn(int cpu) const;

  sim::Machine& m_;
  const CostModel& costs_;
  sim::Pid child_;
  int cpu_;  // The child's.
  bool done_ = false;
  uint64_t steps_ = 0;
  double parent_start_;      // CPU 0's cycles when the fork returned.
  double child_cycles_ = 0;  // The child's work so far.
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOADS_BACKGROUND_BESIDE_H_
