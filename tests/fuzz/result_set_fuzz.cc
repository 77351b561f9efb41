// The result-set loader on arbitrary text: it returns timings or one line
// naming the source and the problem; it never crashes, throws or hangs.
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/results/compare.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ttb::bench;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> context;
  const absl::StatusOr<Timings> t = ParseTimings(text, "fuzz.json", &context);
  if (!t.ok()) {
    ttb::fuzz::CheckLoaderError(std::string(t.status().message()), "fuzz.json");
    return 0;
  }
  for (const auto& [name, m] : *t) {
    ttb::fuzz::Check(!m.ns.empty(), "every benchmark has a time");
    // What the report does with every benchmark it reads.
    Median(m.ns);
    NameParts(name);
  }
  return 0;
}
