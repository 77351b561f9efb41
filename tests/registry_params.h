// Parameterising tests over the strategy registry: readable test names, and
// the subset of strategies that have a given tunable.
#ifndef TTBENCH_TESTS_REGISTRY_PARAMS_H_
#define TTBENCH_TESTS_REGISTRY_PARAMS_H_

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "engine/sim/sim_arch.h"
#include "engine/walks/registry.h"
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

// Every table walk, and every one but the default.
inline std::vector<const TableWalk*> AllWalks() {
  return {std::begin(kWalks), std::end(kWalks)};
}
inline std::vector<const TableWalk*> OtherWalks() {
  std::vector<const TableWalk*> others;
  for (const TableWalk* w : kWalks) {
    if (w != &DefaultWalk()) others.push_back(w);
  }
  return others;
}

// A fork strategy with a table walk, named "<strategy>_<walk>".
using ForkAndWalk = std::tuple<SimStrategy, const TableWalk*>;
inline void PrintTo(const ForkAndWalk& p, std::ostream* os) {
  *os << std::get<0>(p)->name() << "/" << std::get<1>(p)->name();
}
inline std::string ForkAndWalkTestName(
    const ::testing::TestParamInfo<ForkAndWalk>& info) {
  return std::string(std::get<0>(info.param)->name()) + "_" +
         std::get<1>(info.param)->name();
}

}  // namespace ttb

#endif  // TTBENCH_TESTS_REGISTRY_PARAMS_H_
