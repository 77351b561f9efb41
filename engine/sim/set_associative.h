// A set-associative cache of entries with true LRU replacement: the storage
// behind every simulated TLB structure. Entries carry their translation
// level, and the cache counts entries per level so lookups skip sizes that
// are not present.
//
// Two accelerations keep the simulator fast without changing what the
// cache holds or evicts: a counting filter over keys answers "no entry has
// this key" without a scan (TLBIs for pages no TLB caches, misses), and a
// hint per key remembers the slot it was last found in, so a hit in a large
// fully associative L1 costs one comparison instead of a scan.
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
        bucket_mask_(BucketCount(geometry.entries) - 1),
        present_(BucketCount(geometry.entries), 0),
        hint_(BucketCount(geometry.entries), 0) {}

  // Whether any entry may have been inserted under `key` (no false "no").
  bool MayHold(uint64_t key) const { return present_[Bucket(key)] != 0; }

  // The entry of set `key` that satisfies `match`, made most recently used.
  template <typename Match>
  Entry* Find(uint64_t key, Match&& match) {
    if (!MayHold(key)) return nullptr;
    Slot& hinted = slots_[hint_[Bucket(key)]];
    if (hinted.valid && hinted.key == key && match(hinted.entry)) {
      hinted.stamp = ++clock_;
      return &hinted.entry;
    }
    Slot* set = SetOf(key);
    for (uint32_t w = 0; w < ways_; ++w) {
      if (set[w].valid && match(set[w].entry)) {
        set[w].stamp = ++clock_;
        hint_[Bucket(key)] = static_cast<uint32_t>(&set[w] - slots_.data());
        return &set[w].entry;
      }
    }
    return nullptr;
  }

  // Like Find, but changes nothing.
  template <typename Match>
  const Entry* Peek(uint64_t key, Match&& match) const {
    if (!MayHold(key)) return nullptr;
    const Slot* set = &slots_[(key % sets_) * ways_];
    for (uint32_t w = 0; w < ways_; ++w) {
      if (set[w].valid && match(set[w].entry)) return &set[w].entry;
    }
    return nullptr;
  }

  // Puts `entry` in set `key`, over an invalid way or the least recently
  // used one. Returns whether a valid entry was evicted.
  bool Insert(uint64_t key, const Entry& entry) {
    Slot* set = SetOf(key);
    Slot* victim = &set[0];
    for (uint32_t w = 0; w < ways_; ++w) {
      if (!set[w].valid) {
        victim = &set[w];
        break;
      }
      if (set[w].stamp < victim->stamp) victim = &set[w];
    }
    const bool evicted = victim->valid;
    if (evicted) Forget(*victim);
    *victim = Slot{entry, key, ++clock_, true};
    ++per_level_[entry.level];
    ++present_[Bucket(key)];
    hint_[Bucket(key)] = static_cast<uint32_t>(victim - slots_.data());
    return evicted;
  }

  // Removes the entries of set `key` that satisfy `match`; returns how many.
  template <typename Match>
  uint64_t EraseInSet(uint64_t key, Match&& match) {
    if (!MayHold(key)) return 0;
    return EraseIn(SetOf(key), ways_, match);
  }
  // Removes every entry that satisfies `match`; returns how many.
  template <typename Match>
  uint64_t EraseIf(Match&& match) {
    return EraseIn(slots_.data(), slots_.size(), match);
  }

  // Whether any entry of translation level `level` is held.
  bool HoldsLevel(int level) const { return per_level_[level] != 0; }
  // Whether no entry is held at all.
  bool empty() const {
    return (per_level_[0] | per_level_[1] | per_level_[2] | per_level_[3]) == 0;
  }

  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.valid) fn(s.entry);
    }
  }

 private:
  struct Slot {
    Entry entry{};
    uint64_t key = 0;
    uint64_t stamp = 0;
    bool valid = false;
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
  Slot* SetOf(uint64_t key) { return &slots_[(key % sets_) * ways_]; }

  void Forget(Slot& s) {
    s.valid = false;
    --per_level_[s.entry.level];
    --present_[Bucket(s.key)];
  }

  template <typename Match>
  uint64_t EraseIn(Slot* first, uint64_t count, Match& match) {
    uint64_t erased = 0;
    for (uint64_t i = 0; i < count; ++i) {
      if (first[i].valid && match(first[i].entry)) {
        Forget(first[i]);
        ++erased;
      }
    }
    return erased;
  }

  uint32_t sets_;
  uint32_t ways_;
  std::vector<Slot> slots_;
  uint64_t clock_ = 0;
  uint32_t per_level_[4] = {};
  size_t bucket_mask_;
  std::vector<uint32_t> present_;  // Valid entries per key bucket.
  std::vector<uint32_t> hint_;     // Slot a key was last found in.
};

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_SET_ASSOCIATIVE_H_
