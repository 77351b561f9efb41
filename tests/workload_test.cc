#include "bench/results/workload.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/workloads/suite.h"
#include "engine/names.h"
#include "tests/temp_dir.h"

namespace ttb::bench {
namespace {

// Every workload of every family the full suite runs names itself in a way
// that parses back to it.
TEST(SimWorkload, NamesParseBackToTheSameWorkload) {
  const std::vector<SimWorkload> all = SimWorkloads(Suite::kFull);
  std::set<const WorkloadFamily*> families;
  for (const SimWorkload& w : all) {
    families.insert(w.family);
    const absl::StatusOr<SimWorkload> back = ParseSimWorkload(w.Name());
    ASSERT_TRUE(back.ok()) << w.Name() << ": " << back.status();
    EXPECT_EQ(*back, w) << w.Name();
  }
  // And the suite runs every family.
  EXPECT_EQ(families.size(), SimFamilies().size());
}

// The README lists every family as the registry names and describes it.
TEST(SimWorkload, TheReadmeListsEveryFamily) {
  const std::string readme = ReadFile(TTB_SOURCE_DIR "/README.md");
  ASSERT_FALSE(readme.empty());
  for (const WorkloadFamily* f : WorkloadFamilies()) {
    EXPECT_NE(readme.find(absl::StrCat("- `", Shape(*f, true), "`: ", f->what)),
              std::string::npos)
        << f->name;
  }
}

// The bare-metal image names its forks with engine/names.h, as the
// registry names the simulator's.
TEST(SimWorkload, TheImageNamesItsForksAsTheRegistryDoes) {
  for (uint64_t mib : {1, 16, 64, 1024}) {
    EXPECT_EQ(DenseForkBenchmarkName("lazy_cow", mib).c_str(),
              ParseSimWorkload(absl::StrCat("fork/dense/", mib, "MiB"))
                  ->BenchmarkName("lazy_cow"));
  }
}

TEST(SimWorkload, BenchmarkNamesPutTheStrategySecond) {
  EXPECT_EQ(
      ParseSimWorkload("fork_write/10pct/1024MiB")->BenchmarkName("lazy_cow"),
      "fork_write/lazy_cow/10pct/1024MiB");
  EXPECT_EQ(ParseSimWorkload("pingpong")->BenchmarkName("untagged"),
            "pingpong/untagged");
}

TEST(SimWorkload, GranuleFamiliesNameThePageSizeAfterTheStrategy) {
  const absl::StatusOr<SimWorkload> w =
      ParseSimWorkload("granule_fork_write/64KiB/10pct/256MiB");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->granule_kib, 64u);
  EXPECT_EQ(w->percent, 10);
  EXPECT_EQ(w->BenchmarkName("lazy_cow"),
            "granule_fork_write/lazy_cow/64KiB/10pct/256MiB");
}

TEST(SimWorkload, AFamilyWithoutDataNamesSizesBeyondTheHosts) {
  const absl::StatusOr<SimWorkload> w = ParseSimWorkload("fork_huge/65536MiB");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->mib, 65536u);
  EXPECT_FALSE(w->family->keeps_data);
}

TEST(SimWorkload, MalformedNamesSayWhatIsWrong) {
  const std::pair<const char*, const char*> bad[] = {
      {"forkk/dense/1MiB", "unknown workload"},
      {"fork/dense", "wrong number of parts"},
      {"fork/diagonal/1MiB", "dense, sparse or aged"},
      {"fork/dense/0MiB", "1 to 4096 MiB"},
      {"fork/dense/5000MiB", "1 to 4096 MiB"},
      {"fork/dense/1GiB", "1 to 4096 MiB"},
      {"fork/dense/-1MiB", "1 to 4096 MiB"},
      {"fork_write/101pct/1MiB", "0 to 100"},
      {"fork_write/ten/1MiB", "0 to 100"},
      {"cow_fault/grandchild", "unknown writer"},
      {"smp_fork/33cpus/64MiB", "1 to 32"},
      {"pingpong/extra", "wrong number of parts"},
      // Without data bytes a parent may be larger than the host's memory.
      {"fork_huge/65537MiB", "1 to 65536 MiB"},
      {"granule_fork/8KiB/16MiB", "4KiB, 16KiB or 64KiB"},
      {"granule_fork/16K/16MiB", "4KiB, 16KiB or 64KiB"},
      {"granule_fork/16MiB", "the granule must be"},
      {"", "unknown workload"},
  };
  for (const auto& [name, says] : bad) {
    const absl::StatusOr<SimWorkload> w = ParseSimWorkload(name);
    ASSERT_FALSE(w.ok()) << name;
    EXPECT_NE(w.status().message().find(says), std::string::npos)
        << name << ": " << w.status().message();
  }
}

}  // namespace
}  // namespace ttb::bench
