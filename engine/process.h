// A process as the engine sees it: an address space and its ASID's
// bookkeeping. Where it runs is the kernel's (the simulator's Machine, the
// bare-metal task table).
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
  // An asynchronous fork's pair while the child still copies the tables it
  // shares (async_fork): the child names its parent, the parent its child,
  // and the child's background copy resumes at `copy_resume_va`.
  Process* copying_from = nullptr;
  Process* copied_by = nullptr;
  VirtAddr copy_resume_va = 0;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_PROCESS_H_
