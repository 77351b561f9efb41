// A table for every workload family the sections before do not show, so
// a family added to the registry appears in the report with no edit here.
#include <algorithm>
#include <iterator>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/report/sections.h"

namespace ttb::bench {
namespace {

// The families the other sections show.
constexpr const char* kShownElsewhere[] = {"fork",
                                           "walk_fork",
                                           "fork_resume",
                                           "fork_write",
                                           "cow_fault",
                                           "granule_fork",
                                           "granule_fork_write",
                                           "granule_cow_fault",
                                           "granule_fork_resume",
                                           "run_fork",
                                           "run_fork_write",
                                           "run_cow_fault",
                                           "run_fork_resume",
                                           "run_copy_fork_write",
                                           "run_copy_cow_fault",
                                           "block_fork",
                                           "block_fork_write",
                                           "block_cow_fault",
                                           "block_copy_fork_write",
                                           "block_copy_cow_fault"};

// One family's table: per strategy, modelled cycles (every PE, the forking
// PE) and host time of each of the family's workloads in the run; "" when
// it has none.
std::string FamilyTable(const ReportContext& r, const WorkloadFamily& f) {
  const HostResults& h = r.h;
  std::vector<std::pair<std::string, SimWorkload>> workloads;  // By name.
  for (const auto& [name, m] : h.all) {
    const std::string workload = StrategyAndWorkload(name).second;
    const absl::StatusOr<SimWorkload> w = SimWorkload::Parse(workload, {&f});
    if (w.ok() && std::find_if(workloads.begin(), workloads.end(),
                               [&](const auto& known) {
                                 return known.first == workload;
                               }) == workloads.end()) {
      workloads.emplace_back(workload, *w);
    }
  }
  if (workloads.empty()) return "";
  std::sort(
      workloads.begin(), workloads.end(),
      [](const auto& a, const auto& b) { return NameLess(a.first, b.first); });
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : h.strategies) {
    std::vector<std::string> row = {s};
    for (const auto& [name, w] : workloads) {
      const std::string b = w.BenchmarkName(s);
      const double ns = h.Ns(b);
      row.push_back(ns > 0 ? absl::StrCat(CyclesCell(r.Cycles(b)), " / ",
                                          CyclesCell(r.Cycles(
                                              b, CostPoint::kTypical, true)),
                                          " cycles (", Us(ns), " us)")
                           : "-");
    }
    rows.push_back(row);
  }
  std::vector<std::string> header = {"strategy"};
  for (const auto& [name, w] : workloads) {
    header.push_back(absl::StrCat("`", name, "`"));
  }
  return absl::StrCat("### `", Shape(f, true), "`: ", f.what, "\n\n",
                      Table(header, rows));
}

}  // namespace

std::string OtherFamiliesSection(const ReportContext& r) {
  std::string tables;
  for (const WorkloadFamily* f : r.families) {
    if (std::find_if(std::begin(kShownElsewhere), std::end(kShownElsewhere),
                     [&](const char* n) {
                       return std::string_view(n) == f->name;
                     }) != std::end(kShownElsewhere)) {
      continue;
    }
    tables += FamilyTable(r, *f);
  }
  if (tables.empty()) return "";
  return absl::StrCat(
      "## Other workloads\n\nModelled cycles per workload over every PE / "
      "on the forking PE, and host time (the simulator's speed), from the "
      "same run:\n\n",
      tables);
}

}  // namespace ttb::bench
