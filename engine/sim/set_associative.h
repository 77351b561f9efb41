// A set-associative cache of entries with true LRU replacement: the storage
// behind every simulated TLB structure. Entries name a size class (0..63,
// from size_class(): a leaf entry's log2 size, a walk entry's level), and
// the cache counts entries per class so lookups skip sizes not present.
//
// Three accelerations keep the simulator fast without changing what the
// cache holds or evicts: a counting filter over keys answers "no entry has
// this key" without a scan (TLBIs for pages no TLB caches, misses); a hint
// per key remembers the slot it was last found in, so a hit in a large
// fully associative L1 costs one comparison instead of a scan; and the LRU
// stamps sit in their own array, 0 for a free way, so choosing a victim
// reads one dense row of stamps instead of every entry of the set.
#ifndef TTBENCH_ENGINE_SIM_SET_ASSOCIATIVE_H_
#define TTBENCH_ENGINE_SIM_SET_ASSOCIATIVE_H_

#include <cstdint>
#include <vector>

#include "engine/sim/tlb_profile.h"

namespace ttb::sim {

template <typename Entry>
class SetAssociative {
 public:
  explicit SetAssociative(TlbGeometry geometry)
      : sets_(geometry.sets()),
        ways_(geometry.ways),
        slots_(geometry.entries),
        stamps_(geometry.entries, 0),
        bucket_mask_(BucketCount(geometry.entries) - 1),
        present_(BucketCount(geometry.entries), 0),
        hint_(BucketCount(geometry.entries), 0) {}

  // Whether any entry may have been inserted under `key` (no false "no").
  bool MayHold(uint64_t key) const { return present_[Bucket(key)] != 0; }

  // The entry of set `key` that satisfies `match`, made most recently used.
  template <typename Match>
  Entry* Find(uint64_t key, Match&& match) {
    const size_t bucket = Bucket(key);
    if (present_[bucket] == 0) return nullptr;
    const uint32_t hinted = hint_[bucket];
    if (stamps_[hinted] != 0 && slots_[hinted].key == key &&
        match(slots_[hinted].entry)) {
      stamps_[hinted] = ++clock_;
      return &slots_[hinted].entry;
    }
    const uint32_t first = FirstOf(key);
    for (uint32_t i = first; i < first + ways_; ++i) {
      if (stamps_[i] != 0 && match(slots_[i].entry)) {
        stamps_[i] = ++clock_;
        hint_[bucket] = i;
        return &slots_[i].entry;
      }
    }
    return nullptr;
  }

  // Which slot an entry Find returned sits in, and the same entry found
  // again through it: made most recently used, as Find would.
  uint32_t SlotOf(const Entry* e) const {
    return static_cast<uint32_t>(reinterpret_cast<const Slot*>(e) -
                                 slots_.data());
  }
  Entry* Touch(uint32_t slot) {
    stamps_[slot] = ++clock_;
    return &slots_[slot].entry;
  }
  // Changes whenever an entry is inserted or removed: a slot found before
  // holds what it held while this is unchanged.
  uint64_t generation() const { return generation_; }

  // Like Find, but changes nothing.
  template <typename Match>
  const Entry* Peek(uint64_t key, Match&& match) const {
    if (!MayHold(key)) return nullptr;
    const uint32_t first = FirstOf(key);
    for (uint32_t i = first; i < first + ways_; ++i) {
      if (stamps_[i] != 0 && match(slots_[i].entry)) return &slots_[i].entry;
    }
    return nullptr;
  }

  // Puts `entry` in set `key`, over an invalid way or the least recently
  // used one. Returns whether a valid entry was evicted.
  bool Insert(uint64_t key, const Entry& entry) {
    // The smallest stamp: the first free way (0) if there is one, else the
    // least recently used.
    const uint32_t first = FirstOf(key);
    uint32_t victim = first;
    for (uint32_t i = first + 1; i < first + ways_; ++i) {
      if (stamps_[i] < stamps_[victim]) victim = i;
    }
    const bool evicted = stamps_[victim] != 0;
    if (evicted) Forget(victim);
    ++generation_;
    slots_[victim] = Slot{entry, key};
    stamps_[victim] = ++clock_;
    if (per_class_[entry.size_class()]++ == 0) {
      held_ |= uint64_t{1} << entry.size_class();
    }
    ++present_[Bucket(key)];
    hint_[Bucket(key)] = victim;
    return evicted;
  }

  // Removes the entries of set `key` that satisfy `match`; returns how many.
  template <typename Match>
  uint64_t EraseInSet(uint64_t key, Match&& match) {
    if (!MayHold(key)) return 0;
    return EraseIn(FirstOf(key), ways_, match);
  }
  // Removes every entry that satisfies `match`; returns how many.
  template <typename Match>
  uint64_t EraseIf(Match&& match) {
    return EraseIn(0, static_cast<uint32_t>(slots_.size()), match);
  }

  uint32_t ways() const { return ways_; }
  uint32_t capacity() const { return static_cast<uint32_t>(slots_.size()); }

  // Whether any entry of size class `c` is held.
  bool Holds(unsigned c) const { return (held_ >> c & 1) != 0; }
  // One bit per size class held.
  uint64_t held() const { return held_; }
  // Whether no entry is held at all.
  bool empty() const { return held_ == 0; }

  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (stamps_[i] != 0) fn(slots_[i].entry);
    }
  }

 private:
  struct Slot {
    Entry entry{};
    uint64_t key = 0;
  };

  // A power of two, about four buckets per entry.
  static size_t BucketCount(uint32_t entries) {
    size_t n = 64;
    while (n < 4ull * entries) n <<= 1;
    return n;
  }
  size_t Bucket(uint64_t key) const {
    return (key ^ (key >> 17) ^ (key >> 31)) & bucket_mask_;
  }
  // The first slot of set `key`.
  uint32_t FirstOf(uint64_t key) const {
    return static_cast<uint32_t>(key % sets_) * ways_;
  }

  void Forget(uint32_t i) {
    ++generation_;
    stamps_[i] = 0;
    const unsigned c = slots_[i].entry.size_class();
    if (--per_class_[c] == 0) held_ &= ~(uint64_t{1} << c);
    --present_[Bucket(slots_[i].key)];
  }

  template <typename Match>
  uint64_t EraseIn(uint32_t first, uint32_t count, Match& match) {
    uint64_t erased = 0;
    for (uint32_t i = first; i < first + count; ++i) {
      if (stamps_[i] != 0 && match(slots_[i].entry)) {
        Forget(i);
        ++erased;
      }
    }
    return erased;
  }

  uint32_t sets_;
  uint32_t ways_;
  std::vector<Slot> slots_;
  std::vector<uint64_t> stamps_;  // Per slot: last use, 0 when free.
  uint64_t clock_ = 0;
  uint64_t generation_ = 0;
  uint32_t per_class_[64] = {};
  uint64_t held_ = 0;  // Bit c: per_class_[c] != 0.
  size_t bucket_mask_;
  std::vector<uint32_t> present_;  // Valid entries per key bucket.
  std::vector<uint32_t> hint_;     // Slot a key was last found in.
};

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_SET_ASSOCIATIVE_H_
