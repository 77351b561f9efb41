// Hardware counters (cycles, instructions, dTLB read misses) for this
// thread through the perf_event API, read around a timed step. Where the
// host offers none, as in most VMs, Available() is false and nothing is
// recorded.
#ifndef TTBENCH_BENCH_WORKLOADS_HW_COUNTERS_H_
#define TTBENCH_BENCH_WORKLOADS_HW_COUNTERS_H_

#include <cstdint>
#include <string>

#include "bench/results/events.h"

namespace ttb::bench {

class HwCounters {
 public:
  HwCounters();
  ~HwCounters();
  HwCounters(const HwCounters&) = delete;
  HwCounters& operator=(const HwCounters&) = delete;

  bool Available() const { return fds_[0] >= 0; }
  // Why not, when not available.
  const std::string& error() const { return error_; }
  // Adds what the counters counted during `step` to `events`, as
  // hw.cycles, hw.instructions and hw.dtlb_read_misses.
  template <typename Step>
  void Count(Events& events, Step&& step) {
    if (!Available()) {
      step();
      return;
    }
    uint64_t before[kCounters], after[kCounters];
    Read(before);
    step();
    Read(after);
    Add(events, before, after);
  }

 private:
  static constexpr int kCounters = 3;
  void Read(uint64_t* values) const;
  static void Add(Events& events, const uint64_t* before,
                  const uint64_t* after);

  int fds_[kCounters] = {-1, -1, -1};
  std::string error_;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOADS_HW_COUNTERS_H_
