#include "engine/sim/machine.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/block.h"
#include "engine/contiguous_run.h"
#include "engine/tlb_maintenance.h"

namespace ttb::sim {
namespace {

// Retries of one access whose faults the strategy keeps calling handled; a
// CoW break needs one, a spurious fault after it one more.
constexpr int kMaxAttempts = 4;

// TTBR0 of a CPU with no process: the simulator's stand-in for the empty
// reserved table an idle kernel points TTBR0 at (Linux's reserved_pg_dir),
// so that no walk reaches an exited process's freed tables. No access runs
// on an idle CPU, so nothing walks it.
constexpr PhysAddr kNoUserTables = 0;

// Pages of a range TLBI that speculation walks: enough to refill what a
// misplaced range operation would leave stale, few enough to stay cheap.
constexpr uint64_t kRangeTargets = 8;
// Addresses one CPU walks per operation, at most.
constexpr size_t kMaxTargets = 64;

const char* AccessName(Access a) {
  return a == Access::kRead ? "read" : a == Access::kWrite ? "write" : "exec";
}

// Only translations are cached: never an entry that gave a Translation,
// Address size or Access flag fault; a permission-faulting one may be.
bool Cached(const WalkResult& w) {
  return w.ok() || w.fault.kind == FaultKind::kPermission;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Machine>> Machine::Create(
    const MachineConfig& config, Strategy<SimArch>& strategy) {
  if (config.speculate && !config.check_coherence) {
    return absl::InvalidArgumentError(
        "speculation needs the coherence checker to judge what it caches");
  }
  if (config.cpus < 1 || config.cpus > 32) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%d CPUs: the machine has 1 to 32", config.cpus));
  }
  if (!config.regime.Supported()) {
    return absl::InvalidArgumentError("unsupported translation regime");
  }
  if (!config.keep_data && (config.populate_memory || config.check_coherence)) {
    return absl::InvalidArgumentError(
        "a machine without data bytes neither populates its memory nor "
        "checks coherence");
  }
  auto memory = SimMemory::Create(
      config.memory_bytes, config.regime.granule_shift, config.populate_memory);
  if (!memory.ok()) return memory.status();
  std::unique_ptr<Machine> m(new Machine(config, strategy, *std::move(memory)));
  if (const Status s = strategy.Attach(*m); s != Status::kOk) {
    return absl::InvalidArgumentError(
        absl::StrFormat("strategy %s: %s", strategy.name(), StatusName(s)));
  }
  return m;
}

std::string AccessResult::Failure() const {
  return out_of_memory ? "ran out of memory"
                       : absl::StrCat("faulted: ", FaultKindName(fault.kind));
}

Machine::Machine(const MachineConfig& config, Strategy<SimArch>& strategy,
                 std::unique_ptr<SimMemory> memory)
    : config_(config),
      strategy_(&strategy),
      memory_(std::move(memory)),
      system_(config.profile != nullptr ? *config.profile
                                        : *FindTlbProfile("neoverse-n1"),
              config.regime, config.cpus, config.range_tlbi),
      walker_(config.regime, memory_->pool()),
      speculation_targets_(config.cpus),
      running_(config.cpus, nullptr),
      counters_(config.cpus) {
  for (int c = 0; c < config.cpus; ++c) arches_.emplace_back(&system_, c);
  pool().set_keep_data(config.keep_data);
  if (!config.check_coherence) return;
  checker_ = std::make_unique<CoherenceChecker>(config.regime, pool());
  checker_->set_bbm_level2(config.bbm_level2);
  pool().set_observer(this);
  system_.set_tracer([this](const ArchEvent& e) {
    checker_->Record(e);
    if (config_.speculate) AddSpeculationTargets(e);
  });
  for (int c = 0; c < config.cpus; ++c) {
    system_.tlb(c).set_invalidation_observer([this, c](const TlbEntry& e) {
      checker_->Removed(c, e);
      AddSpeculationTarget(c, e.va_base);
      ObserveInvalidated(e);
    });
    system_.tlb(c).set_walk_invalidation_observer(
        [this, c](const WalkEntry& e) {
          checker_->Removed(c, e);
          AddSpeculationTarget(c, e.va_base);
        });
  }
  if (config.speculate) system_.set_after_each([this] { Speculate(); });
}

Machine::~Machine() {
  while (!processes_.empty()) Exit(0, processes_.begin()->first);
  pool().set_observer(nullptr);
}

MachineCounters& MachineCounters::operator+=(const MachineCounters& o) {
  accesses += o.accesses;
  tlb_hits += o.tlb_hits;
  walks += o.walks;
  for (size_t k = 0; k < std::size(faults); ++k) faults[k] += o.faults[k];
  faults_handled += o.faults_handled;
  faults_delivered += o.faults_delivered;
  context_switches += o.context_switches;
  ipis += o.ipis;
  forks += o.forks;
  fork_failures += o.fork_failures;
  background_steps += o.background_steps;
  exits += o.exits;
  livelocks += o.livelocks;
  descriptor_reads += o.descriptor_reads;
  pages_copied += o.pages_copied;
  tables_allocated += o.tables_allocated;
  frames_shared += o.frames_shared;
  table_reads += o.table_reads;
  table_writes += o.table_writes;
  return *this;
}

void Machine::RunOn(int cpu) {
  // What is unsettled belongs to the current CPU until another takes
  // over: every access calls this, so the common case costs a compare.
  if (cpu != current_cpu_) SettleCharges();
  current_cpu_ = cpu;
}

void Machine::SettleCharges() const {
  const FramePoolStats& pool = memory_->pool().stats();
  MachineCounters now;
  now.descriptor_reads = walker_.descriptor_reads();
  now.pages_copied = pool.copies;
  now.tables_allocated = pool.allocations - pool.copies;
  now.frames_shared = pool.shares;
  now.table_reads = pool.table_reads;
  now.table_writes = pool.table_writes;
  MachineCounters& to = counters_[current_cpu_];
  to.descriptor_reads += now.descriptor_reads - settled_.descriptor_reads;
  to.pages_copied += now.pages_copied - settled_.pages_copied;
  to.tables_allocated += now.tables_allocated - settled_.tables_allocated;
  to.frames_shared += now.frames_shared - settled_.frames_shared;
  to.table_reads += now.table_reads - settled_.table_reads;
  to.table_writes += now.table_writes - settled_.table_writes;
  settled_ = now;
}

const MachineCounters& Machine::counters(int cpu) const {
  SettleCharges();
  return counters_[cpu];
}

MachineCounters Machine::counters() const {
  SettleCharges();
  MachineCounters total;
  for (const MachineCounters& c : counters_) total += c;
  return total;
}

Process* Machine::process(Pid pid) {
  auto it = processes_.find(pid);
  return it == processes_.end() ? nullptr : it->second.get();
}

Result<Pid> Machine::Spawn(int cpu) {
  auto p = std::make_unique<Process>();
  p->pid = next_pid_;
  RunOn(cpu);
  const Status s = strategy_->CreateSpace(*this, *p);
  EndKernelOperation();
  if (s != Status::kOk) return s;
  processes_[next_pid_] = std::move(p);
  return next_pid_++;
}

template <typename MapInSpace>
Status Machine::MapWith(int cpu, Pid pid, VirtAddr va, uint64_t pages,
                        Descriptor attrs, MapInSpace&& map) {
  Process* p = process(pid);
  if (p == nullptr) return Status::kInvalidArgument;
  // Every strategy relies on user entries being tagged with the ASID
  // (nG = 1): a global entry survives ASID changes and TLBIs by ASID.
  if (!attrs.ng()) return Status::kInvalidArgument;
  if (checker_) {
    checker_->Record(
        absl::StrFormat("cpu%d pid%d map %#x +%d pages", cpu, pid, va, pages));
  }
  RunOn(cpu);
  Status s = strategy_->BeforeEdit(*this, *p, va, pages);
  // Invalid entries are never cached (Arm ARM D8.13), so mapping into
  // unmapped space needs no invalidation. The new descriptors must reach
  // walks before the process uses them, or its first access may fault on
  // the old invalid ones: a DSB publishes them. (Linux instead treats such
  // a fault as spurious and retries; these strategies deliver it.)
  if (s == Status::kOk) s = map(p->space);
  if (s == Status::kOk) {
    arch().Dsb(StoreBarrier(shareability()));
  }
  EndKernelOperation();
  return s;
}

Status Machine::Map(int cpu, Pid pid, VirtAddr va, uint64_t pages,
                    Descriptor attrs) {
  return MapWith(cpu, pid, va, pages, attrs, [&](AddressSpace& space) {
    return space.Map(va, pages, attrs);
  });
}

Status Machine::MapBlocks(int cpu, Pid pid, VirtAddr va, uint64_t pages,
                          Descriptor attrs) {
  return MapWith(cpu, pid, va, pages, attrs, [&](AddressSpace& space) {
    return space.MapBlocks(va, pages, attrs);
  });
}

Status Machine::MapFrames(int cpu, Pid pid, VirtAddr va, uint64_t pages,
                          const PhysAddr* frames, Descriptor attrs) {
  bool handed_over = false;
  const Status s =
      MapWith(cpu, pid, va, pages, attrs, [&](AddressSpace& space) {
        handed_over = true;
        return space.MapFrames(va, pages, frames, attrs);
      });
  // The strategy's BeforeEdit failed: the references are released here.
  if (!handed_over && s != Status::kInvalidArgument) {
    for (uint64_t i = 0; i < pages; ++i) pool().Release(frames[i]);
  }
  return s;
}

Status Machine::Unmap(int cpu, Pid pid, VirtAddr va, uint64_t pages) {
  Process* p = process(pid);
  if (p == nullptr) return Status::kInvalidArgument;
  if (checker_) {
    checker_->Record(absl::StrFormat("cpu%d pid%d unmap %#x +%d pages", cpu,
                                     pid, va, pages));
  }
  RunOn(cpu);
  if (const Status s = strategy_->BeforeEdit(*this, *p, va, pages);
      s != Status::kOk) {
    EndKernelOperation();
    return s;
  }
  // Pages a run or a block keeps must stop claiming the pages that go.
  if (p->space.CheckRange(va, pages) == Status::kOk) {
    UnfoldRunsAtEdges(*this, p->space, va, pages);
    if (const Status s = SplitBlocksAtEdges(*this, p->space, va, pages);
        s != Status::kOk) {
      EndKernelOperation();
      return s;
    }
  }
  struct Change {
    VirtAddr va;
    Descriptor old;
    int level;
  };
  std::vector<Change> changes;
  const Status s =
      p->space.Unmap(va, pages, [&](VirtAddr v, Descriptor old, int level) {
        changes.push_back({v, old, level});
      });
  if (s != Status::kOk || changes.empty()) {
    EndKernelOperation();
    return s;
  }
  // Removed pages and blocks need their leaf entries gone, removed tables
  // their walk cache entries too (non-last-level TLBI).
  SimArch& a = arch();
  const Shareability sh = shareability();
  MaintenanceSequence(a, sh, [&] {
    for (const Change& c : changes) {
      InvalidateVa(a, p->space.asid(), c.va, !c.old.IsTable(c.level), sh);
    }
  });
  // Only now, with the invalidation complete, may the pool reuse the
  // frames: until then a TLB or walk cache may still reach them.
  for (const Change& c : changes) ReleaseEntry(pool(), c.old, c.level);
  EndKernelOperation();
  return Status::kOk;
}

void Machine::Run(int cpu, Pid pid) {
  if (Process* p = process(pid)) RunProcess(cpu, *p);
}

void Machine::RunProcess(int cpu, Process& p) {
  if (running_[cpu] == &p) return;
  RunOn(cpu);
  if (checker_)
    checker_->Record(absl::StrFormat("cpu%d switch to pid%d", cpu, p.pid));
  strategy_->SwitchTo(*this, p);
  running_[cpu] = &p;
  ++counters_[cpu].context_switches;
  EndKernelOperation();
}

void Machine::ForEachRunning(void (*fn)(Process&, void*), void* context) {
  for (int c = 0; c < config_.cpus; ++c) {
    Process* p = running_[c];
    if (p == nullptr) continue;
    // Once per process, however many CPUs run it.
    if (std::find(running_.begin(), running_.begin() + c, p) !=
        running_.begin() + c) {
      continue;
    }
    fn(*p, context);
  }
}

void Machine::ReloadOnOtherCpus(Process& p) {
  for (int c = 0; c < config_.cpus; ++c) {
    if (c == current_cpu_ || running_[c] != &p) continue;
    arches_[c].SwitchTtbr0(p.space.root(), p.space.asid());
    arches_[c].Isb();
    ++counters_[current_cpu_].ipis;  // The sender waits for each.
  }
}

bool Machine::Lookup(int cpu, Process& p, VirtAddr va, Access access,
                     PhysAddr* pa, Fault* fault) {
  const CpuState& state = system_.cpu(cpu);
  Tlb& tlb = system_.tlb(cpu);
  if (checker_) {
    checker_->CheckAccess(cpu, va, state.asid, state.ttbr0_root, p.space.root(),
                          tlb);
  }
  if (const TlbEntry* hit = tlb.Lookup(va, state.asid)) {
    ++counters_[cpu].tlb_hits;
    if (checker_) checker_->CheckHit(cpu, *hit, va, p.pid, p.space.root());
    if (hit->permissions & perm::Bit(access, El::kEl0)) {
      *pa = hit->pa_base + (va - hit->va_base);
      return true;
    }
    // Permission faults may come from a cached entry (D8.13).
    *fault = Fault{FaultKind::kPermission, hit->level};
    return false;
  }
  ++counters_[cpu].walks;
  const WalkResult w =
      WalkThroughCache(cpu, walker_, state.ttbr0_root, state.asid, va, access);
  Fill(cpu, p, state.asid, va, w);
  if (w.ok()) {
    *pa = w.pa;
    return true;
  }
  *fault = w.fault;
  return false;
}

WalkResult Machine::WalkThroughCache(int cpu, const Walker& walker,
                                     PhysAddr root, Asid asid, VirtAddr va,
                                     Access access) {
  const WalkEntry* cached = system_.tlb(cpu).LookupWalk(va, asid);
  return cached != nullptr
             ? walker.Resume(WalkStart{static_cast<int8_t>(cached->level + 1),
                                       cached->next_table, cached->table_attrs},
                             va, access, El::kEl0)
             : walker.Walk(root, va, access, El::kEl0);
}

TlbEntry Machine::LeafEntry(const Process& owner, Asid asid, VirtAddr va,
                            const WalkResult& w,
                            bool before_publication) const {
  // The whole leaf, a contiguous run as one (Arm ARM, "The Contiguous bit": a
  // TLB may cache the run in one entry); the TLB keeps what its sizes allow.
  const unsigned shift =
      config_.regime.leaf_shift(w.level, w.leaf.contiguous());
  // A run of blocks is many blocks: the TLB splinters it by block
  // (Tlb's Fit), and a TLBI by one block's VA need not reach the others.
  const unsigned block_shift = w.level < 3 && w.leaf.contiguous()
                                   ? config_.regime.level_shift(w.level)
                                   : 0;
  return TlbEntry{va >> shift << shift,
                  w.leaf.output_address() >> shift << shift,
                  w.leaf,
                  asid,
                  !w.leaf.ng(),
                  w.level,
                  w.permissions,
                  owner.pid,
                  owner.asid_tenure,
                  before_publication,
                  static_cast<uint8_t>(shift),
                  static_cast<uint8_t>(block_shift)};
}

void Machine::Fill(int cpu, const Process& owner, Asid asid, VirtAddr va,
                   const WalkResult& w, bool speculative,
                   bool before_publication) {
  Tlb& tlb = system_.tlb(cpu);
  for (int i = 0; i < w.step_count; ++i) {
    const WalkStep& s = w.steps[i];
    const unsigned shift = config_.regime.level_shift(s.level);
    tlb.FillWalk(WalkEntry{va >> shift << shift, s.next_table, asid, s.level,
                           s.table_attrs});
  }
  if (!Cached(w)) return;
  const TlbEntry leaf = LeafEntry(owner, asid, va, w, before_publication);
  if (checker_) {
    checker_->CheckFill(cpu, leaf, va, owner.space.root(), speculative,
                        system_);
  }
  tlb.Fill(leaf, va);
}

Machine::Step Machine::Translate(int cpu, Process& p, VirtAddr va,
                                 Access access, PhysAddr* pa, Fault* fault) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (Lookup(cpu, p, va, access, pa, fault)) return Step::kDone;
    ++counters_[cpu].faults[static_cast<int>(fault->kind)];
    if (checker_) {
      checker_->Record(absl::StrFormat(
          "cpu%d pid%d %s fault %s level %d at %#x", cpu, p.pid,
          AccessName(access), FaultKindName(fault->kind), fault->level, va));
    }
    RunOn(cpu);
    if (config_.speculate) {
      // Every CPU may hold the address the handler is about to change, so
      // a missing break-before-make shows whether or not one did.
      for (int c = 0; c < config_.cpus; ++c) AddSpeculationTarget(c, va);
      Speculate();
    }
    const FaultOutcome outcome =
        strategy_->OnFault(*this, p, va, *fault, access);
    EndKernelOperation();
    switch (outcome) {
      case FaultOutcome::kHandled:
        ++counters_[cpu].faults_handled;
        continue;
      case FaultOutcome::kNotHandled:
        ++counters_[cpu].faults_delivered;
        return Step::kFault;
      case FaultOutcome::kNoMemory:
        return Step::kNoMemory;
    }
  }
  ++counters_[cpu].livelocks;
  ++counters_[cpu].faults_delivered;
  return Step::kFault;
}

