// Generation-based ASID allocation, as Linux's arch/arm64/mm/context.c does
// it: an ASID is handed out at most once per generation and never freed
// within it, so a new owner never meets a previous owner's TLB entries. When
// the ASIDs run out the generation rolls over: every ASID becomes free again
// except those live on a CPU, and the caller must invalidate every TLB.
#ifndef TTBENCH_ENGINE_ASID_ALLOCATOR_H_
#define TTBENCH_ENGINE_ASID_ALLOCATOR_H_

#include "engine/process.h"
#include "engine/status.h"

namespace ttb {

class AsidAllocator {
 public:
  // 8- or 16-bit ASIDs (TCR_EL1.AS). ASID 0 is never handed out.
  Status Init(unsigned bits) {
    if (bits != 8 && bits != 16) return Status::kInvalidArgument;
    bits_ = bits;
    generation_ = 1;
    next_ = 1;
    rollovers_ = 0;
    ClearMap();
    return Status::kOk;
  }

  // Makes `p`'s ASID valid in the current generation, allocating one when
  // it has none or an old generation's. `for_each_running(fn)` calls fn on
  // every process live on a CPU, whose ASIDs a rollover must keep. Returns
  // true when a rollover happened: all TLBs must then be invalidated.
  template <typename ForEachRunning>
  bool Refresh(Process& p, ForEachRunning&& for_each_running) {
    if (p.asid_generation == generation_) return false;
    // After a rollover flushed every TLB, the old number is safe to keep
    // when nobody took it in this generation (Linux does the same).
    if (p.asid_generation != 0 && IsFree(p.space.asid())) {
      Take(p, p.space.asid());
      return false;
    }
    return Assign(p, for_each_running);
  }

  // Gives `p` a new ASID even if its current one is valid: its old entries
  // become unreachable. Returns true when a rollover happened.
  template <typename ForEachRunning>
  bool Reassign(Process& p, ForEachRunning&& for_each_running) {
    return Assign(p, for_each_running);
  }

  unsigned bits() const { return bits_; }
  uint64_t generation() const { return generation_; }
  uint64_t rollovers() const { return rollovers_; }

 private:
  static constexpr uint32_t kMaxAsids = 1u << 16;

  uint32_t limit() const { return 1u << bits_; }
  bool IsFree(Asid a) const { return !(used_[a / 64] >> (a % 64) & 1); }
  void Take(Process& p, Asid a) {
    used_[a / 64] |= 1ull << (a % 64);
    if (p.space.asid() != a) ++p.asid_tenure;
    p.space.set_asid(a);
    p.asid_generation = generation_;
  }
  void ClearMap() {
    for (uint64_t& word : used_) word = 0;
    used_[0] = 1;  // ASID 0 is reserved.
  }

  // The next free ASID after the last one handed out; 0 when none is.
  Asid FindFree() {
    for (uint32_t tried = 1; tried < limit(); ++tried) {
      const auto a = static_cast<Asid>(next_);
      next_ = next_ + 1 == limit() ? 1 : next_ + 1;
      if (IsFree(a)) return a;
    }
    return 0;
  }

  template <typename ForEachRunning>
  bool Assign(Process& p, ForEachRunning& for_each_running) {
    Asid a = FindFree();
    const bool rollover = a == 0;
    if (rollover) {
      // A new generation in which only the ASIDs live on a CPU are taken.
      ++generation_;
      ++rollovers_;
      ClearMap();
      for_each_running([this](Process& live) {
        if (live.asid_generation != 0) Take(live, live.space.asid());
      });
      next_ = 1;
      a = FindFree();
    }
    Take(p, a);
    return rollover;
  }

  unsigned bits_ = 16;
  uint64_t generation_ = 1;
  uint32_t next_ = 1;
  uint64_t rollovers_ = 0;
  uint64_t used_[kMaxAsids / 64] = {};
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_ASID_ALLOCATOR_H_
