// What an Arch implementation counts, the same in both worlds (SimArch on
// the host, HwArch on bare metal), so one workload compares one to one.
#ifndef TTBENCH_ENGINE_ARCH_COUNTERS_H_
#define TTBENCH_ENGINE_ARCH_COUNTERS_H_

#include "engine/arch.h"

namespace ttb {

struct ArchCounters {
  uint64_t tlbi[tlbi::kOpCount][2] = {};  // [op][Shareability]
  uint64_t dsb[kBarrierCount] = {};
  uint64_t isb = 0;
  uint64_t ttbr0_writes = 0;
  // SyncInstructions calls; their DSBs and ISB count as such.
  uint64_t instruction_syncs = 0;
  // Range TLBIs on a core without FEAT_TLBIRANGE: UNDEFINED on hardware.
  uint64_t undefined_instructions = 0;

  constexpr uint64_t tlbi_total() const {
    uint64_t total = 0;
    for (const auto& by_sh : tlbi) total += by_sh[0] + by_sh[1];
    return total;
  }
  friend bool operator==(const ArchCounters&, const ArchCounters&) = default;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_ARCH_COUNTERS_H_
