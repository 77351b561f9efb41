// Page sizes: the granule_* families side by side, 4, 16 and 64 KiB, in
// modelled cycles per GiB of the parent (per fault for the CoW fault), so
// that a reader on a 16 or 64 KiB kernel sees what the page size changes.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "bench/report/sections.h"

namespace ttb::bench {
namespace {

// What the run has of family `name`: whether any workload, and the
// largest size among them, MiB (0 for a family without sizes).
struct InRun {
  bool any = false;
  uint64_t largest_mib = 0;
};
InRun Find(const ReportContext& r, const char* name) {
  InRun in;
  const WorkloadFamily* f = r.Family(name);
  if (f == nullptr) return in;
  for (const auto& [benchmark, m] : r.h.all) {
    const absl::StatusOr<SimWorkload> w =
        SimWorkload::Parse(StrategyAndWorkload(benchmark).second, {f});
    if (!w.ok()) continue;
    in.any = true;
    in.largest_mib = std::max(in.largest_mib, w->mib);
  }
  return in;
}

// "1.25 M [0.9 M-4.1 M]": typical modelled cycles with the low and high
// ends of the cost ranges, scaled by `scale`; "-" when the run lacks it.
std::string RangeCell(const ReportContext& r, const std::string& benchmark,
                      double scale) {
  if (r.h.Ns(benchmark) < 0) return "-";
  return absl::StrCat(
      CyclesCell(r.Cycles(benchmark) * scale), " [",
      CyclesCell(r.Cycles(benchmark, CostPoint::kLow) * scale), "-",
      CyclesCell(r.Cycles(benchmark, CostPoint::kHigh) * scale), "]");
}

// One table: a row per strategy, a column per (label, granule) of
// `columns`, each cell `cell(strategy, granule_kib)`.
template <typename Cell>
std::string ByGranuleTable(const ReportContext& r,
                           const std::vector<std::string>& labels,
                           Cell&& cell) {
  std::vector<std::string> header = {"strategy"};
  for (const std::string& label : labels) {
    for (unsigned kib : kGranulesKiB) {
      header.push_back(absl::StrCat(label, kib, " KiB"));
    }
  }
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : r.h.strategies) {
    std::vector<std::string> row = {s};
    for (size_t i = 0; i < labels.size(); ++i) {
      for (unsigned kib : kGranulesKiB) row.push_back(cell(s, i, kib));
    }
    rows.push_back(row);
  }
  return Table(header, rows);
}

}  // namespace

std::string GranuleSection(const ReportContext& r) {
  const uint64_t fork_mib = Find(r, "granule_fork").largest_mib;
  const uint64_t write_mib = Find(r, "granule_fork_write").largest_mib;
  const uint64_t resume_mib = Find(r, "granule_fork_resume").largest_mib;
  const bool cow = Find(r, "granule_cow_fault").any;
  if (fork_mib == 0) return "";
  const auto per_gib = [](uint64_t mib) { return 1024.0 / mib; };
  std::string md = absl::StrCat(
      "## Page sizes\n\n"
      "The same workloads with 4, 16 and 64 KiB pages, each in arm64 "
      "Linux's default regime for its granule (48-, 47- and 48-bit VA), "
      "over the same resident bytes. Modelled cycles at typical costs, with "
      "the low and high ends of the cost ranges in brackets; copies and "
      "zeroed tables are charged per 4 KiB, so a 64 KiB CoW break costs "
      "sixteen 4 KiB copies.\n\n",
      "Fork, per GiB of the parent (", fork_mib, " MiB forked):\n\n",
      ByGranuleTable(r, {""}, [&](const std::string& s, size_t, unsigned kib) {
        return RangeCell(
            r, r.Name("granule_fork", s, {.mib = fork_mib, .granule_kib = kib}),
            per_gib(fork_mib));
      }));
  if (write_mib != 0) {
    absl::StrAppend(
        &md, "\nFork, then the parent writes k% of its pages, per GiB (",
        write_mib, " MiB forked):\n\n",
        ByGranuleTable(r, {"10%, ", "50%, "},
                       [&](const std::string& s, size_t i, unsigned kib) {
                         return RangeCell(r,
                                          r.Name("granule_fork_write", s,
                                                 {.mib = write_mib,
                                                  .percent = i == 0 ? 10 : 50,
                                                  .granule_kib = kib}),
                                          per_gib(write_mib));
                       }));
  }
  if (!cow && resume_mib == 0) return md;
  absl::StrAppend(
      &md,
      "\nOne CoW fault (the child's first write to a page), and fork then "
      "resume (the parent rereads 2 MiB of text) per GiB",
      resume_mib != 0 ? absl::StrCat(" (", resume_mib, " MiB forked)") : "",
      ":\n\n",
      ByGranuleTable(
          r, {"CoW fault, ", "resume, "},
          [&](const std::string& s, size_t i, unsigned kib) {
            if (i == 0) {
              return RangeCell(
                  r,
                  r.Name("granule_cow_fault", s,
                         {.writer = Writer::kChild, .granule_kib = kib}),
                  1);
            }
            if (resume_mib == 0) return std::string("-");
            return RangeCell(r,
                             r.Name("granule_fork_resume", s,
                                    {.mib = resume_mib, .granule_kib = kib}),
                             per_gib(resume_mib));
          }));
  return md;
}

}  // namespace ttb::bench