namespace {

// memcpy, inlined for the word-sized accesses that dominate a replay (a
// call to the library's memmove cost a quarter of a TLB hit).
inline void CopyBytes(uint8_t* to, const uint8_t* from, uint64_t n) {
  if (n == 8) {
    std::memcpy(to, from, 8);
  } else if (n == 1) {
    *to = *from;
  } else {
    std::memcpy(to, from, n);
  }
}

}  // namespace

AccessResult Machine::Perform(int cpu, Pid pid, VirtAddr va, uint64_t bytes,
                              ttb::Access access, uint8_t* out,
                              const uint8_t* in) {
  // Most accesses come from the process the CPU already runs: no lookup.
  Process* p = running_[cpu] != nullptr && running_[cpu]->pid == pid
                   ? running_[cpu]
                   : process(pid);
  if (p == nullptr) return AccessResult{false, {FaultKind::kTranslation, 0}};
  RunOn(cpu);
  if (running_[cpu] != p) RunProcess(cpu, *p);
  if (checker_) {
    checker_->Record(absl::StrFormat("cpu%d pid%d %s %#x +%d", cpu, pid,
                                     AccessName(access), va, bytes));
  }
  const uint64_t page = config_.regime.granule_bytes();
  uint64_t done = 0;
  while (done < bytes) {
    const VirtAddr at = va + done;
    const uint64_t chunk = std::min(bytes - done, page - (at & (page - 1)));
    ++counters_[cpu].accesses;
    PhysAddr pa = 0;
    Fault fault;
    switch (Translate(cpu, *p, at, access, &pa, &fault)) {
      case Step::kDone:
        break;
      case Step::kFault:
        return AccessResult{false, fault};
      case Step::kNoMemory:
        return AccessResult{false, fault, true};
    }
    if (!config_.keep_data) {
      if (out != nullptr) std::memset(out + done, 0, chunk);
    } else {
      if (out != nullptr) CopyBytes(out + done, pool().Bytes(pa), chunk);
      if (in != nullptr) CopyBytes(pool().Bytes(pa), in + done, chunk);
    }
    done += chunk;
  }
  return AccessResult{};
}

