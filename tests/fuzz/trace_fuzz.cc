// The trace loader on arbitrary bytes, as gzip and as text: a trace that
// keeps every rule of the format (and formats back to text that parses to
// the same trace), or one line naming the source and the problem; never a
// crash, an exception or an unbounded inflation.
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/trace/gzip.h"
#include "bench/trace/trace.h"
#include "fuzz_input.h"

namespace {

void CheckParsed(std::string_view text) {
  using namespace ttb::bench;
  const absl::StatusOr<Trace> t = ParseTrace(text, "fuzz.ttrace");
  if (!t.ok()) {
    ttb::fuzz::CheckLoaderError(std::string(t.status().message()),
                                "fuzz.ttrace");
    return;
  }
  for (size_t i = 1; i < t->writes.size(); ++i) {
    ttb::fuzz::Check(t->writes[i - 1].t_us <= t->writes[i].t_us,
                     "writes in time order");
  }
  const absl::StatusOr<Trace> again =
      ParseTrace(FormatTrace(*t), "fuzz.ttrace");
  ttb::fuzz::Check(again.ok() && *again == *t,
                   "a trace formats and parses "
                   "back to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Inflated text is capped, as LoadTrace caps it.
  const absl::StatusOr<std::string> text = ttb::bench::Gunzip(bytes, 1 << 20);
  CheckParsed(text.ok() ? std::string_view(*text) : bytes);
  return 0;
}
