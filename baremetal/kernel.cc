#include "baremetal/kernel.h"

#include "baremetal/clock.h"
#include "baremetal/console.h"
#include "baremetal/hw_arch.h"
#include "baremetal/layouts.h"
#include "baremetal/mmu.h"
#include "baremetal/semihosting.h"
#include "baremetal/suite.h"
#include "baremetal/sysreg.h"
#include "engine/names.h"
#include "engine/walks/registry.h"
#include "variants/registry.h"

extern "C" char __stack_top[];
extern "C" char user_program_start[];
extern "C" char user_program_end[];

namespace ttb::baremetal {

// The user context the vectors save and restore (vectors.S).
struct Frame {
  uint64_t x[31];
  uint64_t sp_el0;
  uint64_t elr;
  uint64_t spsr;
};
static_assert(sizeof(Frame) == 272, "vectors.S assumes this layout");

extern "C" [[noreturn]] void enter_user(Frame* frame);
extern "C" void el0_sync_handler(Frame* frame);
extern "C" [[noreturn]] void unexpected_exception();

namespace {

constexpr int kMaxTasks = 8;
constexpr uint64_t kKilledStatus = 128 + 11;  // As a shell shows SIGSEGV.

enum class Syscall : uint64_t {
  kExit = 0,
  kFork = 1,
  kWait = 2,
  kReport = 3,
  kYield = 4,
  kWrite = 5,
};

enum class TaskState : uint8_t { kFree, kRunnable, kWaiting };

struct Task {
  Process process;
  Frame regs;
  TaskState state = TaskState::kFree;
  int parent = -1;
  int waiting_for = -1;  // kWaiting: the child it waits for.
  bool zombie = false;   // Exited, status not yet collected.
  uint64_t status = 0;
};

class BareMetalKernel final : public Kernel<HwArch> {
 public:
  void set_current(Process* p) { current_ = p; }
  // The layout's pool over [base, base + bytes), and its regime with the
  // kernel's tables for it. Every process of the last layout is released.
  Status UseLayout(const Layout& layout, PhysAddr base, uint64_t bytes) {
    regime_ = layout.regime;
    // The pool's memory holds the current tables: leave them first.
    UseBootTables();
    const PhysAddr start =
        (base + regime_.granule_bytes() - 1) & ~(regime_.granule_bytes() - 1);
    Status s = pool_.Init(reinterpret_cast<void*>(start), start,
                          bytes - (start - base), regime_.granule_shift, false);
    if (s != Status::kOk) return s;
    const Result<PhysAddr> root = pool_.Allocate(FrameUse::kTable);
    if (!root.ok()) return root.status();
    InstallKernelMapping(pool_.Descriptors(root.value()), regime_);
    UseRegime(regime_, root.value());
    return Status::kOk;
  }

  HwArch& arch() override { return arch_; }
  FramePool& pool() override { return pool_; }
  const Regime& regime() const override { return regime_; }
  // One CPU: local maintenance reaches every TLB there is.
  Shareability shareability() const override { return Shareability::kLocal; }
  AsidAllocator& asids() override { return asids_; }
  const TableWalk& walk() const override { return DefaultWalk(); }
  void ForEachRunning(void (*fn)(Process&, void*), void* context) override {
    if (current_ != nullptr) fn(*current_, context);
  }
  void ReloadOnOtherCpus(Process&) override {}
  Status InitSpace(Process& p, Asid asid) override {
    const Status s = p.space.Init(&pool_, regime_, asid);
    if (s == Status::kOk) {
      InstallKernelMapping(pool_.Descriptors(p.space.root()), regime_);
      p.space.ReserveKernelEntries(KernelRootEntries(regime_));
    }
    return s;
  }

