// The distribution of a benchmark's per-iteration latencies, exported as
// percentile counters ("latency_p99.9_ns") that a report reads back by the
// same names to draw it.
#ifndef TTBENCH_BENCH_RESULTS_LATENCY_H_
#define TTBENCH_BENCH_RESULTS_LATENCY_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ttb::bench {

inline constexpr double kLatencyPercentiles[] = {1,  5,  10, 25, 50,
                                                 75, 90, 95, 99, 99.9};

inline std::string LatencyCounter(double percentile) {
  return absl::StrCat("latency_p", percentile, "_ns");
}

// Nearest-rank percentile of ascending `sorted`.
inline double Percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<size_t>(
      std::ceil(p / 100 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

class LatencySamples {
 public:
  void Add(double seconds) { ns_.push_back(seconds * 1e9); }

  void Export(benchmark::State& state) {
    if (ns_.empty()) return;
    std::sort(ns_.begin(), ns_.end());
    for (double p : kLatencyPercentiles) {
      state.counters[LatencyCounter(p)] = Percentile(ns_, p);
    }
  }

 private:
  std::vector<double> ns_;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_LATENCY_H_
