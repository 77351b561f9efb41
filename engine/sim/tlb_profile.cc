#include "engine/sim/tlb_profile.h"

#include <array>

namespace ttb::sim {
namespace {

constexpr uint64_t kA53Sizes = Sizes({12, 16, 21, 29});
constexpr uint64_t kA72Sizes = Sizes({12, 16, 21, 29, 30});

constexpr std::array<TlbProfile, 3> kProfiles = {{
    // Cortex-A53 TRM (Arm DDI 0500), 5.1 "About the MMU": 10-entry fully
    // associative data micro TLB, 512-entry 4-way main TLB, 64-entry 4-way
    // walk cache. Armv8.0: no range TLBI. 5.2.2: the main TLB holds every
    // VMSAv8 block size but 1 GiB (split into 512 MiB); its granules are 4
    // and 64 KiB. The TRM does not say whether a 4 KiB granule's contiguous
    // run fills a 64 KiB entry, nor what the micro TLB holds: we assume
    // both do as the main TLB.
    {"cortex-a53",
     {10, 10, kA53Sizes},
     {512, 4, kA53Sizes},
     {64, 4},
     false,
     "Cortex-A53 TRM (DDI 0500) 5.1"},
    // Cortex-A72 TRM (Arm 100095), 5.2.2 and 5.2.3: 32-entry fully
    // associative L1 data TLB, 1024-entry 4-way L2 TLB. The TRM gives no
    // walk-cache size; 64 entries 4-way (as the A53) is our assumption.
    // Armv8.0: no range TLBI. 5.2.3: the L2 TLB holds 4 KiB, 64 KiB, 2 MiB
    // and 1 GiB (4 KiB granule) and 512 MiB (64 KiB granule) entries (its
    // 1 and 16 MiB are AArch32's); we assume the L1 holds the same, and
    // that a 64 KiB granule's 2 MiB run fills a 2 MiB entry.
    {"cortex-a72",
     {32, 32, kA72Sizes},
     {1024, 4, kA72Sizes},
     {64, 4},
     false,
     "Cortex-A72 TRM (100095) 5.2; walk cache assumed"},
    // Neoverse N1 shares the Cortex-A76 MMU: TRM (100798) A5.2: 48-entry
    // fully associative L1 data TLB, 1280-entry 5-way L2 TLB, which also
    // holds the walk's intermediate entries; we model those as a separate
    // 64-entry 4-way structure (an assumption). Armv8.2: no range TLBI.
    // A5.2.2-3: L1 data entries of 4, 16, 64 KiB, 2 and 512 MiB; L2 entries
    // of those and 32 MiB and 1 GiB.
    {"neoverse-n1",
     {48, 48, Sizes({12, 14, 16, 21, 29})},
     {1280, 5, Sizes({12, 14, 16, 21, 25, 29, 30})},
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
