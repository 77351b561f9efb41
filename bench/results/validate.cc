#include "bench/results/validate.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttb::bench {
namespace {

bool Emulated(const std::map<std::string, std::string>& context) {
  return ContextValue(context, "kvm") != "true";
}

}  // namespace

absl::StatusOr<std::vector<Prediction>> Predict(const ValidationInput& in) {
  const std::map<std::string, std::string>& context = *in.context;
  if (ContextValue(context, "ttbench_world") != "baremetal") {
    return absl::InvalidArgumentError(absl::StrCat(
        in.source,
        ": not a bare-metal result set (ttbench baremetal makes one)"));
  }
  if (Emulated(context) && !in.allow_emulated) {
    return absl::InvalidArgumentError(absl::StrCat(
        in.source,
        ": measured under QEMU TCG, whose cycles are the emulator's, not a "
        "core's (--allow_emulated validates against it anyway)"));
  }
  std::vector<Prediction> out;
  for (const auto& [name, m] : *in.baremetal) {
    const double measured = m.Counter("cycles");
    bool counted = false;
    for (const auto& [key, value] : m.counters) {
      counted |= value > 0 && Events::Known(key);
    }
    if (measured <= 0 || !counted) continue;
    const std::vector<double> c = in.costs->Coefficients(
        [&](const std::string& event) { return m.Counter(event); });
    out.push_back({name, measured, in.costs->Cycles(c, CostPoint::kLow),
                   in.costs->Cycles(c, CostPoint::kTypical),
                   in.costs->Cycles(c, CostPoint::kHigh)});
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        in.source,
        ": no workload with both event counts and PMU cycles (an image "
        "older than validate, or a core without a PMU?)"));
  }
  return out;
}

std::string ValidationTable(const std::vector<Prediction>& predictions,
                            const ValidationInput& in) {
  std::string text = absl::StrFormat("%-40s %14s %14s %14s %14s %9s  %s\n",
                                     "workload", "measured", "predicted low",
                                     "typical", "high", "error", "in range");
  std::vector<double> errors;
  int within = 0;
  for (const Prediction& p : predictions) {
    absl::StrAppendFormat(&text,
                          "%-40s %14.0f %14.0f %14.0f %14.0f %+8.1f%%  %s\n",
                          p.workload, p.measured, p.low, p.typical, p.high,
                          100 * p.error(), p.within() ? "yes" : "no");
    errors.push_back(std::fabs(p.error()));
    within += p.within();
  }
  std::sort(errors.begin(), errors.end());
  absl::StrAppendFormat(
      &text,
      "%d of %d workloads measured inside the predicted range; median "
      "|error| at typical costs %.1f%%. Cycles per iteration, from the "
      "cost model %s on %d PEs; the image does not count walks, TLB hits "
      "or descriptor reads, so they are not charged.\n",
      within, static_cast<int>(predictions.size()),
      100 * errors[errors.size() / 2], in.costs->profile(), in.costs->pes());
  if (Emulated(*in.context)) {
    absl::StrAppend(&text,
                    "These cycles were counted under QEMU TCG: they time the "
                    "emulator, so these errors say nothing about any core. "
                    "Run on KVM or a board to validate the model.\n");
  }
  return text;
}

}  // namespace ttb::bench
