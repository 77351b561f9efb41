#include "bench/workloads/machine_events.h"

#include <string>

namespace ttb::bench {

Events EventsOf(const sim::Machine& m, int cpu) {
  Events e;
  const sim::SimSystem& system = m.system();
  const ArchCounters a =
      cpu == kAllCpus ? system.counters() : system.counters(cpu);
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    for (const bool inner : {false, true}) {
      e.Set(TlbiEventIndex(static_cast<tlbi::Op>(op), inner),
            a.tlbi[op][inner ? 1 : 0]);
    }
  }
  for (int b = 0; b < kBarrierCount; ++b) {
    e.Set(DsbEventIndex(static_cast<Barrier>(b)), a.dsb[b]);
  }
  const sim::MachineCounters c =
      cpu == kAllCpus ? m.counters() : m.counters(cpu);
  auto set = [&](Event event, uint64_t value) {
    e.Set(EventIndex(event), value);
  };
  set(Event::kIsb, a.isb);
  set(Event::kTtbr0Writes, a.ttbr0_writes);
  set(Event::kWalks, c.walks);
  set(Event::kDescriptorReads, c.descriptor_reads);
  set(Event::kTlbHits, c.tlb_hits);
  set(Event::kFaults, c.faults_handled + c.faults_delivered);
  set(Event::kContextSwitches, c.context_switches);
  set(Event::kIpis, c.ipis);
  // Copies and zeroed tables in 4 KiB units (names.h).
  const uint64_t units = m.regime().granule_bytes() >> 12;
  set(Event::kPagesCopied, c.pages_copied * units);
  set(Event::kTablesAllocated, c.tables_allocated * units);
  set(Event::kFramesShared, c.frames_shared);
  set(Event::kInstructionSyncs, a.instruction_syncs);
  set(Event::kLocalTlbiCompletions, a.tlbi_completions[0]);
  set(Event::kBroadcastTlbiCompletions, a.tlbi_completions[1]);
  set(Event::kSoftwareDescriptorReads, c.table_reads);
  set(Event::kSoftwareDescriptorWrites, c.table_writes);
  return e;
}

void ExportEvents(benchmark::State& state, const CostModel& costs,
                  const EventViews& views) {
  const auto avg = benchmark::Counter::kAvgIterations;
  const Events& total = views.all;
  uint64_t tlbis = 0, broadcasts = 0;
  views.forking_cpu.ForEach([&](const std::string& name, uint64_t value) {
    if (value != 0) {
      state.counters[kForkingCpuPrefix + name] = benchmark::Counter(value, avg);
    }
  });
  total.ForEach([&](const std::string& name, uint64_t value) {
    if (name.rfind("tlbi.", 0) == 0) {
      tlbis += value;
      if (IsBroadcastTlbi(name)) broadcasts += value;
    }
    // Per-kind counters only where they happened, aggregates always.
    if (value != 0) state.counters[name] = benchmark::Counter(value, avg);
  });
  state.counters["tlbi"] = benchmark::Counter(tlbis, avg);
  state.counters["tlbi_broadcast"] = benchmark::Counter(broadcasts, avg);
  state.counters["modelled_cycles"] =
      benchmark::Counter(costs.Cycles(total), avg);
}

}  // namespace ttb::bench
