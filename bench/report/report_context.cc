#include "bench/report/report_context.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/results/replay_counters.h"

namespace ttb::bench {
namespace {

namespace fs = std::filesystem;

// The events a summary names: TLB maintenance by kind, barriers, TTBR0
// writes, IPIs, walks, faults, copies, tables, shared frames and
// instruction-cache maintenance. Not
// totals, per-walk reads and hits, nor counters that are not events
// (latencies, cycles, sizes).
bool SummarisedEvent(const std::string& key) {
  return key.rfind("tlbi.", 0) == 0 || key.rfind("dsb.", 0) == 0 ||
         key == "isb" || key == "ttbr0_writes" || key == "ipis" ||
         key == "walks" || key == "faults" || key == "pages_copied" ||
         key == "tables_allocated" || key == "frames_shared" ||
         key == "instruction_syncs";
}

std::string SizeLabel(uint64_t mib) {
  return mib % 1024 == 0 ? absl::StrCat(mib / 1024, " GiB")
                         : absl::StrCat(mib, " MiB");
}

}  // namespace

std::string Ms(double ns) { return absl::StrFormat("%.3f", ns / 1e6); }
std::string Us(double ns) { return absl::StrFormat("%.2f", ns / 1e3); }
std::string Whole(double v) { return absl::StrFormat("%.0f", v); }
std::string Count(double v) {
  return v >= 10 || v == std::floor(v) ? Whole(v) : absl::StrFormat("%.3g", v);
}

std::string CyclesCell(double cycles) {
  if (cycles < 0) return "-";
  if (cycles >= 1e9) return absl::StrFormat("%.3g G", cycles / 1e9);
  if (cycles >= 1e6) return absl::StrFormat("%.3g M", cycles / 1e6);
  if (cycles >= 1e4) return absl::StrFormat("%.0f k", cycles / 1e3);
  return Whole(cycles);
}

bool NameLess(absl::string_view a, absl::string_view b) {
  const std::vector<absl::string_view> pa = absl::StrSplit(a, '/');
  const std::vector<absl::string_view> pb = absl::StrSplit(b, '/');
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    uint64_t na = 0, nb = 0;
    const size_t da = pa[i].find_first_not_of("0123456789");
    const size_t db = pb[i].find_first_not_of("0123456789");
    if (da != 0 && db != 0 && absl::SimpleAtoi(pa[i].substr(0, da), &na) &&
        absl::SimpleAtoi(pb[i].substr(0, db), &nb) && na != nb) {
      return na < nb;
    }
    if (pa[i] != pb[i]) return pa[i] < pb[i];
  }
  return pa.size() < pb.size();
}

const Measured* HostResults::Find(const std::string& benchmark) const {
  // Benchmarks that time themselves carry Google Benchmark's suffix.
  auto it = all.find(benchmark);
  if (it == all.end()) it = all.find(benchmark + "/manual_time");
  return it == all.end() ? nullptr : &it->second;
}

double HostResults::Ns(const std::string& benchmark) const {
  const Measured* m = Find(benchmark);
  return m == nullptr ? -1 : Median(m->ns);
}

double HostResults::Counter(const std::string& benchmark,
                            const std::string& counter) const {
  const Measured* m = Find(benchmark);
  return m == nullptr ? 0 : m->Counter(counter);
}

absl::StatusOr<HostResults> LoadHost(const std::string& path,
                                     const WorkloadFamily& fork) {
  HostResults h;
  absl::StatusOr<Timings> all = LoadTimings(path, &h.context);
  if (!all.ok()) return all.status();
  if (ContextValue(h.context, "ttbench_world", "") == "baremetal") {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": a bare-metal result set; give it after a host one (ttbench "
        "report HOST.json ",
        fs::path(path).filename().string(), ")"));
  }
  h.all = *std::move(all);
  // Strategies and sizes from the dense forks: the second part of a name
  // is the strategy (SimWorkload::BenchmarkName).
  std::set<uint64_t> sizes;
  for (const auto& [name, m] : h.all) {
    const auto [strategy, workload] = StrategyAndWorkload(name);
    const absl::StatusOr<SimWorkload> w = SimWorkload::Parse(workload, {&fork});
    if (!w.ok() || w->layout != Layout::kDense) continue;
    if (std::find(h.strategies.begin(), h.strategies.end(), strategy) ==
        h.strategies.end()) {
      h.strategies.push_back(strategy);
    }
    sizes.insert(w->mib);
  }
  // A set of replays alone (`ttbench replay`): its strategies are theirs.
  if (h.strategies.empty()) {
    for (const auto& [name, m] : h.all) {
      const auto [strategy, workload] = StrategyAndWorkload(name);
      if (workload.rfind(absl::StrCat(kReplayFamily, "/"), 0) == 0 &&
          std::find(h.strategies.begin(), h.strategies.end(), strategy) ==
              h.strategies.end()) {
        h.strategies.push_back(strategy);
      }
    }
  }
  if (h.strategies.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": no ", Shape(fork, true),
        " benchmarks of the dense layout or replays to report on (a ttbench "
        "run result set?)"));
  }
  h.sizes.assign(sizes.begin(), sizes.end());
  return h;
}

