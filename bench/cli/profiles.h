// The simulated machines a run may model: each is a cost file in --costs
// (<profile>.json), which names its core (the TLB profile) and its size.
#ifndef TTBENCH_BENCH_CLI_PROFILES_H_
#define TTBENCH_BENCH_CLI_PROFILES_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/results/cost_model.h"
#include "engine/sim/tlb_profile.h"
#include "nlohmann/json_fwd.hpp"

namespace ttb::bench {

struct Profile {
  CostModel costs;
  const sim::TlbProfile* tlb = nullptr;
};

// The profiles `dir` holds, by name.
std::vector<std::string> ProfileNames(const std::string& dir);

// dir/<name>.json with its core's TLB profile; `cores` (when not 0) sets
// the PEs of the inner-shareable domain. `document` receives the file.
absl::StatusOr<Profile> LoadProfile(const std::string& dir,
                                    const std::string& name, int cores,
                                    nlohmann::json* document = nullptr);

// One line per profile of `dir`, for `ttbench list`.
void ListProfiles(const std::string& dir, std::ostream& out);

// `ttbench costs`: the model's ranges and sources as a table, then the
// figures that have no published source.
void PrintCosts(const CostModel& model, std::ostream& out);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_CLI_PROFILES_H_
