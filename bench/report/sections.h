// The sections of a host report, in the order it prints them: one
// function each, over the report's context. A section returns its
// Markdown, "" when the run did not measure what it shows, or an error
// when a plot could not be drawn.
#ifndef TTBENCH_BENCH_REPORT_SECTIONS_H_
#define TTBENCH_BENCH_REPORT_SECTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "bench/report/report_context.h"

namespace ttb::bench {

// What the run was and how to read it.
std::string HeaderSection(const ReportContext& r);
// What a reader came for: the best strategy per workload, and why.
std::string SummarySection(const ReportContext& r);
absl::StatusOr<std::string> ForkLatencySection(const ReportContext& r);
// Every fork strategy under every table walk (walk_fork), by layout.
std::string WalkSection(const ReportContext& r);
std::string ForkResumeSection(const ReportContext& r);
absl::StatusOr<std::string> ForkWriteSection(const ReportContext& r);
absl::StatusOr<std::string> CowFaultSection(const ReportContext& r);
absl::StatusOr<std::string> CostSplitSection(const ReportContext& r);
// The granule_* families: fork, write, CoW fault and resume by page size.
std::string GranuleSection(const ReportContext& r);
// A table for each family no section above shows (fork_exit, pingpong,
// smp_fork, and any family added later): host time and modelled cycles
// per strategy and workload.
std::string OtherFamiliesSection(const ReportContext& r);
// Replays of captured traces (replay/<strategy>/<trace>), one part per
// trace.
std::string ReplaySection(const ReportContext& r);
// One bare-metal result set: the strategies' workloads and the timed
// instructions.
absl::StatusOr<std::string> BaremetalSection(const ReportContext& r,
                                             const std::string& path);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPORT_SECTIONS_H_
