// The cost-file loader on arbitrary text: a model with an ordered range
// and a source for every term, or one line naming the source and the
// problem; never a crash or an exception.
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/results/cost_model.h"
#include "fuzz_input.h"
#include "nlohmann/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ttb::bench;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json document;
  const absl::StatusOr<CostModel> m =
      CostModel::Parse(text, "fuzz.json", &document);
  if (!m.ok()) {
    ttb::fuzz::CheckLoaderError(std::string(m.status().message()), "fuzz.json");
    return 0;
  }
  ttb::fuzz::Check(m->ranges().size() == CostModel::Terms().size(),
                   "a range for every term");
  for (const CostRange& r : m->ranges()) {
    ttb::fuzz::Check(0 <= r.low && r.low <= r.typical && r.typical <= r.high,
                     "ordered, non-negative ranges");
    ttb::fuzz::Check(!r.source.empty(), "every range has a source");
  }
  ttb::fuzz::Check(m->pes() >= 1, "at least one PE");
  ttb::fuzz::Check(m->Cycles(Events()) == 0, "no events cost nothing");
  return 0;
}
