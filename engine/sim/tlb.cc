#include "engine/sim/tlb.h"

namespace ttb::sim {
namespace {

bool Overlaps(VirtAddr base, uint64_t size, VirtAddr lo, VirtAddr hi) {
  return base < hi && lo < base + size;
}

}  // namespace

Tlb::Tlb(const TlbProfile& profile, const Regime& regime)
    : regime_(regime),
      // A geometry that names no sizes holds every size whole.
      l1_sizes_(profile.l1_data.sizes != 0 ? profile.l1_data.sizes : ~0ull),
      l2_sizes_(profile.l2.sizes != 0 ? profile.l2.sizes : ~0ull),
      l1_(profile.l1_data),
      l2_(profile.l2),
      walk_(profile.walk_cache) {}

// Calls probe(shift) for each entry size in `held`, smallest first, until
// one finds something.
template <typename Probe>
auto FirstOfSizes(uint64_t held, Probe&& probe) -> decltype(probe(0u)) {
  for (uint64_t m = held; m != 0; m &= m - 1) {
    if (auto found = probe(static_cast<unsigned>(__builtin_ctzll(m)))) {
      return found;
    }
  }
  return nullptr;
}

// Probes each entry size the cache holds with `probe(key, match)`.
template <typename Cache, typename Probe>
auto ProbeSizes(Cache& cache, VirtAddr va, Asid asid, Probe&& probe)
    -> decltype(probe(0, [](const TlbEntry&) { return true; })) {
  return FirstOfSizes(cache.held(), [&](unsigned shift) {
    const VirtAddr base = va >> shift << shift;
    return probe(va >> shift, [&](const TlbEntry& e) {
      return e.size_shift == shift && e.va_base == base &&
             (e.global || e.asid == asid);
    });
  });
}

// The part of `leaf` around `va` that a structure with entry sizes
// `sizes` caches: the largest size no larger than the leaf. A leaf smaller
// than every size (a granule the core lacks) is kept whole.
TlbEntry Fit(const TlbEntry& leaf, VirtAddr va, uint64_t sizes) {
  const uint64_t fitting = sizes & ((uint64_t{2} << leaf.size_shift) - 1);
  TlbEntry e = leaf;
  if (fitting == 0) return e;
  e.size_shift = static_cast<uint8_t>(63 - __builtin_clzll(fitting));
  if (leaf.level < 3 && e.size_shift < leaf.size_shift) {
    e.block_shift = leaf.block_shift != 0 ? leaf.block_shift : leaf.size_shift;
  }
  e.va_base = va >> e.size_shift << e.size_shift;
  e.pa_base = leaf.pa_base + (e.va_base - leaf.va_base);
  return e;
}

const TlbEntry* Tlb::LookupIn(SetAssociative<TlbEntry>& cache, VirtAddr va,
                              Asid asid) {
  return ProbeSizes(cache, va, asid, [&](uint64_t key, auto match) {
    return static_cast<const TlbEntry*>(cache.Find(key, match));
  });
}

const TlbEntry* Tlb::PeekIn(const SetAssociative<TlbEntry>& cache, VirtAddr va,
                            Asid asid) const {
  return ProbeSizes(cache, va, asid, [&](uint64_t key, auto match) {
    return cache.Peek(key, match);
  });
}

const TlbEntry* Tlb::Peek(VirtAddr va, Asid asid) const {
  const TlbEntry* e = PeekIn(l1_, va, asid);
  return e != nullptr ? e : PeekIn(l2_, va, asid);
}

const TlbEntry* Tlb::Lookup(VirtAddr va, Asid asid) {
  const uint64_t page = va >> regime_.granule_shift;
  RecentHit& recent = recent_[page % kRecentHits];
  if (recent.page_plus_one == page + 1 && recent.asid == asid &&
      recent.generation == l1_.generation()) {
    ++stats_.l1_hits;
    return l1_.Touch(recent.slot);
  }
  if (const TlbEntry* e = LookupIn(l1_, va, asid)) {
    ++stats_.l1_hits;
    recent = {page + 1, l1_.generation(), asid, l1_.SlotOf(e)};
    return e;
  }
  if (const TlbEntry* e = LookupIn(l2_, va, asid)) {
    ++stats_.l2_hits;
    const TlbEntry refill = Fit(*e, va, l1_sizes_);
    splintered_ |= refill.block_shift != 0;
    stats_.l1_evictions +=
        l1_.Insert(refill.va_base >> refill.size_shift, refill);
    return e;
  }
  ++stats_.misses;
  return nullptr;
}

TlbEntry Tlb::Fitted(const TlbEntry& leaf, VirtAddr va) const {
  return Fit(leaf, va, l2_sizes_);
}

void Tlb::Fill(const TlbEntry& leaf, VirtAddr va) {
  const TlbEntry l1 = Fit(leaf, va, l1_sizes_);
  const TlbEntry l2 = Fit(leaf, va, l2_sizes_);
  splintered_ |= l1.block_shift != 0 || l2.block_shift != 0;
  stats_.l1_evictions += l1_.Insert(l1.va_base >> l1.size_shift, l1);
  stats_.l2_evictions += l2_.Insert(l2.va_base >> l2.size_shift, l2);
}

const WalkEntry* Tlb::LookupWalk(VirtAddr va, Asid asid) {
  for (int level = 2; level >= regime_.start_level(); --level) {
    if (!walk_.Holds(level)) continue;
    const unsigned shift = regime_.level_shift(level);
    const VirtAddr base = va >> shift << shift;
    const WalkEntry* e = walk_.Find(va >> shift, [&](const WalkEntry& e) {
      return e.level == level && e.va_base == base && e.asid == asid;
    });
    if (e != nullptr) {
      ++stats_.walk_cache_hits;
      return e;
    }
  }
  ++stats_.walk_cache_misses;
  return nullptr;
}

void Tlb::FillWalk(const WalkEntry& entry) {
  stats_.walk_cache_evictions +=
      walk_.Insert(entry.va_base >> regime_.level_shift(entry.level), entry);
}

// Wraps a match so that the observer hears of each entry it removes (a
// true result always removes the entry).
template <typename Entry, typename Match>
auto Observed(const std::function<void(const Entry&)>& observer, Match& match) {
  return [&](const Entry& e) {
    const bool hit = match(e);
    if (hit && observer) observer(e);
    return hit;
  };
}

template <typename Match>
void Tlb::EraseLeaves(Match&& match) {
  auto observed = Observed(invalidation_observer_, match);
  stats_.invalidated += l1_.EraseIf(observed) + l2_.EraseIf(observed);
}

template <typename Match>
void Tlb::EraseLeavesAt(VirtAddr va, Match&& match) {
  // Sizes a cache does not hold are skipped without touching its filter,
  // which a TLBI per page of a large fork would otherwise miss in.
  FirstOfSizes(l1_.held() | l2_.held(), [&](unsigned shift) -> const void* {
    const VirtAddr base = va >> shift << shift;
    auto at_va = [&](const TlbEntry& e) {
      return e.size_shift == shift && e.va_base == base && match(e);
    };
    auto observed = Observed(invalidation_observer_, at_va);
    if (l1_.Holds(shift)) {
      stats_.invalidated += l1_.EraseInSet(va >> shift, observed);
    }
    if (l2_.Holds(shift)) {
      stats_.invalidated += l2_.EraseInSet(va >> shift, observed);
    }
    return nullptr;  // Every size.
  });
}

template <typename Match>
void Tlb::EraseWalksAt(VirtAddr va, Match&& match) {
  for (int level = regime_.start_level(); level <= 2; ++level) {
    if (!walk_.Holds(level)) continue;
    const unsigned shift = regime_.level_shift(level);
    const VirtAddr base = va >> shift << shift;
    auto at_va = [&](const WalkEntry& e) {
      return e.level == level && e.va_base == base && match(e);
    };
    stats_.invalidated += walk_.EraseInSet(
        va >> shift, Observed(walk_invalidation_observer_, at_va));
  }
}

template <typename Match>
void Tlb::EraseWalks(Match&& match) {
  stats_.invalidated +=
      walk_.EraseIf(Observed(walk_invalidation_observer_, match));
}

void Tlb::EraseLeavesOverlapping(Asid asid, VirtAddr lo, VirtAddr hi,
                                 unsigned ttl_level) {
  EraseLeaves([&](const TlbEntry& e) {
    return (e.global || e.asid == asid) &&
           (ttl_level == 0 || e.level == static_cast<int>(ttl_level)) &&
           (Overlaps(e.va_base, e.bytes(), lo, hi) ||
            (e.block_shift != 0 &&
             Overlaps(e.span_base(), uint64_t{1} << e.span_shift(), lo, hi)));
  });
}

void Tlb::InvalidateLastLevelEachPage(Asid asid, VirtAddr lo, VirtAddr hi) {
  if (empty()) return;
  const uint64_t pages = (hi - lo) >> regime_.granule_shift;
  // Page by page, each TLBI searches a set of L1 and of L2; at once, every
  // slot is compared. Whichever compares fewer.
  if (pages * (l1_.ways() + l2_.ways()) < l1_.capacity() + l2_.capacity()) {
    for (VirtAddr va = lo; va < hi; va += regime_.granule_bytes()) {
      Invalidate(tlbi::Op::kVale1, tlbi::VaOperand(va, asid));
    }
    return;
  }
  // The entries some page's TLBI would remove: of the ASID or global, of
  // any size, holding a page of the range. Walk-cache entries stay.
  EraseLeavesOverlapping(asid, lo, hi, 0);
}

void Tlb::Invalidate(tlbi::Op op, uint64_t operand) {
  // Nothing cached, nothing to remove: a fork's TLBI per page often finds
  // the TLB empty.
  if (empty()) return;
  if (l1_.empty() && l2_.empty()) splintered_ = false;
  using tlbi::Op;
  const bool leaf_only = tlbi::LastLevelOnly(op);
  switch (op) {
    case Op::kVae1:
    case Op::kVale1:
    case Op::kVaae1:
    case Op::kVaale1: {
      const tlbi::VaFields f = tlbi::DecodeVa(operand);
      const bool any_asid = op == Op::kVaae1 || op == Op::kVaale1;
      // By-ASID forms also remove global entries for the VA.
      auto matches = [&](const TlbEntry& e) {
        return (any_asid || e.global || e.asid == f.asid) &&
               (f.ttl_level == 0 || e.level == static_cast<int>(f.ttl_level));
      };
      EraseLeavesAt(f.va, matches);
      if (splintered_) {
        EraseLeaves([&](const TlbEntry& e) {
          return e.block_shift != 0 &&
                 e.span_base() == f.va >> e.span_shift() << e.span_shift() &&
                 matches(e);
        });
      }
      if (!leaf_only) {
        EraseWalksAt(f.va, [&](const WalkEntry& e) {
          return any_asid || e.asid == f.asid;
        });
      }
      break;
    }
    case Op::kAside1: {
      const auto asid = static_cast<Asid>(Bits(operand, 63, 48));
      // Global entries are not associated with any ASID and survive.
      EraseLeaves(
          [&](const TlbEntry& e) { return !e.global && e.asid == asid; });
      EraseWalks([&](const WalkEntry& e) { return e.asid == asid; });
      break;
    }
    case Op::kVmalle1: {
      EraseLeaves([](const TlbEntry&) { return true; });
      EraseWalks([](const WalkEntry&) { return true; });
      break;
    }
    case Op::kRvae1:
    case Op::kRvale1: {
      const tlbi::RangeFields f = tlbi::DecodeRange(operand);
      if (f.granule_shift == 0) break;  // TG = 0b00: no entry is required.
      const VirtAddr lo = f.base;
      const VirtAddr hi = f.base + (f.pages << f.granule_shift);
      EraseLeavesOverlapping(f.asid, lo, hi, f.ttl_level);
      if (!leaf_only) {
        EraseWalks([&](const WalkEntry& e) {
          return e.asid == f.asid &&
                 Overlaps(e.va_base, regime_.level_bytes(e.level), lo, hi);
        });
      }
      break;
    }
  }
}

}  // namespace ttb::sim
