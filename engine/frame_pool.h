// Physical memory for the engine: fixed-size frames that hold real bytes,
// with a reference count and a use tag per frame. The pool manages one
// contiguous range (host: an arena; bare metal: a RAM range) and keeps its
// metadata at the front of that range, so it needs no heap.
#ifndef TTBENCH_ENGINE_FRAME_POOL_H_
#define TTBENCH_ENGINE_FRAME_POOL_H_

#include "engine/descriptor.h"
#include "engine/status.h"
#include "engine/types.h"

namespace ttb {

enum class FrameUse : uint8_t { kFree = 0, kData = 1, kTable = 2 };

struct FramePoolStats {
  uint64_t data_frames = 0;   // In use now.
  uint64_t table_frames = 0;  // In use now.
  uint64_t peak_frames = 0;   // Most data + table frames in use at once.
  uint64_t allocations = 0;
  uint64_t failed_allocations = 0;
  uint64_t frees = 0;
  uint64_t copies = 0;
  uint64_t shares = 0;
  uint64_t invalid_releases = 0;  // Release of a free or foreign frame.
  // Descriptors a software walk of the tables read and wrote
  // (CountTableAccesses): the kernel's loads and stores, apart from the
  // hardware walker's reads.
  uint64_t table_reads = 0;
  uint64_t table_writes = 0;
};

// Told of every frame the pool frees, before its bytes are reused, and of
// every table handed out for writing: a checker can ask whether any TLB or
// walk cache may still reach a freed frame, and which stores a walk may
// not observe yet.
class FrameObserver {
 public:
  virtual void Freed(PhysAddr frame, FrameUse use) = 0;
  virtual void Writing(PhysAddr table) = 0;

 protected:
  ~FrameObserver() = default;
};

class FramePool {
 public:
  // A frame's reference count is the sum of its own 32-bit count and that
  // of its group of kGroupFrames consecutive frames. ShareRun adds one to
  // each whole group it covers, one store for kGroupFrames pages (as Linux
  // since 6.9 adds a PTE-mapped large folio's references at fork in one
  // atomic add); Release takes one from the frame's own count. Unsigned
  // arithmetic wraps, so the sum stays exact while a frame's own count
  // reads as negative.
  static constexpr uint64_t kGroupFrames = 32;
  static constexpr uint64_t GroupCount(uint64_t frames) {
    return (frames + kGroupFrames - 1) / kGroupFrames;
  }
  // A block's frames: one last-level table's worth (a level-2 block maps
  // what a last-level table would, Arm ARM D8.3), 512 at the least.
  static constexpr uint64_t kMinBlockFrames = 512;
  static constexpr uint64_t BlockSlots(uint64_t frames) {
    return frames / kMinBlockFrames + 2;  // Unaligned ends.
  }
  // Bytes of metadata for `frames` frames: the three counts, the free
  // list's link and a one-byte use tag, in the order Init lays them out.
  static constexpr uint64_t MetadataBytes(uint64_t frames) {
    return (2 * frames + GroupCount(frames) + BlockSlots(frames)) *
               sizeof(uint32_t) +
           frames;
  }

  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  // Manages [memory, memory + bytes), which the CPU sees at `phys_base`.
  // `memory_is_zero` says the range already reads as zero (a fresh anonymous
  // mapping), so frames handed out for the first time need no clearing and
  // the host only commits the pages that are used.
  Status Init(void* memory, PhysAddr phys_base, uint64_t bytes,
              unsigned frame_shift, bool memory_is_zero);

