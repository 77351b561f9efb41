// Includes every engine header and instantiates its templates, so that the
// freestanding AArch64 build (check.sh) compiles all of the core, not only
// the parts that happen to have a .cc file.
#include "engine/address_space.h"
#include "engine/arch.h"
#include "engine/arch_counters.h"
#include "engine/asid_allocator.h"
#include "engine/descriptor.h"
#include "engine/fault.h"
#include "engine/frame_pool.h"
#include "engine/names.h"
#include "engine/process.h"
#include "engine/regime.h"
#include "engine/status.h"
#include "engine/strategy.h"
#include "engine/table.h"
#include "engine/table_cursor.h"
#include "engine/tlb_maintenance.h"
#include "engine/tlbi.h"
#include "engine/types.h"
#include "engine/walker.h"
#include "variants/registry.h"

namespace ttb {
namespace {

// An Arch that remembers the last operation, standing in for HwArch.
struct LastOperationArch {
  uint64_t last = 0;
  void Tlbi(tlbi::Op op, Shareability, uint64_t operand) {
    last = operand ^ static_cast<uint64_t>(op);
  }
  void Dsb(Barrier b) { last ^= static_cast<uint64_t>(b); }
  void Isb() { ++last; }
  void SwitchTtbr0(PhysAddr root, Asid asid) { last = Ttbr0Value(root, asid); }
  void SyncInstructions(const void* bytes, uint64_t size) {
    last ^= reinterpret_cast<uintptr_t>(bytes) + size;
  }
  bool HasRangeTlbi() const { return true; }
};
static_assert(Arch<LastOperationArch>);

}  // namespace

uint64_t InstantiateEverything(AddressSpace& space, VirtAddr va) {
  LastOperationArch arch;
  MaintenanceSequence(arch, Shareability::kInner, [&] {
    arch.last += static_cast<uint64_t>(
        space.Unmap(va, 4, [&](VirtAddr changed, Descriptor, int level) {
          InvalidateVa(arch, space.asid(), changed, level == 3,
                       Shareability::kInner);
        }));
    InvalidateRange(arch, space.asid(), va, 100, true, Shareability::kInner);
    InvalidateAsid(arch, space.asid(), Shareability::kInner);
    InvalidateAll(arch, Shareability::kLocal);
  });
  arch.last += static_cast<uint64_t>(
      space.Protect(va, 1, Descriptor::Page(0).with_ap(Ap::kRo),
                    [&](VirtAddr, Descriptor, int) { arch.Isb(); }));
  space.ForEachPage(
      [&](VirtAddr v, Descriptor& d) { arch.last += v ^ d.bits(); });
  // Every strategy, instantiated for this Arch as the bare-metal image will.
  for (Strategy<LastOperationArch>* s : kStrategies<LastOperationArch>) {
    arch.last += reinterpret_cast<uintptr_t>(s->name());
  }
  // The names the image prints, built freestanding.
  arch.last += static_cast<uint64_t>(
      TlbiBenchmarkName(tlbi::Op::kVale1, true, kTlbiBatch).c_str()[0]);
  arch.last +=
      static_cast<uint64_t>(DenseForkBenchmarkName("x", va).c_str()[0]);
  return arch.last + tlbi::RangeOperationCount(va);
}

}  // namespace ttb
