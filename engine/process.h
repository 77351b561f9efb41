// A process as the engine sees it: an address space, the ASID generation it
// was allocated in, and the CPUs whose TTBR0 currently holds it.
#ifndef TTBENCH_ENGINE_PROCESS_H_
#define TTBENCH_ENGINE_PROCESS_H_

#include "engine/address_space.h"

namespace ttb {

struct Process {
  AddressSpace space;
  uint32_t pid = 0;
  uint64_t asid_generation = 0;  // 0: no ASID allocated yet.
  // Counts the ASID numbers the allocator has given the process. What a TLB
  // cached under an earlier number is out of the process's reach for good,
  // even when a rollover hands that number back: the rollover's flush
  // removes it before any CPU runs the number again.
  uint32_t asid_tenure = 0;
  uint32_t cpu_mask = 0;  // Bit c: running on CPU c.
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_PROCESS_H_
