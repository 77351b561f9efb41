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

// One of a source space's last-level tables as ShareAll hands it over:
// `from`, which maps from `va`, and the sharing space's new table `to`.
struct TableToFill {
  VirtAddr va;
  Descriptor* from;
  Descriptor* to;  // Uncleared: fill writes every entry.
  unsigned count;
};

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

// The child's entry for one of a source space's blocks, as ShareAll's
// fork_block writes it: here, the same entry.
struct CopyBlockEntry {
  void operator()(VirtAddr, Descriptor& from, Descriptor& to) const {
    to = from;
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
  // Maps a new frame holding a copy of `src` at `va`; returns the frame.
  Result<PhysAddr> MapCopy(VirtAddr va, PhysAddr src, Descriptor attrs);
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

  // Maps every page of `src` (same pool and regime) into this space, taking
  // a reference to each frame. The tables are copied as src's structure,
  // not built page by page through the cursor: `fill(const TableToFill&)`
  // is called for each of src's last-level tables. It must write every
  // entry of `to`, which is not cleared beforehand: a page descriptor for
  // the same frame exactly where from[i] is valid, else zero. It
  // may change the attributes of from's entries (a fork write-protects the
  // parent there, while the table is in cache). It returns true only if
  // `to` is then a UniformLeafTable, which it can tell from the pass that
  // wrote `to`; the frames' references are then taken in one pass.
  // Every table is allocated before the first page is shared: on kNoMemory
  // neither src nor any frame reference has changed, and the caller
  // releases this space. The kernel's root entries are left alone.
  // Each of src's level-2 blocks gets one more reference, and
  // `fork_block(va, from, to)` writes this space's entry `to` for it (a
  // block descriptor for the same frames) and may change src's `from`.
  template <typename Fill, typename ForkBlock = CopyBlockEntry>
  Status ShareAll(AddressSpace& src, Fill&& fill, ForkBlock&& fork_block = {});

  // Leaf-table sharing, for a fork that shares tables rather than pages.
  // ShareLeafTables maps every page of `src` into this space by pointing
  // this space's level-2 entries at src's last-level tables, one more
  // reference to each table (its pages keep theirs); the upper levels are
  // copied. The new entries are SharedLeafTable()s. `src` is not changed:
  // MarkLeafTablesShared() marks its own entries once this succeeded. On
  // kNoMemory the caller releases the space, as after ShareAll. Blocks
  // are shared as ShareAll shares them.
  template <typename ForkBlock = CopyBlockEntry>
  Status ShareLeafTables(AddressSpace& src, ForkBlock&& fork_block = {});
  void MarkLeafTablesShared() {
    MarkLeafTablesShared(root_, regime_.start_level());
  }
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
  // table at a time (fork's write-protect).
  template <typename Fn>
  void ForEachLeafTable(Fn&& fn);
  // Visits every valid page in VA order: fn(va, Descriptor& slot).
  // Blocks are not pages: ForEachBlock visits them.
  template <typename Fn>
  void ForEachPage(Fn&& fn);
  // Visits every level-2 block in VA order: fn(va, Descriptor& entry).
  template <typename Fn>
  void ForEachBlock(Fn&& fn);
  // Maps a new block holding a copy of the block at `src` at `va`, with
  // the attributes of `attrs`.
  Status MapBlockCopy(VirtAddr va, PhysAddr src, Descriptor attrs);

  // Frees every table and drops every page reference; the space is empty
  // and must be Init()ed again before use.
  void Release();

  // A page-aligned, non-empty range inside the regime: what Map and Unmap
  // accept.
  Status CheckRange(VirtAddr va, uint64_t pages) const;

  PhysAddr root() const { return root_; }
  Asid asid() const { return asid_; }
  void set_asid(Asid asid) { asid_ = asid; }
  const Regime& regime() const { return regime_; }
  FramePool* pool() const { return pool_; }
  const TableCursor& cursor() const { return cursor_; }

 private:
  // One page at `va` inside the regime, and a data frame of this pool.
  Status CheckPageAndFrame(VirtAddr va, PhysAddr frame) const;
  // Writes one page descriptor, creating tables; kAlreadyMapped if valid.
  Status PlacePage(VirtAddr va, PhysAddr frame, Descriptor attrs);
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
  // Gives each of src's blocks below `from` (level `level`, mapping from
  // `base`) to the same place below `to`, by fork_block, unless `to`
  // holds an entry there already.
  template <typename ForkBlock>
  void ForkBlocks(Descriptor* from, PhysAddr to, int level, VirtAddr base,
                  ForkBlock& fork_block);
  template <typename Fn>
  void VisitBlocks(PhysAddr table, int level, VirtAddr base, Fn& fn);
  // Map and MapFrames: checks that the range is unmapped, then writes page
  // i's descriptor `page_for(i)` (a Result<Descriptor>), whose frame
  // reference the space keeps. On failure the pages placed so far are
  // released and their tables pruned.
  template <typename PageFor>
  Status MapEach(VirtAddr va, uint64_t pages, PageFor&& page_for);
  // Places a frame the caller holds a reference to; on failure drops that
  // reference and prunes any table made for it.
  Status PlaceOrUndo(VirtAddr va, PhysAddr frame, Descriptor attrs);
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
  // Copies src's table structure below `from` into the table `to` of
  // level `level`: a new table for each of src's (empty, but for the
  // last-level ones, left uncleared for ShareAll's fill), or, with
  // `leaf_tables`, level-2 entries pointing at src's own last-level tables.
  // Entries `to` already holds are left alone.
  Status CopyTables(const Descriptor* from, PhysAddr to, int level,
                    bool leaf_tables);
  // Fills the uncleared last-level tables CopyTables made below `to` from
  // src's below `from`, and gives each of src's blocks to `share_block`
  // (ShareAll's fork_block, with the block's reference), as ShareAll
  // describes. One pass: a fork's fixed cost.
  template <typename Fill, typename ShareBlock>
  void ShareLeaves(Descriptor* from, PhysAddr to, int level, VirtAddr base,
                   Fill& fill, ShareBlock& share_block);
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
  void MarkLeafTablesShared(PhysAddr table, int level);
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

template <typename Fill, typename ForkBlock>
Status AddressSpace::ShareAll(AddressSpace& src, Fill&& fill,
                              ForkBlock&& fork_block) {
  if (!SameLayout(src)) return Status::kInvalidArgument;
  const int level = regime_.start_level();
  Descriptor* from = pool_->Descriptors(src.root_);
  if (const Status s = CopyTables(from, root_, level, false);
      s != Status::kOk) {
    // The last-level tables made so far are uncleared; Release will read
    // them, so they are cleared, through the walk fill would have taken.
    auto clear = [](const TableToFill& t) {
      for (unsigned i = 0; i < t.count; ++i) t.to[i] = Descriptor::Invalid();
      return false;
    };
    auto leave = [](VirtAddr, Descriptor&, Descriptor&) {};
    ShareLeaves(from, root_, level, 0, clear, leave);
    return s;
  }
  auto share_block = [&](VirtAddr va, Descriptor& f, Descriptor& t) {
    pool_->ShareBlock(f.output_address());
    fork_block(va, f, t);
  };
  ShareLeaves(from, root_, level, 0, fill, share_block);
  return Status::kOk;
}

template <typename ForkBlock>
Status AddressSpace::ShareLeafTables(AddressSpace& src,
                                     ForkBlock&& fork_block) {
  if (!SameLayout(src)) return Status::kInvalidArgument;
  Descriptor* from = pool_->Descriptors(src.root_);
  const Status s =
      CopyTables(from, root_, regime_.start_level(), /*leaf_tables=*/true);
  if (s == Status::kOk) {
    ForkBlocks(from, root_, regime_.start_level(), 0, fork_block);
  }
  return s;
}

template <typename ForkBlock>
void AddressSpace::ForkBlocks(Descriptor* from, PhysAddr to, int level,
                              VirtAddr base, ForkBlock& fork_block) {
  // Only levels above the last-level tables are read: a few tables per GiB.
  if (level == 3) return;
  Descriptor* out = pool_->Descriptors(to);
  const uint64_t span = regime_.level_bytes(level);
  for (unsigned i = FirstOwnEntry(level); i < regime_.entries_at(level); ++i) {
    const VirtAddr va = base + i * span;
    if (level == 2 && from[i].IsBlock(2) && !out[i].valid()) {
      pool_->ShareBlock(from[i].output_address());
      fork_block(va, from[i], out[i]);
    } else if (level < 2 && from[i].IsTable(level) && out[i].IsTable(level)) {
      ForkBlocks(pool_->Descriptors(from[i].output_address()),
                 out[i].output_address(), level + 1, va, fork_block);
    }
  }
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

template <typename Fill, typename ShareBlock>
void AddressSpace::ShareLeaves(Descriptor* from, PhysAddr to, int level,
                               VirtAddr base, Fill& fill,
                               ShareBlock& share_block) {
  Descriptor* out = pool_->Descriptors(to);
  const unsigned entries = regime_.entries_at(level);
  if (level == 3) {
    // The references follow the child's table, in cache once filled.
    if (fill(TableToFill{base, from, out, entries})) {
      pool_->ShareRun(out[0].output_address(), entries);
    } else {
      pool_->ShareLeaves(out, entries);
    }
    return;
  }
  // CopyTables made a table wherever src has one, unless it ran out of
  // frames.
  const uint64_t span = regime_.level_bytes(level);
  for (unsigned i = FirstOwnEntry(level); i < entries; ++i) {
    if (from[i].IsTable(level)) {
      if (out[i].valid()) {
        ShareLeaves(pool_->Descriptors(from[i].output_address()),
                    out[i].output_address(), level + 1, base + i * span, fill,
                    share_block);
      }
    } else if (level == 2 && from[i].IsBlock(2)) {
      share_block(base + i * span, from[i], out[i]);
    }
  }
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
