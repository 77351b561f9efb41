// CoW fault latency: modelled cycles and host time per write, and the
// distribution of the child's first write beside this host's kernel's.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/report/sections.h"
#include "bench/results/latency.h"

namespace ttb::bench {

absl::StatusOr<std::string> CowFaultSection(const ReportContext& r) {
  const HostResults& h = r.h;
  auto cow = [&](const std::string& s, Writer w) {
    return r.Name("cow_fault", s, {.writer = w});
  };
  const std::string native = "native/cow_fault/child_first_write";
  // Modelled cycles over every PE / on the faulting PE, then host time.
  auto cell = [&](const std::string& b) {
    const double ns = h.Ns(b);
    return ns > 0 ? absl::StrCat(
                        CyclesCell(r.Cycles(b)), " / ",
                        CyclesCell(r.Cycles(b, CostPoint::kTypical, true)),
                        " (", Us(ns), " us)")
                  : "-";
  };
  std::vector<std::vector<std::string>> rows;
  for (const std::string& s : h.strategies) {
    rows.push_back({s, cell(cow(s, Writer::kChild)),
                    cell(cow(s, Writer::kParent)),
                    cell(cow(s, Writer::kSecondWrite))});
  }
  const double native_ns = h.Ns(native);
  rows.push_back({"native (this host's kernel)",
                  native_ns > 0 ? absl::StrCat(Us(native_ns), " us") : "-", "-",
                  "-"});
  std::string md = absl::StrCat(
      "## CoW fault latency\n\nPer write: modelled cycles over every PE / "
      "on the faulting PE (host time, the simulator's speed):\n\n",
      Table({"strategy", "child's first write", "parent's first write",
             "second write (no fault)"},
            rows));
  // The distribution of the child's first write, from the percentiles each
  // benchmark recorded over all its writes.
  Series curves;
  std::vector<std::vector<std::string>> pct_rows;
  // The host kernel's faults are not counted: its column says "-".
  auto distribution = [&](const std::string& label,
                          const std::string& benchmark, bool simulated) {
    Points curve;
    std::vector<std::string> row = {
        label, simulated
                   ? absl::StrFormat("%.2f", h.Counter(benchmark, "faults"))
                   : "-"};
    for (double p : kLatencyPercentiles) {
      const double ns = h.Counter(benchmark, LatencyCounter(p));
      if (ns > 0) curve.emplace_back(ns / 1e3, p);
      if (p == 50 || p == 90 || p == 99 || p == 99.9) {
        row.push_back(ns > 0 ? Us(ns) : "-");
      }
    }
    if (curve.empty()) return;
    curves.emplace_back(label, curve);
    pct_rows.push_back(row);
  };
  for (const std::string& s : h.strategies) {
    distribution(s, cow(s, Writer::kChild), true);
  }
  distribution("native (this host's kernel)", native, false);
  const absl::StatusOr<std::string> svg = r.LinePlotFile(
      "-cow-fault.svg", "CoW fault: the child's first write to a shared page",
      "latency (us)", "percentile of writes",
      "set logscale x\nset yrange [0:100]\nset key right bottom\n", curves);
  if (!svg.ok()) return svg.status();
  if (svg->empty()) return md;
  return absl::StrCat(
      md,
      "Distribution of the child's first write (us), over every write the "
      "benchmark timed; a strategy with 0 faults per write copied the page "
      "at fork:\n\n![CoW fault latency distribution](",
      *svg, ")\n\n",
      Table({"strategy", "faults per write", "p50", "p90", "p99", "p99.9"},
            pct_rows));
}

}  // namespace ttb::bench
