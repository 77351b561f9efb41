#include "bench/results/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ttb::bench {
namespace {

constexpr size_t kExactLimit = 20;  // Per sample, for the exact test.

// P(U <= u) under the null hypothesis, by counting the arrangements of
// n1 + n2 ranks: count[i][j][k] = ways i of a and j of b give U = k.
double ExactCdf(size_t n1, size_t n2, double u) {
  const size_t max_u = n1 * n2;
  // ways[j][k] for the current i, rolled over i.
  std::vector<std::vector<double>> prev(n2 + 1,
                                        std::vector<double>(max_u + 1, 0.0));
  for (size_t j = 0; j <= n2; ++j) prev[j][0] = 1;  // i = 0: U = 0.
  for (size_t i = 1; i <= n1; ++i) {
    std::vector<std::vector<double>> cur(n2 + 1,
                                         std::vector<double>(max_u + 1, 0.0));
    cur[0][0] = 1;
    for (size_t j = 1; j <= n2; ++j) {
      for (size_t k = 0; k <= max_u; ++k) {
        // The largest value is from a (beats all j of b) or from b.
        cur[j][k] = cur[j - 1][k] + (k >= j ? prev[j][k - j] : 0.0);
      }
    }
    prev = std::move(cur);
  }
  double total = 0;
  double below = 0;
  for (size_t k = 0; k <= max_u; ++k) {
    total += prev[n2][k];
    if (static_cast<double>(k) <= u) below += prev[n2][k];
  }
  return below / total;
}

}  // namespace

UTest MannWhitneyU(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n1 = a.size();
  const size_t n2 = b.size();
  // Ranks of the pooled values, ties sharing their mean rank.
  std::vector<std::pair<double, int>> pooled;
  for (double v : a) pooled.emplace_back(v, 0);
  for (double v : b) pooled.emplace_back(v, 1);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0;
  double tie_term = 0;  // Sum of t^3 - t over groups of ties.
  bool ties = false;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double rank = (i + 1 + j) / 2.0;
    const double t = static_cast<double>(j - i);
    if (t > 1) ties = true;
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k) {
      if (pooled[k].second == 0) rank_sum_a += rank;
    }
    i = j;
  }
  const double u = rank_sum_a - n1 * (n1 + 1) / 2.0;
  const double mean = n1 * n2 / 2.0;
  if (!ties && n1 <= kExactLimit && n2 <= kExactLimit) {
    // Two-sided: twice the smaller tail, capped at 1.
    const double low = std::min(u, n1 * n2 - u);
    return {u, std::min(1.0, 2 * ExactCdf(n1, n2, low)), true};
  }
  const double n = static_cast<double>(n1 + n2);
  const double variance = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (variance <= 0) return {u, 1.0, false};
  const double z = (std::fabs(u - mean) - 0.5) / std::sqrt(variance);
  return {u, std::min(1.0, std::erfc(std::max(z, 0.0) / std::sqrt(2.0))),
          false};
}

}  // namespace ttb::bench
