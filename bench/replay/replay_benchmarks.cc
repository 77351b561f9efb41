#include "bench/replay/replay_benchmarks.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/replay/repeated_layout.h"
#include "bench/replay/replay.h"
#include "bench/results/latency.h"
#include "bench/trace/trace.h"

namespace ttb::bench {
namespace {

constexpr char kTraceSuffix[] = ".ttrace.gz";

constexpr CostPoint kPoints[] = {CostPoint::kLow, CostPoint::kTypical,
                                 CostPoint::kHigh};

void RunReplay(benchmark::State& state, const SuiteOptions& o,
               Strategy<sim::SimArch>* s, const ReplayTrace& t,
               bool keep_data) {
  ReplayOptions options;
  options.keep_data = keep_data;
  options.profile = o.profile;
  options.range_tlbi = o.range_tlbi;
  options.walk = o.walk;
  options.pes = o.costs->pes();
  options.costs = o.costs;
  EventViews total;
  absl::StatusOr<ReplayResult> last;
  for (auto _ : state) {
    last = Replay(t.layout, *s, options);
    if (!last.ok()) {
      state.SkipWithError(std::string(last.status().message()).c_str());
      return;
    }
    state.SetIterationTime(last->host_seconds);
    total += last->total;
  }
  ExportEvents(state, *o.costs, total);
  // Every iteration replays the same trace to the same counts: the last
  // one's distribution is each one's.
  const CostModel& costs = *o.costs;
  for (const CostPoint point : kPoints) {
    const char* name = kCostPointNames[static_cast<int>(point)];
    state.counters[absl::StrCat(kForkCyclesCounter, ".", name)] =
        costs.Cycles(last->fork.forking_cpu, point);
    std::vector<double> stalls;
    for (const Events& w : last->windows) {
      stalls.push_back(costs.Cycles(w, point));
    }
    std::sort(stalls.begin(), stalls.end());
    const double at[] = {Percentile(stalls, 50), Percentile(stalls, 99),
                         stalls.back()};
    for (int i = 0; i < 3; ++i) {
      state.counters[absl::StrCat(kStallCounters[i], ".", name)] = at[i];
    }
    std::vector<double> latencies =
        last->write_latency_us[static_cast<int>(point)];
    if (latencies.empty()) continue;
    std::sort(latencies.begin(), latencies.end());
    const double latency[] = {Percentile(latencies, 50),
                              Percentile(latencies, 99), latencies.back()};
    for (int i = 0; i < 3; ++i) {
      state.counters[absl::StrCat(kWriteLatencyCounters[i], ".", name)] =
          latency[i];
    }
  }
  const ReplayLayout& l = t.layout;
  state.counters["windows"] = static_cast<double>(last->windows.size());
  state.counters["window_us"] = static_cast<double>(last->window_us);
  state.counters["background_steps"] =
      static_cast<double>(last->background_steps);
  state.counters["background_done_us"] = last->background_done_us;
  state.counters["pages"] = static_cast<double>(l.pages());
  state.counters["writes"] = static_cast<double>(l.writes.size());
  state.counters["skipped_pages"] = static_cast<double>(l.skipped_pages);
  state.counters["skipped_writes"] = static_cast<double>(l.skipped_writes);
  state.counters["frames_known"] = l.frames_known ? 1 : 0;
  state.counters[kKeepsDataCounter] = keep_data ? 1 : 0;
  state.counters["table_frames"] =
      static_cast<double>(last->table_frames_after_fork);
  state.counters["extra_peak_frames"] =
      static_cast<double>(last->extra_peak_frames);
  for (const auto& [key, value] : t.reported) {
    state.counters[kReportedPrefix + key] = static_cast<double>(value);
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ReplayTrace>> LoadReplayTrace(
    const std::string& path) {
  absl::StatusOr<Trace> trace = LoadTrace(path);
  if (!trace.ok()) return trace.status();
  auto t = std::make_shared<ReplayTrace>();
  t->name = TraceName(path);
  auto& p = trace->provenance;
  t->provenance = absl::StrCat(p["program"], ", captured ", p["date"], " on ",
                               p["host"], ", ", p["kernel"]);
  t->reported = trace->reported;
  t->layout = LayOut(*trace);
  return t;
}

absl::StatusOr<std::shared_ptr<const ReplayTrace>> ScaledTrace(
    const ReplayTrace& trace, uint64_t gib) {
  const uint64_t bytes = trace.layout.pages() * kTracePageBytes;
  if (bytes == 0) return absl::InvalidArgumentError("an empty layout");
  const uint64_t copies =
      std::max<uint64_t>(1, ((gib << 30) + bytes / 2) / bytes);
  absl::StatusOr<ReplayLayout> layout = Repeated(trace.layout, copies);
  if (!layout.ok()) return layout.status();
  auto t = std::make_shared<ReplayTrace>(trace);
  t->name = absl::StrCat(trace.name, "-", gib, "GiB");
  t->provenance = absl::StrCat(trace.provenance, "; its address space ", copies,
                               " times over, side by side");
  t->layout = *std::move(layout);
  // What the program and kernel reported was of the captured process, not
  // of this larger one.
  t->reported.clear();
  return t;
}

std::vector<std::shared_ptr<const ReplayTrace>> ScaledTraces(
    const std::vector<std::shared_ptr<const ReplayTrace>>& traces) {
  struct Scaled {
    const char* trace;
    uint64_t gib;
  };
  constexpr Scaled kScaled[] = {{"redis-bgsave", 8}, {"redis-bgsave", 64}};
  std::vector<std::shared_ptr<const ReplayTrace>> scaled;
  for (const auto& t : traces) {
    for (const Scaled& s : kScaled) {
      if (t->name != s.trace) continue;
      absl::StatusOr<std::shared_ptr<const ReplayTrace>> made =
          ScaledTrace(*t, s.gib);
      // The committed capture spans less than 1 TiB: a failure is a bug.
      if (made.ok()) scaled.push_back(*std::move(made));
    }
  }
  return scaled;
}

std::string TraceName(const std::string& path) {
  return std::string(absl::StripSuffix(
      std::filesystem::path(path).filename().string(), kTraceSuffix));
}

std::vector<std::string> TracesIn(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (absl::EndsWith(entry.path().filename().string(), kTraceSuffix)) {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

void RegisterReplayBenchmarks(
    const SuiteOptions& options,
    const std::vector<std::shared_ptr<const ReplayTrace>>& traces,
    bool keep_data) {
  for (const auto& trace : traces) {
    for (Strategy<sim::SimArch>* s : options.strategies) {
      Register(
          absl::StrCat(kReplayFamily, "/", s->name(), "/", trace->name),
          [=](benchmark::State& st) {
            RunReplay(st, options, s, *trace, keep_data);
          },
          /*manual_time=*/true)
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace ttb::bench
