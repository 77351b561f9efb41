#include "bench/replay/aged_layout.h"

#include <numeric>
#include <random>
#include <vector>

namespace ttb::bench {
namespace {

// The share of runs, per thousand, of each length: the Redis capture's
// runs of pages consecutive in both address and frame, its longer runs
// (a few per thousand) folded into one length.
struct RunLength {
  uint64_t pages;
  uint64_t per_mille;
};
constexpr RunLength kRunLengths[] = {{1, 682}, {2, 84}, {3, 44}, {4, 60},
                                     {5, 21},  {6, 84}, {7, 22}, {12, 3}};

}  // namespace

ReplayLayout AgedLayout(uint64_t va, uint64_t pages) {
  ReplayLayout layout;
  if (pages == 0) return layout;
  layout.runs.push_back({.va = va, .pages = pages});
  // mt19937_64's output is fixed by the standard, so every host lays the
  // same layout; the distributions' are not, so they are not used.
  std::mt19937_64 random(pages);
  std::vector<uint64_t> run_pages;
  for (uint64_t laid = 0; laid < pages;) {
    uint64_t pick = random() % 1000, length = kRunLengths[0].pages;
    for (const RunLength& r : kRunLengths) {
      if (pick < r.per_mille) {
        length = r.pages;
        break;
      }
      pick -= r.per_mille;
    }
    length = std::min(length, pages - laid);
    run_pages.push_back(length);
    laid += length;
  }
  // Physical order: the runs shuffled (Fisher-Yates), a hole after each.
  std::vector<uint64_t> order(run_pages.size());
  std::iota(order.begin(), order.end(), 0);
  for (uint64_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[random() % i]);
  }
  std::vector<uint64_t> first_frame(run_pages.size());
  uint64_t next = 0;
  for (uint64_t run : order) {
    first_frame[run] = next;
    next += run_pages[run] + 1;
  }
  layout.frames = next - 1;  // No hole after the last.
  for (uint64_t run = 0; run < run_pages.size(); ++run) {
    for (uint64_t i = 0; i < run_pages[run]; ++i) {
      layout.frame_of.push_back(first_frame[run] + i);
    }
  }
  return layout;
}

}  // namespace ttb::bench