AccessResult Machine::Read(int cpu, Pid pid, VirtAddr va,
                           std::span<uint8_t> out) {
  return Perform(cpu, pid, va, out.size(), ttb::Access::kRead, out.data(),
                 nullptr);
}

AccessResult Machine::Write(int cpu, Pid pid, VirtAddr va,
                            std::span<const uint8_t> data) {
  return Perform(cpu, pid, va, data.size(), ttb::Access::kWrite, nullptr,
                 data.data());
}

AccessResult Machine::Execute(int cpu, Pid pid, VirtAddr va, uint64_t bytes) {
  return Perform(cpu, pid, va, bytes, ttb::Access::kExecute, nullptr, nullptr);
}

Result<Pid> Machine::Fork(int cpu, Pid parent_pid) {
  Process* parent = process(parent_pid);
  if (parent == nullptr) return Status::kInvalidArgument;
  RunProcess(cpu, *parent);
  auto child = std::make_unique<Process>();
  child->pid = next_pid_;
  if (checker_) {
    checker_->Record(absl::StrFormat("cpu%d pid%d fork -> pid%d", cpu,
                                     parent_pid, child->pid));
  }
  RunOn(cpu);
  const Status s = strategy_->Fork(*this, *parent, *child);
  EndKernelOperation();
  if (s != Status::kOk) {
    ++counters_[cpu].fork_failures;
    return s;
  }
  ++counters_[cpu].forks;
  processes_[next_pid_] = std::move(child);
  return next_pid_++;
}