  // A zero-filled frame with one reference.
  Result<PhysAddr> Allocate(FrameUse use);
  // A frame with one reference whose bytes are as its last user left them:
  // for a table its caller writes whole before anything reads it.
  Result<PhysAddr> AllocateUncleared(FrameUse use);
  // `count` zero-filled data frames, consecutive and aligned to the run's
  // size, each with one reference: the output of a contiguous run (Arm
  // ARM, "The Contiguous bit"). From never-used frames while there are, then
  // from freed ones where `count` aligned frames are all free; kNoMemory when
  // no such run is left (the caller maps single frames).
  Result<PhysAddr> AllocateRun(unsigned count);
  // A new run (AllocateRun) holding a copy of the `count` frames from
  // `src`, each with one reference.
  Result<PhysAddr> CopyRun(PhysAddr src, unsigned count);
  // A block's frames (block_frames() of them, aligned to their size,
  // zero-filled) with one reference for the block as a whole: a level-2
  // block descriptor's output. Each frame's RefCount counts the block's
  // references and its own; a fork sharing the block adds one
  // (ShareBlock), as Linux adds one to a PMD-mapped folio. With `count`,
  // that many consecutive blocks aligned to their total size, each with a
  // reference of its own: a level-2 contiguous run's. kNoMemory as
  // AllocateRun.
  Result<PhysAddr> AllocateBlock(unsigned count = 1);
  // A new block holding a copy of the block at `src`.
  Result<PhysAddr> CopyBlock(PhysAddr src);
  // One more reference to the block at `head`.
  void ShareBlock(PhysAddr head);
  // One reference fewer to the block at `head`; at zero, each of its frames
  // that no page mapping holds any more is freed.
  void ReleaseBlock(PhysAddr head);
  uint64_t block_frames() const { return uint64_t{1} << block_order_; }
  // A new data frame holding a copy of `src`'s bytes, with one reference.
  Result<PhysAddr> Copy(PhysAddr src);
  // One more reference to the frame of each valid descriptor among the
  // `count` descriptors at `leaves`: the pages of a last-level table that a
  // fork shares, or the tables a level-2 entry points at.
  void ShareLeaves(const Descriptor* leaves, unsigned count);
  // One more reference to each of `count` consecutive frames from `first`,
  // one per group where the run covers a whole group: ShareLeaves for a
  // table whose pages are consecutive frames (UniformLeafTable).
  void ShareRun(PhysAddr first, unsigned count);
  // One reference fewer; the frame is freed at zero. Returns whether it was.
  bool Release(PhysAddr frame);

  // Whether any of `count` frames from `first` has a reference besides
  // the caller's one: whether a CoW break of a run or block must copy it.
  bool AnyShared(PhysAddr first, uint64_t count) const {
    bool shared = false;
    for (uint64_t i = 0; i < count; ++i) {
      shared |= RefCount(first + (i << frame_shift_)) != 1;
    }
    return shared;
  }
  // The references to a frame in use.
  uint32_t RefCount(PhysAddr frame) const {
    const uint64_t index = IndexOf(frame);
    return refs_[index] + group_refs_[index / kGroupFrames] +
           block_refs_[BlockSlot(frame)];
  }
  FrameUse Use(PhysAddr frame) const {
    return static_cast<FrameUse>(use_[IndexOf(frame)]);
  }
  // Whether `pa` lies inside a frame this pool hands out.
  bool Contains(PhysAddr pa) const {
    return pa >= phys_base_ && ((pa - phys_base_) >> frame_shift_) < frames_;
  }
  uint8_t* Bytes(PhysAddr pa) { return base_ + (pa - phys_base_); }
  const uint8_t* Bytes(PhysAddr pa) const { return base_ + (pa - phys_base_); }
  // The table's descriptors, to write (or read): every store to a table
  // goes through a pointer from here.
  Descriptor* Descriptors(PhysAddr table) {
    if (observer_ != nullptr) observer_->Writing(table);
    return reinterpret_cast<Descriptor*>(Bytes(table));
  }
  const Descriptor* Descriptors(PhysAddr table) const {
    return reinterpret_cast<const Descriptor*>(Bytes(table));
  }

  void set_observer(FrameObserver* observer) { observer_ = observer; }

  // Counts descriptors a software walk read and wrote in the tables of
  // this pool: kept with the other work done on frames, so that whoever
  // charges that work to a CPU charges these too.
  void CountTableAccesses(uint64_t reads, uint64_t writes) {
    stats_.table_reads += reads;
    stats_.table_writes += writes;
  }

