// A bare-metal result set: the strategies' workloads as a strategy x
// workload table, the EL0 workload's counts by layout, then the
// instructions and micro-operations the image timed.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/sections.h"
#include "engine/names.h"

namespace ttb::bench {
namespace {

// The EL0 workload's entries (el0_workload/<strategy>/<granule>KiB/<mapping>;
// sets from before the layouts name the strategy alone, with 4 KiB pages)
// as a layout x strategy table: the TLBIs issued, and the faults taken.
std::string El0Table(const Timings& bm,
                     const std::vector<std::string>& strategies) {
  constexpr std::string_view kPrefix = "el0_workload/";
  std::map<std::string, std::map<std::string, std::string>> by_layout;
  for (const auto& [name, m] : bm) {
    if (name.rfind(kPrefix, 0) != 0) continue;
    const std::string rest = name.substr(kPrefix.size());
    const size_t slash = rest.find('/');
    const std::string strategy = rest.substr(0, slash);
    const std::string layout =
        slash == std::string::npos ? "4KiB/pages" : rest.substr(slash + 1);
    double tlbis = 0;
    for (const auto& [counter, value] : m.counters) {
      if (counter.rfind("tlbi.", 0) == 0) tlbis += value;
    }
    by_layout[layout][strategy] =
        absl::StrFormat("%.0f (%.0f)", tlbis, m.Counter("faults"));
  }
  std::vector<std::string> layouts;
  for (const auto& [layout, cells] : by_layout) layouts.push_back(layout);
  std::sort(layouts.begin(), layouts.end(), NameLess);
  std::vector<std::vector<std::string>> rows;
  for (const std::string& layout : layouts) {
    std::vector<std::string> row = {layout};
    for (const std::string& s : strategies) {
      const auto it = by_layout[layout].find(s);
      row.push_back(it == by_layout[layout].end() ? "-" : it->second);
    }
    rows.push_back(row);
  }
  if (rows.empty()) return "";
  std::vector<std::string> header = {"granule/data"};
  header.insert(header.end(), strategies.begin(), strategies.end());
  return absl::StrCat(
      "The EL0 fork workload (the child, then the parent, writes every "
      "data page) in each granule the CPU has, with the data as pages, "
      "contiguous runs, level-2 blocks and runs of blocks: TLBIs issued "
      "(faults taken). "
      "`./ttbench test` checks that these counts, copies and shares equal "
      "the simulator's for the same workload.\n\n",
      Table(header, rows));
}

}  // namespace

absl::StatusOr<std::string> BaremetalSection(const ReportContext& r,
                                             const std::string& path) {
  std::map<std::string, std::string> context;
  absl::StatusOr<Timings> bm = LoadTimings(path, &context);
  if (!bm.ok()) return bm.status();
  if (ContextValue(context, "ttbench_world", "") != "baremetal") {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": not a bare-metal result set (ttbench baremetal "
                     "writes them); only the first file is a host one"));
  }
  const std::vector<std::string>& strategies = r.h.strategies;
  auto said = [&](const char* key) { return ContextValue(context, key); };
  std::vector<std::string> workloads;  // "fork/dense/1MiB"
  std::map<std::string, std::map<std::string, double>> by_strategy;
  std::vector<std::vector<std::string>> op_rows;
  for (const auto& [name, m] : *bm) {
    if (name.rfind("el0_workload", 0) == 0) continue;
    const auto [strategy, workload] = StrategyAndWorkload(name);
    if (std::find(strategies.begin(), strategies.end(), strategy) ==
        strategies.end()) {
      op_rows.push_back({name, absl::StrFormat("%.1f", Median(m.ns))});
      continue;
    }
    if (std::find(workloads.begin(), workloads.end(), workload) ==
        workloads.end()) {
      workloads.push_back(workload);
    }
    by_strategy[strategy][workload] = Median(m.ns);
  }
  std::sort(workloads.begin(), workloads.end(), NameLess);
  std::vector<std::vector<std::string>> rows;
  for (const auto& [strategy, times] : by_strategy) {
    std::vector<std::string> row = {strategy};
    for (const std::string& w : workloads) {
      row.push_back(times.count(w) ? Us(times.at(w)) : "-");
    }
    rows.push_back(row);
  }
  std::vector<std::string> header = {"strategy"};
  for (const std::string& w : workloads) {
    header.push_back(absl::StrCat("`", w, "` (us)"));
  }
  return absl::StrCat(
      "## Bare metal: ", said("qemu_cpu"), " (",
      std::filesystem::path(path).filename().string(), ")\n\n",
      "The same strategies on a real MMU: CPU ", said("qemu_cpu"), ", MIDR ",
      said("midr"), ", commit ", said("ttbench_commit"), ". ",
      ContextValue(context, "timing", ""),
      ". The walker agreed with the MMU on ", said("walker_translations"),
      " translations (", said("walker_mismatches"),
      // Runs from before the granules were recorded checked 4 KiB only.
      " mismatches), in the granules of ",
      ContextValue(context, "walker_granules_kib", "4"), " KiB.\n\n",
      Table(header, rows), El0Table(*bm, strategies),
      "Instructions and operations alone, a TLBI with the DSB that "
      "completes it (`*",
      kTlbiBatch, "`: ", kTlbiBatch,
      " TLBIs before one DSB), in ns per iteration:\n\n",
      Table({"operation", "ns"}, op_rows));
}

}  // namespace ttb::bench
