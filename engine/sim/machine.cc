#include "engine/sim/machine.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "engine/tlb_maintenance.h"

namespace ttb::sim {
namespace {

// Retries of one access whose faults the strategy keeps calling handled; a
// CoW break needs one, a spurious fault after it one more.
constexpr int kMaxAttempts = 4;

const char* AccessName(Access a) {
  return a == Access::kRead ? "read" : a == Access::kWrite ? "write" : "exec";
}

}  // namespace

absl::StatusOr<std::unique_ptr<Machine>> Machine::Create(
    const MachineConfig& config, Strategy<SimArch>& strategy) {
  if (config.cpus < 1 || config.cpus > 32) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%d CPUs: the machine has 1 to 32", config.cpus));
  }
  if (!config.regime.Supported()) {
    return absl::InvalidArgumentError("unsupported translation regime");
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

Machine::Machine(const MachineConfig& config, Strategy<SimArch>& strategy,
                 std::unique_ptr<SimMemory> memory)
    : config_(config),
      strategy_(&strategy),
      memory_(std::move(memory)),
      system_(config.profile != nullptr ? *config.profile
                                        : *FindTlbProfile("neoverse-n1"),
              config.regime, config.cpus, config.range_tlbi),
      walker_(config.regime, memory_->pool()),
      running_(config.cpus, nullptr) {
  for (int c = 0; c < config.cpus; ++c) arches_.emplace_back(&system_, c);
  if (config.check_coherence) {
    checker_ = std::make_unique<CoherenceChecker>(config.regime, pool());
    system_.set_tracer([this](const ArchEvent& e) { checker_->Record(e); });
    for (int c = 0; c < config.cpus; ++c) {
      system_.tlb(c).set_invalidation_observer(
          [this](const TlbEntry& e) { ObserveInvalidated(e); });
    }
  }
}

Machine::~Machine() {
  while (!processes_.empty()) Exit(processes_.begin()->first);
}

Process* Machine::process(Pid pid) {
  auto it = processes_.find(pid);
  return it == processes_.end() ? nullptr : it->second.get();
}

Result<Pid> Machine::Spawn() {
  auto p = std::make_unique<Process>();
  p->pid = next_pid_;
  current_cpu_ = 0;
  const Status s = strategy_->CreateSpace(*this, *p);
  if (s != Status::kOk) return s;
  processes_[next_pid_] = std::move(p);
  return next_pid_++;
}

Status Machine::Map(Pid pid, VirtAddr va, uint64_t pages, Descriptor attrs) {
  Process* p = process(pid);
  if (p == nullptr) return Status::kInvalidArgument;
  if (checker_) {
    checker_->Record(
        absl::StrFormat("pid%d map %#x +%d pages", pid, va, pages));
  }
  if (const Status s = strategy_->BeforeEdit(*this, *p, va, pages);
      s != Status::kOk) {
    return s;
  }
  // Invalid entries are never cached (Arm ARM D8.13), so mapping into
  // unmapped space needs no invalidation.
  return p->space.Map(va, pages, attrs);
}

Status Machine::Unmap(int cpu, Pid pid, VirtAddr va, uint64_t pages) {
  Process* p = process(pid);
  if (p == nullptr) return Status::kInvalidArgument;
  if (checker_) {
    checker_->Record(absl::StrFormat("cpu%d pid%d unmap %#x +%d pages", cpu,
                                     pid, va, pages));
  }
  current_cpu_ = cpu;
  if (const Status s = strategy_->BeforeEdit(*this, *p, va, pages);
      s != Status::kOk) {
    return s;
  }
  struct Change {
    VirtAddr va;
    bool leaf;
  };
  std::vector<Change> changes;
  const Status s =
      p->space.Unmap(va, pages, [&](VirtAddr v, Descriptor, int level) {
        changes.push_back({v, level == 3});
      });
  if (s != Status::kOk || changes.empty()) return s;
  // Removed pages need their leaf entries gone, freed tables their walk
  // cache entries too (non-last-level TLBI).
  SimArch& a = arch();
  const Shareability sh = shareability();
  MaintenanceSequence(a, sh, [&] {
    for (const Change& c : changes) {
      InvalidateVa(a, p->space.asid(), c.va, c.leaf, sh);
    }
  });
  return Status::kOk;
}

void Machine::Run(int cpu, Pid pid) {
  if (Process* p = process(pid)) RunProcess(cpu, *p);
}

void Machine::RunProcess(int cpu, Process& p) {
  if (running_[cpu] == &p) return;
  current_cpu_ = cpu;
  if (checker_)
    checker_->Record(absl::StrFormat("cpu%d switch to pid%d", cpu, p.pid));
  strategy_->SwitchTo(*this, p);
  running_[cpu] = &p;
  ++counters_.context_switches;
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
    ++counters_.ipis;
  }
}

bool Machine::Lookup(int cpu, Process& p, VirtAddr va, Access access,
                     PhysAddr* pa, Fault* fault) {
  const CpuState& state = system_.cpu(cpu);
  Tlb& tlb = system_.tlb(cpu);
  if (const TlbEntry* hit = tlb.Lookup(va, state.asid)) {
    ++counters_.tlb_hits;
    if (checker_) checker_->CheckHit(cpu, *hit, va, state.ttbr0_root);
    if (hit->permissions & perm::Bit(access, El::kEl0)) {
      *pa = hit->pa_base + (va - hit->va_base);
      return true;
    }
    // Permission faults may come from a cached entry (D8.13).
    *fault = Fault{FaultKind::kPermission, hit->level};
    return false;
  }
  ++counters_.walks;
  const WalkEntry* cached = tlb.LookupWalk(va, state.asid);
  const WalkResult w =
      cached != nullptr
          ? walker_.Resume(WalkStart{static_cast<int8_t>(cached->level + 1),
                                     cached->next_table, cached->table_attrs},
                           va, access, El::kEl0)
          : walker_.Walk(state.ttbr0_root, va, access, El::kEl0);
  for (int i = 0; i < w.step_count; ++i) {
    const WalkStep& s = w.steps[i];
    const unsigned shift = config_.regime.level_shift(s.level);
    tlb.FillWalk(WalkEntry{va >> shift << shift, s.next_table, state.asid,
                           s.level, s.table_attrs});
  }
  // Only translations are cached: never an entry that gave a Translation,
  // Address size or Access flag fault; a permission-faulting one may be.
  if (w.ok() || w.fault.kind == FaultKind::kPermission) {
    const unsigned shift = config_.regime.level_shift(w.level);
    const TlbEntry fill{va >> shift << shift,
                        w.leaf.output_address() >> shift << shift,
                        w.leaf,
                        state.asid,
                        !w.leaf.ng(),
                        w.level,
                        w.permissions,
                        p.pid,
                        p.asid_tenure};
    if (checker_) checker_->CheckFill(cpu, fill, system_);
    tlb.Fill(fill);
  }
  if (w.ok()) {
    *pa = w.pa;
    return true;
  }
  *fault = w.fault;
  return false;
}

Machine::Step Machine::Translate(int cpu, Process& p, VirtAddr va,
                                 Access access, PhysAddr* pa, Fault* fault) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (Lookup(cpu, p, va, access, pa, fault)) return Step::kDone;
    ++counters_.faults[static_cast<int>(fault->kind)];
    if (checker_) {
      checker_->Record(absl::StrFormat(
          "cpu%d pid%d %s fault %s level %d at %#x", cpu, p.pid,
          AccessName(access), FaultKindName(fault->kind), fault->level, va));
    }
    current_cpu_ = cpu;
    switch (strategy_->OnFault(*this, p, va, *fault, access)) {
      case FaultOutcome::kHandled:
        ++counters_.faults_handled;
        continue;
      case FaultOutcome::kNotHandled:
        ++counters_.faults_delivered;
        return Step::kFault;
      case FaultOutcome::kNoMemory:
        return Step::kNoMemory;
    }
  }
  ++counters_.livelocks;
  ++counters_.faults_delivered;
  return Step::kFault;
}

