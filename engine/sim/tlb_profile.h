// TLB geometry of real cores, from their Technical Reference Manuals, for
// the simulated TLB.
#ifndef TTBENCH_ENGINE_SIM_TLB_PROFILE_H_
#define TTBENCH_ENGINE_SIM_TLB_PROFILE_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace ttb::sim {

// Bit k set: the structure has 2^k-byte entries.
constexpr uint64_t Sizes(std::initializer_list<unsigned> shifts) {
  uint64_t mask = 0;
  for (unsigned s : shifts) mask |= uint64_t{1} << s;
  return mask;
}

struct TlbGeometry {
  uint32_t entries;
  uint32_t ways;  // entries == ways: fully associative.
  // Leaf entry sizes (Sizes()); 0 for a walk cache. A leaf larger than
  // every size that fits it is cached as the part of it around the access,
  // of the largest size that does ("splintered", as TRMs put it).
  uint64_t sizes = 0;
  constexpr uint32_t sets() const { return entries / ways; }
};

struct TlbProfile {
  std::string_view name;
  TlbGeometry l1_data;     // Level 1 (micro) data TLB.
  TlbGeometry l2;          // Unified level 2 (main) TLB.
  TlbGeometry walk_cache;  // Table descriptors above the last level.
  bool range_tlbi;         // FEAT_TLBIRANGE (Armv8.4).
  std::string_view source;
};

std::span<const TlbProfile> TlbProfiles();
// nullptr when no profile has that name.
const TlbProfile* FindTlbProfile(std::string_view name);

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_TLB_PROFILE_H_
