// Benchmarks of the engine itself: one walk, one TLB lookup, map/release per
// page, a broadcast TLBI, simulated accesses per second, and the floor any
// lazy fork is measured against.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "bench/workloads/floor.h"
#include "bench/workloads/suite.h"
#include "engine/address_space.h"
#include "engine/sim/machine.h"
#include "engine/sim/sim_memory.h"
#include "engine/sim/tlb.h"
#include "engine/tlb_maintenance.h"
#include "engine/walker.h"
#include "variants/registry.h"

namespace ttb::bench {
namespace {

const Descriptor kUserRw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);

// Whether a set-up step succeeded; if not, the benchmark is marked with
// what failed and must stop.
bool SetUp(benchmark::State& state, Status s, const char* what) {
  if (s != Status::kOk) {
    state.SkipWithError(absl::StrCat(what, " failed: ", StatusName(s)).c_str());
  }
  return s == Status::kOk;
}

// Committed up front, as the strategies' machines are, so the floor and
// the fork it bounds run on the same kind of host memory.
std::unique_ptr<sim::SimMemory> NewMemory(uint64_t bytes) {
  auto memory = sim::SimMemory::Create(bytes, 12, /*populate=*/true);
  if (!memory.ok()) {
    std::cerr << "ttbench: " << memory.status().message() << "\n";
    std::exit(3);
  }
  return *std::move(memory);
}

// A full table walk of a mapped page, cycling over 4096 pages.
void Walk(benchmark::State& state, Regime regime) {
  auto memory = NewMemory(64ull << 20);
  AddressSpace space;
  constexpr uint64_t kPages = 4096;
  if (!SetUp(state, space.Init(&memory->pool(), regime, 1), "init") ||
      !SetUp(state, space.Map(0x4000'0000, kPages, kUserRw), "map")) {
    return;
  }
  const Walker walker(regime, memory->pool());
  uint64_t i = 0;
  for (auto _ : state) {
    const VirtAddr va = 0x4000'0000 + ((i++ % kPages) << 12);
    benchmark::DoNotOptimize(
        walker.Walk(space.root(), va, Access::kRead, El::kEl0));
  }
  state.counters["descriptor_reads"] = benchmark::Counter(
      walker.descriptor_reads(), benchmark::Counter::kAvgIterations);
  space.Release();
}

// TLB lookups that hit: a working set that fits the profile's L1.
void TlbLookupHit(benchmark::State& state, const sim::TlbProfile* profile) {
  sim::Tlb tlb(*profile, Regime::Va48());
  const uint64_t pages = profile->l1_data.entries;
  for (uint64_t p = 0; p < pages; ++p) {
    tlb.Fill(sim::TlbEntry{p << 12, p << 12, Descriptor::Page(p << 12), 1,
                           false, 3, 0});
  }
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tlb.Lookup((i++ % pages) << 12, 1));
  }
  state.counters["l1_hits"] = benchmark::Counter(
      tlb.stats().l1_hits, benchmark::Counter::kAvgIterations);
}

// TLB lookups that miss every structure.
void TlbLookupMiss(benchmark::State& state, const sim::TlbProfile* profile) {
  sim::Tlb tlb(*profile, Regime::Va48());
  tlb.Fill(sim::TlbEntry{0, 0, Descriptor::Page(0), 1, false, 3, 0});
  uint64_t i = 1;
  for (auto _ : state) benchmark::DoNotOptimize(tlb.Lookup((i++) << 12, 1));
  state.counters["misses"] = benchmark::Counter(
      tlb.stats().misses, benchmark::Counter::kAvgIterations);
}

// Mapping and releasing fresh pages: the per-page cost of building a space.
void MapAndRelease(benchmark::State& state, uint64_t pages) {
  auto memory = NewMemory(pages * 4096 + (64ull << 20));
  for (auto _ : state) {
    AddressSpace space;
    if (!SetUp(state, space.Init(&memory->pool(), Regime::Va48(), 1), "init") ||
        !SetUp(state, space.Map(0x10'0000'0000, pages, kUserRw), "map")) {
      break;
    }
    space.Release();
  }
  state.SetItemsProcessed(state.iterations() * pages);
}

// One TLBI VALE1IS on a 4-CPU system, barriers included.
void TlbiBroadcast(benchmark::State& state, const sim::TlbProfile* profile) {
  sim::SimSystem system(*profile, Regime::Va48(), 4, false);
  sim::SimArch arch(&system, 0);
  uint64_t i = 0;
  for (auto _ : state) {
    MaintenanceSequence(arch, Shareability::kInner, [&] {
      InvalidateVa(arch, 1, (i++ & 0xFFFF) << 12, true, Shareability::kInner);
    });
  }
  state.counters["tlbi"] = benchmark::Counter(
      system.counters().tlbi_total(), benchmark::Counter::kAvgIterations);
}

// Simulated 8-byte reads that hit the L1 TLB, coherence checker off: the
// simulator's own speed.
void SimulatedAccesses(benchmark::State& state, const SuiteOptions& o) {
  sim::MachineConfig config;
  config.regime = Regime::Va48();
  config.profile = o.profile;
  config.memory_bytes = 64ull << 20;
  config.populate_memory = true;
  auto created =
      sim::Machine::Create(config, *FindStrategy<sim::SimArch>("lazy_cow"));
  if (!created.ok()) {
    state.SkipWithError(std::string(created.status().message()).c_str());
    return;
  }
  const std::unique_ptr<sim::Machine> m = *std::move(created);
  const Result<sim::Pid> spawned = m->Spawn(0);
  const uint64_t pages = o.profile->l1_data.entries / 2;
  if (!SetUp(state, spawned.status(), "spawn") ||
      !SetUp(state, m->Map(0, spawned.value(), 0x4000'0000, pages, kUserRw),
             "map")) {
    return;
  }
  const sim::Pid pid = spawned.value();
  uint64_t word = 0;
  const std::span<uint8_t> out(reinterpret_cast<uint8_t*>(&word), 8);
  // Also the fastest window of kWindow accesses: this VM shares its cores,
  // and a neighbour's burst can slow whole seconds of a run, so the best
  // window shows what the simulator itself costs.
  constexpr uint64_t kWindow = 1 << 16;
  double best_window_ns = 0;
  Clock::time_point window_start = Clock::now();
  uint64_t i = 0;
  for (auto _ : state) {
    m->Read(0, pid, 0x4000'0000 + ((i % pages) << 12) + 64, out);
    if (++i % kWindow == 0) {
      const Clock::time_point now = Clock::now();
      const double ns =
          std::chrono::duration<double, std::nano>(now - window_start).count() /
          kWindow;
      if (best_window_ns == 0 || ns < best_window_ns) best_window_ns = ns;
      window_start = now;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (best_window_ns > 0) state.counters["best_window_ns"] = best_window_ns;
  state.counters["tlb_hit_ratio"] =
      static_cast<double>(m->counters().tlb_hits) /
      static_cast<double>(m->counters().accesses);
}

// The floor (bench/workloads/floor.h) over a dense parent, its passes run back
// to back: each finds the tables of the one before still cached. With `shared`,
// each pass also takes the references and writes the parent.
void ForkFloor(benchmark::State& state, uint64_t mib, bool shared) {
  const uint64_t pages = mib * 256;
  auto memory = NewMemory(pages * 4096 + (256ull << 20));
  AddressSpace parent;
  if (!SetUp(state, parent.Init(&memory->pool(), Regime::Va48(), 1), "init") ||
      !SetUp(state, parent.Map(0x10'0000'0000, pages, kUserRw), "map")) {
    return;
  }
  FloorPass floor(memory->pool(), parent);
  TimeFloorPasses(state, floor, shared, pages, [] {});
  parent.Release();
}

}  // namespace

void RegisterEngineBenchmarks(const SuiteOptions& o) {
  Register("engine/walk/39bit",
           [](benchmark::State& s) { Walk(s, Regime::Va39()); });
  Register("engine/walk/48bit",
           [](benchmark::State& s) { Walk(s, Regime::Va48()); });
  Register("engine/tlb_lookup/hit",
           [p = o.profile](benchmark::State& s) { TlbLookupHit(s, p); });
  Register("engine/tlb_lookup/miss",
           [p = o.profile](benchmark::State& s) { TlbLookupMiss(s, p); });
  Register("engine/tlbi_broadcast/4cpus",
           [p = o.profile](benchmark::State& s) { TlbiBroadcast(s, p); });
  Register("engine/map_release/16384pages",
           [](benchmark::State& s) { MapAndRelease(s, 16384); });
  Register("engine/simulated_accesses/tlb_hit",
           [o](benchmark::State& s) { SimulatedAccesses(s, o); });
  for (uint64_t mib : SizesMiB(o.suite)) {
    for (const bool shared : {false, true}) {
      Register(
          absl::StrCat(shared ? "fork_floor_shared/" : "fork_floor/", mib,
                       "MiB"),
          [mib, shared](benchmark::State& s) { ForkFloor(s, mib, shared); },
          /*manual_time=*/true)
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace ttb::bench
