// What the per_page and cursor walks share: they visit the parent's VAs in
// order and find each entry, and the child's slot for it, by a lookup, as a
// kernel that knows which ranges are mapped but not how the tables hold
// them does (the seed kernel's map(), Linux's walk of each VMA). A lookup
// that meets a missing table skips the range that table would map.
#ifndef TTBENCH_ENGINE_WALKS_VA_ORDER_H_
#define TTBENCH_ENGINE_WALKS_VA_ORDER_H_

#include "engine/address_space.h"
#include "engine/table_walk.h"

namespace ttb {

class VaOrderWalk : public TableWalk {
 public:
  void Pair(AddressSpace& parent, AddressSpace& child, ForkUnit unit,
            ForkVisitor& visitor) const override;

 protected:
  // `keep_path`: whether a lookup starts from the tables the last one went
  // through (TableCursor) or from the root.
  explicit constexpr VaOrderWalk(bool keep_path) : keep_path_(keep_path) {}
  ~VaOrderWalk() = default;

 private:
  bool keep_path_;
};

inline void VaOrderWalk::Pair(AddressSpace& parent, AddressSpace& child,
                              ForkUnit unit, ForkVisitor& visitor) const {
  FramePool& pool = *parent.pool();
  const Regime& regime = parent.regime();
  TableCursor from(&pool, regime, parent.root());
  TableCursor to(&pool, regime, child.root());
  const int level = UnitLevel(unit);
  const VirtAddr end = VirtAddr{1} << regime.va_bits;
  uint64_t entry_reads = 0;  // Unit entries read; the cursors count the rest.
  uint64_t handed = 0;       // The child's entries handed to the visitor.
  for (VirtAddr va = parent.user_base(); va < end;) {
    if (!keep_path_) {
      from.Reset();
      to.Reset();
    }
    const Result<Descriptor*> found = from.FindAt(va, level);
    if (found.status() == Status::kNotMapped) {
      va = from.NextAfterHole(va);
      continue;
    }
    // A level-2 block above a page's slot: the cursor read its entry.
    const bool block_in_path = found.status() == Status::kBlockInPath;
    const int entry_level = block_in_path ? from.block_level() : level;
    Descriptor* entry = block_in_path ? from.block() : found.value();
    if (!block_in_path) ++entry_reads;
    if (entry->valid()) {
      const Result<Descriptor*> slot = to.FindAt(va, entry_level);
      if (slot.ok()) {
        ++handed;
        if (entry->IsBlock(entry_level)) {
          visitor.Block(va, *entry, *slot.value());
        } else if (entry_level == 2) {
          visitor.LeafTable(va, *entry, *slot.value());
        } else {
          visitor.Leaves(TableToFill{va, entry, slot.value(), 1});
        }
      }
    }
    va += regime.level_bytes(entry_level);
  }
  pool.CountTableAccesses(
      from.descriptor_reads() + to.descriptor_reads() + entry_reads, handed);
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_WALKS_VA_ORDER_H_
