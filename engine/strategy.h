// The interface every fork strategy implements, and the services a strategy
// may ask of the machine under it (the simulator's Machine, or the
// bare-metal kernel). Both are templates over the Arch so that TLB
// maintenance inlines; the per-fork and per-fault calls are virtual.
#ifndef TTBENCH_ENGINE_STRATEGY_H_
#define TTBENCH_ENGINE_STRATEGY_H_

#include "engine/arch.h"
#include "engine/asid_allocator.h"
#include "engine/fault.h"
#include "engine/frame_pool.h"
#include "engine/process.h"
#include "engine/regime.h"
#include "engine/status.h"
#include "engine/table_walk.h"

namespace ttb {

// What one unit of background work did.
enum class BackgroundStep : uint8_t {
  kIdle,      // Nothing was left to do.
  kDone,      // One unit done; more may remain.
  kNoMemory,  // The unit needed a frame the pool could not give; nothing
              // changed.
};

enum class FaultOutcome : uint8_t {
  kHandled,     // Retry the access.
  kNotHandled,  // A real fault: deliver it to the process.
  kNoMemory,    // The fix needed a frame the pool could not give.
};

template <Arch A>
class Kernel {
 public:
  // The CPU carrying out the current operation.
  virtual A& arch() = 0;
  virtual FramePool& pool() = 0;
  virtual const Regime& regime() const = 0;
  // Inner when more than one CPU may hold translations, else local.
  virtual Shareability shareability() const = 0;
  // FEAT_BBM level 2 (ID_AA64MMFR2_EL1.BBM = 2): a contiguous run may be
  // folded or split without the invalid step of break-before-make.
  virtual bool bbm_level2() const { return false; }
  // What a CoW break inside a contiguous run does: false splits the run
  // and copies the page written (Linux's way with a PTE-mapped large
  // folio); true copies the whole run into a new one.
  virtual bool cow_copies_runs() const { return false; }
  virtual AsidAllocator& asids() = 0;
  // How a fork reaches the parent's entries (engine/walks/registry.h).
  virtual const TableWalk& walk() const = 0;
  // Calls fn(process, context) for every process live on some CPU.
  virtual void ForEachRunning(void (*fn)(Process&, void*), void* context) = 0;
  // Every other CPU running `p` reloads TTBR0 with p's current ASID and
  // synchronises (an IPI on hardware).
  virtual void ReloadOnOtherCpus(Process& p) = 0;
  // Gives `p` an empty address space. A kernel whose own mapping lives in
  // every TTBR0 table (bare metal) adds it here.
  virtual Status InitSpace(Process& p, Asid asid) {
    return p.space.Init(&pool(), regime(), asid);
  }

  // The allocator's rollover needs the live processes.
  template <typename Fn>
  void ForEachRunning(Fn& fn) {
    ForEachRunning([](Process& p, void* f) { (*static_cast<Fn*>(f))(p); }, &fn);
  }

 protected:
  ~Kernel() = default;
};

// A strategy parameter with its default and valid range.
struct Tunable {
  const char* name;
  const char* help;
  int64_t min;
  int64_t max;
  int64_t default_value;
  int64_t value;
  // When set, only these values within [min, max] are valid.
  const int64_t* choices = nullptr;
  int choice_count = 0;

  constexpr bool Accepts(int64_t v) const {
    if (v < min || v > max) return false;
    if (choices == nullptr) return true;
    for (int i = 0; i < choice_count; ++i) {
      if (choices[i] == v) return true;
    }
    return false;
  }
};

constexpr bool SameName(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}

template <Arch A>
class Strategy {
 public:
  virtual const char* name() const = 0;
  // One line: what it does, and the architecture rule it relies on.
  virtual const char* summary() const = 0;

  // Called once when a machine starts using the strategy.
  virtual Status Attach(Kernel<A>& k) { return k.asids().Init(16); }
  // Gives a new process an empty address space and an ASID.
  virtual Status CreateSpace(Kernel<A>& k, Process& p) = 0;
  // Makes `child` a copy of `parent`. On failure the child holds nothing
  // and the parent is as it was.
  virtual Status Fork(Kernel<A>& k, Process& parent, Process& child) = 0;
  // A fault `p` took on the executing CPU.
  virtual FaultOutcome OnFault(Kernel<A>& k, Process& p, VirtAddr va,
                               Fault fault, Access access) = 0;
  // Called before the machine edits `p`'s tables over `pages` pages from
  // `va` (map, unmap), on the executing CPU: a strategy whose spaces share
  // tables makes those tables `p`'s own here. An error stops the edit.
  virtual Status BeforeEdit(Kernel<A>&, Process&, VirtAddr, uint64_t) {
    return Status::kOk;
  }
  // Work a fork left for later that `p` carries out on its own CPU (the
  // executing one) while others run on: one unit of it.
  virtual BackgroundStep Background(Kernel<A>&, Process&) {
    return BackgroundStep::kIdle;
  }
  // Makes `p` current on the executing CPU.
  virtual void SwitchTo(Kernel<A>& k, Process& p) = 0;
  // Frees `p`'s address space (exit).
  virtual void Release(Kernel<A>&, Process& p) { p.space.Release(); }

  virtual int tunable_count() const { return 0; }
  virtual Tunable* tunable(int) { return nullptr; }

  Tunable* FindTunable(const char* tunable_name) {
    for (int i = 0; i < tunable_count(); ++i) {
      if (SameName(tunable(i)->name, tunable_name)) return tunable(i);
    }
    return nullptr;
  }
  Status SetTunable(const char* tunable_name, int64_t value) {
    Tunable* t = FindTunable(tunable_name);
    if (t == nullptr) return Status::kInvalidArgument;
    if (!t->Accepts(value)) return Status::kOutOfRange;
    t->value = value;
    return Status::kOk;
  }
  void ResetTunables() {
    for (int i = 0; i < tunable_count(); ++i) {
      tunable(i)->value = tunable(i)->default_value;
    }
  }

 protected:
  ~Strategy() = default;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_STRATEGY_H_
