// `ttbench validate BAREMETAL.json`: how far a cost model is from a
// machine. Each bare-metal workload that counted its events and its cycles
// (the timed forks) gets the cycles the model predicts from those events,
// at the low, typical and high ends of its ranges, beside what the PMU
// measured.
#ifndef TTBENCH_BENCH_RESULTS_VALIDATE_H_
#define TTBENCH_BENCH_RESULTS_VALIDATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/results/compare.h"
#include "bench/results/cost_model.h"

namespace ttb::bench {

struct Prediction {
  std::string workload;
  double measured = 0;  // PMU cycles per iteration.
  double low = 0, typical = 0, high = 0;
  double error() const { return (typical - measured) / measured; }
  bool within() const { return low <= measured && measured <= high; }
};

struct ValidationInput {
  const Timings* baremetal = nullptr;
  const std::map<std::string, std::string>* context = nullptr;
  std::string source;  // The result file, as errors name it.
  const CostModel* costs = nullptr;
  // QEMU TCG counts the emulator's cycles: refused unless this is set.
  bool allow_emulated = false;
};

// The predictions, by workload name; an error when the file is not a
// bare-metal run, is emulated without allow_emulated, or has no workload
// with both events and cycles.
absl::StatusOr<std::vector<Prediction>> Predict(const ValidationInput& in);

// The table `ttbench validate` prints, and what it means.
std::string ValidationTable(const std::vector<Prediction>& predictions,
                            const ValidationInput& in);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_VALIDATE_H_
