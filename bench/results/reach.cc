#include "bench/results/reach.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ttb::bench {
namespace {

// Cycles as a verdict quotes them: whole from 10 up, else two significant
// figures.
std::string CyclesText(double c) {
  return std::fabs(c) >= 10 ? absl::StrFormat("%.0f", c)
                            : absl::StrFormat("%.2g", c);
}

}  // namespace

Reach VerdictReach(const CostModel& model, const std::vector<double>& winner,
                   const std::vector<double>& rival) {
  const std::vector<CostRange>& ranges = model.ranges();
  Reach r;
  for (size_t i = 0; i < ranges.size(); ++i) {
    // d > 0: the rival is charged more of this term than the winner.
    const double d = rival[i] - winner[i];
    r.typical_margin += d * ranges[i].typical;
    r.worst_margin += std::min(d * ranges[i].low, d * ranges[i].high);
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    const double d = rival[i] - winner[i];
    if (d == 0) continue;
    // The margin moves by d per cycle of this term: level at this cost.
    const double at = ranges[i].typical - r.typical_margin / d;
    // At the very end of the range the two are only level: no turn.
    const bool inside = d > 0 ? at > ranges[i].low : at < ranges[i].high;
    if (r.typical_margin > 0 && inside) {
      r.flips.push_back({i, at, d < 0});
    }
  }
  std::sort(r.flips.begin(), r.flips.end(), [&](const Flip& a, const Flip& b) {
    const auto distance = [&](const Flip& f) {
      const CostRange& c = ranges[f.term];
      const double span = f.above ? c.high - c.typical : c.typical - c.low;
      return span == 0 ? 0 : std::fabs(f.at - c.typical) / span;
    };
    return distance(a) < distance(b);
  });
  if (r.flips.empty() && !r.holds() && r.typical_margin > 0) {
    // How much margin each term can take away at its adverse end, most
    // first: enough of them together reach the margin.
    std::vector<std::pair<double, size_t>> taken;
    for (size_t i = 0; i < ranges.size(); ++i) {
      const double d = rival[i] - winner[i];
      const double loss = d * ranges[i].typical -
                          std::min(d * ranges[i].low, d * ranges[i].high);
      if (loss > 0) taken.emplace_back(loss, i);
    }
    std::sort(taken.rbegin(), taken.rend());
    double sum = 0;
    for (const auto& [loss, i] : taken) {
      r.together.emplace_back(i, rival[i] - winner[i] < 0);
      sum += loss;
      if (sum >= r.typical_margin) break;
    }
  }
  return r;
}

std::string DescribeReach(const CostModel& model, const Reach& reach) {
  if (reach.holds()) {
    return reach.worst_margin > 0
               ? "holds across every cost range"
               : "holds across every cost range (level at an end of one)";
  }
  const std::vector<std::string>& terms = CostModel::Terms();
  if (!reach.flips.empty()) {
    std::vector<std::string> unless;
    for (const Flip& f : reach.flips) {
      if (unless.size() == 3) break;
      const CostRange& c = model.ranges()[f.term];
      unless.push_back(absl::StrCat(
          terms[f.term], " costs ", f.above ? "more" : "less", " than ",
          CyclesText(f.at), " cycles (typical ", CyclesText(c.typical), ")"));
    }
    return absl::StrCat("unless ", absl::StrJoin(unless, ", or "));
  }
  std::vector<std::string> ends;
  for (const auto& [term, high] : reach.together) {
    ends.push_back(absl::StrCat(
        terms[term], " at its ", high ? "high" : "low", " (",
        CyclesText(high ? model.ranges()[term].high : model.ranges()[term].low),
        ")"));
  }
  return absl::StrCat("no one cost turns it, but together ",
                      absl::StrJoin(ends, ", "), " do");
}

}  // namespace ttb::bench
