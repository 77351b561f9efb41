// The benchmark driver on bad input (one line, exit 2, nothing written) and
// on a tiny real run (a complete Google Benchmark JSON file with ttbench's
// context, and no partial file left behind).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "bench/results/cost_model.h"
#include "engine/sim/sim_arch.h"
#include "nlohmann/json.hpp"
#include "tests/temp_dir.h"
#include "variants/registry.h"

namespace ttb {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status;
  std::string output;  // stdout and stderr.
};

Outcome RunDriver(const std::string& args) {
  const std::string command =
      std::string(TTB_BENCH_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) {
    output.append(buffer, n);
  }
  const int raw = pclose(pipe);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, output};
}

class BenchCliTest : public TempDirTest {
 protected:
  // Files anywhere under the output directory.
  int FilesWritten() const {
    if (!fs::exists(dir_)) return 0;
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      n += e.is_regular_file() ? 1 : 0;
    }
    return n;
  }
  // A file written under the output directory whose name ends in
  // `extension`, other than the results index.
  fs::path Written(const std::string& extension) const {
    fs::path found;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (e.path().extension() == extension &&
          e.path().filename() != "README.md") {
        found = e.path();
      }
    }
    return found;
  }
  std::string Out() const { return " --out=" + dir_.string(); }

  // `report` on a result set of these benchmarks: its Markdown, or "" (and
  // a failure) when the report is refused.
  std::string ReportOn(const nlohmann::json& benchmarks,
                       const std::string& flags = "") {
    fs::create_directories(dir_ / "host");
    const fs::path json = dir_ / "host" / "run.json";
    std::ofstream(json) << nlohmann::json{{"benchmarks", benchmarks}}.dump();
    const Outcome o = RunDriver("report " + json.string() + Out() + flags);
    EXPECT_EQ(o.status, 0) << o.output;
    return ReadFile(dir_ / "host" / "run.md");
  }

  // A cost model beside the output directory (which must hold only what
  // the driver writes) as the default profile: every term 1, 2 and 4
  // cycles (low, typical, high) but `ranges`. Returns the --costs flag.
  std::string Costs(
      const std::map<std::string, std::array<double, 3>>& ranges) {
    nlohmann::json costs;
    for (const std::string& term : bench::CostModel::Terms()) {
      const auto it = ranges.find(term);
      const std::array<double, 3> r =
          it == ranges.end() ? std::array<double, 3>{1, 2, 4} : it->second;
      costs[term] = {{"low", r[0]},
                     {"typical", r[1]},
                     {"high", r[2]},
                     {"source", "a paper"}};
    }
    const fs::path dir = dir_.string() + "-costs";
    fs::create_directories(dir);
    std::ofstream(dir / "neoverse-n1.json") << nlohmann::json{
        {"profile", "neoverse-n1"},
        {"core", "neoverse-n1"},
        {"pes", 4},
        {"clock_ghz",
         {{"low", 2}, {"typical", 2.5}, {"high", 3}, {"source", "a sheet"}}},
        {"costs", costs}}.dump();
    return " --costs=" + dir.string();
  }
  void TearDown() override {
    fs::remove_all(dir_.string() + "-costs");
    TempDirTest::TearDown();
  }

  // A small Redis-like trace, copied into `dir` (outside the output
  // directory, which must hold only what the driver writes).
  static fs::path CorpusTrace(const fs::path& dir) {
    fs::create_directories(dir);
    const fs::path trace = dir / "redis-like.ttrace.gz";
    fs::copy_file(fs::path(TTB_SOURCE_DIR) /
                      "tests/fuzz/corpus/trace/redis-like.ttrace.gz",
                  trace);
    return trace;
  }
  // `from` without its last bytes, at `to`: a truncated gzip.
  static void CutShort(const fs::path& from, const fs::path& to) {
    const std::string bytes = ReadFile(from);
    std::ofstream(to, std::ios::binary) << bytes.substr(0, bytes.size() - 9);
  }

  void ExpectRejected(const std::string& args, const std::string& says) {
    const Outcome o = RunDriver(args + Out());
    EXPECT_EQ(o.status, 2) << o.output;
    EXPECT_NE(o.output.find(says), std::string::npos) << o.output;
    EXPECT_EQ(std::count(o.output.begin(), o.output.end(), '\n'), 1)
        << o.output;
    EXPECT_EQ(FilesWritten(), 0);
  }
};

TEST_F(BenchCliTest, UnknownStrategyProfileOrSuiteIsOneLineAndExit2) {
  ExpectRejected("run --variants=lazy_cow,nope", "unknown strategy 'nope'");
  ExpectRejected("run --variants=lazy_cow,untagged,lazy_cow",
                 "strategy 'lazy_cow' is named twice");
  ExpectRejected("run --profile=pentium", "unknown profile 'pentium'");
  ExpectRejected("run --suite=huge", "unknown suite 'huge'");
  ExpectRejected("run --repetitions=0", "--repetitions must be 1 to 100");
  ExpectRejected("run --cow_policy=merge",
                 "unknown --cow_policy 'merge' (split, copy)");
  ExpectRejected("run --filter='('", "is not a regex");
  ExpectRejected("dance", "usage");
}

// The largest fork on the aged layout is set beside the dense one.
TEST_F(BenchCliTest, TheAgedForkIsShownBesideTheDenseOne) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& [name, ns] :
       {std::pair{"fork/lazy_cow/dense/16MiB/manual_time", 2000},
        std::pair{"fork/lazy_cow/aged/16MiB/manual_time", 13000}}) {
    benchmarks.push_back({{"name", name},
                          {"run_type", "iteration"},
                          {"real_time", ns},
                          {"time_unit", "ns"},
                          {"frames_shared", 4096}});
  }
  const std::string md = ReportOn(benchmarks, Costs({}));
  EXPECT_NE(md.find("On the aged layout"), std::string::npos) << md;
  EXPECT_NE(md.find("| lazy_cow | 2.00 | 13.00 | 6.50 | 8192 |"),
            std::string::npos)
      << md;
}

// A family no section of its own shows gets a table under "Other
// workloads": a family added to the registry appears with no report edit.
TEST_F(BenchCliTest, EveryOtherFamilyHasATable) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const char* name : {"fork/lazy_cow/dense/16MiB/manual_time",
                           "fork_child_write/lazy_cow/10pct/16MiB/manual_time",
                           "pingpong/lazy_cow/manual_time"}) {
    benchmarks.push_back({{"name", name},
                          {"run_type", "iteration"},
                          {"real_time", 2000},
                          {"time_unit", "ns"},
                          {"walks", 20},
                          {"cpu0.walks", 10}});
  }
  const std::string md = ReportOn(benchmarks, Costs({{"walks", {5, 15, 60}}}));
  EXPECT_NE(md.find("## Other workloads"), std::string::npos) << md;
  EXPECT_NE(md.find("### `fork_child_write/<strategy>/<k>pct/<N>MiB`: fork, "
                    "the child writes k% of its pages, then exits"),
            std::string::npos)
      << md;
  // Modelled cycles over every PE / on the forking PE, then host time.
  EXPECT_NE(md.find("| lazy_cow | 300 / 150 cycles (2.00 us) |"),
            std::string::npos)
      << md;
  // Families shown elsewhere get no second table.
  EXPECT_EQ(md.find("### `fork/"), std::string::npos) << md;
}

