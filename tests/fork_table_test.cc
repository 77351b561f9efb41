// Fork's work on each of the parent's tables: the child's table, which of
// the parent's pages it changes and the runs it reports, which lazy_cow
// invalidates page by page and batched_tlbi merges into ranges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "engine/process.h"
#include "tests/sim_memory_fixture.h"
#include "variants/cow.h"

namespace ttb {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

const Descriptor kRw = Descriptor::Page(0).with_ap(Ap::kRw).with_ng(true);
const Descriptor kRo = Descriptor::Page(0).with_ap(Ap::kRo).with_ng(true);
constexpr VirtAddr kBase = 0x40'0000'0000;  // Level-3 table aligned.
constexpr uint64_t kPage = 4096;

class ForkTableTest : public SimMemoryTest {
 protected:
  void SetUp() override {
    SimMemoryTest::SetUp();
    ASSERT_EQ(parent_.space.Init(&pool(), Regime::Va48(), 1), Status::kOk);
  }
  void TearDown() override { parent_.space.Release(); }

  // Forks each of the parent's tables into a scratch child table, checks
  // both against the forked view of the parent's entries before, and what
  // it says of the child's table (kept in uniform_), and returns the runs
  // reported.
  std::vector<std::pair<VirtAddr, uint64_t>> Protect() {
    std::vector<std::pair<VirtAddr, uint64_t>> runs;
    parent_.space.ForEachLeafTable([&](VirtAddr base, Descriptor* entries,
                                       unsigned count) {
      const std::vector<Descriptor> before(entries, entries + count);
      // Stale entries, as an uncleared table holds: every one is written.
      std::vector<Descriptor> child(count, Descriptor(~uint64_t{0}));
      const bool uniform = ForkTable(
          TableToFill{base, entries, child.data(), count}, 12,
          [&](VirtAddr va, uint64_t pages) { runs.emplace_back(va, pages); });
      ASSERT_EQ(uniform, UniformLeafTable(child.data(), count, 12)) << base;
      uniform_.push_back(uniform);
      for (unsigned i = 0; i < count; ++i) {
        const Descriptor d = before[i];
        ASSERT_EQ(child[i], d.valid() ? ForkedView(d) : Descriptor()) << i;
        ASSERT_EQ(entries[i], Writable(d) && d.valid() ? ForkedView(d) : d)
            << i;
      }
    });
    return runs;
  }
  Descriptor At(VirtAddr va) { return *parent_.space.Slot(va).value(); }

  Process parent_;
  std::vector<bool> uniform_;  // What ForkTable returned, table by table.
};

TEST_F(ForkTableTest, ADenseTableIsOneRunOnEitherPath) {
  ASSERT_EQ(parent_.space.Map(kBase, 512 + 3, kRw), Status::kOk);
  ASSERT_EQ(parent_.space.Map(kBase + 1024 * kPage, 512, kRw), Status::kOk);
  // The first table takes the uniform path; the third, with two frames
  // swapped, the general one.
  ASSERT_TRUE(UniformLeafTable(parent_.space.Slot(kBase).value(), 512, 12));
  Descriptor* third = parent_.space.Slot(kBase + 1024 * kPage).value();
  std::swap(third[0], third[1]);
  ASSERT_FALSE(UniformLeafTable(third, 512, 12));
  EXPECT_THAT(Protect(),
              ElementsAre(Pair(kBase, 512), Pair(kBase + 512 * kPage, 3),
                          Pair(kBase + 1024 * kPage, 512)));
  for (uint64_t i = 0; i < 1536; ++i) {
    if (i >= 515 && i < 1024) continue;
    const Descriptor d = At(kBase + i * kPage);
    ASSERT_FALSE(Writable(d)) << i;
    ASSERT_TRUE(d.cow()) << i;
  }
  EXPECT_THAT(uniform_, ElementsAre(true, false, false));
  // Forked again, the first table is read-only and CoW throughout: no run
  // to protect, and still one run of frames to reference.
  uniform_.clear();
  EXPECT_THAT(Protect(), ElementsAre());
  EXPECT_THAT(uniform_, ElementsAre(true, false, false));
}

TEST_F(ForkTableTest, ReadOnlyPagesAndHolesSplitRunsAndStayAsTheyAre) {
  ASSERT_EQ(parent_.space.Map(kBase, 10, kRw), Status::kOk);
  ASSERT_EQ(parent_.space.Map(kBase + 10 * kPage, 2, kRo), Status::kOk);
  ASSERT_EQ(parent_.space.Map(kBase + 12 * kPage, 9, kRw), Status::kOk);
  // A hole at 21, then the table's last page.
  ASSERT_EQ(parent_.space.Map(kBase + 511 * kPage, 1, kRw), Status::kOk);
  const Descriptor read_only = At(kBase + 10 * kPage);
  EXPECT_THAT(Protect(),
              ElementsAre(Pair(kBase, 10), Pair(kBase + 12 * kPage, 9),
                          Pair(kBase + 511 * kPage, 1)));
  EXPECT_EQ(At(kBase + 10 * kPage), read_only);
  EXPECT_FALSE(At(kBase + 10 * kPage).cow());
  EXPECT_TRUE(At(kBase + 12 * kPage).cow());
  EXPECT_FALSE(At(kBase + 21 * kPage).valid());
  // A second fork finds nothing writable left.
  EXPECT_THAT(Protect(), ElementsAre());
}

TEST(ForkedViewTest, SharesWritableAndCowPagesAndKeepsReadOnlyOnes) {
  const Descriptor rw = Descriptor::Page(0x5000).with_ap(Ap::kRw);
  const Descriptor priv_rw = Descriptor::Page(0x5000).with_ap(Ap::kPrivRw);
  const Descriptor ro = Descriptor::Page(0x5000).with_ap(Ap::kRo);
  const Descriptor cow = ro.with_cow(true);
  EXPECT_EQ(ForkedView(rw), ReadOnly(rw).with_cow(true));
  EXPECT_EQ(ForkedView(priv_rw), ReadOnly(priv_rw).with_cow(true));
  EXPECT_EQ(ReadOnly(priv_rw).ap(), Ap::kPrivRo);
  EXPECT_EQ(ForkedView(ro), ro);
  EXPECT_EQ(ForkedView(cow), cow);
  EXPECT_EQ(WritablePageBit(rw), 1u);
  EXPECT_EQ(WritablePageBit(ro), 0u);
  EXPECT_EQ(WritablePageBit(Descriptor::Invalid()), 0u);
}

}  // namespace
}  // namespace ttb
