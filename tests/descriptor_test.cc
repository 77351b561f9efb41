#include "engine/descriptor.h"

#include <gtest/gtest.h>

#include "engine/table.h"

namespace ttb {
namespace {

// Each builder sets exactly the bits the Arm ARM gives its field, and the
// accessor reads them back.
struct FieldCase {
  const char* name;
  Descriptor (*set_all)(Descriptor);
  bool (*read_set)(Descriptor);
  uint64_t bits;
};

const FieldCase kFields[] = {
    {"AttrIndx[4:2]", [](Descriptor d) { return d.with_attr_index(7); },
     [](Descriptor d) { return d.attr_index() == 7; }, 0b111ull << 2},
    {"NS(5)", [](Descriptor d) { return d.with_ns(true); },
     [](Descriptor d) { return d.ns(); }, 1ull << 5},
    {"AP[7:6]", [](Descriptor d) { return d.with_ap(Ap::kRo); },
     [](Descriptor d) { return d.ap() == Ap::kRo; }, 0b11ull << 6},
    {"SH[9:8]", [](Descriptor d) { return d.with_sh(Sh::kInner); },
     [](Descriptor d) { return d.sh() == Sh::kInner; }, 0b11ull << 8},
    {"AF(10)", [](Descriptor d) { return d.with_af(true); },
     [](Descriptor d) { return d.af(); }, 1ull << 10},
    {"nG(11)", [](Descriptor d) { return d.with_ng(true); },
     [](Descriptor d) { return d.ng(); }, 1ull << 11},
    {"OA[47:12]", [](Descriptor d) { return d.with_output_address(~0ull); },
     [](Descriptor d) { return d.output_address() == 0xFFFF'FFFF'F000ull; },
     0x0000'FFFF'FFFF'F000ull},
    {"DBM(51)", [](Descriptor d) { return d.with_dbm(true); },
     [](Descriptor d) { return d.dbm(); }, 1ull << 51},
    {"Contiguous(52)", [](Descriptor d) { return d.with_contiguous(true); },
     [](Descriptor d) { return d.contiguous(); }, 1ull << 52},
    {"PXN(53)", [](Descriptor d) { return d.with_pxn(true); },
     [](Descriptor d) { return d.pxn(); }, 1ull << 53},
    {"UXN(54)", [](Descriptor d) { return d.with_uxn(true); },
     [](Descriptor d) { return d.uxn(); }, 1ull << 54},
    {"software[58:55]", [](Descriptor d) { return d.with_software(0xF); },
     [](Descriptor d) { return d.software() == 0xF; }, 0xFull << 55},
    {"PXNTable(59)", [](Descriptor d) { return d.with_pxn_table(true); },
     [](Descriptor d) { return d.pxn_table(); }, 1ull << 59},
    {"UXNTable(60)", [](Descriptor d) { return d.with_uxn_table(true); },
     [](Descriptor d) { return d.uxn_table(); }, 1ull << 60},
    {"APTable[62:61]",
     [](Descriptor d) { return d.with_ap_table(ApTable::kReadOnlyNoEl0); },
     [](Descriptor d) { return d.ap_table() == ApTable::kReadOnlyNoEl0; },
     0b11ull << 61},
    {"NSTable(63)", [](Descriptor d) { return d.with_ns_table(true); },
     [](Descriptor d) { return d.ns_table(); }, 1ull << 63},
};

TEST(Descriptor, EveryFieldSetsOnlyItsOwnBitsAndReadsBack) {
  for (const FieldCase& f : kFields) {
    SCOPED_TRACE(f.name);
    const Descriptor set = f.set_all(Descriptor(0));
    EXPECT_EQ(set.bits(), f.bits);
    EXPECT_TRUE(f.read_set(set));
    EXPECT_FALSE(f.read_set(Descriptor(0)));
    // Setting a field on an all-ones word changes nothing else.
    EXPECT_EQ(f.set_all(Descriptor(~0ull)).bits() | f.bits, ~0ull);
  }
}

TEST(Descriptor, ClearingAFieldLeavesTheOthers) {
  const Descriptor all(~0ull);
  EXPECT_EQ(all.with_ap(Ap::kPrivRw).bits(), ~(0b11ull << 6));
  EXPECT_EQ(all.with_output_address(0).bits(), ~0x0000'FFFF'FFFF'F000ull);
  EXPECT_EQ(all.with_software(0).bits(), ~(0xFull << 55));
  EXPECT_EQ(all.with_cow(false).bits(), ~(1ull << 55));
}

TEST(Descriptor, KindsFollowBitsOneAndZeroByLevel) {
  const Descriptor table = Descriptor::Table(0x1234'5000);
  EXPECT_EQ(table.bits(), 0x1234'5003ull);
  for (int level = 0; level < 3; ++level) EXPECT_TRUE(table.IsTable(level));
  EXPECT_FALSE(table.IsTable(3));
  EXPECT_TRUE(table.IsPage(3));  // Same bits at level 3 mean a page.

  const Descriptor block = Descriptor::Block(0x4000'0000);
  EXPECT_EQ(block.bits() & 0b11, 0b01u);
  EXPECT_TRUE(block.IsBlock(1));
  EXPECT_TRUE(block.IsBlock(2));
  EXPECT_FALSE(block.IsBlock(3));
  EXPECT_TRUE(block.af());

  EXPECT_FALSE(Descriptor::Invalid().valid());
  EXPECT_FALSE(Descriptor::Invalid().IsTable(1));
}

TEST(Descriptor, CowMarkerIsSoftwareBit55) {
  const Descriptor d = Descriptor::Page(0x8000).with_cow(true);
  EXPECT_TRUE(d.cow());
  EXPECT_EQ(d.bits() & (1ull << 55), 1ull << 55);
  EXPECT_FALSE(d.with_cow(false).cow());
}

TEST(Descriptor, AttributeBitsExcludeTheOutputAddress) {
  const Descriptor d =
      Descriptor::Page(0xABC000).with_ap(Ap::kRo).with_uxn(true);
  const Descriptor moved =
      Descriptor::Page(0x123000).with_attribute_bits(d.attribute_bits());
  EXPECT_EQ(moved.output_address(), 0x123000u);
  EXPECT_EQ(moved.ap(), Ap::kRo);
  EXPECT_TRUE(moved.uxn());
}

TEST(Table, IsOneGranuleOfDescriptorsAlignedToItsSize) {
  EXPECT_EQ(sizeof(Table), 4096u);
  EXPECT_EQ(alignof(Table), 4096u);
  EXPECT_EQ(Table::kEntries, 512u);
  EXPECT_EQ(TableOf<16>::kEntries, 8192u);  // 64 KiB granule.
}

}  // namespace
}  // namespace ttb