 private:
  HwArch arch_;
  FramePool pool_;
  Regime regime_ = kRegime;
  AsidAllocator asids_;
  Process* current_ = nullptr;
};

BareMetalKernel kernel;
Task tasks[kMaxTasks];
int current = -1;
// The RAM the layouts' pools take.
PhysAddr pool_base = 0;
uint64_t pool_bytes = 0;
int layout_index = -1;
int strategy_index = -1;
// 0: the workload; then, in the first layout, one fork + write k% run per
// entry below.
int phase = 0;
struct Percent {
  uint64_t k;
  const char* label;
};
constexpr Percent kForkWritePercents[] = {
    {0, "0"}, {10, "10"}, {50, "50"}, {100, "100"}};
constexpr int kPhases = 1 + sizeof(kForkWritePercents) / sizeof(Percent);
uint64_t failures = 0;
uint64_t faults = 0;
ArchCounters counts_before;
FramePoolStats pool_before;

// Readies a free slot for a new process. Its ASID generation must go back
// to "none": a new strategy's allocator starts again at generation 1.
void Reset(Task& t, int parent) {
  t.process.asid_generation = 0;
  t.state = TaskState::kFree;
  t.parent = parent;
  t.waiting_for = -1;
  t.zombie = false;
  t.status = 0;
  t.regs = Frame{};
}

Strategy<HwArch>& CurrentStrategy() {
  return *kStrategies<HwArch>[strategy_index];
}

const Layout& CurrentLayout() { return kLayouts[layout_index]; }

Frame* KernelFrame() {
  return reinterpret_cast<Frame*>(reinterpret_cast<uintptr_t>(__stack_top) -
                                  sizeof(Frame));
}

// Makes `index` current: its context into the frame the vectors restore,
// its tables into TTBR0.
void SwitchTo(int index) {
  current = index;
  Task& t = tasks[index];
  kernel.set_current(&t.process);
  *KernelFrame() = t.regs;
  CurrentStrategy().SwitchTo(kernel, t.process);
  // Work a fork left to the process (async_fork's copy of its tables) is
  // done here, in its context, before it returns to EL0, as Async-fork's
  // child copies in the kernel. Without memory the rest waits: the
  // process's own faults do it.
  while (CurrentStrategy().Background(kernel, t.process) ==
         BackgroundStep::kDone) {
  }
}

void PrintCounts() {
  const ArchCounters& now = kernel.arch().counts();
  const FramePoolStats& pool = kernel.pool().stats();
  auto print = [](const char* event, uint64_t n) {
    Print(",\"");
    Print(event);
    Print("\":");
    PrintDec(n);
  };
  print(EventName(Event::kFaults), faults);
  print(EventName(Event::kPagesCopied), pool.copies - pool_before.copies);
  print(EventName(Event::kFramesShared), pool.shares - pool_before.shares);
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    for (int sh = 0; sh < 2; ++sh) {
      const uint64_t n = now.tlbi[op][sh] - counts_before.tlbi[op][sh];
      if (n != 0) {
        print(TlbiEventName(static_cast<tlbi::Op>(op), sh == 1).c_str(), n);
      }
    }
  }
}

// The events a timed fork issued, over all its repetitions, as a line the
// runner adds to the benchmark of that name, so `ttbench validate` can
// predict its cycles: {"event":"counts","name":...,"<event>":n,...}.
void PrintForkCounts(const char* name, const ArchCounters& a,
                     const FramePoolStats& pool) {
  Print("{\"event\":\"counts\",\"name\":\"");
  Print(name);
  Print("\"");
  auto print = [](const char* event, uint64_t n) {
    if (n == 0) return;
    Print(",\"");
    Print(event);
    Print("\":");
    PrintDec(n);
  };
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    for (int sh = 0; sh < 2; ++sh) {
      print(TlbiEventName(static_cast<tlbi::Op>(op), sh == 1).c_str(),
            a.tlbi[op][sh]);
    }
  }
  for (int b = 0; b < kBarrierCount; ++b) {
    print(DsbEventName(static_cast<Barrier>(b)).c_str(), a.dsb[b]);
  }
  print(EventName(Event::kLocalTlbiCompletions), a.tlbi_completions[0]);
  print(EventName(Event::kBroadcastTlbiCompletions), a.tlbi_completions[1]);
  print(EventName(Event::kIsb), a.isb);
  print(EventName(Event::kTtbr0Writes), a.ttbr0_writes);
  print(EventName(Event::kInstructionSyncs), a.instruction_syncs);
  print(EventName(Event::kPagesCopied), pool.copies);
  print(EventName(Event::kTablesAllocated), pool.allocations - pool.copies);
  print(EventName(Event::kFramesShared), pool.shares);
  print(EventName(Event::kSoftwareDescriptorReads), pool.table_reads);
  print(EventName(Event::kSoftwareDescriptorWrites), pool.table_writes);
  Print("}\n");
}

[[noreturn]] void StartStrategy(int index);
[[noreturn]] void StartProcess();

// Picks the next runnable task, or ends this strategy's run.
[[noreturn]] void ScheduleOrFinish() {
  for (int step = 1; step <= kMaxTasks; ++step) {
    const int next = (current + step) % kMaxTasks;
    if (tasks[next].state == TaskState::kRunnable) {
      SwitchTo(next);
      enter_user(KernelFrame());
    }
  }
  StartStrategy(strategy_index + 1);
}

