#include "engine/sim/sim_arch.h"

namespace ttb::sim {

SimSystem::SimSystem(const TlbProfile& profile, const Regime& regime, int cpus,
                     bool range_tlbi)
    : tlbs_(cpus, Tlb(profile, regime)),
      cpus_(cpus),
      range_tlbi_(range_tlbi),
      counters_(cpus) {}

ArchCounters SimSystem::counters() const {
  ArchCounters total;
  for (const ArchCounters& c : counters_) total += c;
  return total;
}

void SimArch::SwitchTtbr0(PhysAddr root, Asid asid) {
  ++counters().ttbr0_writes;
  CpuState& self = system_->cpu(cpu_);
  self.ttbr0_root = root;
  self.asid = asid;
  self.ttbr0 = Ttbr0Value(root, asid);
  system_->Trace({ArchEvent::Kind::kTtbr0, cpu_, 0, self.ttbr0});
  self.needs_isb = true;
  system_->AfterEach();
}

}  // namespace ttb::sim