AccessResult Machine::Perform(int cpu, Pid pid, VirtAddr va, uint64_t bytes,
                              ttb::Access access, uint8_t* out,
                              const uint8_t* in) {
  // Most accesses come from the process the CPU already runs: no lookup.
  Process* p = running_[cpu] != nullptr && running_[cpu]->pid == pid
                   ? running_[cpu]
                   : process(pid);
  if (p == nullptr) return AccessResult{false, {FaultKind::kTranslation, 0}};
  RunProcess(cpu, *p);
  if (checker_) {
    checker_->Record(absl::StrFormat("cpu%d pid%d %s %#x +%d", cpu, pid,
                                     AccessName(access), va, bytes));
  }
  const uint64_t page = config_.regime.granule_bytes();
  uint64_t done = 0;
  while (done < bytes) {
    const VirtAddr at = va + done;
    const uint64_t chunk = std::min(bytes - done, page - (at & (page - 1)));
    ++counters_.accesses;
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
    if (out != nullptr) std::memcpy(out + done, pool().Bytes(pa), chunk);
    if (in != nullptr) std::memcpy(pool().Bytes(pa), in + done, chunk);
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
  current_cpu_ = cpu;
  const Status s = strategy_->Fork(*this, *parent, *child);
  if (s != Status::kOk) {
    ++counters_.fork_failures;
    return s;
  }
  ++counters_.forks;
  processes_[next_pid_] = std::move(child);
  return next_pid_++;
}

void Machine::Exit(Pid pid) {
  Process* p = process(pid);
  if (p == nullptr) return;
  if (checker_) checker_->Record(absl::StrFormat("pid%d exit", pid));
  current_cpu_ = 0;
  for (int c = 0; c < config_.cpus; ++c) {
    if (running_[c] == p) {
      running_[c] = nullptr;  // The CPU idles until the next switch.
      current_cpu_ = c;
    }
  }
  strategy_->Release(*this, *p);
  processes_.erase(pid);
  ++counters_.exits;
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
  checker_->CheckInvalidated(removed,
                             now.ok() ? now.value().leaf : Descriptor());
}

}  // namespace ttb::sim