Result<bool> Machine::Background(int cpu, Pid pid) {
  Process* p = process(pid);
  if (p == nullptr) return Status::kInvalidArgument;
  RunProcess(cpu, *p);
  if (checker_) {
    checker_->Record(absl::StrFormat("cpu%d pid%d background", cpu, pid));
  }
  RunOn(cpu);
  const BackgroundStep step = strategy_->Background(*this, *p);
  EndKernelOperation();
  if (step == BackgroundStep::kNoMemory) return Status::kNoMemory;
  if (step == BackgroundStep::kIdle) return false;
  ++counters_[cpu].background_steps;
  return true;
}

void Machine::Exit(int cpu, Pid pid) {
  Process* p = process(pid);
  if (p == nullptr) return;
  if (checker_) checker_->Record(absl::StrFormat("cpu%d pid%d exit", cpu, pid));
  RunOn(cpu);
  for (int c = 0; c < config_.cpus; ++c) {
    if (running_[c] != p) continue;
    // The CPU idles until the next switch, off the tables about to be
    // freed; another CPU is told by an IPI.
    running_[c] = nullptr;
    arches_[c].SwitchTtbr0(kNoUserTables, 0);
    arches_[c].Isb();
    if (c != cpu) ++counters_[cpu].ipis;
  }
  strategy_->Release(*this, *p);
  processes_.erase(pid);
  ++counters_[cpu].exits;
  EndKernelOperation();
}

