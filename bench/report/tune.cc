#include "bench/report/tune.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/report/plot.h"
#include "bench/results/compare.h"
#include "bench/results/noise.h"
#include "bench/results/reach.h"
#include "bench/results/text_file.h"

namespace ttb::bench {
namespace {

namespace fs = std::filesystem;

// More points than this is a mistake, not a sweep: each one is a benchmark.
constexpr size_t kMaxPoints = 64;

absl::StatusOr<int64_t> Integer(absl::string_view text) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--range: '", text, "' is not an integer"));
  }
  return v;
}

std::string Accepted(const Tunable& t) {
  if (t.choices == nullptr) return absl::StrCat("[", t.min, ", ", t.max, "]");
  std::vector<int64_t> c(t.choices, t.choices + t.choice_count);
  return absl::StrCat("one of ", absl::StrJoin(c, ", "));
}

// Generates lo, next(lo), ... while below hi, then hi.
template <typename Next>
absl::StatusOr<std::vector<int64_t>> Progression(int64_t lo, int64_t hi,
                                                 Next next) {
  if (lo > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("--range: ", lo, " is above ", hi));
  }
  std::vector<int64_t> v;
  for (int64_t x = lo; x < hi && v.size() <= kMaxPoints; x = next(x)) {
    v.push_back(x);
  }
  v.push_back(hi);
  return v;
}

int64_t Double(int64_t x) { return x == 0 ? 1 : 2 * x; }

}  // namespace

absl::StatusOr<CostSweep> ParseCostSweep(absl::string_view spec) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(spec, absl::MaxSplits('=', 1));
  const std::vector<std::string>& terms = CostModel::Terms();
  if (parts.size() != 2 ||
      std::find(terms.begin(), terms.end(), parts[0]) == terms.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cost: '", spec,
                     "' is not TERM=LO:HI with a term of `ttbench costs`"));
  }
  const std::vector<absl::string_view> range = absl::StrSplit(parts[1], ':');
  CostSweep sweep{std::string(parts[0])};
  if (range.size() != 2 || !absl::SimpleAtod(range[0], &sweep.low) ||
      !absl::SimpleAtod(range[1], &sweep.high) || !(sweep.low >= 0) ||
      !(sweep.low < sweep.high) || !std::isfinite(sweep.high)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--cost: '", parts[1], "' is not LO:HI cycles with 0 <= LO < HI"));
  }
  return sweep;
}

absl::StatusOr<std::vector<int64_t>> SweepValues(absl::string_view range,
                                                 const Tunable& tunable) {
  absl::StatusOr<std::vector<int64_t>> values;
  if (range.empty()) {
    values = tunable.choices != nullptr
                 ? std::vector<int64_t>(tunable.choices,
                                        tunable.choices + tunable.choice_count)
                 : Progression(tunable.min, tunable.max, Double);
  } else if (range.find(':') != absl::string_view::npos) {
    std::vector<absl::string_view> p = absl::StrSplit(range, ':');
    if (p.size() > 3 || (p.size() == 3 && !absl::ConsumePrefix(&p[2], "+"))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--range '", range, "': expected LO:HI, LO:HI:+STEP or A,B,C"));
    }
    absl::StatusOr<int64_t> lo = Integer(p[0]), hi = Integer(p[1]);
    if (!lo.ok()) return lo.status();
    if (!hi.ok()) return hi.status();
    if (p.size() == 2) {
      if (*lo < 0) {
        return absl::InvalidArgumentError(
            "--range: a doubling sweep needs LO >= 0");
      }
      values = Progression(*lo, *hi, Double);
    } else {
      absl::StatusOr<int64_t> step = Integer(p[2]);
      if (!step.ok()) return step.status();
      if (*step <= 0) {
        return absl::InvalidArgumentError("--range: STEP must be positive");
      }
      values = Progression(*lo, *hi, [&](int64_t x) { return x + *step; });
    }
  } else {
    std::vector<int64_t> list;
    for (absl::string_view item : absl::StrSplit(range, ',')) {
      absl::StatusOr<int64_t> v = Integer(item);
      if (!v.ok()) return v.status();
      list.push_back(*v);
    }
    values = list;
  }
  if (!values.ok()) return values.status();
  for (int64_t v : *values) {
    if (!tunable.Accepts(v)) {
      return absl::InvalidArgumentError(absl::StrCat("--range: ", tunable.name,
                                                     " cannot be ", v, " (",
                                                     Accepted(tunable), ")"));
    }
  }
  values->push_back(tunable.default_value);
  std::sort(values->begin(), values->end());
  values->erase(std::unique(values->begin(), values->end()), values->end());
  if (values->size() > kMaxPoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("--range: ", values->size(),
                     " values; a sweep takes at most ", kMaxPoints));
  }
  return values;
}

