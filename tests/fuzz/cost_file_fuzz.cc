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
    const std::string message(m.status().message());
    ttb::fuzz::Check(message.rfind("fuzz.json: ", 0) == 0,
                     "the error names the file");
    ttb::fuzz::Check(message.find('\n') == std::string::npos,
                     "the error is one line");
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
