// The layouts the EL0 workload runs in: each granule processes can use,
// with the workload's data mapped as pages, as contiguous runs or as
// level-2 blocks. The image runs those of the granules the CPU has; the
// simulator's replay (tests/baremetal/sim_workload.cc) runs the same table,
// so the two worlds' counts can be compared layout by layout.
#ifndef TTBENCH_BAREMETAL_LAYOUTS_H_
#define TTBENCH_BAREMETAL_LAYOUTS_H_

#include <stdint.h>

#include "baremetal/mmu.h"
#include "engine/address_space.h"

namespace ttb::baremetal {

// Pages; level-3 contiguous runs; level-2 blocks; level-2 contiguous runs
// (blocks with the contiguous bit).
enum class Mapping : uint8_t { kPages, kRuns, kBlocks, kBlockRuns };

constexpr const char* MappingName(Mapping m) {
  return m == Mapping::kPages    ? "pages"
         : m == Mapping::kRuns   ? "runs"
         : m == Mapping::kBlocks ? "blocks"
                                 : "block_runs";
}

struct Layout {
  Regime regime;
  Mapping mapping;
  uint64_t data_pages;  // Each holds the workload's byte.
};

// A regime per granule whose root holds the kernel's blocks (4 KiB: level
// 1; 64 KiB: level 2) or points its entry 0 at them (16 KiB, 47 bits).
// Runs are 16 pages (64 KiB) with 4 KiB pages and 2 MiB otherwise; blocks
// are 2 MiB and 32 MiB; a run of blocks is 16 blocks of 2 MiB. A 64 KiB
// granule's block (512 MiB) does not fit in QEMU's 256 MiB, nor do the
// larger granules' runs of blocks (1 and 16 GiB).
inline constexpr Layout kLayouts[] = {
    {kRegime, Mapping::kPages, 64},       {kRegime, Mapping::kRuns, 64},
    {kRegime, Mapping::kBlocks, 512},     {kRegime, Mapping::kBlockRuns, 8192},
    {kRegime16K, Mapping::kPages, 64},    {kRegime16K, Mapping::kRuns, 128},
    {kRegime16K, Mapping::kBlocks, 2048}, {kRegime64K, Mapping::kPages, 64},
    {kRegime64K, Mapping::kRuns, 64},
};
inline constexpr int kLayoutCount = sizeof(kLayouts) / sizeof(Layout);

// The workload's text (one page), data and stack, above the kernel's
// entries and aligned to any block.
constexpr VirtAddr TextVa(const Regime& r) { return FirstFreeVa(r); }
constexpr VirtAddr DataVa(const Regime& r) { return TextVa(r) + (2ull << 30); }
constexpr VirtAddr StackVa(const Regime& r) { return TextVa(r) + (6ull << 30); }
inline constexpr uint64_t kStackPages = 4;

// Maps the layout's data with `map(va, pages, attrs)`, or for blocks
// `map_blocks(va, pages, attrs)` (the image's AddressSpace or the
// simulator's Machine), and checks in `space` that the mapping asked for is
// the one made: a pool may fall back to pages.
template <typename Map, typename MapBlocks>
bool MapLayoutData(const Layout& layout, Descriptor attrs, AddressSpace& space,
                   Map&& map, MapBlocks&& map_blocks) {
  const VirtAddr va = DataVa(layout.regime);
  const uint64_t pages = layout.data_pages;
  switch (layout.mapping) {
    case Mapping::kPages:
      return map(va, pages, attrs) == Status::kOk;
    case Mapping::kRuns:
      return map(va, pages, attrs.with_contiguous(true)) == Status::kOk &&
             space.RunAt(va) != nullptr;
    case Mapping::kBlocks:
      return map_blocks(va, pages, attrs) == Status::kOk &&
             space.BlockAt(va) != nullptr;
    case Mapping::kBlockRuns:
      return map_blocks(va, pages, attrs.with_contiguous(true)) ==
                 Status::kOk &&
             space.BlockRunAt(va) != nullptr;
  }
  return false;
}

// The root entries below FirstFreeVa: the kernel's
// (AddressSpace::ReserveKernelEntries).
constexpr unsigned KernelRootEntries(const Regime& r) {
  return static_cast<unsigned>(FirstFreeVa(r) / r.level_bytes(r.start_level()));
}

}  // namespace ttb::baremetal

#endif  // TTBENCH_BAREMETAL_LAYOUTS_H_
