#include "bench/trace/summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttb::bench {

std::string SummarizeTrace(const Trace& t) {
  std::string out;
  for (const auto& [key, value] : t.provenance) {
    absl::StrAppend(&out, key, ": ", value, "\n");
  }
  uint64_t mapped = 0;
  for (const TraceMapping& m : t.mappings) mapped += m.pages;
  uint64_t frames = 0;
  for (const TracePage& p : t.present) frames += p.frame.has_value();
  const uint64_t span = t.writes.empty() ? 0 : t.writes.back().t_us - t.fork_us;
  absl::StrAppendFormat(
      &out,
      "%d mappings of %d pages; %d present at the fork (%.1f MiB), %d with "
      "their frame\n%d first writes after the fork, over %.3f s\n",
      t.mappings.size(), mapped, t.present.size(),
      static_cast<double>(t.present.size()) * kTracePageBytes / (1 << 20),
      frames, t.writes.size(), static_cast<double>(span) / 1e6);
  for (const auto& [key, value] : t.reported) {
    absl::StrAppend(&out, "reported ", key, ": ", value, "\n");
  }
  return out;
}

}  // namespace ttb::bench
