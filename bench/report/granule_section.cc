// Page and mapping sizes: the granule_* families side by side, 4, 16 and
// 64 KiB, each beside its run_* twin (the same data in contiguous runs),
// in modelled cycles per GiB of the parent (per fault for the CoW fault),
// so that a reader on a 16 or 64 KiB kernel, or one mapping large folios
// with the contiguous bit, sees what the page and mapping size change.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/report/sections.h"
#include "engine/names.h"
#include "engine/regime.h"

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

// The bytes one contiguous run maps with pages of `kib` KiB.
std::string RunLabel(unsigned kib) {
  const Regime r = {static_cast<uint8_t>(__builtin_ctz(kib) + 10), 48, 48};
  const uint64_t kib_per_run = uint64_t{kib} * r.contiguous_entries(3);
  return kib_per_run >= 1024 ? absl::StrCat(kib_per_run / 1024, " MiB")
                             : absl::StrCat(kib_per_run, " KiB");
}

// One table: a row per strategy, a column per (label, granule, mapping)
// with the runs' columns only when the run has them, each cell
// `cell(strategy, label index, granule_kib, runs)`.
template <typename Cell>
std::string ByGranuleTable(const ReportContext& r,
                           const std::vector<std::string>& labels, bool runs,
                           Cell&& cell) {
  std::vector<bool> mappings = {false};
  if (runs) mappings.push_back(true);
  std::vector<std::string> header = {"strategy"};
  for (const std::string& label : labels) {
    for (unsigned kib : kGranulesKiB) {
      for (bool run : mappings) {
        header.push_back(
            absl::StrCat(label, kib, " KiB", run ? " in " : "",
                         run ? absl::StrCat(RunLabel(kib), " runs") : ""));
      }
    }
  }
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : r.h.strategies) {
    std::vector<std::string> row = {s};
    for (size_t i = 0; i < labels.size(); ++i) {
      for (unsigned kib : kGranulesKiB) {
        for (bool run : mappings) row.push_back(cell(s, i, kib, run));
      }
    }
    rows.push_back(row);
  }
  return Table(header, rows);
}

// Level-2 blocks: per strategy and granule, fork, fork then k% writes and
// one CoW fault, each under both CoW policies; "" without block_fork.
std::string BlockTable(const ReportContext& r) {
  const uint64_t mib = Find(r, "block_fork").largest_mib;
  if (mib == 0) return "";
  const uint64_t write_mib = Find(r, "block_fork_write").largest_mib;
  const auto per_gib = [](uint64_t m) { return m == 0 ? 0 : 1024.0 / m; };
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : r.h.strategies) {
    for (unsigned kib : kGranulesKiB) {
      const std::string fork =
          r.Name("block_fork", s, {.mib = mib, .granule_kib = kib});
      if (r.h.Ns(fork) < 0) continue;  // No block fits this granule's run.
      std::vector<std::string> row = {s, absl::StrCat(kib, " KiB"),
                                      RangeCell(r, fork, per_gib(mib))};
      for (int k : {10, 50}) {
        for (const char* family :
             {"block_fork_write", "block_copy_fork_write"}) {
          row.push_back(RangeCell(
              r,
              r.Name(family, s,
                     {.mib = write_mib, .percent = k, .granule_kib = kib}),
              per_gib(write_mib)));
        }
      }
      for (const char* family : {"block_cow_fault", "block_copy_cow_fault"}) {
        row.push_back(RangeCell(
            r,
            r.Name(family, s, {.writer = Writer::kChild, .granule_kib = kib}),
            1));
      }
      rows.push_back(row);
    }
  }
  return absl::StrCat(
      "\nThe data in level-2 blocks (2 MiB with 4 KiB pages, 32 MiB with "
      "16 KiB; a 64 KiB granule's 512 MiB block is larger than these "
      "parents), which fork shares with one reference each. A write inside "
      "a shared block either splits it into a table of pages with "
      "break-before-make and copies the page (as Linux splits a PMD-mapped "
      "THP), or copies the whole block. Fork per GiB (",
      mib, " MiB forked), fork then k% writes per GiB (", write_mib,
      " MiB), and the child's first write:\n\n",
      Table({"strategy", "granule", "fork", "10%, split", "10%, copy",
             "50%, split", "50%, copy", "CoW fault, split", "CoW fault, copy"},
            rows));
}

}  // namespace

