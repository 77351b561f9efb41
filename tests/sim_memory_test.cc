#include "engine/sim/sim_memory.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vector>

namespace ttb::sim {
namespace {

// How many of the host pages under `frames` frames from `first` are
// resident.
uint64_t ResidentHostPages(FramePool& pool, PhysAddr first, uint64_t frames) {
  const uint64_t host_page = sysconf(_SC_PAGESIZE);
  const uint64_t bytes = frames * pool.frame_bytes();
  std::vector<unsigned char> resident(bytes / host_page);
  EXPECT_EQ(mincore(pool.Bytes(first), bytes, resident.data()), 0);
  uint64_t n = 0;
  for (unsigned char r : resident) n += r & 1;
  return n;
}

TEST(SimMemory, CommitsHostPagesOnlyWhenAskedOrUsed) {
  constexpr uint64_t kBytes = 16ull << 20;
  for (const bool populate : {false, true}) {
    auto memory = SimMemory::Create(kBytes, 12, populate);
    ASSERT_TRUE(memory.ok()) << memory.status();
    FramePool& pool = (*memory)->pool();
    const PhysAddr first = pool.Allocate(FrameUse::kData).value();
    // The second half of the frames, far from the pool's metadata (which a
    // host huge page may share with the first frames): nothing touched it.
    const uint64_t half = pool.capacity() / 2;
    const uint64_t resident =
        ResidentHostPages(pool, first + half * pool.frame_bytes(), half);
    if (populate) {
      EXPECT_EQ(resident, half * pool.frame_bytes() / sysconf(_SC_PAGESIZE));
    } else {
      EXPECT_EQ(resident, 0u);
    }
    // Either way every frame reads as zero and takes writes.
    for (uint64_t i = 0; i < pool.capacity() - 1; ++i) {
      const PhysAddr frame = pool.Allocate(FrameUse::kData).value();
      ASSERT_EQ(pool.Bytes(frame)[pool.frame_bytes() - 1], 0) << i;
      pool.Bytes(frame)[0] = 0xa5;
    }
  }
}

TEST(SimMemory, RejectsMemoryTooSmallForAFrame) {
  const auto memory = SimMemory::Create(4096);
  ASSERT_FALSE(memory.ok());
  EXPECT_NE(memory.status().message().find("holds no frame"),
            std::string::npos);
}

}  // namespace
}  // namespace ttb::sim