std::string TuneBenchmarkName(absl::string_view knob, int64_t value,
                              absl::string_view workload) {
  return absl::StrCat("tune/", knob, "=", value, "/", workload);
}

namespace {

// One measured value of the tunable.
struct Point {
  int64_t value;
  double ns;
  Measured measured;
};

// How a cost compares with the default's, with the noise one run allows.
enum class Side { kCheaper, kLevel, kDearer };

Side SideOf(double ratio, double gap) {
  if (ratio < 1 - gap) return Side::kCheaper;
  if (ratio > 1 + gap) return Side::kDearer;
  return Side::kLevel;
}

// One metric's verdict: its best value, the runs of values cheaper, level
// with and dearer than the default (`side(i)` for points[i]), and where the
// curve meets the default's level. `noise` says what counts as level.
template <typename SideFn>
std::string Verdict(const std::string& metric, const std::vector<Point>& points,
                    const std::vector<double>& ratio, SideFn&& side,
                    int64_t default_value, const std::string& noise) {
  size_t best = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    if (ratio[i] < ratio[best]) best = i;
  }
  std::string text;
  if (side(best) != Side::kCheaper) {
    text = absl::StrFormat(
        "%s: no value is clearly cheaper than the default %d%s.", metric,
        default_value, noise);
  } else {
    text = absl::StrFormat("%s: best value %d, at %.3fx the default's cost%s.",
                           metric, points[best].value, ratio[best], noise);
  }
  const char* const kWords[] = {"cheaper", "level", "dearer"};
  std::vector<std::string> runs, meets;
  for (size_t i = 0; i < points.size();) {
    const Side here = side(i);
    size_t j = i;
    while (j + 1 < points.size() && side(j + 1) == here) ++j;
    runs.push_back(
        absl::StrCat(kWords[static_cast<int>(here)], " at ", points[i].value,
                     j > i ? absl::StrCat(" to ", points[j].value) : ""));
    if (j + 1 < points.size()) {
      meets.push_back(
          absl::StrCat(points[j].value, " and ", points[j + 1].value));
    }
    i = j + 1;
  }
  absl::StrAppend(&text, " Against the default: ", absl::StrJoin(runs, "; "),
                  ".");
  if (!meets.empty()) {
    absl::StrAppend(&text, " The cost crosses or meets the default's between ",
                    absl::StrJoin(meets, ", between "), ".");
  }
  return text;
}

std::string Fixed(double v, int digits) {
  return absl::StrFormat("%.*f", digits, v);
}

// A sweep's result set: each value's measurement, sorted by value, and
// each one's cost relative to the default's.
struct Sweep {
  std::map<std::string, std::string> context;
  std::string knob;
  std::string workload;
  int64_t default_value = 0;
  std::vector<Point> points;
  size_t def = 0;  // The default value's point.
  std::vector<double> time_ratio, cycle_ratio;
  // Per point: what the cost model charges, and its cycles at typical.
  std::vector<std::vector<double>> charged;
  std::vector<double> cycles;
};

absl::StatusOr<Sweep> LoadSweep(const std::string& result_path,
                                const CostModel& costs) {
  Sweep w;
  absl::StatusOr<Timings> all = LoadTimings(result_path, &w.context);
  if (!all.ok()) return all.status();
  if (!w.context.count(kTuneKnobKey) || !w.context.count(kTuneDefaultKey) ||
      !w.context.count(kTuneWorkloadKey)) {
    return absl::InvalidArgumentError(
        absl::StrCat(result_path, ": not a ttbench tune result set (no ",
                     kTuneKnobKey, " context)"));
  }
  w.knob = w.context[kTuneKnobKey];
  w.workload = w.context[kTuneWorkloadKey];
  if (!absl::SimpleAtoi(w.context[kTuneDefaultKey], &w.default_value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(result_path, ": ", kTuneDefaultKey, " is not a number"));
  }
  const std::regex name(R"(^tune/[^=/]+=(-?\d+)/(.+)/manual_time$)");
  for (const auto& [run, m] : *all) {
    std::smatch match;
    if (!std::regex_match(run, match, name) || match[2] != w.workload ||
        m.ns.empty()) {
      continue;
    }
    w.points.push_back({std::stoll(match[1].str()), Median(m.ns), m});
  }
  std::sort(w.points.begin(), w.points.end(),
            [](const Point& a, const Point& b) { return a.value < b.value; });
  w.def =
      std::find_if(w.points.begin(), w.points.end(),
                   [&](const Point& p) { return p.value == w.default_value; }) -
      w.points.begin();
  for (const Point& p : w.points) {
    w.charged.push_back(costs.Coefficients(
        [&](const std::string& event) { return p.measured.Counter(event); }));
    w.cycles.push_back(costs.Cycles(w.charged.back()));
  }
  if (w.def == w.points.size() || w.points[w.def].ns <= 0 ||
      w.cycles[w.def] <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(result_path, ": no measurement of ", w.knob,
                     " at its default ", w.default_value, " on ", w.workload));
  }
  for (size_t i = 0; i < w.points.size(); ++i) {
    w.time_ratio.push_back(w.points[i].ns / w.points[w.def].ns);
    w.cycle_ratio.push_back(w.cycles[i] / w.cycles[w.def]);
  }
  return w;
}

