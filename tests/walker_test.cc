#include "engine/walker.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "sim_memory_fixture.h"

namespace ttb {
namespace {

constexpr VirtAddr kVa = (5ull << 30) | (7ull << 21) | (9ull << 12) | 0x123;

class WalkerTest : public SimMemoryTest {
 protected:
  // Tables from the start level down to `leaf_level` on the walk of `va`,
  // with `leaf` in the last one. The first table descriptor takes the table
  // attributes of `top_table`.
  PhysAddr Build(const Regime& r, VirtAddr va, int leaf_level, Descriptor leaf,
                 Descriptor top_table = Descriptor()) {
    const PhysAddr root = NewTable();
    PhysAddr table = root;
    for (int level = r.start_level(); level < leaf_level; ++level) {
      const PhysAddr next = NewTable();
      Descriptor d = Descriptor::Table(next);
      if (level == r.start_level()) {
        d = d.with_attribute_bits(top_table.attribute_bits() | 0b11);
      }
      pool().Descriptors(table)[r.index(va, level)] = d;
      table = next;
    }
    pool().Descriptors(table)[r.index(va, leaf_level)] = leaf;
    return root;
  }

  WalkResult Walk(const Regime& r, PhysAddr root, VirtAddr va,
                  Access access = Access::kRead, El el = El::kEl1) {
    return Walker(r, pool()).Walk(root, va, access, el);
  }
};

TEST_F(WalkerTest, PageTranslatesWithOffsetIn39And48BitRegimes) {
  for (const Regime& r : {Regime::Va39(), Regime::Va48()}) {
    const PhysAddr frame = NewFrame();
    const PhysAddr root = Build(r, kVa, 3, Descriptor::Page(frame));
    const WalkResult w = Walk(r, root, kVa);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w.pa, frame | 0x123);
    EXPECT_EQ(w.level, 3);
    EXPECT_EQ(w.reads, r.levels());
    EXPECT_EQ(w.step_count, r.levels() - 1);
  }
}

TEST_F(WalkerTest, TranslationFaultAtEachLevel) {
  for (const Regime& r : {Regime::Va39(), Regime::Va48()}) {
    for (int level = r.start_level(); level <= 3; ++level) {
      SCOPED_TRACE(testing::Message() << r.va_bits << "-bit, level " << level);
      const PhysAddr root = Build(r, kVa, level, Descriptor::Invalid());
      const WalkResult w = Walk(r, root, kVa);
      EXPECT_EQ(w.fault,
                (Fault{FaultKind::kTranslation, static_cast<int8_t>(level)}));
      EXPECT_EQ(w.fault.dfsc(), 0b000100 | level);
      EXPECT_EQ(w.reads, level - r.start_level() + 1);
    }
  }
}

TEST_F(WalkerTest, ReservedEncodingsFaultAsInvalid) {
  const Regime r48 = Regime::Va48();
  // Bit 1 clear at level 3 is reserved.
  PhysAddr root = Build(r48, kVa, 3, Descriptor(0x4000'0001));
  EXPECT_EQ(Walk(r48, root, kVa).fault, (Fault{FaultKind::kTranslation, 3}));
  // No block at level 0 with the 4 KiB granule (without FEAT_LPA2).
  root = Build(r48, kVa, 0, Descriptor::Block(0));
  EXPECT_EQ(Walk(r48, root, kVa).fault, (Fault{FaultKind::kTranslation, 0}));
}

TEST_F(WalkerTest, BlockDescriptorsAtLevels1And2) {
  const Regime r = Regime::Va39();
  const PhysAddr gib = 0x80'0000'0000ull;  // 1 GiB aligned, outside memory.
  PhysAddr root = Build(r, kVa, 1, Descriptor::Block(gib));
  WalkResult w = Walk(r, root, kVa);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.level, 1);
  EXPECT_EQ(w.pa, gib | (kVa & ((1ull << 30) - 1)));
  EXPECT_EQ(w.reads, 1);

  const PhysAddr mib2 = 0x7F'FFE0'0000ull;  // 2 MiB aligned.
  root = Build(r, kVa, 2, Descriptor::Block(mib2));
  w = Walk(r, root, kVa);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.level, 2);
  EXPECT_EQ(w.pa, mib2 | (kVa & ((2ull << 20) - 1)));
}

TEST_F(WalkerTest, AccessFlagFaultAtTheLeafLevel) {
  const Regime r = Regime::Va48();
  for (int level : {1, 2, 3}) {
    const Descriptor leaf =
        (level == 3 ? Descriptor::Page(NewFrame()) : Descriptor::Block(0))
            .with_af(false);
    const PhysAddr root = Build(r, kVa, level, leaf);
    const WalkResult w = Walk(r, root, kVa);
    EXPECT_EQ(w.fault,
              (Fault{FaultKind::kAccessFlag, static_cast<int8_t>(level)}));
    EXPECT_EQ(w.fault.dfsc(), 0b001000 | level);
  }
}

TEST_F(WalkerTest, AccessFlagFaultTakesPriorityOverPermission) {
  const Regime r = Regime::Va39();
  const PhysAddr root = Build(
      r, kVa, 3, Descriptor::Page(NewFrame()).with_af(false).with_ap(Ap::kRo));
  EXPECT_EQ(Walk(r, root, kVa, Access::kWrite).fault.kind,
            FaultKind::kAccessFlag);
}

TEST_F(WalkerTest, AddressSizeFaultsAtEachLevel) {
  Regime r = Regime::Va48();
  r.pa_bits = 40;  // TCR_EL1.IPS = 0b010.
  const PhysAddr too_high = 1ull << 40;
  // A table descriptor whose next-level address is beyond the PA size.
  for (int level = 0; level <= 2; ++level) {
    const PhysAddr root = Build(r, kVa, level, Descriptor::Table(too_high));
    EXPECT_EQ(Walk(r, root, kVa).fault,
              (Fault{FaultKind::kAddressSize, static_cast<int8_t>(level)}));
  }
  // A page whose output address is beyond it.
  PhysAddr root = Build(r, kVa, 3, Descriptor::Page(too_high));
  EXPECT_EQ(Walk(r, root, kVa).fault, (Fault{FaultKind::kAddressSize, 3}));
  EXPECT_EQ(Walk(r, root, kVa).fault.dfsc(), 0b000011);
  // A TTBR0 table base beyond it: level 0.
  EXPECT_EQ(Walk(r, too_high, kVa).fault, (Fault{FaultKind::kAddressSize, 0}));
}

TEST_F(WalkerTest, InputAddressOutsideTheRegimeIsLevel0TranslationFault) {
  const Regime r39 = Regime::Va39();
  const Regime r48 = Regime::Va48();
  const PhysAddr root39 = Build(r39, 0, 3, Descriptor::Page(NewFrame()));
  const PhysAddr root48 = Build(r48, 0, 3, Descriptor::Page(NewFrame()));
  ASSERT_TRUE(Walk(r39, root39, 0).ok());
  for (VirtAddr va : {1ull << 39, (1ull << 39) | 0x1000, 1ull << 47}) {
    EXPECT_EQ(Walk(r39, root39, va).fault, (Fault{FaultKind::kTranslation, 0}));
  }
  for (VirtAddr va : {1ull << 48, 0xFFFF'0000'0000'0000ull}) {
    const WalkResult w = Walk(r48, root48, va);
    EXPECT_EQ(w.fault, (Fault{FaultKind::kTranslation, 0}));
    EXPECT_EQ(w.reads, 0);
  }
}

TEST_F(WalkerTest, TableOutsidePhysicalMemoryIsExternalAbortOnWalk) {
  const Regime r = Regime::Va39();
  const PhysAddr root = Build(r, kVa, 1, Descriptor::Table(0x1000));
  const WalkResult w = Walk(r, root, kVa);
  EXPECT_EQ(w.fault, (Fault{FaultKind::kWalkExternalAbort, 2}));
  EXPECT_EQ(w.fault.dfsc(), 0b010110);
}

TEST(Fault, DfscCodesBitExact) {
  // ESR_ELx.ISS.DFSC, Arm ARM D17.2.40.
  EXPECT_EQ((Fault{FaultKind::kAddressSize, 0}.dfsc()), 0x00);
  EXPECT_EQ((Fault{FaultKind::kAddressSize, 3}.dfsc()), 0x03);
  EXPECT_EQ((Fault{FaultKind::kTranslation, 0}.dfsc()), 0x04);
  EXPECT_EQ((Fault{FaultKind::kTranslation, 1}.dfsc()), 0x05);
  EXPECT_EQ((Fault{FaultKind::kTranslation, 3}.dfsc()), 0x07);
  EXPECT_EQ((Fault{FaultKind::kAccessFlag, 1}.dfsc()), 0x09);
  EXPECT_EQ((Fault{FaultKind::kAccessFlag, 3}.dfsc()), 0x0B);
  EXPECT_EQ((Fault{FaultKind::kPermission, 1}.dfsc()), 0x0D);
  EXPECT_EQ((Fault{FaultKind::kPermission, 3}.dfsc()), 0x0F);
  EXPECT_EQ((Fault{FaultKind::kWalkExternalAbort, 0}.dfsc()), 0x14);
}

// The expected outcome of one access, written from the Arm ARM's tables
// rather than from the walker's code.
bool Allowed(Ap ap, bool uxn, bool pxn, ApTable ap_table, bool uxn_table,
             bool pxn_table, El el, Access access) {
  // D8.4.1, "Data access permissions for stage 1 translations".
  struct Data {
    bool el1_read, el1_write, el0_read, el0_write;
  };
  constexpr Data kByAp[4] = {
      {true, true, false, false},   // 0b00: EL1 RW
      {true, true, true, true},     // 0b01: EL1 RW, EL0 RW
      {true, false, false, false},  // 0b10: EL1 RO
      {true, false, true, false},   // 0b11: EL1 RO, EL0 RO
  };
  Data d = kByAp[static_cast<int>(ap)];
  // D8.4.2, APTable: bit 0 removes EL0 access, bit 1 removes write access.
  const auto apt = static_cast<int>(ap_table);
  if (apt & 0b01) d.el0_read = d.el0_write = false;
  if (apt & 0b10) d.el1_write = d.el0_write = false;
  const bool el0 = el == El::kEl0;
  switch (access) {
    case Access::kRead:
      return el0 ? d.el0_read : d.el1_read;
    case Access::kWrite:
      return el0 ? d.el0_write : d.el1_write;
    case Access::kExecute:
      // EL1 may not execute what EL0 may write.
      return el0 ? !uxn && !uxn_table : !pxn && !pxn_table && !d.el0_write;
  }
  return false;
}

TEST_F(WalkerTest, PermissionsOverElAccessApXnAndTableAttributes) {
  const Regime r = Regime::Va39();
  const PhysAddr frame = NewFrame();
  int cases = 0;
  for (int ap = 0; ap < 4; ++ap) {
    for (int apt = 0; apt < 4; ++apt) {
      for (int xn = 0; xn < 16; ++xn) {
        const bool uxn = xn & 1, pxn = xn & 2, uxnt = xn & 4, pxnt = xn & 8;
        const Descriptor leaf = Descriptor::Page(frame)
                                    .with_ap(static_cast<Ap>(ap))
                                    .with_uxn(uxn)
                                    .with_pxn(pxn);
        const Descriptor table = Descriptor()
                                     .with_ap_table(static_cast<ApTable>(apt))
                                     .with_uxn_table(uxnt)
                                     .with_pxn_table(pxnt);
        const PhysAddr root = Build(r, kVa, 3, leaf, table);
        for (El el : {El::kEl0, El::kEl1}) {
          for (Access access :
               {Access::kRead, Access::kWrite, Access::kExecute}) {
            const bool allowed =
                Allowed(static_cast<Ap>(ap), uxn, pxn,
                        static_cast<ApTable>(apt), uxnt, pxnt, el, access);
            const WalkResult w = Walk(r, root, kVa, access, el);
            ASSERT_EQ(w.ok(), allowed)
                << "AP=" << ap << " APTable=" << apt << " xn=" << xn << " EL"
                << (el == El::kEl0 ? 0 : 1) << " access "
                << static_cast<int>(access);
            if (!allowed) {
              ASSERT_EQ(w.fault, (Fault{FaultKind::kPermission, 3}));
              ASSERT_EQ(w.fault.dfsc(), 0x0F);
            }
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 4 * 4 * 16 * 2 * 3);
}

TEST_F(WalkerTest, PermissionFaultOnABlockReportsTheBlockLevel) {
  const Regime r = Regime::Va48();
  for (int level : {1, 2}) {
    const PhysAddr root =
        Build(r, kVa, level, Descriptor::Block(0).with_ap(Ap::kPrivRo));
    const Fault expected{FaultKind::kPermission, static_cast<int8_t>(level)};
    EXPECT_TRUE(Walk(r, root, kVa, Access::kRead, El::kEl1).ok());
    EXPECT_EQ(Walk(r, root, kVa, Access::kWrite, El::kEl1).fault, expected);
    EXPECT_EQ(Walk(r, root, kVa, Access::kRead, El::kEl0).fault, expected);
  }
}

TEST_F(WalkerTest, TableRestrictionsAccumulateAcrossLevels) {
  const Regime r = Regime::Va48();
  const PhysAddr frame = NewFrame();
  // UXNTable at level 0 and APTable read-only at level 1 both apply.
  const PhysAddr root =
      Build(r, kVa, 3, Descriptor::Page(frame).with_ap(Ap::kRw),
            Descriptor().with_uxn_table(true));
  Descriptor* l0 = pool().Descriptors(root) + r.index(kVa, 0);
  Descriptor* l1 = pool().Descriptors(l0->output_address()) + r.index(kVa, 1);
  *l1 = l1->with_ap_table(ApTable::kReadOnly);
  const WalkResult w = Walk(r, root, kVa);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.permissions, perm::kEl0Read | perm::kEl1Read | perm::kEl1Exec);
  ASSERT_EQ(w.step_count, 3);
  EXPECT_EQ(w.steps[0].table_attrs, table_attr::kUxn);
  EXPECT_EQ(w.steps[1].table_attrs, table_attr::kUxn | table_attr::kReadOnly);
}

TEST_F(WalkerTest, ResumeFromACachedTableReadsOnlyTheRemainingLevels) {
  const Regime r = Regime::Va48();
  const PhysAddr frame = NewFrame();
  const PhysAddr root = Build(r, kVa, 3, Descriptor::Page(frame));
  const Walker walker(r, pool());
  const WalkResult full = walker.Walk(root, kVa, Access::kRead, El::kEl1);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(walker.descriptor_reads(), 4u);
  const WalkStep& last = full.steps[full.step_count - 1];
  const WalkResult resumed =
      walker.Resume(WalkStart{static_cast<int8_t>(last.level + 1),
                              last.next_table, last.table_attrs},
                    kVa, Access::kRead, El::kEl1);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed.pa, full.pa);
  EXPECT_EQ(resumed.reads, 1);
  EXPECT_EQ(walker.descriptor_reads(), 5u);
}

// Every granule, in memory of that granule's frames: a VA with a different
// index at each level, pages and blocks, and the faults each level takes.
class GranuleWalkerTest : public ::testing::TestWithParam<Regime> {
 protected:
  void SetUp() override {
    auto memory = sim::SimMemory::Create(64ull << 20, GetParam().granule_shift);
    ASSERT_TRUE(memory.ok()) << memory.status();
    memory_ = *std::move(memory);
  }
  FramePool& pool() { return memory_->pool(); }

  // A VA whose index at level L is L + 1 (entry 0 at a start level with
  // fewer entries), plus an offset inside the page.
  VirtAddr Va() const {
    const Regime& r = GetParam();
    VirtAddr va = 0x10 * 8;
    for (int level = r.start_level(); level <= 3; ++level) {
      const uint64_t index = (level + 1) % r.entries_at(level);
      va |= index << r.level_shift(level);
    }
    return va;
  }
  // Tables from the start level to `leaf_level` on the walk of `va`.
  PhysAddr Build(VirtAddr va, int leaf_level, Descriptor leaf) {
    const Regime& r = GetParam();
    const PhysAddr root = pool().Allocate(FrameUse::kTable).value();
    PhysAddr table = root;
    for (int level = r.start_level(); level < leaf_level; ++level) {
      const PhysAddr next = pool().Allocate(FrameUse::kTable).value();
      pool().Descriptors(table)[r.index(va, level)] = Descriptor::Table(next);
      table = next;
    }
    pool().Descriptors(table)[r.index(va, leaf_level)] = leaf;
    return root;
  }
  WalkResult Walk(PhysAddr root, VirtAddr va) {
    return Walker(GetParam(), pool()).Walk(root, va, Access::kRead, El::kEl1);
  }

 private:
  std::unique_ptr<sim::SimMemory> memory_;
};

TEST_P(GranuleWalkerTest, PagesTranslateWithTheirOffsetThroughEveryLevel) {
  const Regime& r = GetParam();
  const PhysAddr frame = pool().Allocate(FrameUse::kData).value();
  ASSERT_EQ(frame % r.granule_bytes(), 0u);
  const PhysAddr root = Build(Va(), 3, Descriptor::Page(frame));
  const WalkResult w = Walk(root, Va());
  ASSERT_TRUE(w.ok()) << FaultKindName(w.fault.kind);
  EXPECT_EQ(w.pa, frame | (Va() & (r.granule_bytes() - 1)));
  EXPECT_EQ(w.reads, r.levels());
  // The next page is in the same last-level table, and unmapped.
  EXPECT_EQ(Walk(root, Va() + r.granule_bytes()).fault,
            (Fault{FaultKind::kTranslation, 3}));
}

TEST_P(GranuleWalkerTest, EachLevelFaultsWhereItsEntryIsInvalid) {
  const Regime& r = GetParam();
  for (int level = r.start_level(); level <= 3; ++level) {
    const WalkResult w = Walk(Build(Va(), level, Descriptor::Invalid()), Va());
    EXPECT_EQ(w.fault,
              (Fault{FaultKind::kTranslation, static_cast<int8_t>(level)}));
    EXPECT_EQ(w.reads, level - r.start_level() + 1);
  }
}

// D8.3.1: blocks at level 2 with every granule, at level 1 only with
// 4 KiB; elsewhere the encoding is reserved and faults as invalid.
TEST_P(GranuleWalkerTest, BlocksOnlyAtTheLevelsTheGranuleAllows) {
  const Regime& r = GetParam();
  for (int level = r.start_level(); level <= 2; ++level) {
    const uint64_t size = r.level_bytes(level);
    const PhysAddr oa = size;  // Aligned to the block, outside memory.
    const WalkResult w = Walk(Build(Va(), level, Descriptor::Block(oa)), Va());
    if (r.block_allowed(level)) {
      ASSERT_TRUE(w.ok()) << level;
      EXPECT_EQ(w.level, level);
      EXPECT_EQ(w.pa, oa | (Va() & (size - 1)));
    } else {
      EXPECT_EQ(w.fault,
                (Fault{FaultKind::kTranslation, static_cast<int8_t>(level)}));
    }
  }
  EXPECT_EQ(r.block_allowed(1), r.granule_shift == 12);
}

// A table address is bits [47:granule]: with 16 and 64 KiB granules, what
// lies below (bits 13:12 or 15:12) is not address.
class LargeGranuleWalkerTest : public GranuleWalkerTest {};

TEST_P(LargeGranuleWalkerTest, TableAddressesAreWholeGranules) {
  const Regime& r = GetParam();
  const PhysAddr frame = pool().Allocate(FrameUse::kData).value();
  const PhysAddr root = Build(Va(), 3, Descriptor::Page(frame));
  Descriptor* top = pool().Descriptors(root) + r.index(Va(), r.start_level());
  *top = Descriptor(top->bits() | (1ull << 12));
  const WalkResult w = Walk(root, Va());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.pa, frame | (Va() & (r.granule_bytes() - 1)));
}

std::string RegimeName(const ::testing::TestParamInfo<Regime>& info) {
  return absl::StrCat(1u << (info.param.granule_shift - 10), "KiB_",
                      int{info.param.va_bits}, "bit");
}

INSTANTIATE_TEST_SUITE_P(
    Granules, GranuleWalkerTest,
    ::testing::Values(Regime::Va39(), Regime::Va48(), Regime::Va47Granule16K(),
                      Regime{14, 36, 48}, Regime{14, 48, 48},
                      Regime::Va42Granule64K(), Regime::Va48Granule64K()),
    RegimeName);
INSTANTIATE_TEST_SUITE_P(Granules, LargeGranuleWalkerTest,
                         ::testing::Values(Regime::Va47Granule16K(),
                                           Regime::Va42Granule64K()),
                         RegimeName);

}  // namespace
}  // namespace ttb
