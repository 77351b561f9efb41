// One address space: a root table, an ASID and the tables and page
// references below the root. Every operation returns a Status, and one that
// fails leaves the space exactly as it was: nothing leaked, no table left
// half built. The space edits tables only; TLB maintenance is the caller's
// policy, told through the `on_change` callbacks of Unmap and Protect.
#ifndef TTBENCH_ENGINE_ADDRESS_SPACE_H_
#define TTBENCH_ENGINE_ADDRESS_SPACE_H_

#include "engine/descriptor.h"
#include "engine/frame_pool.h"
#include "engine/regime.h"
#include "engine/status.h"
#include "engine/table_cursor.h"
#include "engine/table_walk.h"

namespace ttb {

struct Translation {
  PhysAddr pa = 0;
  Descriptor leaf;
  int level = 3;  // The leaf's: below 3 for a block.
};

// Drops the reference an entry held once Unmap has removed it (see
// Unmap's on_change): a block's, a page's or a table's.
inline void ReleaseEntry(FramePool& pool, Descriptor old, int level) {
  if (old.IsBlock(level)) {
    pool.ReleaseBlock(old.output_address());
  } else {
    pool.Release(old.output_address());
  }
}

// UniformLeafTable's test taken one entry at a time, so a loop that reads
// every entry anyway (a fork writing the child's table) decides it in the
// same pass. Branch-free, so such loops still vectorise.
class UniformRun {
 public:
  UniformRun(Descriptor first, unsigned frame_shift)
      : expected_(first.bits()),
        step_(uint64_t{1} << frame_shift),
        valid_(first.valid()) {}
  // Entries must be added in order, from the first.
  void Add(Descriptor d) {
    apart_ |= d.bits() ^ expected_;
    expected_ += step_;
  }
  bool uniform() const { return apart_ == 0 && valid_; }

 private:
  uint64_t expected_;
  uint64_t step_;
  uint64_t apart_ = 0;  // Non-zero once an entry differs from the pattern.
  bool valid_;
};

// Whether `count` entries (count > 0) are all valid with entry 0's
// attributes, over consecutive frames `1 << frame_shift` bytes apart: a
// last-level table that one Map filled.
inline bool UniformLeafTable(const Descriptor* entries, unsigned count,
                             unsigned frame_shift) {
  UniformRun run(entries[0], frame_shift);
  for (unsigned i = 0; i < count; ++i) run.Add(entries[i]);
  return run.uniform();
}

// Ignores every change: for callers with no TLB to maintain.
struct IgnoreChanges {
  void operator()(VirtAddr, Descriptor, int) const {}
};

// Releases each frame Unmap hands over at once: for spaces no TLB or walk
// cache can have reached (a Map undoing itself, a test without a machine).
struct ReleaseAtOnce {
  FramePool* pool;
  void operator()(VirtAddr, Descriptor old, int level) const {
    ReleaseEntry(*pool, old, level);
  }
};

class AddressSpace {
 public:
  AddressSpace() = default;
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;
  ~AddressSpace() = default;  // Release() must be called explicitly.

  // Allocates the root table. The pool's frames must be one granule.
  Status Init(FramePool* pool, const Regime& regime, Asid asid);
  // Leaves the root's first `entries` entries to a kernel mapping that
  // every root carries (as 32-bit Arm Linux copies its kernel's entries
  // into each new pgd): this space never maps, visits, forks or frees
  // anything under them, and its VAs start above them. The caller writes
  // them, in this space and in every space forked from it.
  void ReserveKernelEntries(unsigned entries) { kernel_entries_ = entries; }

