// The Arch interface over simulated CPUs: each TLBI reaches this CPU's TLB
// (local form) or every CPU's (inner-shareable form), and every operation is
// counted by kind. A TLBI takes effect in the TLBs at once; that it is only
// guaranteed complete after a DSB of a domain that covers it is tracked
// here per CPU, and the coherence checker keeps what an incomplete TLBI
// may still leave usable.
#ifndef TTBENCH_ENGINE_SIM_SIM_ARCH_H_
#define TTBENCH_ENGINE_SIM_SIM_ARCH_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/arch.h"
#include "engine/arch_counters.h"
#include "engine/regime.h"
#include "engine/sim/tlb.h"
#include "engine/sim/tlb_profile.h"
#include "engine/tlb_maintenance.h"

namespace ttb::sim {

struct CpuState {
  // TTBR0_EL1 as last written.
  PhysAddr ttbr0_root = 0;
  Asid asid = 0;
  uint64_t ttbr0 = 0;  // The register value, as Ttbr0Value encodes it.
  // The TTBR0 later translations are guaranteed to use: the Arm ARM makes
  // a direct write to a System register visible to later instructions only
  // after a Context synchronization event (ISB, exception entry or
  // return); until then a walk, speculative or not, may use either value.
  PhysAddr synced_root = 0;
  Asid synced_asid = 0;
  // TLBIs issued by this CPU that no DSB has completed yet.
  PendingTlbis pending;
  // A TTBR0 write or completed TLBI that no ISB has synchronised yet.
  bool needs_isb = false;
};

// One architectural operation, for traces: a TLBI (op, operand), a DSB
// (barrier), an ISB, or a TTBR0 write (value).
struct ArchEvent {
  enum class Kind : uint8_t { kTlbi, kDsb, kIsb, kTtbr0 } kind;
  int cpu;
  int detail;  // tlbi::Op, or Barrier; for TLBIs +8 when inner-shareable.
  uint64_t value;
};

// Every simulated CPU's TLB and registers, shared by their SimArch views.
class SimSystem {
 public:
  SimSystem(const TlbProfile& profile, const Regime& regime, int cpus,
            bool range_tlbi);

  int cpu_count() const { return static_cast<int>(tlbs_.size()); }
  Tlb& tlb(int cpu) { return tlbs_[cpu]; }
  const Tlb& tlb(int cpu) const { return tlbs_[cpu]; }
  CpuState& cpu(int cpu) { return cpus_[cpu]; }
  const CpuState& cpu(int cpu) const { return cpus_[cpu]; }
  bool range_tlbi() const { return range_tlbi_; }
  // What `cpu` executed, and the sum over every CPU.
  ArchCounters& counters(int cpu) { return counters_[cpu]; }
  const ArchCounters& counters(int cpu) const { return counters_[cpu]; }
  ArchCounters counters() const;

  // Told of every operation when set (checkers keep a history).
  void set_tracer(std::function<void(const ArchEvent&)> tracer) {
    tracer_ = std::move(tracer);
  }
  void Trace(const ArchEvent& e) const {
    if (tracer_) tracer_(e);
  }
  bool traced() const { return static_cast<bool>(tracer_); }
  // Called after every operation has taken effect, when set: the points
  // between instructions at which an adversarial model may walk.
  void set_after_each(std::function<void()> fn) { after_each_ = std::move(fn); }
  void AfterEach() const {
    if (after_each_) after_each_();
  }

  // A context synchronisation event on `cpu` (ISB, exception entry or
  // return): later translations use TTBR0 as last written.
  void Synchronize(int cpu) {
    CpuState& c = cpus_[cpu];
    c.synced_root = c.ttbr0_root;
    c.synced_asid = c.asid;
    c.needs_isb = false;
  }

 private:
  std::function<void(const ArchEvent&)> tracer_;
  std::function<void()> after_each_;
  std::vector<Tlb> tlbs_;
  std::vector<CpuState> cpus_;
  bool range_tlbi_;
  std::vector<ArchCounters> counters_;  // Per CPU.
};

// The Arch of one CPU of a SimSystem.
class SimArch {
 public:
  SimArch(SimSystem* system, int cpu) : system_(system), cpu_(cpu) {}

