// The walker on arbitrary tables, checked against a reference walk written
// here from the Arm ARM's rules (D8.2 to D8.4, AArch64.S1Translate) on raw
// descriptor bits: none of the walker's code, Descriptor's or Regime's
// helpers is used to decide what the reference expects.
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/frame_pool.h"
#include "engine/walker.h"
#include "fuzz_input.h"

namespace ttb::fuzz {
namespace {

constexpr PhysAddr kPhysBase = 0x4000'0000;

struct Expected {
  FaultKind fault = FaultKind::kNone;
  int level = 0;
  PhysAddr pa = 0;
};

// The memory the walk reads: [first, first + frames granules).
struct Memory {
  const FramePool* pool;
  PhysAddr first;
  uint64_t frames;
  uint64_t granule;

  bool Holds(PhysAddr pa) const {
    return pa >= first && (pa - first) / granule < frames;
  }
  uint64_t Read(PhysAddr pa) const {
    uint64_t v;
    std::memcpy(&v, pool->Bytes(pa), 8);
    return v;
  }
};

uint64_t Bit(uint64_t d, unsigned n) { return d >> n & 1; }
// Bits 47:lo of a descriptor: a table or output address.
uint64_t Address(uint64_t d, unsigned lo) {
  return d & (((1ull << 48) - 1) & ~((1ull << lo) - 1));
}

// What the walk must give: a 2^granule_shift-byte granule, TTBR0, EL1&0,
// no AF/DBM update, PAN and WXN off.
Expected Reference(const Memory& mem, unsigned granule_shift, unsigned va_bits,
                   unsigned pa_bits, PhysAddr root, VirtAddr va, Access access,
                   El el) {
  const auto fault = [](FaultKind k, int level) {
    return Expected{k, level, 0};
  };
  if (va >> va_bits != 0) return fault(FaultKind::kTranslation, 0);
  if (root >> pa_bits != 0) return fault(FaultKind::kAddressSize, 0);
  // Each level resolves granule_shift - 3 bits above the page offset; the
  // first level takes what is left over.
  const unsigned stride = granule_shift - 3;
  const int levels =
      static_cast<int>((va_bits - granule_shift + stride - 1) / stride);
  int level = 4 - levels;
  PhysAddr table = root;
  bool no_el0 = false, read_only = false, uxn_table = false, pxn_table = false;
  for (;; ++level) {
    const unsigned shift = granule_shift + stride * (3 - level);
    const unsigned width = level == 4 - levels ? va_bits - shift : stride;
    const uint64_t index = va >> shift & ((1ull << width) - 1);
    const PhysAddr slot = table + index * 8;
    if (!mem.Holds(slot)) return fault(FaultKind::kWalkExternalAbort, level);
    const uint64_t d = mem.Read(slot);
    if (!Bit(d, 0)) return fault(FaultKind::kTranslation, level);
    if (level < 3 && Bit(d, 1)) {  // Table descriptor.
      table = Address(d, granule_shift);
      if (table >> pa_bits != 0) return fault(FaultKind::kAddressSize, level);
      pxn_table |= Bit(d, 59);
      uxn_table |= Bit(d, 60);
      no_el0 |= Bit(d, 61);
      read_only |= Bit(d, 62);
      continue;
    }
    // A page needs bit 1 set; blocks exist at level 2, and at level 1 with
    // the 4 KiB granule only.
    const bool block_ok = level == 2 || (level == 1 && granule_shift == 12);
    if (level == 3 ? !Bit(d, 1) : !block_ok) {
      return fault(FaultKind::kTranslation, level);
    }
    const PhysAddr oa = Address(d, shift);
    if (oa >> pa_bits != 0) return fault(FaultKind::kAddressSize, level);
    if (!Bit(d, 10)) return fault(FaultKind::kAccessFlag, level);
    const bool ro = Bit(d, 7) || read_only;
    const bool el0 = Bit(d, 6) && !no_el0;
    const bool allowed = [&] {
      switch (access) {
        case Access::kRead:
          return el == El::kEl1 || el0;
        case Access::kWrite:
          return !ro && (el == El::kEl1 || el0);
        case Access::kExecute:
          // EL0-writable memory never executes at EL1 (D8.4.1).
          return el == El::kEl0 ? !(Bit(d, 54) || uxn_table)
                                : !(Bit(d, 53) || pxn_table || (el0 && !ro));
      }
      return false;
    }();
    if (!allowed) return fault(FaultKind::kPermission, level);
    return Expected{FaultKind::kNone, level, oa | (va & ((1ull << shift) - 1))};
  }
}

constexpr unsigned kPaBits[] = {32, 36, 40, 42, 44, 48};
constexpr unsigned kGranuleShifts[] = {12, 14, 16};

}  // namespace
}  // namespace ttb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ttb;
  using namespace ttb::fuzz;
  Input in(data, size);
  const auto shape = in.Take<uint8_t>();
  const unsigned granule_shift = kGranuleShifts[in.Take<uint8_t>() % 3];
  const uint64_t granule = 1ull << granule_shift;
  // T0SZ 16..39, but for the walks that would start at level 3.
  const unsigned min_va_bits = granule_shift == 12   ? 25
                               : granule_shift == 14 ? 26
                                                     : 30;
  const unsigned va_bits = min_va_bits + shape % (49 - min_va_bits);
  const unsigned pa_bits = kPaBits[(shape >> 5) % 6];
  const auto frames = static_cast<uint64_t>(1 + in.Take<uint8_t>() % 8);
  const auto flags = in.Take<uint8_t>();
  const auto access = static_cast<Access>(flags % 3);
  const El el = flags & 4 ? El::kEl1 : El::kEl0;
  const bool aim_tables = flags & 8;
  const auto va = in.Take<uint64_t>() >> (in.Take<uint8_t>() % 40);
  // Now and then a root anywhere, not in a frame of the pool.
  const auto wild_root = in.Take<uint64_t>();

  // The pool's metadata frame, then `frames` frames of descriptors.
  std::vector<uint64_t> arena((frames + 2) * granule / 8 + granule / 8);
  auto* aligned = reinterpret_cast<uint8_t*>(
      (reinterpret_cast<uintptr_t>(arena.data()) + granule - 1) &
      ~(granule - 1));
  FramePool pool;
  if (pool.Init(aligned, kPhysBase, (frames + 1) * granule, granule_shift,
                false) != Status::kOk) {
    Fail("FramePool::Init");
  }
  const Memory mem{&pool, kPhysBase + granule, frames, granule};
  Check(pool.Contains(mem.first) && !pool.Contains(mem.first - 1) &&
            pool.Contains(mem.first + frames * granule - 1) &&
            !pool.Contains(mem.first + frames * granule),
        "the pool's frames are where the reference reads");
  for (uint64_t i = 0; i < frames * granule / 8; ++i) {
    uint64_t d = in.Take<uint64_t>();
    // Most random table addresses miss memory; now and then aim them in.
    if (aim_tables && (d & 3) == 3) {
      d = (d & ~Address(~0ull, granule_shift)) |
          (mem.first +
           (Address(d, granule_shift) >> granule_shift) % frames * granule);
    }
    std::memcpy(pool.Bytes(mem.first + i * 8), &d, 8);
  }
  const PhysAddr root =
      flags & 16 ? wild_root : mem.first + shape % frames * granule;

  const Regime regime{static_cast<uint8_t>(granule_shift),
                      static_cast<uint8_t>(va_bits),
                      static_cast<uint8_t>(pa_bits)};
  Check(regime.Supported(), "the regime is one the walker models");
  const WalkResult got = Walker(regime, pool).Walk(root, va, access, el);
  const Expected want =
      Reference(mem, granule_shift, va_bits, pa_bits, root, va, access, el);
  Check(got.fault.kind == want.fault, "fault kind");
  Check(got.level == want.level, "level");
  if (want.fault == FaultKind::kNone)
    Check(got.pa == want.pa, "output address");
  return 0;
}