// Gives the CPU to the next runnable task, if any other is.
void Yield(Frame* frame) {
  tasks[current].regs = *frame;
  for (int step = 1; step < kMaxTasks; ++step) {
    const int next = (current + step) % kMaxTasks;
    if (tasks[next].state == TaskState::kRunnable) {
      SwitchTo(next);
      return;
    }
  }
}

// Prints up to 256 bytes the task holds at `va` as an output line; false if
// any of them is not mapped readable at EL0.
bool Write(VirtAddr va, uint64_t bytes) {
  AddressSpace& space = tasks[current].process.space;
  char text[257];
  if (bytes > 256) return false;
  for (uint64_t i = 0; i < bytes; ++i) {
    const Result<Translation> t = space.Translate(va + i);
    if (!t.ok() || !(static_cast<unsigned>(t.value().leaf.ap()) & 1)) {
      return false;
    }
    text[i] = *reinterpret_cast<const char*>(kernel.pool().Bytes(t.value().pa));
    if (text[i] == '"' || text[i] == '\\' || text[i] < ' ') text[i] = '?';
  }
  text[bytes] = '\0';
  Print("{\"event\":\"output\",\"pid\":");
  PrintDec(tasks[current].process.pid);
  Print(",\"text\":\"");
  Print(text);
  Print("\"}\n");
  return true;
}

// User pages: EL0 access, not global, never executable at EL1.
constexpr Descriptor kUserPage = Descriptor::Page(0)
                                     .with_ng(true)
                                     .with_attr_index(1)
                                     .with_sh(Sh::kInner)
                                     .with_pxn(true);
constexpr Descriptor kUserData = kUserPage.with_ap(Ap::kRw).with_uxn(true);

// Fork latency against resident size, at EL1: the parent is current (its
// tables in TTBR0), its pages are made private and writable again between
// forks, as the host benchmarks do.
void BenchForkLatency() {
  Strategy<HwArch>& s = CurrentStrategy();
  for (const uint64_t mib : ChosenSuite().fork_sizes_mib) {
    if (mib == 0) break;
    Process parent;
    Process child;
    if (s.CreateSpace(kernel, parent) != Status::kOk ||
        parent.space.Map(DataVa(kernel.regime()), mib * 256, kUserData) !=
            Status::kOk) {
      Print("{\"event\":\"error\",\"what\":\"fork benchmark parent\"}\n");
      failures += 1;
      return;
    }
    kernel.set_current(&parent);
    s.SwitchTo(kernel, parent);
    const uint64_t repetitions = mib >= 64 ? 2 : 4;
    uint64_t ticks = 0;
    uint64_t cycles = 0;
    ArchCounters issued;
    FramePoolStats pool;
    for (uint64_t r = 0; r < repetitions; ++r) {
      const ArchCounters a0 = kernel.arch().counts();
      const FramePoolStats p0 = kernel.pool().stats();
      const uint64_t t0 = Ticks();
      const uint64_t c0 = Cycles();
      const Status forked = s.Fork(kernel, parent, child);
      cycles += Cycles() - c0;
      ticks += Ticks() - t0;
      issued += kernel.arch().counts() - a0;
      const FramePoolStats& p1 = kernel.pool().stats();
      pool.copies += p1.copies - p0.copies;
      pool.allocations += p1.allocations - p0.allocations;
      pool.shares += p1.shares - p0.shares;
      pool.table_reads += p1.table_reads - p0.table_reads;
      pool.table_writes += p1.table_writes - p0.table_writes;
      if (forked != Status::kOk) {
        failures += 1;
        break;
      }
      s.Release(kernel, child);
      child.asid_generation = 0;
      parent.space.ForEachPage([](VirtAddr, Descriptor& d) {
        d = d.with_ap(Ap::kRw).with_cow(false);
      });
      asm volatile("dsb ishst; tlbi vmalle1; dsb nsh; isb" ::: "memory");
    }
    const Name name = DenseForkBenchmarkName(s.name(), mib);
    const char* const name_part = name.c_str();
    PrintBench(&name_part, 1, repetitions, ticks, cycles);
    PrintForkCounts(name_part, issued, pool);
    UseKernelTables();
    kernel.set_current(nullptr);
    s.Release(kernel, parent);
  }
}

