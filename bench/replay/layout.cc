#include "bench/replay/layout.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace ttb::bench {
namespace {

// The permissions the simulator maps a mapping's pages with, from
// /proc/PID/maps's "rwxp"; none for one it cannot map as the process had
// it.
std::optional<PagePerms> PermsOf(const std::string& perms) {
  const bool read = perms.find('r') != std::string::npos;
  const bool write = perms.find('w') != std::string::npos;
  const bool exec = perms.find('x') != std::string::npos;
  const bool shared = perms.find('s') != std::string::npos;
  if (write) {
    if (shared) return std::nullopt;
    return PagePerms::kReadWrite;
  }
  if (exec) return PagePerms::kReadExecute;
  if (read) return PagePerms::kReadOnly;
  return std::nullopt;
}

// The run of `runs` (in address order) holding `va`, or nullptr.
const LaidRun* RunHolding(const std::vector<LaidRun>& runs, uint64_t va) {
  auto after = std::upper_bound(
      runs.begin(), runs.end(), va,
      [](uint64_t v, const LaidRun& run) { return v < run.va; });
  if (after == runs.begin()) return nullptr;
  const LaidRun& run = *std::prev(after);
  return va < run.va + run.pages * kTracePageBytes ? &run : nullptr;
}

}  // namespace

std::vector<uint64_t> ReplayLayout::Holes() const {
  std::vector<bool> used(frames);
  for (uint64_t f : frame_of) used[f] = true;
  std::vector<uint64_t> holes;
  for (uint64_t f = 0; f < frames; ++f) {
    if (!used[f]) holes.push_back(f);
  }
  return holes;
}

ReplayLayout LayOut(const Trace& trace) {
  ReplayLayout layout;
  std::vector<std::optional<uint64_t>> captured;  // Per laid page.
  auto mapping = trace.mappings.begin();
  const TraceMapping* last_mapping = nullptr;
  for (const TracePage& page : trace.present) {
    // ParseTrace has checked that every page lies in a mapping.
    while (page.va >= mapping->start + mapping->pages * kTracePageBytes) {
      ++mapping;
    }
    const std::optional<PagePerms> perms = PermsOf(mapping->perms);
    if (!perms.has_value()) {
      ++layout.skipped_pages;
      continue;
    }
    LaidRun* run = layout.runs.empty() ? nullptr : &layout.runs.back();
    if (run == nullptr || last_mapping != &*mapping ||
        run->va + run->pages * kTracePageBytes != page.va) {
      layout.runs.push_back(
          {.va = page.va, .perms = *perms, .first = layout.frame_of.size()});
      run = &layout.runs.back();
      last_mapping = &*mapping;
    }
    ++run->pages;
    layout.frame_of.push_back(0);
    captured.push_back(page.frame);
  }

  layout.frames_known =
      std::all_of(captured.begin(), captured.end(),
                  [](const auto& f) { return f.has_value(); });
  if (!layout.frames_known) {
    std::iota(layout.frame_of.begin(), layout.frame_of.end(), 0);
    layout.frames = layout.frame_of.size();
  } else {
    std::vector<uint64_t> by_frame(captured.size());
    std::iota(by_frame.begin(), by_frame.end(), 0);
    std::sort(by_frame.begin(), by_frame.end(), [&](uint64_t a, uint64_t b) {
      return *captured[a] < *captured[b];
    });
    uint64_t next = 0;
    for (size_t i = 0; i < by_frame.size(); ++i) {
      // A hole wherever the captured frames were not consecutive.
      if (i > 0 && *captured[by_frame[i]] != *captured[by_frame[i - 1]] + 1) {
        ++next;
      }
      layout.frame_of[by_frame[i]] = next++;
    }
    layout.frames = next;
  }

  for (const TraceWrite& w : trace.writes) {
    const LaidRun* run = RunHolding(layout.runs, w.va);
    if (run == nullptr || run->perms != PagePerms::kReadWrite) {
      ++layout.skipped_writes;
      continue;
    }
    layout.writes.push_back({w.t_us - trace.fork_us, w.va});
  }
  if (!layout.writes.empty()) {
    layout.snapshot_us = layout.writes.back().us_after_fork;
    uint64_t gaps = 0;
    for (size_t i = 1; i < layout.writes.size(); ++i) {
      gaps +=
          layout.writes[i].us_after_fork != layout.writes[i - 1].us_after_fork;
    }
    if (gaps > 0) {
      layout.sample_us =
          (layout.snapshot_us - layout.writes.front().us_after_fork) / gaps;
    }
  }
  return layout;
}

}  // namespace ttb::bench
