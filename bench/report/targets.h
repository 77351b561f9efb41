// The suite's performance targets (issue 5), checked against one result
// set: each is a ratio or rate from that run, so the report can say which
// the simulator meets on the machine that ran it.
#ifndef TTBENCH_BENCH_REPORT_TARGETS_H_
#define TTBENCH_BENCH_REPORT_TARGETS_H_

#include <optional>
#include <string>
#include <vector>

#include "bench/results/compare.h"

namespace ttb::bench {

struct TargetCheck {
  std::string target;       // What is asked, in words.
  std::string measured;     // The figures and the ratio, or why there are none.
  std::optional<bool> met;  // Unset when the run lacks the benchmarks.
};

// The targets, at the 1 GiB size they name, or at the largest size the run
// has (a quick suite stops at 16 MiB), which `measured` then states.
std::vector<TargetCheck> CheckTargets(const Timings& all);

// A Markdown section with the checks as a table.
std::string TargetsSection(const std::vector<TargetCheck>& checks);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPORT_TARGETS_H_