ReportContext::ReportContext(const HostResults& h, const CostModel& costs,
                             const fs::path& json, Families families,
                             std::vector<fs::path>& written)
    : h(h),
      costs(costs),
      dir(json.parent_path()),
      stem(json.stem().string()),
      families(std::move(families)),
      big(h.sizes.empty() ? 0 : h.sizes.back()),
      big_size(absl::StrCat(big, "MiB")),
      big_label(SizeLabel(big)),
      written_(&written) {}

const WorkloadFamily* ReportContext::Family(absl::string_view name) const {
  return FindFamily(families, name);
}

std::string ReportContext::Name(const char* family, const std::string& s,
                                SimWorkload w) const {
  w.family = Family(family);
  // A registry without the family: a name no benchmark has.
  return w.family == nullptr ? "" : w.BenchmarkName(s);
}

std::string ReportContext::DenseFork(const std::string& s, uint64_t mib) const {
  return Name("fork", s, {.mib = mib, .layout = Layout::kDense});
}

std::vector<double> ReportContext::Coefficients(const std::string& benchmark,
                                                bool forking_pe) const {
  const Measured* m = h.Find(benchmark);
  if (m == nullptr) return {};
  const std::string prefix = forking_pe ? kForkingCpuPrefix : "";
  // A run older than per-CPU counts has none for the forking PE.
  if (forking_pe &&
      std::none_of(m->counters.begin(), m->counters.end(), [&](const auto& c) {
        return c.first.rfind(prefix, 0) == 0;
      })) {
    return {};
  }
  return costs.Coefficients(
      [&](const std::string& event) { return m->Counter(prefix + event); });
}

double ReportContext::Cycles(const std::string& benchmark, CostPoint point,
                             bool forking_pe) const {
  const std::vector<double> c = Coefficients(benchmark, forking_pe);
  return c.empty() ? -1 : costs.Cycles(c, point);
}

std::string ReportContext::Written(const std::string& suffix) const {
  const std::string file = absl::StrCat(stem, suffix);
  written_->push_back(dir / file);
  return file;
}

absl::StatusOr<std::string> ReportContext::LinePlotFile(
    const std::string& suffix, const std::string& title,
    const std::string& xlabel, const std::string& ylabel,
    const std::string& extra, const Series& series) const {
  const std::string svg = Written(suffix);
  const absl::Status s =
      LinePlot((dir / svg).string(), title, xlabel, ylabel, extra, series);
  if (absl::IsNotFound(s)) return std::string();
  if (!s.ok()) return s;
  return svg;
}

std::string EventSummary(const HostResults& h, const std::string& benchmark) {
  std::vector<std::string> said;
  const Measured* m = h.Find(benchmark);
  if (m == nullptr) return "";
  for (const auto& [key, value] : m->counters) {
    if (SummarisedEvent(key) && value > kNoEvent) {
      said.push_back(absl::StrCat(Count(value), " ", key));
    }
  }
  return said.empty() ? "no TLB maintenance, copies or faults"
                      : absl::StrJoin(said, ", ");
}

std::string Extra(const HostResults& h, const std::string& winner,
                  const std::string& rival) {
  const Measured* w = h.Find(winner);
  const Measured* r = h.Find(rival);
  if (w == nullptr || r == nullptr) return "";
  std::vector<std::string> more;
  for (const auto& [key, value] : r->counters) {
    if (!SummarisedEvent(key)) continue;
    const double diff = value - w->Counter(key);
    if (diff > kNoEvent) {
      more.push_back(absl::StrCat(Count(diff), " more ", key));
    }
  }
  return more.empty() ? "no event more often" : absl::StrJoin(more, ", ");
}

}  // namespace ttb::bench
