// What the report and tune commands share: gnuplot SVG plots, Markdown
// tables, and where two measured curves cross.
#ifndef TTBENCH_BENCH_REPORT_PLOT_H_
#define TTBENCH_BENCH_REPORT_PLOT_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "bench/results/noise.h"

namespace ttb::bench {

using Points = std::vector<std::pair<double, double>>;
using Series = std::vector<std::pair<std::string, Points>>;

// Runs gnuplot on `script` (data inline). The error names gnuplot's own
// message, or how to install it when it is missing.
absl::Status Plot(const std::string& script);

// A gnuplot string literal holding `text` as it is.
std::string Quoted(const std::string& text);

// The terminal, output file, title and axis labels of an SVG plot.
std::string PlotHeader(const std::string& svg, const std::string& title,
                       const std::string& xlabel, const std::string& ylabel);

// A line plot of named series; `extra` is gnuplot set up before `plot`
// (log axes, reference lines). Points with y <= 0 are left out, and series
// left with none; NotFound when no series has a point.
absl::Status LinePlot(const std::string& svg, const std::string& title,
                      const std::string& xlabel, const std::string& ylabel,
                      const std::string& extra, const Series& series);

// A Markdown table.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);

// The first x at which two piecewise-linear curves, sampled at the same x,
// cross: where they change sides between a sample at which one is clearly
// above (by more than `min_gap`, a fraction of the larger) and a later one
// at which it is clearly below. Samples between may be too close to tell;
// the crossing is the last change of sign before the clear one,
// interpolated linearly. Points with y <= 0 (not measured) are skipped.
std::optional<double> Crossing(const Points& a, const Points& b,
                               double min_gap);

// Where each pair of curves crosses, x being a percentage k, in words:
// "`a` and `b` cross at k = 30.0% in modelled cycles (host time: 40.0%)".
// `host` (host
// time) and `modelled` (modelled cycles) hold the same names in the same
// order. Host time needs a 10% gap to be clear; a crossing only one of
// the two shows is said to be so: in host time only it comes from the
// simulator's own costs or host noise, in modelled cycles only from the
// cost model. Pairs whose modelled cycles agree everywhere did the same
// simulated work and are left out.
std::vector<std::string> DescribeCrossings(const Series& host,
                                           const Series& modelled);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPORT_PLOT_H_
