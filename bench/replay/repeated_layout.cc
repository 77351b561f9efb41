#include "bench/replay/repeated_layout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ttb::bench {
namespace {

constexpr uint64_t kCopyStride = uint64_t{1} << 40;  // 1 TiB.
constexpr uint64_t kVaLimit = uint64_t{1} << 48;

}  // namespace

absl::StatusOr<ReplayLayout> Repeated(const ReplayLayout& layout,
                                      uint64_t copies) {
  if (copies == 0) return absl::InvalidArgumentError("no copies");
  ReplayLayout r;
  r.frames = layout.frames * copies;
  r.snapshot_us = layout.snapshot_us * copies;
  r.sample_us = layout.sample_us;
  r.frames_known = layout.frames_known;
  r.skipped_pages = layout.skipped_pages * copies;
  r.skipped_writes = layout.skipped_writes * copies;
  for (uint64_t k = 0; k < copies; ++k) {
    for (const LaidRun& run : layout.runs) {
      LaidRun copy = run;
      copy.va += k * kCopyStride;
      copy.first += k * layout.pages();
      if (copy.va + copy.pages * kTracePageBytes > kVaLimit) {
        return absl::InvalidArgumentError(absl::StrCat(
            "copy ", k + 1, " of the layout ends above 2^48: fewer copies"));
      }
      r.runs.push_back(copy);
    }
    for (const uint64_t f : layout.frame_of) {
      r.frame_of.push_back(f + k * layout.frames);
    }
    for (const ReplayWrite& w : layout.writes) {
      r.writes.push_back(
          {w.us_after_fork + k * layout.snapshot_us, w.va + k * kCopyStride});
    }
  }
  // Runs in address order, as LayOut gives them; any overlap is a clash
  // between copies.
  std::vector<LaidRun> sorted = r.runs;
  std::sort(sorted.begin(), sorted.end(),
            [](const LaidRun& a, const LaidRun& b) { return a.va < b.va; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    const LaidRun& before = sorted[i - 1];
    if (before.va + before.pages * kTracePageBytes > sorted[i].va) {
      return absl::InvalidArgumentError(
          "the layout spans more than 1 TiB of VA: its copies overlap");
    }
  }
  r.runs = std::move(sorted);
  return r;
}

}  // namespace ttb::bench
