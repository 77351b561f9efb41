// Benchmarks of every strategy on the simulated machine: host time, and per
// iteration every event the machine counts and the modelled cycles.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <span>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/replay/aged_layout.h"
#include "bench/replay/map_layout.h"
#include "bench/results/latency.h"
#include "bench/workloads/background_beside.h"
#include "bench/workloads/floor.h"
#include "bench/workloads/hw_counters.h"
#include "bench/workloads/machine_events.h"
#include "bench/workloads/suite.h"
#include "engine/sim/machine.h"
#include "variants/registry.h"

namespace ttb::bench {
namespace {

constexpr VirtAddr kBase = 0x10'0000'0000;  // Away from 0, in every regime.
// Sparse layouts map this many pages per last-level table.
constexpr uint64_t kSparsePagesPerRegion = 32;
// The parent's read-only text (program and libraries), one last-level
// table's reach below its data: fork write-protects nothing here, so only a
// strategy that drops the whole ASID makes the parent walk for it again.
constexpr uint64_t kTextBytes = 2ull << 20;

// The regime of a page size: arm64 Linux's default layout for it (4 KiB
// pages with a 48-bit VA, 16 KiB with 47 bits, 64 KiB with 48).
Regime RegimeOf(unsigned granule_kib) {
  switch (granule_kib) {
    case 16:
      return Regime::Va47Granule16K();
    case 64:
      return Regime::Va48Granule64K();
    default:
      return Regime::Va48();
  }
}

// The pages of a workload's resident size.
// The parent of a CoW fault workload.
constexpr uint64_t kCowFaultMiB = 16;

uint64_t PagesOf(const SimWorkload& w) {
  return (w.mib << 20) / (uint64_t{w.granule_kib} << 10);
}

const Descriptor kUserRw =
    Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true).with_uxn(true).with_pxn(
        true);
const Descriptor kUserText =
    Descriptor::Page(0).with_ap(Ap::kRo).with_ng(true).with_pxn(true);

// What a fixture's machine and parent are.
struct FixtureShape {
  uint64_t pages = 0;  // Writable pages of the parent.
  Layout layout = Layout::kDense;
  int cpus = 1;
  bool text = false;  // kTextBytes of read-only text too.
  // Whether data frames keep their bytes (sim::MachineConfig::keep_data).
  bool keep_data = true;
  unsigned granule_kib = 4;         // Aged layouts: 4 KiB only.
  bool runs = false;                // Dense data in contiguous runs.
  bool copy_runs = false;           // sim::MachineConfig::cow_copies_runs.
  bool blocks = false;              // Dense data in level-2 blocks.
  const TableWalk* walk = nullptr;  // The workload's; nullptr: the run's.
  bool operator==(const FixtureShape&) const = default;
};

// `shape` with what workload `w` says of the parent: its pages, page size
// and mapping.
FixtureShape ShapeOf(const SimWorkload& w, FixtureShape shape) {
  shape.pages = PagesOf(w);
  shape.granule_kib = w.granule_kib;
  shape.runs = w.family->contiguous_runs;
  shape.copy_runs = w.family->cow_copies_runs;
  shape.blocks = w.family->blocks;
  shape.walk = w.walk;
  return shape;
}

// A machine whose parent is mapped as `shape` says. What fails, in the
// set-up or in a step the fixture carries out, is kept as error(): the
// benchmark stops with it rather than timing work that did not happen.
class Fixture {
 public:
  Fixture(const SuiteOptions& o, Strategy<sim::SimArch>& s,
          const FixtureShape& shape)
      : pages_(shape.pages),
        data_(shape.runs ? kUserRw.with_contiguous(true) : kUserRw),
        blocks_(shape.blocks),
        regime_(RegimeOf(shape.granule_kib)),
        page_bytes_(regime_.granule_bytes()),
        region_(regime_.level_bytes(2)) {
    const uint64_t pages = shape.pages;
    const Layout layout = shape.layout;
    const int cpus = shape.cpus;
    sim::MachineConfig config;
    config.cpus = cpus;
    // The machine the cost model prices: its kernel broadcasts.
    if (o.costs != nullptr) config.domain_pes = std::max(cpus, o.costs->pes());
    config.regime = regime_;
    config.profile = o.profile;
    config.range_tlbi = o.range_tlbi;
    config.cow_copies_runs = shape.copy_runs || o.cow_copies_whole;
    config.bbm_level2 = o.bbm_level2;
    config.walk = shape.walk != nullptr ? shape.walk : o.walk;
    const ReplayLayout aged =
        layout == Layout::kAged ? AgedLayout(kBase, pages) : ReplayLayout();
    // Room for the parent (and the holes between an aged layout's runs), a
    // full copy of it, the tables of both (sparse layouts take one level-3
    // table per 32 pages: 128 bytes a page each), the text and the kernel.
    // No more: the benchmark commits all of it, unless it keeps no data,
    // when the host holds only the frames' metadata and the tables.
    config.memory_bytes = (std::max(pages, aged.frames) + pages) * page_bytes_ +
                          pages * page_bytes_ / 8 + kTextBytes + (16ull << 20) +
                          (shape.blocks ? 2 * region_ : 0);  // Alignment.
    config.keep_data = shape.keep_data;
    config.populate_memory = shape.keep_data;
    auto m = sim::Machine::Create(config, s);
    if (!m.ok()) {
      error_ = std::string(m.status().message());
      return;
    }
    machine_ = *std::move(m);
    const Result<sim::Pid> parent = machine_->Spawn(0);
    if (!Check(parent.status(), "spawn")) return;
    parent_ = parent.value();
    if (layout == Layout::kDense) {
      MapData();
    } else if (layout == Layout::kAged) {
      if (const absl::Status s = MapLayout(*machine_, 0, parent_, aged);
          !s.ok()) {
        error_ = std::string(s.message());
      }
    } else {
      for (uint64_t done = 0; done < pages && ok();
           done += kSparsePagesPerRegion) {
        Check(machine_->Map(0, parent_,
                            kBase + done / kSparsePagesPerRegion * region_,
                            kSparsePagesPerRegion, kUserRw),
              "map");
      }
    }
    if (ok() && shape.text) {
      Check(machine_->Map(0, parent_, Text(0), text_pages(), kUserText), "map");
    }
    if (ok()) machine_->Run(0, parent_);
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  sim::Machine& m() { return *machine_; }
  sim::Pid parent() const { return parent_; }
  uint64_t pages() const { return pages_; }

  // A fork of the parent on CPU 0; 0 (no process) when it failed.
  sim::Pid Fork() {
    const Result<sim::Pid> child = machine_->Fork(0, parent_);
    return Check(child.status(), "fork") ? child.value() : 0;
  }
  // An access by `pid` on CPU 0 that must complete.
  void Write(sim::Pid pid, VirtAddr va, std::span<const uint8_t> bytes) {
    Check(machine_->Write(0, pid, va, bytes), "write");
  }
  void Read(sim::Pid pid, VirtAddr va, std::span<uint8_t> bytes) {
    Check(machine_->Read(0, pid, va, bytes), "read");
  }

  // The VA of the parent's page `i` (dense layouts only), and of its text
  // page `i`.
  VirtAddr Page(uint64_t i) const { return kBase + i * page_bytes_; }
  VirtAddr Text(uint64_t i) const { return kBase - region_ + i * page_bytes_; }
  uint64_t text_pages() const { return kTextBytes / page_bytes_; }

  // Undoes what a fork did to the parent once its child is gone: private,
  // writable data pages and no cached translations, as before the first
  // fork.
  void ResetParent() {
    bool split = false;
    const VirtAddr end = Page(pages_);
    auto make_private = [](Descriptor& d) {
      if (d.ap() != Ap::kRo || d.cow()) d = d.with_ap(Ap::kRw).with_cow(false);
    };
    AddressSpace& space = machine_->process(parent_)->space;
    space.ForEachPage([&](VirtAddr va, Descriptor& d) {
      make_private(d);
      split |= va >= kBase && va < end &&
               (blocks_ || d.contiguous() != data_.contiguous());
    });
    space.ForEachBlock([&](VirtAddr, Descriptor& d) { make_private(d); });
    if (split) {
      // Writes split runs and blocks and moved pages to copies: mapped
      // afresh, so that the next iteration forks them whole again.
      Check(machine_->Unmap(0, parent_, kBase, pages_), "unmap");
      MapData();
    }
    for (int c = 0; c < machine_->system().cpu_count(); ++c) {
      machine_->system().tlb(c).Invalidate(tlbi::Op::kVmalle1, 0);
    }
  }

 private:
  // The parent's dense data, in the fixture's mapping.
  void MapData() {
    Check(blocks_ ? machine_->MapBlocks(0, parent_, kBase, pages_, data_)
                  : machine_->Map(0, parent_, kBase, pages_, data_),
          "map");
  }
  bool Check(Status s, const char* what) {
    if (s != Status::kOk && ok()) {
      error_ = absl::StrCat(what, " failed: ", StatusName(s));
    }
    return s == Status::kOk;
  }
  void Check(const sim::AccessResult& r, const char* what) {
    if (r.ok || !ok()) return;
    error_ = absl::StrCat(what, " ", r.Failure());
  }

  std::unique_ptr<sim::Machine> machine_;
  sim::Pid parent_ = 0;
  uint64_t pages_;
  Descriptor data_;  // The attributes the data is mapped with.
  bool blocks_;      // Whether it is mapped in level-2 blocks.
  Regime regime_;
  uint64_t page_bytes_;
  uint64_t region_;  // One last-level table's reach.
  std::string error_;
};

}  // namespace

// The fixture of the last benchmark that asked, kept for its next call:
// Google Benchmark calls a benchmark's function more than once while it
// sizes the run (one iteration, then as many as fill the minimum time),
// and building a 1 GiB parent anew each time cost more than the forks it
// timed. Only for benchmarks whose every iteration leaves the fixture as
// it found it (ResetParent); a fixture that failed is built again.
class FixtureCache {
 public:
  std::shared_ptr<Fixture> Get(const SuiteOptions& o, Strategy<sim::SimArch>& s,
                               const FixtureShape& shape) {
    Key key{
        &s,           {},     shape,   o.profile,
        o.range_tlbi, o.walk, o.costs, o.costs != nullptr ? o.costs->pes() : 0};
    for (int i = 0; i < s.tunable_count(); ++i) {
      key.tunables.push_back(s.tunable(i)->value);
    }
    if (kept_ == nullptr || !kept_->ok() || !(key_ == key)) {
      kept_.reset();  // Its memory goes before the next one's is taken.
      kept_ = std::make_shared<Fixture>(o, s, shape);
      key_ = key;
    }
    return kept_;
  }

