// Address and identifier types shared by the whole engine. Freestanding: only
// the compiler's own <stdint.h> and <stddef.h>.
#ifndef TTBENCH_ENGINE_TYPES_H_
#define TTBENCH_ENGINE_TYPES_H_

#include <stddef.h>
#include <stdint.h>

namespace ttb {

using PhysAddr = uint64_t;
using VirtAddr = uint64_t;
// Address space identifier: up to 16 bits (TCR_EL1.AS = 1), 8 otherwise.
using Asid = uint16_t;

// Bits [hi:lo] of v, as the Arm ARM writes them.
constexpr uint64_t Bits(uint64_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}

// v with bits [hi:lo] replaced by field.
constexpr uint64_t WithBits(uint64_t v, unsigned hi, unsigned lo,
                            uint64_t field) {
  const uint64_t mask =
      ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1)) << lo;
  return (v & ~mask) | ((field << lo) & mask);
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_TYPES_H_