  // With false, data frames keep no bytes: Allocate leaves a reused one as
  // it is, and Copy counts a copy without making it, so the host never
  // touches a data frame's memory. For spaces larger than the host's
  // memory (tables and metadata are kept as ever); what such frames read
  // as is undefined. Init sets it true.
  void set_keep_data(bool keep) { keep_data_ = keep; }
  bool keep_data() const { return keep_data_; }

  // Makes the nth allocation from now fail (n = 1: the next one); 0 cancels.
  // Tests use it to prove every caller undoes a half-done operation.
  void FailNthAllocation(uint64_t n) { fail_countdown_ = n; }

  const FramePoolStats& stats() const { return stats_; }
  // Starts peak_frames again from the frames in use now: the peak of what
  // follows a set-up that used more.
  void ResetPeak() { stats_.peak_frames = frames_in_use(); }
  uint64_t frames_in_use() const {
    return stats_.data_frames + stats_.table_frames;
  }
  uint64_t capacity() const { return frames_; }
  unsigned frame_shift() const { return frame_shift_; }
  uint64_t frame_bytes() const { return 1ull << frame_shift_; }

 private:
  static constexpr PhysAddr kNoFrame = ~0ull;
  static constexpr uint32_t kNoIndex = ~0u;

  uint64_t IndexOf(PhysAddr pa) const {
    return (pa - phys_base_) >> frame_shift_;
  }
  PhysAddr AddressOf(uint64_t index) const {
    return phys_base_ + (index << frame_shift_);
  }
  // The block-aligned unit of memory holding `pa`, counted from the one
  // holding the first frame.
  uint64_t BlockSlot(PhysAddr pa) const {
    return (pa >> (frame_shift_ + block_order_)) - first_block_;
  }
  // Frees a frame whose count has reached zero.
  void Free(uint64_t index);
  // A frame with no reference and no use yet, or kNoFrame. Says whether its
  // bytes are already zero. Fresh tables come from the top of the range and
  // fresh data from the bottom, so one Map's pages are consecutive frames
  // that start where it started, not a run cut every 2 MiB by a table: a
  // fork then shares them by whole groups.
  PhysAddr Take(FrameUse use, bool* zero);
  // Take() with failure injection, a reference, a use tag and statistics.
  Result<PhysAddr> Claim(FrameUse use, bool* zero);
  // The reference, use tag and statistics of a frame handed out.
  void HandOut(uint64_t index, FrameUse use);
  // The first of `count` aligned free frames below next_fresh_ (a freed
  // run), or kNoIndex.
  uint64_t FindFreedRun(unsigned count);
  void Account(FrameUse use, int64_t delta);

  uint8_t* base_ = nullptr;  // First frame handed out.
  PhysAddr phys_base_ = 0;   // Its physical address.
  uint64_t frames_ = 0;
  unsigned frame_shift_ = 12;
  bool memory_is_zero_ = false;
  uint32_t* refs_ = nullptr;
  uint32_t* group_refs_ = nullptr;
  uint32_t* block_refs_ = nullptr;  // References to whole blocks.
  unsigned block_order_ = 9;        // log2 of block_frames().
  uint64_t first_block_ = 0;        // BlockSlot's origin.
  uint8_t* use_ = nullptr;
  uint64_t next_fresh_ = 0;  // Frames [next_fresh_, fresh_end_) never used.
  uint64_t fresh_end_ = 0;
  // LIFO list of freed frames' indices, linked through free_next_. A run
  // may take a listed frame; Take then skips it, as it is no longer free.
  uint32_t* free_next_ = nullptr;
  uint32_t free_head_ = kNoIndex;
  uint64_t run_cursor_ = 0;  // Where AllocateRun looks for freed runs next.
  bool keep_data_ = true;
  uint64_t fail_countdown_ = 0;
  FrameObserver* observer_ = nullptr;
  FramePoolStats stats_;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_FRAME_POOL_H_
