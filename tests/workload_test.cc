#include "bench/workload.h"

#include <gtest/gtest.h>

namespace ttb::bench {
namespace {

using Kind = SimWorkload::Kind;

TEST(SimWorkload, NamesParseBackToTheSameWorkload) {
  const SimWorkload all[] = {
      {.kind = Kind::kFork, .mib = 1024, .layout = Layout::kSparse},
      {.kind = Kind::kForkExit, .mib = 16},
      {.kind = Kind::kForkResume, .mib = 4096},
      {.kind = Kind::kForkWrite, .mib = 256, .percent = 10},
      {.kind = Kind::kCowFault, .writer = Writer::kParent},
      {.kind = Kind::kPingPong},
      {.kind = Kind::kSmpFork, .mib = 64, .cpus = 4},
  };
  for (const SimWorkload& w : all) {
    const absl::StatusOr<SimWorkload> back = SimWorkload::Parse(w.Name());
    ASSERT_TRUE(back.ok()) << w.Name() << ": " << back.status();
    EXPECT_EQ(*back, w) << w.Name();
  }
}

TEST(SimWorkload, BenchmarkNamesPutTheStrategySecond) {
  EXPECT_EQ(
      SimWorkload::Parse("fork_write/10pct/1024MiB")->BenchmarkName("lazy_cow"),
      "fork_write/lazy_cow/10pct/1024MiB");
  EXPECT_EQ(SimWorkload::Parse("pingpong")->BenchmarkName("untagged"),
            "pingpong/untagged");
}

TEST(SimWorkload, MalformedNamesSayWhatIsWrong) {
  const std::pair<const char*, const char*> bad[] = {
      {"forkk/dense/1MiB", "unknown workload"},
      {"fork/dense", "wrong number of parts"},
      {"fork/diagonal/1MiB", "dense or sparse"},
      {"fork/dense/0MiB", "1 to 4096 MiB"},
      {"fork/dense/5000MiB", "1 to 4096 MiB"},
      {"fork/dense/1GiB", "1 to 4096 MiB"},
      {"fork/dense/-1MiB", "1 to 4096 MiB"},
      {"fork_write/101pct/1MiB", "0 to 100"},
      {"fork_write/ten/1MiB", "0 to 100"},
      {"cow_fault/grandchild", "unknown writer"},
      {"smp_fork/33cpus/64MiB", "1 to 32"},
      {"pingpong/extra", "wrong number of parts"},
      {"", "unknown workload"},
  };
  for (const auto& [name, says] : bad) {
    const absl::StatusOr<SimWorkload> w = SimWorkload::Parse(name);
    ASSERT_FALSE(w.ok()) << name;
    EXPECT_NE(w.status().message().find(says), std::string::npos)
        << name << ": " << w.status().message();
  }
}

}  // namespace
}  // namespace ttb::bench
