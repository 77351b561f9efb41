// Parameterising tests over the strategy registry: readable test names, and
// the subset of strategies that have a given tunable.
#ifndef TTBENCH_TESTS_REGISTRY_PARAMS_H_
#define TTBENCH_TESTS_REGISTRY_PARAMS_H_

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "engine/sim/sim_arch.h"
#include "variants/registry.h"

namespace ttb {

using SimStrategy = Strategy<sim::SimArch>*;

// Names parameterised tests after the strategy (and ctest lists them so).
inline void PrintTo(const SimStrategy& s, std::ostream* os) {
  *os << s->name();
}

inline std::string StrategyTestName(
    const ::testing::TestParamInfo<SimStrategy>& info) {
  return info.param->name();
}

inline std::vector<SimStrategy> AllStrategies() {
  return {std::begin(kStrategies<sim::SimArch>),
          std::end(kStrategies<sim::SimArch>)};
}

inline std::vector<SimStrategy> StrategiesWithTunable(const char* tunable) {
  std::vector<SimStrategy> with;
  for (SimStrategy s : AllStrategies()) {
    if (s->FindTunable(tunable) != nullptr) with.push_back(s);
  }
  return with;
}

}  // namespace ttb

#endif  // TTBENCH_TESTS_REGISTRY_PARAMS_H_
