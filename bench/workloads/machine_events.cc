#include "bench/workloads/machine_events.h"

namespace ttb::bench {

Events EventsOf(sim::Machine& m) {
  Events e;
  const ArchCounters& a = m.system().counters();
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    for (const bool inner : {false, true}) {
      e.Set(TlbiEventIndex(static_cast<tlbi::Op>(op), inner),
            a.tlbi[op][inner ? 1 : 0]);
    }
  }
  for (int b = 0; b < kBarrierCount; ++b) {
    e.Set(DsbEventIndex(static_cast<Barrier>(b)), a.dsb[b]);
  }
  const sim::MachineCounters& c = m.counters();
  const FramePoolStats& p = m.pool().stats();
  auto set = [&](Event event, uint64_t value) {
    e.Set(EventIndex(event), value);
  };
  set(Event::kIsb, a.isb);
  set(Event::kTtbr0Writes, a.ttbr0_writes);
  set(Event::kWalks, c.walks);
  set(Event::kDescriptorReads, m.descriptor_reads());
  set(Event::kTlbHits, c.tlb_hits);
  set(Event::kFaults, c.faults_handled + c.faults_delivered);
  set(Event::kContextSwitches, c.context_switches);
  set(Event::kIpis, c.ipis);
  set(Event::kPagesCopied, p.copies);
  set(Event::kTablesAllocated, p.allocations - p.copies);
  set(Event::kFramesShared, p.shares);
  set(Event::kInstructionSyncs, a.instruction_syncs);
  return e;
}

}  // namespace ttb::bench
