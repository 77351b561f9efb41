#include "baremetal/clock.h"

#include "baremetal/console.h"
#include "baremetal/sysreg.h"

namespace ttb::baremetal {
namespace {

bool has_pmu = false;

}  // namespace

bool EnableCycleCounter() {
  // ID_AA64DFR0_EL1.PMUVer, bits 11:8: 0 none, 0xF IMPLEMENTATION DEFINED.
  const uint64_t version = (TTB_READ_SYSREG(id_aa64dfr0_el1) >> 8) & 0xF;
  has_pmu = version != 0 && version != 0xF;
  if (has_pmu) {
    TTB_WRITE_SYSREG(pmccfiltr_el0, 0);  // Count at EL0 and EL1.
    TTB_WRITE_SYSREG(pmcntenset_el0, 1ull << 31);
    TTB_WRITE_SYSREG(pmcr_el0, TTB_READ_SYSREG(pmcr_el0) | 1 | (1 << 2));
    asm volatile("isb" ::: "memory");
  }
  return has_pmu;
}

void PrintBench(const char* const* name_parts, int part_count,
                uint64_t iterations, uint64_t ticks, uint64_t cycles) {
  Print("{\"event\":\"bench\",\"name\":\"");
  for (int i = 0; i < part_count; ++i) Print(name_parts[i]);
  Print("\",\"iterations\":");
  PrintDec(iterations);
  Print(",\"ticks\":");
  PrintDec(ticks);
  if (has_pmu && cycles != kNoCycles) {
    Print(",\"cycles\":");
    PrintDec(cycles);
  }
  Print("}\n");
}

}  // namespace ttb::baremetal
