// The three granules as test parameters, each in a 48-bit (47 with 16 KiB
// pages, as arm64 Linux has it) regime, and a checked machine in one: for
// the suites that run every large-mapping rule in every granule.
#ifndef TTBENCH_TESTS_GRANULE_CASES_H_
#define TTBENCH_TESTS_GRANULE_CASES_H_

#include <gtest/gtest.h>

#include <memory>

#include "checker_scenario.h"
#include "engine/sim/machine.h"

namespace ttb::testing {

struct GranuleCase {
  const char* name;
  Regime regime;
};
inline constexpr GranuleCase kGranuleCases[] = {
    {"4KiB", Regime::Va48()},
    {"16KiB", Regime::Va47Granule16K()},
    {"64KiB", Regime::Va48Granule64K()},
};

class GranuleTest : public ::testing::TestWithParam<GranuleCase> {
 protected:
  const Regime& regime() const { return GetParam().regime; }
  uint64_t page() const { return regime().granule_bytes(); }

  // A machine with the coherence checker on, in this granule. `copies_whole`:
  // MachineConfig::cow_copies_runs; `memory_bytes` 0 keeps the default.
  std::unique_ptr<sim::Machine> NewMachine(Strategy<sim::SimArch>& strategy,
                                           int cpus, bool speculate,
                                           bool bbm_level2 = false,
                                           bool copies_whole = false,
                                           uint64_t memory_bytes = 0) {
    sim::MachineConfig config = CheckedConfig(cpus, speculate);
    config.regime = regime();
    config.bbm_level2 = bbm_level2;
    config.cow_copies_runs = copies_whole;
    if (memory_bytes != 0) config.memory_bytes = memory_bytes;
    return *sim::Machine::Create(config, strategy);
  }
};

// Names each instance by its granule.
inline std::string GranuleName(
    const ::testing::TestParamInfo<GranuleCase>& info) {
  return info.param.name;
}

}  // namespace ttb::testing

#endif  // TTBENCH_TESTS_GRANULE_CASES_H_
