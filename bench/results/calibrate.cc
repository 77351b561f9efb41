#include "bench/results/calibrate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/names.h"

namespace ttb::bench {
namespace {

// The bare-metal benchmark of `count` TLBIs of the kind `event` counts
// ("tlbi.vale1is"), and the DSB completing them; "" when `event` is not a
// TLBI's.
std::string TlbiBenchmark(const std::string& event, int count) {
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    for (const bool inner : {false, true}) {
      const auto o = static_cast<tlbi::Op>(op);
      if (event == TlbiEventName(o, inner).c_str()) {
        return TlbiBenchmarkName(o, inner, count).c_str();
      }
    }
  }
  return "";
}

// Events a single benchmark measures whole.
struct Direct {
  const char* event;
  const char* benchmark;
};
constexpr Direct kDirect[] = {
    {"dsb.ish", "dsb/ish"},
    {"dsb.nsh", "dsb/nsh"},
    {"dsb.ishst", "dsb/ishst"},
    {"dsb.nshst", "dsb/nshst"},
    {"isb", "isb"},
    {"ttbr0_writes", "ttbr0/write"},
    {"pages_copied", "copy/4KiB"},
    {"tables_allocated", "table/allocate_release"},
    {"faults", "exception/brk_round_trip"},
};

// A measured figure and how it was derived.
struct Figure {
  double cycles;
  std::string how;
};

class Measurements {
 public:
  Measurements(const Timings& t, std::string source)
      : timings_(t), source_(std::move(source)) {}

  // Cycles per iteration of `name`; nullopt when the run lacks it, an
  // error when it has it without cycles (no PMU).
  absl::StatusOr<std::optional<double>> Cycles(const std::string& name) const {
    const auto it = timings_.find(name);
    if (it == timings_.end()) return std::optional<double>();
    const auto c = it->second.counters.find("cycles");
    if (c == it->second.counters.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source_, ": ", name,
          " has no cycle count (the core has no PMU, or it was not "
          "enabled): calibrate needs PMCCNTR_EL0"));
    }
    return std::optional<double>(c->second);
  }

  // A page TLBI's issue cost and the completion its DSB waits for, from one
  // and kTlbiBatch TLBIs before one DSB: c(n) = n x issue + completion.
  // Noise can make either come out negative; it is then 0.
  absl::StatusOr<std::pair<Figure, Figure>> SplitTlbi(bool inner) const {
    const std::string one =
        TlbiBenchmarkName(tlbi::Op::kVale1, inner, 1).c_str();
    const std::string many =
        TlbiBenchmarkName(tlbi::Op::kVale1, inner, kTlbiBatch).c_str();
    const absl::StatusOr<std::optional<double>> c1 = Cycles(one);
    if (!c1.ok()) return c1.status();
    const absl::StatusOr<std::optional<double>> cn = Cycles(many);
    if (!cn.ok()) return cn.status();
    if (!c1->has_value() || !cn->has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source_, ": lacks ", c1->has_value() ? many : one,
          " (an image older than calibrate? run ttbench baremetal again)"));
    }
    const double issue = std::max(0.0, (**cn - **c1) / (kTlbiBatch - 1));
    const double completion = std::max(0.0, **c1 - issue);
    const std::string pair = absl::StrCat(one, " and ", many);
    return std::make_pair(
        Figure{issue, absl::StrCat("slope of ", pair, " (issue of one TLBI)")},
        Figure{completion, absl::StrCat("intercept of ", pair,
                                        " (a DSB completing one page TLBI)")});
  }

  // The wait a DSB adds when it completes a TLBI: the intercept less the
  // same DSB with nothing to complete.
  absl::StatusOr<Figure> Wait(const Figure& intercept, bool inner) const {
    const std::string dsb = inner ? "dsb/ish" : "dsb/nsh";
    const absl::StatusOr<std::optional<double>> c = Cycles(dsb);
    if (!c.ok()) return c.status();
    const double alone = c->value_or(0);
    return Figure{std::max(0.0, intercept.cycles - alone),
                  absl::StrCat(intercept.how, " less ", dsb)};
  }

 private:
  const Timings& timings_;
  std::string source_;
};

}  // namespace

