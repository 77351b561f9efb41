// Checks that the simulated TLBs never disagree with the tables in a way
// hardware could expose: the class of bug a missing TLBI, a local TLBI
// where a broadcast was needed, a skipped break-before-make, or a missing
// barrier causes. It judges what could happen under every ordering the
// architecture permits, not only the one the simulator carried out: an
// entry a TLBI removed stays usable, as far as the checker is concerned,
// until a DSB on the issuing PE completes that TLBI. Each violation is
// reported with the events that led to it.
#ifndef TTBENCH_ENGINE_SIM_COHERENCE_CHECKER_H_
#define TTBENCH_ENGINE_SIM_COHERENCE_CHECKER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "engine/frame_pool.h"
#include "engine/process.h"
#include "engine/regime.h"
#include "engine/sim/sim_arch.h"
#include "engine/sim/tlb.h"
#include "engine/walker.h"

namespace ttb::sim {

class CoherenceChecker : private DescriptorView {
 public:
  CoherenceChecker(const Regime& regime, const FramePool& pool)
      : regime_(regime),
        pool_(&pool),
        walker_(regime, pool),
        published_walker_(regime, pool, this) {}

  // A table `cpu` is about to store to. A store to a translation table
  // reaches walks, even the storing PE's own, only after a DSB on the
  // storing PE (the Arm ARM's rule for table updates; FEAT_ETS2 orders
  // some cases, which the checker does not assume), so until then the
  // checker keeps what the table held as what walks may still see.
  void Writing(int cpu, PhysAddr table);
  // The end of a kernel operation: tables whose stores are all published
  // are forgotten; the rest stay pending.
  void EndOperation();
  // A walker that reads every table as published: what a walk may see
  // while stores are pending. Speculation walks with it.
  const Walker& published_walker() const { return published_walker_; }
  // Whether a walk of `va` from `root` ends elsewhere with the tables as
  // published than as they are.
  bool SeesUnpublished(PhysAddr root, VirtAddr va) const;

  // A line of history ("cpu0 pid3 write 0x4000").
  void Record(std::string event);
  // An architectural operation, before it takes effect: a TLBI names the
  // issuer of the removals that follow; a DSB completes the TLBIs it covers.
  void Record(const ArchEvent& event);

  // An entry the TLBI being carried out removed from `cpu`'s TLB or walk
  // cache. Until that TLBI completes, `cpu` may still use it (Arm ARM
  // D8.13: a TLBI is only guaranteed complete after a DSB on its PE).
  void Removed(int cpu, const TlbEntry& entry);
  void Removed(int cpu, const WalkEntry& entry);
  // Whether no TLBI is still incomplete on any PE.
  bool AllComplete() const {
    return pending_leaves_.empty() && pending_walks_.empty();
  }

  // An access on `cpu` by the process whose own tables start at
  // `own_root`, running with `asid` and with TTBR0 on `cpu_root`: the CPU
  // must translate through the process's tables; every entry of `tlb`'s
  // walk cache that could start the walk of `va` must end where a full
  // walk ends; and no entry an incomplete TLBI removed may still translate
  // `va` differently.
  void CheckAccess(int cpu, VirtAddr va, Asid asid, PhysAddr cpu_root,
                   PhysAddr own_root, const Tlb& tlb);
  // A hit on `cpu` by process `pid`: the cached translation must be what a
  // walk from the process's own tables gives now, and no more permissive.
  void CheckHit(int cpu, const TlbEntry& hit, VirtAddr va, uint32_t pid,
                PhysAddr own_root);
  // A fill on `cpu` of the leaf `leaf` (its whole size) for an access to
  // `va` by the process whose tables start at `own_root`: the TLB must not
  // already hold an entry overlapping what it fills (a TLB conflict), a
  // contiguous run must be programmed as one, the entry must be non-global
  // (every strategy relies on ASIDs or flushes, neither of which covers
  // global user entries), and no other CPU may hold a different live
  // translation of `va` for the same process and ASID. `speculative`: a
  // walk during a kernel operation, which may see a run whose permissions
  // are being changed entry by entry.
  void CheckFill(int cpu, const TlbEntry& leaf, VirtAddr va, PhysAddr own_root,
                 bool speculative, const SimSystem& system);
  // An entry a TLBI removed, with its owner's translation of its first VA
  // now: a valid one to another address, or (without FEAT_BBM level 2) of
  // another size (leaf level or contiguous bit), means a new translation
  // was written while the old one was still cached (break-before-make).
  void CheckInvalidated(const TlbEntry& removed, const Translation& now);
  // A frame the pool freed. `running[cpu]` is the process the CPU runs, or
  // nullptr (an idle CPU makes no user access before its next switch). No
  // TTBR0, and no TLB or walk-cache entry usable under a running CPU's
  // ASID, pending removal or not, may still reach it.
  void CheckFreed(PhysAddr frame, FrameUse use, const SimSystem& system,
                  const std::vector<Process*>& running);

