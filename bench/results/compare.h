// `ttbench compare A.json B.json`: per benchmark present in both result
// sets, the ratio of median times (B / A) and whether the difference is
// significant over repetitions (Mann-Whitney U, as compare.py does).
#ifndef TTBENCH_BENCH_RESULTS_COMPARE_H_
#define TTBENCH_BENCH_RESULTS_COMPARE_H_

#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace ttb::bench {

// One benchmark of a result set: its time in ns per repetition (iteration
// runs only), and the counters of its first repetition.
struct Measured {
  std::vector<double> ns;
  std::map<std::string, double> counters;
  // A counter's value; 0 when the benchmark did not record it.
  double Counter(const std::string& name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }
};
using Timings = std::map<std::string, Measured>;

// Google Benchmark writes a counter that is not finite (the coefficient of
// variation of a counter that is always 0, with repetitions) as a bare
// NaN or Infinity, which JSON does not allow: this turns such tokens
// outside strings into null, which LoadTimings ignores as it does any
// value that is not a number.
std::string NonFiniteAsNull(std::string_view text);

// Reads a Google Benchmark JSON file, keyed by run name; the error is one
// line naming the file and what is wrong with it. `context` receives its
// context block (string values) when given.
absl::StatusOr<Timings> LoadTimings(
    const std::string& path,
    std::map<std::string, std::string>* context = nullptr);
// LoadTimings of a file's text; `source` names it in errors.
absl::StatusOr<Timings> ParseTimings(
    std::string_view text, const std::string& source,
    std::map<std::string, std::string>* context = nullptr);

// A result's context value for `key`, or `missing` when it has none or an
// empty one (the driver run without --commit records "").
std::string ContextValue(const std::map<std::string, std::string>& context,
                         const std::string& key,
                         const std::string& missing = "?");

// A benchmark's name without the "/min_time:<s>" part Google Benchmark
// adds for a benchmark given its own minimum time: LoadTimings keys every
// benchmark by its name without it, so results compare across such
// changes.
std::string WithoutMinTime(const std::string& name);

// A benchmark's name split at '/', without the "manual_time" suffix:
// "fork/lazy_cow/dense/1024MiB/manual_time" -> fork, lazy_cow, dense, 1024MiB.
std::vector<std::string> NameParts(const std::string& name);
// A strategy's benchmark split into the strategy (its name's second part)
// and the rest, the workload: "fork/lazy_cow/dense/1MiB/manual_time" ->
// {"lazy_cow", "fork/dense/1MiB"}. The strategy is "" for a name of one
// part.
std::pair<std::string, std::string> StrategyAndWorkload(
    const std::string& name);
// The benchmark of `all` whose name has these parts, or nullptr.
const Measured* FindByParts(const Timings& all,
                            const std::vector<std::string>& parts);

// The median of a benchmark's repetitions.
double Median(std::vector<double> v);

class CostModel;

struct CompareOptions {
  double threshold = 0.05;   // A ratio above 1 + threshold is a regression.
  std::string fail_on = "";  // Regex of benchmarks that may fail the run.
  double alpha = 0.05;       // Significance level.
  // Charges the simulator's benchmarks' events, when given.
  const CostModel* costs = nullptr;
};

// Writes the comparison table; returns how many benchmarks matching
// fail_on regressed past the threshold. A benchmark of the simulator with
// event counts is judged by its modelled cycles (exact, so no test; the
// table says how far across the cost ranges the change holds); any other
// by host time, significantly where there are repetitions to test.
int Compare(const Timings& a, const Timings& b, const CompareOptions& options,
            std::ostream& out);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_COMPARE_H_
