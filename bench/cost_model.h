// Cycles per event for one core profile, read from bench/costs/<profile>.json
// where each figure names its source. Modelled cycles = sum of events x cost.
#ifndef TTBENCH_BENCH_COST_MODEL_H_
#define TTBENCH_BENCH_COST_MODEL_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "bench/events.h"

namespace ttb::bench {

class CostModel {
 public:
  // Reads and checks `path`: every figure a non-negative number of cycles
  // with a source, and no event the simulator does not count.
  static absl::StatusOr<CostModel> Load(const std::string& path);

  double Cycles(const Events& events) const;
  const std::string& profile() const { return profile_; }
  const std::map<std::string, double>& cycles_per_event() const {
    return cycles_;
  }

 private:
  std::string profile_;
  std::map<std::string, double> cycles_;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_COST_MODEL_H_
