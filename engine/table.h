// A translation table: one granule of descriptors, aligned to its size
// (Arm ARM D8.2: a table's base address is aligned to its size).
#ifndef TTBENCH_ENGINE_TABLE_H_
#define TTBENCH_ENGINE_TABLE_H_

#include "engine/descriptor.h"

namespace ttb {

template <unsigned kGranuleShift>
struct alignas(1u << kGranuleShift) TableOf {
  static constexpr unsigned kEntries = (1u << kGranuleShift) / 8;
  Descriptor entries[kEntries];
};

using Table = TableOf<12>;
static_assert(sizeof(Table) == 4096 && Table::kEntries == 512);
static_assert(alignof(Table) == 4096);

}  // namespace ttb

#endif  // TTBENCH_ENGINE_TABLE_H_