  // Maps `pages` new zero-filled data frames at `va` with the attributes of
  // `attrs` (a page descriptor; its output address is ignored). The range
  // must be unmapped. With the contiguous bit in `attrs`, each aligned run
  // of Regime::contiguous_entries(3) pages inside the range gets an aligned
  // run of frames and keeps the bit; other pages, and runs the pool has no
  // aligned frames for, are single pages without it (the bit is a hint: a
  // kernel falls back to small pages as Linux's mTHP does).
  Status Map(VirtAddr va, uint64_t pages, Descriptor attrs);
  // Map, but each block-aligned, block-sized part of the range (a
  // last-level table's span: 2 MiB with 4 KiB pages, 32 MiB with 16 KiB,
  // 512 MiB with 64 KiB) is one level-2 block (Arm ARM D8.3) on a block of
  // frames (FramePool::AllocateBlock). With the contiguous bit in `attrs`,
  // each aligned run of Regime::contiguous_entries(2) blocks inside the
  // range (32 MiB with 4 KiB pages, 1 GiB with 16 KiB, 16 GiB with 64 KiB)
  // whose entries are free gets consecutive blocks and keeps the bit, as
  // Linux maps a CONT_PMD huge page; other blocks do not. A part the pool
  // has no block for, or where a table already is, is mapped as Map maps
  // it, as Linux falls back from a PMD-mapped THP.
  Status MapBlocks(VirtAddr va, uint64_t pages, Descriptor attrs);
  // Maps the data frames `frames[0..pages)` at `va`, as Map maps new ones:
  // for a layout whose physical order the caller chose (a replayed
  // process's). The space takes over the caller's reference to each, and
  // releases them all if it fails, but for kInvalidArgument when one is
  // not a data frame of this pool, which changes nothing.
  Status MapFrames(VirtAddr va, uint64_t pages, const PhysAddr* frames,
                   Descriptor attrs);
  // Removes every mapped page and block in the range and every table left
  // empty. `on_change(va, old, level)` is told of each removed page (level
  // 3), block and table (their level) once its descriptor is invalid, and
  // takes over the reference old held (ReleaseEntry): a kernel releases it
  // only after the TLB maintenance that makes it unreachable has
  // completed, since the pool reuses a freed frame's bytes at once. A block
  // only partly in the range stays: it must be split first (SplitBlock).
  template <typename OnChange>
  Status Unmap(VirtAddr va, uint64_t pages, OnChange&& on_change);
  // Rewrites the attributes (all but the output address and the
  // contiguous bit, which says how the page was mapped) of every page in
  // the range to those of `attrs`. All pages must be mapped, or nothing
  // changes. `on_change(va, old, 3)` is told of each page. A contiguous
  // run only partly in the range must be unfolded first (UnfoldRun); a
  // block in the range is kBlockInPath.
  template <typename OnChange = IgnoreChanges>
  Status Protect(VirtAddr va, uint64_t pages, Descriptor attrs,
                 OnChange&& on_change = {});
  // The software view of one page (no permission checks: see Walker).
  Result<Translation> Translate(VirtAddr va);
  // The level-3 slot for `va`, through the cursor, for strategies that
  // rewrite single descriptors (CoW faults).
  Result<Descriptor*> Slot(VirtAddr va);
  // The first of the Regime::contiguous_entries(3) slots of the contiguous
  // run `va`'s page belongs to, when that page is valid with the
  // contiguous bit; else nullptr.
  Descriptor* RunAt(VirtAddr va);
  // The level-2 block entry mapping `va`, or nullptr.
  Descriptor* BlockAt(VirtAddr va);
  // The first of the Regime::contiguous_entries(2) entries of the level-2
  // contiguous run `va`'s block belongs to, when that block has the
  // contiguous bit; else nullptr.
  Descriptor* BlockRunAt(VirtAddr va);
  // Rewrites the block mapping `va` as a new last-level table of pages with
  // the block's frames and attributes, each page holding a reference of its
  // own, the block's dropped. A block of a contiguous run must leave the
  // run first (UnfoldBlockRun). `invalidate(block_va)` must complete the TLB
  // maintenance for the block's entry. With `break_first` the entry is
  // invalid while it runs (break-before-make: the size of the translation
  // changes, Arm ARM D8.14.1); without it (FEAT_BBM level 2) the table is
  // in place already. kNoMemory, changing nothing, without a table frame.
  template <typename Invalidate>
  Status SplitBlock(VirtAddr va, bool break_first, Invalidate&& invalidate);

  // Makes this new space a fork of `src` (same pool and regime). First a
  // table wherever src has one, down to the tables holding `unit`'s
  // entries, so that every table is allocated before any entry is paired:
  // on kNoMemory neither src nor any frame reference has changed, and the
  // caller releases this space. Then `walk` pairs each of src's entries
  // with this space's slot, and `visitor` decides what goes there (and
  // what src's entry becomes). The kernel's root entries are left alone.
  Status ForkFrom(AddressSpace& src, const TableWalk& walk, ForkUnit unit,
                  ForkVisitor& visitor);