  // FEAT_BBM level 2: a change of size alone needs no invalid step.
  void set_bbm_level2(bool has) { bbm_level2_ = has; }

  const std::vector<std::string>& violations() const { return violations_; }
  uint64_t hits_checked() const { return hits_checked_; }
  // Contiguous runs checked entry by entry, as TLBs cached them.
  uint64_t runs_checked() const { return runs_checked_; }

 private:
  // An entry removed by a TLBI that has not completed yet.
  template <typename Entry>
  struct Pending {
    Entry entry;
    int cpu;     // Whose TLB it was in.
    int issuer;  // The PE that issued the TLBI.
    bool broadcast;
    std::string tlbi;  // The instruction, for the report.
  };

  void Report(const std::string& what);
  // The contiguous run `run` (a whole leaf) checked entry by entry; with
  // `speculative`, its permissions may differ.
  void CheckRun(int cpu, const TlbEntry& run, PhysAddr own_root,
                bool speculative);
  // Why a cached translation of `va` disagrees with a walk from `root`, or
  // "" when it does not.
  std::string Staleness(const TlbEntry& cached, VirtAddr va,
                        PhysAddr root) const;
  // Whether `frame` is reached by `e`, or by walks through it.
  bool Reaches(const TlbEntry& e, PhysAddr frame) const;
  // Whether a lookup of `va` under `asid` may hit `e`.
  bool Covers(const TlbEntry& e, VirtAddr va, Asid asid) const;
  // Whether a walk of `va` under `asid` may start from `e`.
  bool Covers(const WalkEntry& e, VirtAddr va, Asid asid) const;
  // Why a walk of `va` resumed from `e` disagrees with a full walk from
  // `own_root`, or "" when it does not.
  std::string WalkStaleness(const WalkEntry& e, VirtAddr va,
                            PhysAddr own_root) const;

  // Table content as no DSB has published it yet, and who stored.
  struct Unpublished {
    std::vector<Descriptor> published;
    int cpu;
  };

  // DescriptorView: a descriptor as published.
  Descriptor Read(PhysAddr slot) const override;
  // Copies `table`'s content now into `published`.
  void Snapshot(PhysAddr table, std::vector<Descriptor>& published) const;

  Regime regime_;
  const FramePool* pool_;
  Walker walker_;  // Its own, so checking adds no reads to the machine's.
  Walker published_walker_;
  std::map<PhysAddr, Unpublished> unpublished_;
  std::deque<std::string> history_;
  std::vector<std::string> violations_;
  uint64_t hits_checked_ = 0;
  uint64_t runs_checked_ = 0;
  bool bbm_level2_ = false;
  // The TLBI being carried out.
  int tlbi_issuer_ = 0;
  bool tlbi_broadcast_ = false;
  std::string tlbi_;
  std::vector<Pending<TlbEntry>> pending_leaves_;
  std::vector<Pending<WalkEntry>> pending_walks_;
};

}  // namespace ttb::sim

#endif  // TTBENCH_ENGINE_SIM_COHERENCE_CHECKER_H_
