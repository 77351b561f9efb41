#include "bench/results/cost_model.h"

#include <fstream>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace ttb::bench {

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
      !doc["profile"].is_string() || !doc.contains("cycles") ||
      !doc["cycles"].is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": not a cost model (want {\"profile\": ..., \"cycles\": {...}})"));
  }
  CostModel model;
  model.profile_ = doc["profile"].get<std::string>();
  if (doc.contains("note") && doc["note"].is_string()) {
    model.note_ = doc["note"].get<std::string>();
  }
  for (const auto& [event, figure] : doc["cycles"].items()) {
    if (!figure.is_object() || !figure.contains("cycles") ||
        !figure["cycles"].is_number() || figure["cycles"].get<double>() < 0 ||
        !figure.contains("source") || !figure["source"].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": event \"", absl::CEscape(event),
                       "\" needs {\"cycles\": number >= 0, \"source\": text}"));
    }
    if (!Events::Known(event)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": \"", absl::CEscape(event),
                       "\" is not an event the simulator counts"));
    }
    model.cycles_[event] = figure["cycles"].get<double>();
  }
  if (document != nullptr) *document = doc;
  return model;
}

double CostModel::Cycles(const Events& events) const {
  double total = 0;
  for (const auto& [event, cycles] : cycles_)
    total += cycles * events.get(event);
  return total;
}

}  // namespace ttb::bench