std::string ProfileOfMidr(const std::string& midr) {
  absl::string_view hex = midr;
  if (absl::StartsWith(hex, "0x")) hex.remove_prefix(2);
  uint64_t value = 0;
  const auto [end, error] =
      std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  if (error != std::errc() || end != hex.data() + hex.size()) return "";
  // MIDR_EL1: Implementer in bits 31:24 (0x41, Arm), PartNum in 15:4, as
  // each core's TRM gives them.
  if ((value >> 24 & 0xFF) != 0x41) return "";
  switch (value >> 4 & 0xFFF) {
    case 0xD03:
      return "cortex-a53";
    case 0xD08:
      return "cortex-a72";
    case 0xD0C:
      return "neoverse-n1";
    default:
      return "";
  }
}

absl::StatusOr<Calibration> Calibrate(const CalibrationInput& in) {
  const std::map<std::string, std::string>& context = *in.context;
  const std::string& source = in.source;
  if (ContextValue(context, "ttbench_world") != "baremetal") {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a bare-metal result set (ttbench baremetal makes one)"));
  }
  if (ContextValue(context, "kvm") != "true" && !in.allow_emulated) {
    return absl::InvalidArgumentError(absl::StrCat(
        source,
        ": measured under QEMU TCG, which times the emulator, not a core "
        "(--allow_emulated calibrates from it anyway)"));
  }
  const std::string profile = in.base->value("profile", "");
  const std::string core = in.base->value("core", profile);
  const std::string midr = ContextValue(context, "midr");
  const std::string midr_core = ProfileOfMidr(midr);
  if (!midr_core.empty() && midr_core != core) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": MIDR ", midr, " is a ", midr_core, ", not a ", core,
        " (use a --profile of that core, such as ", midr_core, ")"));
  }

  const Measurements m(*in.baremetal, source);
  const auto local = m.SplitTlbi(false);
  if (!local.ok()) return local.status();
  const auto inner = m.SplitTlbi(true);
  if (!inner.ok()) return inner.status();

  // The figure for one event, or nullopt when this run does not measure it:
  // the benchmark that times it, less what of it is another event's.
  auto measure =
      [&](const std::string& event) -> absl::StatusOr<std::optional<Figure>> {
    for (const bool is : {false, true}) {
      if (event !=
          (is ? "tlbi_completions.broadcast" : "tlbi_completions.local")) {
        continue;
      }
      const absl::StatusOr<Figure> w = m.Wait((is ? inner : local)->second, is);
      if (!w.ok()) return w.status();
      return std::optional(*w);
    }
    if (event == "tlbi.vale1") return std::optional(local->first);
    if (event == "tlbi.vale1is") return std::optional(inner->first);
    std::string name, how;
    double less = 0;
    if (const std::string tlbi = TlbiBenchmark(event, 1); !tlbi.empty()) {
      const bool is = absl::EndsWith(event, "is");
      name = tlbi;
      less = (is ? inner->second : local->second).cycles;
      how = absl::StrCat(name, " less the intercept of its DSB (",
                         is ? "dsb.ish" : "dsb.nsh", " and its wait)");
    }
    for (const Direct& d : kDirect) {
      if (event == d.event) name = how = d.benchmark;
    }
    if (name.empty()) return std::optional<Figure>();
    const absl::StatusOr<std::optional<double>> c = m.Cycles(name);
    if (!c.ok()) return c.status();
    if (!c->has_value()) return std::optional<Figure>();
    return std::optional(Figure{std::max(0.0, **c - less), how});
  };

  Calibration out;
  out.costs = *in.base;
  const std::string run = absl::StrCat(
      source, " (", ContextValue(context, "timing"), "; MIDR ", midr,
      "; ttbench commit ", ContextValue(context, "ttbench_commit"), ", ",
      ContextValue(context, "date"), ")");
  for (auto& [event, figure] : out.costs["costs"].items()) {
    const absl::StatusOr<std::optional<Figure>> f = measure(event);
    if (!f.ok()) return f.status();
    if (!f->has_value()) {
      out.kept.push_back(event);
      continue;
    }
    out.measured.push_back(event);
    // A measured figure is a point: its range collapses onto it.
    const double cycles = std::round((*f)->cycles * 10) / 10;
    figure["low"] = figure["typical"] = figure["high"] = cycles;
    figure["source"] = absl::StrCat("measured: ", (*f)->how,
                                    "; PMCCNTR_EL0 cycles from ", run);
  }
  out.costs["note"] = absl::StrCat(
      "Calibrated by `ttbench calibrate` from ", run, ": ", out.measured.size(),
      " figures measured (their ranges replaced by the point); ",
      out.kept.size(), " ranges kept from the ", profile, " profile (",
      absl::StrJoin(out.kept, ", "), ").");
  return out;
}

}  // namespace ttb::bench
