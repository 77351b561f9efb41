// A family of simulated workloads as names, `list`, the README and reports
// see it: its name, the parameters its workloads' names carry, and what
// they do. The families themselves, each with the function that runs it,
// are the table in bench/workloads/sim_workloads.cc.
#ifndef TTBENCH_BENCH_RESULTS_WORKLOAD_FAMILY_H_
#define TTBENCH_BENCH_RESULTS_WORKLOAD_FAMILY_H_

#include <cstdint>

namespace ttb::bench {

// A parameter of a workload's name, after the family (and the strategy):
// "dense" or "sparse", "<k>pct", a writer ("child_first_write"), "<n>cpus",
// "<N>MiB", the translation granule ("4KiB", "16KiB", "64KiB"), a table
// walk ("whole_table", engine/walks/registry.h).
enum class Param : uint8_t {
  kNone,
  kLayout,
  kPercent,
  kWriter,
  kCpus,
  kSize,
  kGranule,
  kWalk
};

struct WorkloadFamily {
  const char* name;  // "fork_write"
  Param params[3];   // In order; kNone where there are fewer.
  // One line: what a workload of the family does, for `list`, the README
  // and the report.
  const char* what;
  // Whether its machines keep the bytes of data frames. Without them
  // (sim::MachineConfig::keep_data) a workload's parent may be larger
  // than the host's memory: its sizes go up to kMaxMiBWithoutData.
  bool keeps_data = true;
  // Whether the parent's data is mapped with the contiguous bit: runs of
  // Regime::contiguous_entries(3) pages, 64 KiB with 4 KiB pages and
  // 2 MiB with 16 and 64 KiB, as arm64 Linux's contpte maps large folios.
  bool contiguous_runs = false;
  // Whether a CoW break inside a run or block copies the whole of it
  // (sim::MachineConfig::cow_copies_runs) rather than splitting it.
  bool cow_copies_runs = false;
  // Whether the parent's data is mapped in level-2 blocks (2 MiB with
  // 4 KiB pages, 32 MiB with 16 KiB), as a PMD-mapped THP is.
  bool blocks = false;
};

}  // namespace ttb::bench

#endif  // TTBENCH_BENCH_RESULTS_WORKLOAD_FAMILY_H_
