// Records a live process around one fork: its mappings and the pages
// present, with their frames, just before `trigger` makes it fork; then,
// every `resolution_us` while the fork's child lives (or for `watch_us`,
// for a child that lives on), which of those pages the parent has written
// since (a page the fork shared becomes the parent's alone again when its
// copy-on-write breaks: pagemap's exclusive bit). Once the child exits every
// page is the parent's alone again, so a sample counts only if the child
// outlived it. A page still exclusive at the first sample counts as written
// then, so a page the fork never shared (MADV_DONTFORK) reads as an early
// write. Mappings over 16 GiB are listed without their pages.
#ifndef TTBENCH_BENCH_CAPTURE_CAPTURE_H_
#define TTBENCH_BENCH_CAPTURE_CAPTURE_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/trace/trace.h"

namespace ttb::bench {

struct CaptureOptions {
  pid_t pid = 0;
  std::string trigger;  // A shell command after which the process forked.
  std::string report;   // Prints "key:value" lines about the fork.
  std::vector<std::string> report_keys;  // The keys of it to keep.
  uint64_t resolution_us = 5000;
  uint64_t max_seconds = 600;
  // 0: watch until the fork's child exits (a snapshot's child), failing
  // after max_seconds. Otherwise stop watching after this long with the
  // child still alive: a preforked worker lives on.
  uint64_t watch_us = 0;
  std::map<std::string, std::string> provenance;
};

absl::StatusOr<Trace> Capture(const CaptureOptions& options);

// Whether `pid` still has its address space: what ends a capture. A child
// that has exited stays in /proc as a zombie until it is reaped, but its
// pages went when it left its mm (which statm then reads as size 0), before
// its parent could see them exclusive again.
bool HoldsItsMemory(pid_t pid);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_CAPTURE_CAPTURE_H_
