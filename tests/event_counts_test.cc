// Exact event counts for a known layout: a parent with 512 writable pages
// (one level-3 table, 39-bit VA) on a 2-CPU machine forks, the child writes
// one page (a copy), then the parent writes it (the last sharer takes the
// frame over); in between, the child's CPU does whatever background work
// the fork left (async_fork's copy of the tables). The same 2 MiB is mapped
// three ways: as pages, as 32 contiguous runs of 16, and as one level-2 block.
// Every figure below is derived by hand from the strategy's comment and the CoW
// handler's (split policy); a new strategy needs its own row. Each runs under
// every table walk, whose reads and writes are derived by hand too.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>

#include "engine/sim/machine.h"
#include "reference_model.h"
#include "registry_params.h"

namespace ttb::testing {
namespace {

using sim::SimArch;
using tlbi::Op;

constexpr VirtAddr kBase = 0x4000'0000;
constexpr uint64_t kPages = 512;

struct Counts {
  uint64_t vae1is = 0;
  uint64_t vale1is = 0;
  uint64_t rvale1is = 0;
  uint64_t aside1is = 0;
  uint64_t vmalle1is = 0;
  uint64_t dsb_ishst = 0;
  uint64_t dsb_ish = 0;
  uint64_t isb = 0;
  uint64_t ttbr0_writes = 0;
  uint64_t copies = 0;
  uint64_t tables = 0;  // Table frames allocated.
  uint64_t shares = 0;
  uint64_t faults = 0;     // Permission faults taken.
  uint64_t sw_reads = 0;   // Descriptors the software walk read...
  uint64_t sw_writes = 0;  // ...and wrote.
  bool operator==(const Counts&) const = default;
};

struct Field {
  const char* name;
  uint64_t Counts::*member;
};
constexpr Field kFields[] = {
    {"vae1is", &Counts::vae1is},       {"vale1is", &Counts::vale1is},
    {"rvale1is", &Counts::rvale1is},   {"aside1is", &Counts::aside1is},
    {"vmalle1is", &Counts::vmalle1is}, {"dsb ishst", &Counts::dsb_ishst},
    {"dsb ish", &Counts::dsb_ish},     {"isb", &Counts::isb},
    {"ttbr0", &Counts::ttbr0_writes},  {"copies", &Counts::copies},
    {"tables", &Counts::tables},       {"shares", &Counts::shares},
    {"faults", &Counts::faults},       {"sw reads", &Counts::sw_reads},
    {"sw writes", &Counts::sw_writes},
};

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  const char* sep = "{";
  for (const Field& f : kFields) {
    os << sep << f.name << " " << c.*f.member;
    sep = ", ";
  }
  return os << "}";
}

// a + sign * b, field by field.
Counts Combine(Counts a, const Counts& b, int sign) {
  for (const Field& f : kFields) a.*f.member += sign * b.*f.member;
  return a;
}
Counts With(const Counts& c, const Counts& extra) {
  return Combine(c, extra, 1);
}
Counts Delta(const Counts& after, const Counts& before) {
  return Combine(after, before, -1);
}

Counts Snapshot(sim::Machine& m) {
  const ArchCounters& a = m.system().counters();
  const FramePoolStats& p = m.pool().stats();
  const int is = static_cast<int>(Shareability::kInner);
  return Counts{a.tlbi[int(Op::kVae1)][is],
                a.tlbi[int(Op::kVale1)][is],
                a.tlbi[int(Op::kRvale1)][is],
                a.tlbi[int(Op::kAside1)][is],
                a.tlbi[int(Op::kVmalle1)][is],
                a.dsb[int(Barrier::kIshSt)],
                a.dsb[int(Barrier::kIsh)],
                a.isb,
                a.ttbr0_writes,
                p.copies,
                p.allocations - p.copies,
                p.shares,
                m.counters().faults[int(FaultKind::kPermission)],
                p.table_reads,
                p.table_writes};
}

enum class Mapping { kPages, kRuns, kBlocks };

struct Expected {
  Counts fork;
  Counts child_write;   // After the child is switched in.
  Counts parent_write;  // After the parent is switched back in.
  Counts block_fork;    // The fork when the 512 pages are one block.
  Counts background;    // The child's, between the fork and its write.
};

// Fork: the child's three tables (root at level 1, one level 2, one level
// 3) and, for lazy strategies, a reference per page.
constexpr Counts kLazyForkBase{.tables = 3, .shares = kPages};
// With one block: no level-3 table, and one reference for the block.
constexpr Counts kLazyBlockForkBase{.tables = 2, .shares = 1};
// A CoW break: copy, invalid descriptor, DSB ISHST, TLBI, DSB ISH, ISB, new
// descriptor, DSB ISHST, ISB.
constexpr Counts kBreak{.vale1is = 1,
                        .dsb_ishst = 2,
                        .dsb_ish = 1,
                        .isb = 2,
                        .copies = 1,
                        .faults = 1};
// The last sharer takes the frame: new permission, then the TLBI sequence.
constexpr Counts kReuse{
    .vale1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1, .faults = 1};
// Before either break, in the same fault, a write into a contiguous run
// unfolds it (break-before-make over the run): its 16 entries invalid, a
// sequence of 16 VALE1IS (no FEAT_TLBIRANGE), the pages written, DSB
// ISHST, ISB.
constexpr Counts kUnfold{.vale1is = 16, .dsb_ishst = 2, .dsb_ish = 1, .isb = 2};
// A write into a block splits it: a new level-3 table, a reference per
// page (the block's is dropped), the block entry invalid, one VALE1IS at
// the block's VA in a sequence, the table entry written, DSB ISHST, ISB.
constexpr Counts kSplit{.vale1is = 1,
                        .dsb_ishst = 2,
                        .dsb_ish = 1,
                        .isb = 2,
                        .tables = 1,
                        .shares = kPages};

// shared_tables' first write under a shared table: a permission fault that
// unshares it (DSB ISHST, ASIDE1IS as the break-before-make TLBI on a core
// without FEAT_TLBIRANGE, DSB ISH, ISB; then DSB ISHST and ISB to publish
// the entry), and the retry's ordinary CoW fault. While another space
// shares the table it is copied, a reference per page.
constexpr Counts kUnshareLast{
    .aside1is = 1, .dsb_ishst = 2, .dsb_ish = 1, .isb = 2, .faults = 1};
const Counts kUnshareCopy =
    With(Counts{.tables = 1, .shares = kPages}, kUnshareLast);
// shared_tables' fork (async_fork's too): the child's root and level-2
// tables, one reference to the shared level-3 table, one ASIDE1IS behind
// one barrier pair. A block is not under a last-level table: the child's
// level-2 table holds it, one reference, as the lazy strategies' does.
constexpr Counts kTableSharingFork{.aside1is = 1,
                                   .dsb_ishst = 1,
                                   .dsb_ish = 1,
                                   .isb = 1,
                                   .tables = 2,
                                   .shares = 1};
const Counts kTableSharingBlockFork =
    With(kLazyBlockForkBase,
         {.aside1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1});
// async_fork's background copy of the one table: the child's unshare as
// above, without a fault, then the table handed back to the parent (its
// entry relaxed; DSB ISHST, one non-last-level VAE1IS, DSB ISH, ISB).
const Counts kCopyInBackground =
    With(Delta(kUnshareCopy, {.faults = 1}),
         {.vae1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1});

// What a fork's walk reads and writes (engine/walks/) in this layout: the
// root (level 1) holds one level-2 table at entry 1, whose entry 0 is the
// last-level table of the 512 pages, or the block. ForkFrom first builds the
// child's tables, scanning the root and (when pages are paired) the level-2
// table: 1024 reads, or 512 for a fork that shares last-level tables, and a
// write per table made. Then whole_table scans every table down to the
// unit (512 entries each) and reads the child's table descriptor on each
// way down; cursor reads the same, each entry as it passes it; per_page
// reads, for every VA it visits and each hole it skips, each level from
// the root again, and the child's path for every entry it pairs.
enum class Forker { kShare, kCopy, kShareTables };

Forker ForkerOf(const std::string& strategy) {
  if (strategy == "eager_copy") return Forker::kCopy;
  if (strategy == "shared_tables" || strategy == "async_fork") {
    return Forker::kShareTables;
  }
  return Forker::kShare;
}

Counts WalkPart(const std::string& walk, Forker forker, Mapping mapping) {
  const bool blocks = mapping == Mapping::kBlocks;
  struct Reads {
    uint64_t whole_table, cursor, per_page;
  };
  Reads reads;
  if (forker == Forker::kShareTables) {
    // Build 512. Scans 1 + 512 + 512 (root, follow, level 2); per_page:
    // root[0] 1, every level-2 entry 2 (1024), the child's path 1, root[2..]
    // 510.
    reads = {1537, 1537, 2048};
  } else if (blocks) {
    // Build 1024. Scans 512 + 1 + 512; per_page: root[0] 1, the block 2,
    // its child slot 1, the level-2 holes 511 x 2, root[2..] 510.
    reads = {2049, 2049, 2560};
  } else {
    // Build 1024. Scans 512 + 1 + 512 + 1 + 512; per_page: 512 pages x 3,
    // their child paths 512 x 2, root[0] 1, level-2 holes 511 x 2, root[2..]
    // 510.
    reads = {2562, 2562, 5117};
  }
  Counts c;
  c.sw_reads = walk == "whole_table" ? reads.whole_table
               : walk == "cursor"    ? reads.cursor
                                     : reads.per_page;
  // The tables made (the level-2 one, and the last-level one unless shared
  // or a block); the child's entries handed over alone (a block, a shared
  // table, or each page unless whole_table hands the table whole, in place
  // of zeroing it); and the parent's entries changed: every writable page
  // or block a lazy fork shares, each shared table's entry.
  const bool pages = forker != Forker::kShareTables && !blocks;
  const uint64_t made = pages ? 2 : 1;
  const uint64_t handed = !pages ? 1 : walk == "whole_table" ? 0 : kPages;
  const uint64_t parent = forker == Forker::kCopy ? 0 : pages ? kPages : 1;
  c.sw_writes = made + handed + parent;
  return c;
}

// The fork's counts under `walk`.
Counts ForkUnder(const std::string& walk, const std::string& strategy,
                 Mapping mapping, const Counts& fork) {
  return With(fork, WalkPart(walk, ForkerOf(strategy), mapping));
}

const std::map<std::string, Expected>& HandDerived() {
  static const auto* table = new std::map<std::string, Expected>{
      // Copies every page into three new tables, then one DSB ISHST
      // publishes them; no TLBI, no faults after.
      {"eager_copy",
       {{.dsb_ishst = 1, .copies = kPages, .tables = 3},
        {},
        {},
        {.dsb_ishst = 1, .copies = kPages, .tables = 2}}},
      // One barrier-wrapped VALE1IS per parent page, and a DSB ISHST for
      // whatever tables the last sequence did not follow.
      {"lazy_cow",
       {With(kLazyForkBase, {.vale1is = kPages,
                             .dsb_ishst = kPages + 1,
                             .dsb_ish = kPages,
                             .isb = kPages}),
        kBreak, kReuse,
        // The block is one entry: one sequence.
        With(kLazyBlockForkBase,
             {.vale1is = 1, .dsb_ishst = 2, .dsb_ish = 1, .isb = 1})}},
      // 512 VALE1IS (not past max_tlbi_ops = 512) behind one barrier pair;
      // one for the block.
      {"batched_tlbi",
       {With(kLazyForkBase,
             {.vale1is = kPages, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1}),
        kBreak, kReuse,
        With(kLazyBlockForkBase,
             {.vale1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1})}},
      // No TLBI: DSB ISHST, a new ASID in TTBR0, ISB.
      {"asid_tagged",
       {With(kLazyForkBase, {.dsb_ishst = 1, .isb = 1, .ttbr0_writes = 1}),
        kBreak, kReuse,
        With(kLazyBlockForkBase,
             {.dsb_ishst = 1, .isb = 1, .ttbr0_writes = 1})}},
      // Linux's fork: no TLBI while write-protecting, then one ASIDE1IS
      // behind one barrier pair (flush_tlb_mm).
      {"linux_fork",
       {With(kLazyForkBase,
             {.aside1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1}),
        kBreak, kReuse,
        With(kLazyBlockForkBase,
             {.aside1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1})}},
      // One VMALLE1IS behind one barrier pair.
      {"untagged",
       {With(kLazyForkBase,
             {.vmalle1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1}),
        kBreak, kReuse,
        With(kLazyBlockForkBase,
             {.vmalle1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1})}},
      // The child's write copies the table its parent still shares; the
      // parent, its last sharer, keeps it.
      {"shared_tables",
       {kTableSharingFork, With(kBreak, kUnshareCopy),
        With(kReuse, kUnshareLast), kTableSharingBlockFork}},
      // The child copies the table in the background, so the writes are
      // lazy_cow's.
      {"async_fork",
       {kTableSharingFork, kBreak, kReuse, kTableSharingBlockFork,
        kCopyInBackground}},
  };
  return *table;
}

// A machine whose parent, running on CPU 0, maps `pages` writable pages.
struct ParentMachine {
  std::unique_ptr<sim::Machine> machine;
  sim::Pid parent;
};

ParentMachine ParentWithPages(Strategy<SimArch>& strategy, int cpus,
                              bool range_tlbi, uint64_t pages,
                              Mapping mapping = Mapping::kPages,
                              const TableWalk& walk = DefaultWalk()) {
  sim::MachineConfig config;
  config.cpus = cpus;
  config.range_tlbi = range_tlbi;
  config.walk = &walk;
  ParentMachine s{*sim::Machine::Create(config, strategy), 0};
  s.parent = s.machine->Spawn(0).value();
  const Descriptor rw = PageAttrs(Perm::kReadWrite);
  sim::Machine& m = *s.machine;
  EXPECT_EQ(mapping == Mapping::kBlocks
                ? m.MapBlocks(0, s.parent, kBase, pages, rw)
                : m.Map(0, s.parent, kBase, pages,
                        rw.with_contiguous(mapping == Mapping::kRuns)),
            Status::kOk);
  AddressSpace& space = m.process(s.parent)->space;
  EXPECT_EQ(space.RunAt(kBase) != nullptr, mapping == Mapping::kRuns);
  EXPECT_EQ(space.BlockAt(kBase) != nullptr, mapping == Mapping::kBlocks);
  m.Run(0, s.parent);  // Its first switch is not part of a fork.
  return s;
}

// Counts what `step` does on the machine.
template <typename Step>
Counts CountsOf(sim::Machine& m, Step&& step) {
  const Counts before = Snapshot(m);
  step();
  return Delta(Snapshot(m), before);
}

// What each layout's fork and writes count, from the hand-derived rows.
Expected ForMapping(const Expected& e, Mapping mapping) {
  const bool faults = e.child_write != Counts{};  // Not eager_copy.
  switch (mapping) {
    case Mapping::kPages:
      return e;
    case Mapping::kRuns:
      // Fork writes a run's entries as it writes any page's.
      return {e.fork,
              faults ? With(e.child_write, kUnfold) : Counts{},
              faults ? With(e.parent_write, kUnfold) : Counts{},
              {},
              e.background};
    case Mapping::kBlocks:
      // Each side splits its block entry, then breaks the page in it.
      return {e.block_fork,
              faults ? With(kBreak, kSplit) : Counts{},
              faults ? With(kReuse, kSplit) : Counts{},
              {},
              {}};  // No table to copy.
  }
  return e;
}

std::string MappingName(Mapping m) {
  return m == Mapping::kPages  ? "pages"
         : m == Mapping::kRuns ? "runs"
                               : "blocks";
}

class EventCountTest
    : public ::testing::TestWithParam<
          std::tuple<Strategy<SimArch>*, Mapping, const TableWalk*>> {
 protected:
  void TearDown() override { std::get<0>(GetParam())->ResetTunables(); }
};

TEST_P(EventCountTest, ForkOf512PagesAndItsCowFaultsMatchHandDerivedCounts) {
  const auto [strategy, mapping, walk] = GetParam();
  const auto it = HandDerived().find(strategy->name());
  ASSERT_NE(it, HandDerived().end())
      << "no hand-derived counts for " << strategy->name();
  const Expected want = ForMapping(it->second, mapping);
  ParentMachine s =
      ParentWithPages(*strategy, 2, false, kPages, mapping, *walk);
  sim::Machine& m = *s.machine;
  const std::vector<uint8_t> byte = {42};
  for (uint64_t i = 0; i < kPages; ++i) {  // Every page cached writable.
    ASSERT_TRUE(m.Write(0, s.parent, kBase + i * 4096, byte).ok);
  }
  sim::Pid child = 0;
  EXPECT_EQ(CountsOf(m, [&] { child = m.Fork(0, s.parent).value(); }),
            ForkUnder(walk->name(), strategy->name(), mapping, want.fork));
  m.Run(1, child);
  EXPECT_EQ(CountsOf(m,
                     [&] {
                       while (m.Background(1, child).value()) {
                       }
                     }),
            want.background);
  m.Run(0, child);
  EXPECT_EQ(
      CountsOf(m, [&] { EXPECT_TRUE(m.Write(0, child, kBase, byte).ok); }),
      want.child_write);
  m.Run(0, s.parent);
  EXPECT_EQ(
      CountsOf(m, [&] { EXPECT_TRUE(m.Write(0, s.parent, kBase, byte).ok); }),
      want.parent_write);
}

TEST(BatchedTlbiCounts, RangeTlbiCoversTheForkInOneOperation) {
  ParentMachine s =
      ParentWithPages(*FindStrategy<SimArch>("batched_tlbi"), 2, true, kPages);
  // 512 pages = (NUM 7 + 1) * 2^(5 * SCALE 1 + 1): one RVALE1IS.
  EXPECT_EQ(
      CountsOf(*s.machine,
               [&] { EXPECT_TRUE(s.machine->Fork(0, s.parent).ok()); }),
      ForkUnder(DefaultWalk().name(), "batched_tlbi", Mapping::kPages,
                With(kLazyForkBase,
                     {.rvale1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1})));
}

TEST(BatchedTlbiCounts, PastTheThresholdOneAsidFlushReplacesThePageTlbis) {
  Strategy<SimArch>& strategy = *FindStrategy<SimArch>("batched_tlbi");
  ASSERT_EQ(strategy.SetTunable("max_tlbi_ops", 511), Status::kOk);
  ParentMachine s = ParentWithPages(strategy, 2, false, kPages);
  const Counts counts = CountsOf(
      *s.machine, [&] { EXPECT_TRUE(s.machine->Fork(0, s.parent).ok()); });
  strategy.ResetTunables();
  EXPECT_EQ(
      counts,
      ForkUnder(DefaultWalk().name(), "batched_tlbi", Mapping::kPages,
                With(kLazyForkBase,
                     {.aside1is = 1, .dsb_ishst = 1, .dsb_ish = 1, .isb = 1})));
}

TEST(AsidTaggedCounts, EveryOtherCpuRunningTheParentReloadsTtbr0) {
  ParentMachine s =
      ParentWithPages(*FindStrategy<SimArch>("asid_tagged"), 3, false, 4);
  for (int cpu = 1; cpu < 3; ++cpu) s.machine->Run(cpu, s.parent);
  const Counts counts = CountsOf(
      *s.machine, [&] { EXPECT_TRUE(s.machine->Fork(0, s.parent).ok()); });
  EXPECT_EQ(counts.ttbr0_writes, 3u);
  EXPECT_EQ(counts.isb, 3u);
  EXPECT_EQ(s.machine->counters().ipis, 2u);
}

// A copy of a page EL0 may execute reaches instruction fetch before it can
// run: once per copied executable page, never for a data page.
TEST(InstructionSyncCounts, EveryCopiedExecutablePageIsSynchronised) {
  // Writable and EL0-executable (UXN clear), so a CoW break copies it.
  const Descriptor rwx = PageAttrs(Perm::kReadWrite).with_uxn(false);
  for (const char* name : {"eager_copy", "lazy_cow"}) {
    sim::MachineConfig config;
    auto m = *sim::Machine::Create(config, *FindStrategy<SimArch>(name));
    const sim::Pid parent = m->Spawn(0).value();
    ASSERT_EQ(m->Map(0, parent, kBase, 2, rwx), Status::kOk);
    ASSERT_EQ(
        m->Map(0, parent, kBase + 0x10000, 3, PageAttrs(Perm::kReadWrite)),
        Status::kOk);
    const uint64_t before = m->system().counters().instruction_syncs;
    const sim::Pid child = m->Fork(0, parent).value();
    const std::vector<uint8_t> bytes = {1};
    for (const VirtAddr va : {kBase, kBase + 0x10000}) {
      ASSERT_TRUE(m->Write(0, child, va, bytes).ok);
    }
    // eager_copy syncs its two executable copies at fork; lazy_cow the one
    // the child's write breaks.
    EXPECT_EQ(m->system().counters().instruction_syncs - before,
              std::string(name) == "eager_copy" ? 2u : 1u)
        << name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Registry, EventCountTest,
    ::testing::Combine(
        ::testing::ValuesIn(AllStrategies()),
        ::testing::Values(Mapping::kPages, Mapping::kRuns, Mapping::kBlocks),
        ::testing::ValuesIn(std::begin(kWalks), std::end(kWalks))),
    [](const ::testing::TestParamInfo<EventCountTest::ParamType>& info) {
      return std::string(std::get<0>(info.param)->name()) + "_" +
             MappingName(std::get<1>(info.param)) + "_" +
             std::get<2>(info.param)->name();
    });

}  // namespace
}  // namespace ttb::testing
