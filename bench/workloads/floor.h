// The floor of any lazy fork: read every last-level descriptor of a parent
// and write it read-only into newly allocated tables. No reference counts,
// no TLB maintenance, and no clearing of the new tables, which the loop
// writes whole (as the strategies' forks do). Shared by the floor
// benchmarks, which differ in what runs between two passes.
#ifndef TTBENCH_BENCH_WORKLOADS_FLOOR_H_
#define TTBENCH_BENCH_WORKLOADS_FLOOR_H_

#include <benchmark/benchmark.h>

#include <chrono>
#include <vector>

#include "bench/workloads/suite.h"
#include "engine/address_space.h"
#include "engine/frame_pool.h"

namespace ttb::bench {

class FloorPass {
 public:
  // The parent's last-level tables, each filled by one Map.
  FloorPass(FramePool& pool, AddressSpace& parent) : pool_(pool) {
    parent.ForEachLeafTable([&](VirtAddr, Descriptor* entries, unsigned) {
      tables_.push_back(entries);
    });
    copies_.resize(tables_.size());
  }

  // One pass. With `shared`, also the rest of what every correct lazy fork
  // does to a page: it takes a reference to each frame and writes the
  // parent's descriptor read-only too. Still no TLB maintenance or
  // bookkeeping.
  void Write(bool shared) {
    for (size_t t = 0; t < tables_.size(); ++t) {
      copies_[t] = pool_.AllocateUncleared(FrameUse::kTable).value();
      Descriptor* from = tables_[t];
      Descriptor* to = pool_.Descriptors(copies_[t]);
      for (unsigned i = 0; i < kEntries; ++i) to[i] = from[i].with_ap(Ap::kRo);
      if (shared) {
        // One Map gave each table's pages consecutive frames: one run of
        // references. They are never dropped: the parent is thrown away
        // with its memory.
        pool_.ShareRun(from[0].output_address(), kEntries);
        __builtin_memcpy(from, to, kEntries * sizeof(Descriptor));
      }
    }
  }
  // Frees the new tables, for the next pass.
  void Release() {
    for (PhysAddr t : copies_) pool_.Release(t);
  }

 private:
  static constexpr unsigned kEntries = 512;  // 4 KiB granule.
  FramePool& pool_;
  std::vector<Descriptor*> tables_;
  std::vector<PhysAddr> copies_;
};

// Times each pass alone (manual time, as the forks are timed: a paused
// timer costs more than a small pass), after `between`, untimed; reports
// ns per page.
template <typename Between>
void TimeFloorPasses(benchmark::State& state, FloorPass& floor, bool shared,
                     uint64_t pages, Between&& between) {
  double seconds = 0;
  for (auto _ : state) {
    between();
    const Clock::time_point start = Clock::now();
    floor.Write(shared);
    const double t =
        std::chrono::duration<double>(Clock::now() - start).count();
    state.SetIterationTime(t);
    seconds += t;
    floor.Release();
  }
  SetNsPerPage(state, seconds, pages);
}

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_WORKLOADS_FLOOR_H_
