// The table walks: every fork strategy under every walk (the walk_fork
// family) on the dense, sparse and aged layouts, what each walk reads and
// writes, and the best pair per layout with how far across the cost
// ranges it holds.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/report/sections.h"
#include "bench/results/reach.h"
#include "engine/names.h"
#include "engine/walks/registry.h"

namespace ttb::bench {
namespace {

constexpr char kFamily[] = "walk_fork";
constexpr Layout kLayouts[] = {Layout::kDense, Layout::kSparse, Layout::kAged};

// The largest size the run forked under every walk, in MiB; 0 if none.
uint64_t WalkForkSize(const ReportContext& r) {
  const WorkloadFamily* f = r.Family(kFamily);
  if (f == nullptr) return 0;
  uint64_t mib = 0;
  for (const auto& [name, m] : r.h.all) {
    const absl::StatusOr<SimWorkload> w =
        SimWorkload::Parse(StrategyAndWorkload(name).second, {f});
    if (w.ok()) mib = std::max(mib, w->mib);
  }
  return mib;
}

// The walk_fork benchmark of strategy `s` under `walk` on `layout`.
std::string WalkFork(const ReportContext& r, const std::string& s,
                     Layout layout, const TableWalk* walk, uint64_t mib) {
  return r.Name(kFamily, s, {.mib = mib, .layout = layout, .walk = walk});
}

struct Pair {
  std::string strategy;
  const TableWalk* walk;
  std::string benchmark;
  double cycles;
};

// "`lazy_cow` with `cursor`".
std::string PairName(const Pair& p) {
  return absl::StrCat("`", p.strategy, "` with `", p.walk->name(), "`");
}

// Every pair the run measured on `layout`, cheapest first at typical costs.
std::vector<Pair> Ranked(const ReportContext& r, Layout layout, uint64_t mib) {
  std::vector<Pair> pairs;
  for (const std::string& s : r.h.strategies) {
    for (const TableWalk* walk : kWalks) {
      const std::string b = WalkFork(r, s, layout, walk, mib);
      const double cycles = r.Cycles(b);
      if (cycles >= 0) pairs.push_back({s, walk, b, cycles});
    }
  }
  std::stable_sort(
      pairs.begin(), pairs.end(),
      [](const Pair& a, const Pair& b) { return a.cycles < b.cycles; });
  return pairs;
}

// One layout's table: a row per strategy, a column per walk.
std::string LayoutTable(const ReportContext& r, Layout layout, uint64_t mib) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : r.h.strategies) {
    std::vector<std::string> row = {s};
    for (const TableWalk* walk : kWalks) {
      const std::string b = WalkFork(r, s, layout, walk, mib);
      const double ns = r.h.Ns(b);
      row.push_back(
          ns > 0 ? absl::StrCat(CyclesCell(r.Cycles(b)), " (", Us(ns), " us)")
                 : "-");
    }
    rows.push_back(row);
  }
  std::vector<std::string> header = {"strategy"};
  for (const TableWalk* walk : kWalks) {
    header.push_back(absl::StrCat("`", walk->name(), "`"));
  }
  return Table(header, rows);
}

// What each walk reads and writes under one strategy, on every layout.
std::string CountsTable(const ReportContext& r, const std::string& s,
                        uint64_t mib) {
  std::vector<std::vector<std::string>> rows;
  for (const Layout layout : kLayouts) {
    for (const TableWalk* walk : kWalks) {
      const std::string b = WalkFork(r, s, layout, walk, mib);
      if (r.h.Ns(b) <= 0) continue;
      rows.push_back(
          {LayoutName(layout), absl::StrCat("`", walk->name(), "`"),
           Count(r.h.Counter(b, EventName(Event::kSoftwareDescriptorReads))),
           Count(r.h.Counter(b, EventName(Event::kSoftwareDescriptorWrites))),
           Count(r.h.Counter(b, "tables_allocated")),
           CyclesCell(r.Cycles(b, CostPoint::kLow)), CyclesCell(r.Cycles(b)),
           CyclesCell(r.Cycles(b, CostPoint::kHigh)),
           absl::StrCat(Us(r.h.Ns(b)), " us")});
    }
  }
  if (rows.empty()) return "";
  return Table({"layout", "walk", "descriptor reads", "descriptor writes",
                "tables allocated", "cycles, low", "cycles, typical",
                "cycles, high", "host time"},
               rows);
}

