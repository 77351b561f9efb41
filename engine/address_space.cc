#include "engine/address_space.h"

namespace ttb {
namespace {

// A valid level-3 page descriptor for `frame` with the attributes of
// `attrs` (bits 1:0 = 0b11, Arm ARM D8.3.2).
Descriptor PageDescriptor(PhysAddr frame, Descriptor attrs) {
  return Descriptor::Page(frame).with_attribute_bits(attrs.attribute_bits() |
                                                     0b11);
}

// PageDescriptor for a frame just obtained, or why there is none.
Result<Descriptor> NewPage(Result<PhysAddr> frame, Descriptor attrs) {
  if (!frame.ok()) return frame.status();
  return PageDescriptor(frame.value(), attrs);
}

}  // namespace

Status AddressSpace::Init(FramePool* pool, const Regime& regime, Asid asid) {
  if (pool == nullptr || !regime.Supported() ||
      pool->frame_shift() != regime.granule_shift) {
    return Status::kInvalidArgument;
  }
  const Result<PhysAddr> root = pool->Allocate(FrameUse::kTable);
  if (!root.ok()) return root.status();
  pool_ = pool;
  regime_ = regime;
  root_ = root.value();
  asid_ = asid;
  kernel_entries_ = 0;
  cursor_ = TableCursor(pool, regime, root_);
  return Status::kOk;
}

Status AddressSpace::CheckRange(VirtAddr va, uint64_t pages) const {
  const unsigned shift = regime_.granule_shift;
  if (pages == 0 || (va & (regime_.granule_bytes() - 1)) != 0) {
    return Status::kInvalidArgument;
  }
  // Compare page numbers so that huge counts cannot wrap the sum.
  const uint64_t limit = 1ull << (regime_.va_bits - shift);
  if (!regime_.contains(va) || va < user_base() ||
      pages > limit - (va >> shift)) {
    return Status::kOutOfRange;
  }
  return Status::kOk;
}

template <typename PageFor>
Status AddressSpace::MapEach(VirtAddr va, uint64_t pages, PageFor&& page_for) {
  if (const Status s = CheckRange(va, pages); s != Status::kOk) return s;
  const uint64_t step = regime_.granule_bytes();
  const VirtAddr end = va + pages * step;
  for (VirtAddr at = va; at < end; at += step) {
    const Result<Descriptor*> slot = cursor_.Find(at);
    if (slot.status() == Status::kNotMapped) {
      at = cursor_.NextAfterHole(at) - step;
    } else if (!slot.ok()) {
      return slot.status();
    } else if (slot.value()->valid()) {
      return Status::kAlreadyMapped;
    }
  }
  // The slot first, then its frame: a table's pages get consecutive
  // frames, which fork shares in one vectorised pass.
  for (uint64_t i = 0; i < pages; ++i) {
    const Result<Descriptor*> slot = cursor_.FindOrCreate(va + i * step);
    const Result<Descriptor> page =
        slot.ok() ? page_for(i) : Result<Descriptor>(slot.status());
    if (!page.ok()) {
      // The pages mapped before this one, and the tables made for it.
      UnmapChecked(va, i + 1, ReleaseAtOnce{pool_});
      return page.status();
    }
    *slot.value() = page.value();
  }
  return Status::kOk;
}

Status AddressSpace::Map(VirtAddr va, uint64_t pages, Descriptor attrs) {
  if (!attrs.contiguous()) {
    return MapEach(va, pages, [&](uint64_t) {
      return NewPage(pool_->Allocate(FrameUse::kData), attrs);
    });
  }
  // Each aligned run of the range on an aligned run of frames, with the
  // contiguous bit; pages outside such a run, or whose run the pool cannot
  // give, as single pages without it.
  const unsigned run = regime_.contiguous_entries(3);
  const uint64_t first_page = va >> regime_.granule_shift;
  PhysAddr run_base = 0;
  bool in_run = false;
  return MapEach(va, pages, [&](uint64_t i) {
    const uint64_t at = (first_page + i) % run;
    if (at == 0) {
      in_run = false;
      if (pages - i >= run) {
        const Result<PhysAddr> frames = pool_->AllocateRun(run);
        in_run = frames.ok();
        if (in_run) run_base = frames.value();
      }
    }
    if (in_run) {
      return NewPage(run_base + (at << regime_.granule_shift), attrs);
    }
    return NewPage(pool_->Allocate(FrameUse::kData),
                   attrs.with_contiguous(false));
  });
}

Status AddressSpace::BlockSlot(VirtAddr va, Descriptor** slot) {
  const Result<Descriptor*> found = cursor_.FindOrCreateAt(va, 2);
  if (!found.ok()) return found.status();
  const Descriptor d = *found.value();
  if (d.IsTable(2)) {
    *slot = nullptr;
    return Status::kOk;
  }
  *slot = found.value();
  return d.valid() ? Status::kAlreadyMapped : Status::kOk;
}

Status AddressSpace::MapBlocks(VirtAddr va, uint64_t pages, Descriptor attrs) {
  if (const Status s = CheckRange(va, pages); s != Status::kOk) return s;
  const uint64_t block_bytes = regime_.level_bytes(2);
  const VirtAddr end = va + (pages << regime_.granule_shift);
  const uint64_t run_bytes = block_bytes * regime_.contiguous_entries(2);
  // A block descriptor: bits 1:0 = 0b01 (D8.3.1), no contiguous bit.
  const uint64_t block_attrs =
      (attrs.with_contiguous(false).attribute_bits() & ~uint64_t{0b11}) | 0b01;
  for (VirtAddr at = va; at < end;) {
    if (attrs.contiguous() && (at & (run_bytes - 1)) == 0 &&
        end - at >= run_bytes && MapBlockRun(at, block_attrs)) {
      at += run_bytes;
      continue;
    }
    const VirtAddr next = (at | (block_bytes - 1)) + 1;
    Status s = Status::kOk;
    Descriptor* slot = nullptr;
    const bool whole = at + block_bytes == next && next <= end;
    if (whole) s = BlockSlot(at, &slot);
    Result<PhysAddr> block = Status::kNoMemory;
    if (s == Status::kOk && slot != nullptr) block = pool_->AllocateBlock();
    if (block.ok()) {
      *slot = Descriptor::Block(block.value()).with_attribute_bits(block_attrs);
    } else if (s == Status::kOk) {
      s = Map(at, ((next < end ? next : end) - at) >> regime_.granule_shift,
              attrs);
    }
    if (s != Status::kOk) {
      // What this call mapped before, and, when it ran out of memory, the
      // tables made for `at`, where nothing was mapped.
      const uint64_t undo = ((at - va) >> regime_.granule_shift) +
                            (s == Status::kNoMemory ? 1 : 0);
      if (undo != 0) UnmapChecked(va, undo, ReleaseAtOnce{pool_});
      return s;
    }
    at = next;
  }
  return Status::kOk;
}

bool AddressSpace::MapBlockRun(VirtAddr va, uint64_t block_attrs) {
  Descriptor* slot = nullptr;
  if (BlockSlot(va, &slot) != Status::kOk || slot == nullptr) return false;
  // The run's entries are consecutive in one level-2 table.
  const unsigned count = regime_.contiguous_entries(2);
  for (unsigned i = 0; i < count; ++i) {
    if (slot[i].valid()) return false;
  }
  const Result<PhysAddr> blocks = pool_->AllocateBlock(count);
  if (!blocks.ok()) return false;
  for (unsigned i = 0; i < count; ++i) {
    slot[i] = Descriptor::Block(blocks.value() + i * regime_.level_bytes(2))
                  .with_attribute_bits(block_attrs)
                  .with_contiguous(true);
  }
  return true;
}

Status AddressSpace::MapFrames(VirtAddr va, uint64_t pages,
                               const PhysAddr* frames, Descriptor attrs) {
  for (uint64_t i = 0; i < pages; ++i) {
    if (!pool_->Contains(frames[i]) ||
        pool_->Use(frames[i]) != FrameUse::kData) {
      return Status::kInvalidArgument;
    }
  }
  uint64_t placed = 0;
  // The caller's frames need not form aligned runs: single pages.
  const Descriptor page = attrs.with_contiguous(false);
  const Status s = MapEach(va, pages, [&](uint64_t i) {
    placed = i + 1;
    return NewPage(frames[i], page);
  });
  // On failure MapEach released the frames it had placed; the rest are
  // still the caller's references, handed over.
  if (s != Status::kOk) {
    for (uint64_t i = placed; i < pages; ++i) pool_->Release(frames[i]);
  }
  return s;
}

Result<AddressSpace::Leaf> AddressSpace::LeafAt(VirtAddr va) {
  if (!regime_.contains(va)) return Status::kOutOfRange;
  const Result<Descriptor*> slot = cursor_.Find(regime_.page_base(va));
  if (slot.ok()) return Leaf{slot.value(), 3};
  if (slot.status() != Status::kBlockInPath) return slot.status();
  return Leaf{cursor_.block(), cursor_.block_level()};
}

Result<Translation> AddressSpace::Translate(VirtAddr va) {
  const Result<Leaf> leaf = LeafAt(va);
  if (!leaf.ok()) return leaf.status();
  const Descriptor d = *leaf.value().entry;
  if (!d.valid()) return Status::kNotMapped;
  const int level = leaf.value().level;
  return Translation{
      d.output_address() | (va & (regime_.level_bytes(level) - 1)), d, level};
}

Descriptor* AddressSpace::BlockAt(VirtAddr va) {
  const Result<Leaf> leaf = LeafAt(va);
  return leaf.ok() && leaf.value().level == 2 ? leaf.value().entry : nullptr;
}

Descriptor* AddressSpace::BlockRunAt(VirtAddr va) {
  Descriptor* block = BlockAt(va);
  if (block == nullptr || !block->contiguous()) return nullptr;
  return block - regime_.index(va, 2) % regime_.contiguous_entries(2);
}

Result<Descriptor*> AddressSpace::Slot(VirtAddr va) {
  if (!regime_.contains(va)) return Status::kOutOfRange;
  return cursor_.Find(regime_.page_base(va));
}

Descriptor* AddressSpace::RunAt(VirtAddr va) {
  const Result<Descriptor*> slot = Slot(va);
  if (!slot.ok() || !slot.value()->valid() || !slot.value()->contiguous()) {
    return nullptr;
  }
  // A run is aligned within its table ("The Contiguous bit"), which is one
  // array.
  return slot.value() - regime_.index(va, 3) % regime_.contiguous_entries(3);
}

Status AddressSpace::BuildTablesLike(PhysAddr from, PhysAddr to, int level,
                                     int unit_level, bool uncleared,
                                     uint64_t& reads, uint64_t& writes) {
  if (level == unit_level) return Status::kOk;
  const Descriptor* in = pool_->Descriptors(from);
  Descriptor* out = pool_->Descriptors(to);
  const unsigned first = FirstOwnEntry(level);
  reads += regime_.entries_at(level) - first;
  for (unsigned i = first; i < regime_.entries_at(level); ++i) {
    if (!in[i].IsTable(level) || out[i].valid()) continue;
    const Result<PhysAddr> table =
        uncleared && level + 1 == 3 ? pool_->AllocateUncleared(FrameUse::kTable)
                                    : pool_->Allocate(FrameUse::kTable);
    if (!table.ok()) return table.status();
    out[i] = Descriptor::Table(table.value());
    ++writes;
    const Status s =
        BuildTablesLike(in[i].output_address(), table.value(), level + 1,
                        unit_level, uncleared, reads, writes);
    if (s != Status::kOk) return s;
  }
  return Status::kOk;
}

Status AddressSpace::ForkFrom(AddressSpace& src, const TableWalk& walk,
                              ForkUnit unit, ForkVisitor& visitor) {
  if (!SameLayout(src)) return Status::kInvalidArgument;
  const bool uncleared = walk.whole_tables() && unit == ForkUnit::kPages;
  uint64_t reads = 0;
  uint64_t writes = 0;
  const Status s = BuildTablesLike(src.root_, root_, regime_.start_level(),
                                   UnitLevel(unit), uncleared, reads, writes);
  pool_->CountTableAccesses(reads, writes);
  if (s != Status::kOk) {
    // Release reads every table it frees: the uncleared ones are cleared
    // first (which no fork would, so it is not counted).
    if (uncleared) {
      ForEachLeafTable([](VirtAddr, Descriptor* entries, unsigned count) {
        for (unsigned i = 0; i < count; ++i) entries[i] = Descriptor::Invalid();
      });
    }
    return s;
  }
  walk.Pair(src, *this, unit, visitor);
  return Status::kOk;
}

Descriptor* AddressSpace::LeafTableEntry(VirtAddr va) {
  PhysAddr table = root_;
  for (int level = regime_.start_level();; ++level) {
    Descriptor* slot = pool_->Descriptors(table) + regime_.index(va, level);
    if (!slot->IsTable(level)) return nullptr;
    if (level == 2) return slot;
    table = slot->output_address();
  }
}

bool AddressSpace::InSharedLeafTable(VirtAddr va) {
  if (!regime_.contains(va)) return false;
  const Descriptor* entry = LeafTableEntry(va);
  return entry != nullptr && entry->cow();
}

Result<VirtAddr> AddressSpace::NextSharedLeafTable(VirtAddr va) {
  if (!regime_.contains(va)) return Status::kNotMapped;
  VirtAddr found = 0;
  // The visit stops at its callback's first error: kAlreadyMapped here
  // means "found", never an error of the visit itself, which has none.
  auto stop_at_first = [&](VirtAddr region) {
    found = region;
    return Status::kAlreadyMapped;
  };
  const Status s =
      VisitSharedLeafTables(root_, regime_.start_level(), 0, va,
                            VirtAddr{1} << regime_.va_bits, stop_at_first);
  if (s != Status::kAlreadyMapped) return Status::kNotMapped;
  return found;
}

void AddressSpace::FreeTables(PhysAddr table, int level) {
  // A last-level table other spaces still share keeps its pages: this
  // space only drops its reference.
  if (level == 3 && pool_->RefCount(table) > 1) {
    pool_->Release(table);
    return;
  }
  const Descriptor* entries = pool_->Descriptors(table);
  for (unsigned i = FirstOwnEntry(level); i < regime_.entries_at(level); ++i) {
    const Descriptor d = entries[i];
    if (d.IsTable(level)) {
      FreeTables(d.output_address(), level + 1);
    } else if (d.valid()) {
      ReleaseEntry(*pool_, d, level);  // A page or a block.
    }
  }
  pool_->Release(table);
}

void AddressSpace::Release() {
  if (pool_ == nullptr) return;
  FreeTables(root_, regime_.start_level());
  pool_ = nullptr;
  root_ = 0;
  cursor_ = TableCursor();
}

}  // namespace ttb
