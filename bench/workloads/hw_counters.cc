#include "bench/workloads/hw_counters.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace ttb::bench {
namespace {

int Open(uint32_t type, uint64_t config) {
  perf_event_attr attr{};
  attr.type = type;
  attr.size = sizeof(attr);
  attr.config = config;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

constexpr const char* kNames[] = {"hw.cycles", "hw.instructions",
                                  "hw.dtlb_read_misses"};

}  // namespace

HwCounters::HwCounters() {
  fds_[0] = Open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES);
  fds_[1] = Open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS);
  fds_[2] = Open(PERF_TYPE_HW_CACHE,
                 PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                     (PERF_COUNT_HW_CACHE_RESULT_MISS << 16));
  for (int i = 0; i < kCounters; ++i) {
    if (fds_[i] >= 0) continue;
    error_ = absl::StrCat("perf_event_open(", kNames[i],
                          "): ", std::strerror(errno));
    // All or nothing: a partial set would make rows incomparable.
    for (int& other : fds_) {
      if (other >= 0) close(other);
      other = -1;
    }
    break;
  }
}

HwCounters::~HwCounters() {
  for (int fd : fds_) {
    if (fd >= 0) close(fd);
  }
}

void HwCounters::Read(uint64_t* values) const {
  for (int i = 0; i < kCounters; ++i) {
    if (read(fds_[i], &values[i], sizeof(values[i])) != sizeof(values[i])) {
      values[i] = 0;
    }
  }
}

void HwCounters::Add(Events& events, const uint64_t* before,
                     const uint64_t* after) {
  for (int i = 0; i < kCounters; ++i) {
    events.Add(kNames[i], after[i] - before[i]);
  }
}

}  // namespace ttb::bench
