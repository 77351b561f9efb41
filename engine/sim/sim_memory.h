// Simulated physical memory: an anonymous host mapping managed by a
// FramePool. Pages of the mapping are committed only when a frame is used,
// so a 4 GiB pool costs what the workload touches, unless `populate` commits
// them all up front.
#ifndef TTBENCH_ENGINE_SIM_SIM_MEMORY_H_
#define TTBENCH_ENGINE_SIM_SIM_MEMORY_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "engine/frame_pool.h"

namespace ttb::sim {

class SimMemory {
 public:
  // Where simulated RAM starts, as on QEMU's virt board.
  static constexpr PhysAddr kPhysBase = 0x4000'0000;

  static absl::StatusOr<std::unique_ptr<SimMemory>> Create(
      uint64_t bytes, unsigned frame_shift = 12, bool populate = false);
  ~SimMemory();
  SimMemory(const SimMemory&) = delete;
  SimMemory& operator=(const SimMemory&) = delete;

  FramePool& pool() { return pool_; }

 private:
  SimMemory(void* mapping, uint64_t bytes) : mapping_(mapping), bytes_(bytes) {}

  void* mapping_;
  uint64_t bytes_;
  FramePool pool_;
};

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_SIM_MEMORY_H_
