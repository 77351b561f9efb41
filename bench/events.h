// Every event the simulator counts, as one flat record that can be
// snapshotted, subtracted and summed, and exported as benchmark counters.
#ifndef TTBENCH_BENCH_EVENTS_H_
#define TTBENCH_BENCH_EVENTS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "engine/sim/machine.h"

namespace ttb::bench {

class Events {
 public:
  // What `m` has counted so far.
  static Events Of(sim::Machine& m);
  // The name of every counter Of() records.
  static const std::set<std::string>& Names();

  Events& operator+=(const Events& other);
  Events operator-(const Events& other) const;

  uint64_t get(const std::string& name) const;
  // Adds to a counter that no machine keeps (hardware counters).
  void Add(const std::string& name, uint64_t value) { values_[name] += value; }
  const std::map<std::string, uint64_t>& values() const { return values_; }

 private:
  // Counter name -> value: "tlbi.vale1is", "dsb.ish", "isb", "walks", ...
  std::map<std::string, uint64_t> values_;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_EVENTS_H_
