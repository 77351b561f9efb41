// What one run, or a run with repetitions, can tell apart on a noisy
// machine: the rule the report's rankings, the crossovers and `ttbench
// tune` all apply, so that they agree.
#ifndef TTBENCH_BENCH_RESULTS_NOISE_H_
#define TTBENCH_BENCH_RESULTS_NOISE_H_

#include <cstddef>
#include <string>
#include <vector>

namespace ttb::bench {

// As a fraction of the larger figure: host times of one run closer than
// kHostTimeNoise are this VM's noise; modelled cycles closer than
// kModelledNoise are the same simulated work.
inline constexpr double kHostTimeNoise = 0.05;
inline constexpr double kModelledNoise = 0.001;
// With repetitions, host times are compared by a two-sided Mann-Whitney U
// test at kSignificance instead; 4 of each is the fewest at which its
// exact p can fall below 5% (2/70).
inline constexpr size_t kRepetitionsToTest = 4;
inline constexpr double kSignificance = 0.05;

// Whether host times `a` and `b` (ns, one per repetition) cannot be told
// apart: by the U test when both have kRepetitionsToTest or more, else by
// their medians being within kHostTimeNoise.
bool HostTimesLevel(const std::vector<double>& a, const std::vector<double>& b);

// Whether modelled cycles `a` and `b` are the same simulated work: both
// measured (above 0) and within kModelledNoise of the larger.
bool ModelledLevel(double a, double b);

// The rule HostTimesLevel applies with `repetitions` of each, in words:
// "host times within 5%" or "host times not significantly different over
// 5 repetitions".
std::string HostLevelRule(size_t repetitions);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_NOISE_H_
