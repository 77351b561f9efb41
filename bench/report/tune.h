// `ttbench tune STRATEGY.TUNABLE --workload W [--range ...]`: runs one
// simulated workload at each value of a strategy's tunable, then reports
// the cost against the value (a table and a gnuplot SVG beside the result
// set), the best value, and where the cost crosses the default's.
#ifndef TTBENCH_BENCH_REPORT_TUNE_H_
#define TTBENCH_BENCH_REPORT_TUNE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/results/cost_model.h"
#include "engine/strategy.h"

namespace ttb::bench {

// The values --range names, checked against the tunable, ascending and
// always including its default:
//   "LO:HI"        LO, 2 LO, 4 LO, ... up to HI, and HI;
//   "LO:HI:+STEP"  LO, LO + STEP, ... up to HI, and HI;
//   "A,B,C"        those values;
//   ""             the tunable's choices, or doubling from min to max.
absl::StatusOr<std::vector<int64_t>> SweepValues(absl::string_view range,
                                                 const Tunable& tunable);

// "tune/<strategy>.<tunable>=<value>/<workload>": one point of a sweep.
std::string TuneBenchmarkName(absl::string_view knob, int64_t value,
                              absl::string_view workload);

// Context keys a sweep's result set carries, so its report can be written
// from the file alone.
inline constexpr char kTuneKnobKey[] = "ttbench_tune";
inline constexpr char kTuneDefaultKey[] = "ttbench_tune_default";
inline constexpr char kTuneWorkloadKey[] = "ttbench_workload";
// `--cost TERM=LO:HI`, when the sweep was given one.
inline constexpr char kTuneCostKey[] = "ttbench_tune_cost";

// One cost of the model swept across a range, to show where the best value
// turns: "tlbi.vale1is=5:500".
struct CostSweep {
  std::string term;
  double low = 0;
  double high = 0;
};
absl::StatusOr<CostSweep> ParseCostSweep(absl::string_view spec);

// Reads a sweep's result set and writes <stem>.md and <stem>.svg beside
// it, charging its events with `costs`. Returns the summary (the best
// value, how far across the cost ranges it holds, and where a swept cost
// turns it), which the report also opens with.
struct TuneSummary {
  std::string report_path;
  std::string text;
};
absl::StatusOr<TuneSummary> WriteTuneReport(const std::string& result_path,
                                            const CostModel& costs);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPORT_TUNE_H_