void Machine::EndKernelOperation() {
  if (checker_) checker_->EndOperation();
  if (config_.speculate) {
    Speculate();
    for (std::vector<VirtAddr>& targets : speculation_targets_) {
      targets.clear();
    }
  }
  // The exception return to EL0 is a context synchronisation event.
  system_.Synchronize(current_cpu_);
}

const Process* Machine::OwnerOfRoot(PhysAddr root) const {
  for (const auto& [pid, p] : processes_) {
    if (p->space.root() == root) return p.get();
  }
  return nullptr;
}

void Machine::AddSpeculationTarget(int cpu, VirtAddr va) {
  if (!config_.speculate) return;
  std::vector<VirtAddr>& targets = speculation_targets_[cpu];
  const VirtAddr page = config_.regime.page_base(va);
  if (targets.size() < kMaxTargets &&
      std::find(targets.begin(), targets.end(), page) == targets.end()) {
    targets.push_back(page);
  }
}

void Machine::AddSpeculationTargets(const ArchEvent& e) {
  if (e.kind != ArchEvent::Kind::kTlbi) return;
  const auto op = static_cast<tlbi::Op>(e.detail % 8);
  VirtAddr va = 0;
  uint64_t pages = 1;
  if (op == tlbi::Op::kRvae1 || op == tlbi::Op::kRvale1) {
    const tlbi::RangeFields f = tlbi::DecodeRange(e.value);
    va = f.base;
    pages = std::min(f.pages, kRangeTargets);
  } else if (op != tlbi::Op::kAside1 && op != tlbi::Op::kVmalle1) {
    va = tlbi::DecodeVa(e.value).va;
  } else {
    return;  // The entries it removes are the targets.
  }
  const bool broadcast = e.detail >= 8;
  for (int c = broadcast ? 0 : e.cpu;
       c < (broadcast ? config_.cpus : e.cpu + 1); ++c) {
    for (uint64_t i = 0; i < pages; ++i) {
      AddSpeculationTarget(c, va + (i << config_.regime.granule_shift));
    }
  }
}

