// The Mann-Whitney U test, two-sided, as Google Benchmark's compare.py
// applies it to repetitions: the exact distribution of U for small samples
// without ties, the normal approximation (tie and continuity corrected)
// otherwise.
#ifndef TTBENCH_BENCH_RESULTS_MANN_WHITNEY_H_
#define TTBENCH_BENCH_RESULTS_MANN_WHITNEY_H_

#include <vector>

namespace ttb::bench {

struct UTest {
  double u;        // U of the first sample.
  double p_value;  // Two-sided.
  bool exact;
};

// Needs at least one value in each sample.
UTest MannWhitneyU(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_MANN_WHITNEY_H_
