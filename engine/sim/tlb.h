// The TLB of one simulated CPU: an L1 data TLB and a unified L2 TLB of leaf
// translations, and a walk cache of table descriptors. Leaf entries are
// tagged by ASID or global (nG = 0); walk-cache entries by ASID. TLBIs
// remove exactly what the Arm ARM (D8.13, "TLB maintenance") says each
// must, and no more: what a real core may keep, the model keeps, so a
// missing invalidation shows up as a stale hit.
#ifndef TTBENCH_ENGINE_SIM_TLB_H_
#define TTBENCH_ENGINE_SIM_TLB_H_

#include <cstdint>
#include <functional>

#include "engine/descriptor.h"
#include "engine/regime.h"
#include "engine/sim/set_associative.h"
#include "engine/sim/tlb_profile.h"
#include "engine/tlbi.h"

namespace ttb::sim {

// A cached leaf translation: a page, a block at level 1 or 2, a contiguous
// run of either, or a part of one of these (a core caches a leaf in the
// largest entry size it has that the leaf covers). Its size is not its
// level: TTL and TLBI matching go by level, lookups by size.
struct TlbEntry {
  VirtAddr va_base = 0;  // Aligned to the entry's size.
  PhysAddr pa_base = 0;
  Descriptor leaf;
  Asid asid = 0;
  bool global = false;  // nG = 0: matches every ASID.
  int8_t level = 3;
  uint8_t permissions = 0;  // perm:: bits.
  // Simulator bookkeeping, not architecture: the process whose walk filled
  // the entry, and its Process::asid_tenure then, so the coherence checker
  // can compare the entry with that process's tables while it is reachable
  // through them; and whether the walk read a table store no DSB had
  // published, for the checker's report.
  uint32_t owner = 0;
  uint32_t owner_asid_tenure = 0;
  bool before_publication = false;
  uint8_t size_shift = 12;  // log2 of the bytes the entry translates.
  // log2 of the bytes of the block the entry came from, when it holds part
  // of one (a splinter), or is a contiguous run of blocks; else 0. A TLBI by
  // any VA of a block removes every entry made from it, whatever VA that
  // entry holds: a kernel invalidates a block with one TLBI (Linux's
  // flush_pmd_tlb_range). A run's blocks are each their own.
  uint8_t block_shift = 0;

  uint64_t bytes() const { return uint64_t{1} << size_shift; }
  // The VA range a TLBI must hit to remove the entry: its block's, or its
  // own.
  unsigned span_shift() const {
    return block_shift > size_shift ? block_shift : size_shift;
  }
  VirtAddr span_base() const { return va_base >> span_shift() << span_shift(); }
  unsigned size_class() const { return size_shift; }
  bool Covers(VirtAddr va) const {
    return va >= va_base && va - va_base < bytes();
  }
};

// A cached table descriptor: the walk can resume at `level + 1`.
struct WalkEntry {
  VirtAddr va_base = 0;  // Aligned to the region the descriptor covers.
  PhysAddr next_table = 0;
  Asid asid = 0;
  int8_t level = 0;
  uint8_t table_attrs = 0;

  unsigned size_class() const { return static_cast<unsigned>(level); }
};

struct TlbStats {
  uint64_t l1_hits = 0;
  uint64_t l2_hits = 0;
  uint64_t misses = 0;
  uint64_t walk_cache_hits = 0;
  uint64_t walk_cache_misses = 0;
  uint64_t l1_evictions = 0;
  uint64_t l2_evictions = 0;
  uint64_t walk_cache_evictions = 0;
  uint64_t invalidated = 0;  // Entries removed by TLBIs.
};

class Tlb {
 public:
  Tlb(const TlbProfile& profile, const Regime& regime);

