#include "engine/frame_pool.h"

namespace ttb {

Status FramePool::Init(void* memory, PhysAddr phys_base, uint64_t bytes,
                       unsigned frame_shift, bool memory_is_zero) {
  const uint64_t frame = 1ull << frame_shift;
  const auto addr = reinterpret_cast<uintptr_t>(memory);
  if (memory == nullptr || frame_shift < 12 || (addr & (frame - 1)) != 0 ||
      (phys_base & (frame - 1)) != 0) {
    return Status::kInvalidArgument;
  }
  // Metadata first, rounded up to whole frames, then as many frames as fit,
  // counted down from an upper bound: a whole group's metadata per frame,
  // rounded down.
  uint64_t frames =
      bytes / (frame + MetadataBytes(kGroupFrames) / kGroupFrames);
  auto metadata_bytes = [&](uint64_t n) {
    return (MetadataBytes(n) + frame - 1) & ~(frame - 1);
  };
  while (frames > 0 && metadata_bytes(frames) + frames * frame > bytes) {
    --frames;
  }
  // Free frames are linked by 32-bit index (kNoIndex ends the list).
  if (frames == 0 || frames >= kNoIndex) return Status::kInvalidArgument;

  auto* raw = static_cast<uint8_t*>(memory);
  const uint64_t meta = metadata_bytes(frames);
  refs_ = reinterpret_cast<uint32_t*>(raw);
  group_refs_ = refs_ + frames;
  block_refs_ = group_refs_ + GroupCount(frames);
  free_next_ = block_refs_ + BlockSlots(frames);
  use_ = reinterpret_cast<uint8_t*>(free_next_ + frames);
  base_ = raw + meta;
  phys_base_ = phys_base + meta;
  frames_ = frames;
  frame_shift_ = frame_shift;
  block_order_ = frame_shift - 3;  // Descriptors per table.
  first_block_ = phys_base_ >> (frame_shift + block_order_);
  memory_is_zero_ = memory_is_zero;
  if (!memory_is_zero) __builtin_memset(raw, 0, meta);
  next_fresh_ = 0;
  fresh_end_ = frames;
  free_head_ = kNoIndex;
  run_cursor_ = 0;
  keep_data_ = true;
  fail_countdown_ = 0;
  stats_ = FramePoolStats{};
  return Status::kOk;
}

PhysAddr FramePool::Take(FrameUse use, bool* zero) {
  while (free_head_ != kNoIndex) {
    const uint64_t index = free_head_;
    free_head_ = free_next_[index];
    if (use_[index] != static_cast<uint8_t>(FrameUse::kFree)) continue;
    *zero = false;
    return AddressOf(index);
  }
  if (next_fresh_ < fresh_end_) {
    *zero = memory_is_zero_;
    return AddressOf(use == FrameUse::kTable ? --fresh_end_ : next_fresh_++);
  }
  return kNoFrame;
}

void FramePool::Account(FrameUse use, int64_t delta) {
  uint64_t& count =
      use == FrameUse::kTable ? stats_.table_frames : stats_.data_frames;
  count += delta;
  if (frames_in_use() > stats_.peak_frames) {
    stats_.peak_frames = frames_in_use();
  }
}

Result<PhysAddr> FramePool::Claim(FrameUse use, bool* zero) {
  if (use == FrameUse::kFree) return Status::kInvalidArgument;
  const bool injected = fail_countdown_ != 0 && --fail_countdown_ == 0;
  const PhysAddr frame = injected ? kNoFrame : Take(use, zero);
  if (frame == kNoFrame) {
    ++stats_.failed_allocations;
    return Status::kNoMemory;
  }
  HandOut(IndexOf(frame), use);
  return frame;
}

void FramePool::HandOut(uint64_t index, FrameUse use) {
  refs_[index] = 1 - group_refs_[index / kGroupFrames];
  use_[index] = static_cast<uint8_t>(use);
  ++stats_.allocations;
  Account(use, 1);
}

uint64_t FramePool::FindFreedRun(unsigned count) {
  const uint64_t align = (uint64_t{count} << frame_shift_) - 1;
  const uint64_t first = IndexOf((phys_base_ + align) & ~align);
  if (first + count > next_fresh_) return kNoIndex;
  const uint64_t candidates = (next_fresh_ - first) / count;
  // From where the last search stopped, once round.
  for (uint64_t n = 0; n < candidates; ++n) {
    const uint64_t at = first + (run_cursor_++ % candidates) * count;
    bool free = true;
    for (uint64_t i = at; i < at + count && free; ++i) {
      free = use_[i] == static_cast<uint8_t>(FrameUse::kFree);
    }
    if (free) return at;
  }
  return kNoIndex;
}

Result<PhysAddr> FramePool::AllocateRun(unsigned count) {
  const bool injected = fail_countdown_ != 0 && --fail_countdown_ == 0;
  // The first never-used frame whose address is aligned to the run.
  const uint64_t align = (uint64_t{count} << frame_shift_) - 1;
  uint64_t first = IndexOf((AddressOf(next_fresh_) + align) & ~align);
  bool fresh = true;
  if (!injected && count != 0 && first + count > fresh_end_) {
    first = FindFreedRun(count);
    fresh = false;
  }
  if (injected || count == 0 || first == kNoIndex) {
    ++stats_.failed_allocations;
    return Status::kNoMemory;
  }
  if (fresh) {
    // Frames skipped to align the run are free for single allocations.
    for (uint64_t i = next_fresh_; i < first; ++i) {
      free_next_[i] = free_head_;
      free_head_ = static_cast<uint32_t>(i);
    }
    next_fresh_ = first + count;
  }
  for (uint64_t i = first; i < first + count; ++i) {
    HandOut(i, FrameUse::kData);
  }
  if (keep_data_ && !(fresh && memory_is_zero_)) {
    __builtin_memset(Bytes(AddressOf(first)), 0,
                     uint64_t{count} << frame_shift_);
  }
  return AddressOf(first);
}

Result<PhysAddr> FramePool::Allocate(FrameUse use) {
  bool zero = false;
  const Result<PhysAddr> frame = Claim(use, &zero);
  if (frame.ok() && !zero && (keep_data_ || use != FrameUse::kData)) {
    __builtin_memset(Bytes(frame.value()), 0, frame_bytes());
  }
  return frame;
}

Result<PhysAddr> FramePool::AllocateUncleared(FrameUse use) {
  bool zero = false;
  return Claim(use, &zero);
}

Result<PhysAddr> FramePool::CopyRun(PhysAddr src, unsigned count) {
  const Result<PhysAddr> run = AllocateRun(count);
  if (run.ok()) {
    if (keep_data_) {
      __builtin_memcpy(Bytes(run.value()), Bytes(src),
                       uint64_t{count} << frame_shift_);
    }
    stats_.copies += count;
  }
  return run;
}

Result<PhysAddr> FramePool::Copy(PhysAddr src) {
  bool zero = false;
  const Result<PhysAddr> frame = Claim(FrameUse::kData, &zero);
  if (frame.ok()) {
    if (keep_data_) {
      __builtin_memcpy(Bytes(frame.value()), Bytes(src), frame_bytes());
    }
    ++stats_.copies;
  }
  return frame;
}

void FramePool::ShareLeaves(const Descriptor* leaves, unsigned count) {
  // Locals, not members: a count is a uint32_t, as frame_shift_ is, so
  // through `this` each increment would make the compiler reload the
  // fields.
  uint32_t* const refs = refs_;
  const PhysAddr base = phys_base_;
  const unsigned shift = frame_shift_;
  uint64_t shared = 0;
  for (unsigned i = 0; i < count; ++i) {
    if (!leaves[i].valid()) continue;
    ++refs[(leaves[i].output_address() - base) >> shift];
    ++shared;
  }
  stats_.shares += shared;
}

void FramePool::ShareRun(PhysAddr first, unsigned count) {
  uint32_t* const refs = refs_;
  uint64_t i = IndexOf(first);
  const uint64_t end = i + count;
  const uint64_t up = GroupCount(i) * kGroupFrames;
  const uint64_t head_end = up < end ? up : end;
  const uint64_t down = end / kGroupFrames * kGroupFrames;
  const uint64_t groups_end = down > head_end ? down : head_end;
  for (; i < head_end; ++i) ++refs[i];
  for (; i < groups_end; i += kGroupFrames) ++group_refs_[i / kGroupFrames];
  for (; i < end; ++i) ++refs[i];
  stats_.shares += count;
}

bool FramePool::Release(PhysAddr frame) {
  if (!Contains(frame) || Use(frame) == FrameUse::kFree) {
    ++stats_.invalid_releases;
    return false;
  }
  const uint64_t index = IndexOf(frame);
  --refs_[index];
  if (RefCount(frame) != 0) return false;
  Free(index);
  return true;
}

Result<PhysAddr> FramePool::AllocateBlock(unsigned count) {
  const Result<PhysAddr> blocks =
      AllocateRun(static_cast<unsigned>(count * block_frames()));
  if (!blocks.ok()) return blocks;
  // The run's references, one per frame, become one per block.
  const uint64_t first = IndexOf(blocks.value());
  for (uint64_t i = first; i < first + count * block_frames(); ++i) {
    --refs_[i];
  }
  for (unsigned b = 0; b < count; ++b) {
    block_refs_[BlockSlot(AddressOf(first + b * block_frames()))] = 1;
  }
  return blocks;
}

Result<PhysAddr> FramePool::CopyBlock(PhysAddr src) {
  const Result<PhysAddr> block = AllocateBlock();
  if (block.ok()) {
    if (keep_data_) {
      __builtin_memcpy(Bytes(block.value()), Bytes(src),
                       block_frames() << frame_shift_);
    }
    stats_.copies += block_frames();
  }
  return block;
}

void FramePool::ShareBlock(PhysAddr head) {
  ++block_refs_[BlockSlot(head)];
  ++stats_.shares;
}

void FramePool::ReleaseBlock(PhysAddr head) {
  if (!Contains(head) || block_refs_[BlockSlot(head)] == 0) {
    ++stats_.invalid_releases;
    return;
  }
  if (--block_refs_[BlockSlot(head)] != 0) return;
  const uint64_t first = IndexOf(head);
  for (uint64_t i = first; i < first + block_frames(); ++i) {
    if (RefCount(AddressOf(i)) == 0) Free(i);
  }
}

void FramePool::Free(uint64_t index) {
  const PhysAddr frame = AddressOf(index);
  if (observer_ != nullptr) observer_->Freed(frame, Use(frame));
  Account(static_cast<FrameUse>(use_[index]), -1);
  use_[index] = static_cast<uint8_t>(FrameUse::kFree);
  // Linked in metadata, so that freeing touches no frame's bytes (a frame
  // without data has none).
  free_next_[index] = free_head_;
  free_head_ = static_cast<uint32_t>(index);
  ++stats_.frees;
}

}  // namespace ttb