  // Leaf-table sharing, for a fork that shares tables rather than pages:
  // its level-2 entries point at the parent's last-level tables, marked
  // SharedLeafTable() on both sides (shared_tables' fork).
  //
  // Whether the level-2 entry covering `va` points at a shared last-level
  // table (one that may have other sharers).
  bool InSharedLeafTable(VirtAddr va);
  // Calls fn(region) for the VA of each level-2 region overlapping `pages`
  // pages from `va` whose last-level table is shared, visiting only tables
  // that exist; stops at fn's first error and returns it. A bad range gets
  // the error Map and Unmap give it.
  template <typename Fn>
  Status ForEachSharedLeafTable(VirtAddr va, uint64_t pages, Fn&& fn);
  // Makes the shared last-level table covering `va` this space's own: a
  // copy when others still share it, else the same table. Pages in the copy
  // take one more reference and, as their frames now have two sharers, get
  // the descriptor view(d) in both tables (the shared one is read-only to
  // every sharer through APTable, so no sharer's TLB holds a writable
  // entry). `invalidate(region)` must complete TLB maintenance for the
  // level-2 region: it is called with the entry invalid when the table
  // changes (break-before-make), or after the entry is relaxed when it
  // stays. Nothing changes on kNoMemory.
  template <typename View, typename Invalidate>
  Status UnshareLeafTable(VirtAddr va, View&& view, Invalidate&& invalidate);
  // UnshareLeafTable's case that needs no copy: when this space is the
  // only sharer left of the shared table covering `va`, its entry becomes
  // private, then `invalidate(region)` runs, and the result is true; else
  // nothing changes.
  template <typename Invalidate>
  bool ReclaimLeafTable(VirtAddr va, Invalidate&& invalidate);
  // The VA of the first level-2 region at or above `va` whose last-level
  // table is shared; kNotMapped when there is none.
  Result<VirtAddr> NextSharedLeafTable(VirtAddr va);

  // Visits every last-level table in VA order: fn(va, entries, count),
  // where `va` is the address entries[0] maps. For loops over a whole
  // table at a time.
  template <typename Fn>
  void ForEachLeafTable(Fn&& fn);
  // Visits every valid page in VA order: fn(va, Descriptor& slot).
  // Blocks are not pages: ForEachBlock visits them.
  template <typename Fn>
  void ForEachPage(Fn&& fn);
  // Visits every level-2 block in VA order: fn(va, Descriptor& entry).
  template <typename Fn>
  void ForEachBlock(Fn&& fn);

  // Frees every table and drops every page reference; the space is empty
  // and must be Init()ed again before use.
  void Release();

  // A page-aligned, non-empty range inside the regime: what Map and Unmap
  // accept.
  Status CheckRange(VirtAddr va, uint64_t pages) const;

  // The lowest VA this space maps: past the kernel's root entries.
  VirtAddr user_base() const {
    return uint64_t{kernel_entries_} *
           regime_.level_bytes(regime_.start_level());
  }
  PhysAddr root() const { return root_; }
  Asid asid() const { return asid_; }
  void set_asid(Asid asid) { asid_ = asid; }
  const Regime& regime() const { return regime_; }
  FramePool* pool() const { return pool_; }
  const TableCursor& cursor() const { return cursor_; }

