// The simulated machine: CPUs with their TLBs, one physical memory, and
// processes, under one fork strategy. Read, Write and Execute run the
// hardware path (TLB lookup, walk on a miss, fault) and the strategy's
// fault handler, and move real bytes. Every event is counted.
#ifndef TTBENCH_ENGINE_SIM_MACHINE_H_
#define TTBENCH_ENGINE_SIM_MACHINE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/asid_allocator.h"
#include "engine/process.h"
#include "engine/sim/coherence_checker.h"
#include "engine/sim/sim_arch.h"
#include "engine/sim/sim_memory.h"
#include "engine/sim/tlb_profile.h"
#include "engine/strategy.h"
#include "engine/walker.h"
#include "engine/walks/registry.h"

namespace ttb::sim {

using Pid = uint32_t;

struct MachineConfig {
  int cpus = 1;
  // PEs of the inner-shareable domain the kernel keeps TLBs coherent
  // across; 0: the simulated CPUs. A kernel on a machine of many PEs
  // broadcasts its maintenance (TLBI ...IS, DSB ISH) even while a process
  // runs on one of them, as arm64 Linux does: simulating one CPU of such
  // a machine takes the broadcasts its cost model then charges.
  int domain_pes = 0;
  Regime regime = Regime::Va39();
  const TlbProfile* profile = nullptr;  // nullptr: neoverse-n1.
  bool range_tlbi = false;              // FEAT_TLBIRANGE.
  // FEAT_BBM level 2: a contiguous run may change size without the
  // invalid step of break-before-make (none of the profiles' cores has it).
  bool bbm_level2 = false;
  // Kernel::cow_copies_runs: a CoW break inside a contiguous run or a
  // block copies the whole of it instead of splitting it.
  bool cow_copies_runs = false;
  // How forks walk the tables (engine/walks/registry.h); nullptr: the
  // default walk.
  const TableWalk* walk = nullptr;
  uint64_t memory_bytes = 256ull << 20;
  // Commits the host pages of simulated memory when the machine is made,
  // so a benchmark times the simulated work rather than the host kernel's
  // first-touch faults on frames the workload allocates.
  bool populate_memory = false;
  // False: data frames keep no bytes (FramePool::set_keep_data), so a
  // process larger than the host's memory can be forked; writes are lost
  // and reads return zeros, while every event is counted as ever. Needs
  // populate_memory and check_coherence off.
  bool keep_data = true;
  bool check_coherence = false;
  // Adversarial speculation (needs check_coherence): before a fault
  // handler runs, after every TLBI, barrier and TTBR0 write, and before
  // each return to EL0, every CPU walks the addresses the operation in
  // progress faulted on or invalidated, through the TTBR0 it has
  // synchronised and the tables as DSBs have published them, and caches
  // what it finds, as the architecture allows a walk at any time. A
  // misplaced barrier or a missing break-before-make then leaves a stale
  // entry whether or not the old one happened to be cached.
  bool speculate = false;
};

// What an access did: completed, or stopped at a fault the strategy did
// not handle (delivered to the process), or for want of memory.
struct AccessResult {
  bool ok = true;
  Fault fault;
  bool out_of_memory = false;

  // Why an access did not complete: "ran out of memory", "faulted: <kind>".
  std::string Failure() const;
};

struct MachineCounters {
  uint64_t accesses = 0;  // Page-sized pieces of Read/Write/Execute.
  uint64_t tlb_hits = 0;
  uint64_t walks = 0;
  uint64_t faults[6] = {};  // By FaultKind, as taken (handled or not).
  uint64_t faults_handled = 0;
  uint64_t faults_delivered = 0;
  uint64_t context_switches = 0;
  uint64_t ipis = 0;  // Sent.
  uint64_t forks = 0;
  uint64_t fork_failures = 0;
  uint64_t background_steps = 0;  // Units of work done (not idle ones).
  uint64_t exits = 0;
  // Accesses still faulting after the handler said "handled" several times:
  // a strategy bug.
  uint64_t livelocks = 0;
  // The walker's and the frame pool's work, charged to the CPU whose
  // operation did it.
  uint64_t descriptor_reads = 0;
  uint64_t pages_copied = 0;
  uint64_t tables_allocated = 0;
  uint64_t frames_shared = 0;
  // The software walks' descriptor accesses (FramePool::CountTableAccesses).
  uint64_t table_reads = 0;
  uint64_t table_writes = 0;

