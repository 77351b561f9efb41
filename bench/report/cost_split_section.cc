// Where the largest dense fork spends its modelled cycles, by event kind:
// a stacked bar per strategy and the table behind it.
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/report/sections.h"

namespace ttb::bench {
namespace {

using CyclesByKind = std::map<std::string, std::map<std::string, double>>;

// Cycles each event kind contributes, per strategy (stacked bars).
absl::Status CostSplitPlot(const std::string& svg, const std::string& title,
                           const std::vector<std::string>& strategies,
                           const std::vector<std::string>& kinds,
                           const CyclesByKind& cycles) {
  std::string script =
      PlotHeader(svg, title, "", "% of the strategy's modelled cycles");
  script +=
      "set style data histograms\nset style histogram rowstacked\n"
      "set style fill solid 0.85 border -1\nset boxwidth 0.7\n"
      "set key outside right top\nset yrange [0:100]\n";
  // Enough distinct colours for every event kind.
  constexpr const char* kColours[] = {
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
      "#8c6d31", "#843c39", "#7b4173", "#3182bd"};
  for (size_t i = 0; i < kinds.size(); ++i) {
    absl::StrAppend(&script, "set linetype ", i + 1, " lc rgb '",
                    kColours[i % std::size(kColours)], "'\n");
  }
  // No header row: the series take their titles from `kinds` below.
  script += "set xtics rotate by -20\n$d << EOD\n";
  for (const std::string& s : strategies) {
    script += s;
    // A strategy without the fork at this size has no bar.
    static const std::map<std::string, double> kNone;
    const auto found = cycles.find(s);
    const auto& by_kind = found == cycles.end() ? kNone : found->second;
    double total = 0;
    for (const auto& [kind, c] : by_kind) total += c;
    for (const std::string& k : kinds) {
      auto it = by_kind.find(k);
      absl::StrAppend(
          &script, " ",
          it == by_kind.end() || total == 0 ? 0.0 : 100 * it->second / total);
    }
    script += "\n";
  }
  script += "EOD\n";
  std::vector<std::string> plots;
  for (size_t i = 0; i < kinds.size(); ++i) {
    plots.push_back(absl::StrCat("$d using ", i + 2, i == 0 ? ":xtic(1)" : "",
                                 " title ", Quoted(kinds[i])));
  }
  absl::StrAppend(&script, "plot ", absl::StrJoin(plots, ", "), "\n");
  return Plot(script);
}

}  // namespace

absl::StatusOr<std::string> CostSplitSection(const ReportContext& r) {
  const HostResults& h = r.h;
  CyclesByKind split;
  std::set<std::string> kinds;
  for (const std::string& s : h.strategies) {
    const Measured* m = h.Find(r.DenseFork(s, r.big));
    if (m == nullptr) continue;
    const std::vector<double> counts = r.costs.Coefficients(
        [&](const std::string& event) { return m->Counter(event); });
    for (size_t i = 0; i < counts.size(); ++i) {
      const double cycles = counts[i] * r.costs.ranges()[i].typical;
      if (counts[i] > kNoEvent && cycles > 0) {
        split[s][CostModel::Terms()[i]] = cycles;
        kinds.insert(CostModel::Terms()[i]);
      }
    }
  }
  const std::vector<std::string> kind_list(kinds.begin(), kinds.end());
  if (kind_list.empty()) return std::string();  // No events of a fork.
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : h.strategies) {
    std::vector<std::string> row = {s};
    for (const std::string& k : kind_list) {
      row.push_back(Whole(split[s].count(k) ? split[s][k] : 0));
    }
    rows.push_back(row);
  }
  const std::string svg = r.Written("-cost-split.svg");
  if (absl::Status s =
          CostSplitPlot((r.dir / svg).string(),
                        absl::StrCat("Fork of ", r.big_label,
                                     ": where the modelled cycles go"),
                        h.strategies, kind_list, split);
      !s.ok()) {
    return s;
  }
  std::vector<std::string> header = {"strategy"};
  header.insert(header.end(), kind_list.begin(), kind_list.end());
  return absl::StrCat("## Where a fork of ", r.big_size,
                      " spends its modelled cycles\n\n![cost split](", svg,
                      ")\n\n", Table(header, rows));
}

}  // namespace ttb::bench
