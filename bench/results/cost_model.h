// Cycles per event for one core profile, read from bench/costs/<profile>.json
// where each figure names its source. Modelled cycles = sum of events x cost.
#ifndef TTBENCH_BENCH_RESULTS_COST_MODEL_H_
#define TTBENCH_BENCH_RESULTS_COST_MODEL_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bench/results/events.h"
#include "nlohmann/json_fwd.hpp"

namespace ttb::bench {

// The result-set context key holding the note of the cost model a run
// charged its events with.
inline constexpr char kCostsNoteKey[] = "ttbench_costs";

class CostModel {
 public:
  // Reads and checks `path`: every figure a non-negative number of cycles
  // with a source, and no event the simulator does not count. `document`
  // receives the file as read, when given (calibrate rewrites it).
  static absl::StatusOr<CostModel> Load(const std::string& path,
                                        nlohmann::json* document = nullptr);
  // Load of a file's text; `source` names it in errors.
  static absl::StatusOr<CostModel> Parse(std::string_view text,
                                         const std::string& source,
                                         nlohmann::json* document = nullptr);

  double Cycles(const Events& events) const;
  const std::string& profile() const { return profile_; }
  // What the figures are: assumptions, or measured by `ttbench calibrate`
  // from a named run. Results record it, so a report can tell whether its
  // cost model is the one their modelled cycles came from.
  const std::string& note() const { return note_; }
  const std::map<std::string, double>& cycles_per_event() const {
    return cycles_;
  }

 private:
  std::string profile_;
  std::string note_;
  std::map<std::string, double> cycles_;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_COST_MODEL_H_