  MachineCounters& operator+=(const MachineCounters& o);
};

class Machine final : public Kernel<SimArch>, private FrameObserver {
 public:
  static absl::StatusOr<std::unique_ptr<Machine>> Create(
      const MachineConfig& config, Strategy<SimArch>& strategy);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // A new process with an empty address space, made on `cpu`. Every
  // operation names the CPU that carries it out: it issues the operation's
  // maintenance (Kernel::arch()).
  Result<Pid> Spawn(int cpu);
  // Maps zero-filled pages on `cpu`; `attrs` is a page descriptor template
  // with nG = 1.
  Status Map(int cpu, Pid pid, VirtAddr va, uint64_t pages, Descriptor attrs);
  // Map, with each block-aligned part of the range one level-2 block
  // (AddressSpace::MapBlocks).
  Status MapBlocks(int cpu, Pid pid, VirtAddr va, uint64_t pages,
                   Descriptor attrs);
  // Maps frames of pool() the caller allocated, on `cpu`, as
  // AddressSpace::MapFrames does: a layout in a physical order of the
  // caller's choice. The references are handed over even on failure, but
  // for kInvalidArgument.
  Status MapFrames(int cpu, Pid pid, VirtAddr va, uint64_t pages,
                   const PhysAddr* frames, Descriptor attrs);
  // Unmaps on `cpu`, with the TLB maintenance a kernel needs.
  Status Unmap(int cpu, Pid pid, VirtAddr va, uint64_t pages);
  // Makes `pid` current on `cpu` (a context switch if it is not).
  void Run(int cpu, Pid pid);
  AccessResult Read(int cpu, Pid pid, VirtAddr va, std::span<uint8_t> out);
  AccessResult Write(int cpu, Pid pid, VirtAddr va,
                     std::span<const uint8_t> data);
  AccessResult Execute(int cpu, Pid pid, VirtAddr va, uint64_t bytes);
  // Forks `parent` on `cpu`; the child is not running anywhere yet.
  Result<Pid> Fork(int cpu, Pid parent);
  // One unit of the work `pid` carries out in the background
  // (Strategy::Background), on `cpu`, where it becomes current: true when
  // a unit was done, false when none was left.
  Result<bool> Background(int cpu, Pid pid);
  // `pid` exits on `cpu`; every CPU running it idles.
  void Exit(int cpu, Pid pid);

  bool Alive(Pid pid) const { return processes_.count(pid) != 0; }
  Process* process(Pid pid);
  Strategy<SimArch>& strategy() { return *strategy_; }
  SimSystem& system() { return system_; }
  const SimSystem& system() const { return system_; }
  // What the CPUs did: one CPU's share, and the sum over all of them.
  // Every event is charged to the CPU that executed it, so the shares sum
  // to the whole.
  const MachineCounters& counters(int cpu) const;
  MachineCounters counters() const;
  const CoherenceChecker* checker() const { return checker_.get(); }

  // Kernel<SimArch>.
  SimArch& arch() override { return arches_[current_cpu_]; }
  FramePool& pool() override { return memory_->pool(); }
  const Regime& regime() const override { return config_.regime; }
  bool bbm_level2() const override { return config_.bbm_level2; }
  bool cow_copies_runs() const override { return config_.cow_copies_runs; }
  const TableWalk& walk() const override {
    return config_.walk != nullptr ? *config_.walk : DefaultWalk();
  }
  Shareability shareability() const override {
    const int pes = config_.domain_pes != 0 ? config_.domain_pes : config_.cpus;
    return pes > 1 ? Shareability::kInner : Shareability::kLocal;
  }
  AsidAllocator& asids() override { return asids_; }
  void ForEachRunning(void (*fn)(Process&, void*), void* context) override;
  void ReloadOnOtherCpus(Process& p) override;

