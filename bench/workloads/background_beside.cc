#include "bench/workloads/background_beside.h"

#include "bench/workloads/machine_events.h"

namespace ttb::bench {

BackgroundBeside::BackgroundBeside(sim::Machine& m, const CostModel& costs,
                                   sim::Pid child)
    : m_(m),
      costs_(costs),
      child_(child),
      cpu_(m.system().cpu_count() > 1 ? 1 : 0),
      parent_start_(CyclesOn(kForkingCpu)) {
  // Most strategies leave nothing: find out before any parent step pays
  // for the clocks.
  done_ = !Step();
}

double BackgroundBeside::CyclesOn(int cpu) const {
  return costs_.Cycles(EventsOf(m_, cpu));
}

bool BackgroundBeside::Step() {
  const double before = CyclesOn(cpu_);
  const Result<bool> step = m_.Background(cpu_, child_);
  if (!step.ok() || !step.value()) return false;
  ++steps_;
  child_cycles_ += CyclesOn(cpu_) - before;
  return true;
}

void BackgroundBeside::CatchUp() {
  if (done_) return;
  const double parent = CyclesOn(kForkingCpu) - parent_start_;
  while (!done_ && child_cycles_ <= parent) done_ = !Step();
}

void BackgroundBeside::Finish() {
  while (!done_) done_ = !Step();
}

}  // namespace ttb::bench
