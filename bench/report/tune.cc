#include "bench/report/tune.h"

#include <algorithm>
#include <filesystem>
#include <map>
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

}  // namespace

absl::StatusOr<TuneSummary> WriteTuneReport(const std::string& result_path) {
  std::map<std::string, std::string> context;
  absl::StatusOr<Timings> all = LoadTimings(result_path, &context);
  if (!all.ok()) return all.status();
  if (!context.count(kTuneKnobKey) || !context.count(kTuneDefaultKey) ||
      !context.count(kTuneWorkloadKey)) {
    return absl::InvalidArgumentError(
        absl::StrCat(result_path, ": not a ttbench tune result set (no ",
                     kTuneKnobKey, " context)"));
  }
  const std::string knob = context[kTuneKnobKey];
  const std::string workload = context[kTuneWorkloadKey];
  int64_t default_value = 0;
  if (!absl::SimpleAtoi(context[kTuneDefaultKey], &default_value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(result_path, ": ", kTuneDefaultKey, " is not a number"));
  }
  const std::regex name(R"(^tune/[^=/]+=(-?\d+)/(.+)/manual_time$)");
  std::vector<Point> points;
  for (const auto& [run, m] : *all) {
    std::smatch match;
    if (!std::regex_match(run, match, name) || match[2] != workload ||
        m.ns.empty()) {
      continue;
    }
    points.push_back({std::stoll(match[1].str()), Median(m.ns), m});
  }
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.value < b.value; });
  auto def = std::find_if(points.begin(), points.end(), [&](const Point& p) {
    return p.value == default_value;
  });
  if (def == points.end() || def->ns <= 0 ||
      def->measured.Counter("modelled_cycles") <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(result_path, ": no measurement of ", knob,
                     " at its default ", default_value, " on ", workload));
  }
  std::vector<double> time_ratio, cycle_ratio;
  Points time_curve, cycle_curve;
  for (const Point& p : points) {
    time_ratio.push_back(p.ns / def->ns);
    cycle_ratio.push_back(p.measured.Counter("modelled_cycles") /
                          def->measured.Counter("modelled_cycles"));
    time_curve.emplace_back(p.value, time_ratio.back());
    cycle_curve.emplace_back(p.value, cycle_ratio.back());
  }

  const std::string profile = ContextValue(context, "ttbench_profile");
  // Modelled cycles are exact counts times fixed costs: any difference is
  // real. Host time on this VM is noisy: HostTimesLevel decides.
  size_t repetitions = def->measured.ns.size();
  for (const Point& p : points) {
    repetitions = std::min(repetitions, p.measured.ns.size());
  }
  auto host_side = [&](size_t i) {
    if (HostTimesLevel(points[i].measured.ns, def->measured.ns)) {
      return Side::kLevel;
    }
    return time_ratio[i] < 1 ? Side::kCheaper : Side::kDearer;
  };
  const std::string host_noise =
      absl::StrCat(" (level: ", HostLevelRule(repetitions), ")");
  const std::string summary = absl::StrCat(
      "- ",
      Verdict(
          "Modelled cycles", points, cycle_ratio,
          [&](size_t i) { return SideOf(cycle_ratio[i], kModelledNoise); },
          default_value, ""),
      "\n- ",
      Verdict("Host time", points, time_ratio, host_side, default_value,
              host_noise),
      "\n");

  const fs::path json(result_path);
  const std::string stem = json.stem().string();
  const fs::path svg = json.parent_path() / (stem + ".svg");
  const bool geometric = points.front().value > 0 &&
                         points.back().value >= 16 * points.front().value;
  std::string extra = absl::StrFormat(
      "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2\n"
      "set arrow from first %d, graph 0 to first %d, graph 1 nohead dt 3\n"
      "set label 'default' at first %d, graph 0.95 offset 0.5,0\n",
      default_value, default_value, default_value);
  if (geometric) extra += "set logscale x 2\n";
  if (absl::Status s =
          LinePlot(svg.string(), absl::StrCat(knob, " on ", workload),
                   knob.substr(knob.find('.') + 1),
                   "cost relative to the default", extra,
                   {{"modelled cycles", cycle_curve},
                    {"host time (median)", time_curve}});
      !s.ok()) {
    return s;
  }

  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    rows.push_back(
        {absl::StrCat(p.value, p.value == default_value ? " (default)" : ""),
         Fixed(p.ns / 1e3, 2), Fixed(time_ratio[i], 3),
         Fixed(p.measured.Counter("modelled_cycles"), 0),
         Fixed(cycle_ratio[i], 3), Fixed(p.measured.Counter("tlbi"), 0),
         Fixed(p.measured.Counter("tlbi_broadcast"), 0),
         Fixed(p.measured.Counter("walks"), 0),
         Fixed(p.measured.Counter("faults"), 0),
         Fixed(p.measured.Counter("pages_copied"), 0)});
  }
  const std::string md = absl::StrCat(
      "# ttbench tune: ", knob, " on ", workload, "\n\n",
      "Generated by `ttbench tune ", knob, " --workload ", workload, "` on ",
      ContextValue(context, "host_cpu"), " (simulated core ", profile,
      ", commit ", ContextValue(context, "ttbench_commit"),
      "); every figure below is from that one run, in `",
      json.filename().string(),
      "`. Figures are per iteration of the workload. Modelled cycles use "
      "the profile's uncalibrated cost assumptions; host time is the "
      "simulator's on this machine.\n\n",
      summary, "\n![cost against ", knob, "](", svg.filename().string(),
      ")\n\n",
      Table({"value", "host time (us)", "x default", "modelled cycles",
             "x default", "TLBIs", "broadcast TLBIs", "walks", "faults",
             "pages copied"},
            rows));
  const fs::path out = json.parent_path() / (stem + ".md");
  if (absl::Status s = WriteTextFile(out, md); !s.ok()) {
    fs::remove(svg);
    return s;
  }
  return TuneSummary{out.string(), summary};
}

}  // namespace ttb::bench
