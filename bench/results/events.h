// Every event the simulator counts, as one flat record that can be
// snapshotted, subtracted and summed, and exported as benchmark counters.
// Benchmarks snapshot it around every timed step, so it is an array in the
// fixed order of engine/names.h, not a map keyed by names. Filling one from
// a machine is the workloads' (EventsOf); this side needs no simulator.
#ifndef TTBENCH_BENCH_RESULTS_EVENTS_H_
#define TTBENCH_BENCH_RESULTS_EVENTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/names.h"

namespace ttb::bench {

// Result counters of the CPU that forks and faults (what the parent sees)
// carry this prefix before the event's name; unprefixed ones are the
// whole machine's.
inline constexpr char kForkingCpuPrefix[] = "cpu0.";

class Events {
 public:
  Events() : counts_(kAllEventCount, 0) {}

  // The name of every counter, at its index in engine/names.h's order:
  // "tlbi.vale1is", "dsb.ish", "isb", "walks", ...
  static const std::vector<std::string>& Names();
  static bool Known(std::string_view name);

  // Sets the counter at `index` (TlbiEventIndex, DsbEventIndex,
  // EventIndex).
  void Set(int index, uint64_t value) { counts_[index] = value; }

  Events& operator+=(const Events& other);
  Events operator-(const Events& other) const;

  uint64_t get(std::string_view name) const;
  // Adds to a counter that no machine keeps (hardware counters).
  void Add(const std::string& name, uint64_t value) { added_[name] += value; }
  // fn(name, value) for every counter: the machine's, then the added ones.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < counts_.size(); ++i) fn(Names()[i], counts_[i]);
    for (const auto& [name, value] : added_) fn(name, value);
  }

 private:
  std::vector<uint64_t> counts_;  // In the order of Names().
  std::map<std::string, uint64_t, std::less<>> added_;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_EVENTS_H_
