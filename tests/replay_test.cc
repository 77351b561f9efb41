// Replays of captured traces: the layout keeps the capture's physical
// contiguity and nothing else, the simulated machine gets exactly that
// layout, and a replay under every strategy accounts for each write in
// the window it happened in.
#include "bench/replay/replay.h"

#include <gtest/gtest.h>

#include <numeric>

#include "bench/replay/aged_layout.h"
#include "bench/replay/layout.h"
#include "bench/replay/repeated_layout.h"
#include "bench/replay/replay_benchmarks.h"
#include "bench/results/cost_model.h"
#include "tests/registry_params.h"

namespace ttb::bench {
namespace {

constexpr uint64_t kHeap = 0x10'0000;
constexpr uint64_t kText = 0x7f00'0000'0000;
constexpr uint64_t kPage = 4096;

// A heap of six pages whose frames come in runs of 2, 1 and 3 (in
// another order than the pages'), a text page, a shared writable page and
// a guard page; writes to heap pages in three windows of 1 ms, and a text
// page seen turning exclusive.
Trace Sample() {
  Trace t;
  t.provenance = {{"program", "test 1"},
                  {"command", "test"},
                  {"host", "h"},
                  {"kernel", "k"},
                  {"date", "2026-11-30"}};
  t.mappings = {{kHeap, 6, "rw-p", "[heap]"},
                {kHeap + 6 * kPage, 1, "rw-s", "/dev/shm/x"},
                {kHeap + 7 * kPage, 1, "---p", "[anon]"},
                {kText, 1, "r-xp", "/usr/bin/test"}};
  const uint64_t frames[] = {0x500, 0x501, 0x100, 0x200, 0x201, 0x202};
  for (uint64_t i = 0; i < 6; ++i) {
    t.present.push_back({kHeap + i * kPage, frames[i]});
  }
  t.present.push_back({kHeap + 6 * kPage, 0x900});
  t.present.push_back({kHeap + 7 * kPage, 0x901});
  t.present.push_back({kText, 0x7});
  t.fork_us = 100;
  t.writes = {{100, kHeap + 2 * kPage},
              {2600, kHeap},
              {2600, kText},
              {2700, kHeap + 5 * kPage}};
  return t;
}

TEST(ReplayLayout, KeepsContiguityAndLeavesAHoleWhereTheFramesBreak) {
  const ReplayLayout l = LayOut(Sample());
  ASSERT_EQ(l.runs.size(), 2u);
  EXPECT_EQ(l.runs[0].va, kHeap);
  EXPECT_EQ(l.runs[0].pages, 6u);
  EXPECT_EQ(l.runs[0].perms, PagePerms::kReadWrite);
  EXPECT_EQ(l.runs[1].va, kText);
  EXPECT_EQ(l.runs[1].perms, PagePerms::kReadExecute);
  EXPECT_EQ(l.runs[1].first, 6u);
  // Physical order 0x7 | 0x100 | 0x200 0x201 0x202 | 0x500 0x501, a hole
  // between runs.
  EXPECT_EQ(l.frame_of, (std::vector<uint64_t>{8, 9, 2, 4, 5, 6, 0}));
  EXPECT_EQ(l.frames, 10u);
  EXPECT_EQ(l.Holes(), (std::vector<uint64_t>{1, 3, 7}));
  EXPECT_TRUE(l.frames_known);
  EXPECT_EQ(l.skipped_pages, 2u);   // Shared writable, and no access.
  EXPECT_EQ(l.skipped_writes, 1u);  // The text page.
  ASSERT_EQ(l.writes.size(), 3u);
  EXPECT_EQ(l.writes[0].us_after_fork, 0u);
  EXPECT_EQ(l.writes[2].us_after_fork, 2600u);
  EXPECT_EQ(l.snapshot_us, 2600u);
  EXPECT_EQ(l.sample_us, 1300u);  // Two gaps between three times seen.
}

TEST(ReplayLayout, WithoutFramesPagesAreLaidInAddressOrder) {
  Trace t = Sample();
  t.present[3].frame.reset();
  const ReplayLayout l = LayOut(t);
  EXPECT_FALSE(l.frames_known);
  EXPECT_EQ(l.frame_of, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(l.Holes().empty());
}

// The lengths of the runs of pages consecutive in both address and frame,
// over the layout's writable runs.
std::vector<uint64_t> ContiguousRuns(const ReplayLayout& l) {
  std::vector<uint64_t> runs;
  for (const LaidRun& run : l.runs) {
    if (run.perms != PagePerms::kReadWrite) continue;
    for (uint64_t i = 0; i < run.pages; ++i) {
      const uint64_t f = l.frame_of[run.first + i];
      if (i > 0 && f == l.frame_of[run.first + i - 1] + 1) {
        ++runs.back();
      } else {
        runs.push_back(1);
      }
    }
  }
  return runs;
}

double Mean(const std::vector<uint64_t>& v) {
  return static_cast<double>(std::accumulate(v.begin(), v.end(), uint64_t{0})) /
         static_cast<double>(v.size());
}
double ShareOfOnes(const std::vector<uint64_t>& v) {
  return static_cast<double>(std::count(v.begin(), v.end(), 1)) /
         static_cast<double>(v.size());
}

TEST(AgedLayout, ItsRunsAreTheRedisCapturesAndScattered) {
  const absl::StatusOr<Trace> trace =
      LoadTrace(TTB_SOURCE_DIR "/bench/traces/redis-bgsave.ttrace.gz");
  ASSERT_TRUE(trace.ok()) << trace.status();
  const std::vector<uint64_t> captured = ContiguousRuns(LayOut(*trace));
  const ReplayLayout aged = AgedLayout(kHeap, 1 << 18);
  const std::vector<uint64_t> model = ContiguousRuns(aged);
  EXPECT_NEAR(Mean(model), Mean(captured), 0.1 * Mean(captured));
  EXPECT_NEAR(ShareOfOnes(model), ShareOfOnes(captured), 0.03);
  // Scattered: the physical order of the runs is not their address order.
  uint64_t descents = 0;
  for (uint64_t i = 1; i < aged.pages(); ++i) {
    descents += aged.frame_of[i] < aged.frame_of[i - 1];
  }
  EXPECT_GT(descents, model.size() / 3);
  // Every frame is one page's or a hole, and each page has its own.
  std::vector<uint64_t> sorted = aged.frame_of;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  EXPECT_EQ(aged.frames, aged.pages() + model.size() - 1);
  EXPECT_EQ(AgedLayout(kHeap, 1 << 18).frame_of, aged.frame_of);
}

std::unique_ptr<sim::Machine> MachineFor(Strategy<sim::SimArch>& s) {
  sim::MachineConfig config;
  config.regime = Regime::Va48();
  config.memory_bytes = 8ull << 20;
  return sim::Machine::Create(config, s).value();
}

TEST(ReplayLayout, TheMachineGetsTheCapturedPhysicalOrder) {
  const ReplayLayout l = LayOut(Sample());
  auto m = MachineFor(*FindStrategy<sim::SimArch>("lazy_cow"));
  const sim::Pid pid = m->Spawn(0).value();
  ASSERT_TRUE(MapLayout(*m, 0, pid, l).ok());
  AddressSpace& space = m->process(pid)->space;
  const PhysAddr text = space.Translate(kText).value().pa;
  for (uint64_t i = 0; i < 6; ++i) {
    const Result<Translation> t = space.Translate(kHeap + i * kPage);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.value().pa - text, l.frame_of[i] * kPage) << "page " << i;
    EXPECT_EQ(t.value().leaf.ap(), Ap::kRw);
  }
  EXPECT_EQ(space.Translate(kText).value().leaf.ap(), Ap::kRo);
  EXPECT_FALSE(space.Translate(kText).value().leaf.uxn());
  // The holes went back to the pool.
  EXPECT_EQ(m->pool().stats().data_frames, l.pages());
}

TEST(ReplayLayout, AFailedMappingHandsEveryFrameBack) {
  const ReplayLayout l = LayOut(Sample());
  auto m = MachineFor(*FindStrategy<sim::SimArch>("lazy_cow"));
  const sim::Pid pid = m->Spawn(0).value();
  ASSERT_EQ(m->Map(0, pid, kText, 1,
                   Descriptor::Page(0).with_ap(Ap::kRo).with_ng(true)),
            Status::kOk);
  const uint64_t before = m->pool().stats().data_frames;
  const absl::Status s = MapLayout(*m, 0, pid, l);
  EXPECT_NE(s.message().find("mapping 0x7f0000000000 +1 pages failed"),
            std::string::npos)
      << s;
  // The heap stays mapped (a replay then stops); nothing else is held.
  EXPECT_EQ(m->pool().stats().data_frames, before + 6);
  EXPECT_EQ(m->pool().stats().invalid_releases, 0u);
}

class ReplayTest : public testing::TestWithParam<SimStrategy> {};

TEST_P(ReplayTest, EveryWriteIsCopiedOnceAndStallsTheWindowItFellIn) {
  const ReplayLayout l = LayOut(Sample());
  ReplayOptions options;
  options.window_us = 2000;
  const absl::StatusOr<ReplayResult> r = Replay(l, *GetParam(), options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->window_us, 2000u);
  ASSERT_EQ(r->windows.size(), 2u);
  auto copied = [](const Events& e) { return e.get("pages_copied"); };
  // Either the fork copied the parent's pages, in the first window, or
  // each write copied its page, in the window of its time: 0 ms, then 2.5
  // and 2.6 ms.
  const uint64_t at_fork = copied(r->fork.all);
  std::vector<uint64_t> per_window;
  for (const Events& w : r->windows) per_window.push_back(copied(w));
  if (at_fork == 0) {
    EXPECT_EQ(per_window, (std::vector<uint64_t>{1, 2}));
  } else {
    EXPECT_EQ(per_window, (std::vector<uint64_t>{at_fork, 0}));
    EXPECT_GE(at_fork, 6u);
  }
  EXPECT_EQ(copied(r->total.all),
            std::accumulate(per_window.begin(), per_window.end(), uint64_t{0}));
  // The first window holds everything the fork made the parent's CPU do.
  r->fork.forking_cpu.ForEach([&](const std::string& name, uint64_t n) {
    EXPECT_GE(r->windows[0].get(name), n) << name;
  });
  EXPECT_GT(r->table_frames_after_fork, 0u);
  EXPECT_GE(r->extra_peak_frames, 3u);
}

TEST(RepeatedLayout, EachCopyIsTheCaptureOneTebibyteUpAndOneSnapshotLater) {
  const ReplayLayout l = LayOut(Sample());
  const absl::StatusOr<ReplayLayout> r = Repeated(l, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  constexpr uint64_t kTiB = uint64_t{1} << 40;
  ASSERT_EQ(r->runs.size(), 3 * l.runs.size());
  EXPECT_EQ(r->pages(), 3 * l.pages());
  EXPECT_EQ(r->frames, 3 * l.frames);
  EXPECT_EQ(r->snapshot_us, 3 * l.snapshot_us);
  // In address order: the heaps (0, 1 and 2 TiB up), then the texts.
  EXPECT_EQ(r->runs[1].va, l.runs[0].va + kTiB);
  EXPECT_EQ(r->runs[1].first, l.pages());
  EXPECT_EQ(r->runs[3].va, l.runs[1].va);
  // Copy 2's frames keep the capture's order, after copy 1's.
  EXPECT_EQ(r->frame_of[2 * l.pages() + 2], l.frame_of[2] + 2 * l.frames);
  ASSERT_EQ(r->writes.size(), 3 * l.writes.size());
  const ReplayWrite& last = r->writes.back();
  EXPECT_EQ(last.us_after_fork,
            l.writes.back().us_after_fork + 2 * l.snapshot_us);
  EXPECT_EQ(last.va, l.writes.back().va + 2 * kTiB);
  // The copies of the text page, at 127 TiB, end above 2^48 past 128.
  EXPECT_EQ(Repeated(l, 130).status().message(),
            "copy 130 of the layout ends above 2^48: fewer copies");
  EXPECT_FALSE(Repeated(l, 0).ok());
}

TEST(RepeatedLayout, ItsReplayCopiesEachCopysWrites) {
  const ReplayLayout l = LayOut(Sample());
  const absl::StatusOr<ReplayResult> one =
      Replay(l, *FindStrategy<sim::SimArch>("lazy_cow"), {});
  const absl::StatusOr<ReplayResult> four =
      Replay(*Repeated(l, 4), *FindStrategy<sim::SimArch>("lazy_cow"), {});
  ASSERT_TRUE(one.ok() && four.ok());
  EXPECT_EQ(four->total.all.get("pages_copied"),
            4 * one->total.all.get("pages_copied"));
}

TEST(RepeatedLayout, TheRedisCaptureScalesToTheSizeAsked) {
  const absl::StatusOr<std::shared_ptr<const ReplayTrace>> t =
      LoadReplayTrace(TTB_SOURCE_DIR "/bench/traces/redis-bgsave.ttrace.gz");
  ASSERT_TRUE(t.ok()) << t.status();
  const absl::StatusOr<std::shared_ptr<const ReplayTrace>> scaled =
      ScaledTrace(**t, 8);
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  EXPECT_EQ((*scaled)->name, "redis-bgsave-8GiB");
  EXPECT_FALSE((*t)->reported.empty());
  EXPECT_TRUE((*scaled)->reported.empty());  // The capture's, not its own.
  const double gib = static_cast<double>((*scaled)->layout.pages()) *
                     kTracePageBytes / (1 << 30);
  EXPECT_NEAR(gib, 8, 8 * 0.1);
  const auto both = ScaledTraces({*t});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1]->name, "redis-bgsave-64GiB");
}

TEST(Replay, WithoutACostModelNoLatencyIsKept) {
  const absl::StatusOr<ReplayResult> r =
      Replay(LayOut(Sample()), *FindStrategy<sim::SimArch>("lazy_cow"), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->write_latency_us[1].empty());
}

TEST(Replay, AWindowIsNoFinerThanTheTracesResolution) {
  ReplayOptions options;
  options.window_us = 1000;
  const absl::StatusOr<ReplayResult> r = Replay(
      LayOut(Sample()), *FindStrategy<sim::SimArch>("lazy_cow"), options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->window_us, 1300u);
  // 0, 2.5 and 2.6 ms: one write in each window of 1.3 ms.
  ASSERT_EQ(r->windows.size(), 3u);
  for (const Events& w : r->windows) EXPECT_EQ(w.get("pages_copied"), 1u);
}

// async_fork's child copies on CPU 1 from the fork on, each step lasting
// its modelled cycles at the clock: the parent's write at the fork's time
// finds the heap's table still shared and copies it itself; the child then
// takes the heap's table back without a copy and copies the text's.
TEST(Replay, TheChildsBackgroundCopyRunsBesideTheParent) {
  const absl::StatusOr<CostModel> costs =
      CostModel::Load(TTB_SOURCE_DIR "/bench/costs/neoverse-n1.json");
  ASSERT_TRUE(costs.ok()) << costs.status();
  ReplayOptions options;
  options.costs = &*costs;
  options.window_us = 2000;
  const ReplayLayout l = LayOut(Sample());
  for (const char* name : {"async_fork", "lazy_cow"}) {
    SCOPED_TRACE(name);
    const bool async = std::string(name) == "async_fork";
    const absl::StatusOr<ReplayResult> r =
        Replay(l, *FindStrategy<sim::SimArch>(name), options);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->background_steps, async ? 2u : 0u);
    Events parent;
    for (const Events& w : r->windows) parent += w;
    auto tables = [](const Events& e) { return e.get("tables_allocated"); };
    const uint64_t parent_tables = tables(parent) - tables(r->fork.forking_cpu);
    EXPECT_EQ(parent_tables, async ? 1u : 0u);
    EXPECT_EQ(tables(r->total.all) - tables(r->fork.all) - parent_tables,
              async ? 1u : 0u);
    // Two tables' copy at 2.5 GHz: microseconds, not the snapshot's life.
    EXPECT_EQ(r->background_done_us > 0, async);
    EXPECT_LT(r->background_done_us, 100);
    // Each write is a query: the first, at the fork's time, waits for the
    // fork; every latency grows from low to high across the ranges.
    const double fork_us = costs->Cycles(r->fork.forking_cpu) /
                           (costs->clock_ghz().typical * 1000);
    ASSERT_EQ(r->write_latency_us[1].size(), l.writes.size());
    EXPECT_GT(r->write_latency_us[1][0], fork_us);
    for (size_t i = 0; i < l.writes.size(); ++i) {
      EXPECT_LT(r->write_latency_us[0][i], r->write_latency_us[1][i]);
      EXPECT_LT(r->write_latency_us[1][i], r->write_latency_us[2][i]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, ReplayTest,
                         testing::ValuesIn(AllStrategies()), StrategyTestName);

}  // namespace
}  // namespace ttb::bench
