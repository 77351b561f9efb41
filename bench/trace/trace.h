// A trace of a real program around one fork (FORMAT.md beside this file):
// its address space when it forked, the parent's first writes after, and
// what the program reported about the fork. This is the one reader and
// writer of the format; it needs no simulator.
#ifndef TTBENCH_BENCH_TRACE_TRACE_H_
#define TTBENCH_BENCH_TRACE_TRACE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ttb::bench {

inline constexpr int kTraceVersion = 1;
inline constexpr uint64_t kTracePageBytes = 4096;

struct TraceMapping {
  uint64_t start = 0;  // Page-aligned.
  uint64_t pages = 0;
  std::string perms;  // "rw-p", as /proc/PID/maps gives it.
  std::string name;   // A file, or "[heap]", "[anon]", ...
  bool operator==(const TraceMapping&) const = default;
};

struct TracePage {
  uint64_t va = 0;
  std::optional<uint64_t> frame;  // Unknown when the capture was not root.
  bool operator==(const TracePage&) const = default;
};

struct TraceWrite {
  uint64_t t_us = 0;
  uint64_t va = 0;
  bool operator==(const TraceWrite&) const = default;
};

struct Trace {
  // program, command, host, kernel, date, and any other key.
  std::map<std::string, std::string> provenance;
  std::vector<TraceMapping> mappings;  // In address order.
  std::vector<TracePage> present;      // In address order.
  uint64_t fork_us = 0;
  std::vector<TraceWrite> writes;  // In time order.
  std::map<std::string, uint64_t> reported;
  bool operator==(const Trace&) const = default;
};

// The keys every trace's provenance has.
inline constexpr const char* kRequiredProvenance[] = {"program", "command",
                                                      "host", "kernel", "date"};

// The text of a trace, and back; ParseTrace checks every rule of the
// format and names `source`, the line and the problem in its error.
std::string FormatTrace(const Trace& trace);
absl::StatusOr<Trace> ParseTrace(std::string_view text,
                                 const std::string& source);

// A trace file: gzip of the text. Loading refuses what is not gzip, is
// truncated or does not parse; writing goes to a temporary name renamed
// into place, so no half-written trace is left behind.
absl::StatusOr<Trace> LoadTrace(const std::string& path);
absl::Status WriteTrace(const std::string& path, const Trace& trace);

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_TRACE_TRACE_H_
