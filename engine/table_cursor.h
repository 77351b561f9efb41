// Finds the level-3 slot of a VA while remembering the path of tables it
// went through, so the next VA in the same table costs no descriptor reads
// and one in a neighbouring table re-reads only the levels that differ. The
// seed kernel re-walked from the root for every page.
#ifndef TTBENCH_ENGINE_TABLE_CURSOR_H_
#define TTBENCH_ENGINE_TABLE_CURSOR_H_

#include "engine/descriptor.h"
#include "engine/frame_pool.h"
#include "engine/regime.h"
#include "engine/status.h"

namespace ttb {

class TableCursor {
 public:
  TableCursor() = default;
  TableCursor(FramePool* pool, const Regime& regime, PhysAddr root)
      : pool_(pool), regime_(regime), root_(root) {}

  // The level-3 slot for `va`; kNotMapped when a table on the way is
  // missing, kBlockInPath when a block maps it. `va` must be in range.
  Result<Descriptor*> Find(VirtAddr va) { return Seek<false>(va, 3); }
  // Same, allocating the missing tables (kNoMemory if the pool runs out:
  // the tables made before that stay linked, empty, for the caller to
  // prune).
  Result<Descriptor*> FindOrCreate(VirtAddr va) { return Seek<true>(va, 3); }
  // FindOrCreate's slot at `level` (> the start level, <= 3) instead: where
  // a block of that level is placed.
  Result<Descriptor*> FindOrCreateAt(VirtAddr va, int level) {
    return Seek<true>(va, level);
  }
  // Find's slot at `level` (>= the start level, <= 3) instead: the entry
  // of that level for `va`, valid or not.
  Result<Descriptor*> FindAt(VirtAddr va, int level) {
    return Seek<false>(va, level);
  }
  // After kBlockInPath: the block's entry, and its level.
  Descriptor* block() const {
    return pool_->Descriptors(table_[known_level_]) +
           regime_.index(block_va_, known_level_);
  }
  int block_level() const { return known_level_; }

  // After Find() returned kNotMapped for `va`: the first VA past the hole it
  // found, since a missing table leaves its whole region unmapped.
  VirtAddr NextAfterHole(VirtAddr va) const {
    return (va | (regime_.level_bytes(known_level_) - 1)) + 1;
  }
  // Forget the path: tables on it may have been freed.
  void Reset() { known_level_ = -1; }
  // Table descriptors read to move the cursor, over its lifetime.
  uint64_t descriptor_reads() const { return descriptor_reads_; }

 private:
  template <bool kCreate>
  Result<Descriptor*> Seek(VirtAddr va, int leaf_level);

  FramePool* pool_ = nullptr;
  Regime regime_;
  PhysAddr root_ = 0;
  // table_[L]: the level-L table on the path of VA prefix prefix_[L].
  PhysAddr table_[4] = {};
  VirtAddr prefix_[4] = {};
  int known_level_ = -1;   // Deepest level whose table_ is valid.
  VirtAddr block_va_ = 0;  // The VA whose walk last found a block.
  uint64_t descriptor_reads_ = 0;
};

template <bool kCreate>
Result<Descriptor*> TableCursor::Seek(VirtAddr va, int leaf_level) {
  const int start = regime_.start_level();
  // Climb from the deepest remembered table to the first one whose VA
  // prefix still matches; the root always does.
  int level = known_level_;
  while (level > start &&
         prefix_[level] != (va >> regime_.level_shift(level - 1))) {
    --level;
  }
  if (level < start) {
    level = start;
    table_[start] = root_;
  }
  if (level > leaf_level) level = leaf_level;
  for (; level < leaf_level; ++level) {
    Descriptor* slot =
        pool_->Descriptors(table_[level]) + regime_.index(va, level);
    ++descriptor_reads_;
    Descriptor d = *slot;
    if (!d.valid()) {
      if (!kCreate) {
        known_level_ = level;
        return Status::kNotMapped;
      }
      const Result<PhysAddr> table = pool_->Allocate(FrameUse::kTable);
      if (!table.ok()) {
        known_level_ = level;
        return table.status();
      }
      d = Descriptor::Table(table.value());
      *slot = d;
    } else if (!d.IsTable(level)) {
      known_level_ = level;
      block_va_ = va;
      return Status::kBlockInPath;
    }
    table_[level + 1] = d.output_address();
    prefix_[level + 1] = va >> regime_.level_shift(level);
  }
  known_level_ = leaf_level;
  return pool_->Descriptors(table_[leaf_level]) + regime_.index(va, leaf_level);
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_TABLE_CURSOR_H_
