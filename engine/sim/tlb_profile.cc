#include "engine/sim/tlb_profile.h"

#include <array>

namespace ttb::sim {
namespace {

constexpr std::array<TlbProfile, 3> kProfiles = {{
    // Cortex-A53 TRM (Arm DDI 0500), 5.1 "About the MMU": 10-entry fully
    // associative data micro TLB, 512-entry 4-way main TLB, 64-entry 4-way
    // walk cache. Armv8.0: no range TLBI.
    {"cortex-a53",
     {10, 10},
     {512, 4},
     {64, 4},
     false,
     "Cortex-A53 TRM (DDI 0500) 5.1"},
    // Cortex-A72 TRM (Arm 100095), 5.2.2 and 5.2.3: 32-entry fully
    // associative L1 data TLB, 1024-entry 4-way L2 TLB. The TRM gives no
    // walk-cache size; 64 entries 4-way (as the A53) is our assumption.
    // Armv8.0: no range TLBI.
    {"cortex-a72",
     {32, 32},
     {1024, 4},
     {64, 4},
     false,
     "Cortex-A72 TRM (100095) 5.2; walk cache assumed"},
    // Neoverse N1 shares the Cortex-A76 MMU: TRM (100798) A5.2: 48-entry
    // fully associative L1 data TLB, 1280-entry 5-way L2 TLB, which also
    // holds the walk's intermediate entries; we model those as a separate
    // 64-entry 4-way structure (an assumption). Armv8.2: no range TLBI.
    {"neoverse-n1",
     {48, 48},
     {1280, 5},
     {64, 4},
     false,
     "Cortex-A76 TRM (100798) A5.2; walk cache assumed"},
}};

}  // namespace

std::span<const TlbProfile> TlbProfiles() { return kProfiles; }

const TlbProfile* FindTlbProfile(std::string_view name) {
  for (const TlbProfile& p : kProfiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace ttb::sim
