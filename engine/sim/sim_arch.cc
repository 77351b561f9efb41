#include "engine/sim/sim_arch.h"

namespace ttb::sim {

SimSystem::SimSystem(const TlbProfile& profile, const Regime& regime, int cpus,
                     bool range_tlbi)
    : tlbs_(cpus, Tlb(profile, regime)), cpus_(cpus), range_tlbi_(range_tlbi) {}

void SimArch::Tlbi(tlbi::Op op, Shareability sh, uint64_t operand) {
  ArchCounters& counters = system_->counters();
  const bool range = op == tlbi::Op::kRvae1 || op == tlbi::Op::kRvale1;
  if (range && !system_->range_tlbi()) {
    ++counters.undefined_instructions;
    return;
  }
  ++counters.tlbi[static_cast<int>(op)][static_cast<int>(sh)];
  system_->Trace({ArchEvent::Kind::kTlbi, cpu_,
                  static_cast<int>(op) + (sh == Shareability::kInner ? 8 : 0),
                  operand});
  CpuState& self = system_->cpu(cpu_);
  if (sh == Shareability::kInner) {
    for (int c = 0; c < system_->cpu_count(); ++c) {
      system_->tlb(c).Invalidate(op, operand);
    }
    ++self.incomplete_broadcast_tlbis;
  } else {
    system_->tlb(cpu_).Invalidate(op, operand);
    ++self.incomplete_local_tlbis;
  }
}

void SimArch::SwitchTtbr0(PhysAddr root, Asid asid) {
  ++system_->counters().ttbr0_writes;
  CpuState& self = system_->cpu(cpu_);
  self.ttbr0_root = root;
  self.asid = asid;
  self.ttbr0 = Ttbr0Value(root, asid);
  system_->Trace({ArchEvent::Kind::kTtbr0, cpu_, 0, self.ttbr0});
  self.needs_isb = true;
}

}  // namespace ttb::sim
