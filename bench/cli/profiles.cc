#include "bench/cli/profiles.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/plot.h"

namespace ttb::bench {

std::vector<std::string> ProfileNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<Profile> LoadProfile(const std::string& dir,
                                    const std::string& name, int cores,
                                    nlohmann::json* document) {
  const std::string path = absl::StrCat(dir, "/", name, ".json");
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(
        absl::StrCat("unknown profile '", name, "' (known in ", dir, ": ",
                     absl::StrJoin(ProfileNames(dir), ", "), ")"));
  }
  absl::StatusOr<CostModel> costs = CostModel::Load(path, document);
  if (!costs.ok()) return costs.status();
  const sim::TlbProfile* tlb = sim::FindTlbProfile(costs->core());
  if (tlb == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no TLB profile for core '", costs->core(), "'"));
  }
  if (cores < 0 || cores > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cores must be 1 to 4096, not ", cores));
  }
  if (cores != 0) costs->set_pes(cores);
  return Profile{*std::move(costs), tlb};
}

void ListProfiles(const std::string& dir, std::ostream& out) {
  for (const std::string& name : ProfileNames(dir)) {
    const absl::StatusOr<Profile> p = LoadProfile(dir, name, 0);
    if (!p.ok()) {
      out << "  " << name << ": " << p.status().message() << "\n";
      continue;
    }
    const sim::TlbProfile& t = *p->tlb;
    out << "  " << name << ": " << p->costs.pes() << " PEs of " << t.name
        << "; L1 data TLB " << t.l1_data.entries << ", L2 " << t.l2.entries
        << " (" << t.l2.ways << "-way), walk cache " << t.walk_cache.entries
        << " (" << t.source << ")\n";
  }
}

void PrintCosts(const CostModel& model, std::ostream& out) {
  const CostRange& clock = model.clock_ghz();
  out << "profile " << model.profile() << ": " << model.pes() << " PEs of "
      << model.core() << " at "
      << absl::StrFormat("%g GHz [%g-%g]", clock.typical, clock.low, clock.high)
      << " (" << clock.source << ")\n"
      << model.note() << "\n\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> unsourced;
  for (size_t i = 0; i < CostModel::Terms().size(); ++i) {
    const CostRange& r = model.ranges()[i];
    const std::string& term = CostModel::Terms()[i];
    rows.push_back({term, absl::StrFormat("%g", r.low),
                    absl::StrFormat("%g", r.typical),
                    absl::StrFormat("%g", r.high), r.source});
    if (!r.published()) unsourced.push_back(term);
  }
  out << Table({"term", "low", "typical", "high", "source"}, rows)
      << "Cycles. Broadcast TLBIs are also charged " << kPerOtherPeTerm
      << " for each of the other " << model.pes() - 1
      << " PEs; the DSB that completes TLB maintenance is charged its "
         "tlbi_completions.* wait on top of its own cost.\n"
      << unsourced.size() << " of " << rows.size()
      << " figures have no published source: " << absl::StrJoin(unsourced, ", ")
      << ".\n";
}

}  // namespace ttb::bench
