// `ttbench report RESULT.json [BAREMETAL.json ...]`: a Markdown report
// beside the host result set, with SVG plots drawn by gnuplot: fork
// latency against size (host time and modelled cycles), fork + write k%
// and its crossovers, the CoW fault latency and its distribution, the cost
// split by event kind, the simulated strategies against this host's
// kernel, bare-metal figures, and a summary naming the winner of each
// workload and why.
#ifndef TTBENCH_BENCH_REPORT_REPORT_H_
#define TTBENCH_BENCH_REPORT_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/results/workload.h"

namespace ttb::bench {

// Writes <result without .json>.md and its SVGs; returns the report's path.
// `families` are the workload registry's, which name the run's benchmarks.
// On failure nothing of the report is left.
absl::StatusOr<std::string> WriteReport(const std::vector<std::string>& inputs,
                                        const std::string& costs_dir,
                                        const Families& families);

// The newest bare-metal result set of each machine directory under
// `results_dir` (results/<machine>/), preferring `suite`'s on the newest
// day: what a host report shows when it is given none.
std::vector<std::string> NewestBaremetalResults(const std::string& results_dir,
                                                const std::string& suite);

// Rewrites results/README.md: every report under `results_dir`, newest first.
absl::Status WriteResultsIndex(const std::string& results_dir);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPORT_REPORT_H_
