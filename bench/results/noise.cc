#include "bench/results/noise.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/results/compare.h"
#include "bench/results/mann_whitney.h"

namespace ttb::bench {

bool HostTimesLevel(const std::vector<double>& a,
                    const std::vector<double>& b) {
  if (std::min(a.size(), b.size()) >= kRepetitionsToTest) {
    return MannWhitneyU(a, b).p_value >= kSignificance;
  }
  const double ma = Median(a), mb = Median(b);
  return std::max(ma, mb) < (1 + kHostTimeNoise) * std::min(ma, mb);
}

bool ModelledLevel(double a, double b) {
  return a > 0 && b > 0 && std::abs(a - b) <= kModelledNoise * std::max(a, b);
}

std::string HostLevelRule(size_t repetitions) {
  return repetitions >= kRepetitionsToTest
             ? absl::StrCat("host times not significantly different over ",
                            repetitions, " repetitions")
             : absl::StrFormat("host times within %g%%", kHostTimeNoise * 100);
}

}  // namespace ttb::bench