 private:
  // The leaf entry mapping `va` (valid or not) and its level, through the
  // cursor: a block's, else the level-3 slot.
  struct Leaf {
    Descriptor* entry;
    int level;
  };
  Result<Leaf> LeafAt(VirtAddr va);
  // The block-aligned `va`'s level-2 slot, creating tables, when it is
  // free for a block: kOk with *slot set, kOk with *slot null when a table
  // is there (the caller maps pages), else why not.
  Status BlockSlot(VirtAddr va, Descriptor** slot);
  // Maps the aligned level-2 contiguous run at `va` as consecutive blocks
  // with the contiguous bit and `block_attrs`, when all its entries are
  // free and the pool has the blocks; false, mapping nothing, if not.
  bool MapBlockRun(VirtAddr va, uint64_t block_attrs);
  template <typename Fn>
  void VisitBlocks(PhysAddr table, int level, VirtAddr base, Fn& fn);
  // Map and MapFrames: checks that the range is unmapped, then writes page
  // i's descriptor `page_for(i)` (a Result<Descriptor>), whose frame
  // reference the space keeps. On failure the pages placed so far are
  // released and their tables pruned.
  template <typename PageFor>
  Status MapEach(VirtAddr va, uint64_t pages, PageFor&& page_for);
  // Unmap of a range CheckRange has accepted: it cannot fail. Undoes a
  // Map that ran out of memory part way.
  template <typename OnChange>
  void UnmapChecked(VirtAddr va, uint64_t pages, OnChange&& on_change);
  // Unmaps inside one table; returns whether the table is empty after.
  template <typename OnChange>
  bool UnmapIn(PhysAddr table, int level, VirtAddr base, VirtAddr lo,
               VirtAddr hi, OnChange& on_change);
  template <typename Fn>
  void VisitLeafTables(PhysAddr table, int level, VirtAddr base, Fn& fn);
  // ForkFrom's first pass below src's table `from` and this space's `to`,
  // both of level `level`: a new table for each of src's above
  // `unit_level`, zeroed but for last-level ones when `uncleared` (a walk
  // that writes whole tables). Entries `to` already holds are left alone.
  // Counts src's entries read and the table descriptors written.
  Status BuildTablesLike(PhysAddr from, PhysAddr to, int level, int unit_level,
                         bool uncleared, uint64_t& reads, uint64_t& writes);
  // The entries [first, last) of the level-`level` table that maps from
  // `base` which overlap [lo, hi).
  struct EntryRange {
    unsigned first;
    unsigned last;
  };
  EntryRange EntriesIn(int level, VirtAddr base, VirtAddr lo,
                       VirtAddr hi) const {
    const uint64_t span = regime_.level_bytes(level);
    const unsigned count = regime_.entries_at(level);
    return {lo <= base ? 0 : static_cast<unsigned>((lo - base) / span),
            hi >= base + span * count
                ? count
                : static_cast<unsigned>((hi - base + span - 1) / span)};
  }
  template <typename Fn>
  Status VisitSharedLeafTables(PhysAddr table, int level, VirtAddr base,
                               VirtAddr lo, VirtAddr hi, Fn& fn);
  // The level-2 entry covering `va` when it points at a table, or nullptr.
  Descriptor* LeafTableEntry(VirtAddr va);
  // Same pool and translation regime: spaces that can share.
  bool SameLayout(const AddressSpace& src) const {
    return src.pool_ == pool_ && src.regime_.va_bits == regime_.va_bits &&
           src.regime_.granule_shift == regime_.granule_shift;
  }
  void FreeTables(PhysAddr table, int level);
  // The first entry of a level-`level` table that belongs to this space:
  // past the kernel's at the root.
  unsigned FirstOwnEntry(int level) const {
    return level == regime_.start_level() ? kernel_entries_ : 0;
  }

