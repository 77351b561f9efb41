// Benchmarks of the engine itself: what one walk, one TLB lookup and one
// page of map/release cost on the host. Strategy benchmarks build on these.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "engine/address_space.h"
#include "engine/sim/sim_arch.h"
#include "engine/sim/sim_memory.h"
#include "engine/sim/tlb.h"
#include "engine/sim/tlb_profile.h"
#include "engine/tlb_maintenance.h"
#include "engine/walker.h"

namespace ttb {
namespace {

constexpr uint64_t kMemoryBytes = 1ull << 30;
const Descriptor kUserRw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);

std::unique_ptr<sim::SimMemory> NewMemory() {
  auto memory = sim::SimMemory::Create(kMemoryBytes);
  if (!memory.ok()) {
    std::cerr << "engine_bench: " << memory.status() << "\n";
    std::exit(2);
  }
  return *std::move(memory);
}

Regime RegimeOf(int64_t va_bits) {
  return va_bits == 48 ? Regime::Va48() : Regime::Va39();
}

// A full table walk of a mapped page, cycling over 4096 pages.
void BM_Walk(benchmark::State& state) {
  const Regime regime = RegimeOf(state.range(0));
  auto memory = NewMemory();
  AddressSpace space;
  space.Init(&memory->pool(), regime, 1);
  constexpr uint64_t kPages = 4096;
  space.Map(0x4000'0000, kPages, kUserRw);
  const Walker walker(regime, memory->pool());
  uint64_t i = 0;
  for (auto _ : state) {
    const VirtAddr va = 0x4000'0000 + ((i++ % kPages) << 12);
    benchmark::DoNotOptimize(
        walker.Walk(space.root(), va, Access::kRead, El::kEl0));
  }
  state.counters["descriptor_reads_per_walk"] = benchmark::Counter(
      static_cast<double>(walker.descriptor_reads()) / state.iterations());
  space.Release();
}
BENCHMARK(BM_Walk)->Arg(39)->Arg(48);

// TLB lookups that hit: a working set that fits the profile's L1.
void BM_TlbLookupHit(benchmark::State& state) {
  const sim::TlbProfile& profile = *sim::FindTlbProfile("neoverse-n1");
  sim::Tlb tlb(profile, Regime::Va48());
  const uint64_t pages = profile.l1_data.entries;
  for (uint64_t p = 0; p < pages; ++p) {
    tlb.Fill(sim::TlbEntry{p << 12, p << 12, Descriptor::Page(p << 12), 1,
                           false, 3, 0});
  }
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tlb.Lookup((i++ % pages) << 12, 1));
  }
  state.counters["l1_hit_ratio"] = benchmark::Counter(
      static_cast<double>(tlb.stats().l1_hits) / state.iterations());
}
BENCHMARK(BM_TlbLookupHit);

// TLB lookups that miss every structure.
void BM_TlbLookupMiss(benchmark::State& state) {
  sim::Tlb tlb(*sim::FindTlbProfile("neoverse-n1"), Regime::Va48());
  tlb.Fill(sim::TlbEntry{0, 0, Descriptor::Page(0), 1, false, 3, 0});
  uint64_t i = 1;
  for (auto _ : state) benchmark::DoNotOptimize(tlb.Lookup((i++) << 12, 1));
  state.counters["miss_ratio"] = benchmark::Counter(
      static_cast<double>(tlb.stats().misses) / state.iterations());
}
BENCHMARK(BM_TlbLookupMiss);

// Mapping and releasing N fresh pages: the per-page cost of building an
// address space, which every fork strategy pays in some form.
void BM_MapAndRelease(benchmark::State& state) {
  auto memory = NewMemory();
  const uint64_t pages = state.range(0);
  for (auto _ : state) {
    AddressSpace space;
    space.Init(&memory->pool(), Regime::Va48(), 1);
    if (space.Map(0x10'0000'0000, pages, kUserRw) != Status::kOk) {
      state.SkipWithError("map failed");
      break;
    }
    space.Release();
  }
  state.SetItemsProcessed(state.iterations() * pages);
  state.counters["peak_frames"] = benchmark::Counter(
      static_cast<double>(memory->pool().stats().peak_frames));
}
BENCHMARK(BM_MapAndRelease)->Arg(512)->Arg(16384);

// One TLBI VALE1IS on a 4-CPU system, barriers included.
void BM_SimulatedTlbiBroadcast(benchmark::State& state) {
  sim::SimSystem system(*sim::FindTlbProfile("neoverse-n1"), Regime::Va48(), 4,
                        false);
  sim::SimArch arch(&system, 0);
  uint64_t i = 0;
  for (auto _ : state) {
    MaintenanceSequence(arch, Shareability::kInner, [&] {
      InvalidateVa(arch, 1, (i++ & 0xFFFF) << 12, true, Shareability::kInner);
    });
  }
  state.counters["tlbi"] =
      benchmark::Counter(static_cast<double>(system.counters().tlbi_total()));
}
BENCHMARK(BM_SimulatedTlbiBroadcast);

}  // namespace
}  // namespace ttb

BENCHMARK_MAIN();
