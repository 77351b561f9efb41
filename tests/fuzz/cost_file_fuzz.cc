// The cost-file loader on arbitrary text: a model whose every figure is a
// non-negative number for an event the simulator counts, or one line
// naming the source and the problem; never a crash or an exception.
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
  Events one_each;
  for (const auto& [event, cycles] : m->cycles_per_event()) {
    ttb::fuzz::Check(Events::Known(event), "only events the simulator counts");
    ttb::fuzz::Check(cycles >= 0, "no negative figure");
  }
  ttb::fuzz::Check(m->Cycles(one_each) == 0, "no events cost nothing");
  return 0;
}
