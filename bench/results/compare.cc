#include "bench/results/compare.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <regex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/results/cost_model.h"
#include "bench/results/mann_whitney.h"
#include "bench/results/reach.h"
#include "nlohmann/json.hpp"

namespace ttb::bench {
namespace {

absl::StatusOr<double> Nanoseconds(const std::string& unit) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  // Escaped: the file's text must not break the error's one line.
  return absl::InvalidArgumentError(
      absl::StrCat("unknown time unit '", absl::CEscape(unit), "'"));
}

// Fields of a Google Benchmark entry that are not user counters.
bool IsStandardField(const std::string& key) {
  static const char* const kFields[] = {"name",
                                        "family_index",
                                        "per_family_instance_index",
                                        "run_name",
                                        "run_type",
                                        "repetitions",
                                        "repetition_index",
                                        "threads",
                                        "iterations",
                                        "real_time",
                                        "cpu_time",
                                        "time_unit",
                                        "aggregate_name",
                                        "aggregate_unit",
                                        "error_occurred",
                                        "error_message"};
  for (const char* f : kFields) {
    if (key == f) return true;
  }
  return false;
}

}  // namespace

std::string ContextValue(const std::map<std::string, std::string>& context,
                         const std::string& key, const std::string& missing) {
  auto it = context.find(key);
  return it == context.end() || it->second.empty() ? missing : it->second;
}

std::string WithoutMinTime(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  parts.erase(std::remove_if(parts.begin(), parts.end(),
                             [](const std::string& p) {
                               return p.rfind("min_time:", 0) == 0;
                             }),
              parts.end());
  return absl::StrJoin(parts, "/");
}

std::vector<std::string> NameParts(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (!parts.empty() && parts.back() == "manual_time") parts.pop_back();
  return parts;
}

std::pair<std::string, std::string> StrategyAndWorkload(
    const std::string& name) {
  std::vector<std::string> parts = NameParts(name);
  if (parts.size() < 2) return {"", name};
  std::string strategy = std::move(parts[1]);
  parts.erase(parts.begin() + 1);
  return {std::move(strategy), absl::StrJoin(parts, "/")};
}

const Measured* FindByParts(const Timings& all,
                            const std::vector<std::string>& parts) {
  for (const auto& [name, m] : all) {
    if (NameParts(name) == parts) return &m;
  }
  return nullptr;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string NonFiniteAsNull(std::string_view text) {
  static constexpr std::string_view kTokens[] = {"-Infinity", "Infinity",
                                                 "-NaN", "NaN"};
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];  // An escaped character, a quote included.
      } else if (c == '"') {
        in_string = false;
      }
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (std::string_view token : kTokens) {
      if (text.substr(i, token.size()) == token) {
        out += "null";
        i += token.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

absl::StatusOr<Timings> LoadTimings(
    const std::string& path, std::map<std::string, std::string>* context) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  return ParseTimings(text, path, context);
}

absl::StatusOr<Timings> ParseTimings(
    std::string_view text, const std::string& path,
    std::map<std::string, std::string>* context) {
  const nlohmann::json doc =
      nlohmann::json::parse(NonFiniteAsNull(text), nullptr, false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not JSON (truncated or corrupt)"));
  }
  if (!doc.is_object() || !doc.contains("benchmarks") ||
      !doc["benchmarks"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a benchmark result set (no \"benchmarks\" array)"));
  }
  if (context != nullptr && doc.contains("context") &&
      doc["context"].is_object()) {
    for (const auto& [key, value] : doc["context"].items()) {
      (*context)[key] =
          value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  Timings timings;
  for (const nlohmann::json& b : doc["benchmarks"]) {
    if (!b.is_object() || !b.contains("name") || !b["name"].is_string() ||
        !b.contains("real_time") || !b["real_time"].is_number() ||
        !b.contains("time_unit") || !b["time_unit"].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": a benchmark lacks name, real_time or time_unit"));
    }
    for (const char* key : {"run_type", "run_name"}) {
      if (b.contains(key) && !b[key].is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": a benchmark's ", key, " is not a string"));
      }
    }
    if (b.value("run_type", "iteration") != "iteration") continue;
    const absl::StatusOr<double> scale = Nanoseconds(b["time_unit"]);
    if (!scale.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", scale.status().message()));
    }
    const std::string name =
        WithoutMinTime(b.value("run_name", b["name"].get<std::string>()));
    Measured& m = timings[name];
    if (m.ns.empty()) {
      for (const auto& [key, value] : b.items()) {
        if (value.is_number() && !IsStandardField(key)) {
          m.counters[key] = value.get<double>();
        }
      }
    }
    m.ns.push_back(b["real_time"].get<double>() * *scale);
  }
  return timings;
}

