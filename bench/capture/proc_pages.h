// A live process's address space as Linux shows it: its mappings
// (/proc/PID/maps) and, per page, whether it is present, mapped by this
// process alone, and its physical frame (/proc/PID/pagemap; the frame
// reads as 0 unless the reader has CAP_SYS_ADMIN).
// Documentation/admin-guide/mm/pagemap.rst gives the bits.
#ifndef TTBENCH_BENCH_CAPTURE_PROC_PAGES_H_
#define TTBENCH_BENCH_CAPTURE_PROC_PAGES_H_

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/trace/trace.h"

namespace ttb::bench {

struct PageState {
  bool present = false;
  bool exclusive = false;  // Bit 56: mapped by this process only.
  uint64_t frame = 0;      // Bits 0-54; 0 when not readable.
};

// The mappings of `pid`, in address order.
absl::StatusOr<std::vector<TraceMapping>> ReadMappings(pid_t pid);

// Reads pagemap for the pages of a process; one handle per process.
class Pagemap {
 public:
  static absl::StatusOr<Pagemap> Open(pid_t pid);
  Pagemap(Pagemap&&) noexcept;
  Pagemap& operator=(Pagemap&&) = delete;
  ~Pagemap();

  // The state of each page of `m`, in order.
  absl::StatusOr<std::vector<PageState>> Read(const TraceMapping& m) const;

 private:
  explicit Pagemap(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_CAPTURE_PROC_PAGES_H_