// The best pair on `layout` and how far it holds against the next one.
std::string BestPair(const ReportContext& r, Layout layout, uint64_t mib) {
  const std::vector<Pair> ranked = Ranked(r, layout, mib);
  if (ranked.empty()) return "";
  const Pair& best = ranked[0];
  std::string line =
      absl::StrCat("- ", LayoutName(layout), ": ", PairName(best), ", ",
                   CyclesCell(best.cycles), " modelled cycles");
  // The next pair that does other work (the same strategy's other walks
  // can tie with it exactly).
  for (size_t i = 1; i < ranked.size(); ++i) {
    const std::vector<double> a = r.Coefficients(best.benchmark);
    const std::vector<double> b = r.Coefficients(ranked[i].benchmark);
    if (a == b) {
      absl::StrAppend(&line, "; level with ", PairName(ranked[i]));
      continue;
    }
    const Reach reach = VerdictReach(r.costs, a, b);
    absl::StrAppend(&line, "; against ", PairName(ranked[i]), " (",
                    CyclesCell(ranked[i].cycles),
                    "): ", DescribeReach(r.costs, reach));
    break;
  }
  return line + ".\n";
}

// For each strategy, the walk it costs least under on `layout`; how many
// of them that is the default walk.
std::string DefaultLine(const ReportContext& r, uint64_t mib) {
  std::vector<std::string> parts;
  for (const Layout layout : kLayouts) {
    int fastest = 0, strategies = 0;
    for (const std::string& s : r.h.strategies) {
      double least = -1;  // The strategy's cheapest walk's cycles.
      for (const TableWalk* walk : kWalks) {
        const double c = r.Cycles(WalkFork(r, s, layout, walk, mib));
        if (c >= 0 && (least < 0 || c < least)) least = c;
      }
      if (least < 0) continue;
      ++strategies;
      // A tie with the default counts for it.
      const double d = r.Cycles(WalkFork(r, s, layout, &DefaultWalk(), mib));
      fastest += d >= 0 && d <= least;
    }
    if (strategies > 0) {
      parts.push_back(
          absl::StrCat(LayoutName(layout), " ", fastest, " of ", strategies));
    }
  }
  if (parts.empty()) return "";
  return absl::StrCat("The default walk, `", DefaultWalk().name(),
                      "`, costs least (or level) for this many strategies: ",
                      absl::StrJoin(parts, ", "), ".\n\n");
}

}  // namespace

std::string WalkSection(const ReportContext& r) {
  const uint64_t mib = WalkForkSize(r);
  if (mib == 0) return "";
  std::string best;
  std::string tables;
  for (const Layout layout : kLayouts) {
    best += BestPair(r, layout, mib);
    absl::StrAppend(&tables, "### ", LayoutName(layout), "\n\n",
                    LayoutTable(r, layout, mib));
  }
  std::vector<std::string> walks;
  for (const TableWalk* walk : kWalks) {
    walks.push_back(
        absl::StrCat("`", walk->name(), "` (", walk->summary(), ")"));
  }
  const std::string lazy = CountsTable(r, "lazy_cow", mib);
  return absl::StrCat(
      "## Table walks (", mib, " MiB fork)\n\n",
      "How a fork reaches the parent's entries, crossed with every fork "
      "strategy: ",
      absl::StrJoin(walks, "; "),
      ". A walk's descriptor reads and writes are events with costs of "
      "their own (`sw_descriptor_reads`, `sw_descriptor_writes`); a "
      "last-level table written whole takes the place of zeroing it.\n\n"
      "Best pair per layout, by modelled cycles at typical costs:\n\n",
      best, "\n", DefaultLine(r, mib),
      lazy.empty() ? ""
                   : absl::StrCat("What each walk reads and writes under "
                                  "`lazy_cow`:\n\n",
                                  lazy),
      "Modelled cycles over every PE (host time) per strategy and walk:\n\n",
      tables);
}

}  // namespace ttb::bench
