// What an Arch implementation counts, the same in both worlds (SimArch on
// the host, HwArch on bare metal), so one workload compares one to one.
#ifndef TTBENCH_ENGINE_ARCH_COUNTERS_H_
#define TTBENCH_ENGINE_ARCH_COUNTERS_H_

#include "engine/arch.h"

namespace ttb {

// TLBIs a PE has issued that no DSB has completed yet. A TLBI is only
// guaranteed complete after a DSB of a domain that covers it, issued by
// the same PE (Arm ARM D8.13.6 "TLB maintenance instructions ... are only
// guaranteed to be complete after the execution of a DSB"): DSB ISH
// covers broadcast and local TLBIs, DSB NSH local ones; the ST forms order
// stores only and complete nothing.
struct PendingTlbis {
  uint64_t local = 0;
  uint64_t broadcast = 0;

  // What a DSB waits for, beyond its own cost: nothing, local maintenance
  // only, or broadcast maintenance (every PE of the domain must finish).
  enum class Wait : uint8_t { kNone, kLocal, kBroadcast };

  constexpr void Issued(Shareability sh) {
    ++(sh == Shareability::kInner ? broadcast : local);
  }
  // Clears what `b` completes and says what it waited for.
  constexpr Wait Complete(Barrier b) {
    if (b != Barrier::kIsh && b != Barrier::kNsh) return Wait::kNone;
    const bool waits_broadcast = b == Barrier::kIsh && broadcast != 0;
    const bool waits_local = local != 0;
    local = 0;
    if (b == Barrier::kIsh) broadcast = 0;
    return waits_broadcast ? Wait::kBroadcast
           : waits_local   ? Wait::kLocal
                           : Wait::kNone;
  }
  constexpr bool any() const { return local != 0 || broadcast != 0; }
  friend bool operator==(const PendingTlbis&, const PendingTlbis&) = default;
};

struct ArchCounters {
  uint64_t tlbi[tlbi::kOpCount][2] = {};  // [op][Shareability]
  uint64_t dsb[kBarrierCount] = {};
  // DSBs that completed TLB maintenance: [0] local only, [1] broadcast.
  // The cost model charges a TLBI's issue, the DSB itself and this wait
  // apart, because they differ by core and by machine size.
  uint64_t tlbi_completions[2] = {};
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
  // Counts a DSB and the wait for the maintenance it completes.
  constexpr PendingTlbis::Wait CountDsb(Barrier b, PendingTlbis& pending) {
    ++dsb[static_cast<int>(b)];
    const PendingTlbis::Wait wait = pending.Complete(b);
    if (wait != PendingTlbis::Wait::kNone) {
      ++tlbi_completions[wait == PendingTlbis::Wait::kBroadcast ? 1 : 0];
    }
    return wait;
  }
  constexpr ArchCounters& operator+=(const ArchCounters& o) {
    return Combine(o, 1);
  }
  constexpr ArchCounters operator-(const ArchCounters& o) const {
    ArchCounters d = *this;
    return d.Combine(o, -1);
  }
  friend bool operator==(const ArchCounters&, const ArchCounters&) = default;

 private:
  // Adds (sign 1) or subtracts (sign -1) `o`, counter by counter.
  constexpr ArchCounters& Combine(const ArchCounters& o, int sign) {
    const auto add = [sign](uint64_t& to, uint64_t v) {
      to += sign > 0 ? v : -v;
    };
    for (int op = 0; op < tlbi::kOpCount; ++op) {
      add(tlbi[op][0], o.tlbi[op][0]);
      add(tlbi[op][1], o.tlbi[op][1]);
    }
    for (int b = 0; b < kBarrierCount; ++b) add(dsb[b], o.dsb[b]);
    add(tlbi_completions[0], o.tlbi_completions[0]);
    add(tlbi_completions[1], o.tlbi_completions[1]);
    add(isb, o.isb);
    add(ttbr0_writes, o.ttbr0_writes);
    add(instruction_syncs, o.instruction_syncs);
    add(undefined_instructions, o.undefined_instructions);
    return *this;
  }
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_ARCH_COUNTERS_H_
