#include "engine/sim/sim_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace ttb::sim {

absl::StatusOr<std::unique_ptr<SimMemory>> SimMemory::Create(
    uint64_t bytes, unsigned frame_shift, bool populate) {
  if (bytes < (2ull << frame_shift)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("simulated memory of %d bytes holds no frame", bytes));
  }
  void* mapping = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("cannot map %d bytes of simulated memory: %s", bytes,
                        std::strerror(errno)));
  }
  std::unique_ptr<SimMemory> memory(new SimMemory(mapping, bytes));
  if (populate) {
    // Huge pages where the host allows them: fewer faults to commit the
    // arena and fewer host TLB misses while simulating. Only a hint.
    madvise(mapping, bytes, MADV_HUGEPAGE);
    if (madvise(mapping, bytes, MADV_POPULATE_WRITE) != 0) {
      // Before Linux 5.14: commit each host page by writing it. Writing
      // zero keeps the memory zero, as the pool assumes.
      auto* bytes_of = static_cast<volatile unsigned char*>(mapping);
      for (uint64_t at = 0; at < bytes; at += 4096) bytes_of[at] = 0;
    }
  }
  const Status s = memory->pool_.Init(mapping, kPhysBase, bytes, frame_shift,
                                      /*memory_is_zero=*/true);
  if (s != Status::kOk) {
    return absl::InvalidArgumentError(
        absl::StrFormat("frame pool: %s", StatusName(s)));
  }
  return memory;
}

SimMemory::~SimMemory() { munmap(mapping_, bytes_); }

}  // namespace ttb::sim