// How far the cheapest value's lead over the default holds across the
// cost ranges.
std::string BestReach(const Sweep& w, const CostModel& costs) {
  const size_t best = static_cast<size_t>(
      std::min_element(w.cycles.begin(), w.cycles.end()) - w.cycles.begin());
  if (best == w.def || w.charged[best] == w.charged[w.def]) {
    return absl::StrCat("the default ", w.default_value,
                        " is the cheapest at typical costs");
  }
  return absl::StrCat(w.points[best].value, " costs less than the default ",
                      w.default_value, ": ",
                      DescribeReach(costs, VerdictReach(costs, w.charged[best],
                                                        w.charged[w.def])));
}

// The cheapest value as one cost moves across `sweep`, the others at
// typical: each value's cycles are a line in that cost, so the cheapest
// is their lower envelope, and it turns where two lines cross.
std::string CostSweepVerdict(const Sweep& w, const CostModel& costs,
                             const CostSweep& sweep) {
  const std::vector<std::string>& terms = CostModel::Terms();
  const size_t k = static_cast<size_t>(
      std::find(terms.begin(), terms.end(), sweep.term) - terms.begin());
  const double typical = costs.ranges()[k].typical;
  // cycles(x) = base + slope * x for each value.
  std::vector<double> base, slope;
  for (size_t i = 0; i < w.points.size(); ++i) {
    slope.push_back(w.charged[i][k]);
    base.push_back(w.cycles[i] - slope.back() * typical);
  }
  auto cheapest_after = [&](double x) {
    size_t best = 0;
    for (size_t i = 1; i < base.size(); ++i) {
      const double a = base[i] + slope[i] * x;
      const double b = base[best] + slope[best] * x;
      if (a < b || (a == b && slope[i] < slope[best])) best = i;
    }
    return best;
  };
  std::vector<std::string> pieces;
  double x = sweep.low;
  size_t best = cheapest_after(x);
  while (true) {
    double next = sweep.high;
    size_t next_best = best;
    for (size_t i = 0; i < base.size(); ++i) {
      if (slope[i] >= slope[best]) continue;
      const double cross = (base[i] - base[best]) / (slope[best] - slope[i]);
      if (cross > x && cross < next) next = cross, next_best = i;
    }
    pieces.push_back(
        absl::StrFormat("%d up to %.4g", w.points[best].value, next));
    if (next_best == best) break;
    x = next;
    best = cheapest_after(x);
  }
  return absl::StrCat("With ", sweep.term, " from ", sweep.low, " to ",
                      sweep.high,
                      " cycles (the other costs typical), the "
                      "cheapest value is ",
                      absl::StrJoin(pieces, ", then "), " cycles.");
}

// The verdicts: by modelled cycles, which are exact counts times the
// typical costs (any difference is real) with how far across the ranges
// the best value's lead holds; host time only as the simulator's speed,
// which is noisy on this VM (HostTimesLevel decides).
std::string SweepVerdicts(const Sweep& w, const CostModel& costs,
                          const std::optional<CostSweep>& sweep) {
  size_t repetitions = w.points[w.def].measured.ns.size();
  for (const Point& p : w.points) {
    repetitions = std::min(repetitions, p.measured.ns.size());
  }
  auto host_side = [&](size_t i) {
    if (HostTimesLevel(w.points[i].measured.ns, w.points[w.def].measured.ns)) {
      return Side::kLevel;
    }
    return w.time_ratio[i] < 1 ? Side::kCheaper : Side::kDearer;
  };
  return absl::StrCat(
      "- ",
      Verdict(
          "Modelled cycles", w.points, w.cycle_ratio,
          [&](size_t i) { return SideOf(w.cycle_ratio[i], kModelledNoise); },
          w.default_value, ""),
      " Across the cost ranges: ", BestReach(w, costs), ".\n",
      sweep ? absl::StrCat("- ", CostSweepVerdict(w, costs, *sweep), "\n") : "",
      "- ",
      Verdict("Host time (the simulator's speed, not a core's)", w.points,
              w.time_ratio, host_side, w.default_value,
              absl::StrCat(" (level: ", HostLevelRule(repetitions), ")")),
      "\n");
}

