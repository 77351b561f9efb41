// The stage-1 translation table walk of the Arm ARM (D8, "The AArch64
// Virtual Memory System Architecture"; pseudocode AArch64.S1Translate) for
// the EL1&0 regime through TTBR0. It models what hardware does on a TLB miss:
// no hardware update of AF or DBM (TCR_EL1.HA/HD = 0), PAN and WXN off.
#ifndef TTBENCH_ENGINE_WALKER_H_
#define TTBENCH_ENGINE_WALKER_H_

#include "engine/descriptor.h"
#include "engine/fault.h"
#include "engine/frame_pool.h"
#include "engine/regime.h"

namespace ttb {

// Restrictions that table descriptors pass down to every later level
// (Arm ARM D8.4.2 hierarchical permissions), accumulated by OR.
namespace table_attr {
inline constexpr uint8_t kPxn = 1 << 0;       // PXNTable
inline constexpr uint8_t kUxn = 1 << 1;       // UXNTable
inline constexpr uint8_t kNoEl0 = 1 << 2;     // APTable[0]
inline constexpr uint8_t kReadOnly = 1 << 3;  // APTable[1]

constexpr uint8_t Of(Descriptor table) {
  const auto ap = static_cast<unsigned>(table.ap_table());
  return static_cast<uint8_t>(
      (table.pxn_table() ? kPxn : 0) | (table.uxn_table() ? kUxn : 0) |
      ((ap & 0b01) ? kNoEl0 : 0) | ((ap & 0b10) ? kReadOnly : 0));
}
}  // namespace table_attr

// The permissions a leaf grants once the table restrictions above it apply.
constexpr uint8_t EffectivePermissions(Descriptor leaf, uint8_t table_attrs) {
  const auto ap = static_cast<unsigned>(leaf.ap());
  const bool read_only = (ap & 0b10) || (table_attrs & table_attr::kReadOnly);
  const bool el0_data = (ap & 0b01) && !(table_attrs & table_attr::kNoEl0);
  const bool el0_write = el0_data && !read_only;
  const bool uxn = leaf.uxn() || (table_attrs & table_attr::kUxn);
  // Arm ARM D8.4.1: in the EL1&0 regime, memory writable at EL0 is never
  // executable at EL1, whatever PXN says.
  const bool pxn = leaf.pxn() || (table_attrs & table_attr::kPxn) || el0_write;
  uint8_t p = perm::kEl1Read;
  if (!read_only) p |= perm::kEl1Write;
  if (el0_data) p |= perm::kEl0Read;
  if (el0_write) p |= perm::kEl0Write;
  if (!uxn) p |= perm::kEl0Exec;
  if (!pxn) p |= perm::kEl1Exec;
  return p;
}

// One table descriptor the walk went through: what a walk cache keeps.
struct WalkStep {
  int8_t level = 0;         // Level of the table descriptor.
  PhysAddr next_table = 0;  // The table it points to (level + 1).
  uint8_t table_attrs = 0;  // Restrictions accumulated down to here.
};

// Where a walk starts: the TTBR root, or a table found in a walk cache.
struct WalkStart {
  int8_t level = 0;
  PhysAddr table = 0;
  uint8_t table_attrs = 0;
};

struct WalkResult {
  Fault fault;              // kind == kNone on success.
  PhysAddr pa = 0;          // Output address of the VA.
  Descriptor leaf;          // The block or page descriptor.
  int8_t level = 0;         // Leaf level, or the level that faulted.
  uint8_t permissions = 0;  // perm:: bits the leaf grants.
  uint8_t reads = 0;        // Descriptors read by this walk.
  uint8_t step_count = 0;   // Table descriptors passed through.
  WalkStep steps[3];

  constexpr bool ok() const { return fault.kind == FaultKind::kNone; }
};

// What a walk reads at a descriptor's address, when not memory as it is
// now: a checker's view of the stores a walk need not observe yet.
class DescriptorView {
 public:
  virtual Descriptor Read(PhysAddr slot) const = 0;

 protected:
  ~DescriptorView() = default;
};

class Walker {
 public:
  Walker(const Regime& regime, const FramePool& memory,
         const DescriptorView* view = nullptr)
      : regime_(regime), memory_(&memory), view_(view) {}

  // A full walk from the table in TTBR0.
  WalkResult Walk(PhysAddr root, VirtAddr va, Access access, El el) const;
  // A walk that starts below the root, as hardware does after a walk-cache
  // hit. `start` must have come from an earlier walk of the same VA range.
  WalkResult Resume(const WalkStart& start, VirtAddr va, Access access,
                    El el) const;

  // Descriptor reads over this walker's lifetime.
  uint64_t descriptor_reads() const { return descriptor_reads_; }
  const Regime& regime() const { return regime_; }

 private:
  Regime regime_;
  const FramePool* memory_;
  const DescriptorView* view_;
  mutable uint64_t descriptor_reads_ = 0;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_WALKER_H_
