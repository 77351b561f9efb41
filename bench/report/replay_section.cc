// Replays of captured forks: per trace, each strategy's fork stall, the
// parent-visible stall per window of the snapshot, the work and memory,
// beside what the real program and kernel reported of the same fork.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/sections.h"
#include "bench/results/replay_counters.h"

namespace ttb::bench {
namespace {

// `text(point)` at each cost point (0 low, 1 typical, 2 high):
// "typical [low–high]", or with `between` for the dash.
template <typename Text>
std::string AtEachPoint(Text&& text, const char* between = "–") {
  return absl::StrCat(text(1), " [", text(0), between, text(2), "]");
}

// The counter at each cost point, each cell as `format` writes it.
std::string CounterCell(const HostResults& h, const std::string& b,
                        const std::string& counter,
                        std::string (*format)(double)) {
  return AtEachPoint([&](int p) {
    return format(h.Counter(b, absl::StrCat(counter, ".", kCostPointNames[p])));
  });
}

// Four figures, never in exponent form: "0.003477", "35.79", "2283".
std::string Ratio(double v) {
  return v >= 1000 ? absl::StrFormat("%.0f", v) : absl::StrFormat("%.4g", v);
}

// In cycles: "typical [low–high]".
std::string RangeCell(const HostResults& h, const std::string& b,
                      const std::string& counter) {
  return CounterCell(h, b, counter, CyclesCell);
}

// The traces the run replayed, by name, in order.
std::vector<std::string> ReplayedTraces(const HostResults& h) {
  std::vector<std::string> traces;
  for (const auto& [name, m] : h.all) {
    const auto [strategy, workload] = StrategyAndWorkload(name);
    const std::string prefix = absl::StrCat(kReplayFamily, "/");
    if (workload.rfind(prefix, 0) != 0) continue;
    const std::string trace = workload.substr(prefix.size());
    if (std::find(traces.begin(), traces.end(), trace) == traces.end()) {
      traces.push_back(trace);
    }
  }
  std::sort(traces.begin(), traces.end());
  return traces;
}

// How the strategies that leave work to the child's CPU (async_fork)
// compare at the p99 write latency with the Linux reference, lazy_cow and
// shared_tables, at each cost point; empty when none ran any.
template <typename Name>
std::string BackgroundSentence(const ReportContext& r, Name&& name) {
  const HostResults& h = r.h;
  std::string out;
  for (const std::string& s : h.strategies) {
    const std::string b = name(s);
    if (h.Find(b) == nullptr || h.Counter(b, "background_steps") == 0) {
      continue;
    }
    std::vector<std::string> against;
    for (const char* other : {kLinuxReference, "lazy_cow", "shared_tables"}) {
      const std::string o = name(other);
      if (h.Find(o) == nullptr) continue;
      const std::string change = AtEachPoint(
          [&](int p) -> std::string {
            const std::string counter =
                absl::StrCat(kWriteLatencyCounters[1], ".", kCostPointNames[p]);
            const double theirs = h.Counter(o, counter);
            if (theirs <= 0) return "-";
            return absl::StrFormat("%+.1f%%",
                                   100 * (h.Counter(b, counter) / theirs - 1));
          },
          ", ");
      against.push_back(absl::StrCat("`", other, "`'s ", change));
    }
    absl::StrAppend(
        &out, "`", s, "`'s child copied in ",
        Whole(h.Counter(b, "background_steps")), " steps on its own PE, done ",
        Ratio(h.Counter(b, "background_done_us") / 1000),
        " ms after the fork (typical); its p99 write latency against ",
        absl::StrJoin(against, ", "),
        " (typical [low, high]; Async-fork reports -81.76% at 8 GB and "
        "-99.84% at 64 GB against Linux's fork, for Redis queries)");
    const std::string reference = name(kLinuxReference);
    if (h.Find(reference) != nullptr) {
      // "1.006× [1.004, 1.007]": the typical ratio carries the sign.
      const std::string ratio = AtEachPoint(
          [&](int p) {
            const auto point = static_cast<CostPoint>(p);
            return absl::StrCat(
                Ratio(r.Cycles(b, point) / r.Cycles(reference, point)),
                p == 1 ? "×" : "");
          },
          ", ");
      absl::StrAppend(&out, "; its work over every PE is ", ratio, " `",
                      kLinuxReference, "`'s");
    }
    absl::StrAppend(&out, ". ");
  }
  return out;
}

std::string TraceTables(const ReportContext& r, const std::string& trace) {
  const HostResults& h = r.h;
  auto name = [&](const std::string& s) {
    return absl::StrCat(kReplayFamily, "/", s, "/", trace);
  };
  // Any strategy's replay has the trace's own figures.
  std::string any;
  for (const std::string& s : h.strategies) {
    if (h.Find(name(s)) != nullptr) any = name(s);
  }
  if (any.empty()) return "";
  const double reference =
      h.Counter(name(kLinuxReference),
                absl::StrCat(kForkCyclesCounter, ".", kCostPointNames[1]));
  const double real_fork_us =
      h.Counter(any, absl::StrCat(kReportedPrefix, "latest_fork_usec"));
  const double window_ms = h.Counter(any, "window_us") / 1000;

  std::vector<std::vector<std::string>> stalls, work, latencies;
  const bool has_latency =
      h.Find(any)->counters.count(
          absl::StrCat(kWriteLatencyCounters[1], ".", kCostPointNames[1])) != 0;
  for (const std::string& s : h.strategies) {
    const std::string b = name(s);
    if (h.Find(b) == nullptr) continue;
    if (has_latency) {
      std::vector<std::string> row = {s};
      for (const char* latency : kWriteLatencyCounters) {
        row.push_back(CounterCell(h, b, latency, Ratio));
      }
      latencies.push_back(row);
    }
    const double fork =
        h.Counter(b, absl::StrCat(kForkCyclesCounter, ".", kCostPointNames[1]));
    std::vector<std::string> row = {s, RangeCell(h, b, kForkCyclesCounter)};
    row.push_back(reference > 0 ? Ratio(fork / reference) : "-");
    if (reference > 0 && real_fork_us > 0) {
      row.push_back(Ratio(real_fork_us / 1000 * fork / reference));
    }
    for (const char* stall : kStallCounters) {
      row.push_back(RangeCell(h, b, stall));
    }
    stalls.push_back(row);
    work.push_back({s, CyclesCell(r.Cycles(b)),
                    CyclesCell(r.Cycles(b, CostPoint::kTypical, true)),
                    Count(h.Counter(b, "pages_copied")),
                    Count(h.Counter(b, "table_frames")),
                    absl::StrFormat("%.1f", h.Counter(b, "extra_peak_frames") *
                                                4096 / (1 << 20)),
                    Ms(h.Ns(b))});
  }
  std::vector<std::string> stall_header = {"strategy",
                                           "fork stall, forking PE (cycles)",
                                           absl::StrCat("× ", kLinuxReference)};
  if (reference > 0 && real_fork_us > 0) {
    stall_header.push_back("the captured fork scaled (ms)");
  }
  for (const char* p : {"p50", "p99", "max"}) {
    stall_header.push_back(
        absl::StrFormat("stall per %g ms, %s (cycles)", window_ms, p));
  }

  const std::string provenance =
      ContextValue(h.context, kTraceContextPrefix + trace, "");
  std::string reported;
  for (const auto& [counter, value] : h.Find(any)->counters) {
    if (counter.rfind(kReportedPrefix, 0) != 0) continue;
    absl::StrAppend(&reported, reported.empty() ? "" : ", ", "`",
                    counter.substr(std::string(kReportedPrefix).size()), "` ",
                    Whole(value));
  }
  return absl::StrCat(
      "### `", trace, "`", provenance.empty() ? "" : ": ", provenance, "\n\n",
      Whole(h.Counter(any, "pages")), " pages laid out",
      h.Counter(any, "frames_known") > 0
          ? " in their captured physical order"
          : " in address order (the capture had no frames)",
      "; the parent's ", Whole(h.Counter(any, "writes")),
      " first writes replayed in trace time over ",
      Whole(h.Counter(any, "windows")), " windows of ", window_ms, " ms",
      h.Counter(any, "skipped_writes") > 0
          ? absl::StrCat(" (", Whole(h.Counter(any, "skipped_writes")),
                         " pages seen turning exclusive outside writable "
                         "mappings are not writes and are left out)")
          : "",
      h.Counter(any, "skipped_pages") > 0
          ? absl::StrCat("; ", Whole(h.Counter(any, "skipped_pages")),
                         " pages of shared writable or inaccessible mappings "
                         "not laid out")
          : "",
      h.Counter(any, kKeepsDataCounter) > 0
          ? ""
          : "; replayed without data bytes (frames hold tables and metadata "
            "only: `--no_data`), every event counted as with them",
      ". What the program and its kernel reported of the same fork: ",
      reported.empty() ? "nothing" : reported, ".\n\n",
      "The fork's stall and the parent-visible stall per window (the first "
      "window holds the fork): cycles the forking PE executed, typical "
      "[low–high] across the cost ranges",
      reference > 0 && real_fork_us > 0
          ? absl::StrCat(
                "; scaled, each strategy's share of `", kLinuxReference,
                "`'s modelled stall applied to the fork the kernel measured (",
                Whole(real_fork_us), " us)")
          : "",
      ".\n\n", Table(stall_header, stalls),
      has_latency
          ? absl::StrCat(
                "\nEach of the parent's writes as a query: its latency from "
                "its trace time until the forking PE, busy with the fork "
                "and then with the writes before it, has done it, in us at "
                "the cores' clock; typical [low costs at the clock's high "
                "end – high costs at its low end]. ",
                BackgroundSentence(r, name), "\n\n",
                Table({"strategy", "write latency p50 (us)",
                       "write latency p99 (us)", "write latency max (us)"},
                      latencies))
          : "",
      "\nThe whole replay: modelled cycles over every PE (the fork, the "
      "parent's writes, the child's background work, its reads of its "
      "snapshot and its exit) and "
      "on the forking PE, pages copied, table frames right after the fork, "
      "memory beyond the parent's at its peak, and host time.\n\n",
      Table({"strategy", "work, all PEs (cycles)", "forking PE (cycles)",
             "pages copied", "table frames after fork", "extra memory (MiB)",
             "host time (ms)"},
            work));
}

}  // namespace

std::string ReplaySection(const ReportContext& r) {
  std::string tables;
  for (const std::string& trace : ReplayedTraces(r.h)) {
    tables += TraceTables(r, trace);
  }
  if (tables.empty()) return "";
  return absl::StrCat(
      "## Replays of captured forks\n\nEach trace is a real program's fork "
      "(bench/trace/FORMAT.md): its address space in the captured physical "
      "order, then the parent's first writes in time order while the child "
      "reads its snapshot on a second CPU, after any work the fork left it "
      "(`async_fork`'s copy of its tables). The `-8GiB` and `-64GiB` traces "
      "are the Redis capture repeated side by side to that size, each copy "
      "written as captured one snapshot after the last, replayed without "
      "data bytes. The kernel's own figures come from the capture's "
      "host.\n\n",
      tables);
}

}  // namespace ttb::bench