std::string GranuleSection(const ReportContext& r) {
  const uint64_t fork_mib = Find(r, "granule_fork").largest_mib;
  const uint64_t write_mib = Find(r, "granule_fork_write").largest_mib;
  const uint64_t resume_mib = Find(r, "granule_fork_resume").largest_mib;
  const bool cow = Find(r, "granule_cow_fault").any;
  const bool runs = Find(r, "run_fork").any;
  if (fork_mib == 0) return "";
  const auto per_gib = [](uint64_t mib) { return 1024.0 / mib; };
  // The family of pages, or of runs.
  const auto family = [](const char* workload, bool run) {
    return absl::StrCat(run ? "run_" : "granule_", workload);
  };
  std::string md = absl::StrCat(
      "## Page and mapping sizes\n\n"
      "The same workloads with 4, 16 and 64 KiB pages, each in arm64 "
      "Linux's default regime for its granule (48-, 47- and 48-bit VA), "
      "over the same resident bytes",
      runs ? "; and with the data mapped in contiguous runs (the contiguous "
             "bit over 16, 128 or 32 pages), where a CoW break first splits "
             "its run with break-before-make"
           : "",
      ". Modelled cycles at typical costs, with the low and high ends of "
      "the cost ranges in brackets; copies and zeroed tables are charged "
      "per 4 KiB, so a 64 KiB CoW break costs sixteen 4 KiB copies.\n\n",
      "Fork, per GiB of the parent (", fork_mib, " MiB forked):\n\n",
      ByGranuleTable(r, {""}, runs,
                     [&](const std::string& s, size_t, unsigned kib, bool run) {
                       return RangeCell(
                           r,
                           r.Name(family("fork", run).c_str(), s,
                                  {.mib = fork_mib, .granule_kib = kib}),
                           per_gib(fork_mib));
                     }));
  const std::string pages =
      r.Name("granule_fork", kLinuxReference, {.mib = fork_mib});
  const std::string in_runs =
      r.Name("run_fork", kLinuxReference, {.mib = fork_mib});
  if (runs && r.h.Ns(pages) >= 0 && r.h.Ns(in_runs) >= 0) {
    absl::StrAppend(
        &md,
        "\nLinux's contpte fork (4 KiB pages in 64 KiB runs) on Ampere Altra, "
        "against the same memory in pages: +1948.7% while it write-protected "
        "a run entry by entry (unfolding it), -2% once batched "
        "(`../shared/COST-EVIDENCE.md`). Here `",
        kLinuxReference, "` in 64 KiB runs costs ",
        absl::StrFormat("%+.1f%%",
                        100 * (r.Cycles(in_runs) / r.Cycles(pages) - 1)),
        " against 4 KiB pages: its write-protect keeps each run whole.\n");
  }
  if (write_mib != 0) {
    absl::StrAppend(
        &md, "\nFork, then the parent writes k% of its pages, per GiB (",
        write_mib, " MiB forked):\n\n",
        ByGranuleTable(
            r, {"10%, ", "50%, "}, runs,
            [&](const std::string& s, size_t i, unsigned kib, bool run) {
              return RangeCell(r,
                               r.Name(family("fork_write", run).c_str(), s,
                                      {.mib = write_mib,
                                       .percent = i == 0 ? 10 : 50,
                                       .granule_kib = kib}),
                               per_gib(write_mib));
            }));
  }
  const uint64_t copy_mib = Find(r, "run_copy_fork_write").largest_mib;
  if (copy_mib != 0) {
    const bool copy_fault = Find(r, "run_copy_cow_fault").any;
    absl::StrAppend(
        &md,
        "\nThe two CoW policies for a write inside a run: split the run "
        "(break-before-make over it) and copy the page, as Linux does, or "
        "copy the whole run. Fork, then the parent writes k% of its pages, "
        "per GiB (",
        copy_mib, " MiB forked)",
        copy_fault ? "; and a write by the child to a page of a shared run, "
                     "averaged over the run's pages (copying, the first "
                     "write copies the run and the rest find it private)"
                   : "",
        ":\n\n",
        ByGranuleTable(
            r,
            {"10%, split, ", "10%, copy, ", "50%, split, ", "50%, copy, ",
             "CoW fault, split, ", "CoW fault, copy, "},
            false, [&](const std::string& s, size_t i, unsigned kib, bool) {
              const char* family = i % 2 == 0 ? "run_" : "run_copy_";
              if (i >= 4) {
                if (!copy_fault) return std::string("-");
                return RangeCell(
                    r,
                    r.Name(absl::StrCat(family, "cow_fault").c_str(), s,
                           {.writer = Writer::kChild, .granule_kib = kib}),
                    1);
              }
              return RangeCell(
                  r,
                  r.Name(absl::StrCat(family, "fork_write").c_str(), s,
                         {.mib = copy_mib,
                          .percent = i < 2 ? 10 : 50,
                          .granule_kib = kib}),
                  per_gib(copy_mib));
            }));
  }
  absl::StrAppend(&md, BlockTable(r));
  if (!cow && resume_mib == 0) return md;
  absl::StrAppend(
      &md,
      "\nOne CoW fault (the child's first write to a page), and fork then "
      "resume (the parent rereads 2 MiB of text) per GiB",
      resume_mib != 0 ? absl::StrCat(" (", resume_mib, " MiB forked)") : "",
      ":\n\n",
      ByGranuleTable(
          r, {"CoW fault, ", "resume, "}, runs,
          [&](const std::string& s, size_t i, unsigned kib, bool run) {
            if (i == 0) {
              return RangeCell(
                  r,
                  r.Name(family("cow_fault", run).c_str(), s,
                         {.writer = Writer::kChild, .granule_kib = kib}),
                  1);
            }
            if (resume_mib == 0) return std::string("-");
            return RangeCell(r,
                             r.Name(family("fork_resume", run).c_str(), s,
                                    {.mib = resume_mib, .granule_kib = kib}),
                             per_gib(resume_mib));
          }));
  return md;
}

}  // namespace ttb::bench