  // The cached translation of `va` for `asid`, or nullptr. An L2 hit refills
  // the L1.
  const TlbEntry* Lookup(VirtAddr va, Asid asid);
  // Caches the translation of `va` a walk produced, in L1 and L2: `leaf`
  // spans the whole leaf (a run's or block's size and base), and each
  // structure keeps the part around `va` of the largest size it holds.
  void Fill(const TlbEntry& leaf, VirtAddr va);
  // The entry Fill(leaf, va) makes in the L2, which holds the most sizes.
  TlbEntry Fitted(const TlbEntry& leaf, VirtAddr va) const;
  // The whole leaf `entry`, as a test or benchmark places it.
  void Fill(const TlbEntry& entry) { Fill(entry, entry.va_base); }
  // The deepest cached table descriptor on the walk of `va`, or nullptr.
  const WalkEntry* LookupWalk(VirtAddr va, Asid asid);
  void FillWalk(const WalkEntry& entry);

  // Whether nothing at all is cached: no TLBI can change anything.
  bool empty() const { return l1_.empty() && l2_.empty() && walk_.empty(); }
  // Carries out one TLBI with the operand bits as hardware reads them.
  void Invalidate(tlbi::Op op, uint64_t operand);
  // What TLBI VALE1 for `asid` (decoded, as Invalidate would) at each page
  // of [lo, hi) leaves, carried out at once: for a fork's run of pages.
  void InvalidateLastLevelEachPage(Asid asid, VirtAddr lo, VirtAddr hi);

  // The leaf entry an L1 or L2 lookup would return, without counting it or
  // touching the replacement order: for checkers.
  const TlbEntry* Peek(VirtAddr va, Asid asid) const;
  // Told of every leaf entry a TLBI removes (nullptr: nobody).
  void set_invalidation_observer(std::function<void(const TlbEntry&)> fn) {
    invalidation_observer_ = std::move(fn);
  }
  // Told of every walk-cache entry a TLBI removes.
  void set_walk_invalidation_observer(
      std::function<void(const WalkEntry&)> fn) {
    walk_invalidation_observer_ = std::move(fn);
  }

  const TlbStats& stats() const { return stats_; }
  template <typename Fn>
  void ForEachEntry(Fn&& fn) const {
    l1_.ForEach(fn);
    l2_.ForEach(fn);
  }
  template <typename Fn>
  void ForEachWalkEntry(Fn&& fn) const {
    walk_.ForEach(fn);
  }

 private:
  const TlbEntry* LookupIn(SetAssociative<TlbEntry>& cache, VirtAddr va,
                           Asid asid);
  const TlbEntry* PeekIn(const SetAssociative<TlbEntry>& cache, VirtAddr va,
                         Asid asid) const;
  // Removes the leaf entries satisfying `match`, from L1 and L2, telling
  // the observer.
  template <typename Match>
  void EraseLeaves(Match&& match);
  template <typename Match>
  void EraseLeavesAt(VirtAddr va, Match&& match);
  template <typename Match>
  void EraseWalksAt(VirtAddr va, Match&& match);
  // Removes the leaf entries of `asid`, or global, that overlap [lo, hi)
  // and are of level `ttl_level` (0: any).
  void EraseLeavesOverlapping(Asid asid, VirtAddr lo, VirtAddr hi,
                              unsigned ttl_level);
  // Removes the walk-cache entries satisfying `match`, telling the
  // observer.
  template <typename Match>
  void EraseWalks(Match&& match);

  // The L1 slots of recent hits, by page: a hit there is the hit a full
  // L1 lookup would make while the L1's contents are unchanged (its
  // generation), found without probing each size and set. Not
  // architecture: what the L1 holds and evicts is the same without it.
  struct RecentHit {
    uint64_t page_plus_one = 0;  // 0: none.
    uint64_t generation = 0;
    Asid asid = 0;
    uint32_t slot = 0;
  };
  static constexpr uint64_t kRecentHits = 64;

  Regime regime_;
  uint64_t l1_sizes_;  // TlbGeometry::sizes.
  uint64_t l2_sizes_;
  RecentHit recent_[kRecentHits];
  // Whether a splinter may be cached: TLBIs by VA then also look for
  // entries of the VA's block beyond the sets the VA indexes.
  bool splintered_ = false;
  SetAssociative<TlbEntry> l1_;
  SetAssociative<TlbEntry> l2_;
  SetAssociative<WalkEntry> walk_;
  TlbStats stats_;
  std::function<void(const TlbEntry&)> invalidation_observer_;
  std::function<void(const WalkEntry&)> walk_invalidation_observer_;
};

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_TLB_H_
