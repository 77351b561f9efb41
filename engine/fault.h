// Accesses, effective permissions and translation faults, encoded so that a
// simulated fault and a real one (ESR_EL1 on bare metal) compare one to one.
#ifndef TTBENCH_ENGINE_FAULT_H_
#define TTBENCH_ENGINE_FAULT_H_

#include "engine/types.h"

namespace ttb {

enum class Access : uint8_t { kRead, kWrite, kExecute };
enum class El : uint8_t { kEl0, kEl1 };

// Effective permissions of a translation, one bit per (EL, access).
namespace perm {
inline constexpr uint8_t kEl0Read = 1 << 0;
inline constexpr uint8_t kEl0Write = 1 << 1;
inline constexpr uint8_t kEl0Exec = 1 << 2;
inline constexpr uint8_t kEl1Read = 1 << 3;
inline constexpr uint8_t kEl1Write = 1 << 4;
inline constexpr uint8_t kEl1Exec = 1 << 5;

constexpr uint8_t Bit(Access access, El el) {
  return static_cast<uint8_t>(
      1u << (static_cast<unsigned>(access) + (el == El::kEl1 ? 3 : 0)));
}
}  // namespace perm

enum class FaultKind : uint8_t {
  kNone,
  kAddressSize,
  kTranslation,
  kAccessFlag,
  kPermission,
  kWalkExternalAbort,  // The walk read a table outside physical memory.
};

struct Fault {
  FaultKind kind = FaultKind::kNone;
  int8_t level = 0;

  // ESR_ELx.ISS.DFSC (and IFSC) for this fault, Arm ARM D17.2.40: the kind
  // in bits 5:2 and the lookup level in bits 1:0.
  constexpr uint8_t dfsc() const {
    uint8_t kind_bits = 0;
    switch (kind) {
      case FaultKind::kNone:
        return 0;
      case FaultKind::kAddressSize:
        kind_bits = 0b0000;
        break;
      case FaultKind::kTranslation:
        kind_bits = 0b0001;
        break;
      case FaultKind::kAccessFlag:
        kind_bits = 0b0010;
        break;
      case FaultKind::kPermission:
        kind_bits = 0b0011;
        break;
      case FaultKind::kWalkExternalAbort:
        kind_bits = 0b0101;
        break;
    }
    return static_cast<uint8_t>((kind_bits << 2) | (level & 0b11));
  }

  constexpr bool operator==(const Fault&) const = default;
};

constexpr const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone:
      return "none";
    case FaultKind::kAddressSize:
      return "address size";
    case FaultKind::kTranslation:
      return "translation";
    case FaultKind::kAccessFlag:
      return "access flag";
    case FaultKind::kPermission:
      return "permission";
    case FaultKind::kWalkExternalAbort:
      return "external abort on walk";
  }
  return "unknown";
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_FAULT_H_
