#include "bench/replay/replay.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_format.h"
#include "engine/sim/machine.h"

namespace ttb::bench {
namespace {

constexpr int kParentCpu = kForkingCpu;
constexpr int kChildCpu = 1;

// Frames for the layout, its tables (a parent's and a child's, however a
// strategy shares them) and a full copy of every page, which an eager
// fork makes.
uint64_t MemoryBytes(const ReplayLayout& layout) {
  std::set<uint64_t> regions[3];  // Reached by one table of levels 3, 2, 1.
  for (const LaidRun& run : layout.runs) {
    const uint64_t last = run.va + (run.pages - 1) * kTracePageBytes;
    for (int level = 0; level < 3; ++level) {
      const unsigned shift = 21 + 9 * level;
      for (uint64_t r = run.va >> shift; r <= last >> shift; ++r) {
        regions[level].insert(r);
      }
    }
  }
  uint64_t tables = 2;  // The roots.
  for (const auto& r : regions) tables += 2 * r.size();
  const uint64_t frames = layout.frames + layout.pages() + tables;
  // The pool's metadata takes a few bytes a frame; the rest is the kernel's.
  return frames * (kTracePageBytes + 16) + (16ull << 20);
}

// What the child reads: each page the parent may write, in address order.
std::vector<uint64_t> SnapshotPages(const ReplayLayout& layout) {
  std::vector<uint64_t> pages;
  for (const LaidRun& run : layout.runs) {
    if (run.perms != PagePerms::kReadWrite) continue;
    for (uint64_t i = 0; i < run.pages; ++i) {
      pages.push_back(run.va + i * kTracePageBytes);
    }
  }
  return pages;
}

}  // namespace

absl::StatusOr<ReplayResult> Replay(const ReplayLayout& layout,
                                    Strategy<sim::SimArch>& strategy,
                                    const ReplayOptions& options) {
  sim::MachineConfig config;
  config.cpus = 2;
  config.domain_pes = std::max(2, options.pes);
  config.regime = Regime::Va48();  // Where a Linux process's addresses lie.
  config.profile = options.profile;
  config.range_tlbi = options.range_tlbi;
  config.walk = options.walk;
  config.memory_bytes = MemoryBytes(layout);
  config.keep_data = options.keep_data;
  absl::StatusOr<std::unique_ptr<sim::Machine>> made =
      sim::Machine::Create(config, strategy);
  if (!made.ok()) return made.status();
  sim::Machine& m = **made;

  const Result<sim::Pid> parent = m.Spawn(kParentCpu);
  if (!parent.ok()) return Failed("spawn", parent.status());
  if (absl::Status s = MapLayout(m, kParentCpu, parent.value(), layout);
      !s.ok()) {
    return s;
  }
  m.Run(kParentCpu, parent.value());

  ReplayResult result;
  const uint64_t frames_before = m.pool().frames_in_use();
  m.pool().ResetPeak();
  const auto t0 = std::chrono::steady_clock::now();
  const EventViews start = EventViews::Of(m);
  const Result<sim::Pid> child = m.Fork(kParentCpu, parent.value());
  if (!child.ok()) return Failed("fork", child.status());
  result.fork = EventViews::Of(m) - start;
  result.table_frames_after_fork = m.pool().stats().table_frames;
  m.Run(kChildCpu, child.value());

  // Trace time: the parent's writes and the child's reads, merged.
  const std::vector<uint64_t> reads = SnapshotPages(layout);
  const uint64_t window =
      std::max<uint64_t>({options.window_us, layout.sample_us, 1});
  result.window_us = window;
  result.windows.resize(layout.snapshot_us / window + 1);
  // The first window holds the fork: the parent stalls for it too.
  Events window_start = start.forking_cpu;
  uint64_t current = 0;
  auto close_windows_until = [&](uint64_t us) {
    // A background copy may outlast the snapshot: its windows end there.
    for (; current < us / window && current < result.windows.size();
         ++current) {
      const Events now = EventsOf(m, kParentCpu);
      result.windows[current] = now - window_start;
      window_start = now;
    }
  };
  // CPU 0's clock per cost point, in microseconds from the fork's start:
  // when it is next free.
  double parent_free_us[3] = {};
  constexpr int kTypicalPoint = static_cast<int>(CostPoint::kTypical);
  auto microseconds = [&](const Events& e, int point) {
    const CostRange& ghz = options.costs->clock_ghz();
    const double clock = point == 0   ? ghz.high
                         : point == 2 ? ghz.low
                                      : ghz.typical;
    return options.costs->Cycles(e, static_cast<CostPoint>(point)) /
           (clock * 1000);
  };
  if (options.costs != nullptr) {
    for (int p = 0; p < 3; ++p) {
      parent_free_us[p] = microseconds(result.fork.forking_cpu, p);
    }
  }
  const uint8_t byte = 1;
  uint8_t read_byte = 0;
  size_t w = 0, r = 0;
  bool copying = true;  // Until the child's background work is done.
  while (w < layout.writes.size() || r < reads.size() || copying) {
    // The child's CPU copies first; then read r happens at r / reads of
    // the snapshot's life.
    const uint64_t child_us =
        copying            ? static_cast<uint64_t>(result.background_done_us)
        : r < reads.size() ? layout.snapshot_us * r / reads.size()
                           : ~0ull;
    const bool write =
        w < layout.writes.size() && layout.writes[w].us_after_fork <= child_us;
    close_windows_until(write ? layout.writes[w].us_after_fork : child_us);
    if (copying && !write) {
      const Events before = EventsOf(m, kChildCpu);
      const Result<bool> step = m.Background(kChildCpu, child.value());
      if (!step.ok()) {
        return Failed("the child's background copy", step.status());
      }
      copying = step.value();
      if (copying) {
        ++result.background_steps;
        if (options.costs != nullptr) {
          result.background_done_us +=
              microseconds(EventsOf(m, kChildCpu) - before, kTypicalPoint);
        }
      }
    } else if (write) {
      const ReplayWrite& next = layout.writes[w++];
      const Events before =
          options.costs != nullptr ? EventsOf(m, kParentCpu) : Events();
      const sim::AccessResult a = m.Write(kParentCpu, parent.value(), next.va,
                                          std::span<const uint8_t>(&byte, 1));
      if (!a.ok) {
        return absl::InternalError(absl::StrFormat(
            "the parent's write to %#x %s", next.va, a.Failure()));
      }
      if (options.costs != nullptr) {
        const Events spent = EventsOf(m, kParentCpu) - before;
        const double arrival = static_cast<double>(next.us_after_fork);
        for (int p = 0; p < 3; ++p) {
          parent_free_us[p] =
              std::max(parent_free_us[p], arrival) + microseconds(spent, p);
          result.write_latency_us[p].push_back(parent_free_us[p] - arrival);
        }
      }
    } else {
      const uint64_t va = reads[r++];
      const sim::AccessResult a = m.Read(kChildCpu, child.value(), va,
                                         std::span<uint8_t>(&read_byte, 1));
      if (!a.ok) {
        return absl::InternalError(
            absl::StrFormat("the child's read of %#x %s", va, a.Failure()));
      }
    }
  }
  close_windows_until(layout.snapshot_us + window);
  m.Exit(kChildCpu, child.value());
  result.total = EventViews::Of(m) - start;
  result.host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  result.extra_peak_frames = m.pool().stats().peak_frames - frames_before;
  return result;
}

}  // namespace ttb::bench