// Cost relative to the default against the value, both measures.
absl::Status SweepPlot(const Sweep& w, const fs::path& svg) {
  Points time_curve, cycle_curve;
  for (size_t i = 0; i < w.points.size(); ++i) {
    time_curve.emplace_back(w.points[i].value, w.time_ratio[i]);
    cycle_curve.emplace_back(w.points[i].value, w.cycle_ratio[i]);
  }
  const bool geometric = w.points.front().value > 0 &&
                         w.points.back().value >= 16 * w.points.front().value;
  std::string extra = absl::StrFormat(
      "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2\n"
      "set arrow from first %d, graph 0 to first %d, graph 1 nohead dt 3\n"
      "set label 'default' at first %d, graph 0.95 offset 0.5,0\n",
      w.default_value, w.default_value, w.default_value);
  if (geometric) extra += "set logscale x 2\n";
  return LinePlot(
      svg.string(), absl::StrCat(w.knob, " on ", w.workload),
      w.knob.substr(w.knob.find('.') + 1), "cost relative to the default",
      extra,
      {{"modelled cycles", cycle_curve}, {"host time (median)", time_curve}});
}

std::string SweepTable(const Sweep& w) {
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < w.points.size(); ++i) {
    const Point& p = w.points[i];
    rows.push_back(
        {absl::StrCat(p.value, p.value == w.default_value ? " (default)" : ""),
         Fixed(p.ns / 1e3, 2), Fixed(w.time_ratio[i], 3), Fixed(w.cycles[i], 0),
         Fixed(w.cycle_ratio[i], 3), Fixed(p.measured.Counter("tlbi"), 0),
         Fixed(p.measured.Counter("tlbi_broadcast"), 0),
         Fixed(p.measured.Counter("walks"), 0),
         Fixed(p.measured.Counter("faults"), 0),
         Fixed(p.measured.Counter("pages_copied"), 0)});
  }
  return Table(
      {"value", "host time (us)", "x default", "modelled cycles", "x default",
       "TLBIs", "broadcast TLBIs", "walks", "faults", "pages copied"},
      rows);
}

}  // namespace

absl::StatusOr<TuneSummary> WriteTuneReport(const std::string& result_path,
                                            const CostModel& costs) {
  const absl::StatusOr<Sweep> sweep = LoadSweep(result_path, costs);
  if (!sweep.ok()) return sweep.status();
  const Sweep& w = *sweep;
  std::optional<CostSweep> cost_sweep;
  if (const std::string spec = ContextValue(w.context, kTuneCostKey, "");
      !spec.empty()) {
    absl::StatusOr<CostSweep> parsed = ParseCostSweep(spec);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(result_path, ": ", parsed.status().message()));
    }
    cost_sweep = *parsed;
  }
  const std::string summary = SweepVerdicts(w, costs, cost_sweep);
  const fs::path json(result_path);
  const std::string stem = json.stem().string();
  const fs::path svg = json.parent_path() / (stem + ".svg");
  if (absl::Status s = SweepPlot(w, svg); !s.ok()) return s;
  const std::string md = absl::StrCat(
      "# ttbench tune: ", w.knob, " on ", w.workload, "\n\n",
      "Generated by `ttbench tune ", w.knob, " --workload ", w.workload,
      "` on ", ContextValue(w.context, "host_cpu"), " (simulated core ",
      ContextValue(w.context, "ttbench_profile"), ", commit ",
      ContextValue(w.context, "ttbench_commit"),
      "); every figure below is from that one run, in `",
      json.filename().string(),
      "`. Figures are per iteration of the workload. Modelled cycles are its "
      "event counts times the typical costs of the profile's cost model on ",
      costs.pes(),
      " PEs (`ttbench costs` lists the ranges and sources); "
      "host time is the simulator's on this machine.\n\n",
      summary, "\n![cost against ", w.knob, "](", svg.filename().string(),
      ")\n\n", SweepTable(w));
  const fs::path out = json.parent_path() / (stem + ".md");
  if (absl::Status s = WriteTextFile(out, md); !s.ok()) {
    fs::remove(svg);
    return s;
  }
  return TuneSummary{out.string(), summary};
}

}  // namespace ttb::bench
