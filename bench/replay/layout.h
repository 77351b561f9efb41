// A captured address space laid out for the simulator: the trace's present
// pages grouped into runs a Map can place, each page's frame in an order
// that keeps the capture's physical fragmentation, and the parent's writes
// after the fork in time order.
//
// Fragmentation is kept as contiguity: two pages whose captured frames are
// consecutive get consecutive simulated frames; between any two that are
// not, one frame is left out (a hole, handed back to the pool once the
// layout is mapped, as another process's memory freed later would be). So a
// fork meets exactly the runs of physically consecutive pages the real
// process had, in at most twice its memory rather than the host's span.
#ifndef TTBENCH_BENCH_REPLAY_LAYOUT_H_
#define TTBENCH_BENCH_REPLAY_LAYOUT_H_

#include <cstdint>
#include <vector>

#include "bench/trace/trace.h"

namespace ttb::bench {

// What a mapping lets the process do, as the simulator maps it.
enum class PagePerms : uint8_t { kReadWrite, kReadOnly, kReadExecute };

// Consecutive present pages of one mapping with the same permissions.
struct LaidRun {
  uint64_t va = 0;
  uint64_t pages = 0;
  PagePerms perms = PagePerms::kReadWrite;
  uint64_t first = 0;  // Index of its first page in ReplayLayout::frame_of.
};

struct ReplayWrite {
  uint64_t us_after_fork = 0;
  uint64_t va = 0;
};

struct ReplayLayout {
  std::vector<LaidRun> runs;  // In address order.
  // Per laid page, in run order: its frame, counted from the layout's
  // first; every index below `frames` not among them is a hole.
  std::vector<uint64_t> frame_of;
  uint64_t frames = 0;
  std::vector<ReplayWrite> writes;  // In time order.
  // How long the snapshot's child lived, as far as the trace tells: its
  // parent's last write.
  uint64_t snapshot_us = 0;
  // The capture's effective resolution: the mean time between the
  // distinct times its writes were seen (0 with fewer than two). Sampling
  // a large process's pages takes longer than the period asked for.
  uint64_t sample_us = 0;
  // Whether the trace had the frames (a capture as root); if not, pages
  // are laid out in address order, every run of the mapping consecutive.
  bool frames_known = true;
  // Present pages the simulator cannot map as the process had them: in a
  // shared writable mapping (which a fork does not copy on write) or one
  // that allows no access. Writes to pages not laid out are left out too.
  uint64_t skipped_pages = 0;
  uint64_t skipped_writes = 0;

  uint64_t pages() const { return frame_of.size(); }
  std::vector<uint64_t> Holes() const;
};

ReplayLayout LayOut(const Trace& trace);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_REPLAY_LAYOUT_H_