// The walk section: every strategy under every walk, the best pair per
// layout with how far it holds, and what each walk reads under lazy_cow.
TEST_F(BenchCliTest, TheWalkSectionNamesTheBestPairPerLayout) {
  nlohmann::json benchmarks = nlohmann::json::array();
  auto add = [&](const std::string& name, nlohmann::json counters) {
    counters["name"] = name + "/manual_time";
    counters["run_type"] = "iteration";
    counters["real_time"] = 1000;
    counters["time_unit"] = "ns";
    benchmarks.push_back(counters);
  };
  add("fork/lazy_cow/dense/16MiB", {{"walks", 1}});
  add("fork/eager_copy/dense/16MiB", {{"walks", 1}});
  add("walk_fork/lazy_cow/whole_table/dense/16MiB",
      {{"sw_descriptor_reads", 100}, {"sw_descriptor_writes", 50}});
  add("walk_fork/lazy_cow/cursor/dense/16MiB",
      {{"sw_descriptor_reads", 100}, {"sw_descriptor_writes", 80}});
  add("walk_fork/lazy_cow/per_page/dense/16MiB",
      {{"sw_descriptor_reads", 400}, {"sw_descriptor_writes", 80}});
  add("walk_fork/eager_copy/whole_table/dense/16MiB",
      {{"sw_descriptor_reads", 100}, {"pages_copied", 10}});
  const std::string md = ReportOn(benchmarks, Costs({}));
  EXPECT_NE(md.find("## Table walks (16 MiB fork)"), std::string::npos) << md;
  // 100 reads and 10 copies at 2 cycles against 100 reads and 50 writes:
  // fewer cycles at every corner (10 copies at 4 against 50 writes at 1).
  EXPECT_NE(md.find("- dense: `eager_copy` with `whole_table`, 220 modelled "
                    "cycles; against `lazy_cow` with `whole_table` (300): "
                    "holds across every cost range"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("costs least (or level) for this many strategies: dense 2 "
                    "of 2"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| dense | `per_page` | 400 | 80 | 0 | 480 | 960 | 1920 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| lazy_cow | 300 (1.00 us) | 360 (1.00 us) | 960 (1.00 "
                    "us) |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("### `walk_fork/"), std::string::npos) << md;
}

// --walk reaches every workload's machine and is recorded; an unknown one
// is one line.
TEST_F(BenchCliTest, TheWalkIsARunFlag) {
  auto reads = [&](const std::string& flags) {
    fs::remove_all(dir_);
    const Outcome o =
        RunDriver("run --suite=quick --variants=lazy_cow " + flags +
                  " --filter='^fork/lazy_cow/sparse/1MiB/'" + Out());
    EXPECT_EQ(o.status, 0) << o.output;
    std::ifstream in(Written(".json"));
    const nlohmann::json doc = nlohmann::json::parse(in);
    EXPECT_EQ(doc["context"]["ttbench_walk"],
              flags.empty() ? "whole_table" : flags.substr(7));
    return doc["benchmarks"][0]["sw_descriptor_reads"].get<double>();
  };
  // The seed's walk reads from the root for every page.
  EXPECT_GT(reads("--walk=per_page"), 2 * reads(""));
  fs::remove_all(dir_);
  ExpectRejected("run --walk=nope",
                 "unknown --walk 'nope' (whole_table, cursor, per_page)");
}

// The granule families get one section, per GiB of the parent, each
// figure at typical costs with the ranges' ends.
TEST_F(BenchCliTest, PageSizesHaveTheirOwnSection) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const char* name : {"fork/lazy_cow/dense/16MiB/manual_time",
                           "granule_fork/lazy_cow/4KiB/256MiB/manual_time",
                           "granule_fork/lazy_cow/64KiB/256MiB/manual_time",
                           "granule_fork/lazy_cow/64KiB/16MiB/manual_time"}) {
    const bool big = std::string(name).find("64KiB/256") != std::string::npos;
    benchmarks.push_back({{"name", name},
                          {"run_type", "iteration"},
                          {"real_time", 2000},
                          {"time_unit", "ns"},
                          {"walks", big ? 10 : 100}});
  }
  const std::string md = ReportOn(benchmarks, Costs({{"walks", {5, 15, 60}}}));
  EXPECT_NE(md.find("## Page and mapping sizes"), std::string::npos) << md;
  // No run_* benchmarks: no columns for runs.
  EXPECT_EQ(md.find("runs |"), std::string::npos) << md;
  // 100 walks at 15 cycles over 256 MiB: 6000 a GiB (2000 to 24000); the
  // 16 KiB run is missing.
  EXPECT_NE(md.find("| lazy_cow | 6000 [2000-24 k] | - | 600 [200-2400] |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("### `granule_fork/"), std::string::npos) << md;
  // Nor tables for the families the run lacks.
  EXPECT_EQ(md.find("One CoW fault"), std::string::npos) << md;
}

// Beside each granule, its data in contiguous runs, and linux_fork's
// ratio of the two beside Linux's published contpte shape.
TEST_F(BenchCliTest, MappingSizesSitBesideTheirPageSize) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const char* name :
       {"fork/linux_fork/dense/16MiB/manual_time",
        "granule_fork/linux_fork/4KiB/256MiB/manual_time",
        "run_fork/linux_fork/4KiB/256MiB/manual_time",
        "run_fork_write/linux_fork/4KiB/10pct/256MiB/manual_time",
        "run_copy_fork_write/linux_fork/4KiB/10pct/256MiB/manual_time",
        "block_fork/linux_fork/4KiB/256MiB/manual_time",
        "block_fork_write/linux_fork/4KiB/10pct/256MiB/manual_time"}) {
    const bool runs = std::string(name).starts_with("run_");
    const bool blocks = std::string(name).starts_with("block_");
    benchmarks.push_back({{"name", name},
                          {"run_type", "iteration"},
                          {"real_time", 2000},
                          {"time_unit", "ns"},
                          {"walks", blocks ? 80
                                    : runs ? 90
                                           : 100}});
  }
  const std::string md = ReportOn(benchmarks, Costs({{"walks", {5, 15, 60}}}));
  EXPECT_NE(md.find("| strategy | 4 KiB | 4 KiB in 64 KiB runs | 16 KiB | "
                    "16 KiB in 2 MiB runs | 64 KiB | 64 KiB in 2 MiB runs |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| linux_fork | 6000 [2000-24 k] | 5400 [1800-22 k] |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("`linux_fork` in 64 KiB runs costs -10.0% against 4 KiB"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("### `run_fork/"), std::string::npos) << md;
  // The CoW policies side by side: split, then copy.
  EXPECT_NE(md.find("| strategy | 10%, split, 4 KiB | 10%, split, 16 KiB"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| linux_fork | 5400 [1800-22 k] | - | - | 5400 [1800-22 "
                    "k] |"),
            std::string::npos)
      << md;
  // Blocks: a row per strategy and granule that has them.
  EXPECT_NE(md.find("| strategy | granule | fork | 10%, split | 10%, copy |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| linux_fork | 4 KiB | 4800 [1600-19 k] | 4800 [1600-19 "
                    "k] | - | - | - | - | - |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("| linux_fork | 16 KiB |"), std::string::npos) << md;
  EXPECT_EQ(md.find("### `block_fork/"), std::string::npos) << md;
}

// --cow_policy and --bbm_level2 reach every workload's machine and are
// recorded: copying the whole run changes what a write inside it costs.
TEST_F(BenchCliTest, TheCowPolicyAndBbmLevel2AreRunFlags) {
  auto cycles = [&](const std::string& flags) {
    fs::remove_all(dir_);
    const Outcome o = RunDriver(
        "run --suite=quick --variants=lazy_cow " + flags +
        " --filter='^run_cow_fault/lazy_cow/4KiB/child_first_write'" + Out());
    EXPECT_EQ(o.status, 0) << o.output;
    std::ifstream in(Written(".json"));
    const nlohmann::json doc = nlohmann::json::parse(in);
    EXPECT_EQ(doc["context"]["ttbench_cow_policy"],
              flags.find("copy") != std::string::npos ? "copy" : "split");
    EXPECT_EQ(doc["context"]["ttbench_bbm_level2"],
              flags.find("bbm") != std::string::npos ? "true" : "false");
    return doc["benchmarks"][0]["modelled_cycles"].get<double>();
  };
  const double split = cycles("");
  EXPECT_NE(cycles("--cow_policy=copy"), split);
  EXPECT_NE(cycles("--bbm_level2"), split);  // No invalid step to pay for.
}

// The driver takes the paths it is given from the caller's directory
// (--cwd, which ./ttbench passes), whatever directory it runs in.
TEST_F(BenchCliTest, RelativePathsAreTakenFromTheCallersDirectory) {
  fs::create_directories(dir_ / "sub");
  std::ofstream(dir_ / "sub" / "run.json") << nlohmann::json{
      {"benchmarks",
       {{{"name", "fork/lazy_cow/dense/1MiB/manual_time"},
         {"run_type", "iteration"},
         {"real_time", 1000},
         {"time_unit", "ns"}}}}}.dump();
  const Outcome o =
      RunDriver("report sub/run.json --out=. --cwd=" + dir_.string());
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_TRUE(fs::exists(dir_ / "sub" / "run.md")) << o.output;
  // --out=. is the caller's directory too: the results index is there.
  EXPECT_TRUE(fs::exists(dir_ / "README.md")) << o.output;
}

TEST_F(BenchCliTest, AFilterThatMatchesNothingLeavesNoFile) {
  ExpectRejected("run --suite=quick --filter=no_such_benchmark",
                 "no benchmark matches");
}

TEST_F(BenchCliTest, UnwritableOutputDirectoryIsRejected) {
  const Outcome o = RunDriver("run --out=/proc/ttbench");
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("cannot write to /proc/ttbench"), std::string::npos);
}

TEST_F(BenchCliTest, CorruptCostModelIsRejected) {
  fs::create_directories(dir_ / "costs");
  std::ofstream(dir_ / "costs" / "neoverse-n1.json") << "{\"profile\": 3";
  const Outcome o = RunDriver("run --costs=" + (dir_ / "costs").string() +
                              " --out=" + (dir_ / "out").string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("not a cost model"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(BenchCliTest, CostsPrintsEveryRangeWithItsSourceAndTheMachineSize) {
  const Outcome o = RunDriver("costs neoverse-n1-80");
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("profile neoverse-n1-80: 80 PEs of neoverse-n1 at "
                          "3 GHz [2.5-3.3] (AnandTech, "),
            std::string::npos)
      << o.output;
  for (const std::string& term : bench::CostModel::Terms()) {
    EXPECT_NE(o.output.find("| " + term + " |"), std::string::npos) << term;
  }
  EXPECT_NE(o.output.find("figures have no published source: "),
            std::string::npos);
  const Outcome small = RunDriver("costs neoverse-n1-80 --cores=8");
  EXPECT_NE(small.output.find("8 PEs of neoverse-n1"), std::string::npos)
      << small.output;
  ExpectRejected("costs pentium", "unknown profile 'pentium'");
  ExpectRejected("costs neoverse-n1 --cores=-3", "--cores must be 1 to 4096");
}

// A run of another profile or machine size is named for it, records the
// PEs it charged, and broadcasts its maintenance.
TEST_F(BenchCliTest, ARunOfAnotherMachineIsNamedForItAndBroadcasts) {
  const Outcome o = RunDriver(
      "run --profile=neoverse-n1-80 --cores=8 --suite=quick "
      "--filter='^fork/lazy_cow/dense/1MiB/'" +
      Out());
  ASSERT_EQ(o.status, 0) << o.output;
  const fs::path result = Written(".json");
  EXPECT_TRUE(std::regex_match(
      result.filename().string(),
      std::regex(R"(\d{4}-\d\d-\d\d-quick-neoverse-n1-80-8pes\.json)")))
      << result;
  const nlohmann::json doc = nlohmann::json::parse(std::ifstream(result));
  EXPECT_EQ(doc["context"]["ttbench_pes"], "8");
  EXPECT_EQ(doc["benchmarks"][0]["tlbi.vale1is"], 256);
}

// `trace` says what a trace holds; a truncated, foreign or missing one is
// one line and exit 2.
TEST_F(BenchCliTest, TraceSummarisesATraceAndRefusesABrokenOne) {
  const fs::path dir = dir_.string() + "-trace";
  const fs::path good = CorpusTrace(dir);
  const Outcome o = RunDriver("trace " + good.string());
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("program: redis-server 7.0.15"), std::string::npos)
      << o.output;
  EXPECT_NE(o.output.find("4 present at the fork"), std::string::npos);
  CutShort(good, dir / "cut.ttrace.gz");
  ExpectRejected("trace " + (dir / "cut.ttrace.gz").string(),
                 "cut.ttrace.gz: truncated gzip");
  ExpectRejected("trace " + (fs::path(TTB_SOURCE_DIR) / "README.md").string(),
                 "README.md: not gzip");
  ExpectRejected("trace " + (dir / "none.gz").string(), "cannot open");
  ExpectRejected("capture " + (dir / "new.ttrace.gz").string(),
                 "usage: ttbench capture OUT.ttrace.gz --pid P");
  fs::remove_all(dir);
}

TEST_F(BenchCliTest, ReplayRunsEachStrategyAndReportsBesideTheRealFork) {
  const fs::path dir = dir_.string() + "-trace";
  const fs::path trace = CorpusTrace(dir);
  const Outcome o = RunDriver(
      "replay " + trace.string() +
      " --variants=lazy_cow,linux_fork,shared_tables,async_fork" + Out());
  ASSERT_EQ(o.status, 0) << o.output;
  const fs::path json = Written(".json");
  EXPECT_NE(json.filename().string().find("-replay-redis-like.json"),
            std::string::npos)
      << json;
  const nlohmann::json result = nlohmann::json::parse(ReadFile(json));
  EXPECT_EQ(result["context"]["ttbench_trace.redis-like"],
            "redis-server 7.0.15, captured 2026-11-30 on x86_64 AMD EPYC, "
            "Linux 6.1");
  std::set<std::string> names;
  for (const auto& b : result["benchmarks"]) {
    names.insert(b["name"].get<std::string>());
    EXPECT_EQ(b["reported.latest_fork_usec"], 24837) << b["name"];
    EXPECT_EQ(b["writes"], 3) << b["name"];
    EXPECT_GT(b["fork_cycles.high"], b["fork_cycles.low"]) << b["name"];
  }
  EXPECT_EQ(names, (std::set<std::string>{
                       "replay/lazy_cow/redis-like/manual_time",
                       "replay/linux_fork/redis-like/manual_time",
                       "replay/shared_tables/redis-like/manual_time",
                       "replay/async_fork/redis-like/manual_time"}));
  const std::string md = ReadFile(Written(".md"));
  EXPECT_NE(md.find("## Replays of captured forks"), std::string::npos) << md;
  EXPECT_NE(md.find("### `redis-like`: redis-server 7.0.15"), std::string::npos)
      << md;
  EXPECT_NE(md.find("`latest_fork_usec` 24837"), std::string::npos) << md;
  // linux_fork is the scale: its own stall is the captured fork's.
  EXPECT_NE(md.find("| linux_fork | "), std::string::npos) << md;
  EXPECT_NE(md.find(" | 1 | 24.84 | "), std::string::npos) << md;
  EXPECT_EQ(md.find("## Fork latency"), std::string::npos) << md;
  // The writes as queries, and async_fork's p99 against the others'.
  EXPECT_NE(md.find("| strategy | write latency p50 (us) |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("`async_fork`'s child copied in "), std::string::npos)
      << md;
  EXPECT_NE(md.find("its p99 write latency against `linux_fork`'s "),
            std::string::npos)
      << md;

  fs::remove_all(dir_);
  CutShort(trace, dir / "cut.ttrace.gz");
  ExpectRejected("replay " + (dir / "cut.ttrace.gz").string(),
                 "cut.ttrace.gz: truncated gzip");
  ExpectRejected("replay " + trace.string() + " --variants=nope",
                 "unknown strategy 'nope'");
  ExpectRejected("replay", "usage: ttbench replay TRACE");
  ExpectRejected("replay " + trace.string() + " --scale_gib=-1",
                 "--scale_gib must be positive");
  // A few pages need more copies, 1 TiB apart, than fit below 2^48.
  ExpectRejected("replay " + trace.string() + " --scale_gib=1",
                 "ends above 2^48: fewer copies");
  fs::remove_all(dir);
}

TEST_F(BenchCliTest, AReplayWithoutDataSaysSo) {
  const fs::path dir = dir_.string() + "-trace";
  const fs::path trace = CorpusTrace(dir);
  const Outcome o = RunDriver("replay " + trace.string() +
                              " --variants=lazy_cow --no_data" + Out());
  ASSERT_EQ(o.status, 0) << o.output;
  const nlohmann::json result =
      nlohmann::json::parse(ReadFile(Written(".json")));
  EXPECT_EQ(result["benchmarks"][0]["keeps_data"], 0);
  EXPECT_EQ(result["benchmarks"][0]["pages_copied"], 3);
  EXPECT_NE(ReadFile(Written(".md")).find("replayed without data bytes"),
            std::string::npos);
  fs::remove_all(dir);
}

// Each problem a cost file can have stops the driver with one line.
TEST_F(BenchCliTest, ACostFigureWithoutASourceOrRangeIsOneLineAndExit2) {
  // Beside the output directory, which must stay empty.
  const fs::path dir = dir_.string() + "-costs";
  fs::create_directories(dir);
  nlohmann::json doc = nlohmann::json::parse(
      std::ifstream(TTB_SOURCE_DIR "/bench/costs/cortex-a53.json"));
  doc["costs"]["isb"].erase("source");
  std::ofstream(dir / "cortex-a53.json") << doc.dump();
  ExpectRejected("costs cortex-a53 --costs=" + dir.string(),
                 "\"isb\" has no source");
  doc = nlohmann::json::parse(
      std::ifstream(TTB_SOURCE_DIR "/bench/costs/cortex-a53.json"));
  doc["costs"]["walks"]["low"] = 1e6;
  std::ofstream(dir / "cortex-a53.json") << doc.dump();
  ExpectRejected("run --profile=cortex-a53 --costs=" + dir.string(),
                 "want low <= typical <= high");
  fs::remove_all(dir);
}

TEST_F(BenchCliTest, ARunWritesCompleteJsonWithContext) {
  const Outcome o = RunDriver(
      "run --suite=quick --variants=lazy_cow --commit=abc123 "
      "--filter='^(engine/walk/39bit|cow_fault/lazy_cow/second_write/.*)$'" +
      Out());
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("[2/2]"), std::string::npos) << o.output;
  ASSERT_EQ(FilesWritten(), 1);
  const fs::path result = Written(".json");
  EXPECT_TRUE(std::regex_match(result.filename().string(),
                               std::regex(R"(\d{4}-\d\d-\d\d-quick\.json)")))
      << result;
  std::ifstream in(result);
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["context"]["ttbench_suite"], "quick");
  EXPECT_EQ(doc["context"]["ttbench_commit"], "abc123");
  EXPECT_EQ(doc["context"]["ttbench_variants"], "lazy_cow");
  EXPECT_TRUE(doc["context"].contains("host_kernel"));
  EXPECT_TRUE(doc["context"].contains("perf_counters"));
  ASSERT_EQ(doc["benchmarks"].size(), 2u);
  const nlohmann::json& cow = doc["benchmarks"][1];
  EXPECT_EQ(cow["name"], "cow_fault/lazy_cow/second_write/manual_time");
  EXPECT_TRUE(cow.contains("modelled_cycles"));
  EXPECT_FALSE(cow.contains("faults"));  // A second write takes no fault.
  // Its latency distribution, as percentiles over every timed write.
  ASSERT_TRUE(cow.contains("latency_p50_ns"));
  EXPECT_GT(cow["latency_p50_ns"], 0);
  EXPECT_LE(cow["latency_p50_ns"], cow["latency_p99.9_ns"]);
}

TEST_F(BenchCliTest, ARunReportsBesideTheNewestBaremetalResults) {
  const fs::path bm =
      dir_ / "qemu-virt-max" / "2026-11-25-baremetal-quick.json";
  fs::create_directories(bm.parent_path());
  fs::copy_file(
      fs::path(TTB_SOURCE_DIR) / "tests/data/baremetal-max-default.json", bm);
  const std::string run =
      "run --suite=quick --variants=lazy_cow,eager_copy "
      "--filter='^fork/.*/dense/1MiB|^fork_floor(_shared|_after_exit)?/1MiB'" +
      Out();
  Outcome o = RunDriver(run);
  ASSERT_EQ(o.status, 0) << o.output;
  const fs::path md = Written(".md");
  std::string text = ReadFile(md);
  EXPECT_NE(text.find("## Bare metal: max (2026-11-25-baremetal-quick.json)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("| lazy_cow |"), std::string::npos);
  // The EL0 workload's counts (a set from before the layouts: 4 KiB
  // pages), eager_copy's then lazy_cow's: TLBIs (faults).
  EXPECT_NE(text.find("| 4KiB/pages | 0 (0) | 196 (128) |"), std::string::npos)
      << text;
  EXPECT_NE(text.find("| floor + references + parent's descriptors, back to "
                      "back |"),
            std::string::npos);
  // In microseconds, as the run measured it: a 1 MiB floor is a fraction
  // of one, which milliseconds would round to "0.000".
  const size_t floor_row =
      text.find("| floor (read + write descriptors) after a child's exit | ");
  ASSERT_NE(floor_row, std::string::npos) << text;
  const double floor_us =
      std::stod(text.substr(text.find("| ", floor_row + 1) + 2));
  std::ifstream json(fs::path(md).replace_extension(".json"));
  const nlohmann::json doc = nlohmann::json::parse(json);
  int found = 0;
  for (const nlohmann::json& b : doc["benchmarks"]) {
    if (b["name"] != "fork_floor_after_exit/1MiB/manual_time") continue;
    ++found;
    EXPECT_EQ(b["time_unit"], "us");
    EXPECT_NEAR(floor_us, b["real_time"].get<double>(), 0.006);
  }
  EXPECT_EQ(found, 1);
  EXPECT_NE(text.find("| strategy | 1 MiB (us) |"), std::string::npos);
  // Fork + write was not measured: no section, no empty plot.
  EXPECT_EQ(text.find("## Fork, then write"), std::string::npos);
  // The run ends with the targets it measured, read at its 1 MiB, and
  // leaves out those it did not (this host's fork(), accesses per second).
  EXPECT_NE(o.output.find("lazy_cow fork within 2x of the floor (read each "
                          "descriptor, write it read-only into new tables), "
                          "timed as the fork is: after a child's exit: "),
            std::string::npos)
      << o.output;
  EXPECT_NE(o.output.find("x the floor run back to back (fork_floor); "),
            std::string::npos);
  EXPECT_NE(o.output.find("x the floor back to back that also takes each "
                          "frame's reference"),
            std::string::npos);
  EXPECT_NE(o.output.find("at 1 MiB, the largest this run has for it"),
            std::string::npos);
  EXPECT_EQ(o.output.find("accesses per second"), std::string::npos);

  // A corrupt bare-metal file is named and left out; the report stands.
  std::ofstream(bm) << "{\"benchmarks\": [";
  o = RunDriver(run);
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("report without bare-metal results: " + bm.string() +
                          ": not JSON"),
            std::string::npos)
      << o.output;
  text = ReadFile(md);
  EXPECT_EQ(text.find("## Bare metal"), std::string::npos);
  EXPECT_NE(text.find("## Fork latency"), std::string::npos);
}

TEST_F(BenchCliTest, ListNamesEveryStrategyTunableAndProfile) {
  const Outcome o = RunDriver("list");
  ASSERT_EQ(o.status, 0);
  std::vector<std::string> names = {"neoverse-n1", "cortex-a72"};
  for (Strategy<sim::SimArch>* s : kStrategies<sim::SimArch>) {
    names.emplace_back(s->name());
    for (int i = 0; i < s->tunable_count(); ++i) {
      names.emplace_back(s->tunable(i)->name);
    }
  }
  for (const std::string& name : names) {
    EXPECT_NE(o.output.find(name), std::string::npos) << name;
  }
}

TEST_F(BenchCliTest, BaremetalWithoutAnImageIsOneLineAndExit2) {
  ExpectRejected("baremetal --image=/no/such.elf", "no bare-metal image");
}

TEST_F(BenchCliTest, AnUnknownQemuCpuIsOneLineAndExit2) {
  ExpectRejected("baremetal --image=/bin/true --qemu_cpu=pentium",
                 "QEMU has no CPU model 'pentium'");
  ExpectRejected("baremetal --image=/bin/true --qemu_cpu='max;true'",
                 "is not a QEMU CPU model name");
}

#if !defined(__aarch64__)
TEST_F(BenchCliTest, KvmOnAHostThatIsNotArm64IsOneLineAndExit2) {
  ExpectRejected("baremetal --image=/bin/true --kvm",
                 "--kvm needs an arm64 host with /dev/kvm; this one is ");
}
#endif

TEST_F(BenchCliTest, AGuestThatCannotBootLeavesNoFile) {
  const Outcome o =
      RunDriver("baremetal --image=/bin/true --timeout=60" + Out());
  EXPECT_EQ(o.status, 3) << o.output;
  EXPECT_NE(o.output.find("the guest exited with status"), std::string::npos)
      << o.output;
  EXPECT_EQ(FilesWritten(), 0);
}

TEST_F(BenchCliTest, CompareRejectsABadFileWithExit2AndFlagsRegressions) {
  fs::create_directories(dir_);
  const std::string bad = (dir_ / "bad.json").string();
  std::ofstream(bad) << "{\"benchmarks\": [";
  Outcome o = RunDriver("compare " + bad + " " + bad);
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.output.find("bad.json: not JSON"), std::string::npos) << o.output;
  auto result = [&](const std::string& file, double us) {
    const std::string path = (dir_ / file).string();
    std::ofstream(path) << "{\"benchmarks\": [{\"name\": \"f\", "
                           "\"real_time\": "
                        << us << ", \"time_unit\": \"us\"}]}";
    return path;
  };
  const std::string a = result("a.json", 10), b = result("b.json", 20);
  o = RunDriver("compare " + a + " " + b);
  EXPECT_EQ(o.status, 3) << o.output;  // Regression: neither 0 nor bad input.
  EXPECT_NE(o.output.find("1 benchmark regressed"), std::string::npos);
  EXPECT_EQ(RunDriver("compare " + b + " " + a).status, 0);
  EXPECT_EQ(RunDriver("compare " + a).status, 2);
  // Two sets with no benchmark in common: nothing to compare is bad input.
  const std::string other = (dir_ / "other.json").string();
  std::ofstream(other) << "{\"benchmarks\": [{\"name\": \"g\", "
                          "\"real_time\": 1, \"time_unit\": \"us\"}]}";
  o = RunDriver("compare " + a + " " + other);
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("share no benchmark"), std::string::npos) << o.output;
}

TEST_F(BenchCliTest, ReportWritesMarkdownAndPlotsOrNothing) {
  // A results tree: a host result set and a machine's bare-metal one.
  const fs::path host = dir_ / "host";
  const fs::path baremetal = dir_ / "qemu-virt-max";
  fs::create_directories(host);
  fs::create_directories(baremetal);
  const fs::path copy = host / "run.json";
  // Result sets frozen for these assertions (the default suite at dafefb3,
  // bare metal at 9d22086), so that refreshing results/ leaves them be.
  const fs::path data = fs::path(TTB_SOURCE_DIR) / "tests/data";
  fs::copy_file(data / "host-default.json", copy);
  fs::copy_file(data / "baremetal-max-default.json",
                baremetal / "2026-11-25-baremetal-default.json");
  Outcome o = RunDriver("report " + copy.string() + Out());
  ASSERT_EQ(o.status, 0) << o.output;
  const std::string md = ReadFile(host / "run.md");
  // Given no bare-metal result set, it shows the one beside it.
  EXPECT_NE(md.find("## Bare metal: max (2026-11-25-baremetal-default.json)"),
            std::string::npos);
  EXPECT_NE(md.find("process that writes 10% of its pages after fork: use "),
            std::string::npos);
  // The why: eager copy's extra work at 10% is copying the other 90%.
  EXPECT_NE(md.find("| `eager_copy` |"), std::string::npos);
  EXPECT_NE(md.find("more pages_copied"), std::string::npos);
  // Ranked by modelled cycles, each rival with how far the lead holds.
  EXPECT_NE(md.find("`asid_tagged` costs less"), std::string::npos) << md;
  EXPECT_NE(md.find("holds across every cost range"), std::string::npos);
  // A run older than per-CPU counts has no forking-PE figures to show.
  EXPECT_NE(md.find("modelled cycles (- on the forking PE)"), std::string::npos)
      << md;
  // eager_copy overtakes the lazy strategies between 10% and 50% written,
  // though at 50% the curves are too close to tell apart.
  EXPECT_NE(md.find("`eager_copy` and `lazy_cow` cross at k = "),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("in modelled cycles (host time: 46.7%)"), std::string::npos)
      << md;
  // The suite's targets, read from the committed run at 1 GiB. It predates
  // the floor timed after a child's exit: that target says what is missing.
  EXPECT_NE(md.find("not in this run (needs fork/lazy_cow/dense/<size> and "
                    "fork_floor_after_exit)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("6.075 ms / "), std::string::npos) << md;
  // What a whole-ASID flush costs the parent after fork, and the spread of
  // CoW fault latencies.
  EXPECT_NE(md.find("## Fork, then the parent runs again"), std::string::npos);
  EXPECT_NE(
      md.find("| strategy | faults per write | p50 | p90 | p99 | p99.9 |"),
      std::string::npos);
  for (const char* svg : {"run-fork-latency.svg", "run-fork-cycles.svg",
                          "run-fork-write.svg", "run-fork-write-cycles.svg",
                          "run-cost-split.svg", "run-cow-fault.svg"}) {
    std::ifstream plot(host / svg);
    std::string first;
    std::getline(plot, first);
    EXPECT_EQ(first.rfind("<?xml", 0), 0u) << svg;
  }
  EXPECT_TRUE(fs::exists(dir_ / "README.md"));  // The results index.

  // Nor is a host result set a bare-metal one.
  o = RunDriver("report " + copy.string() + " " + copy.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("run.json: not a bare-metal result set"),
            std::string::npos)
      << o.output;
  // A bare-metal result set is not a host one: named, and nothing written.
  fs::create_directories(dir_ / "alone");
  const fs::path alone = dir_ / "alone" / "bm.json";
  fs::copy_file(data / "baremetal-max-default.json", alone);
  o = RunDriver("report " + alone.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("bm.json: a bare-metal result set; give it after "
                          "a host one"),
            std::string::npos)
      << o.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "alone"),
                          fs::directory_iterator()),
            1);

  const fs::path bad = dir_ / "bad" / "x.json";
  fs::create_directories(bad.parent_path());
  std::ofstream(bad) << "{\"benchmarks\": []}";
  o = RunDriver("report " + bad.string());
  EXPECT_EQ(o.status, 2) << o.output;
  EXPECT_NE(o.output.find("x.json: no fork/"), std::string::npos) << o.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(bad.parent_path()),
                          fs::directory_iterator()),
            1);  // Only the input: nothing half-written.
}

// The summary ranks by modelled cycles, not host time, and says how far
// each lead holds. With walks 5..15..60, tlbi.vale1 2..9..40 and a page
// copy 200..800..4000 cycles: lazy_cow walks 100 times (1500), asid_tagged
// issues 200 TLBIs (1800), untagged copies 10 pages (8000), linux_fork
// walks 200 times (3000). lazy_cow is the slowest in host time.
TEST_F(BenchCliTest, TheSummaryRanksByModelledCyclesWithTheirReach) {
  const std::map<std::string, std::pair<nlohmann::json, double>> runs = {
      {"lazy_cow", {{{"walks", 100}, {"cpu0.walks", 60}}, 300}},
      {"asid_tagged", {{{"tlbi.vale1", 200}}, 100}},
      {"untagged", {{{"pages_copied", 10}}, 150}},
      {"linux_fork", {{{"walks", 200}}, 120}}};
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& [s, run] : runs) {
    benchmarks.push_back({{"name", "fork/" + s + "/dense/16MiB/manual_time"},
                          {"run_type", "iteration"},
                          {"real_time", 1000},
                          {"time_unit", "ns"}});
    nlohmann::json b = {
        {"name", "fork_write/" + s + "/10pct/16MiB/manual_time"},
        {"run_type", "iteration"},
        {"real_time", run.second},
        {"time_unit", "ms"}};
    b.update(run.first);
    benchmarks.push_back(b);
  }
  const std::string md =
      ReportOn(benchmarks, Costs({{"walks", {5, 15, 60}},
                                  {"tlbi.vale1", {2, 9, 40}},
                                  {"pages_copied", {200, 800, 4000}}}));
  EXPECT_NE(md.find("process that writes 10% of its pages after fork: use "
                    "`lazy_cow`**: 1500 modelled cycles (900 on the forking "
                    "PE)"),
            std::string::npos)
      << md;
  // One term turns asid_tagged's loss alone: walks dearer than 18 cycles
  // (then 100 walks cost what 200 TLBIs do), or TLBIs cheaper than 7.5.
  EXPECT_NE(md.find("| `asid_tagged` | 1800 | - | 1.20 | unless walks costs "
                    "more than 18 cycles (typical 15), or tlbi.vale1 costs "
                    "less than 7.5 cycles (typical 9) |"),
            std::string::npos)
      << md;
  // No one term turns untagged's, but the two ends together do.
  EXPECT_NE(md.find("no one cost turns it, but together pages_copied at its "
                    "low (200), walks at its high (60) do"),
            std::string::npos)
      << md;
  // The Linux reference is named as such, and loses everywhere.
  EXPECT_NE(md.find("| `linux_fork` (Linux reference) | 3000 | - | 2.00 | "
                    "holds across every cost range |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("against 1 of the 3 others"), std::string::npos) << md;
}

TEST_F(BenchCliTest, TheSummaryNamesEventsAndKeepsFractionalOnes) {
  // Per-iteration counts: shared_tables copies a table once in 512 writes
  // (0.00195 a write), rolled its ASIDs over once in 100,000 iterations,
  // and has a slower tail; only its events are named, and not the rare one.
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& [s, ms] :
       {std::pair{"lazy_cow", 100.0}, std::pair{"shared_tables", 150.0}}) {
    const bool shared = std::string(s) == "shared_tables";
    benchmarks.push_back(
        {{"name", std::string("fork/") + s + "/dense/16MiB/manual_time"},
         {"run_type", "iteration"},
         {"real_time", 1000},
         {"time_unit", "ns"}});
    benchmarks.push_back(
        {{"name", std::string("fork_write/") + s + "/10pct/16MiB/manual_time"},
         {"run_type", "iteration"},
         {"real_time", ms},
         {"time_unit", "ms"},
         {"modelled_cycles", ms * 1e6},
         {"faults", 409},
         {"frames_shared", shared ? 1 : 0},
         {"tables_allocated", shared ? 1.0 / 512 : 0},
         {"tlbi.vmalle1is", shared ? 1e-5 : 0},
         {"latency_p99_ns", shared ? 900 : 600}});
  }
  const std::string md = ReportOn(benchmarks);
  EXPECT_NE(md.find("| 1 more frames_shared, 0.00195 more tables_allocated |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("more latency"), std::string::npos) << md;
  EXPECT_EQ(md.find("vmalle1is"), std::string::npos) << md;
}

TEST_F(BenchCliTest, AResultSetWithoutEventCountsStillGetsAReport) {
  // Host times only (another tool's JSON, or counters stripped): the
  // sections that need counters are left out, not failed on.
  // eager_copy costs 2 ms at fork and with nothing written, 0.5 ms when
  // everything is; lazy_cow 1 ms throughout.
  const std::map<std::string, std::vector<double>> ms = {
      {"lazy_cow", {1, 1, 1}}, {"eager_copy", {2, 2, 0.5}}};
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const auto& [s, times] : ms) {
    const std::string names[] = {"fork/" + s + "/dense/16MiB",
                                 "fork_write/" + s + "/0pct/16MiB",
                                 "fork_write/" + s + "/100pct/16MiB"};
    for (int i = 0; i < 3; ++i) {
      benchmarks.push_back({{"name", names[i] + "/manual_time"},
                            {"real_time", times[i]},
                            {"time_unit", "ms"}});
    }
  }
  const std::string md = ReportOn(benchmarks);
  EXPECT_NE(md.find("![fork + write k%](run-fork-write.svg)"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("run-fork-write-cycles.svg"), std::string::npos) << md;
  // Without modelled cycles to check it against, a crossing is still told,
  // as one in host time only.
  EXPECT_NE(md.find("`eager_copy` and `lazy_cow` cross at k = 66.7% in host "
                    "time only"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("## Where a fork of"), std::string::npos) << md;
}

TEST_F(BenchCliTest, TuneRejectsBadKnobsWorkloadsAndRanges) {
  const std::string w = " --workload=fork/dense/1MiB";
  ExpectRejected("tune nope.max_tlbi_ops" + w, "is not STRATEGY.TUNABLE");
  ExpectRejected("tune batched_tlbi" + w, "is not STRATEGY.TUNABLE");
  ExpectRejected("tune batched_tlbi.nope" + w,
                 "known: batched_tlbi.max_tlbi_ops");
  ExpectRejected("tune lazy_cow.max_tlbi_ops" + w, "it has none");
  ExpectRejected("tune batched_tlbi.max_tlbi_ops", "--workload is required");
  ExpectRejected("tune batched_tlbi.max_tlbi_ops --workload=fork/dense/9GiB",
                 "the size must be 1 to 4096 MiB");
  ExpectRejected("tune asid_tagged.asid_bits --range=12" + w,
                 "asid_bits cannot be 12 (one of 8, 16)");
  ExpectRejected("tune batched_tlbi.max_tlbi_ops --range=64:x" + w,
                 "'x' is not an integer");
  ExpectRejected("tune batched_tlbi.max_tlbi_ops --cost=nope=1:2" + w,
                 "--cost: 'nope=1:2' is not TERM=LO:HI");
  ExpectRejected("tune batched_tlbi.max_tlbi_ops --cost=walks=9:2" + w,
                 "--cost: '9:2' is not LO:HI cycles with 0 <= LO < HI");
  ExpectRejected("tune linux_fork.max_tlbi_ops" + w, "it has none");
}

TEST_F(BenchCliTest, TuneSweepsTheTunableAndReportsTheCrossing) {
  // 256 pages: below 256 TLBIs the fork flushes the whole ASID, so the
  // parent walks again for each of its 512 text pages.
  const Outcome o = RunDriver(
      "tune batched_tlbi.max_tlbi_ops --workload=fork_resume/1MiB "
      "--range=128,256" +
      Out());
  ASSERT_EQ(o.status, 0) << o.output;
  EXPECT_NE(o.output.find("[3/3]"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("Modelled cycles: no value is clearly cheaper than "
                          "the default 512. Against the default: dearer at "
                          "128; level at 256 to 512."),
            std::string::npos)
      << o.output;
  ASSERT_EQ(FilesWritten(), 4);  // JSON, Markdown, SVG, results index.
  const std::string stem = "-tune-batched_tlbi.max_tlbi_ops-fork_resume-1MiB";
  const fs::path json = Written(".json");
  EXPECT_NE(json.filename().string().find(stem), std::string::npos) << json;
  std::ifstream in(json);
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["context"]["ttbench_tune"], "batched_tlbi.max_tlbi_ops");
  EXPECT_EQ(doc["context"]["ttbench_tune_default"], "512");
  std::map<std::string, nlohmann::json> by_name;
  for (const nlohmann::json& b : doc["benchmarks"]) by_name[b["name"]] = b;
  const std::string suffix = "/fork_resume/1MiB/manual_time";
  const nlohmann::json& flush =
      by_name["tune/batched_tlbi.max_tlbi_ops=128" + suffix];
  const nlohmann::json& pages =
      by_name["tune/batched_tlbi.max_tlbi_ops=256" + suffix];
  EXPECT_EQ(flush["tlbi.aside1is"], 1);  // The profile has 4 PEs.
  EXPECT_EQ(flush["tlbi_completions.broadcast"], 1);
  EXPECT_EQ(flush["walks"], 512);
  EXPECT_EQ(pages["tlbi.vale1is"], 256);
  EXPECT_FALSE(pages.contains("walks"));  // The text stayed in the TLB.
  // The report beside it: the plot and the table.
  const fs::path md = fs::path(json).replace_extension(".md");
  const std::string text = ReadFile(md);
  EXPECT_NE(text.find("| 512 (default) |"), std::string::npos) << text;
  std::ifstream svg(fs::path(json).replace_extension(".svg"));
  std::string first;
  std::getline(svg, first);
  EXPECT_EQ(first.rfind("<?xml", 0), 0u);
  // The results index lists it as a sweep.
  const std::string listed = ReadFile(dir_ / "README.md");
  const size_t sweeps = listed.find("## Tuning sweeps");
  ASSERT_NE(sweeps, std::string::npos) << listed;
  EXPECT_GT(listed.find(md.filename().string()), sweeps) << listed;
  // A sweep's report is made from the sweep alone.
  const Outcome extra =
      RunDriver("report " + json.string() + " " + json.string() + Out());
  EXPECT_EQ(extra.status, 2) << extra.output;
  EXPECT_NE(extra.output.find("is a tuning sweep, whose report takes no other"),
            std::string::npos)
      << extra.output;
  // `report` on a sweep rewrites the sweep's report.
  fs::remove(md);
  const Outcome again = RunDriver("report " + json.string() + Out());
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(fs::exists(md));
}

#ifdef TTB_BAREMETAL_IMAGE
TEST_F(BenchCliTest, BaremetalWritesHostSchemaResults) {
  const Outcome o = RunDriver(
      std::string("baremetal --qemu_cpu=cortex-a72 --variants=lazy_cow "
                  "--image=") +
      TTB_BAREMETAL_IMAGE + Out());
  ASSERT_EQ(o.status, 0) << o.output;
  const fs::path result = dir_ / "qemu-virt-cortex-a72";
  ASSERT_TRUE(fs::exists(result)) << o.output;
  ASSERT_EQ(FilesWritten(), 1);
  std::ifstream in(fs::directory_iterator(result)->path());
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["context"]["midr"], "0x410fd083");  // Cortex-A72 r0p3.
  EXPECT_EQ(doc["context"]["tlbi_range"], false);
  EXPECT_EQ(doc["context"]["walker_mismatches"], 0);
  // The Cortex-A72 has no 16 KiB granule (ID_AA64MMFR0_EL1.TGran16 = 0).
  EXPECT_EQ(doc["context"]["walker_granules_kib"], "4,64");
  std::set<std::string> names;
  for (const nlohmann::json& b : doc["benchmarks"]) {
    names.insert(b["name"]);
    EXPECT_EQ(b["time_unit"], "ns");
  }
  // Each once: timings come from one layout, counts name theirs.
  EXPECT_EQ(names.size(), doc["benchmarks"].size());
  for (const char* want :
       {"tlbi/vale1is+dsb_ish", "exception/brk_round_trip",
        "fork/lazy_cow/dense/16MiB", "cow_fault/lazy_cow/child_first_write",
        "el0_workload/lazy_cow/4KiB/pages", "el0_workload/lazy_cow/64KiB/runs",
        "el0_workload/lazy_cow/4KiB/blocks"}) {
    EXPECT_TRUE(names.count(want)) << want;
  }
  EXPECT_FALSE(names.count("fork/eager_copy/dense/1MiB"));  // Filtered out.
  EXPECT_FALSE(
      names.count("el0_workload/lazy_cow/16KiB/pages"));  // No TGran16.
}

TEST_F(BenchCliTest, CalibrateTurnsABaremetalRunIntoACostModel) {
  ASSERT_EQ(RunDriver(std::string("baremetal --qemu_cpu=cortex-a72 "
                                  "--variants=lazy_cow --image=") +
                      TTB_BAREMETAL_IMAGE + Out())
                .status,
            0);
  const fs::path dir = dir_ / "qemu-virt-cortex-a72";
  const std::string result = fs::directory_iterator(dir)->path().string();
  const Outcome emulated = RunDriver("calibrate " + result);
  EXPECT_EQ(emulated.status, 2);
  EXPECT_NE(emulated.output.find("measured under QEMU TCG"), std::string::npos)
      << emulated.output;
  const Outcome other_core = RunDriver("calibrate --allow_emulated " + result);
  EXPECT_EQ(other_core.status, 2);
  EXPECT_NE(other_core.output.find("such as cortex-a72"), std::string::npos)
      << other_core.output;
  EXPECT_EQ(FilesWritten(), 1);  // The result set alone.

  const Outcome o =
      RunDriver("calibrate --allow_emulated --profile=cortex-a72 " + result);
  ASSERT_EQ(o.status, 0) << o.output;
  const fs::path costs = dir / "costs" / "cortex-a72.json";
  const nlohmann::json model = nlohmann::json::parse(std::ifstream(costs));
  const auto source = [&](const char* event) {
    return model["costs"][event]["source"].get<std::string>();
  };
  EXPECT_EQ(source("tlbi.vale1is").rfind("measured: slope of", 0), 0u);
  EXPECT_EQ(
      source("tlbi_completions.broadcast").rfind("measured: intercept of", 0),
      0u);
  // The Cortex-A72 has no FEAT_TLBIRANGE: its range figures stay the
  // published ones.
  EXPECT_EQ(source("tlbi.rvae1is").rfind("RFC v5 cover letter", 0), 0u);
  EXPECT_NE(o.output.find("replaced ranges:"), std::string::npos) << o.output;

  // The model against the run: every timed fork predicted from its
  // events, and what emulated cycles are worth.
  EXPECT_EQ(RunDriver("validate " + result).status, 2);
  const Outcome v = RunDriver("validate --allow_emulated " + result);
  ASSERT_EQ(v.status, 0) << v.output;
  EXPECT_NE(v.output.find("fork/lazy_cow/dense/1MiB"), std::string::npos)
      << v.output;
  EXPECT_NE(v.output.find("these errors say nothing about any core"),
            std::string::npos)
      << v.output;

  // A run charged with it records so, and its report must use it too.
  const fs::path host_dir = dir_ / "host";
  const Outcome run =
      RunDriver("run --profile=cortex-a72 --costs=" + (dir / "costs").string() +
                " --filter='^fork/lazy_cow/dense/1MiB/' --suite=quick --out=" +
                host_dir.string());
  ASSERT_EQ(run.status, 0) << run.output;
  fs::path host;
  for (const auto& e : fs::recursive_directory_iterator(host_dir)) {
    if (e.path().extension() == ".json") host = e.path();
  }
  const nlohmann::json doc = nlohmann::json::parse(std::ifstream(host));
  EXPECT_EQ(doc["context"]["ttbench_costs"], model["note"]);
  const Outcome report = RunDriver("report " + host.string());
  EXPECT_EQ(report.status, 2);
  EXPECT_NE(report.output.find("was modelled with other cost figures"),
            std::string::npos)
      << report.output;
}
#endif

}  // namespace
}  // namespace ttb
