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
constexpr const char* kShownElsewhere[] = {"fork", "fork_resume", "fork_write",
                                           "cow_fault"};

// One family's table: per strategy, host time (us) and modelled cycles of
// each of the family's workloads in the run; "" when it has none.
std::string FamilyTable(const ReportContext& r, const WorkloadFamily& f) {
  const HostResults& h = r.h;
  const Families only = {&f};
  std::vector<std::string> workloads;  // Names without the strategy.
  for (const auto& [name, m] : h.all) {
    std::vector<std::string> p = NameParts(name);
    if (p.size() < 2 || p[0] != f.name) continue;
    p.erase(p.begin() + 1);
    const std::string w = absl::StrJoin(p, "/");
    if (SimWorkload::Parse(w, only).ok() &&
        std::find(workloads.begin(), workloads.end(), w) == workloads.end()) {
      workloads.push_back(w);
    }
  }
  if (workloads.empty()) return "";
  std::sort(workloads.begin(), workloads.end(), NameLess);
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : h.strategies) {
    std::vector<std::string> row = {s};
    for (const std::string& w : workloads) {
      const std::string b = SimWorkload::Parse(w, only)->BenchmarkName(s);
      const double ns = h.Ns(b);
      row.push_back(ns > 0
                        ? absl::StrCat(Us(ns), " us, ",
                                       Whole(h.Counter(b, "modelled_cycles")),
                                       " cycles")
                        : "-");
    }
    rows.push_back(row);
  }
  std::vector<std::string> header = {"strategy"};
  for (const std::string& w : workloads) {
    header.push_back(absl::StrCat("`", w, "`"));
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
      "## Other workloads\n\nHost time and modelled cycles per workload, "
      "from the same run:\n\n",
      tables);
}

}  // namespace ttb::bench
