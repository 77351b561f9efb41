// Time on bare metal: the virtual counter (CNTVCT_EL0, CNTFRQ_EL0 ticks a
// second) everywhere, and the cycle counter (PMCCNTR_EL0) where the core
// has a PMU. Benchmarks report raw ticks and cycles; the host runner turns
// them into nanoseconds.
#ifndef TTBENCH_BAREMETAL_CLOCK_H_
#define TTBENCH_BAREMETAL_CLOCK_H_

#include <stdint.h>

namespace ttb::baremetal {

inline constexpr uint64_t kNoCycles = ~0ull;

// Starts the cycle counter if there is a PMU; returns whether there is.
bool EnableCycleCounter();

inline uint64_t Ticks() {
  uint64_t t;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t) : : "memory");
  return t;
}

inline uint64_t Cycles() {
  uint64_t c;
  asm volatile("mrs %0, pmccntr_el0" : "=r"(c) : : "memory");
  return c;
}

// Prints one benchmark line, its name the concatenation of `name_parts`:
// {"event":"bench","name":...,"iterations":...,"ticks":...[,"cycles":...]}.
// kNoCycles (or no PMU) leaves the cycles out.
void PrintBench(const char* const* name_parts, int part_count,
                uint64_t iterations, uint64_t ticks, uint64_t cycles);

// Runs `fn` (given the iteration number) `iterations` times, timed.
template <typename Fn>
void Bench(const char* name, uint64_t iterations, Fn&& fn) {
  const uint64_t t0 = Ticks();
  const uint64_t c0 = Cycles();
  for (uint64_t i = 0; i < iterations; ++i) fn(i);
  const uint64_t c1 = Cycles();
  const uint64_t t1 = Ticks();
  PrintBench(&name, 1, iterations, t1 - t0, c1 - c0);
}

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_CLOCK_H_