 private:
  Machine(const MachineConfig& config, Strategy<SimArch>& strategy,
          std::unique_ptr<SimMemory> memory);

  // Map and MapFrames, with `map(space)` editing the tables.
  template <typename MapInSpace>
  Status MapWith(int cpu, Pid pid, VirtAddr va, uint64_t pages,
                 Descriptor attrs, MapInSpace&& map);
  enum class Step { kDone, kFault, kNoMemory };
  // Makes `cpu` the one carrying out what follows (Kernel::arch()), and
  // the one the walker's and the pool's work is charged to from now on.
  void RunOn(int cpu);
  // Charges the walker's and the pool's work since the last call to the
  // CPU that did it.
  void SettleCharges() const;
  // Run() once the process is found: accesses look it up only once.
  void RunProcess(int cpu, Process& p);
  AccessResult Perform(int cpu, Pid pid, VirtAddr va, uint64_t bytes,
                       Access access, uint8_t* out, const uint8_t* in);
  // Translates one VA on `cpu` for `p`, running the fault handler until the
  // access is allowed or a fault is delivered.
  Step Translate(int cpu, Process& p, VirtAddr va, Access access, PhysAddr* pa,
                 Fault* fault);
  // TLB lookup, else walk (through the walk cache) and fill.
  bool Lookup(int cpu, Process& p, VirtAddr va, Access access, PhysAddr* pa,
              Fault* fault);
  // A walk of `va` on `cpu` as hardware makes it: from the deepest table
  // descriptor its walk cache holds, else from `root`.
  WalkResult WalkThroughCache(int cpu, const Walker& walker, PhysAddr root,
                              Asid asid, VirtAddr va, Access access);
  // Caches on `cpu` what walk `w` of `va` for `owner` under `asid` found,
  // as hardware may: the table descriptors it passed in the walk cache, and
  // the leaf unless the walk found no translation. `speculative`: a walk
  // during a kernel operation, not for an access.
  void Fill(int cpu, const Process& owner, Asid asid, VirtAddr va,
            const WalkResult& w, bool speculative = false,
            bool before_publication = false);
  // The TLB entry for the whole leaf walk `w` of `va` found.
  TlbEntry LeafEntry(const Process& owner, Asid asid, VirtAddr va,
                     const WalkResult& w,
                     bool before_publication = false) const;
  // The end of a kernel operation on current_cpu_: the last chance for
  // speculative walks before the exception return, which synchronises the
  // context.
  void EndKernelOperation();
  // MachineConfig::speculate's walks.
  void Speculate();
  void AddSpeculationTarget(int cpu, VirtAddr va);
  void AddSpeculationTargets(const ArchEvent& tlbi);
  const Process* OwnerOfRoot(PhysAddr root) const;
  void ObserveInvalidated(const TlbEntry& removed);
  // FrameObserver.
  void Freed(PhysAddr frame, FrameUse use) override;
  void Writing(PhysAddr table) override;

  MachineConfig config_;
  Strategy<SimArch>* strategy_;
  std::unique_ptr<SimMemory> memory_;
  SimSystem system_;
  std::vector<SimArch> arches_;
  Walker walker_;
  // Per CPU: the addresses speculation walks until the operation ends.
  std::vector<std::vector<VirtAddr>> speculation_targets_;
  AsidAllocator asids_;
  std::map<Pid, std::unique_ptr<Process>> processes_;
  std::vector<Process*> running_;  // Per CPU; nullptr when idle.
  int current_cpu_ = 0;
  Pid next_pid_ = 1;
  // Per CPU; settled lazily, so reading them is const.
  mutable std::vector<MachineCounters> counters_;
  // The walker's and the pool's totals when last settled.
  mutable MachineCounters settled_;
  std::unique_ptr<CoherenceChecker> checker_;
};

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_MACHINE_H_