 private:
  struct Key {
    const Strategy<sim::SimArch>* strategy;
    std::vector<int64_t> tunables;  // `tune` changes them between runs.
    FixtureShape shape;
    const sim::TlbProfile* profile;
    bool range_tlbi;
    const TableWalk* walk;
    const CostModel* costs;
    int pes;
    bool operator==(const Key&) const = default;
  };
  std::shared_ptr<Fixture> kept_;
  Key key_{};
};

namespace {

// A fixture shaped so: the one o.fixtures kept, if it has one.
std::shared_ptr<Fixture> Reused(const SuiteOptions& o,
                                Strategy<sim::SimArch>& s,
                                const FixtureShape& shape) {
  return o.fixtures != nullptr ? o.fixtures->Get(o, s, shape)
                               : std::make_shared<Fixture>(o, s, shape);
}

// Times one step, adding its events (and hardware counts, where the host
// has them) to `total`.
template <typename Step>
double Timed(sim::Machine& m, EventViews& total, Step&& step) {
  static HwCounters hw;
  const EventViews before = EventViews::Of(m);
  Clock::time_point t0, t1;
  hw.Count(total.all, [&] {
    t0 = Clock::now();
    step();
    t1 = Clock::now();
  });
  total += EventViews::Of(m) - before;
  return std::chrono::duration<double>(t1 - t0).count();
}

// Exports the events, modelled cycles, peak frames and host ns per page.
void Report(benchmark::State& state, const SuiteOptions& o, sim::Machine& m,
            const EventViews& views, double seconds, uint64_t pages) {
  ExportEvents(state, *o.costs, views);
  state.counters["peak_frames"] = m.pool().stats().peak_frames;
  SetNsPerPage(state, seconds, pages);
}

// Whether the fixture has not failed; if it has, the benchmark is marked
// with the error and must stop without touching the machine again.
bool Ready(benchmark::State& state, const Fixture& f) {
  if (!f.ok()) state.SkipWithError(f.error().c_str());
  return f.ok();
}

// Simulated memory per resident page beyond the 4 KiB frame itself: the
// pool's metadata for the frame and the parent's share of its tables.
double OverheadBytesPerPage(FramePool& pool) {
  const FramePoolStats& s = pool.stats();
  return (static_cast<double>(s.table_frames) * pool.frame_bytes() +
          static_cast<double>(FramePool::MetadataBytes(s.data_frames))) /
         static_cast<double>(s.data_frames);
}

void ForkLatency(benchmark::State& state, const SuiteOptions& o,
                 Strategy<sim::SimArch>* s, const SimWorkload& w) {
  const std::shared_ptr<Fixture> held = Reused(
      o, *s,
      ShapeOf(w, {.layout = w.layout, .keep_data = w.family->keeps_data}));
  Fixture& f = *held;
  if (!Ready(state, f)) return;
  const double overhead = OverheadBytesPerPage(f.m().pool());
  EventViews total;
  double seconds = 0;
  for (auto _ : state) {
    sim::Pid child = 0;
    const double t = Timed(f.m(), total, [&] { child = f.Fork(); });
    state.SetIterationTime(t);
    seconds += t;
    if (!Ready(state, f)) break;
    f.m().Exit(0, child);
    f.ResetParent();
  }
  Report(state, o, f.m(), total, seconds, f.pages());
  state.counters["overhead_bytes_per_page"] = overhead;
}

// Times `step` once per iteration, after the untimed `prepare`, and
// undoes its fork on the parent after each; then reports.
template <typename Prepare, typename Step>
void TimeEachIteration(benchmark::State& state, const SuiteOptions& o,
                       Fixture& f, Prepare&& prepare, Step&& step) {
  EventViews total;
  double seconds = 0;
  for (auto _ : state) {
    prepare();
    const double t = Timed(f.m(), total, step);
    state.SetIterationTime(t);
    seconds += t;
    if (!Ready(state, f)) break;
    f.ResetParent();
  }
  Report(state, o, f.m(), total, seconds, f.pages());
}
constexpr auto kNothing = [] {};

// A fork whose child exits at once.
void ForkAndExit(Fixture& f) { f.m().Exit(0, f.Fork()); }

void ForkExit(benchmark::State& state, const SuiteOptions& o,
              Strategy<sim::SimArch>* s, const SimWorkload& w) {
  const std::shared_ptr<Fixture> held = Reused(o, *s, {.pages = PagesOf(w)});
  Fixture& f = *held;
  if (!Ready(state, f)) return;
  TimeEachIteration(state, o, f, kNothing, [&] { ForkAndExit(f); });
}

// The latency of one write to a page shared by fork: the CoW break in the
// child or in the parent, or a second write to a page already broken.
void CowFault(benchmark::State& state, const SuiteOptions& o,
              Strategy<sim::SimArch>* s, const SimWorkload& w) {
  const Writer writer = w.writer;
  const uint64_t pages = (kCowFaultMiB << 20) / (uint64_t{w.granule_kib} << 10);
  FixtureShape shape = ShapeOf(w, {});
  shape.pages = pages;
  Fixture f(o, *s, shape);
  if (!Ready(state, f)) return;
  sim::Machine& m = f.m();
  const std::vector<uint8_t> byte = {1};
  EventViews total;
  double seconds = 0;
  LatencySamples latencies;
  uint64_t next = pages;  // Forces a fork first.
  sim::Pid child = 0;
  for (auto _ : state) {
    if (next == pages) {
      if (child != 0) {
        m.Exit(0, child);
        f.ResetParent();
      }
      child = f.Fork();
      next = 0;
    }
    const sim::Pid who = writer == Writer::kParent ? f.parent() : child;
    m.Run(0, who);
    if (writer == Writer::kSecondWrite) {
      f.Write(who, f.Page(next), byte);  // Breaks it, untimed.
    }
    const double t = Timed(m, total, [&] { f.Write(who, f.Page(next), byte); });
    if (!Ready(state, f)) break;
    ++next;
    state.SetIterationTime(t);
    seconds += t;
    latencies.Add(t);
  }
  Report(state, o, m, total, seconds, 1);
  latencies.Export(state);
}

// Fork while the parent's text is in the TLB, then the parent runs through
// its text again and the child exits: the refill that a whole-ASID flush
// (or a new ASID) costs after fork, which a fork-only benchmark misses.
void ForkResume(benchmark::State& state, const SuiteOptions& o,
                Strategy<sim::SimArch>* s, const SimWorkload& w) {
  const std::shared_ptr<Fixture> held =
      Reused(o, *s, ShapeOf(w, {.text = true}));
  Fixture& f = *held;
  if (!Ready(state, f)) return;
  sim::Machine& m = f.m();
  std::vector<uint8_t> byte(1);
  auto run_text = [&] {
    for (uint64_t i = 0; i < f.text_pages(); ++i) {
      f.Read(f.parent(), f.Text(i), byte);
    }
  };
  // Warms the TLB untimed, then forks and runs the text again.
  TimeEachIteration(state, o, f, run_text, [&] {
    const sim::Pid child = f.Fork();
    run_text();
    m.Exit(0, child);
  });
}

// Fork, then the parent (or the child) writes k% of its pages, spread
// evenly, while the child lives and does its background work on CPU 1;
// then the child exits.
void ForkThenWrite(benchmark::State& state, const SuiteOptions& o,
                   Strategy<sim::SimArch>* s, const SimWorkload& w,
                   bool child_writes) {
  // A second CPU for the child's background work, where the machine has
  // one.
  const int cpus = o.costs->pes() > 1 ? 2 : 1;
  const std::shared_ptr<Fixture> held =
      Reused(o, *s, ShapeOf(w, {.cpus = cpus}));
  Fixture& f = *held;
  if (!Ready(state, f)) return;
  const std::vector<uint8_t> byte = {7};
  const uint64_t written = f.pages() * w.percent / 100;
  uint64_t background_steps = 0;
  TimeEachIteration(state, o, f, kNothing, [&] {
    const sim::Pid child = f.Fork();
    const sim::Pid writer = child_writes ? child : f.parent();
    BackgroundBeside background(f.m(), *o.costs, child);
    for (uint64_t i = 0; i < written; ++i) {
      background.CatchUp();
      f.Write(writer, f.Page(i * f.pages() / written), byte);
    }
    background.Finish();
    background_steps += background.steps();
    f.m().Exit(0, child);
  });
  state.counters["background_steps"] =
      benchmark::Counter(static_cast<double>(background_steps),
                         benchmark::Counter::kAvgIterations);
}

// The snapshot pattern of Redis BGSAVE: the parent writes on.
void ForkWrite(benchmark::State& state, const SuiteOptions& o,
               Strategy<sim::SimArch>* s, const SimWorkload& w) {
  ForkThenWrite(state, o, s, w, /*child_writes=*/false);
}

// A pre-forked worker: the child writes its own data, so the CoW breaks
// are the child's, whose TLB holds nothing of the fork's pages yet.
void ForkChildWrite(benchmark::State& state, const SuiteOptions& o,
                    Strategy<sim::SimArch>* s, const SimWorkload& w) {
  ForkThenWrite(state, o, s, w, /*child_writes=*/true);
}

// Parent and child alternate on one CPU, each reading one of its pages:
// the cost of a context switch, and of the TLB refill after it.
void PingPong(benchmark::State& state, const SuiteOptions& o,
              Strategy<sim::SimArch>* s, const SimWorkload&) {
  constexpr uint64_t kPages = 64;
  Fixture f(o, *s, {.pages = kPages});
  if (!Ready(state, f)) return;
  sim::Machine& m = f.m();
  const sim::Pid child = f.Fork();
  if (!Ready(state, f)) return;
  std::vector<uint8_t> byte(1);
  EventViews total;
  double seconds = 0;
  uint64_t i = 0;
  for (auto _ : state) {
    const VirtAddr va = f.Page(i++ % kPages);
    const double t = Timed(m, total, [&] {
      f.Read(child, va, byte);
      f.Read(f.parent(), va, byte);
    });
    state.SetIterationTime(t);
    seconds += t;
    if (!Ready(state, f)) break;
  }
  Report(state, o, m, total, seconds, 0);
}

// The parent's threads run on `cpus` CPUs while it forks: broadcasts reach
// every TLB, and strategies that move the parent's ASID interrupt them.
void SmpFork(benchmark::State& state, const SuiteOptions& o,
             Strategy<sim::SimArch>* s, const SimWorkload& w) {
  const std::shared_ptr<Fixture> held =
      Reused(o, *s, {.pages = PagesOf(w), .cpus = w.cpus});
  Fixture& f = *held;
  if (!Ready(state, f)) return;
  TimeEachIteration(
      state, o, f,
      [&] {
        for (int c = 0; c < w.cpus; ++c) f.m().Run(c, f.parent());
      },
      [&] { ForkAndExit(f); });
}

// The floor (bench/workloads/floor.h) timed as fork/<strategy>/dense/<size> is:
// each pass right after lazy_cow's fork, the child's exit and the parent's
// reset, untimed, so that the floor meets the caches the fork meets. Run
// back to back (fork_floor), each pass finds the last one's tables cached.
void FloorAfterExit(benchmark::State& state, const SuiteOptions& o,
                    uint64_t mib) {
  const std::shared_ptr<Fixture> held =
      Reused(o, *FindStrategy<sim::SimArch>("lazy_cow"),
             {.pages = PagesOf({.mib = mib})});
  Fixture& f = *held;
  if (!Ready(state, f)) return;
  FloorPass floor(f.m().pool(), f.m().process(f.parent())->space);
  TimeFloorPasses(state, floor, false, f.pages(), [&] {
    ForkAndExit(f);
    f.ResetParent();
  });
}

// Workloads at each of the suite's sizes up to `max_mib`: `make(all, mib)`
// adds those of one size.
template <typename Make>
std::vector<SimWorkload> AtEachSize(Suite suite, uint64_t max_mib, Make make) {
  std::vector<SimWorkload> all;
  for (uint64_t mib : SizesMiB(suite)) {
    if (mib <= max_mib) make(all, mib);
  }
  return all;
}
constexpr uint64_t kAnySize = SimWorkload::kMaxMiB;

// One workload of family `f` at each of the suite's sizes.
std::vector<SimWorkload> OnePerSize(const SimFamily& f, Suite suite) {
  return AtEachSize(suite, kAnySize, [&](auto& all, uint64_t mib) {
    all.push_back({.family = &f.info, .mib = mib});
  });
}

// A workload of family `f` for each granule and each of `percents`, of
// 16 MiB in the quick suite and 256 MiB in the others: one size, since the
// report reads them per GiB, and the suite's time allows no more.
std::vector<SimWorkload> ByGranule(const SimFamily& f, Suite suite,
                                   std::initializer_list<int> percents) {
  const uint64_t mib = suite == Suite::kQuick ? 16 : 256;
  std::vector<SimWorkload> all;
  for (unsigned kib : kGranulesKiB) {
    for (int k : percents) {
      all.push_back(
          {.family = &f.info, .mib = mib, .percent = k, .granule_kib = kib});
    }
  }
  return all;
}

// The workloads whose parent holds a level-2 block of their granule: 2 MiB
// with 4 KiB pages and 32 MiB with 16 KiB fit the suites' parents, 64 KiB's
// 512 MiB none.
std::vector<SimWorkload> WithBlocks(std::vector<SimWorkload> all,
                                    uint64_t parent_mib) {
  std::erase_if(all, [&](const SimWorkload& w) {
    return RegimeOf(w.granule_kib).level_bytes(2) >
           ((w.mib != 0 ? w.mib : parent_mib) << 20);
  });
  return all;
}

// A CoW fault workload of family `f` for each granule, by the child and by
// the parent.
std::vector<SimWorkload> ByGranuleAndWriter(const SimFamily& f, Suite) {
  std::vector<SimWorkload> all;
  for (unsigned kib : kGranulesKiB) {
    for (Writer w : {Writer::kChild, Writer::kParent}) {
      all.push_back({.family = &f.info, .writer = w, .granule_kib = kib});
    }
  }
  return all;
}

// The write families' workloads: 10% and 50% of the pages in each granule.
std::vector<SimWorkload> WritesByGranule(const SimFamily& f, Suite suite) {
  return ByGranule(f, suite, {10, 50});
}

// The block families' workloads, in the granules whose block fits.
std::vector<SimWorkload> ForkInBlocks(const SimFamily& f, Suite suite) {
  return WithBlocks(ByGranule(f, suite, {0}), 0);
}
std::vector<SimWorkload> WritesInBlocks(const SimFamily& f, Suite suite) {
  return WithBlocks(WritesByGranule(f, suite), 0);
}
std::vector<SimWorkload> CowFaultsInBlocks(const SimFamily& f, Suite suite) {
  return WithBlocks(ByGranuleAndWriter(f, suite), kCowFaultMiB);
}

// The registry: a new family is one row here, and its function above.
constexpr SimFamily kSimFamilies[] = {
    {{"fork", {Param::kLayout, Param::kSize}, "fork latency"},
     ForkLatency,
     [](const SimFamily& f, Suite suite) {
       return AtEachSize(suite, kAnySize, [&](auto& all, uint64_t mib) {
         for (Layout layout :
              {Layout::kDense, Layout::kSparse, Layout::kAged}) {
           all.push_back({.family = &f.info, .mib = mib, .layout = layout});
         }
       });
     },
     /*short_min_time=*/true},
    // Every table walk on every layout, at one size: 1 GiB, the size the
    // report compares walks at (16 MiB in the quick suite).
    {{"walk_fork",
      {Param::kWalk, Param::kLayout, Param::kSize},
      "fork latency under each table walk (engine/walks/)"},
     ForkLatency,
     [](const SimFamily& f, Suite suite) {
       const uint64_t mib = suite == Suite::kQuick ? 16 : 1024;
       std::vector<SimWorkload> all;
       for (const TableWalk* walk : kWalks) {
         for (Layout layout :
              {Layout::kDense, Layout::kSparse, Layout::kAged}) {
           all.push_back(
               {.family = &f.info, .mib = mib, .layout = layout, .walk = walk});
         }
       }
       return all;
     },
     /*short_min_time=*/true},
    // Beyond the host's memory: no data bytes are kept, every event is
    // counted. The full suite forks Async-fork's largest Redis, 64 GiB.
    {{"fork_huge",
      {Param::kSize},
      "fork latency of a parent kept without data bytes (tables and "
      "metadata only), up to 64 GiB",
      /*keeps_data=*/false},
     ForkLatency,
     [](const SimFamily& f, Suite suite) {
       std::vector<SimWorkload> all;
       if (suite == Suite::kQuick) return all;
       for (uint64_t mib : {16384, 65536}) {
         if (mib == 65536 && suite != Suite::kFull) continue;
         all.push_back({.family = &f.info, .mib = mib});
       }
       return all;
     },
     /*short_min_time=*/true},
    {{"fork_exit", {Param::kSize}, "fork, then the child exits"},
     ForkExit,
     OnePerSize,
     /*short_min_time=*/true},
    {{"fork_resume",
      {Param::kSize},
      "fork with the parent's text in the TLB, the parent runs its text, "
      "the child exits"},
     ForkResume,
     OnePerSize},
    // The costliest family: its largest size stops at 1 GiB (16 MiB in the
    // quick suite).
    {{"fork_write",
      {Param::kPercent, Param::kSize},
      "fork, the parent writes k% of its pages, the child exits"},
     ForkWrite,
     [](const SimFamily& f, Suite suite) {
       const uint64_t max = suite == Suite::kQuick ? 16 : 1024;
       return AtEachSize(suite, max, [&](auto& all, uint64_t mib) {
         for (int k : {0, 1, 10, 50, 100}) {
           all.push_back({.family = &f.info, .mib = mib, .percent = k});
         }
       });
     }},
    {{"fork_child_write",
      {Param::kPercent, Param::kSize},
      "fork, the child writes k% of its pages, then exits"},
     ForkChildWrite,
     [](const SimFamily& f, Suite suite) {
       const uint64_t max = suite == Suite::kQuick ? 16 : 256;
       return AtEachSize(suite, max, [&](auto& all, uint64_t mib) {
         all.push_back({.family = &f.info, .mib = mib, .percent = 10});
       });
     }},
    {{"cow_fault",
      {Param::kWriter},
      "one write to a page shared by fork: the child's first, the parent's "
      "first, or a second write"},
     CowFault,
     [](const SimFamily& f, Suite) {
       std::vector<SimWorkload> all;
       for (Writer w :
            {Writer::kChild, Writer::kParent, Writer::kSecondWrite}) {
         all.push_back({.family = &f.info, .writer = w});
       }
       return all;
     },
     // One fault is timed; the switch to the writer and each new fork are
     // not, and cost more.
     /*short_min_time=*/true},
    // Page sizes: the fork, write, CoW fault and resume workloads above
    // under the 4, 16 and 64 KiB granules (arm64 Linux's default regime
    // for each), at the same resident sizes in bytes.
    {{"granule_fork",
      {Param::kGranule, Param::kSize},
      "fork latency by page size"},
     ForkLatency,
     [](const SimFamily& f, Suite suite) { return ByGranule(f, suite, {0}); },
     /*short_min_time=*/true},
    {{"granule_fork_write",
      {Param::kGranule, Param::kPercent, Param::kSize},
      "fork, the parent writes k% of its pages, the child exits, by page "
      "size"},
     ForkWrite,
     WritesByGranule},
    {{"granule_cow_fault",
      {Param::kGranule, Param::kWriter},
      "one write to a page shared by fork, by page size"},
     CowFault,
     ByGranuleAndWriter,
     /*short_min_time=*/true},
    {{"granule_fork_resume",
      {Param::kGranule, Param::kSize},
      "fork with the parent's text in the TLB, the parent runs its text, the "
      "child exits, by page size"},
     ForkResume,
     [](const SimFamily& f, Suite suite) { return ByGranule(f, suite, {0}); }},
    // Contiguous runs: the same four workloads with the parent's data in
    // runs of the contiguous bit (64 KiB with 4 KiB pages, 2 MiB with 16
    // and 64 KiB), each CoW break inside a run splitting it first. The
    // write families' reset maps the parent afresh (writes split its
    // runs): short minimum times.
    {{"run_fork",
      {Param::kGranule, Param::kSize},
      "fork latency, data in contiguous runs",
      /*keeps_data=*/true,
      /*contiguous_runs=*/true},
     ForkLatency,
     [](const SimFamily& f, Suite suite) { return ByGranule(f, suite, {0}); },
     /*short_min_time=*/true},
    {{"run_fork_write",
      {Param::kGranule, Param::kPercent, Param::kSize},
      "fork, the parent writes k% of its pages, the child exits, data in "
      "contiguous runs",
      /*keeps_data=*/true,
      /*contiguous_runs=*/true},
     ForkWrite,
     WritesByGranule,
     /*short_min_time=*/true},
    {{"run_cow_fault",
      {Param::kGranule, Param::kWriter},
      "one write to a page shared by fork, data in contiguous runs",
      /*keeps_data=*/true,
      /*contiguous_runs=*/true},
     CowFault,
     ByGranuleAndWriter,
     /*short_min_time=*/true},
    // The other CoW policy for runs: a break copies the whole run.
    {{"run_copy_fork_write",
      {Param::kGranule, Param::kPercent, Param::kSize},
      "fork, the parent writes k% of its pages, the child exits, data in "
      "contiguous runs that a CoW break copies whole",
      /*keeps_data=*/true,
      /*contiguous_runs=*/true,
      /*cow_copies_runs=*/true},
     ForkWrite,
     WritesByGranule,
     /*short_min_time=*/true},
    {{"run_copy_cow_fault",
      {Param::kGranule, Param::kWriter},
      "one write to a page shared by fork, data in contiguous runs that a "
      "CoW break copies whole",
      /*keeps_data=*/true,
      /*contiguous_runs=*/true,
      /*cow_copies_runs=*/true},
     CowFault,
     ByGranuleAndWriter,
     /*short_min_time=*/true},
    {{"run_fork_resume",
      {Param::kGranule, Param::kSize},
      "fork with the parent's text in the TLB, the parent runs its text, the "
      "child exits, data in contiguous runs",
      /*keeps_data=*/true,
      /*contiguous_runs=*/true},
     ForkResume,
     [](const SimFamily& f, Suite suite) { return ByGranule(f, suite, {0}); }},
    // Blocks: the same workloads with the parent's data in level-2 blocks,
    // each CoW break inside one splitting it (or, in the copy families,
    // copying it whole).
    {{"block_fork",
      {Param::kGranule, Param::kSize},
      "fork latency, data in level-2 blocks",
      /*keeps_data=*/true,
      /*contiguous_runs=*/false,
      /*cow_copies_runs=*/false,
      /*blocks=*/true},
     ForkLatency,
     ForkInBlocks,
     /*short_min_time=*/true},
    {{"block_fork_write",
      {Param::kGranule, Param::kPercent, Param::kSize},
      "fork, the parent writes k% of its pages, the child exits, data in "
      "level-2 blocks",
      /*keeps_data=*/true,
      /*contiguous_runs=*/false,
      /*cow_copies_runs=*/false,
      /*blocks=*/true},
     ForkWrite,
     WritesInBlocks,
     /*short_min_time=*/true},
    {{"block_cow_fault",
      {Param::kGranule, Param::kWriter},
      "one write to a page shared by fork, data in level-2 blocks",
      /*keeps_data=*/true,
      /*contiguous_runs=*/false,
      /*cow_copies_runs=*/false,
      /*blocks=*/true},
     CowFault,
     CowFaultsInBlocks,
     /*short_min_time=*/true},
    {{"block_copy_fork_write",
      {Param::kGranule, Param::kPercent, Param::kSize},
      "fork, the parent writes k% of its pages, the child exits, data in "
      "level-2 blocks that a CoW break copies whole",
      /*keeps_data=*/true,
      /*contiguous_runs=*/false,
      /*cow_copies_runs=*/true,
      /*blocks=*/true},
     ForkWrite,
     WritesInBlocks,
     /*short_min_time=*/true},
    {{"block_copy_cow_fault",
      {Param::kGranule, Param::kWriter},
      "one write to a page shared by fork, data in level-2 blocks that a CoW "
      "break copies whole",
      /*keeps_data=*/true,
      /*contiguous_runs=*/false,
      /*cow_copies_runs=*/true,
      /*blocks=*/true},
     CowFault,
     CowFaultsInBlocks,
     /*short_min_time=*/true},
    {{"pingpong", {}, "parent and child alternate on one CPU"},
     PingPong,
     [](const SimFamily& f, Suite) {
       return std::vector<SimWorkload>{{.family = &f.info}};
     }},
    {{"smp_fork",
      {Param::kCpus, Param::kSize},
      "the parent runs on n CPUs while it forks"},
     SmpFork,
     [](const SimFamily& f, Suite) {
       std::vector<SimWorkload> all;
       for (int cpus : {2, 4}) {
         all.push_back({.family = &f.info, .mib = 64, .cpus = cpus});
       }
       return all;
     }},
};

}  // namespace

std::vector<uint64_t> SizesMiB(Suite suite) {
  switch (suite) {
    case Suite::kQuick:
      return {1, 16};
    case Suite::kDefault:
      return {1, 16, 256, 1024};
    case Suite::kFull:
      return {1, 16, 256, 1024, 4096};
  }
  return {};
}

std::vector<SimWorkload> SimWorkloads(Suite suite) {
  std::vector<SimWorkload> all;
  for (const SimFamily& f : SimFamilies()) {
    const std::vector<SimWorkload> family = f.in_suite(f, suite);
    all.insert(all.end(), family.begin(), family.end());
  }
  return all;
}

std::span<const SimFamily> SimFamilies() { return kSimFamilies; }

Families WorkloadFamilies() {
  Families all;
  for (const SimFamily& f : SimFamilies()) all.push_back(&f.info);
  return all;
}

absl::StatusOr<SimWorkload> ParseSimWorkload(absl::string_view name) {
  return SimWorkload::Parse(name, WorkloadFamilies());
}

namespace {

// The registry row of `w`'s family, or nullptr.
const SimFamily* FamilyOf(const SimWorkload& w) {
  for (const SimFamily& f : SimFamilies()) {
    if (&f.info == w.family) return &f;
  }
  return nullptr;
}

}  // namespace

void RunSimWorkload(benchmark::State& state, const SuiteOptions& o,
                    Strategy<sim::SimArch>* s, const SimWorkload& w) {
  if (const SimFamily* f = FamilyOf(w)) return f->run(state, o, s, w);
  state.SkipWithError("a workload of no registered family");
}

void RegisterSimBenchmarks(const SuiteOptions& options) {
  // The registered benchmarks run the registry's strategies, which outlive
  // any fixture kept for them.
  static FixtureCache cache;
  SuiteOptions o = options;
  o.fixtures = &cache;
  const std::vector<SimWorkload> workloads = SimWorkloads(o.suite);
  for (Strategy<sim::SimArch>* s : o.strategies) {
    for (const SimWorkload& w : workloads) {
      benchmark::internal::Benchmark* b = Register(
          w.BenchmarkName(s->name()),
          [=](benchmark::State& st) { RunSimWorkload(st, o, s, w); },
          /*manual_time=*/true);
      b->Unit(benchmark::kMicrosecond);
      if (FamilyOf(w)->short_min_time && o.suite != Suite::kQuick) {
        b->MinTime(kShortMinTime);
      }
    }
  }
  for (uint64_t mib : SizesMiB(o.suite)) {
    benchmark::internal::Benchmark* b = Register(
        absl::StrCat("fork_floor_after_exit/", mib, "MiB"),
        [o, mib](benchmark::State& s) { FloorAfterExit(s, o, mib); },
        /*manual_time=*/true);
    b->Unit(benchmark::kMicrosecond);
    // A pass takes a fraction of the fork and exit before it.
    if (o.suite != Suite::kQuick) b->MinTime(kShortMinTime);
  }
}

}  // namespace ttb::bench
