// The interface of a table-walk strategy: how a fork reaches each of the
// parent's entries and the child's slot for it. Fork strategies decide what
// happens there (share, write-protect, copy); the walk decides what it costs
// to get there: a walk from the root for every page (the seed kernel), a
// cursor that keeps its path, or one pass over each table.
//
// Every walk counts what it reads the way the hardware walker's reads are
// counted, so that modelled cycles can price it (FramePool's software
// descriptor reads and writes): a table descriptor read to go down a level,
// each entry of a table it scans, and each entry it examines. It counts a
// write for each of the child's entries it hands over alone; a whole
// last-level table handed over is written instead of being zeroed when
// allocated, which the allocation's price covers. A ForkVisitor counts the
// parent's entries it changes.
#ifndef TTBENCH_ENGINE_TABLE_WALK_H_
#define TTBENCH_ENGINE_TABLE_WALK_H_

#include "engine/descriptor.h"
#include "engine/regime.h"
#include "engine/status.h"

namespace ttb {

class AddressSpace;

// One of a source space's last-level tables, or a run of its entries, as a
// walk hands it to a fork: `from` maps from `va`, and `to` holds the
// child's slots for the same `count` entries.
struct TableToFill {
  VirtAddr va;
  Descriptor* from;
  Descriptor* to;
  unsigned count;
};

// What a fork pairs: the parent's pages (and blocks), or its last-level
// tables themselves (and blocks), for a fork that shares tables.
enum class ForkUnit : uint8_t { kPages, kLeafTables };

// The level of the entries a unit pairs.
constexpr int UnitLevel(ForkUnit unit) {
  return unit == ForkUnit::kPages ? 3 : 2;
}

// What a fork does with each part of the parent a walk reaches, the child's
// tables already built (AddressSpace::ForkFrom).
class ForkVisitor {
 public:
  // Entries of one of the parent's last-level tables with the child's slots.
  // From a walk that hands whole tables (TableWalk::whole_tables()), `to` is
  // a whole uncleared table and every entry must be written; from the
  // others, valid entries only, one at a time, over zeroed slots.
  virtual void Leaves(const TableToFill& t) = 0;
  // One of the parent's level-2 blocks and the child's invalid entry for it.
  virtual void Block(VirtAddr va, Descriptor& from, Descriptor& to) = 0;
  // ForkUnit::kLeafTables only: one of the parent's level-2 entries that
  // points at a last-level table, and the child's invalid entry for it.
  virtual void LeafTable(VirtAddr, Descriptor&, Descriptor&) {}

 protected:
  ~ForkVisitor() = default;
};

class TableWalk {
 public:
  virtual const char* name() const = 0;
  // One line: how it reaches each entry, and what that costs.
  virtual const char* summary() const = 0;
  // Whether Leaves gets whole last-level tables, which the child's side
  // then needs not clear when it allocates them.
  virtual bool whole_tables() const { return false; }
  // Calls `visitor` for every valid entry of `parent` at `unit`'s level,
  // and every block, in VA order, with the slot `child` has for it: the
  // child's tables mirror the parent's down to that level.
  virtual void Pair(AddressSpace& parent, AddressSpace& child, ForkUnit unit,
                    ForkVisitor& visitor) const = 0;

 protected:
  ~TableWalk() = default;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_TABLE_WALK_H_
