// Descriptor fields and TLBI operands: every field reads back what was
// written and nothing else changes; every operand decodes to what encoded
// it; a range plan covers exactly its pages with operands that say so.
#include <cstdint>

#include "engine/descriptor.h"
#include "engine/tlbi.h"
#include "fuzz_input.h"

namespace ttb::fuzz {
namespace {

// with_<field>(v) changes only the field's bits, and <field>() reads v.
template <typename Get, typename With, typename T>
void FieldRoundTrip(Descriptor d, uint64_t field_mask, T value, Get get,
                    With with, const char* name) {
  const Descriptor changed = with(d, value);
  Check(get(changed) == value, std::string(name) + " reads back");
  Check(((changed.bits() ^ d.bits()) & ~field_mask) == 0,
        std::string(name) + " touches only its bits");
  Check(with(d, get(d)) == d, std::string(name) + " of itself is no change");
}

uint64_t Mask(unsigned hi, unsigned lo) {
  return ((hi == 63 ? 0 : 1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
}

void Descriptors(Input& in) {
  const Descriptor d(in.Take<uint64_t>());
  const auto v = in.Take<uint64_t>();
  FieldRoundTrip(
      d, Mask(7, 6), static_cast<Ap>(v & 3),
      [](Descriptor x) { return x.ap(); },
      [](Descriptor x, Ap a) { return x.with_ap(a); }, "ap");
  FieldRoundTrip(
      d, Mask(4, 2), static_cast<unsigned>(v >> 2 & 7),
      [](Descriptor x) { return x.attr_index(); },
      [](Descriptor x, unsigned a) { return x.with_attr_index(a); },
      "attr_index");
  FieldRoundTrip(
      d, Mask(47, 12), (v & Mask(47, 12)),
      [](Descriptor x) { return x.output_address(); },
      [](Descriptor x, PhysAddr a) { return x.with_output_address(a); },
      "output_address");
  FieldRoundTrip(
      d, Mask(58, 55), static_cast<unsigned>(v >> 60 & 15),
      [](Descriptor x) { return x.software(); },
      [](Descriptor x, unsigned s) { return x.with_software(s); }, "software");
  const struct {
    unsigned bit;
    bool (Descriptor::*get)() const;
    Descriptor (Descriptor::*with)(bool) const;
    const char* name;
  } kFlags[] = {
      {5, &Descriptor::ns, &Descriptor::with_ns, "ns"},
      {10, &Descriptor::af, &Descriptor::with_af, "af"},
      {11, &Descriptor::ng, &Descriptor::with_ng, "ng"},
      {51, &Descriptor::dbm, &Descriptor::with_dbm, "dbm"},
      {52, &Descriptor::contiguous, &Descriptor::with_contiguous, "contiguous"},
      {53, &Descriptor::pxn, &Descriptor::with_pxn, "pxn"},
      {54, &Descriptor::uxn, &Descriptor::with_uxn, "uxn"}};
  for (const auto& f : kFlags) {
    FieldRoundTrip(
        d, Mask(f.bit, f.bit), static_cast<bool>(v >> f.bit & 1),
        [&](Descriptor x) { return (x.*f.get)(); },
        [&](Descriptor x, bool b) { return (x.*f.with)(b); }, f.name);
  }
}

void Operands(Input& in) {
  const VirtAddr va = in.Take<uint64_t>() & Mask(55, 12);
  const auto asid = in.Take<uint16_t>();
  const auto ttl = static_cast<unsigned>(in.Take<uint8_t>() % 4);
  const tlbi::VaFields f = tlbi::DecodeVa(tlbi::VaOperand(va, asid, ttl));
  Check(f.va == va && f.asid == asid && f.ttl_level == ttl, "VA operand");
  Check(tlbi::VaOperand(va, asid) >> 48 == asid,
        "the ASID is in bits 63:48, not the raw VA");

  const VirtAddr base = in.Take<uint64_t>() & Mask(48, 12);
  const auto num = static_cast<unsigned>(in.Take<uint8_t>() % 32);
  const auto scale = static_cast<unsigned>(in.Take<uint8_t>() % 4);
  const tlbi::RangeFields r =
      tlbi::DecodeRange(tlbi::RangeOperand(base, asid, num, scale, ttl));
  Check(r.base == base && r.asid == asid && r.ttl_level == ttl &&
            r.granule_shift == 12 && r.pages == tlbi::RangePages(num, scale),
        "range operand");
}

void RangePlans(Input& in) {
  const VirtAddr va = (in.Take<uint64_t>() & Mask(38, 12));
  const uint64_t pages = 1 + in.Take<uint32_t>() % (1u << 24);
  VirtAddr next = va;
  uint64_t count = 0;
  tlbi::PlanRange(va, pages, 12, [&](const tlbi::RangeStep& s) {
    Check(s.va == next, "plan steps are in order, without gaps");
    if (s.single_page) {
      Check(s.pages == 1, "a single-page step");
    } else {
      Check(s.num <= tlbi::kMaxRangeNum && s.scale <= tlbi::kMaxRangeScale &&
                s.pages == tlbi::RangePages(s.num, s.scale),
            "a legal range step");
      const tlbi::RangeFields r =
          tlbi::DecodeRange(tlbi::RangeOperand(s.va, 1, s.num, s.scale));
      Check(r.base == s.va && r.pages == s.pages,
            "a range step's operand says what it covers");
    }
    next += s.pages << 12;
    ++count;
  });
  Check(next == va + (pages << 12), "the plan covers exactly its pages");
  Check(count == tlbi::RangeOperationCount(pages), "RangeOperationCount");
}

}  // namespace
}  // namespace ttb::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ttb::fuzz::Input in(data, size);
  ttb::fuzz::Descriptors(in);
  ttb::fuzz::Operands(in);
  ttb::fuzz::RangePlans(in);
  return 0;
}
