// The scripted scenario the checker tests share: a parent that wrote a
// page on every CPU (so each caches it writable) forks on CPU 0.
#ifndef TTBENCH_TESTS_CHECKER_SCENARIO_H_
#define TTBENCH_TESTS_CHECKER_SCENARIO_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/sim/machine.h"
#include "reference_model.h"
#include "variants/lazy_cow.h"

namespace ttb::testing {

// lazy_cow whose CoW break installs the copy with `Remap` instead of
// BreakBeforeMake: for broken copies of the break's ordering.
template <auto Remap>
class LazyCowWithRemap final : public LazyCow<sim::SimArch> {
 public:
  FaultOutcome OnFault(Kernel<sim::SimArch>& k, Process& p, VirtAddr va,
                       Fault fault, Access access) override {
    return HandleCowFault<sim::SimArch, Remap>(k, p, va, fault, access);
  }
};

struct Scenario {
  std::unique_ptr<sim::Machine> machine;
  sim::Pid parent;
  sim::Pid child;
};

inline constexpr VirtAddr kVa = 0x20'0000;
inline const std::vector<uint8_t> kBefore = {1, 2, 3, 4};
inline const std::vector<uint8_t> kAfter = {9, 9, 9, 9};

inline sim::MachineConfig CheckedConfig(int cpus, bool speculate) {
  sim::MachineConfig config;
  config.cpus = cpus;
  config.check_coherence = true;
  config.speculate = speculate;
  return config;
}

inline Scenario ForkAfterWrites(Strategy<sim::SimArch>& strategy, int cpus,
                                bool speculate = false) {
  Scenario s{*sim::Machine::Create(CheckedConfig(cpus, speculate), strategy), 0,
             0};
  sim::Machine& m = *s.machine;
  s.parent = m.Spawn(0).value();
  EXPECT_EQ(m.Map(0, s.parent, kVa, 4, PageAttrs(Perm::kReadWrite)),
            Status::kOk);
  for (int cpu = cpus - 1; cpu >= 0; --cpu) {
    EXPECT_TRUE(m.Write(cpu, s.parent, kVa, kBefore).ok);
  }
  s.child = m.Fork(0, s.parent).value();
  return s;
}

// The first violation, or "no violation".
inline std::string FirstViolation(const sim::Machine& m) {
  const std::vector<std::string>& v = m.checker()->violations();
  return v.empty() ? "no violation" : v.front();
}

inline bool Reported(const sim::Machine& m, const std::string& what) {
  for (const std::string& v : m.checker()->violations()) {
    if (v.find(what) != std::string::npos) return true;
  }
  return false;
}

}  // namespace ttb::testing

#endif  // TTBENCH_TESTS_CHECKER_SCENARIO_H_