// The current task exits: release its space, wake a waiting parent.
[[noreturn]] void ExitCurrent(uint64_t status) {
  Task& t = tasks[current];
  UseKernelTables();  // TTBR0 must not point at tables being freed.
  CurrentStrategy().Release(kernel, t.process);
  t.state = TaskState::kFree;
  kernel.set_current(nullptr);
  if (t.parent < 0) {
    if (phase == 0) {
      Print("{\"event\":\"fork_test\",\"granule_kib\":");
      PrintDec(kernel.regime().granule_bytes() >> 10);
      Print(",\"mapping\":\"");
      Print(MappingName(CurrentLayout().mapping));
      Print("\",\"strategy\":\"");
      Print(CurrentStrategy().name());
      Print("\",\"status\":");
      PrintDec(status);
      PrintCounts();
      Print("}\n");
    }
    failures += status == 0 ? 0 : 1;
    // Timings are taken in the first layout only.
    if (layout_index == 0) {
      if (++phase < kPhases) StartProcess();
      BenchForkLatency();
    }
    StartStrategy(strategy_index + 1);
  } else {
    Task& parent = tasks[t.parent];
    if (parent.state == TaskState::kWaiting && parent.waiting_for == current) {
      parent.regs.x[0] = status;
      parent.state = TaskState::kRunnable;
    } else {
      t.zombie = true;
      t.status = status;
    }
  }
  ScheduleOrFinish();
}

void Fork(Frame* frame) {
  Task& parent = tasks[current];
  int child = -1;
  for (int i = 0; i < kMaxTasks; ++i) {
    if (tasks[i].state == TaskState::kFree && !tasks[i].zombie) child = i;
  }
  if (child >= 0) Reset(tasks[child], current);
  if (child < 0 ||
      CurrentStrategy().Fork(kernel, parent.process, tasks[child].process) !=
          Status::kOk) {
    frame->x[0] = ~0ull;
    return;
  }
  Task& c = tasks[child];
  c.process.pid = static_cast<uint32_t>(child + 1);
  c.regs = *frame;
  c.regs.x[0] = 0;
  c.state = TaskState::kRunnable;
  frame->x[0] = static_cast<uint64_t>(child + 1);
}

void Wait(Frame* frame) {
  const int child = static_cast<int>(frame->x[0]) - 1;
  if (child < 0 || child >= kMaxTasks || tasks[child].parent != current) {
    frame->x[0] = ~0ull;
    return;
  }
  if (tasks[child].zombie) {
    frame->x[0] = tasks[child].status;
    tasks[child].zombie = false;
    return;
  }
  Task& t = tasks[current];
  t.regs = *frame;
  t.state = TaskState::kWaiting;
  t.waiting_for = child;
  ScheduleOrFinish();
}

// ESR_ELx.DFSC back to the engine's Fault (the walker's dfsc() inverted).
Fault DecodeFault(uint64_t dfsc) {
  constexpr FaultKind kKinds[] = {
      FaultKind::kAddressSize, FaultKind::kTranslation,
      FaultKind::kAccessFlag,  FaultKind::kPermission,
      FaultKind::kNone,        FaultKind::kWalkExternalAbort};
  const uint64_t kind = (dfsc >> 2) & 0xF;
  return Fault{kind < 6 ? kKinds[kind] : FaultKind::kNone,
               static_cast<int8_t>(dfsc & 3)};
}

// Maps the layout's data into the first process.
bool MapData(AddressSpace& space, const Layout& layout) {
  return MapLayoutData(
      layout, kUserData, space,
      [&](VirtAddr va, uint64_t pages, Descriptor attrs) {
        return space.Map(va, pages, attrs);
      },
      [&](VirtAddr va, uint64_t pages, Descriptor attrs) {
        return space.MapBlocks(va, pages, attrs);
      });
}

// The first process of a run: the workload's text (EL0 read-only,
// executable), its data and a stack; x2 selects the phase.
[[noreturn]] void StartProcess() {
  Strategy<HwArch>& s = CurrentStrategy();
  for (Task& t : tasks) Reset(t, -1);
  Task& init = tasks[0];
  const Layout& layout = CurrentLayout();
  const Regime& r = layout.regime;
  const uint64_t text_bytes =
      static_cast<uint64_t>(user_program_end - user_program_start);
  if (s.CreateSpace(kernel, init.process) != Status::kOk ||
      init.process.space.Map(TextVa(r), 1, kUserPage.with_ap(Ap::kRo)) !=
          Status::kOk ||
      !MapData(init.process.space, layout) ||
      init.process.space.Map(StackVa(r), kStackPages, kUserData) !=
          Status::kOk) {
    Print(
        "{\"event\":\"error\",\"what\":\"cannot create the first process\"}\n");
    semihosting_exit(2);
  }
  const PhysAddr text = init.process.space.Translate(TextVa(r)).value().pa;
  __builtin_memcpy(kernel.pool().Bytes(text), user_program_start, text_bytes);
  kernel.arch().SyncInstructions(kernel.pool().Bytes(text), text_bytes);
  init.process.pid = 1;
  init.regs.x[0] = DataVa(r);
  init.regs.x[1] = layout.data_pages;
  init.regs.x[2] = phase == 0 ? 0 : kForkWritePercents[phase - 1].k + 1;
  init.regs.x[3] = r.granule_shift;
  init.regs.sp_el0 = StackVa(r) + (kStackPages << r.granule_shift);
  init.regs.elr = TextVa(r);
  init.regs.spsr = 0;  // EL0t.
  init.state = TaskState::kRunnable;
  current = -1;
  SwitchTo(0);
  enter_user(KernelFrame());
}