  FramePool* pool_ = nullptr;
  Regime regime_;
  PhysAddr root_ = 0;
  Asid asid_ = 0;
  unsigned kernel_entries_ = 0;
  TableCursor cursor_;
};

template <typename OnChange>
Status AddressSpace::Unmap(VirtAddr va, uint64_t pages, OnChange&& on_change) {
  if (const Status s = CheckRange(va, pages); s != Status::kOk) return s;
  UnmapChecked(va, pages, on_change);
  return Status::kOk;
}

template <typename OnChange>
void AddressSpace::UnmapChecked(VirtAddr va, uint64_t pages,
                                OnChange&& on_change) {
  const VirtAddr end = va + (pages << regime_.granule_shift);
  UnmapIn(root_, regime_.start_level(), 0, va, end, on_change);
  cursor_.Reset();
}

template <typename OnChange>
bool AddressSpace::UnmapIn(PhysAddr table, int level, VirtAddr base,
                           VirtAddr lo, VirtAddr hi, OnChange& on_change) {
  Descriptor* entries = pool_->Descriptors(table);
  const uint64_t span = regime_.level_bytes(level);
  const unsigned count = regime_.entries_at(level);
  const auto [first, last] = EntriesIn(level, base, lo, hi);
  bool cleared_all = true;  // Every entry in [first, last) is now invalid.
  for (unsigned i = first; i < last; ++i) {
    const Descriptor d = entries[i];
    const VirtAddr va = base + i * span;
    if (!d.valid()) continue;
    if (level == 3) {
      entries[i] = Descriptor::Invalid();
      on_change(va, d, 3);
    } else if (d.IsTable(level) ? UnmapIn(d.output_address(), level + 1, va, lo,
                                          hi, on_change)
                                : va >= lo && hi - va >= span) {
      entries[i] = Descriptor::Invalid();  // An emptied table, or a block.
      on_change(va, d, level);
    } else {
      cleared_all = false;  // A table still in use, or a block partly in.
    }
  }
  if (!cleared_all) return false;
  if (first == 0 && last == count) return true;
  // Only part of the table was in range: the rest decides.
  for (unsigned i = 0; i < count; ++i) {
    if (entries[i].valid()) return false;
  }
  return true;
}

template <typename OnChange>
Status AddressSpace::Protect(VirtAddr va, uint64_t pages, Descriptor attrs,
                             OnChange&& on_change) {
  if (const Status s = CheckRange(va, pages); s != Status::kOk) return s;
  const uint64_t step = regime_.granule_bytes();
  // Check first, so that a hole changes nothing.
  for (uint64_t i = 0; i < pages; ++i) {
    const Result<Descriptor*> slot = cursor_.Find(va + i * step);
    if (!slot.ok()) return slot.status();
    if (!slot.value()->valid()) return Status::kNotMapped;
  }
  for (uint64_t i = 0; i < pages; ++i) {
    Descriptor* slot = cursor_.Find(va + i * step).value();
    const Descriptor old = *slot;
    *slot = old.with_attribute_bits(attrs.attribute_bits())
                .with_contiguous(old.contiguous());
    on_change(va + i * step, old, 3);
  }
  return Status::kOk;
}

template <typename Invalidate>
Status AddressSpace::SplitBlock(VirtAddr va, bool break_first,
                                Invalidate&& invalidate) {
  Descriptor* entry = BlockAt(va);
  if (entry == nullptr) return Status::kOk;
  const Result<PhysAddr> table = pool_->AllocateUncleared(FrameUse::kTable);
  if (!table.ok()) return table.status();
  const Descriptor block = *entry;
  const PhysAddr head = block.output_address();
  Descriptor* pages = pool_->Descriptors(table.value());
  const unsigned count = regime_.entries_at(3);
  // A page descriptor is a block's with bits 1:0 = 0b11 (D8.3.2).
  const Descriptor first = Descriptor(block.bits() | 0b11);
  for (unsigned i = 0; i < count; ++i) {
    pages[i] = first.with_output_address(
        head + (uint64_t{i} << regime_.granule_shift));
  }
  pool_->ShareRun(head, count);
  const VirtAddr block_va = va & ~(regime_.level_bytes(2) - 1);
  *entry =
      break_first ? Descriptor::Invalid() : Descriptor::Table(table.value());
  invalidate(block_va);
  *entry = Descriptor::Table(table.value());
  pool_->ReleaseBlock(head);
  return Status::kOk;
}

// A level-2 entry whose last-level table fork shared: APTable[1] set, so no
// EL may write through it (Arm ARM D8.4.2, hierarchical permissions), and
// the software mark (bits 58:55 of a table descriptor are ignored by the
// walk, D8.3.1) that tells the fault handler to unshare.
constexpr Descriptor SharedLeafTable(Descriptor entry) {
  return entry.with_ap_table(ApTable::kReadOnly).with_cow(true);
}
constexpr Descriptor PrivateLeafTable(Descriptor entry) {
  return entry.with_ap_table(ApTable::kNoEffect).with_cow(false);
}

template <typename Fn>
Status AddressSpace::ForEachSharedLeafTable(VirtAddr va, uint64_t pages,
                                            Fn&& fn) {
  if (const Status s = CheckRange(va, pages); s != Status::kOk) return s;
  const VirtAddr end = va + (pages << regime_.granule_shift);
  return VisitSharedLeafTables(root_, regime_.start_level(), 0, va, end, fn);
}

template <typename Fn>
Status AddressSpace::VisitSharedLeafTables(PhysAddr table, int level,
                                           VirtAddr base, VirtAddr lo,
                                           VirtAddr hi, Fn& fn) {
  const Descriptor* entries = pool_->Descriptors(table);
  const uint64_t span = regime_.level_bytes(level);
  const auto [first, last] = EntriesIn(level, base, lo, hi);
  for (unsigned i = first; i < last; ++i) {
    const Descriptor d = entries[i];
    if (!d.IsTable(level)) continue;
    const VirtAddr va = base + i * span;
    const Status s = level == 2
                         ? (d.cow() ? fn(va) : Status::kOk)
                         : VisitSharedLeafTables(d.output_address(), level + 1,
                                                 va, lo, hi, fn);
    if (s != Status::kOk) return s;
  }
  return Status::kOk;
}

template <typename View, typename Invalidate>
Status AddressSpace::UnshareLeafTable(VirtAddr va, View&& view,
                                      Invalidate&& invalidate) {
  Descriptor* entry = LeafTableEntry(va);
  if (entry == nullptr || !entry->cow()) return Status::kOk;
  if (ReclaimLeafTable(va, invalidate)) return Status::kOk;
  const Descriptor shared = *entry;
  const PhysAddr table = shared.output_address();
  const VirtAddr region = va & ~(regime_.level_bytes(2) - 1);
  const Result<PhysAddr> copy = pool_->Allocate(FrameUse::kTable);
  if (!copy.ok()) return copy.status();
  Descriptor* from = pool_->Descriptors(table);
  Descriptor* to = pool_->Descriptors(copy.value());
  const unsigned count = regime_.entries_at(3);
  for (unsigned i = 0; i < count; ++i) {
    if (from[i].valid()) from[i] = view(from[i]);
    to[i] = from[i];
  }
  pool_->ShareLeaves(to, count);
  // The entry's output address changes: break-before-make (Arm ARM
  // D8.14.1), so no TLB holds walks through both tables.
  *entry = Descriptor::Invalid();
  invalidate(region);
  *entry = PrivateLeafTable(shared).with_output_address(copy.value());
  pool_->Release(table);
  cursor_.Reset();
  return Status::kOk;
}

template <typename Invalidate>
bool AddressSpace::ReclaimLeafTable(VirtAddr va, Invalidate&& invalidate) {
  if (!regime_.contains(va)) return false;
  Descriptor* entry = LeafTableEntry(va);
  if (entry == nullptr || !entry->cow() ||
      pool_->RefCount(entry->output_address()) != 1) {
    return false;
  }
  *entry = PrivateLeafTable(*entry);
  invalidate(va & ~(regime_.level_bytes(2) - 1));
  return true;
}

template <typename Fn>
void AddressSpace::ForEachLeafTable(Fn&& fn) {
  VisitLeafTables(root_, regime_.start_level(), 0, fn);
}

template <typename Fn>
void AddressSpace::ForEachPage(Fn&& fn) {
  const uint64_t step = regime_.granule_bytes();
  ForEachLeafTable([&](VirtAddr base, Descriptor* entries, unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
      if (entries[i].valid()) fn(base + i * step, entries[i]);
    }
  });
}

