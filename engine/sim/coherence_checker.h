// Checks that the simulated TLBs never disagree with the tables in a way
// hardware could expose: the class of bug a missing TLBI, a local TLBI
// where a broadcast was needed, or a skipped break-before-make causes. Each
// violation is reported with the events that led to it.
#ifndef TTBENCH_ENGINE_SIM_COHERENCE_CHECKER_H_
#define TTBENCH_ENGINE_SIM_COHERENCE_CHECKER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "engine/frame_pool.h"
#include "engine/regime.h"
#include "engine/sim/sim_arch.h"
#include "engine/sim/tlb.h"
#include "engine/walker.h"

namespace ttb::sim {

class CoherenceChecker {
 public:
  CoherenceChecker(const Regime& regime, const FramePool& pool)
      : walker_(regime, pool) {}

  // A line of history ("cpu0 pid3 write 0x4000").
  void Record(std::string event);
  void Record(const ArchEvent& event);

  // A hit on `cpu` in the process whose tables start at `root`: the cached
  // translation must be what a walk gives now, and no more permissive.
  void CheckHit(int cpu, const TlbEntry& hit, VirtAddr va, PhysAddr root);
  // A fill on `cpu`: no other CPU may hold a different live translation of
  // the same VA for the same process and ASID.
  void CheckFill(int cpu, const TlbEntry& fill, const SimSystem& system);
  // An entry a TLBI removed, with its owner's descriptor for that VA now:
  // a valid descriptor with another output address means a new translation
  // was written while the old one was still cached (break-before-make).
  void CheckInvalidated(const TlbEntry& removed, Descriptor now);

  const std::vector<std::string>& violations() const { return violations_; }
  uint64_t hits_checked() const { return hits_checked_; }

 private:
  void Report(const std::string& what);

  Walker walker_;  // Its own, so checking adds no reads to the machine's.
  std::deque<std::string> history_;
  std::vector<std::string> violations_;
  uint64_t hits_checked_ = 0;
};

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_COHERENCE_CHECKER_H_