// Runs every strategy in the next layout whose granule the CPU has, or
// ends the image's run.
[[noreturn]] void StartNextLayout() {
  do {
    ++layout_index;
  } while (layout_index < kLayoutCount &&
           !HasGranule(CurrentLayout().regime.granule_shift));
  if (layout_index == kLayoutCount) {
    UseBootTables();
    Print("{\"event\":\"done\",\"failures\":");
    PrintDec(failures);
    Print("}\n");
    semihosting_exit(failures == 0 ? 0 : 1);
  }
  if (kernel.UseLayout(CurrentLayout(), pool_base, pool_bytes) != Status::kOk) {
    Print("{\"event\":\"error\",\"what\":\"layout frame pool\"}\n");
    semihosting_exit(2);
  }
  StartStrategy(0);
}

[[noreturn]] void StartStrategy(int index) {
  strategy_index = index;
  if (index == StrategyCount<HwArch>()) StartNextLayout();
  // A new strategy's ASIDs start again from 1: nothing cached may survive.
  asm volatile("dsb ishst; tlbi vmalle1; dsb nsh; isb" ::: "memory");
  if (CurrentStrategy().Attach(kernel) != Status::kOk) {
    Print("{\"event\":\"error\",\"what\":\"attach\"}\n");
    semihosting_exit(2);
  }
  counts_before = kernel.arch().counts();
  pool_before = kernel.pool().stats();
  faults = 0;
  phase = 0;
  StartProcess();
}

}  // namespace

extern "C" void el0_sync_handler(Frame* frame) {
  const uint64_t esr = TTB_READ_SYSREG(esr_el1);
  const uint64_t ec = esr >> 26;
  if (ec == 0x15) {  // SVC from AArch64.
    switch (static_cast<Syscall>(frame->x[8])) {
      case Syscall::kExit:
        ExitCurrent(frame->x[0]);
      case Syscall::kFork:
        Fork(frame);
        return;
      case Syscall::kWait:
        Wait(frame);
        return;
      case Syscall::kYield:
        Yield(frame);
        return;
      case Syscall::kWrite:
        frame->x[0] = Write(frame->x[0], frame->x[1]) ? frame->x[1] : ~0ull;
        return;
      case Syscall::kReport: {
        // Timings are taken in the first layout (4 KiB pages) only, so
        // each benchmark name is reported once.
        if (layout_index != 0) return;
        if (frame->x[2] >= 2) {  // fork + write k%.
          const char* name[] = {"fork_write/", CurrentStrategy().name(), "/",
                                kForkWritePercents[phase - 1].label,
                                "pct/256KiB"};
          PrintBench(name, 5, 1, frame->x[0], kNoCycles);
          return;
        }
        const char* name[] = {"cow_fault/", CurrentStrategy().name(),
                              frame->x[2] == 0 ? "/child_first_write"
                                               : "/parent_after_child_exit"};
        PrintBench(name, 3, frame->x[1], frame->x[0], kNoCycles);
        return;
      }
    }
    ExitCurrent(kKilledStatus);
  }
  if (ec == 0x24 || ec == 0x20) {  // Data or instruction abort from EL0.
    ++faults;
    const Access access = ec == 0x20       ? Access::kExecute
                          : (esr >> 6) & 1 ? Access::kWrite
                                           : Access::kRead;
    const VirtAddr far = TTB_READ_SYSREG(far_el1);
    if (CurrentStrategy().OnFault(kernel, tasks[current].process, far,
                                  DecodeFault(esr & 0x3F),
                                  access) == FaultOutcome::kHandled) {
      return;  // Retry the access.
    }
    ExitCurrent(kKilledStatus);
  }
  unexpected_exception();
}

void RunForkTests(PhysAddr base, uint64_t bytes, uint64_t earlier_failures) {
  pool_base = base;
  pool_bytes = bytes;
  failures = earlier_failures;
  StartNextLayout();
}

}  // namespace ttb::baremetal
