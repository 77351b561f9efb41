#include "bench/results/cost_model.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace ttb::bench {
namespace {

size_t IndexOf(std::string_view term) {
  const std::vector<std::string>& terms = CostModel::Terms();
  return static_cast<size_t>(std::find(terms.begin(), terms.end(), term) -
                             terms.begin());
}

// The range of `term` in `figure`, in `unit`, or what is wrong with it.
absl::StatusOr<CostRange> ParseRange(const std::string& term,
                                     const nlohmann::json& figure,
                                     const char* unit = "cycles") {
  const std::string where = absl::StrCat("\"", absl::CEscape(term), "\"");
  CostRange r;
  for (auto [key, value] :
       {std::pair{"low", &r.low}, std::pair{"typical", &r.typical},
        std::pair{"high", &r.high}}) {
    if (!figure.is_object() || !figure.contains(key) ||
        !figure[key].is_number() || figure[key].get<double>() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, " needs \"low\", \"typical\" and \"high\": ", unit, " >= 0"));
    }
    *value = figure[key].get<double>();
  }
  if (!figure.contains("source") || !figure["source"].is_string() ||
      figure["source"].get<std::string>().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " has no source (cite one, or say \"",
                     kNoPublishedFigure, "\" and give a wide range)"));
  }
  r.source = figure["source"].get<std::string>();
  if (!(r.low <= r.typical && r.typical <= r.high)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": want low <= typical <= high, not ", r.low, ", ",
                     r.typical, ", ", r.high));
  }
  if (!r.published() && r.high < kUnsourcedSpread * r.low) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, " has no published figure, so its range must span ",
        kUnsourcedSpread, "x at least (", r.low, " to ", r.high, " does not)"));
  }
  return r;
}

}  // namespace

bool CostRange::published() const {
  return !std::string_view(source).starts_with(kNoPublishedFigure);
}

bool IsBroadcastTlbi(std::string_view name) {
  return name.starts_with("tlbi.") && name.ends_with("is");
}

const std::vector<std::string>& CostModel::Terms() {
  static const auto* terms = [] {
    auto* all = new std::vector<std::string>(Events::Names());
    all->push_back(kPerOtherPeTerm);
    return all;
  }();
  return *terms;
}

absl::StatusOr<CostModel> CostModel::Load(const std::string& path,
                                          nlohmann::json* document) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  return Parse(text, path, document);
}

absl::StatusOr<CostModel> CostModel::Parse(std::string_view text,
                                           const std::string& path,
                                           nlohmann::json* document) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("profile") ||
      !doc["profile"].is_string() || !doc.contains("core") ||
      !doc["core"].is_string() || !doc.contains("costs") ||
      !doc["costs"].is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": not a cost model (want {\"profile\": ..., \"core\": "
                     "..., \"pes\": N, \"costs\": {...}})"));
  }
  if (!doc.contains("pes") || !doc["pes"].is_number_integer() ||
      doc["pes"].get<int64_t>() < 1 || doc["pes"].get<int64_t>() > 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": \"pes\" (PEs in the inner-shareable domain) must be 1 to "
        "4096"));
  }
  absl::StatusOr<CostRange> clock =
      doc.contains("clock_ghz")
          ? ParseRange("clock_ghz", doc["clock_ghz"], "GHz")
          : absl::InvalidArgumentError(
                "no \"clock_ghz\" (the cores' clock, a range with its "
                "source)");
  if (clock.ok() && clock->low <= 0) {
    clock = absl::InvalidArgumentError("\"clock_ghz\" must be above 0");
  }
  if (!clock.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", clock.status().message()));
  }
  CostModel model;
  model.clock_ghz_ = *std::move(clock);
  model.profile_ = doc["profile"].get<std::string>();
  model.core_ = doc["core"].get<std::string>();
  model.pes_ = doc["pes"].get<int>();
  if (doc.contains("note") && doc["note"].is_string()) {
    model.note_ = doc["note"].get<std::string>();
  }
  model.ranges_.resize(Terms().size());
  std::vector<bool> seen(Terms().size(), false);
  for (const auto& [term, figure] : doc["costs"].items()) {
    const size_t i = IndexOf(term);
    if (i == Terms().size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": \"", absl::CEscape(term),
                       "\" is not an event the simulator counts"));
    }
    absl::StatusOr<CostRange> r = ParseRange(term, figure);
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", r.status().message()));
    }
    model.ranges_[i] = *std::move(r);
    seen[i] = true;
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": no cost for \"", Terms()[i],
          "\" (every event needs one, or \"", kNoPublishedFigure, "\")"));
    }
  }
  if (document != nullptr) *document = doc;
  return model;
}

const CostRange& CostModel::range(std::string_view term) const {
  return ranges_.at(IndexOf(term));
}

void CostModel::set_range(std::string_view term, const CostRange& range) {
  ranges_.at(IndexOf(term)) = range;
}

std::vector<double> CostModel::Coefficients(
    absl::FunctionRef<double(const std::string&)> count) const {
  const std::vector<std::string>& terms = Terms();
  std::vector<double> c(terms.size(), 0);
  double broadcasts = 0;
  for (size_t i = 0; i + 1 < terms.size(); ++i) {
    c[i] = count(terms[i]);
    if (IsBroadcastTlbi(terms[i])) broadcasts += c[i];
  }
  c.back() = broadcasts * (pes_ - 1);
  return c;
}

std::vector<double> CostModel::Coefficients(const Events& events) const {
  return Coefficients([&](const std::string& name) {
    return static_cast<double>(events.get(name));
  });
}

std::vector<double> CostModel::Costs(CostPoint p) const {
  std::vector<double> costs;
  costs.reserve(ranges_.size());
  for (const CostRange& r : ranges_) costs.push_back(r.at(p));
  return costs;
}

double CostModel::Cycles(const std::vector<double>& coefficients,
                         CostPoint p) const {
  double total = 0;
  for (size_t i = 0; i < ranges_.size() && i < coefficients.size(); ++i) {
    total += coefficients[i] * ranges_[i].at(p);
  }
  return total;
}

}  // namespace ttb::bench
