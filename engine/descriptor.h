// One VMSAv8-64 stage-1 translation table descriptor (Arm ARM D8.3,
// "Translation table descriptor formats"), 4 KiB granule, 48-bit output
// address. Every field has a constexpr accessor and a builder that returns a
// new descriptor, so descriptors are values, never partially written.
#ifndef TTBENCH_ENGINE_DESCRIPTOR_H_
#define TTBENCH_ENGINE_DESCRIPTOR_H_

#include "engine/types.h"

namespace ttb {

// AP[2:1], descriptor bits 7:6: AP[2] makes the page read-only, AP[1] grants
// EL0 the same data access as EL1.
enum class Ap : uint8_t {
  kPrivRw = 0b00,  // EL1 read/write, EL0 none.
  kRw = 0b01,      // EL1 and EL0 read/write.
  kPrivRo = 0b10,  // EL1 read-only, EL0 none.
  kRo = 0b11,      // EL1 and EL0 read-only.
};

// SH[1:0], descriptor bits 9:8. 0b01 is reserved.
enum class Sh : uint8_t { kNon = 0b00, kOuter = 0b10, kInner = 0b11 };

// APTable[1:0], table descriptor bits 62:61: limits applied to every level
// below (Arm ARM D8.4.2, "Hierarchical control of data access permissions").
enum class ApTable : uint8_t {
  kNoEffect = 0b00,
  kNoEl0 = 0b01,     // No EL0 access at the next levels.
  kReadOnly = 0b10,  // No write access at any EL.
  kReadOnlyNoEl0 = 0b11,
};

class Descriptor {
 public:
  constexpr Descriptor() = default;
  constexpr explicit Descriptor(uint64_t bits) : bits_(bits) {}

  // Kinds. Bit 0 is valid; bit 1 selects table (levels 0-2) or page (level
  // 3) when set, block (levels 1-2) when clear.
  static constexpr Descriptor Invalid() { return Descriptor(0); }
  static constexpr Descriptor Table(PhysAddr next) {
    return Descriptor(0b11).with_output_address(next);
  }
  static constexpr Descriptor Page(PhysAddr oa) {
    return Descriptor(0b11).with_output_address(oa).with_af(true);
  }
  static constexpr Descriptor Block(PhysAddr oa) {
    return Descriptor(0b01).with_output_address(oa).with_af(true);
  }

  constexpr uint64_t bits() const { return bits_; }
  constexpr bool valid() const { return bits_ & 1; }
  // Bit 1: table or page when set, block when clear.
  constexpr bool type_bit() const { return bits_ & 2; }
  constexpr bool IsTable(int level) const {
    return valid() && type_bit() && level < 3;
  }
  constexpr bool IsPage(int level) const {
    return valid() && type_bit() && level == 3;
  }
  constexpr bool IsBlock(int level) const {
    return valid() && !type_bit() && level < 3;
  }

  // Leaf (block and page) attributes.
  constexpr unsigned attr_index() const { return Bits(bits_, 4, 2); }
  constexpr bool ns() const { return Bits(bits_, 5, 5); }
  constexpr Ap ap() const { return static_cast<Ap>(Bits(bits_, 7, 6)); }
  constexpr Sh sh() const { return static_cast<Sh>(Bits(bits_, 9, 8)); }
  constexpr bool af() const { return Bits(bits_, 10, 10); }
  constexpr bool ng() const { return Bits(bits_, 11, 11); }
  // OA[47:12] for pages and blocks, or the next-level table address.
  constexpr PhysAddr output_address() const {
    return bits_ & kOutputAddressMask;
  }
  constexpr bool dbm() const { return Bits(bits_, 51, 51); }
  constexpr bool contiguous() const { return Bits(bits_, 52, 52); }
  constexpr bool pxn() const { return Bits(bits_, 53, 53); }
  constexpr bool uxn() const { return Bits(bits_, 54, 54); }
  // Bits 58:55 are reserved for software; the hardware ignores them.
  constexpr unsigned software() const { return Bits(bits_, 58, 55); }
  constexpr bool cow() const { return software() & kSoftwareCow; }

  // Table attributes (only meaningful in table descriptors).
  constexpr bool pxn_table() const { return Bits(bits_, 59, 59); }
  constexpr bool uxn_table() const { return Bits(bits_, 60, 60); }
  constexpr ApTable ap_table() const {
    return static_cast<ApTable>(Bits(bits_, 62, 61));
  }
  constexpr bool ns_table() const { return Bits(bits_, 63, 63); }

  constexpr Descriptor with_attr_index(unsigned v) const {
    return Descriptor(WithBits(bits_, 4, 2, v));
  }
  constexpr Descriptor with_ns(bool v) const { return Set(5, v); }
  constexpr Descriptor with_ap(Ap v) const {
    return Descriptor(WithBits(bits_, 7, 6, static_cast<uint64_t>(v)));
  }
  constexpr Descriptor with_sh(Sh v) const {
    return Descriptor(WithBits(bits_, 9, 8, static_cast<uint64_t>(v)));
  }
  constexpr Descriptor with_af(bool v) const { return Set(10, v); }
  constexpr Descriptor with_ng(bool v) const { return Set(11, v); }
  constexpr Descriptor with_output_address(PhysAddr oa) const {
    return Descriptor((bits_ & ~kOutputAddressMask) |
                      (oa & kOutputAddressMask));
  }
  constexpr Descriptor with_dbm(bool v) const { return Set(51, v); }
  constexpr Descriptor with_contiguous(bool v) const { return Set(52, v); }
  constexpr Descriptor with_pxn(bool v) const { return Set(53, v); }
  constexpr Descriptor with_uxn(bool v) const { return Set(54, v); }
  constexpr Descriptor with_software(unsigned v) const {
    return Descriptor(WithBits(bits_, 58, 55, v));
  }
  constexpr Descriptor with_cow(bool v) const {
    return with_software(v ? (software() | kSoftwareCow)
                           : (software() & ~kSoftwareCow));
  }
  constexpr Descriptor with_pxn_table(bool v) const { return Set(59, v); }
  constexpr Descriptor with_uxn_table(bool v) const { return Set(60, v); }
  constexpr Descriptor with_ap_table(ApTable v) const {
    return Descriptor(WithBits(bits_, 62, 61, static_cast<uint64_t>(v)));
  }
  constexpr Descriptor with_ns_table(bool v) const { return Set(63, v); }

  // Every bit except the output address: what a protection change rewrites.
  constexpr uint64_t attribute_bits() const {
    return bits_ & ~kOutputAddressMask;
  }
  constexpr Descriptor with_attribute_bits(uint64_t attrs) const {
    return Descriptor((bits_ & kOutputAddressMask) |
                      (attrs & ~kOutputAddressMask));
  }

  constexpr bool operator==(const Descriptor&) const = default;

  static constexpr uint64_t kOutputAddressMask = 0x0000'FFFF'FFFF'F000ull;
  // The software bit that marks a page shared copy-on-write.
  static constexpr unsigned kSoftwareCow = 0b0001;

 private:
  constexpr Descriptor Set(unsigned bit, bool v) const {
    return Descriptor(WithBits(bits_, bit, bit, v ? 1 : 0));
  }

  uint64_t bits_ = 0;
};

static_assert(sizeof(Descriptor) == 8, "a descriptor is one 64-bit word");

}  // namespace ttb

#endif  // TTBENCH_ENGINE_DESCRIPTOR_H_
