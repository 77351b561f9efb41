// How far a verdict of modelled cycles holds across a cost model's ranges.
// Cycles are linear in the costs, so "A costs less than B" holds for every
// cost in the box [low, high] exactly when it holds at the corner where
// each term is at whichever end favours B: the margin (B - A) . costs is
// smallest there. Where it does not hold everywhere, the terms that flip
// it on their own (the others at typical) are named with the value at
// which they do.
#ifndef TTBENCH_BENCH_RESULTS_REACH_H_
#define TTBENCH_BENCH_RESULTS_REACH_H_

#include <string>
#include <vector>

#include "bench/results/cost_model.h"

namespace ttb::bench {

// One term that, moved alone from its typical cost, turns the verdict.
struct Flip {
  size_t term = 0;     // Index in CostModel::Terms().
  double at = 0;       // The cost at which the two are level.
  bool above = false;  // The verdict turns when the term costs more than
                       // `at` (else: less).
};

struct Reach {
  double typical_margin = 0;  // Rival's cycles less the winner's, typical.
  double worst_margin = 0;    // The smallest margin anywhere in the box.
  // Whether the winner costs no more at any point of the box: less
  // everywhere, or level at an edge of it (worst_margin 0).
  bool holds() const { return worst_margin >= 0; }
  std::vector<Flip> flips;  // By how close to typical each one flips it.
  // Where no one term turns it: the fewest terms that turn it together
  // at the ends of their ranges (with the others typical), each with the
  // end (true: high).
  std::vector<std::pair<size_t, bool>> together;
};

// The reach of "`winner` costs less than `rival`", both given as
// CostModel::Coefficients of one workload.
Reach VerdictReach(const CostModel& model, const std::vector<double>& winner,
                   const std::vector<double>& rival);

// "holds across every cost range", or "unless walks cost more than 180
// cycles (typical 40)", or, where no one term turns it, the terms that
// turn it together.
std::string DescribeReach(const CostModel& model, const Reach& reach);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_REACH_H_