  // Inline: fork and CoW faults issue a TLBI, two DSBs and an ISB per page.
  void Tlbi(tlbi::Op op, Shareability sh, uint64_t operand);
  void Dsb(Barrier barrier);
  void Isb();
  void SwitchTtbr0(PhysAddr root, Asid asid);
  // Counts the sequence: the cache maintenance itself has nothing to model
  // (simulated memory has no instruction cache), its barriers do.
  void SyncInstructions(const void*, uint64_t) {
    ++counters().instruction_syncs;
    Dsb(Barrier::kIsh);
    Dsb(Barrier::kIsh);
    Isb();
  }
  bool HasRangeTlbi() const { return system_->range_tlbi(); }
  // InvalidateEachPageInTurn's instructions, carried out as one run: the
  // same counts, TLB contents and completion state, without the per-page
  // bookkeeping that would otherwise cost most of a large fork's host time.
  // Traced systems take them one by one, so checkers see each instruction.
  void InvalidateEachPage(Shareability sh, Asid asid, VirtAddr va,
                          uint64_t pages, unsigned granule_shift);

  int cpu() const { return cpu_; }

 private:
  ArchCounters& counters() { return system_->counters(cpu_); }

  SimSystem* system_;
  int cpu_;
};

inline void SimArch::Tlbi(tlbi::Op op, Shareability sh, uint64_t operand) {
  ArchCounters& counters = this->counters();
  const bool range = op == tlbi::Op::kRvae1 || op == tlbi::Op::kRvale1;
  if (range && !system_->range_tlbi()) {
    ++counters.undefined_instructions;
    return;
  }
  ++counters.tlbi[static_cast<int>(op)][static_cast<int>(sh)];
  system_->Trace({ArchEvent::Kind::kTlbi, cpu_,
                  static_cast<int>(op) + (sh == Shareability::kInner ? 8 : 0),
                  operand});
  if (sh == Shareability::kInner) {
    for (int c = 0; c < system_->cpu_count(); ++c) {
      system_->tlb(c).Invalidate(op, operand);
    }
  } else {
    system_->tlb(cpu_).Invalidate(op, operand);
  }
  system_->cpu(cpu_).pending.Issued(sh);
  system_->AfterEach();
}

inline void SimArch::Dsb(Barrier barrier) {
  system_->Trace({ArchEvent::Kind::kDsb, cpu_, static_cast<int>(barrier), 0});
  CpuState& self = system_->cpu(cpu_);
  if (counters().CountDsb(barrier, self.pending) != PendingTlbis::Wait::kNone) {
    self.needs_isb = true;
  }
  system_->AfterEach();
}

inline void SimArch::Isb() {
  ++counters().isb;
  system_->Trace({ArchEvent::Kind::kIsb, cpu_, 0, 0});
  system_->Synchronize(cpu_);
  system_->AfterEach();
}

inline void SimArch::InvalidateEachPage(Shareability sh, Asid asid, VirtAddr va,
                                        uint64_t pages,
                                        unsigned granule_shift) {
  if (system_->traced()) {
    InvalidateEachPageInTurn(*this, sh, asid, va, pages, granule_shift);
    return;
  }
  const bool inner = sh == Shareability::kInner;
  ArchCounters& counters = this->counters();
  counters.tlbi[static_cast<int>(tlbi::Op::kVale1)][static_cast<int>(sh)] +=
      pages;
  counters.dsb[static_cast<int>(StoreBarrier(sh))] += pages;
  counters.dsb[static_cast<int>(CompletionBarrier(sh))] += pages;
  // Each page's DSB waits for that page's TLBI, the first also for any
  // this CPU issued before the run.
  counters.tlbi_completions[inner ? 1 : 0] += pages;
  counters.isb += pages;
  // The ASID and address as the TLBs read them from the operand.
  const tlbi::VaFields f = tlbi::DecodeVa(tlbi::VaOperand(va, asid));
  const VirtAddr end = f.va + (pages << granule_shift);
  for (int c = inner ? 0 : cpu_; c < (inner ? system_->cpu_count() : cpu_ + 1);
       ++c) {
    system_->tlb(c).InvalidateLastLevelEachPage(f.asid, f.va, end);
  }
  // Where the last sequence left this CPU: its DSB completed every TLBI it
  // covers, and its ISB synchronised the context.
  CpuState& self = system_->cpu(cpu_);
  if (pages != 0) {
    self.pending.local = 0;
    if (inner) self.pending.broadcast = 0;
    system_->Synchronize(cpu_);
  }
}

static_assert(Arch<SimArch>);

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_SIM_ARCH_H_
