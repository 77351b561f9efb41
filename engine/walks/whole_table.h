// whole_table: one recursive pass over the parent's tables and the child's
// in step, each table's entries scanned once, and each of the parent's
// last-level tables handed to the fork whole, so the fork writes the
// child's in one pass over uncleared memory (no zeroing first) and can
// vectorise it.
#ifndef TTBENCH_ENGINE_WALKS_WHOLE_TABLE_H_
#define TTBENCH_ENGINE_WALKS_WHOLE_TABLE_H_

#include "engine/address_space.h"
#include "engine/table_walk.h"

namespace ttb {

class WholeTableWalk final : public TableWalk {
 public:
  constexpr WholeTableWalk() = default;
  const char* name() const override { return "whole_table"; }
  const char* summary() const override {
    return "one pass per table, parent and child in step; last-level tables "
           "handed over whole";
  }
  bool whole_tables() const override { return true; }
  void Pair(AddressSpace& parent, AddressSpace& child, ForkUnit unit,
            ForkVisitor& visitor) const override {
    FramePool& pool = *parent.pool();
    const Regime& regime = parent.regime();
    const int start = regime.start_level();
    Counts counts;
    Visit(
        pool, regime, Tables{parent.root(), child.root()}, start, 0,
        static_cast<unsigned>(parent.user_base() >> regime.level_shift(start)),
        UnitLevel(unit), visitor, counts);
    pool.CountTableAccesses(counts.reads, counts.writes);
  }

 private:
  struct Tables {
    PhysAddr from;
    PhysAddr to;
  };
  struct Counts {
    uint64_t reads = 0;
    uint64_t writes = 0;  // The child's blocks and shared tables.
  };
  // The tables of `level` mapping from `base`, from entry `first` on.
  static void Visit(FramePool& pool, const Regime& regime, Tables t, int level,
                    VirtAddr base, unsigned first, int unit_level,
                    ForkVisitor& visitor, Counts& counts) {
    Descriptor* from = pool.Descriptors(t.from);
    Descriptor* to = pool.Descriptors(t.to);
    const unsigned count = regime.entries_at(level);
    counts.reads += count - first;
    if (level == 3) {
      visitor.Leaves(TableToFill{base, from, to, count});
      return;
    }
    const uint64_t span = regime.level_bytes(level);
    for (unsigned i = first; i < count; ++i) {
      const VirtAddr va = base + i * span;
      if (from[i].IsBlock(level)) {
        visitor.Block(va, from[i], to[i]);
        ++counts.writes;
      } else if (!from[i].IsTable(level)) {
        continue;
      } else if (level == unit_level) {
        visitor.LeafTable(va, from[i], to[i]);
        ++counts.writes;
      } else {
        ++counts.reads;  // The child's table descriptor, to go down its side.
        Visit(pool, regime,
              Tables{from[i].output_address(), to[i].output_address()},
              level + 1, va, 0, unit_level, visitor, counts);
      }
    }
  }
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_WALKS_WHOLE_TABLE_H_
