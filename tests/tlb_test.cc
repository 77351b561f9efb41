#include "engine/sim/tlb.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "engine/tlbi.h"

namespace ttb::sim {
namespace {

using tlbi::Op;

// Small enough to reason about; 4-way so that the three entries for one VA
// in the fixture below share a set without evicting each other.
constexpr TlbProfile kSmall = {"small", {4, 4}, {32, 4}, {16, 4}, true, "test"};

TlbEntry Page(VirtAddr va, Asid asid, bool global = false) {
  return TlbEntry{va, 0x4000'0000 + va, Descriptor::Page(0), asid, global, 3,
                  0};
}

// A TLB holding a known set of entries, each named, so a test can say which
// survive an invalidation.
class TlbInvalidationTest : public testing::Test {
 protected:
  void SetUp() override {
    Fill("A", Page(0x1000, 1));
    Fill("B", Page(0x1000, 2));
    // Global, filled while ASID 1 was live: its ASID tag must not matter.
    Fill("G", Page(0x1000, 1, true));
    Fill("C", Page(0x2000, 1));
    TlbEntry block = Page(0x20'0000, 1);
    block.level = 2;
    block.size_shift = 21;
    Fill("Blk", block);
    FillWalk("W1", WalkEntry{0, 0x5000'0000, 1, 2, 0});
    FillWalk("W2", WalkEntry{0, 0x5000'1000, 2, 2, 0});
    FillWalk("W1top", WalkEntry{0, 0x5000'2000, 1, 1, 0});
  }

  void Fill(const std::string& name, const TlbEntry& e) {
    tlb_.Fill(e);
    leaves_[name] = e;
  }
  void FillWalk(const std::string& name, const WalkEntry& e) {
    tlb_.FillWalk(e);
    walks_[name] = e;
  }

  // The names of the entries still held.
  std::set<std::string> Held() {
    std::set<std::string> held;
    tlb_.ForEachEntry([&](const TlbEntry& e) {
      for (const auto& [name, want] : leaves_) {
        if (e.va_base == want.va_base && e.asid == want.asid &&
            e.global == want.global && e.level == want.level) {
          held.insert(name);
        }
      }
    });
    tlb_.ForEachWalkEntry([&](const WalkEntry& e) {
      for (const auto& [name, want] : walks_) {
        if (e.next_table == want.next_table) held.insert(name);
      }
    });
    return held;
  }

  Tlb tlb_{kSmall, Regime::Va39()};
  std::map<std::string, TlbEntry> leaves_;
  std::map<std::string, WalkEntry> walks_;
};

using Names = std::set<std::string>;

TEST_F(TlbInvalidationTest, StartsWithEverything) {
  EXPECT_EQ(Held(), (Names{"A", "B", "G", "C", "Blk", "W1", "W2", "W1top"}));
}

TEST_F(TlbInvalidationTest, Vae1RemovesTheVaInItsAsidGlobalsAndWalks) {
  tlb_.Invalidate(Op::kVae1, tlbi::VaOperand(0x1000, 1));
  EXPECT_EQ(Held(), (Names{"B", "C", "Blk", "W2"}));
}

TEST_F(TlbInvalidationTest, Vae1OfAnotherAsidStillRemovesGlobalEntries) {
  tlb_.Invalidate(Op::kVae1, tlbi::VaOperand(0x1000, 2));
  EXPECT_EQ(Held(), (Names{"A", "C", "Blk", "W1", "W1top"}));
}

TEST_F(TlbInvalidationTest, Vale1KeepsTheWalkCache) {
  tlb_.Invalidate(Op::kVale1, tlbi::VaOperand(0x1000, 1));
  EXPECT_EQ(Held(), (Names{"B", "C", "Blk", "W1", "W2", "W1top"}));
}

TEST_F(TlbInvalidationTest, Vaae1RemovesTheVaInEveryAsid) {
  tlb_.Invalidate(Op::kVaae1, tlbi::VaOperand(0x1000, 0));
  EXPECT_EQ(Held(), (Names{"C", "Blk"}));
}

TEST_F(TlbInvalidationTest, Vaale1RemovesLeavesInEveryAsidOnly) {
  tlb_.Invalidate(Op::kVaale1, tlbi::VaOperand(0x1000, 0));
  EXPECT_EQ(Held(), (Names{"C", "Blk", "W1", "W2", "W1top"}));
}

TEST_F(TlbInvalidationTest, Aside1SparesGlobalEntriesAndOtherAsids) {
  tlb_.Invalidate(Op::kAside1, tlbi::AsidOperand(1));
  EXPECT_EQ(Held(), (Names{"B", "G", "W2"}));
}

TEST_F(TlbInvalidationTest, Vmalle1RemovesEverything) {
  tlb_.Invalidate(Op::kVmalle1, 0);
  EXPECT_EQ(Held(), Names{});
}

TEST_F(TlbInvalidationTest, VaInsideABlockRemovesTheBlock) {
  tlb_.Invalidate(Op::kVale1, tlbi::VaOperand(0x20'1000, 1));
  EXPECT_EQ(Held(), (Names{"A", "B", "G", "C", "W1", "W2", "W1top"}));
}

TEST_F(TlbInvalidationTest, TtlHintLimitsTheLevelRemoved) {
  // A level-3 hint does not reach the level-2 block entry.
  tlb_.Invalidate(Op::kVale1, tlbi::VaOperand(0x20'1000, 1, 3));
  EXPECT_TRUE(Held().count("Blk"));
  tlb_.Invalidate(Op::kVale1, tlbi::VaOperand(0x20'1000, 1, 2));
  EXPECT_FALSE(Held().count("Blk"));
}

TEST_F(TlbInvalidationTest, Rvae1RemovesEntriesOverlappingTheRange) {
  // Two pages from 0: covers 0x1000 but not 0x2000.
  tlb_.Invalidate(Op::kRvae1, tlbi::RangeOperand(0, 1, 0, 0));
  EXPECT_EQ(Held(), (Names{"B", "C", "Blk", "W2"}));
}

TEST_F(TlbInvalidationTest, Rvale1ReachesABlockThatOverlapsTheRange) {
  // 64 pages from 0x1F'0000 end inside the block at 0x20'0000.
  tlb_.Invalidate(Op::kRvale1, tlbi::RangeOperand(0x1F'0000, 1, 0, 1));
  EXPECT_EQ(Held(), (Names{"A", "B", "G", "C", "W1", "W2", "W1top"}));
  // TG = 0b00 is reserved: nothing is required to go.
  tlb_.Invalidate(Op::kRvale1, tlbi::AsidOperand(2) | 5);
  EXPECT_EQ(Held().size(), 7u);
}

TEST(Tlb, LookupMatchesAsidOrGlobalAndCountsHitsAndMisses) {
  Tlb tlb(kSmall, Regime::Va39());
  tlb.Fill(Page(0x1000, 1));
  tlb.Fill(Page(0x3000, 0, true));
  EXPECT_NE(tlb.Lookup(0x1ABC, 1), nullptr);
  EXPECT_EQ(tlb.Lookup(0x1ABC, 2), nullptr);
  EXPECT_NE(tlb.Lookup(0x3000, 7), nullptr);
  EXPECT_EQ(tlb.stats().l1_hits, 2u);
  EXPECT_EQ(tlb.stats().misses, 1u);
}

TEST(Tlb, BlockEntriesTranslateEveryPageInTheBlock) {
  Tlb tlb(kSmall, Regime::Va39());
  TlbEntry block = Page(0x4000'0000, 1);
  block.level = 1;
  block.size_shift = 30;
  tlb.Fill(block);
  EXPECT_NE(tlb.Lookup(0x4000'0000 + 0x3FFF'F000, 1), nullptr);
  EXPECT_EQ(tlb.Lookup(0x8000'0000, 1), nullptr);
}

// Both structures hold 4 KiB, 16 KiB and 2 MiB entries: larger blocks and
// runs of blocks are cached in 2 MiB pieces.
constexpr TlbProfile kUpTo2M = {"up-to-2m",
                                {32, 32, Sizes({12, 14, 21})},
                                {1024, 4, Sizes({12, 14, 21})},
                                {64, 4},
                                false,
                                "test"};

// A core whose entries are at most 2 MiB holds a 16 KiB granule's 32 MiB
// block as 2 MiB pieces, each at the VA it was walked for. A TLBI by any VA
// of the block removes them all: a kernel invalidates a block with one
// TLBI (Linux's flush_pmd_tlb_range), whatever pieces a core made of it.
TEST(Tlb, AVaTlbiOfABlockRemovesEveryPieceOfIt) {
  Tlb tlb(kUpTo2M, Regime::Va47Granule16K());
  constexpr VirtAddr kBlock = 0x200'0000;
  TlbEntry block = Page(kBlock, 1);
  block.level = 2;
  block.size_shift = 25;
  for (const VirtAddr va : {kBlock + 0x60'0000, kBlock + 0x1E0'0000}) {
    tlb.Fill(block, va);
    ASSERT_NE(tlb.Peek(va, 1), nullptr);
    EXPECT_EQ(tlb.Peek(va, 1)->bytes(), 2u << 20);
  }
  TlbEntry page = Page(kBlock + 0x200'0000, 1);  // A 16 KiB page after it.
  page.size_shift = 14;
  tlb.Fill(page);
  tlb.Invalidate(Op::kVale1, tlbi::VaOperand(kBlock + 0x10'0000, 1));
  EXPECT_EQ(tlb.Peek(kBlock + 0x60'0000, 1), nullptr);
  EXPECT_EQ(tlb.Peek(kBlock + 0x1E0'0000, 1), nullptr);
  EXPECT_NE(tlb.Peek(kBlock + 0x200'0000, 1), nullptr);  // Not the block's.
}

// A level-2 contiguous run is many blocks: a piece of one block is that
// block's, and a TLBI by another block's VA leaves it.
TEST(Tlb, ATlbiOfOneBlockOfARunLeavesTheOtherBlocksPieces) {
  Tlb tlb(kUpTo2M, Regime::Va48());
  constexpr VirtAddr kRun = 0x4000'0000;  // 16 blocks of 2 MiB.
  TlbEntry run = Page(kRun, 1);
  run.level = 2;
  run.leaf = run.leaf.with_contiguous(true);
  run.size_shift = 25;
  run.block_shift = 21;  // As Machine::LeafEntry makes a run of blocks.
  for (const VirtAddr va : {kRun + 0x60'0000, kRun + 0x120'0000}) {
    tlb.Fill(run, va);
    ASSERT_NE(tlb.Peek(va, 1), nullptr);
    EXPECT_EQ(tlb.Peek(va, 1)->bytes(), 2u << 20);
  }
  tlb.Invalidate(Op::kVale1, tlbi::VaOperand(kRun + 0x61'0000, 1));
  EXPECT_EQ(tlb.Peek(kRun + 0x60'0000, 1), nullptr);
  EXPECT_NE(tlb.Peek(kRun + 0x120'0000, 1), nullptr);
}

TEST(Tlb, LeastRecentlyUsedEntryIsEvictedAndL2RefillsL1) {
  Tlb tlb(kSmall, Regime::Va39());  // L1: 4 entries, fully associative.
  for (VirtAddr va = 0; va < 4 * 0x1000; va += 0x1000) tlb.Fill(Page(va, 1));
  ASSERT_NE(tlb.Lookup(0x0000, 1), nullptr);  // Page 0 is now the newest.
  tlb.Fill(Page(0x4000, 1));                  // Evicts page 1 from L1.
  EXPECT_EQ(tlb.stats().l1_evictions, 1u);
  EXPECT_EQ(tlb.stats().l1_hits, 1u);
  ASSERT_NE(tlb.Lookup(0x1000, 1), nullptr);  // Still in the L2.
  EXPECT_EQ(tlb.stats().l2_hits, 1u);
  ASSERT_NE(tlb.Lookup(0x1000, 1), nullptr);  // And now back in the L1.
  EXPECT_EQ(tlb.stats().l1_hits, 2u);
}

// A hit found through the recent hits (a page looked up again while the
// L1 is unchanged) makes the entry most recently used as a full lookup
// does, and no entry is found there once the L1 has changed.
TEST(Tlb, RepeatedHitsKeepTheReplacementOrderAndSeeEveryChange) {
  Tlb tlb(kSmall, Regime::Va39());
  for (VirtAddr va = 0; va < 4 * 0x1000; va += 0x1000) tlb.Fill(Page(va, 1));
  for (int i = 0; i < 3; ++i) {
    ASSERT_NE(tlb.Lookup(0x0000, 1), nullptr);
    ASSERT_NE(tlb.Lookup(0x1000, 1), nullptr);
  }
  // Page 2 is now the least recently used, then page 3.
  tlb.Fill(Page(0x4000, 1));
  ASSERT_NE(tlb.Lookup(0x0000, 1), nullptr);
  ASSERT_NE(tlb.Lookup(0x1000, 1), nullptr);
  EXPECT_EQ(tlb.stats().l1_hits, 8u);
  ASSERT_NE(tlb.Lookup(0x2000, 1), nullptr);  // From the L2: it was evicted.
  EXPECT_EQ(tlb.stats().l2_hits, 1u);
  // Invalidated, it is gone however recently it hit.
  ASSERT_NE(tlb.Lookup(0x0000, 1), nullptr);
  tlb.Invalidate(tlbi::Op::kVale1, tlbi::VaOperand(0x0000, 1));
  EXPECT_EQ(tlb.Lookup(0x0000, 1), nullptr);
}

TEST(Tlb, WalkCacheReturnsTheDeepestTable) {
  Tlb tlb(kSmall, Regime::Va48());
  tlb.FillWalk(WalkEntry{0, 0x100000, 1, 0, 0});
  tlb.FillWalk(WalkEntry{0, 0x200000, 1, 1, 0});
  const WalkEntry* e = tlb.LookupWalk(0x1234, 1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->level, 1);
  EXPECT_EQ(tlb.LookupWalk(0x1234, 2), nullptr);
  EXPECT_EQ(tlb.LookupWalk(1ull << 39, 1), nullptr);  // Another level-0 entry.
  EXPECT_EQ(tlb.stats().walk_cache_hits, 1u);
  EXPECT_EQ(tlb.stats().walk_cache_misses, 2u);
}

TEST(TlbProfile, GeometriesAreWholeSetsAndNamesAreFound) {
  ASSERT_GE(TlbProfiles().size(), 3u);
  for (const TlbProfile& p : TlbProfiles()) {
    SCOPED_TRACE(std::string(p.name));
    for (const TlbGeometry& g : {p.l1_data, p.l2, p.walk_cache}) {
      EXPECT_GT(g.ways, 0u);
      EXPECT_EQ(g.entries % g.ways, 0u);
    }
    EXPECT_EQ(FindTlbProfile(p.name), &p);
    EXPECT_FALSE(p.source.empty());
  }
  EXPECT_EQ(FindTlbProfile("cortex-a72")->l2.entries, 1024u);
  EXPECT_EQ(FindTlbProfile("neoverse-n1")->l2.sets(), 256u);
  EXPECT_EQ(FindTlbProfile("pentium"), nullptr);
}

}  // namespace
}  // namespace ttb::sim