template <typename Fn>
void AddressSpace::ForEachBlock(Fn&& fn) {
  VisitBlocks(root_, regime_.start_level(), 0, fn);
}

template <typename Fn>
void AddressSpace::VisitBlocks(PhysAddr table, int level, VirtAddr base,
                               Fn& fn) {
  if (level == 3) return;
  Descriptor* entries = pool_->Descriptors(table);
  const uint64_t span = regime_.level_bytes(level);
  for (unsigned i = FirstOwnEntry(level); i < regime_.entries_at(level); ++i) {
    if (level == 2 && entries[i].IsBlock(2)) {
      fn(base + i * span, entries[i]);
    } else if (level < 2 && entries[i].IsTable(level)) {
      VisitBlocks(entries[i].output_address(), level + 1, base + i * span, fn);
    }
  }
}

template <typename Fn>
void AddressSpace::VisitLeafTables(PhysAddr table, int level, VirtAddr base,
                                   Fn& fn) {
  Descriptor* entries = pool_->Descriptors(table);
  const unsigned count = regime_.entries_at(level);
  if (level == 3) {
    fn(base, entries, count);
    return;
  }
  const uint64_t span = regime_.level_bytes(level);
  for (unsigned i = FirstOwnEntry(level); i < count; ++i) {
    if (entries[i].IsTable(level)) {
      VisitLeafTables(entries[i].output_address(), level + 1, base + i * span,
                      fn);
    }
  }
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_ADDRESS_SPACE_H_