void Machine::Speculate() {
  for (int c = 0; c < config_.cpus; ++c) {
    const CpuState& s = system_.cpu(c);
    const Process* owner = OwnerOfRoot(s.synced_root);
    if (owner == nullptr) continue;
    const Tlb& tlb = system_.tlb(c);
    for (const VirtAddr va : speculation_targets_[c]) {
      // A TLB that holds `va` gets no second entry of the same size; a
      // smaller one is what splitting a run or block without
      // break-before-make lets it hold as well (a TLB conflict).
      if (const TlbEntry* held = tlb.Peek(va, s.synced_asid)) {
        if (held->bytes() == config_.regime.granule_bytes()) continue;
        const WalkResult now = checker_->published_walker().Walk(
            s.synced_root, va, Access::kRead, El::kEl0);
        if (!Cached(now) ||
            tlb.Fitted(LeafEntry(*owner, s.synced_asid, va, now), va)
                    .size_shift == held->size_shift) {
          continue;
        }
      }
      // The walk reads the tables as published, which a walk may.
      Fill(c, *owner, s.synced_asid, va,
           WalkThroughCache(c, checker_->published_walker(), s.synced_root,
                            s.synced_asid, va, Access::kRead),
           /*speculative=*/true, checker_->SeesUnpublished(s.synced_root, va));
    }
  }
}

void Machine::Writing(PhysAddr table) {
  checker_->Writing(current_cpu_, table);
}

void Machine::Freed(PhysAddr frame, FrameUse use) {
  checker_->CheckFreed(frame, use, system_, running_);
}

void Machine::ObserveInvalidated(const TlbEntry& removed) {
  Process* owner = process(removed.owner);
  // Entries of exited processes, or filled under an ASID their owner has
  // left since, are unreachable through the owner: nothing to compare, even
  // when a rollover has handed the owner the same number again and this is
  // its flush. A CPU that could still hit them is CheckHit's to catch.
  if (owner == nullptr || owner->space.asid() != removed.asid ||
      owner->asid_tenure != removed.owner_asid_tenure) {
    return;
  }
  const Result<Translation> now = owner->space.Translate(removed.va_base);
  checker_->CheckInvalidated(removed, now.ok() ? now.value() : Translation{});
}

}  // namespace ttb::sim
