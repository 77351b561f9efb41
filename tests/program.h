// Random programs (map, write, read, execute, fork, exit, context switch on
// several CPUs) that run on the simulated machine and on the reference
// model side by side, and the shrinker that cuts a failing one down.
#ifndef TTBENCH_TESTS_PROGRAM_H_
#define TTBENCH_TESTS_PROGRAM_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/sim/machine.h"
#include "reference_model.h"

namespace ttb::testing {

struct Op {
  enum class Kind : uint8_t {
    kMap,
    kUnmap,
    kWrite,
    kRead,
    kExecute,
    kFork,
    kExit,
    kSwitch,
    kBackground,  // One unit of the process's background work.
  };
  Kind kind;
  int cpu = 0;
  int proc = 0;   // Logical process: 0 is spawned first, forks name theirs.
  int child = 0;  // kFork: the logical id the child gets.
  uint64_t va = 0;
  uint32_t length = 0;  // Bytes (accesses) or pages (map, unmap).
  Perm perm = Perm::kReadWrite;
  bool contiguous = false;  // kMap: with the contiguous hint (runs).
  bool blocks = false;      // kMap: MapBlocks (level-2 blocks).
  uint8_t fill = 0;         // Seed of the bytes a write stores.

  std::string ToString() const;
};

struct ProgramConfig {
  int cpus = 1;
  Regime regime = Regime::Va39();
  bool range_tlbi = false;
  bool speculate = true;            // MachineConfig::speculate.
  bool cow_copies_runs = false;     // MachineConfig::cow_copies_runs.
  bool blocks = true;               // Most whole-table Maps as a block.
  const TableWalk* walk = nullptr;  // MachineConfig::walk.
};

// `count` operations from `seed`, biased towards pages that are mapped.
std::vector<Op> GenerateProgram(uint64_t seed, int count,
                                const ProgramConfig& config);

// What a set of runs exercised, summed over them.
struct RunStats {
  uint64_t ops = 0;
  uint64_t forks = 0;
  uint64_t background_steps = 0;  // Units done (Machine::Background).
  uint64_t faults_handled = 0;    // CoW breaks and spurious faults.
  uint64_t frames_copied = 0;
  uint64_t hits_checked = 0;
  uint64_t runs_checked = 0;       // Contiguous runs cached and checked.
  uint64_t blocks_mapped = 0;      // Maps that made a level-2 block.
  uint64_t block_runs_mapped = 0;  // Maps that made a run of blocks.
  uint64_t asid_rollovers = 0;
  uint64_t tlbis = 0;

  bool operator==(const RunStats&) const = default;
  std::string ToString() const;
};

// Where and how a program failed.
struct Failure {
  size_t op = 0;  // The operation; ops.size() for a leak found at the end.
  std::string message;

  bool operator==(const Failure&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Failure& f);

// Runs `ops` on a machine with `strategy` and the coherence checker, and on
// the reference model. Returns the first disagreement, checker violation
// or leak; nullopt when there is none.
std::optional<Failure> RunProgram(const std::vector<Op>& ops,
                                  const ProgramConfig& config,
                                  Strategy<sim::SimArch>& strategy,
                                  RunStats* stats = nullptr);

// Whether any of a fixed set of short programs (20 seeds, on 1 CPU without
// range TLBIs and on 2 with them) fails under `strategy`: a broken copy of
// a rule must.
bool AShortProgramFails(Strategy<sim::SimArch>& strategy);

// A smaller program that still fails: cut after the failing operation,
// then remove chunks, then single operations, while it still fails, until
// `budget` has passed. A failing program's first report is worth having in
// seconds; the smallest one only as far as the budget allows.
std::vector<Op> Shrink(std::vector<Op> ops, const ProgramConfig& config,
                       Strategy<sim::SimArch>& strategy,
                       std::chrono::seconds budget);

}  // namespace ttb::testing

#endif  // TTBENCH_TESTS_PROGRAM_H_
