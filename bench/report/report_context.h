// What every section of a host report reads: the host result set indexed
// the ways the report reads it, the cost model, where the report and its
// plots go, and the workload families the run's benchmarks belong to.
// Sections are functions of it, one each (sections.h).
#ifndef TTBENCH_BENCH_REPORT_REPORT_CONTEXT_H_
#define TTBENCH_BENCH_REPORT_REPORT_CONTEXT_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/report/plot.h"
#include "bench/results/compare.h"
#include "bench/results/cost_model.h"
#include "bench/results/workload.h"

namespace ttb::bench {

// Fewer events than one in a thousand iterations are a rare event (an
// ASID rollover) or the benchmark's start, not what its workload does.
inline constexpr double kNoEvent = 1e-3;

// Figures as the report prints them: ms and us to fixed places, whole
// counts, and events per iteration (whole where they are, else three
// figures: a CoW fault's share of a table copy every 512 writes).
std::string Ms(double ns);
std::string Us(double ns);
std::string Whole(double v);
std::string Count(double v);
// Modelled cycles in a table cell: "2.1 G", "1.25 M", "830 k", "412".
std::string CyclesCell(double cycles);
// Orders benchmark names part by part, numbers by value: "fork/dense/1MiB"
// before "fork/dense/16MiB", "10pct" before "50pct".
bool NameLess(absl::string_view a, absl::string_view b);

// The host result set, indexed the ways the report reads it.
struct HostResults {
  Timings all;
  std::map<std::string, std::string> context;
  std::vector<std::string> strategies;  // In registry order.
  // fork/<s>/dense/<N>MiB sizes; none in a set of replays alone.
  std::vector<uint64_t> sizes;

  const Measured* Find(const std::string& benchmark) const;
  // Median host time in ns; -1 when the run lacks the benchmark.
  double Ns(const std::string& benchmark) const;
  // A counter of the benchmark; 0 when it or the counter is missing.
  double Counter(const std::string& benchmark,
                 const std::string& counter) const;
};

// The result set at `path`, which must be a host one with dense forks or
// replays; `fork` is the family that names them.
absl::StatusOr<HostResults> LoadHost(const std::string& path,
                                     const WorkloadFamily& fork);

class ReportContext {
 public:
  // Every file the report writes is added to `written`.
  ReportContext(const HostResults& h, const CostModel& costs,
                const std::filesystem::path& json, Families families,
                std::vector<std::filesystem::path>& written);

  const HostResults& h;
  const CostModel& costs;
  const std::filesystem::path dir;  // Where the report and its plots go.
  const std::string stem;           // The result set's name without .json.
  const Families families;
  const uint64_t big;           // The largest dense fork size, MiB (0: none).
  const std::string big_size;   // "1024MiB"
  const std::string big_label;  // "1 GiB"

  // The family named `name`, or nullptr when the registry has none.
  const WorkloadFamily* Family(absl::string_view name) const;
  // A benchmark of strategy `s`: `w` with the family's name filled in.
  std::string Name(const char* family, const std::string& s,
                   SimWorkload w) const;
  // The dense fork of `mib` MiB by strategy `s`.
  std::string DenseFork(const std::string& s, uint64_t mib) const;

  // What the cost model charges a benchmark, per iteration, from its event
  // counts: the count of each term (CostModel::Coefficients) and modelled
  // cycles at one point of the ranges, over every PE or on the forking PE
  // alone (what the parent sees). Empty, or -1, when the run lacks it.
  std::vector<double> Coefficients(const std::string& benchmark,
                                   bool forking_pe = false) const;
  double Cycles(const std::string& benchmark,
                CostPoint point = CostPoint::kTypical,
                bool forking_pe = false) const;

  // Draws a plot into dir/<stem>-<suffix>.svg and records the file, so a
  // failed report removes it. Returns the file's name, or "" when there
  // was nothing to draw (a result set without those measurements).
  absl::StatusOr<std::string> LinePlotFile(const std::string& suffix,
                                           const std::string& title,
                                           const std::string& xlabel,
                                           const std::string& ylabel,
                                           const std::string& extra,
                                           const Series& series) const;
  // The name of the file dir/<stem><suffix>, recorded as written.
  std::string Written(const std::string& suffix) const;

 private:
  std::vector<std::filesystem::path>* written_;
};

// "262144 tlbi.vale1, 262144 dsb.ish, ..." from a benchmark's counters.
std::string EventSummary(const HostResults& h, const std::string& benchmark);
// What `rival` does that `winner` does not, for the same workload:
// "262144 more tlbi.vale1, 262144 more isb".
std::string Extra(const HostResults& h, const std::string& winner,
                  const std::string& rival);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPORT_REPORT_CONTEXT_H_
