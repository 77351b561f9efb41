// The cost of every event the simulator counts on one core profile, as a
// range with its evidence, read from bench/costs/<profile>.json:
//
//   {"profile": "neoverse-n1-80", "core": "neoverse-n1", "pes": 80,
//    "note": "...",
//    "clock_ghz": {"low": 2.5, "typical": 3.0, "high": 3.3, "source": ...},
//    "costs": {"tlbi.vale1is": {"low": 5, "typical": 20, "high": 60,
//                               "source": "..."}, ...}}
//
// Every term must be there, with low <= typical <= high cycles and a
// source: a publication, thread, repository path or manual, or the words
// "no published figure" and a range at least kUnsourcedSpread wide.
// Modelled cycles are linear in the costs (counts x cycles), which is what
// lets a verdict say exactly how far across the ranges it holds (reach.h).
#ifndef TTBENCH_BENCH_RESULTS_COST_MODEL_H_
#define TTBENCH_BENCH_RESULTS_COST_MODEL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "bench/results/events.h"
#include "nlohmann/json_fwd.hpp"

namespace ttb::bench {

// The result-set context key holding the note of the cost model a run
// charged its events with.
inline constexpr char kCostsNoteKey[] = "ttbench_costs";
// The context key holding the PEs the run's cost model charged for.
inline constexpr char kPesKey[] = "ttbench_pes";

// The one term that is not an event: cycles the issuing PE waits, per
// broadcast TLBI, for each other PE of the inner-shareable domain, so that
// broadcast completion grows with the machine.
inline constexpr char kPerOtherPeTerm[] = "broadcast_tlbi.per_other_pe";
// Sources that start with this have no published figure behind them.
inline constexpr char kNoPublishedFigure[] = "no published figure";
// Such a range must span at least this factor (high >= spread x low).
inline constexpr double kUnsourcedSpread = 4;

enum class CostPoint { kLow, kTypical, kHigh };

struct CostRange {
  double low = 0;
  double typical = 0;
  double high = 0;
  std::string source;

  double at(CostPoint p) const {
    return p == CostPoint::kLow ? low : p == CostPoint::kHigh ? high : typical;
  }
  bool published() const;
};

class CostModel {
 public:
  // Reads and checks `path`; the error is one line naming the file and
  // the first problem. `document` receives the file as read, when given
  // (calibrate rewrites it).
  static absl::StatusOr<CostModel> Load(const std::string& path,
                                        nlohmann::json* document = nullptr);
  // Load of a file's text; `source` names it in errors.
  static absl::StatusOr<CostModel> Parse(std::string_view text,
                                         const std::string& source,
                                         nlohmann::json* document = nullptr);

  // Every term a cost file prices, in a fixed order: each event the
  // simulator counts (Events::Names()), then kPerOtherPeTerm.
  static const std::vector<std::string>& Terms();

  const std::string& profile() const { return profile_; }
  // The TLB profile (engine/sim/tlb_profile.h) the simulator runs.
  const std::string& core() const { return core_; }
  // PEs in the inner-shareable domain: the file's, or --cores.
  int pes() const { return pes_; }
  void set_pes(int pes) { pes_ = pes; }
  // The cores' clock: what turns modelled cycles into time, where a
  // workload runs against a trace's clock (async_fork's background copy
  // beside the parent's writes in a replay).
  const CostRange& clock_ghz() const { return clock_ghz_; }
  // What the figures are: published ranges, or measured by `ttbench
  // calibrate` from a named run. Results record it, so a report can tell
  // whether its cost model is the one their modelled cycles came from.
  const std::string& note() const { return note_; }
  // In Terms() order.
  const std::vector<CostRange>& ranges() const { return ranges_; }
  const CostRange& range(std::string_view term) const;
  // Replaces one term's range (`ttbench tune --cost`, calibrate).
  void set_range(std::string_view term, const CostRange& range);

  // How many times each term is charged, in Terms() order, from a count
  // per event name: the event's count, and for kPerOtherPeTerm the
  // broadcast TLBIs times (pes - 1).
  std::vector<double> Coefficients(
      absl::FunctionRef<double(const std::string&)> count) const;
  std::vector<double> Coefficients(const Events& events) const;
  // The costs at one point of every range, in Terms() order.
  std::vector<double> Costs(CostPoint p) const;
  // Coefficients times costs.
  double Cycles(const std::vector<double>& coefficients,
                CostPoint p = CostPoint::kTypical) const;
  double Cycles(const Events& events, CostPoint p = CostPoint::kTypical) const {
    return Cycles(Coefficients(events), p);
  }

 private:
  std::string profile_;
  std::string core_;
  int pes_ = 1;
  CostRange clock_ghz_;
  std::string note_;
  std::vector<CostRange> ranges_;
};

// Whether `name` counts broadcast TLBIs ("tlbi.<op>is").
bool IsBroadcastTlbi(std::string_view name);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_COST_MODEL_H_