namespace {

// What the cost model charges a benchmark; empty without events to charge.
std::vector<double> Charged(const CostModel* costs, const Measured& m) {
  if (costs == nullptr) return {};
  bool any = false;
  std::vector<double> c = costs->Coefficients([&](const std::string& event) {
    const double v = m.Counter(event);
    any |= v != 0;
    return v;
  });
  return any ? c : std::vector<double>();
}

// B against A in modelled cycles, and how far across the ranges the
// difference holds: "B/A 1.250 in modelled cycles, holds across ...".
std::string ModelledVerdict(const CostModel& costs,
                            const std::vector<double>& a,
                            const std::vector<double>& b, double ratio) {
  if (a == b) return "the same modelled work";
  const bool b_dearer = ratio > 1;
  const Reach reach =
      b_dearer ? VerdictReach(costs, a, b) : VerdictReach(costs, b, a);
  return absl::StrFormat("B %s in modelled cycles (B/A %.3f), %s",
                         b_dearer ? "dearer" : "cheaper", ratio,
                         DescribeReach(costs, reach));
}

}  // namespace

int Compare(const Timings& a, const Timings& b, const CompareOptions& o,
            std::ostream& out) {
  const std::regex may_fail(o.fail_on.empty() ? "." : o.fail_on);
  out << absl::StrFormat("%-58s %12s %12s %8s %8s  %s\n", "benchmark", "A (ns)",
                         "B (ns)", "B/A", "p", "verdict");
  int regressions = 0;
  for (const auto& [name, measured_a] : a) {
    const std::vector<double>& times_a = measured_a.ns;
    const auto it = b.find(name);
    if (it == b.end()) {
      out << absl::StrFormat("%-58s only in A\n", name);
      continue;
    }
    const std::vector<double>& times_b = it->second.ns;
    const std::vector<double> charged_a = Charged(o.costs, measured_a);
    const std::vector<double> charged_b = Charged(o.costs, it->second);
    if (!charged_a.empty() && !charged_b.empty()) {
      // The simulated machine's work: exact counts, no noise to test.
      const double ca = o.costs->Cycles(charged_a);
      const double cb = o.costs->Cycles(charged_b);
      const double ratio = ca > 0 ? cb / ca : (cb > 0 ? INFINITY : 1);
      std::string verdict =
          ModelledVerdict(*o.costs, charged_a, charged_b, ratio);
      if (ratio > 1 + o.threshold && std::regex_search(name, may_fail)) {
        ++regressions;
        verdict += ", REGRESSION";
      }
      out << absl::StrFormat("%-58s %12.1f %12.1f %8s %8s  %s\n", name,
                             Median(times_a), Median(times_b), "-", "-",
                             verdict);
      continue;
    }
    const double ma = Median(times_a);
    const double mb = Median(times_b);
    const double ratio = ma > 0 ? mb / ma : 0;
    const bool testable = times_a.size() >= 2 && times_b.size() >= 2;
    double p = 1;
    std::string verdict = "one run each: no test";
    if (testable) {
      p = MannWhitneyU(times_a, times_b).p_value;
      verdict = p >= o.alpha ? "same (not significant)"
                : ratio > 1  ? "slower"
                             : "faster";
    }
    const bool regressed =
        ratio > 1 + o.threshold && (!testable || p < o.alpha);
    if (regressed && std::regex_search(name, may_fail)) {
      ++regressions;
      verdict += ", REGRESSION";
    }
    out << absl::StrFormat("%-58s %12.1f %12.1f %8.3f %8s  %s\n", name, ma, mb,
                           ratio, testable ? absl::StrFormat("%.4f", p) : "-",
                           verdict);
  }
  for (const auto& [name, times] : b) {
    if (!a.count(name)) out << absl::StrFormat("%-58s only in B\n", name);
  }
  return regressions;
}

}  // namespace ttb::bench
