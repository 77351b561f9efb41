// `ttbench calibrate BAREMETAL.json`: a cost model for the simulator whose
// figures are measured. The bare-metal image's micro-benchmarks count
// cycles (PMCCNTR_EL0) for the events the simulator charges; each figure
// they measure replaces the base profile's range with that point, with a
// source that names the benchmarks and the run. Figures they cannot
// measure (descriptor reads, frames shared, IPIs and the per-PE part of a
// broadcast on a one-CPU image, range TLBIs on a core without
// FEAT_TLBIRANGE) keep the base's range and source.
#ifndef TTBENCH_BENCH_RESULTS_CALIBRATE_H_
#define TTBENCH_BENCH_RESULTS_CALIBRATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/results/compare.h"
#include "nlohmann/json.hpp"

namespace ttb::bench {

struct CalibrationInput {
  const Timings* baremetal = nullptr;  // The micro-benchmarks, in cycles.
  const std::map<std::string, std::string>* context = nullptr;
  std::string source;  // The result file, as the figures' sources cite it.
  const nlohmann::json* base = nullptr;  // A bench/costs/<profile>.json.
  // QEMU TCG times the emulator, not a core: refused unless this is set.
  bool allow_emulated = false;
};

struct Calibration {
  nlohmann::json costs;  // The base, with measured figures replaced.
  std::vector<std::string> measured;  // Events, in the base's order.
  std::vector<std::string> kept;
};

absl::StatusOr<Calibration> Calibrate(const CalibrationInput& input);

// The profile a CPU's MIDR_EL1 names ("0x410fd0c0": neoverse-n1), or ""
// for a core with no profile.
std::string ProfileOfMidr(const std::string& midr);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_CALIBRATE_H_
